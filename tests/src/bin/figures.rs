//! Prints the runtime's figures, measured on this machine against a real
//! `deskphone`: idle RSS and key-press-to-frame latency. Run by `cargo xtask
//! figures`, which builds the release runtime and bundle (printing the
//! bundle's raw and gzipped sizes) and points `DESKPHONE_BIN` and
//! `DESKPHONE_UI_DIR` at them. Not a test: figures vary with the machine.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use deskphone_tests::{PhoneOptions, TestPhone};

fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .context("no VmRSS")
}

fn options(display: bool) -> PhoneOptions<'static> {
    PhoneOptions {
        user: "figures",
        display_name: "Figures",
        sim_input: "silence",
        display,
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    println!("== Runtime idle RSS (no browser engine) ==");
    {
        let phone = TestPhone::start("figures-rss", options(false)).await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        println!("deskphone idle: {} KiB RSS", rss_kib(phone.pid())?);
    }

    println!("\n== Key press to changed frame at /screen.png ==");
    let phone = TestPhone::start("figures-latency", options(true)).await?;
    phone
        .wait_for_screen("the idle screen", Duration::from_secs(60), |t| {
            t.contains("screen idle")
        })
        .await?;
    // Let the first frames settle.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut samples = Vec::new();
    for i in 0..30 {
        let (_, before) = phone.get("/screen.png").await?;
        let key = if i % 10 == 9 {
            "CANCEL".to_owned()
        } else {
            (i % 10).to_string()
        };
        let start = Instant::now();
        phone.key(&key).await?;
        loop {
            let (_, now) = phone.get("/screen.png").await?;
            if now != before {
                samples.push(start.elapsed());
                break;
            }
            if start.elapsed() > Duration::from_secs(5) {
                bail!("no new frame 5 s after key {key}");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{} presses: median {:.1} ms, min {:.1} ms, max {:.1} ms",
        samples.len(),
        ms(samples[samples.len() / 2]),
        ms(samples[0]),
        ms(samples[samples.len() - 1])
    );
    Ok(())
}
