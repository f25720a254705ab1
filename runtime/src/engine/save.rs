//! Settings are written beside the engine, so a slow disk never holds up SIP timers,
//! datagrams or media. Writes still come before use ("settings are saved before they are
//! applied"): a change goes to the one writer task, which writes (and fsyncs) the files
//! in the order the changes were made on a blocking thread, and reports each back
//! through the engine's [`Beside`] channel; only then does the engine adopt the settings
//! and answer the request. A change made while earlier ones are being written builds on
//! the newest of them, so none is lost.

use std::path::PathBuf;

use deskphone_settings::SettingValues;
use tokio::sync::{mpsc, oneshot};

use super::resolve::Beside;
use super::{CommandError, Engine, ProvisioningApplied};
use crate::store::{SettingsStore, StoreError};

/// Who waits for a write.
pub(super) enum Waiting {
    /// The phone changed its own settings (DND, log-off); nobody asked.
    Nobody,
    Change(oneshot::Sender<Result<(), CommandError>>),
    Provisioning(
        ProvisioningApplied,
        oneshot::Sender<Result<ProvisioningApplied, CommandError>>,
    ),
}

struct Job {
    values: SettingValues,
    /// A new phone book (`<tbook>`), written after the settings.
    phone_book: Option<(PathBuf, Vec<u8>)>,
    waiting: Waiting,
}

/// A write done (or failed).
pub(super) struct Saved {
    values: SettingValues,
    result: Result<(), StoreError>,
    waiting: Waiting,
}

/// The engine's handle on the writer task.
pub(super) struct Saver {
    jobs: mpsc::UnboundedSender<Job>,
    /// The settings of the newest change not written yet, and how many are in flight.
    newest: Option<SettingValues>,
    in_flight: usize,
}

impl Saver {
    /// Starts the writer task; it ends when the engine drops the saver.
    pub(super) fn start(store: SettingsStore, beside: mpsc::Sender<Beside>) -> Saver {
        let (jobs, mut rx) = mpsc::unbounded_channel::<Job>();
        tokio::spawn(async move {
            let store = std::sync::Arc::new(store);
            while let Some(job) = rx.recv().await {
                let Job {
                    values,
                    phone_book,
                    waiting,
                } = job;
                let writer = store.clone();
                let written = tokio::task::spawn_blocking(move || {
                    let result = write(&writer, &values, phone_book);
                    (values, result)
                })
                .await;
                let Ok((values, result)) = written else {
                    // The blocking thread panicked: nothing sensible to report to.
                    continue;
                };
                let saved = Saved {
                    values,
                    result,
                    waiting,
                };
                if beside.send(Beside::Saved(Box::new(saved))).await.is_err() {
                    return;
                }
            }
        });
        Saver {
            jobs,
            newest: None,
            in_flight: 0,
        }
    }
}

fn write(
    store: &SettingsStore,
    values: &SettingValues,
    phone_book: Option<(PathBuf, Vec<u8>)>,
) -> Result<(), StoreError> {
    store.save(values)?;
    if let Some((path, xml)) = phone_book {
        crate::store::write_atomic(&path, &xml)
            .map_err(|source| StoreError::Write { path, source })?;
    }
    Ok(())
}

impl Engine {
    /// The settings a new change starts from: the newest one being written, else the
    /// phone's.
    pub(super) fn settings_base(&self) -> SettingValues {
        self.saver
            .newest
            .clone()
            .unwrap_or_else(|| self.phone.settings.clone())
    }

    /// Hands `values` to the writer; `waiting` hears the outcome once they are written
    /// and adopted.
    pub(super) fn save_then_adopt(
        &mut self,
        values: SettingValues,
        phone_book: Option<(PathBuf, Vec<u8>)>,
        waiting: Waiting,
    ) {
        self.saver.newest = Some(values.clone());
        self.saver.in_flight += 1;
        let job = Job {
            values,
            phone_book,
            waiting,
        };
        if let Err(mpsc::error::SendError(job)) = self.saver.jobs.send(job) {
            // The writer is gone (only when the runtime shuts down).
            self.saver.in_flight -= 1;
            let e = CommandError::Stopped;
            match job.waiting {
                Waiting::Nobody => tracing::warn!("settings not saved: {e}"),
                Waiting::Change(reply) => drop(reply.send(Err(e))),
                Waiting::Provisioning(_, reply) => drop(reply.send(Err(e))),
            }
        }
    }

    /// A write finished: written settings become the phone's, then the request is
    /// answered (after the state it made is published).
    pub(super) fn on_saved(&mut self, saved: Saved) {
        self.saver.in_flight = self.saver.in_flight.saturating_sub(1);
        if self.saver.in_flight == 0 {
            self.saver.newest = None;
        }
        let Saved {
            values,
            result,
            waiting,
        } = saved;
        let result = result.map(|()| self.adopt(values));
        if let Err(e) = &result {
            tracing::warn!("settings not saved: {e}");
        }
        self.publish();
        match waiting {
            Waiting::Nobody => {}
            Waiting::Change(reply) => {
                let _ = reply.send(result.map_err(CommandError::from));
            }
            Waiting::Provisioning(applied, reply) => {
                let _ = reply.send(result.map(|()| applied).map_err(CommandError::from));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes run on a blocking thread in the order they were made; each is reported.
    #[tokio::test]
    async fn writes_are_reported_in_order_and_the_last_one_stays() {
        let dir = std::env::temp_dir().join(format!("deskphone-saver-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (beside, mut reports) = mpsc::channel(8);
        let saver = Saver::start(SettingsStore::new(&dir), beside);
        let model = &deskphone_settings::models::MODELS[0];
        let mut expected = Vec::new();
        for n in 0..5 {
            let mut values = SettingValues::default();
            values
                .apply_local(
                    [(
                        deskphone_settings::keys::user_name.wire(1).as_str(),
                        format!("u{n}").as_str(),
                    )],
                    model.name,
                )
                .unwrap();
            let (reply, _rx) = oneshot::channel();
            saver
                .jobs
                .send(Job {
                    values: values.clone(),
                    phone_book: None,
                    waiting: Waiting::Change(reply),
                })
                .unwrap();
            expected.push(values);
        }
        for values in expected.iter() {
            let Some(Beside::Saved(saved)) = reports.recv().await else {
                panic!("a report")
            };
            assert!(saved.result.is_ok());
            assert_eq!(&saved.values, values);
        }
        let stored = SettingsStore::new(&dir).load().unwrap();
        assert_eq!(&stored, expected.last().unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
