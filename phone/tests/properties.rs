//! Property tests: random sequences of keys, SIP events and timer firings never bring
//! the phone into an inconsistent state (`Phone::inconsistency`: two active calls, a
//! line lamp saying "held" or "ringing" with no such call, a call twice in the history,
//! a transfer to nobody, …), and every action names a call the phone knows.

use deskphone_phone::{Action, CallId, IncomingCall, Key, Phone};
use deskphone_protocol::EndReason;
use deskphone_settings::{SettingValues, keys};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Input {
    Key(Key),
    LongKey(Key),
    /// A caller (of a few) calls identity 1..=3.
    Incoming {
        caller: u8,
        identity: u8,
    },
    /// SIP events for the n-th call the phone has (modulo their number).
    Ringback(u8),
    Connected(u8),
    Ending(u8),
    Ended(u8, u8),
    HoldResult(u8, bool),
    TransferProgress(u8, u16, bool),
    Referred(u8),
    Replacing(u8),
    DialFailed(u8),
    Dial(u8),
    Dtmf(String),
    /// Time passes by this many seconds; due timers fire.
    Tick(u8),
    Block(u8),
    ReleaseAll,
}

fn key() -> impl Strategy<Value = Key> {
    prop_oneof![
        (0u8..12).prop_map(|d| Key::Digit(b"0123456789*#"[d as usize] as char)),
        Just(Key::Enter),
        Just(Key::Cancel),
        Just(Key::OffHook),
        Just(Key::OnHook),
        Just(Key::Up),
        Just(Key::Down),
        Just(Key::Left),
        Just(Key::Right),
        Just(Key::VolumeUp),
        Just(Key::VolumeDown),
        Just(Key::Redial),
        Just(Key::Dnd),
        Just(Key::Speaker),
        Just(Key::Headset),
        Just(Key::Mute),
        Just(Key::Transfer),
        Just(Key::Hold),
        Just(Key::Disconnect),
        (1u8..=4).prop_map(Key::Soft),
        (1u16..=12).prop_map(Key::Function),
    ]
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        6 => key().prop_map(Input::Key),
        1 => key().prop_map(Input::LongKey),
        3 => (0u8..4, 1u8..=3).prop_map(|(caller, identity)| Input::Incoming { caller, identity }),
        1 => any::<u8>().prop_map(Input::Ringback),
        3 => any::<u8>().prop_map(Input::Connected),
        1 => any::<u8>().prop_map(Input::Ending),
        2 => (any::<u8>(), 0u8..8).prop_map(|(c, r)| Input::Ended(c, r)),
        2 => (any::<u8>(), any::<bool>()).prop_map(|(c, a)| Input::HoldResult(c, a)),
        1 => (any::<u8>(), prop_oneof![Just(100u16), Just(200), Just(503)], any::<bool>())
            .prop_map(|(c, code, done)| Input::TransferProgress(c, code, done)),
        1 => any::<u8>().prop_map(Input::Referred),
        1 => any::<u8>().prop_map(Input::Replacing),
        1 => any::<u8>().prop_map(Input::DialFailed),
        1 => (0u8..4).prop_map(Input::Dial),
        1 => "[0-9#*x]{0,3}".prop_map(Input::Dtmf),
        1 => (0u8..30).prop_map(Input::Tick),
        1 => (0u8..4).prop_map(Input::Block),
        1 => Just(Input::ReleaseAll),
    ]
}

fn settings() -> impl Strategy<Value = Vec<(String, String)>> {
    let pick = |list: &'static [&'static str]| proptest::sample::select(list);
    (
        pick(&["off", "on", "always"]),
        pick(&["on", "off"]),
        pick(&["none", "all", "busy", "time", "busy_time"]),
        pick(&["on", "off"]),
        pick(&["on", "off"]),
        pick(&["on", "off"]),
        pick(&[
            "line",
            "blf sip:bob@127.0.0.1",
            "speed 100",
            "keyevent F_REDIAL",
        ]),
    )
        .prop_map(
            |(join, lifo, redirect, waiting, dnd_mute, long_cancel, fkey3)| {
                [
                    (keys::call_join_xfer.wire().to_owned(), join),
                    (keys::xfer_dest_order_lifo.wire().to_owned(), lifo),
                    (keys::redirect_event.wire().to_owned(), redirect),
                    (keys::redirect_number.wire().to_owned(), "sip:fwd@127.0.0.1"),
                    (keys::redirect_busy.wire().to_owned(), "sip:busy@127.0.0.1"),
                    (
                        keys::redirect_time_number.wire().to_owned(),
                        "sip:na@127.0.0.1",
                    ),
                    (keys::redirect_time.wire().to_owned(), "5"),
                    (keys::call_waiting.wire().to_owned(), waiting),
                    (keys::mute_is_dnd_in_idle.wire().to_owned(), dnd_mute),
                    (
                        keys::long_cancel_is_blocking_caller.wire().to_owned(),
                        long_cancel,
                    ),
                    (keys::fkey.wire(3), fkey3),
                ]
                .into_iter()
                .map(|(k, v)| (k, v.to_owned()))
                .collect()
            },
        )
}

fn phone(extra: &[(String, String)]) -> Phone {
    let model = deskphone_settings::models::model("DP480C").unwrap();
    let mut settings = SettingValues::default();
    let base = [
        (keys::user_name.wire(1), "alice"),
        (keys::user_host.wire(1), "127.0.0.1"),
        (keys::user_name.wire(2), "bob"),
        (keys::user_name.wire(3), "carol"),
        (keys::fkey.wire(1), "line"),
        (keys::fkey.wire(2), "line"),
    ];
    settings
        .apply(base.iter().map(|(k, v)| (k.as_str(), *v)), "DP480C")
        .unwrap();
    settings
        .apply(
            extra.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            "DP480C",
        )
        .unwrap();
    Phone::new(model, settings, "127.0.0.1:5060".into())
}

const REASONS: [EndReason; 8] = [
    EndReason::LocalHangup,
    EndReason::RemoteHangup,
    EndReason::Cancelled,
    EndReason::AnsweredElsewhere,
    EndReason::Rejected,
    EndReason::Busy,
    EndReason::Failed,
    EndReason::Timeout,
];

fn nth(p: &Phone, n: u8) -> Option<CallId> {
    let calls: Vec<CallId> = p.calls().collect();
    (!calls.is_empty()).then(|| calls[n as usize % calls.len()])
}

/// Every action names a call the phone has (or one it just created or turned away).
fn check_actions(p: &Phone, actions: &[Action], fresh: Option<CallId>) -> Result<(), String> {
    let known = |id: CallId| Some(id) == fresh || p.calls().any(|c| c == id);
    for a in actions {
        let ok = match a {
            Action::Dial { call, target, .. } => known(*call) && !target.is_empty(),
            Action::Answer(c)
            | Action::Ring(c)
            | Action::Reject(c, _)
            | Action::Hangup(c)
            | Action::Hold(c)
            | Action::Resume(c)
            | Action::Mute { call: c, .. }
            | Action::Dtmf { call: c, .. } => known(*c),
            Action::Redirect { call, target } | Action::Transfer { call, target } => {
                known(*call) && !target.is_empty()
            }
            Action::TransferReplacing { call, consultation } => {
                call != consultation && known(*call) && known(*consultation)
            }
            Action::SaveSettings | Action::Reregister(_) => true,
        };
        if !ok {
            return Err(format!("{a:?} names no call the phone has"));
        }
    }
    Ok(())
}

fn feed(p: &mut Phone, input: &Input, now: &mut u64) -> Result<(), String> {
    let t = *now;
    let (actions, fresh) = match input {
        Input::Key(k) => (p.press(*k, t).unwrap_or_default(), None),
        Input::LongKey(k) => (p.long_press(*k, t).unwrap_or_default(), None),
        Input::Incoming { caller, identity } => {
            let user = ["alice", "bob", "carol"][usize::from(*identity - 1)];
            let (id, actions) = p.incoming(
                IncomingCall {
                    remote_uri: format!("sip:caller{caller}@127.0.0.2"),
                    remote_name: String::new(),
                    request_uri: format!("sip:{user}@127.0.0.1:5060"),
                    alert_info: None,
                },
                t,
            );
            (actions, Some(id))
        }
        Input::Ringback(n) => {
            if let Some(c) = nth(p, *n) {
                p.remote_ringing(c);
            }
            (vec![], None)
        }
        Input::Connected(n) => {
            if let Some(c) = nth(p, *n) {
                p.connected(c, Some("PCMU".into()), t);
            }
            (vec![], None)
        }
        Input::Ending(n) => {
            if let Some(c) = nth(p, *n) {
                p.ending(c);
            }
            (vec![], None)
        }
        Input::Ended(n, r) => {
            if let Some(c) = nth(p, *n) {
                p.ended(c, REASONS[usize::from(*r) % REASONS.len()], t);
            }
            (vec![], None)
        }
        Input::HoldResult(n, agreed) => {
            if let Some(c) = nth(p, *n) {
                p.hold_result(c, *agreed);
            }
            (vec![], None)
        }
        Input::TransferProgress(n, code, done) => {
            if let Some(c) = nth(p, *n) {
                p.transfer_progress(c, *code, *done);
            }
            (vec![], None)
        }
        Input::Referred(n) => match nth(p, *n) {
            Some(c) => {
                let id = p.referred(c, "sip:x@127.0.0.3".into(), t).map(|(id, _)| id);
                (vec![], id)
            }
            None => (vec![], None),
        },
        Input::Replacing(n) => match nth(p, *n) {
            Some(c) => {
                let (id, actions) = p.replacing(c, "sip:r@127.0.0.4".into(), String::new(), t);
                (actions, Some(id))
            }
            None => (vec![], None),
        },
        Input::DialFailed(n) => {
            if let Some(c) = nth(p, *n) {
                p.dial_failed(c);
            }
            (vec![], None)
        }
        Input::Dial(n) => (
            p.dial_number(&format!("sip:d{n}@127.0.0.5"), None, t)
                .unwrap_or_default(),
            None,
        ),
        Input::Dtmf(d) => (p.send_dtmf(d).unwrap_or_default(), None),
        Input::Tick(s) => {
            *now += u64::from(*s) * 1000;
            (p.timer(*now), None)
        }
        Input::Block(c) => {
            let _ = p.block(&format!("sip:caller{c}@127.0.0.2"));
            (vec![], None)
        }
        Input::ReleaseAll => (p.release_all_calls(), None),
    };
    check_actions(p, &actions, fresh)?;
    *now += 10;
    Ok(())
}

proptest! {
    // A fixed seed keeps the suite deterministic; `PHONE_PROPTEST_SEED=<n>` explores
    // other sequences (a failure found that way is saved in properties.proptest-regressions).
    #![proptest_config(ProptestConfig {
        cases: 256,
        rng_seed: proptest::test_runner::RngSeed::Fixed(
            std::env::var("PHONE_PROPTEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20261202),
        ),
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_sequence_of_inputs_makes_the_state_inconsistent(
        extra in settings(),
        inputs in proptest::collection::vec(input(), 1..120),
    ) {
        let mut p = phone(&extra);
        let mut now = 1_700_000_000_000u64;
        for (i, input) in inputs.iter().enumerate() {
            if let Err(e) = feed(&mut p, input, &mut now) {
                prop_assert!(false, "after input {i} {input:?}: {e}");
            }
            if let Some(bad) = p.inconsistency() {
                prop_assert!(false, "after input {i} {input:?}: {bad}");
            }
        }
        // The snapshot is a state the UIs can read back.
        let s = p.snapshot(now);
        let json = serde_json::to_string(&s).unwrap();
        prop_assert_eq!(serde_json::from_str::<deskphone_protocol::PhoneState>(&json).unwrap(), s);
    }
}
