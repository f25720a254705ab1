//! The provisioning task: when to fetch (start, check-sync, polling, by hand), the chain
//! of files (`<setting-files>`), and the outcome in the state.

use std::time::Duration;

use deskphone_protocol::{
    ProvisioningOutcome, ProvisioningResult, ProvisioningState, QueuedUpload,
};
use deskphone_provisioning::ProvisioningError;
use deskphone_settings::{SettingValues, keys};
use tokio::sync::mpsc;

use super::fetch::{FetchConfig, FetchError, Fetcher, Timeouts};
use super::schedule::Polling;
use crate::engine::{EngineHandle, ProvisionedFile, now_ms};

/// Files one run reads at most: the first and those it names, and theirs.
pub const MAX_FILES: usize = 20;
/// How deep `<setting-files>` may nest.
pub const MAX_DEPTH: usize = 3;

/// Why a run started; only for the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    Start,
    CheckSync,
    Poll,
    Manual,
}

/// Asks the provisioning task for a run now (the web UI's button, `POST /api/provisioning`).
#[derive(Clone)]
pub struct ProvisioningHandle {
    manual: mpsc::Sender<()>,
}

impl ProvisioningHandle {
    /// Starts a run unless one is already waiting to start.
    pub fn run_now(&self) {
        let _ = self.manual.try_send(());
    }
}

/// The fixed facts a run needs besides the settings.
pub struct Provisioner {
    pub fetcher: Fetcher,
    pub engine: EngineHandle,
    pub model: &'static str,
    /// The phone's MAC address, for `{mac}` (12 hex digits, lower case).
    pub mac: String,
}

/// Fills in `{mac}` and `{model}` (and the vendor's `{MAC}`/`{MODEL}` spellings).
pub fn expand(template: &str, mac: &str, model: &str) -> String {
    template
        .replace("{mac}", mac)
        .replace("{MAC}", &mac.to_ascii_uppercase())
        .replace("{model}", model)
        .replace("{MODEL}", model)
}

/// What went wrong in a run, with the file it happened in.
struct Failure {
    url: String,
    line: Option<u32>,
    setting: Option<String>,
    reason: String,
}

impl Failure {
    fn fetch(url: &str, e: &FetchError) -> Failure {
        Failure {
            url: url.to_owned(),
            line: None,
            setting: None,
            reason: e.to_string(),
        }
    }

    fn file(url: &str, e: &ProvisioningError) -> Failure {
        Failure {
            url: url.to_owned(),
            line: e.line(),
            setting: e.setting(),
            reason: e.to_string(),
        }
    }
}

impl Provisioner {
    /// Starts the task; it runs at once, then on check-sync, by polling and on request.
    pub fn start(self) -> ProvisioningHandle {
        let (manual, requests) = mpsc::channel(1);
        tokio::spawn(self.run(requests));
        ProvisioningHandle { manual }
    }

    async fn run(self, mut manual: mpsc::Receiver<()>) {
        let mut states = self.engine.subscribe();
        let mut check_sync = states.borrow().state.provisioning_requested_at_ms;
        let mut state = ProvisioningState::default();
        let mut trigger = Some(Trigger::Start);
        let mut last_run_ms = now_ms();
        loop {
            let Ok(settings) = self.engine.settings().await else {
                return;
            };
            if let Some(why) = trigger.take() {
                state.running = true;
                self.engine.set_provisioning_state(state.clone()).await;
                if let Some((outcome, uploads)) = self.run_once(&settings, why).await {
                    if let ProvisioningResult::Ok { .. } = outcome.result {
                        state.queued_uploads = uploads;
                    }
                    state.last = Some(outcome);
                }
                last_run_ms = now_ms();
                state.running = false;
            }
            // The settings may have changed in the run.
            let Ok(settings) = self.engine.settings().await else {
                return;
            };
            let polling = polling(&settings);
            state.next_poll_at_ms = polling.next_after(now_ms(), last_run_ms);
            self.engine.set_provisioning_state(state.clone()).await;
            let sleep = match state.next_poll_at_ms {
                Some(at) => Duration::from_millis(at.saturating_sub(now_ms())),
                // Settings changes wake the loop through the state; nothing to poll.
                None => Duration::from_secs(24 * 3600),
            };
            tokio::select! {
                () = tokio::time::sleep(sleep) => {
                    if state.next_poll_at_ms.is_some() {
                        trigger = Some(Trigger::Poll);
                    }
                }
                asked = manual.recv() => match asked {
                    Some(()) => trigger = Some(Trigger::Manual),
                    None => return,
                },
                changed = states.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    let now = states.borrow_and_update().state.provisioning_requested_at_ms;
                    if now != check_sync {
                        check_sync = now;
                        trigger = Some(Trigger::CheckSync);
                    }
                }
            }
        }
    }

    /// One run: every file or none, with the uploads its files name. `None` when no
    /// server is configured.
    async fn run_once(
        &self,
        settings: &SettingValues,
        why: Trigger,
    ) -> Option<(ProvisioningOutcome, Vec<QueuedUpload>)> {
        let template = settings.value(keys::setting_server).trim().to_owned();
        if template.is_empty() {
            return None;
        }
        let url = expand(&template, &self.mac, self.model);
        tracing::info!("provisioning ({why:?}): {url}");
        let mut uploads = Vec::new();
        let result = match self.read_files(settings, &url).await {
            Err(f) => Err(f),
            Ok(files) => {
                let names: Vec<String> = files.iter().map(|f| f.url.clone()).collect();
                uploads = files
                    .iter()
                    .flat_map(|f| &f.plan.uploads)
                    .map(|u| QueuedUpload {
                        url: u.url.clone(),
                        kind: u.kind.clone(),
                    })
                    .collect();
                match self.engine.apply_provisioning(files).await {
                    Ok(applied) => {
                        tracing::info!(
                            "provisioning: {} changed, {} kept, {} contacts, {} uploads queued",
                            applied.changed,
                            applied.kept,
                            applied.contacts,
                            uploads.len()
                        );
                        Ok(ProvisioningResult::Ok {
                            files: names,
                            changed: applied.changed,
                            kept: applied.kept,
                        })
                    }
                    Err(e) => Err(Failure {
                        url: url.clone(),
                        line: None,
                        setting: None,
                        reason: e.to_string(),
                    }),
                }
            }
        };
        let result = result.unwrap_or_else(|f| {
            tracing::warn!("provisioning: {}: {}", f.url, f.reason);
            ProvisioningResult::Error {
                url: f.url,
                line: f.line,
                setting: f.setting,
                reason: f.reason,
            }
        });
        let outcome = ProvisioningOutcome {
            url,
            finished_at_ms: now_ms(),
            result,
        };
        Some((outcome, uploads))
    }

    /// The file at `url` and every file it names, breadth first, validated.
    async fn read_files(
        &self,
        settings: &SettingValues,
        url: &str,
    ) -> Result<Vec<ProvisionedFile>, Failure> {
        let config = fetch_config(settings, self.model, &self.mac);
        let mut queue = vec![(url.to_owned(), 0usize)];
        let mut seen = vec![url.to_owned()];
        let mut files = Vec::new();
        while !queue.is_empty() {
            let (url, depth) = queue.remove(0);
            let fetched = self
                .fetcher
                .fetch(&url, &config)
                .await
                .map_err(|e| Failure::fetch(&url, &e))?;
            let plan = deskphone_provisioning::read(&fetched.body, self.model)
                .map_err(|e| Failure::file(&fetched.url, &e))?;
            for next in &plan.setting_files {
                let target = url::Url::parse(&fetched.url)
                    .and_then(|base| base.join(&expand(&next.url, &self.mac, self.model)))
                    .map(String::from)
                    .map_err(|e| Failure {
                        url: fetched.url.clone(),
                        line: Some(next.line),
                        setting: None,
                        reason: format!("`{}`: {e}", next.url),
                    })?;
                if seen.contains(&target) {
                    continue;
                }
                if depth + 1 > MAX_DEPTH || seen.len() >= MAX_FILES {
                    return Err(Failure {
                        url: fetched.url.clone(),
                        line: Some(next.line),
                        setting: None,
                        reason: format!(
                            "too many setting files (at most {MAX_FILES}, nested {MAX_DEPTH} deep)"
                        ),
                    });
                }
                seen.push(target.clone());
                queue.push((target, depth + 1));
            }
            files.push(ProvisionedFile {
                url: fetched.url,
                plan,
            });
        }
        Ok(files)
    }
}

/// `swupd_curl_timeouts`: seconds one try of one address may take, connection included
/// (P3).
fn timeouts(value: &str) -> Timeouts {
    let bound = Duration::from_secs(value.trim().parse::<u64>().unwrap_or(30).clamp(1, 300));
    Timeouts {
        connect: bound,
        transfer: bound,
    }
}

fn fetch_config(settings: &SettingValues, model: &str, mac: &str) -> FetchConfig {
    FetchConfig {
        timeouts: timeouts(settings.value(keys::swupd_curl_timeouts)),
        host_name_validation_flags: settings
            .value(keys::host_name_validation_flags)
            .trim()
            .parse()
            .unwrap_or(0),
        max_bytes: deskphone_provisioning::MAX_FILE_BYTES,
        user_agent: format!("deskphone/{} ({model}; {mac})", env!("CARGO_PKG_VERSION")),
    }
}

fn polling(settings: &SettingValues) -> Polling {
    Polling::from_settings(
        settings.is_on(keys::prov_polling_enabled),
        settings.value(keys::prov_polling_mode),
        settings
            .value(keys::prov_polling_period)
            .parse()
            .unwrap_or(86_400),
        settings.value(keys::prov_polling_time),
        settings.value(keys::timezone),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_templates() {
        assert_eq!(
            expand(
                "https://p/{mac}/{model}.xml?m={MAC}",
                "0004abcdef12",
                "DP480C"
            ),
            "https://p/0004abcdef12/DP480C.xml?m=0004ABCDEF12"
        );
    }

    #[test]
    fn curl_timeouts() {
        let t = |c, x| Timeouts {
            connect: Duration::from_secs(c),
            transfer: Duration::from_secs(x),
        };
        assert_eq!(timeouts("5"), t(5, 5));
        assert_eq!(timeouts(""), t(30, 30));
        assert_eq!(timeouts("9999"), t(300, 300));
    }
}
