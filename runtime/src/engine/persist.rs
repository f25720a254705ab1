//! The call history and the deny list in the data folder (`history.json`,
//! `deny_list.json`), each written atomically (`store::write_atomic`) by a task beside
//! the engine, so that the engine never waits for the disk. A burst of changes is written
//! once: the writer takes the newest content when it gets to it.

use std::path::{Path, PathBuf};

use deskphone_phone::Phone;
use deskphone_protocol::CallHistory;
use tokio::sync::watch;

pub const HISTORY_FILE: &str = "history.json";
pub const DENY_LIST_FILE: &str = "deny_list.json";

pub(super) struct Persist {
    history_revision: u64,
    deny_revision: u64,
    history: watch::Sender<Vec<u8>>,
    deny_list: watch::Sender<Vec<u8>>,
}

/// A saved file's content, if there is one that reads; a bad one is reported and left
/// to be replaced by the next change.
fn load<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            tracing::warn!("{}: {e}", path.display());
            return None;
        }
    };
    match serde_json::from_slice(&bytes) {
        Ok(value) => Some(value),
        Err(e) => {
            tracing::warn!("{}: not readable, starting empty: {e}", path.display());
            None
        }
    }
}

/// A task that writes what arrives on `rx` to `path`, newest first.
fn writer(path: PathBuf, mut rx: watch::Receiver<Vec<u8>>) {
    tokio::spawn(async move {
        while rx.changed().await.is_ok() {
            let bytes = rx.borrow_and_update().clone();
            let target = path.clone();
            let written =
                tokio::task::spawn_blocking(move || crate::store::write_atomic(&target, &bytes))
                    .await;
            match written {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!("cannot save {}: {e}", path.display()),
                Err(e) => tracing::warn!("cannot save {}: {e}", path.display()),
            }
        }
    });
}

impl Persist {
    /// Gives the phone what was saved and starts the writers.
    pub fn start(data_dir: &Path, phone: &mut Phone) -> Persist {
        let history_path = data_dir.join(HISTORY_FILE);
        let deny_path = data_dir.join(DENY_LIST_FILE);
        if let Some(history) = load::<CallHistory>(&history_path) {
            phone.restore_history(history);
        }
        if let Some(list) = load::<Vec<String>>(&deny_path) {
            phone.restore_deny_list(list);
        }
        let (history, history_rx) = watch::channel(Vec::new());
        let (deny_list, deny_rx) = watch::channel(Vec::new());
        writer(history_path, history_rx);
        writer(deny_path, deny_rx);
        Persist {
            history_revision: phone.history().revision(),
            deny_revision: phone.deny_revision(),
            history,
            deny_list,
        }
    }

    /// Hands what changed since the last call to the writers.
    pub fn follow(&mut self, phone: &Phone) {
        let history = phone.history();
        if history.revision() != self.history_revision {
            self.history_revision = history.revision();
            match serde_json::to_vec(history.state()) {
                Ok(bytes) => {
                    let _ = self.history.send(bytes);
                }
                Err(e) => tracing::warn!("call history not saved: {e}"),
            }
        }
        if phone.deny_revision() != self.deny_revision {
            self.deny_revision = phone.deny_revision();
            match serde_json::to_vec(phone.deny_list()) {
                Ok(bytes) => {
                    let _ = self.deny_list.send(bytes);
                }
                Err(e) => tracing::warn!("deny list not saved: {e}"),
            }
        }
    }
}
