//! Prints figures, not a test: the media engine next to baresip (Debian) in the same
//! run, on loopback.
//!
//! - CPU per call per codec: a 10 s call phone → baresip in each codec; the CPU time
//!   (utime + stime from /proc) each process used during the call, less what it used
//!   idle over as long, as a percentage of one core. Encoding and decoding dominate
//!   this; RTP, RTCP and the jitter buffer are in it too.
//! - RSS per active call: each process's resident set in the call less idle.
//! - The phone's own one-way delay on loopback at 20 ms frames: capture → RTP out is the
//!   20 ms frame it must gather plus its encoding time (timed here with the phone's own
//!   codecs); RTP in → playout is the jitter buffer's measured mean delay.
//! - The jitter buffer's delay and concealment under the seeded profile of
//!   `tests/tests/relay.rs` (20–80 ms delay, 3 % loss), speech from baresip through the
//!   relay; baresip's buffer is its configured `jitter_buffer_delay` (it reports none).
//!
//! ```sh
//! cargo build --release -p deskphone-runtime && cargo xtask build-ui
//! cargo run -p deskphone-tests --bin media_figures
//! ```
//!
//! Uses `$DESKPHONE_BIN` if set, else target/release/deskphone.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use deskphone_media::Codec;
use deskphone_protocol::CallPhase;
use deskphone_tests::relay::{Impairment, Relay};
use deskphone_tests::{Baresip, BaresipOptions, PhoneOptions, TestPhone};

const SIGNAL: Duration = Duration::from_secs(15);
const CALL: Duration = Duration::from_secs(10);

/// (codec id, baresip's name for it, rate, channels)
const CODECS: &[(&str, &str, u32, u16)] = &[
    ("pcmu", "PCMU/8000/1", 8000, 1),
    ("pcma", "PCMA/8000/1", 8000, 1),
    ("g722", "G722/16000/1", 16_000, 1),
    ("opus", "opus/48000/2", 48_000, 2),
];

/// The relay profile of tests/tests/relay.rs.
const PROFILE: Impairment = Impairment {
    seed: 20_261_202,
    drop: 0.03,
    base_delay: Duration::from_millis(20),
    jitter: Duration::from_millis(60),
};

fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse().ok())
        .unwrap_or(100.0)
}

/// utime + stime of `pid`, in seconds.
fn cpu_seconds(pid: u32) -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name may hold spaces; fields resume after its closing parenthesis.
    let rest = &stat[stat.rfind(')').context("bad /proc stat")? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of stat(5), 12 and 13 after the name.
    let ticks: f64 = fields[11].parse::<f64>()? + fields[12].parse::<f64>()?;
    Ok(ticks / clock_ticks())
}

fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .context("no VmRSS")
}

/// Percent of one core `pid` used over `span`.
async fn cpu_over(pids: [u32; 2], span: Duration) -> anyhow::Result<[f64; 2]> {
    let before = [cpu_seconds(pids[0])?, cpu_seconds(pids[1])?];
    let start = Instant::now();
    tokio::time::sleep(span).await;
    let secs = start.elapsed().as_secs_f64();
    Ok([
        (cpu_seconds(pids[0])? - before[0]) / secs * 100.0,
        (cpu_seconds(pids[1])? - before[1]) / secs * 100.0,
    ])
}

fn tone_wav(path: &Path, rate: u32, channels: u16) -> anyhow::Result<()> {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec)?;
    for n in 0..rate * 30 {
        let x = (std::f32::consts::TAU * 600.0 * n as f32 / rate as f32).sin();
        for _ in 0..channels {
            w.write_sample((0.5 * 32767.0 * x) as i16)?;
        }
    }
    w.finalize()?;
    Ok(())
}

async fn phone(name: &str, codec: &str) -> anyhow::Result<TestPhone> {
    TestPhone::start_with(
        name,
        PhoneOptions {
            user: "phone",
            display_name: "Phone",
            sim_input: "tone:1000",
            display: false,
        },
        &["--set", &format!("codec_priority_list={codec}")],
    )
    .await
}

async fn baresip(name: &str) -> anyhow::Result<Baresip> {
    Baresip::start(
        name,
        BaresipOptions {
            user: "baresip",
            answermode: "auto",
            tone_hz: 600.0,
        },
    )
    .await
}

struct CallFigures {
    cpu: [f64; 2],
    rss_kib: [i64; 2],
}

/// One call in `codec` from the phone to baresip: CPU and RSS, phone and baresip.
async fn codec_call(id: &str, sdp: &str, rate: u32, channels: u16) -> anyhow::Result<CallFigures> {
    let phone = phone(&format!("media-figures-{id}-phone"), id).await?;
    let mut bs = baresip(&format!("media-figures-{id}")).await?;
    for module in ["g722", "opus"] {
        bs.command("insmod", Some(module)).await?;
    }
    tone_wav(&bs.dir.join("tone.wav"), rate, channels)?;
    bs.command(
        "uanew",
        Some(&format!(
            "<sip:only@127.0.0.1>;regint=0;answermode=auto;audio_codecs={sdp}"
        )),
    )
    .await?;
    let pids = [phone.pid(), bs.pid()];
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = cpu_over(pids, CALL).await?;
    let idle_rss = [rss_kib(pids[0])?, rss_kib(pids[1])?];
    phone.dial(&format!("sip:only@{}", bs.sip)).await?;
    bs.wait_event("CALL_ESTABLISHED", SIGNAL).await?;
    let state = phone
        .wait_for("the call", SIGNAL, |s| {
            s.calls.iter().any(|c| c.phase == CallPhase::Connected)
        })
        .await?;
    let codec = state.calls[0].codec.clone().unwrap_or_default();
    if !codec.eq_ignore_ascii_case(id) {
        bail!("{id}: the call runs in {codec}");
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let busy = cpu_over(pids, CALL).await?;
    let call_rss = [rss_kib(pids[0])?, rss_kib(pids[1])?];
    phone.key("ONHOOK").await?;
    bs.wait_event("CALL_CLOSED", SIGNAL).await?;
    Ok(CallFigures {
        cpu: [busy[0] - idle[0], busy[1] - idle[1]],
        rss_kib: [
            call_rss[0] as i64 - idle_rss[0] as i64,
            call_rss[1] as i64 - idle_rss[1] as i64,
        ],
    })
}

/// Encoding time of one 20 ms frame in each codec, this process, µs (median of 500).
fn encode_micros(id: &str) -> anyhow::Result<f64> {
    let codec = Codec::by_id(id).context("codec")?;
    let n = codec.frame_samples(20);
    let frame: Vec<i16> = (0..n)
        .map(|i| (8000.0 * (i as f32 * 0.13).sin()) as i16)
        .collect();
    let mut encoder = codec.encoder();
    let mut out = Vec::new();
    let mut times: Vec<f64> = (0..500)
        .map(|_| {
            out.clear();
            let t = Instant::now();
            encoder.encode(&frame, &mut out);
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// Through the relay with the seeded profile, PCMU: the phone's buffer delay and
/// concealed share.
async fn jitter_call() -> anyhow::Result<(u32, u32, u32)> {
    let phone = phone("media-figures-jitter-phone", "pcmu").await?;
    let mut bs = baresip("media-figures-jitter").await?;
    let relay = Relay::start(bs.sip, PROFILE).await?;
    phone.dial(&relay.uri("baresip")).await?;
    bs.wait_event("CALL_ESTABLISHED", SIGNAL).await?;
    tokio::time::sleep(Duration::from_secs(8)).await;
    let state = phone
        .wait_for("the buffer's figures", SIGNAL, |s| {
            s.calls
                .first()
                .and_then(|c| c.quality)
                .is_some_and(|q| q.buffer_delay_ms > 0)
        })
        .await?;
    let q = state.calls[0].quality.context("quality")?;
    phone.key("ONHOOK").await?;
    bs.wait_event("CALL_CLOSED", SIGNAL).await?;
    let clean = {
        // The same without impairment, for the buffer's floor.
        let phone = phone_clean().await?;
        let mut bs = baresip("media-figures-clean").await?;
        let relay = Relay::start(bs.sip, Impairment::NONE).await?;
        phone.dial(&relay.uri("baresip")).await?;
        bs.wait_event("CALL_ESTABLISHED", SIGNAL).await?;
        tokio::time::sleep(Duration::from_secs(8)).await;
        let state = phone
            .wait_for("the buffer's figures", SIGNAL, |s| {
                s.calls
                    .first()
                    .and_then(|c| c.quality)
                    .is_some_and(|q| q.buffer_delay_ms > 0)
            })
            .await?;
        phone.key("ONHOOK").await?;
        bs.wait_event("CALL_CLOSED", SIGNAL).await?;
        state.calls[0].quality.context("quality")?.buffer_delay_ms
    };
    Ok((q.buffer_delay_ms, q.concealed_permille, clean))
}

async fn phone_clean() -> anyhow::Result<TestPhone> {
    phone("media-figures-clean-phone", "pcmu").await
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // The figures are for the release runtime: without DESKPHONE_BIN, run again with
    // it pointing there (the helpers read it at start).
    deskphone_tests::run_with_release_runtime()?;
    println!(
        "media figures: phone {} vs baresip, loopback, {} s calls",
        std::env::var("DESKPHONE_BIN").unwrap_or_default(),
        CALL.as_secs()
    );
    println!(
        "{:<6} {:>16} {:>16} {:>16} {:>16} {:>14}",
        "codec", "CPU phone %", "CPU baresip %", "RSS phone KiB", "RSS baresip KiB", "encode µs"
    );
    for &(id, sdp, rate, channels) in CODECS {
        let f = codec_call(id, sdp, rate, channels).await?;
        println!(
            "{:<6} {:>16.2} {:>16.2} {:>16} {:>16} {:>14.1}",
            id,
            f.cpu[0],
            f.cpu[1],
            f.rss_kib[0],
            f.rss_kib[1],
            encode_micros(id)?
        );
    }
    let (delay, concealed, clean) = jitter_call().await?;
    println!(
        "jitter buffer, seeded profile {:?}: phone {delay} ms mean ({clean} ms on a clean path), {concealed} ‰ concealed; baresip: its configured jitter_buffer_delay 5-10 frames (100-200 ms), not reported",
        PROFILE
    );
    println!(
        "phone one-way contribution at 20 ms frames: capture → RTP out 20 ms frame + {:.2} ms PCMU encoding; RTP in → playout {clean} ms (clean), {delay} ms (profile)",
        encode_micros("pcmu")? / 1000.0
    );
    Ok(())
}
