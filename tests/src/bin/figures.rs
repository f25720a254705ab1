//! Prints the runtime's figures, measured on this machine against a real
//! `deskphone`: idle RSS, the web UI's first render in headless Chromium and
//! key-press-to-frame latency. Run by `cargo xtask figures`, which builds the
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
    let ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    println!("{} presses: {}", ms.len(), summary(ms));
    Ok(())
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
