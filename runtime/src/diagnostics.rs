//! What support asks for: the phone's own recent log, kept in memory, and the
//! diagnostic archive (`GET /api/diagnostics`), a tar.gz with
//!
//! - `state.json`: the same document as `/api/state` (no secrets are in the state),
//! - `settings.json`: the public view of the settings (secrets left out),
//! - `info.txt`: firmware, model, MAC, addresses, uptime,
//! - `log.txt`: the last [`LOG_LINES`] lines of the log.
//!
//! Secrets never reach the archive because nothing here reads them: the state
//! carries only `SettingValues::public_view`, and nothing in the runtime logs a
//! setting's value (the end-to-end test `tests/tests/diagnostics.rs` checks both).

use std::collections::VecDeque;
use std::io::Write;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use deskphone_protocol::PhoneState;
use flate2::Compression;
use flate2::write::GzEncoder;
use tracing_subscriber::fmt::MakeWriter;

use crate::engine::{Published, now_ms};
use crate::web::AppState;

/// How many log lines the phone keeps for the archive.
pub const LOG_LINES: usize = 2000;

/// The last [`LOG_LINES`] lines of the log, oldest first. Cloning shares it.
#[derive(Clone, Debug, Default)]
pub struct LogRing {
    lines: Arc<Mutex<VecDeque<String>>>,
}

impl LogRing {
    /// Adds the lines of `text`; the oldest drop out beyond [`LOG_LINES`].
    pub fn push_text(&self, text: &str) {
        let mut lines = self.lines.lock().unwrap_or_else(PoisonError::into_inner);
        for line in text.lines() {
            if lines.len() == LOG_LINES {
                lines.pop_front();
            }
            lines.push_back(line.to_owned());
        }
    }

    pub fn lines(&self) -> Vec<String> {
        let lines = self.lines.lock().unwrap_or_else(PoisonError::into_inner);
        lines.iter().cloned().collect()
    }
}

/// The process's log ring: the log is process-wide, like the tracing subscriber
/// that fills it.
pub fn log_ring() -> &'static LogRing {
    static RING: LazyLock<LogRing> = LazyLock::new(LogRing::default);
    &RING
}

/// Collects one formatted event and hands it to the ring when dropped.
pub struct LogLineWriter {
    ring: LogRing,
    text: Vec<u8>,
}

impl Write for LogLineWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.text.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LogLineWriter {
    fn drop(&mut self) {
        self.ring.push_text(&String::from_utf8_lossy(&self.text));
    }
}

impl<'a> MakeWriter<'a> for LogRing {
    type Writer = LogLineWriter;

    fn make_writer(&'a self) -> LogLineWriter {
        LogLineWriter {
            ring: self.clone(),
            text: Vec::new(),
        }
    }
}

/// A tracing layer that writes plain-text lines (no colours) into [`log_ring`].
pub fn log_layer<S>() -> impl tracing_subscriber::Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(log_ring().clone())
}

#[derive(Debug, thiserror::Error)]
pub enum DiagnosticsError {
    #[error("cannot write the state as JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot pack the archive: {0}")]
    Pack(#[from] std::io::Error),
}

/// The document `/api/state` serves: the state with its sequence number.
pub fn state_document(published: &Published) -> serde_json::Value {
    serde_json::json!({ "seq": published.seq, "state": &*published.state })
}

/// `info.txt`: the identity card as `name: value` lines.
pub fn info_text(state: &PhoneState, now_ms: u64) -> String {
    let d = &state.device;
    let uptime_s = now_ms.saturating_sub(d.started_at_ms) / 1000;
    format!(
        "firmware_version: {}\nbuild: {}\nmodel: {}\nmac: {}\nhttp_address: {}\n\
         sip_address: {}\nstarted_at_ms: {}\nuptime_s: {uptime_s}\nexpansion_modules: {}\n",
        d.firmware_version,
        d.build,
        d.model,
        d.mac,
        d.http_address,
        d.sip_address,
        d.started_at_ms,
        d.expansion_modules,
    )
}

/// Packs the diagnostic archive (tar, gzip) from a published state and log lines.
pub fn archive(
    published: &Published,
    log: &[String],
    now_ms: u64,
) -> Result<Vec<u8>, DiagnosticsError> {
    let state = serde_json::to_vec_pretty(&state_document(published))?;
    let settings = serde_json::to_vec_pretty(&published.state.settings)?;
    let info = info_text(&published.state, now_ms);
    let mut log_text = log.join("\n");
    log_text.push('\n');
    let mut tar = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::default()));
    let members: [(&str, &[u8]); 4] = [
        ("state.json", &state),
        ("settings.json", &settings),
        ("info.txt", info.as_bytes()),
        ("log.txt", log_text.as_bytes()),
    ];
    for (name, bytes) in members {
        let mut head = tar::Header::new_ustar();
        head.set_size(bytes.len() as u64);
        head.set_mode(0o644);
        head.set_mtime(now_ms / 1000);
        tar.append_data(&mut head, name, bytes)?;
    }
    Ok(tar.into_inner()?.finish()?)
}

/// The archive's file name: `deskphone-<model>-<mac>-diagnostics.tar.gz`.
pub fn archive_name(state: &PhoneState) -> String {
    let mac: String = state.device.mac.chars().filter(|c| *c != ':').collect();
    let model = &state.model.name;
    if mac.is_empty() {
        format!("deskphone-{model}-diagnostics.tar.gz")
    } else {
        format!("deskphone-{model}-{mac}-diagnostics.tar.gz")
    }
}

/// `GET /api/diagnostics`: the archive as a download.
pub async fn download(State(app): State<AppState>) -> Response {
    let published = app.engine.current();
    match archive(&published, &log_ring().lines(), now_ms()) {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/gzip".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"{}\"",
                        archive_name(&published.state)
                    ),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!("diagnostic archive: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use deskphone_settings::{SETTINGS, SettingValues};

    use super::*;

    #[test]
    fn the_ring_keeps_the_last_lines() {
        let ring = LogRing::default();
        for i in 0..LOG_LINES + 5 {
            ring.push_text(&format!("line {i}\n"));
        }
        let lines = ring.lines();
        assert_eq!(lines.len(), LOG_LINES);
        assert_eq!(lines[0], "line 5");
        assert_eq!(lines[LOG_LINES - 1], format!("line {}", LOG_LINES + 4));
        // One event of several lines becomes several lines; the writer flushes on drop.
        let mut w = ring.make_writer();
        w.write_all(b"first\nsecond\n").unwrap();
        drop(w);
        assert_eq!(ring.lines()[LOG_LINES - 2..], ["first", "second"]);
    }

    #[test]
    fn the_archive_has_its_members_and_no_secret() {
        let mut settings = SettingValues::default();
        let secrets: Vec<(String, String)> = SETTINGS
            .iter()
            .filter(|s| s.secret)
            .map(|s| {
                let key = deskphone_settings::SettingKey::new(s.name, s.indexed.map(|_| 1));
                (key.to_string(), format!("Zq{}Secret", s.name.len()))
            })
            .collect();
        assert!(!secrets.is_empty(), "the schema has no secret settings?");
        settings
            .apply(
                secrets
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .chain([("user_realname[1]", "Alice")]),
                "DP480C",
            )
            .unwrap();
        let mut state = PhoneState {
            settings: settings.public_view("DP480C"),
            ..PhoneState::default()
        };
        state.model.name = "DP480C".into();
        state.device.mac = "02:00:5e:10:20:30".into();
        state.device.started_at_ms = 1_000;
        let published = Published {
            seq: 7,
            state: Arc::new(state),
        };
        let log = vec!["INFO deskphone: started".to_owned()];
        let bytes = archive(&published, &log, 61_000).unwrap();

        let mut members = std::collections::BTreeMap::new();
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
        for entry in tar.entries().unwrap() {
            let mut entry = entry.unwrap();
            let name = entry.path().unwrap().to_string_lossy().into_owned();
            let mut text = String::new();
            entry.read_to_string(&mut text).unwrap();
            members.insert(name, text);
        }
        let names: Vec<_> = members.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            ["info.txt", "log.txt", "settings.json", "state.json"]
        );
        for (name, text) in &members {
            for (key, secret) in &secrets {
                assert!(!text.contains(secret.as_str()), "{name} holds {key}");
            }
        }
        let state: serde_json::Value = serde_json::from_str(&members["state.json"]).unwrap();
        assert_eq!(state["seq"], 7);
        assert_eq!(state["state"]["settings"]["user_realname[1]"], "Alice");
        assert!(members["info.txt"].contains("mac: 02:00:5e:10:20:30"));
        assert!(members["info.txt"].contains("uptime_s: 60"));
        assert!(members["log.txt"].contains("deskphone: started"));
        assert_eq!(
            archive_name(&published.state),
            "deskphone-DP480C-02005e102030-diagnostics.tar.gz"
        );
    }
}
