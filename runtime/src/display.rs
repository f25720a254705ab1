//! The display engine draws the phone's screen at the model's resolution, keeps each
//! frame for `/screen.png` and `/screen.txt` and copies it to the framebuffer when one
//! is configured. Two engines draw the same Leptos components:
//!
//! - `native` (the default, [`native`]): the components render to HTML in-process and
//!   Blitz paints them; no browser is needed.
//! - `chromium` (for comparison, and the tests' reference engine): a headless
//!   Chromium renders `/phone`; after every state change it waits until the page
//!   shows that state (`data-seq`) and captures the frame.

pub mod native;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::page::CaptureScreenshotFormat;
use chromiumoxide::page::ScreenshotParams;
use deskphone_protocol::{DisplayEngineState, ShownSecret};
use tokio::sync::watch;

use crate::browser;
use crate::engine::{EngineHandle, now_ms};
use crate::framebuffer::Framebuffer;

/// One captured frame of the phone's screen.
#[derive(Debug)]
pub struct Frame {
    /// The state seq the page showed when captured.
    pub seq: u64,
    pub png: Bytes,
    /// Which screen the page shows (`idle`, `incoming`, …: `data-screen`).
    pub screen: String,
    /// The screen's visible text (`innerText`), for monitoring and tests.
    pub text: String,
    pub captured_at_ms: u64,
}

/// The latest frame, shared with the web server.
#[derive(Clone)]
pub struct FrameStore {
    latest: Arc<watch::Sender<Option<Arc<Frame>>>>,
}

impl Default for FrameStore {
    fn default() -> Self {
        FrameStore {
            latest: Arc::new(watch::channel(None).0),
        }
    }
}

impl FrameStore {
    pub fn latest(&self) -> Option<Arc<Frame>> {
        self.latest.borrow().clone()
    }

    /// Changes whenever a frame is stored.
    pub fn subscribe(&self) -> watch::Receiver<Option<Arc<Frame>>> {
        self.latest.subscribe()
    }

    fn put(&self, frame: Frame) {
        self.latest.send_replace(Some(Arc::new(frame)));
    }

    fn clear(&self) {
        self.latest.send_replace(None);
    }
}

/// Which engine draws the screen (`--display`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum DisplayChoice {
    /// The screen components rendered in-process and painted by Blitz; needs no browser.
    #[default]
    Native,
    /// Headless Chromium showing `/phone` (needs chromium; for comparison).
    Chromium,
}

pub struct DisplayConfig {
    pub engine: DisplayChoice,
    /// Browser binary (Chromium engine); `None` looks in the usual places.
    pub browser: Option<PathBuf>,
    /// The phone screen's URL on our own web server.
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub profile_dir: PathBuf,
    pub framebuffer: Option<Framebuffer>,
    /// The generated admin password while it is in use: only the phone's own screen
    /// shows it.
    pub generated_password: watch::Receiver<Option<ShownSecret>>,
}

/// How often the frame is refreshed without a state change (the clock).
const IDLE_REFRESH: Duration = Duration::from_secs(1);
/// How long the page may take to show a new state before we capture anyway.
const RENDER_TIMEOUT: Duration = Duration::from_secs(3);

/// Runs the chosen display engine for the life of the phone.
pub async fn run(config: DisplayConfig, engine: EngineHandle, frames: FrameStore) {
    match config.engine {
        DisplayChoice::Native => {
            native::run(
                config.width,
                config.height,
                config.framebuffer,
                engine,
                frames,
                config.generated_password,
            )
            .await
        }
        DisplayChoice::Chromium => run_chromium(config, engine, frames).await,
    }
}

/// The Chromium engine. Without a browser the phone runs on and says that its display
/// engine is off.
async fn run_chromium(config: DisplayConfig, engine: EngineHandle, frames: FrameStore) {
    let Some(executable) = browser::find_browser(config.browser.as_deref()) else {
        tracing::warn!(
            "display engine off: no browser engine found (install chromium or pass --browser)"
        );
        engine.set_display_engine(DisplayEngineState::Off).await;
        return;
    };
    // Held for the life of the task (and of the process): its end is the reaper's cue.
    let _reaper = match spawn_reaper(&config.profile_dir) {
        Ok(child) => Some(child),
        Err(e) => {
            tracing::warn!("no reaper for the display engine's browser: {e}");
            None
        }
    };
    loop {
        engine
            .set_display_engine(DisplayEngineState::Starting)
            .await;
        match drive(&config, &executable, &engine, &frames).await {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!("display engine stopped: {e}; restarting in 5 s");
                frames.clear();
                engine.set_display_engine(DisplayEngineState::Off).await;
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    }
}

async fn drive(
    config: &DisplayConfig,
    executable: &std::path::Path,
    engine: &EngineHandle,
    frames: &FrameStore,
) -> Result<(), String> {
    let headless =
        browser::launch(executable, config.width, config.height, &config.profile_dir).await?;
    let page = headless
        .browser
        .new_page(config.url.as_str())
        .await
        // Not the URL: its fragment holds the display token.
        .map_err(|e| format!("cannot open the phone page: {e}"))?;
    tracing::info!(
        "display engine: {} at {}x{}",
        executable.display(),
        config.width,
        config.height
    );
    let mut updates = engine.subscribe();
    let mut running = false;
    loop {
        let seq = updates.borrow_and_update().seq;
        let frame = capture(&page, seq).await?;
        if let Some(fb) = &config.framebuffer
            && let Err(e) = fb.write_png(&frame.png)
        {
            tracing::warn!("framebuffer {}: {e}", fb.path.display());
        }
        frames.put(frame);
        if !running {
            running = true;
            engine.set_display_engine(DisplayEngineState::Running).await;
            // That changed the state; the loop captures it next.
            continue;
        }
        tokio::select! {
            changed = updates.changed() => if changed.is_err() { return Ok(()) },
            () = tokio::time::sleep(IDLE_REFRESH) => {}
        }
    }
}

/// Waits until the page shows state `seq` (or a later one), then captures.
async fn capture(page: &Page, seq: u64) -> Result<Frame, String> {
    let started = Instant::now();
    let (shown, screen, text) = loop {
        let (shown, screen, text) = read_screen(page).await?;
        if shown >= seq || started.elapsed() > RENDER_TIMEOUT {
            break (shown, screen, text);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let png = page
        .screenshot(
            ScreenshotParams::builder()
                .format(CaptureScreenshotFormat::Png)
                .build(),
        )
        .await
        .map_err(|e| format!("screenshot failed: {e}"))?;
    Ok(Frame {
        seq: shown,
        png: Bytes::from(png),
        screen,
        text,
        captured_at_ms: now_ms(),
    })
}

/// The seq, screen name and text the page's screen element shows now.
async fn read_screen(page: &Page) -> Result<(u64, String, String), String> {
    const SCRIPT: &str = "(() => { const e = document.getElementById('phone-screen'); \
        return e ? [Number(e.dataset.seq || 0), e.dataset.screen || '', e.innerText] : [0, '', '']; })()";
    page.evaluate(SCRIPT)
        .await
        .map_err(|e| format!("cannot read the screen: {e}"))?
        .into_value::<(u64, String, String)>()
        .map_err(|e| format!("unexpected screen script result: {e}"))
}

/// The hidden first argument that makes `deskphone` the display engine's reaper.
pub const REAPER_ARG: &str = "--reap-browser-profile";

/// Starts the reaper: this program again, in its own process group (so that a Ctrl-C
/// or a kill of the phone's group does not end it first), reading a pipe from us. When
/// the phone ends in any way, SIGKILL included, the kernel closes the pipe and the
/// reaper kills every browser process of the profile. Chromium has no "die with the
/// parent" switch, and `PR_SET_PDEATHSIG` would need `unsafe` code in the child.
fn spawn_reaper(profile_dir: &std::path::Path) -> std::io::Result<std::process::Child> {
    use std::os::unix::process::CommandExt;
    std::process::Command::new(std::env::current_exe()?)
        .arg(REAPER_ARG)
        .arg(profile_dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .process_group(0)
        .spawn()
}

/// The reaper's work (see [`spawn_reaper`]): wait for the end of standard input, then
/// kill the processes whose command line names `--user-data-dir=<profile_dir>`.
///
/// On a reboot the phone re-executes itself and the pipe closes at that moment: the
/// reaper's scan runs right then, before the new start has a browser of its own.
pub fn reap(profile_dir: &std::path::Path) -> std::io::Result<()> {
    use std::io::Read;
    let mut sink = [0u8; 64];
    while std::io::stdin().read(&mut sink)? > 0 {}
    let marker = format!("--user-data-dir={}", profile_dir.display());
    for pid in processes_with_arg(&marker) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    Ok(())
}

/// Processes (other than this one) with `arg` among their command-line arguments.
pub fn processes_with_arg(arg: &str) -> Vec<i32> {
    let me = std::process::id() as i32;
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| pid != me)
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| c.split(|&b| b == 0).any(|a| a == arg.as_bytes()))
        })
        .collect()
}
