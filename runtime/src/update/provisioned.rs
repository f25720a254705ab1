//! Updates by provisioning (F1, P2): `firmware_status` names a firmware settings file
//! whose `firmware` setting is the image for this phone (or `firmware` is set
//! directly); `update_policy` says what to do with it. Checked after every provisioning
//! run, at start and every `firmware_interval` minutes. An image of the running
//! version is recognised from its header and not downloaded further.

use std::time::Duration;

use deskphone_protocol::ProvisioningResult;
use deskphone_settings::{SettingValues, keys};

use super::Updater;
use crate::engine::EngineHandle;
use crate::provisioning::fetch::{FetchConfig, Fetcher, Timeouts};

/// `update_policy`'s choices, as far as firmware goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Install a new image by itself.
    Auto,
    /// Offer it (the Software Update page shows it with an Install button).
    Ask,
    /// Leave the firmware alone (`never_update_firm`, `never_update_boot`,
    /// `settings_only`).
    Never,
}

impl Policy {
    pub fn from_setting(value: &str) -> Policy {
        match value {
            "auto_update" => Policy::Auto,
            "ask_for_update" => Policy::Ask,
            _ => Policy::Never,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusFileError {
    #[error("the firmware settings file is not valid XML: {0}")]
    Xml(String),
    #[error("{0}")]
    Provisioning(String),
}

/// The `firmware` URL a firmware settings file names: the established
/// `<firmware-settings><firmware perm="">URL</firmware></firmware-settings>`, or any
/// provisioning file (XML or text form) that sets `firmware`.
pub fn firmware_in(body: &[u8], model: &str) -> Result<Option<String>, StatusFileError> {
    let text = String::from_utf8_lossy(body);
    if text.trim_start().starts_with("<firmware-settings") {
        use quick_xml::events::Event;
        let mut reader = quick_xml::Reader::from_str(&text);
        let mut inside = false;
        let mut url = String::new();
        loop {
            match reader
                .read_event()
                .map_err(|e| StatusFileError::Xml(e.to_string()))?
            {
                Event::Start(e) if e.local_name().as_ref() == "firmware" => inside = true,
                Event::Text(t) if inside => url.push_str(&t.xml10_content()),
                // quick-xml hands entity references over as they are: only XML's five.
                Event::GeneralRef(r) if inside => {
                    let c = match r.as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        _ => {
                            return Err(StatusFileError::Xml(
                                "only XML's five entities are read".into(),
                            ));
                        }
                    };
                    url.push(c);
                }
                Event::End(_) if inside => {
                    let url = url.trim().to_owned();
                    return Ok((!url.is_empty()).then_some(url));
                }
                Event::DocType(_) => {
                    return Err(StatusFileError::Xml("a DOCTYPE is refused".into()));
                }
                Event::Eof => return Ok(None),
                _ => {}
            }
        }
    }
    let plan = deskphone_provisioning::read(body, model)
        .map_err(|e| StatusFileError::Provisioning(e.to_string()))?;
    Ok(plan
        .settings
        .iter()
        .find(|s| s.key.name == keys::firmware.name())
        .map(|s| s.value.trim().to_owned())
        .filter(|v| !v.is_empty()))
}

/// Follows provisioning and the firmware settings.
pub fn start(updater: Updater, fetcher: Fetcher, engine: EngineHandle, model: &'static str) {
    tokio::spawn(async move {
        let mut states = engine.subscribe();
        let mut seen_run = None;
        let mut first = true;
        let mut tried: Option<String> = None;
        loop {
            let run = states
                .borrow_and_update()
                .state
                .provisioning
                .last
                .as_ref()
                .and_then(|l| {
                    matches!(l.result, ProvisioningResult::Ok { .. }).then_some(l.finished_at_ms)
                });
            let Ok(settings) = engine.settings().await else {
                return;
            };
            if first || (run.is_some() && run != seen_run) {
                first = false;
                seen_run = run;
                check(&updater, &fetcher, &settings, model, &mut tried).await;
            }
            let minutes = settings
                .value(keys::firmware_interval)
                .trim()
                .parse::<u64>()
                .unwrap_or(0);
            let wait = if minutes == 0 {
                Duration::from_secs(24 * 3600)
            } else {
                Duration::from_secs(minutes * 60)
            };
            tokio::select! {
                changed = states.changed() => if changed.is_err() { return },
                () = tokio::time::sleep(wait) => {
                    if minutes > 0 {
                        tried = None;
                        check(&updater, &fetcher, &settings, model, &mut tried).await;
                    }
                }
            }
        }
    });
}

/// One look at the firmware settings: what image provisioning names, and what the
/// policy does with it. `tried` keeps an image that failed from being fetched again
/// on every provisioning run (until the interval passes or the URL changes).
async fn check(
    updater: &Updater,
    fetcher: &Fetcher,
    settings: &SettingValues,
    model: &'static str,
    tried: &mut Option<String>,
) {
    let policy = Policy::from_setting(settings.value(keys::update_policy));
    let status_url = settings.value(keys::firmware_status).trim().to_owned();
    let image = if status_url.is_empty() {
        settings.value(keys::firmware).trim().to_owned()
    } else {
        if policy == Policy::Never {
            tracing::info!("update: update_policy leaves the firmware alone");
            return;
        }
        let config = FetchConfig {
            timeouts: Timeouts {
                connect: Duration::from_secs(10),
                transfer: Duration::from_secs(30),
            },
            host_name_validation_flags: settings
                .value(keys::host_name_validation_flags)
                .trim()
                .parse()
                .unwrap_or(0),
            max_bytes: 64 * 1024,
            user_agent: format!("deskphone/{} ({model})", updater.version()),
        };
        let fetched = match fetcher.fetch(&status_url, &config).await {
            Ok(f) => f,
            Err(e) => {
                tracing::warn!("update: firmware settings file {status_url}: {e}");
                return;
            }
        };
        match firmware_in(&fetched.body, model) {
            Ok(Some(found)) => url::Url::parse(&fetched.url)
                .and_then(|base| base.join(&found))
                .map(String::from)
                .unwrap_or(found),
            Ok(None) => {
                tracing::warn!("update: {status_url} names no firmware");
                return;
            }
            Err(e) => {
                tracing::warn!("update: {status_url}: {e}");
                return;
            }
        }
    };
    if image.is_empty() || tried.as_deref() == Some(image.as_str()) {
        return;
    }
    if policy == Policy::Never {
        tracing::info!("update: update_policy leaves the firmware alone");
        return;
    }
    // The header alone tells whether the image is what runs already.
    match updater.peek(&image).await {
        Ok(manifest) if manifest.version.to_string() == updater.version() => {
            tracing::info!(
                "update: {image} is version {}, which already runs",
                manifest.version
            );
            updater.offer(None);
            return;
        }
        Ok(_) => {}
        Err(e) => {
            tracing::warn!("update: {image}: {e}");
            return;
        }
    }
    if policy == Policy::Ask {
        tracing::info!("update: provisioning offers {image} (update_policy ask_for_update)");
        updater.offer(Some(image));
        return;
    }
    *tried = Some(image.clone());
    tracing::info!("update: provisioning names {image}: installing it");
    if let Err(e) = updater.begin(&image) {
        tracing::info!("update: {image} not started: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn firmware_settings_files() {
        let xml = br#"<firmware-settings><firmware perm="">http://p/fw/1.img?a=1&amp;b=2</firmware></firmware-settings>"#;
        assert_eq!(
            firmware_in(xml, "DP480C").unwrap().as_deref(),
            Some("http://p/fw/1.img?a=1&b=2")
        );
        let text = b"firmware: http://p/fw/2.img\n";
        assert_eq!(
            firmware_in(text, "DP480C").unwrap().as_deref(),
            Some("http://p/fw/2.img")
        );
        assert_eq!(
            firmware_in(b"<firmware-settings/>", "DP480C").unwrap(),
            None
        );
        assert!(firmware_in(b"bogus_setting: 1\n", "DP480C").is_err());
        assert_eq!(Policy::from_setting("settings_only"), Policy::Never);
    }
}
