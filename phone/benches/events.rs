//! Events per second through the phone state machine. Figures, not a test: run with
//! `cargo bench -p deskphone-phone`.
//!
//! One round is a whole call's life as the runtime feeds it: an incoming call passes the
//! chain and rings, is answered, connected, gets a DTMF digit and an RTCP report, is held
//! and resumed, hangs up and ends (into the history), then an outgoing call is dialled
//! digit by digit, rings back, connects and ends; a snapshot is taken after every input,
//! as the engine does before it publishes. Printed: inputs per second with and without
//! the snapshot, median of `RUNS` runs.

use std::hint::black_box;
use std::time::Instant;

use deskphone_phone::{Action, CallId, IncomingCall, Key, Phone};
use deskphone_protocol::{CallQuality, EndReason};
use deskphone_settings::{SettingValues, keys};

const ROUNDS: u64 = 2_000;
const RUNS: usize = 9;

fn phone() -> Phone {
    let model = deskphone_settings::models::model("DP480C").expect("model");
    let mut settings = SettingValues::default();
    settings
        .apply(
            [
                (keys::user_name.wire(1).as_str(), "alice"),
                (keys::user_host.wire(1).as_str(), "pbx.example"),
                (keys::user_name.wire(2).as_str(), "bob"),
            ],
            "DP480C",
        )
        .expect("settings");
    Phone::new(model, settings, "127.0.0.1:5060".into())
}

/// One round; returns the number of inputs fed.
fn round(p: &mut Phone, t: u64, snapshot: bool) -> u64 {
    let mut inputs = 0u64;
    let mut step = |p: &mut Phone| {
        inputs += 1;
        if snapshot {
            black_box(p.snapshot(t));
        }
    };
    let (call, _) = p.incoming(
        IncomingCall {
            remote_uri: "sip:carol@pbx.example".into(),
            remote_name: "Carol".into(),
            request_uri: "sip:alice@127.0.0.1:5060".into(),
            alert_info: None,
        },
        t,
    );
    step(p);
    black_box(p.press(Key::OffHook, t).ok());
    step(p);
    p.connected(call, Some("PCMU".into()), t);
    step(p);
    p.dtmf_received(call, '5');
    step(p);
    p.media_quality(call, CallQuality::default());
    step(p);
    black_box(p.press(Key::Hold, t).ok());
    step(p);
    p.hold_result(call, true);
    step(p);
    black_box(p.press(Key::Hold, t).ok());
    step(p);
    p.hold_result(call, true);
    step(p);
    black_box(p.press(Key::OnHook, t).ok());
    step(p);
    p.ended(call, EndReason::LocalHangup, t + 1);
    step(p);
    for d in "1234".chars() {
        black_box(p.press(Key::Digit(d), t).ok());
        step(p);
    }
    let out = match p.press(Key::Enter, t).ok().as_deref() {
        Some([Action::Dial { call, .. }]) => *call,
        _ => CallId(0),
    };
    step(p);
    p.remote_ringing(out);
    step(p);
    p.connected(out, None, t);
    step(p);
    black_box(p.press(Key::OnHook, t).ok());
    step(p);
    p.ended(out, EndReason::LocalHangup, t + 2);
    step(p);
    inputs
}

fn measure(snapshot: bool) -> f64 {
    let mut rates: Vec<f64> = (0..RUNS)
        .map(|_| {
            let mut p = phone();
            let start = Instant::now();
            let mut inputs = 0;
            for r in 0..ROUNDS {
                inputs += round(&mut p, 1_700_000_000_000 + r * 10, snapshot);
            }
            inputs as f64 / start.elapsed().as_secs_f64()
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    rates[RUNS / 2]
}

fn main() {
    let bare = measure(false);
    let with_snapshot = measure(true);
    println!("phone state machine, median of {RUNS} runs of {ROUNDS} call rounds:");
    println!("  inputs/s without snapshots: {bare:.0}");
    println!("  inputs/s with a snapshot after each: {with_snapshot:.0}");
}
