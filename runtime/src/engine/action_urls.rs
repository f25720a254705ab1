//! Action URLs (C7) leave beside the engine: the engine hands each URL the phone
//! collected to this task and goes on; the task requests them (HTTP GET through the
//! provisioning client: the phone's resolver, its certificate rules), a few at a time,
//! each bounded in time and size. A URL that fails is logged without its query (which
//! may name the caller).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, mpsc};

use crate::provisioning::fetch::{FetchConfig, Fetcher, Timeouts};

/// URLs waiting to be sent; beyond this the newest are dropped (and logged).
const QUEUE: usize = 64;
/// Requests under way at once.
const IN_FLIGHT: usize = 4;

#[derive(Clone)]
pub(super) struct ActionUrls {
    queue: mpsc::Sender<String>,
}

impl ActionUrls {
    pub fn start(fetcher: Fetcher) -> ActionUrls {
        let (queue, mut rx) = mpsc::channel::<String>(QUEUE);
        let config = FetchConfig {
            timeouts: Timeouts {
                connect: Duration::from_secs(2),
                transfer: Duration::from_secs(5),
            },
            host_name_validation_flags: 0,
            max_bytes: 64 * 1024,
            user_agent: format!("deskphone/{}", env!("CARGO_PKG_VERSION")),
        };
        tokio::spawn(async move {
            let slots = Arc::new(Semaphore::new(IN_FLIGHT));
            while let Some(url) = rx.recv().await {
                let Ok(slot) = slots.clone().acquire_owned().await else {
                    break;
                };
                let fetcher = fetcher.clone();
                let config = config.clone();
                tokio::spawn(async move {
                    if let Err(e) = fetcher.fetch(&url, &config).await {
                        let shown = url.split('?').next().unwrap_or_default();
                        tracing::info!("action URL {shown}: {e}");
                    }
                    drop(slot);
                });
            }
        });
        ActionUrls { queue }
    }

    /// Queues a URL; never waits.
    pub fn send(&self, url: String) {
        if self.queue.try_send(url).is_err() {
            tracing::warn!("action URL dropped: too many waiting");
        }
    }
}
