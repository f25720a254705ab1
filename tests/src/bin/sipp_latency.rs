//! Prints a figure, not a test: INVITE → 180 Ringing latency of a
//! `deskphone` and of baresip on the same machine, measured by SIPp (Debian's
//! `sip-tester`) running tests/sipp/invite_180_rtt.xml: INVITE, 100
//! (optional) and 180, then CANCEL, 200, 487 and ACK, so nobody has to
//! answer. Both peers ring and wait (baresip with `answermode=manual`).
//!
//! SIPp's own response times (`-trace_rtt`) have a resolution of 1 ms, too
//! coarse on loopback; the figure comes from the microsecond timestamps of
//! SIPp's message trace (`-trace_msg`): first INVITE sent to first 180
//! received, per Call-ID. SIPp's values are printed next to it.
//!
//! ```sh
//! cargo build --release -p deskphone-runtime && cargo xtask build-ui
//! cargo run -p deskphone-tests --bin sipp_latency [-- CALLS RATE LIMIT]
//! ```
//!
//! Uses `$DESKPHONE_BIN` if set, else target/release/deskphone.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use deskphone_tests::{
    Baresip, BaresipOptions, PhoneOptions, TestPhone, free_udp_port, require_tool, scratch_dir,
    workspace_root,
};

struct Run {
    calls: usize,
    rate: u32,
    limit: u32,
}

struct Figures {
    /// INVITE sent → 180 received, µs, from the message trace.
    micros: Vec<f64>,
    /// SIPp's response time 1, ms (1 ms resolution).
    sipp_ms: Vec<f64>,
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Seconds since midnight of a `YYYY-MM-DD HH:MM:SS.ffffff` stamp.
fn seconds_of_day(stamp: &str) -> Option<f64> {
    let time = stamp.split_whitespace().nth(1)?;
    let mut parts = time.split(':');
    let h: f64 = parts.next()?.parse().ok()?;
    let m: f64 = parts.next()?.parse().ok()?;
    let s: f64 = parts.next()?.parse().ok()?;
    Some(h * 3600.0 + m * 60.0 + s)
}

/// Per Call-ID: the first INVITE sent and the first 180 received, in µs.
fn invite_to_180(messages: &str) -> Vec<f64> {
    const SEPARATOR: &str = "-----------------------------------------------";
    let mut invites: HashMap<String, f64> = HashMap::new();
    let mut ringing: HashMap<String, f64> = HashMap::new();
    for block in messages.split(SEPARATOR).skip(1) {
        let mut lines = block.lines();
        let Some(stamp) = lines.next().and_then(seconds_of_day) else {
            continue;
        };
        let Some(direction) = lines.next() else {
            continue;
        };
        let sent = direction.contains("message sent");
        let mut lines = lines.skip_while(|l| l.trim().is_empty());
        let Some(first) = lines.next() else { continue };
        let Some(call_id) = lines.find_map(|l| {
            let (name, value) = l.split_once(':')?;
            (name.eq_ignore_ascii_case("call-id") || name == "i").then(|| value.trim().to_owned())
        }) else {
            continue;
        };
        if sent && first.starts_with("INVITE ") {
            invites.entry(call_id).or_insert(stamp);
        } else if !sent && first.starts_with("SIP/2.0 180") {
            ringing.entry(call_id).or_insert(stamp);
        }
    }
    invites
        .iter()
        .filter_map(|(id, sent)| {
            let mut d = ringing.get(id)? - sent;
            if d < 0.0 {
                d += 86_400.0; // across midnight
            }
            Some(d * 1e6)
        })
        .collect()
}

fn file_ending(dir: &Path, suffix: &str) -> anyhow::Result<PathBuf> {
    std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with(suffix))
        .with_context(|| format!("SIPp wrote no *{suffix} in {}", dir.display()))
}

async fn measure(name: &str, service: &str, target: &str, run: &Run) -> anyhow::Result<Figures> {
    let sipp = require_tool("sipp", "sip-tester")?;
    let scenario = workspace_root().join("tests/sipp/invite_180_rtt.xml");
    let dir = scratch_dir(&format!("sipp-latency-{name}"));
    let out = tokio::process::Command::new(sipp)
        .arg("-sf")
        .arg(&scenario)
        .args(["-s", service, "-i", "127.0.0.1"])
        .args(["-p", &free_udp_port().to_string()])
        .args(["-m", &run.calls.to_string()])
        .args(["-r", &run.rate.to_string(), "-l", &run.limit.to_string()])
        .args(["-trace_rtt", "-rtt_freq", "1", "-trace_msg", "-trace_err"])
        .args(["-timeout", "300s", "-timeout_error", "-nostdin"])
        .arg(target)
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .output()
        .await?;
    if !out.status.success() {
        let errors = file_ending(&dir, "_errors.log")
            .and_then(|p| Ok(std::fs::read_to_string(p)?))
            .unwrap_or_default();
        bail!(
            "SIPp against {name} failed ({}): {}\n{errors}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let messages = std::fs::read_to_string(file_ending(&dir, "_messages.log")?)?;
    let mut micros = invite_to_180(&messages);
    // -trace_rtt: "Date_ms;response_time_ms;rtd_no" per call.
    let rtt = std::fs::read_to_string(file_ending(&dir, "_rtt.csv")?)?;
    let mut sipp_ms: Vec<f64> = rtt
        .lines()
        .skip(1)
        .filter_map(|l| l.split(';').nth(1)?.trim().parse().ok())
        .collect();
    if micros.len() != run.calls || sipp_ms.len() != run.calls {
        bail!(
            "{name}: expected {} calls, got {} INVITE→180 pairs and {} SIPp response times (see {})",
            run.calls,
            micros.len(),
            sipp_ms.len(),
            dir.display()
        );
    }
    micros.sort_by(f64::total_cmp);
    sipp_ms.sort_by(f64::total_cmp);
    Ok(Figures { micros, sipp_ms })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // The figure is for the release runtime: without DESKPHONE_BIN, run
    // again with it pointing there (the helpers read it at start).
    deskphone_tests::run_with_release_runtime()?;
    let mut args = std::env::args().skip(1).map(|a| a.parse::<u32>());
    let run = Run {
        calls: args.next().transpose()?.unwrap_or(200) as usize,
        rate: args.next().transpose()?.unwrap_or(20),
        // One call at a time: the phone answers an INVITE that arrives
        // while another call exists with 486 Busy Here.
        limit: args.next().transpose()?.unwrap_or(1),
    };
    if run.calls == 0 || run.rate == 0 || run.limit == 0 {
        bail!("usage: sipp_latency [CALLS RATE LIMIT], each at least 1");
    }

    let phone = TestPhone::start(
        "sipp-latency-phone",
        PhoneOptions {
            user: "service",
            display_name: "Service",
            sim_input: "silence",
            display: false,
        },
    )
    .await?;
    let baresip = Baresip::start(
        "sipp-latency-baresip",
        BaresipOptions {
            user: "service",
            answermode: "manual",
            tone_hz: 600.0,
        },
    )
    .await?;
    // Let both settle (the phone's first state snapshot, baresip's modules).
    tokio::time::sleep(Duration::from_millis(500)).await;

    let bin = std::env::var("DESKPHONE_BIN").unwrap_or_default();
    let peers = [
        (
            format!("deskphone ({bin})"),
            measure("deskphone", "service", &phone.sip.to_string(), &run).await?,
        ),
        (
            format!("baresip {}", baresip.version()),
            measure("baresip", "service", &baresip.sip.to_string(), &run).await?,
        ),
    ];

    println!(
        "== INVITE → 180 Ringing on loopback: SIPp, {} calls at {}/s, at most {} at once ==",
        run.calls, run.rate, run.limit
    );
    println!(
        "{:<14} {:>10} {:>10} {:>10} {:>10}   SIPp rtd (1 ms steps) median / p95",
        "peer", "median", "p95", "min", "max"
    );
    for (label, f) in &peers {
        let short = label.split_whitespace().next().unwrap_or(label);
        println!(
            "{:<14} {:>7.0} µs {:>7.0} µs {:>7.0} µs {:>7.0} µs   {:.0} ms / {:.0} ms",
            short,
            percentile(&f.micros, 0.5),
            percentile(&f.micros, 0.95),
            f.micros[0],
            f.micros[f.micros.len() - 1],
            percentile(&f.sipp_ms, 0.5),
            percentile(&f.sipp_ms, 0.95),
        );
    }
    for (label, _) in &peers {
        println!("  {label}");
    }
    Ok(())
}
