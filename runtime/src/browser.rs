//! Starting a browser engine (headless Chromium through the DevTools
//! protocol) at a phone model's display size. Used by the display engine,
//! and by the end-to-end tests that drive the web UI.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::handler::viewport::Viewport;
use futures_util::StreamExt;
use tokio::task::JoinHandle;

/// Where Chromium is usually installed; the first that exists is used.
const CANDIDATES: &[&str] = &[
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
];

/// The browser to use: `explicit`, else `$DESKPHONE_BROWSER`, else the first
/// of the usual install paths that exists.
pub fn find_browser(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return p.exists().then(|| p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("DESKPHONE_BROWSER") {
        let p = PathBuf::from(p);
        return p.exists().then_some(p);
    }
    CANDIDATES.iter().map(PathBuf::from).find(|p| p.exists())
}

/// A running headless browser; the browser process ends on drop.
pub struct HeadlessBrowser {
    pub browser: Browser,
    handler: JoinHandle<()>,
}

impl Drop for HeadlessBrowser {
    fn drop(&mut self) {
        self.handler.abort();
    }
}

/// Launches `executable` headless with a viewport of `width`×`height` and a
/// fresh profile in `profile_dir`.
pub async fn launch(
    executable: &Path,
    width: u32,
    height: u32,
    profile_dir: &Path,
) -> Result<HeadlessBrowser, String> {
    let _ = std::fs::remove_dir_all(profile_dir);
    std::fs::create_dir_all(profile_dir).map_err(|e| e.to_string())?;
    let config = BrowserConfig::builder()
        .chrome_executable(executable)
        .no_sandbox()
        .window_size(width, height)
        .viewport(Viewport {
            width,
            height,
            device_scale_factor: Some(1.0),
            ..Viewport::default()
        })
        .user_data_dir(profile_dir)
        .launch_timeout(Duration::from_secs(30))
        .request_timeout(Duration::from_secs(10))
        // Without these Chromium reaches out to Google services, which a
        // phone must not do and this network refuses anyway.
        .args([
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--mute-audio",
        ])
        .build()?;
    let (browser, mut handler) = Browser::launch(config)
        .await
        .map_err(|e| format!("cannot start {}: {e}", executable.display()))?;
    let handler = tokio::spawn(async move {
        while let Some(event) = handler.next().await {
            if event.is_err() {
                // A message chromiumoxide does not know; keep going.
                continue;
            }
        }
    });
    Ok(HeadlessBrowser { browser, handler })
}
