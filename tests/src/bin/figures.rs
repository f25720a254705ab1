//! Prints the runtime's figures, measured on this machine against a real
//! `deskphone`: idle RSS, the web UI's first render in headless Chromium, and the
//! display engines side by side (native Blitz and Chromium, in the same run): start
//! to first frame, key press to framebuffer written (median, p99), the whole phone's
//! memory (the runtime and every process it started) and its CPU while idle
//! (`FIGURES_IDLE_SECS`, default 60). Run by `cargo xtask figures`, which builds the
//! release runtime and bundle (printing the bundle's raw and gzipped sizes)
//! and points `DESKPHONE_BIN` and `DESKPHONE_UI_DIR` at them. Not a test:
//! figures vary with the machine.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chromiumoxide::cdp::browser_protocol::page::AddScriptToEvaluateOnNewDocumentParams;
use deskphone_tests::{
    ADMIN_PASSWORD, ADMIN_USER, PhoneOptions, TestBrowser, TestPhone, log_in, wait_js,
};

/// Page loads of the web UI measured (after one that logs in).
const RENDERS: usize = 20;

/// Runs in every new page before its own scripts: notes `performance.now()` (ms since
/// the navigation started) when the status page's identity table first exists, which
/// needs the bundle loaded, the session checked, the WebSocket's snapshot received and
/// rendered.
const RENDER_PROBE: &str = "window.__firstRender = null;     new MutationObserver((_, o) => {       if (document.querySelector('#status-identities')) {         window.__firstRender = performance.now(); o.disconnect(); }     }).observe(document, { childList: true, subtree: true });";

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

    println!("\n== First render of the web UI (headless Chromium, loopback) ==");
    web_first_render().await?;

    println!("\n== Display engines side by side (same run, same machine) ==");
    let idle = std::env::var("FIGURES_IDLE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let mut rows = Vec::new();
    for engine in ["native", "chromium"] {
        rows.push(display_figures(engine, Duration::from_secs(idle)).await?);
    }
    println!("{:<34} {:>14} {:>14}", "", rows[0].engine, rows[1].engine);
    let line = |what: &str, f: &dyn Fn(&EngineFigures) -> String| {
        println!("{what:<34} {:>14} {:>14}", f(&rows[0]), f(&rows[1]));
    };
    line("start to first frame", &|r| {
        format!("{:.0} ms", r.first_frame_ms)
    });
    line("key to framebuffer, median", &|r| {
        format!("{:.1} ms", r.key_median_ms)
    });
    line("key to framebuffer, p99", &|r| {
        format!("{:.1} ms", r.key_p99_ms)
    });
    line("processes", &|r| r.processes.to_string());
    line("RSS, whole phone (summed)", &|r| {
        format!("{} MB", r.rss_kib / 1024)
    });
    line("PSS, whole phone", &|r| format!("{} MB", r.pss_kib / 1024));
    line(&format!("idle CPU over {idle} s"), &|r| {
        format!("{:.2} %", r.idle_cpu_percent)
    });
    Ok(())
}

/// What one display engine costs, measured on a phone with a framebuffer file.
struct EngineFigures {
    engine: &'static str,
    first_frame_ms: f64,
    key_median_ms: f64,
    key_p99_ms: f64,
    processes: usize,
    rss_kib: u64,
    pss_kib: u64,
    idle_cpu_percent: f64,
}

async fn display_figures(engine: &'static str, idle: Duration) -> anyhow::Result<EngineFigures> {
    let fb = deskphone_tests::scratch_dir(&format!("figures-fb-{engine}")).join("fb0");
    let fb_arg = fb.to_string_lossy().into_owned();
    let started = Instant::now();
    let phone = TestPhone::start_with(
        &format!("figures-{engine}"),
        options(true),
        &["--display", engine, "--framebuffer", &fb_arg],
    )
    .await?;
    phone
        .wait_for_screen("the first frame", Duration::from_secs(60), |t| {
            t.contains("screen idle")
        })
        .await?;
    let first_frame_ms = started.elapsed().as_secs_f64() * 1000.0;
    // Let the first frames settle (the engine reports itself running, fonts load).
    tokio::time::sleep(Duration::from_secs(2)).await;

    // Key press to the framebuffer holding a different picture.
    let mut samples = Vec::new();
    for i in 0..60 {
        let before = std::fs::read(&fb)?;
        let key = if i % 10 == 9 {
            "CANCEL".to_owned()
        } else {
            (i % 10).to_string()
        };
        let start = Instant::now();
        phone.key(&key).await?;
        loop {
            if std::fs::read(&fb)? != before {
                samples.push(start.elapsed().as_secs_f64() * 1000.0);
                break;
            }
            if start.elapsed() > Duration::from_secs(5) {
                bail!("{engine}: the framebuffer did not change 5 s after key {key}");
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    samples.sort_by(f64::total_cmp);
    let pick = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];

    // Idle: nothing pressed, nothing calling; the clock ticks.
    let tree = process_tree(phone.pid());
    let cpu_before = cpu_ticks(&tree);
    let idle_start = Instant::now();
    tokio::time::sleep(idle).await;
    let tree = process_tree(phone.pid());
    let cpu_after = cpu_ticks(&tree);
    let ticks_per_s = 100.0; // USER_HZ on Linux
    let idle_cpu_percent = (cpu_after.saturating_sub(cpu_before) as f64 / ticks_per_s)
        / idle_start.elapsed().as_secs_f64()
        * 100.0;
    let (rss_kib, pss_kib) = tree.iter().fold((0, 0), |(r, p), pid| {
        (r + status_kib(*pid, "VmRSS:"), p + pss_kib(*pid))
    });
    Ok(EngineFigures {
        engine,
        first_frame_ms,
        key_median_ms: pick(0.5),
        key_p99_ms: pick(0.99),
        processes: tree.len(),
        rss_kib,
        pss_kib,
        idle_cpu_percent,
    })
}

/// `pid` and every process descended from it (the phone and what it started).
fn process_tree(pid: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
                .filter_map(|p| {
                    let stat = std::fs::read_to_string(format!("/proc/{p}/stat")).ok()?;
                    // The command name may hold spaces: fields start after its ')'.
                    let rest = stat.rsplit_once(')')?.1;
                    let ppid = rest.split_whitespace().nth(1)?.parse().ok()?;
                    Some((p, ppid))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut tree = vec![pid];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            parents
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    tree
}

/// User and system CPU ticks of the processes, summed (children that ended not counted).
fn cpu_ticks(pids: &[u32]) -> u64 {
    pids.iter()
        .filter_map(|p| {
            let stat = std::fs::read_to_string(format!("/proc/{p}/stat")).ok()?;
            let rest: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
            // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name.
            Some(rest.get(11)?.parse::<u64>().ok()? + rest.get(12)?.parse::<u64>().ok()?)
        })
        .sum()
}

fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Pss:"))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

/// Median, min and max of `ms`.
fn summary(mut ms: Vec<f64>) -> String {
    ms.sort_by(f64::total_cmp);
    format!(
        "median {:.1} ms, min {:.1} ms, max {:.1} ms",
        ms[ms.len() / 2],
        ms[0],
        ms[ms.len() - 1]
    )
}

/// Opens `/` in a fresh page [`RENDERS`] times with the session cookie already set
/// (logged in once through the form in the same browser) and measures from the
/// navigation's start until the status page shows the phone's state.
async fn web_first_render() -> anyhow::Result<()> {
    let phone = TestPhone::start("figures-web", options(false)).await?;
    let browser = TestBrowser::launch("figures-web-browser", 1280, 800).await?;
    let url = format!("http://{}/", phone.http);
    let first = browser.headless.browser.new_page(url.as_str()).await?;
    log_in(&first, ADMIN_USER, ADMIN_PASSWORD).await?;
    wait_js(
        &first,
        "the status page after logging in",
        "!!document.querySelector('#status-identities')",
    )
    .await?;
    first.close().await?;
    let mut samples = Vec::new();
    for _ in 0..RENDERS {
        let page = browser.headless.browser.new_page("about:blank").await?;
        page.evaluate_on_new_document(AddScriptToEvaluateOnNewDocumentParams::new(RENDER_PROBE))
            .await?;
        page.goto(url.as_str()).await?;
        wait_js(
            &page,
            "the status page",
            "typeof window.__firstRender === 'number'",
        )
        .await?;
        let ms = page
            .evaluate("window.__firstRender")
            .await?
            .into_value::<f64>()?;
        samples.push(ms);
        page.close().await?;
    }
    println!("{RENDERS} loads of / with a session: {}", summary(samples));
    Ok(())
}
