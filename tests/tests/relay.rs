//! M1/M2 under a bad network: baresip speaks (espeak-ng, Debian) to the phone through
//! the test relay (`deskphone_tests::relay`), which delays every RTP packet by
//! 20–80 ms (so packets 20 ms apart are often reordered) and drops 3 % of them, by a
//! fixed seed. The phone's jitter buffer reorders, waits and conceals; its call state
//! reports the mean buffer delay and the share of concealed frames.
//!
//! Intelligibility is judged by the correlation of speech envelopes: the log energy of
//! 10 ms frames of what the phone recorded against the same of what baresip sent, at
//! the best lag. Speech intelligibility follows the preservation of the temporal
//! envelope (the premise of envelope-based measures such as STOI), and a frame-level
//! envelope tolerates the few ms of time shift a jitter buffer introduces, where a
//! sample-level correlation would not. The same measure is taken for a clean relay and
//! for a recording of other words; the threshold sits between them (see the test).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};
use deskphone_media::analysis::read_wav;
use deskphone_protocol::{CallPhase, CallQuality};
use deskphone_tests::relay::{Impairment, Relay, RelayStats, expect_media};
use deskphone_tests::{Baresip, BaresipOptions, PhoneOptions, TestPhone, require_tool};

const SIGNAL: Duration = Duration::from_secs(15);
const SENTENCE: &str = "The quick brown fox jumps over the lazy dog. \
    Seven silver swans swam silently seaward, past the harbour light.";
const OTHER: &str = "Please call me back tomorrow morning about the invoice number four two nine.";

/// The jitter profile: 20 ms plus up to 60 ms, 3 % loss, one seed.
pub const PROFILE: Impairment = Impairment {
    seed: 20_261_202,
    drop: 0.03,
    base_delay: Duration::from_millis(20),
    jitter: Duration::from_millis(60),
};

/// Speech at 8 kHz mono 16-bit (what `aufile` plays for PCMU), with 4 s of silence
/// after it so the file outlasts the call.
fn speech(dir: &Path, name: &str, text: &str) -> anyhow::Result<PathBuf> {
    let espeak = require_tool("espeak-ng", "espeak-ng")?;
    let sox = require_tool("sox", "sox")?;
    std::fs::create_dir_all(dir)?;
    let raw = dir.join(format!("{name}-22k.wav"));
    let out = dir.join(format!("{name}.wav"));
    let ok = Command::new(espeak)
        .args(["-s", "150", "-w"])
        .arg(&raw)
        .arg(text)
        .status()?
        .success();
    if !ok {
        bail!("espeak-ng failed");
    }
    let ok = Command::new(sox)
        .arg(&raw)
        .args(["-r", "8000", "-c", "1", "-b", "16"])
        .arg(&out)
        .args(["pad", "0", "4"])
        .status()?
        .success();
    if !ok {
        bail!("sox failed");
    }
    Ok(out)
}

/// Log energy of 10 ms frames.
fn envelope(samples: &[i16], rate: u32) -> Vec<f32> {
    let n = (rate / 100) as usize;
    samples
        .chunks_exact(n)
        .map(|f| {
            let e = f.iter().map(|&s| f32::from(s).powi(2)).sum::<f32>() / n as f32;
            (e + 100.0).log10()
        })
        .collect()
}

fn pearson(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    if n < 10 {
        return 0.0;
    }
    let (a, b) = (&a[..n], &b[..n]);
    let ma = a.iter().sum::<f32>() / n as f32;
    let mb = b.iter().sum::<f32>() / n as f32;
    let (mut cov, mut va, mut vb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        cov += (x - ma) * (y - mb);
        va += (x - ma).powi(2);
        vb += (y - mb).powi(2);
    }
    if va == 0.0 || vb == 0.0 {
        return 0.0;
    }
    cov / (va.sqrt() * vb.sqrt())
}

/// The best envelope correlation of `heard` against the first `span` frames of
/// `source`, over lags up to 2 s (the recording starts when playout starts), and the lag in ms.
fn intelligibility(source: &[i16], heard: &[i16], rate: u32) -> (f32, u32) {
    let s = envelope(source, rate);
    let h = envelope(heard, rate);
    // The spoken part: the file ends in 4 s of silence.
    let span = s.len().saturating_sub(400).min(h.len().saturating_sub(200));
    (0..200.min(h.len()))
        .map(|lag| (pearson(&s[..span], &h[lag..]), lag as u32 * 10))
        .fold((f32::MIN, 0), |best, c| if c.0 > best.0 { c } else { best })
}

struct Run {
    heard: (Vec<i16>, u32),
    quality: CallQuality,
    relay: RelayStats,
}

/// One call: the phone dials baresip through a relay with `impairment`; baresip plays
/// `source`; after 7 s the phone hangs up.
async fn call(name: &str, source: &Path, impairment: Impairment) -> anyhow::Result<Run> {
    let phone = TestPhone::start(
        &format!("{name}-phone"),
        PhoneOptions {
            user: "phone",
            display_name: "Phone",
            sim_input: "tone:1000",
            display: false,
        },
    )
    .await?;
    let mut bs = Baresip::start(
        name,
        BaresipOptions {
            user: "baresip",
            answermode: "auto",
            tone_hz: 600.0,
        },
    )
    .await?;
    std::fs::copy(source, bs.dir.join("tone.wav"))?;
    let relay = Relay::start(bs.sip, impairment).await?;
    phone.dial(&relay.uri("baresip")).await?;
    bs.wait_event("CALL_ESTABLISHED", SIGNAL).await?;
    phone
        .wait_for("the call through the relay", SIGNAL, |s| {
            s.calls.iter().any(|c| c.phase == CallPhase::Connected)
        })
        .await?;
    tokio::time::sleep(Duration::from_secs(7)).await;
    let quality = phone
        .wait_for("the jitter buffer's figures", SIGNAL, |s| {
            s.calls
                .first()
                .and_then(|c| c.quality)
                .is_some_and(|q| q.buffer_delay_ms > 0)
        })
        .await?
        .calls[0]
        .quality
        .context("quality")?;
    expect_media(&relay)?;
    phone.key("ONHOOK").await?;
    bs.wait_event("CALL_CLOSED", SIGNAL).await?;
    phone
        .wait_for("the call to end", SIGNAL, |s| s.calls.is_empty())
        .await?;
    let dir = phone.data_dir.join("recordings");
    let start = std::time::Instant::now();
    let heard = loop {
        let wav = std::fs::read_dir(&dir)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "wav"));
        if let Some(Ok(h)) = wav.as_deref().map(read_wav)
            && h.0.len() > 8000 * 5
        {
            break h;
        }
        if start.elapsed() > Duration::from_secs(5) {
            bail!("no recording of 5 s in {}", dir.display());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    Ok(Run {
        heard,
        quality,
        relay: relay.stats(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn speech_stays_intelligible_through_jitter_reordering_and_loss() -> anyhow::Result<()> {
    let dir = deskphone_tests::scratch_dir("relay-speech");
    let sentence = speech(&dir, "sentence", SENTENCE)?;
    let other = speech(&dir, "other", OTHER)?;
    let (source, rate) = read_wav(&sentence)?;
    let (other, _) = read_wav(&other)?;
    assert_eq!(rate, 8000);

    let clean = call("relay-clean", &sentence, Impairment::NONE).await?;
    let bad = call("relay-jitter", &sentence, PROFILE).await?;

    let (clean_corr, clean_lag) = intelligibility(&source, &clean.heard.0, rate);
    let (bad_corr, bad_lag) = intelligibility(&source, &bad.heard.0, rate);
    // The control: the same measure finds little in common between other words and
    // what the phone heard.
    let (control, _) = intelligibility(&other, &bad.heard.0, rate);
    eprintln!(
        "relay clean: envelope r = {clean_corr:.3} (lag {clean_lag} ms), buffer {} ms, concealed {} ‰, {:?}",
        clean.quality.buffer_delay_ms, clean.quality.concealed_permille, clean.relay
    );
    eprintln!(
        "relay {PROFILE:?}: envelope r = {bad_corr:.3} (lag {bad_lag} ms), buffer {} ms, concealed {} ‰, {:?}; other words r = {control:.3}",
        bad.quality.buffer_delay_ms, bad.quality.concealed_permille, bad.relay
    );
    // The profile happened: packets were dropped and reordered.
    assert!(
        bad.relay.dropped > 0 && bad.relay.reordered > 0,
        "{:?}",
        bad.relay
    );
    assert_eq!(clean.relay.dropped, 0);
    // The jitter buffer grew to absorb up to 60 ms of jitter and concealed what was
    // lost or too late, but not most of it.
    assert!(
        bad.quality.buffer_delay_ms >= clean.quality.buffer_delay_ms,
        "{:?}",
        bad.quality
    );
    assert!(bad.quality.concealed_permille > 0, "{:?}", bad.quality);
    assert!(bad.quality.concealed_permille < 150, "{:?}", bad.quality);
    assert!(
        clean_corr > 0.9,
        "a clean path keeps the envelope: r = {clean_corr}"
    );
    assert!(control < 0.5, "other words must not match: r = {control}");
    // Threshold: between the control (< 0.5) and the clean path (> 0.9), at 0.8 — the
    // speech envelope survives 3 % loss and 60 ms of jitter with its syllables in place.
    assert!(
        bad_corr > 0.8,
        "speech through the bad network: r = {bad_corr}"
    );
    Ok(())
}
