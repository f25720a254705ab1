//! Software update (F1, F2): download a signed image into the inactive A/B slot while
//! checking it, switch only after size, SHA256, signature, model and version rules
//! pass, reboot into the new slot on trial, and make it the active one once it
//! reports healthy. `slots` keeps the state on disk, `launcher` starts the right slot.

pub mod launcher;
pub mod provisioned;
pub mod slots;

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use deskphone_firmware::{Header, ImageError, Manifest, PayloadCheck, Running};
use deskphone_protocol::{UpdateOutcome, UpdatePhase, UpdateStatus};
use tokio::sync::watch;

use crate::engine::{EngineHandle, now_ms};
use crate::provisioning::fetch::{FetchConfig, FetchError, Fetcher, Timeouts};
use slots::{Route, SavedOutcome, Slot, Slots};

/// Intermediate versions one update may go through (F2).
pub const MAX_HOPS: usize = 3;

/// The largest image a phone takes in.
pub const MAX_IMAGE_BYTES: usize = 1 << 30;
/// A download that stays silent this long is given up.
pub const STALL: Duration = Duration::from_secs(10);
/// How long a new slot must run (web server answering, engine alive) to count as
/// healthy.
pub const HEALTHY_AFTER: Duration = Duration::from_secs(3);

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("{0}")]
    Image(#[from] ImageError),
    #[error("{0}")]
    Fetch(#[from] FetchError),
    #[error("the download ended inside the image's header ({0} bytes)")]
    HeaderTruncated(usize),
    #[error("the image's payload is not a valid archive: {0}")]
    BadPayload(String),
    #[error("the image's payload has no `deskphone` program")]
    NoProgram,
    #[error("cannot write slot {slot}: {source}")]
    Io {
        slot: &'static str,
        source: std::io::Error,
    },
    #[error("{0}")]
    Slots(#[from] slots::SlotError),
    #[error("the way to this version needs more than {MAX_HOPS} intermediate versions")]
    RouteTooLong,
    #[error("`{url}` (the intermediate's address) is not a URL: {reason}")]
    BadIntermediateUrl { url: String, reason: String },
}

/// Why an update does not start.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StartError {
    #[error("an update is already running")]
    Busy,
    #[error(
        "this version has not reported healthy yet: it cannot be replaced until it has (a few seconds after start)"
    )]
    OnTrial,
    #[error("`{0}` is not an http or https URL")]
    BadUrl(String),
}

struct Inner {
    slots: Slots,
    /// The slot this program runs from.
    slot: Slot,
    model: &'static str,
    user_agent: String,
    running: Running,
    fetcher: Fetcher,
    key: deskphone_firmware::ed25519_dalek::VerifyingKey,
    /// Network recovery: the version rules do not apply (see
    /// `Header::verify_for_recovery`).
    recovery: bool,
    busy: AtomicBool,
    status: watch::Sender<UpdateStatus>,
    reboot: watch::Sender<bool>,
}

/// Runs updates; cheap to clone.
#[derive(Clone)]
pub struct Updater {
    inner: Arc<Inner>,
}

impl Updater {
    /// The update side of a phone running from `slot`; its status reaches the state
    /// through `engine`.
    pub async fn start(
        data_dir: &Path,
        slot: Slot,
        recovery: bool,
        model: &'static str,
        fetcher: Fetcher,
        engine: EngineHandle,
    ) -> Result<Updater, ImageError> {
        let slots = Slots::new(data_dir);
        let running = if recovery {
            slots::factory_firmware()
        } else {
            slots::running_firmware(&slots, slot)
        };
        let state = slots.load();
        // A route whose intermediate is not what runs now ended: the intermediate did
        // not report healthy and the launcher went back.
        let route = slots.route();
        if route
            .as_ref()
            .is_some_and(|r| r.via != running.version.to_string() || recovery)
            && state.pending != Some(slot)
        {
            let _ = slots.save_route(None);
        }
        let (status, mut changes) = watch::channel(UpdateStatus {
            version: running.version.to_string(),
            slot: slot.name().to_owned(),
            state: UpdatePhase::Idle,
            last: state.last_outcome.map(outcome),
            then: slots
                .route()
                .and_then(|r| r.then.last().map(|t| t.1.clone())),
            recovery,
            offered: None,
        });
        // The state carries the version and slot before the web server answers.
        let initial = changes.borrow_and_update().clone();
        engine.set_update_state(initial).await;
        let mut published = engine.subscribe();
        let _ = tokio::time::timeout(
            Duration::from_secs(2),
            published.wait_for(|p| !p.state.update.version.is_empty()),
        )
        .await;
        // The state follows the status, at most ten times a second while bytes arrive.
        tokio::spawn(async move {
            while changes.changed().await.is_ok() {
                let current = changes.borrow_and_update().clone();
                engine.set_update_state(current).await;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        Ok(Updater {
            inner: Arc::new(Inner {
                slots,
                slot,
                model,
                user_agent: format!("deskphone/{} ({model})", running.version),
                running,
                fetcher,
                key: deskphone_firmware::build_verifying_key()?,
                recovery,
                busy: AtomicBool::new(false),
                status,
                reboot: watch::channel(false).0,
            }),
        })
    }

    /// Shows (or clears) an image provisioning offers under `update_policy`
    /// `ask_for_update`.
    pub fn offer(&self, url: Option<String>) {
        self.inner.status.send_if_modified(|s| {
            let changed = s.offered != url;
            s.offered = url;
            changed
        });
    }

    /// The manifest at the start of the image at `url`, not verified (only to tell
    /// whether it is the running version); the download stops after the header.
    pub async fn peek(&self, url: &str) -> Result<Manifest, UpdateError> {
        let mut prefix = Vec::new();
        let mut found: Option<Result<Manifest, ImageError>> = None;
        let config = self.fetch_config();
        let fetched = self
            .inner
            .fetcher
            .fetch_streaming(url, &config, STALL, &mut |piece| {
                prefix.extend_from_slice(piece);
                let result = match Header::parse(&prefix) {
                    Ok(None) if prefix.len() < 64 * 1024 => return Ok(()),
                    Ok(None) => Err(ImageError::HeaderTruncated(prefix.len())),
                    Ok(Some(header)) => Ok(header.manifest),
                    Err(e) => Err(e),
                };
                found = Some(result);
                Err(())
            })
            .await;
        match found {
            Some(result) => Ok(result?),
            None => {
                fetched?;
                Err(UpdateError::HeaderTruncated(prefix.len()))
            }
        }
    }

    fn fetch_config(&self) -> FetchConfig {
        FetchConfig {
            timeouts: Timeouts {
                connect: Duration::from_secs(10),
                transfer: Duration::from_secs(3600),
            },
            host_name_validation_flags: 0,
            max_bytes: MAX_IMAGE_BYTES,
            user_agent: self.inner.user_agent.clone(),
        }
    }

    /// The running firmware's version.
    pub fn version(&self) -> String {
        self.inner.running.version.to_string()
    }

    /// Resolves when an installed update wants the phone to restart.
    pub async fn reboot_requested(&self) {
        let mut rx = self.inner.reboot.subscribe();
        let _ = rx.wait_for(|r| *r).await;
    }

    /// Starts an update from `url` in the background; its progress and outcome are in
    /// the state.
    pub fn begin(&self, url: &str) -> Result<(), StartError> {
        self.begin_with(url, Vec::new())
    }

    /// `begin`, with the images that follow this one on a route through
    /// intermediates.
    fn begin_with(&self, url: &str, then: Vec<(String, String)>) -> Result<(), StartError> {
        let url = url.trim();
        match url::Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => {}
            _ => return Err(StartError::BadUrl(url.to_owned())),
        }
        if self.inner.slots.load().pending == Some(self.inner.slot) {
            return Err(StartError::OnTrial);
        }
        if self.inner.busy.swap(true, Ordering::SeqCst) {
            return Err(StartError::Busy);
        }
        self.offer(None);
        let this = self.clone();
        let url = url.to_owned();
        tokio::spawn(async move {
            let result = this.install_routed(&url, then).await;
            let inner = &this.inner;
            match result {
                Ok(manifest) => {
                    tracing::warn!(
                        "update: version {} installed in slot {}: restarting into it",
                        manifest.version,
                        inner.slot.other().name()
                    );
                    inner
                        .status
                        .send_modify(|s| s.state = UpdatePhase::Rebooting);
                    // Let the state reach those who watch it before the restart.
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    inner.reboot.send_replace(true);
                }
                Err(e) => {
                    let message = e.to_string();
                    tracing::warn!("update from {url} refused: {message}");
                    let _ = std::fs::remove_dir_all(inner.slots.dir(inner.slot.other()));
                    let saved = SavedOutcome {
                        ok: false,
                        message,
                        at_ms: now_ms(),
                    };
                    if let Err(e) = inner.slots.record_outcome(saved.clone()) {
                        tracing::warn!("update: {e}");
                    }
                    let _ = inner.slots.save_route(None);
                    inner.status.send_modify(|s| {
                        s.state = UpdatePhase::Idle;
                        s.last = Some(outcome(saved));
                        s.then = None;
                    });
                    inner.busy.store(false, Ordering::SeqCst);
                }
            }
        });
        Ok(())
    }

    /// Installs `url`, or, when the version rules refuse it and the manifest that
    /// names the version to install first says where that image is, the intermediate
    /// (and its own, up to [`MAX_HOPS`]); the route to the rest is saved before the
    /// intermediate is installed, and followed after each reports healthy.
    async fn install_routed(
        &self,
        url: &str,
        mut then: Vec<(String, String)>,
    ) -> Result<Manifest, UpdateError> {
        let inner = &self.inner;
        let mut target = url.to_owned();
        for _ in 0..=MAX_HOPS {
            match self.install(&target).await {
                Err(UpdateError::Image(
                    ImageError::RunningTooOld(refusal) | ImageError::BelowMinimum(refusal),
                )) if refusal.install_url.is_some() => {
                    let relative = refusal.install_url.clone().unwrap_or_default();
                    let next = url::Url::parse(&target)
                        .and_then(|base| base.join(&relative))
                        .map_err(|e| UpdateError::BadIntermediateUrl {
                            url: relative.clone(),
                            reason: e.to_string(),
                        })?;
                    tracing::warn!(
                        "update: version {} needs version {} first: installing it from {next}",
                        refusal.image,
                        refusal.install
                    );
                    then.insert(0, (target.clone(), refusal.image.to_string()));
                    inner.slots.save_route(Some(&Route {
                        via: refusal.install.to_string(),
                        then: then.clone(),
                    }))?;
                    let last = then.last().map(|t| t.1.clone());
                    inner.status.send_modify(|s| s.then = last);
                    target = next.to_string();
                }
                Ok(manifest) => {
                    if then.is_empty() {
                        inner.slots.save_route(None)?;
                    } else {
                        // The intermediate installed may differ from what the refusal
                        // named; the route follows what will run.
                        inner.slots.save_route(Some(&Route {
                            via: manifest.version.to_string(),
                            then,
                        }))?;
                    }
                    return Ok(manifest);
                }
                Err(e) => return Err(e),
            }
        }
        Err(UpdateError::RouteTooLong)
    }

    /// After this slot reported healthy: the next image of a route, if one waits.
    fn continue_route(&self) {
        let slots = &self.inner.slots;
        let Some(mut route) = slots.route() else {
            return;
        };
        if route.via != self.inner.running.version.to_string() || route.then.is_empty() {
            let _ = slots.save_route(None);
            return;
        }
        let (url, version) = route.then.remove(0);
        tracing::warn!(
            "update: version {} runs; going on to version {version}",
            route.via
        );
        if let Err(e) = self.begin_with(&url, route.then) {
            tracing::warn!("update: cannot go on to version {version}: {e}");
        }
    }

    /// Downloads, checks and installs an image into the inactive slot and marks it to
    /// start on trial. Nothing the launcher reads changes before every check passed.
    async fn install(&self, url: &str) -> Result<Manifest, UpdateError> {
        let inner = &self.inner;
        let target = inner.slot.other();
        let dir = inner.slots.dir(target);
        let io = |source| UpdateError::Io {
            slot: target.name(),
            source,
        };
        inner.status.send_modify(|s| {
            s.state = UpdatePhase::Downloading {
                bytes: 0,
                total: None,
            }
        });
        // An installed image that has not started yet is given up before its slot is
        // written over.
        let mut state = inner.slots.load();
        if state.pending == Some(target) {
            state.pending = None;
            state.boot_attempts = 0;
            inner.slots.save(&state)?;
        }
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(io)?;
        let payload_path = dir.join("payload.tar");
        let file = std::fs::File::create(&payload_path).map_err(io)?;
        let mut download = Download {
            slot: target.name(),
            recovery: inner.recovery,
            key: &inner.key,
            model: inner.model,
            running: &inner.running,
            status: &inner.status,
            prefix: Vec::new(),
            header: None,
            file: std::io::BufWriter::with_capacity(256 * 1024, file),
            received: 0,
            error: None,
        };
        let config = self.fetch_config();
        let fetched = inner
            .fetcher
            .fetch_streaming(url, &config, STALL, &mut |piece| download.take(piece))
            .await;
        if let Some(e) = download.error.take() {
            return Err(e);
        }
        fetched?;
        inner
            .status
            .send_modify(|s| s.state = UpdatePhase::Verifying);
        let Some((manifest, check)) = download.header.take() else {
            return Err(UpdateError::HeaderTruncated(download.prefix.len()));
        };
        check.finish()?;
        let file = download.file.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        drop(file);
        inner
            .status
            .send_modify(|s| s.state = UpdatePhase::Installing);
        let unpack_dir = dir.clone();
        let slot_name = target.name();
        tokio::task::spawn_blocking(move || unpack(slot_name, &unpack_dir, &payload_path))
            .await
            .map_err(|e| UpdateError::BadPayload(e.to_string()))??;
        // The manifest is written last: it is what makes the slot count as installed.
        crate::store::write_atomic(
            &dir.join("manifest.json"),
            &serde_json::to_vec_pretty(&manifest).unwrap_or_default(),
        )
        .map_err(io)?;
        inner.slots.set_pending(target)?;
        Ok(manifest)
    }

    /// Reports this slot healthy once the web server answers and the engine runs, if
    /// it is on trial.
    pub fn report_health_when_ready(&self, engine: EngineHandle, http: SocketAddr) {
        if self.inner.recovery {
            self.recover(engine);
            return;
        }
        if self.inner.slots.load().pending != Some(self.inner.slot) {
            // Power was lost between the intermediate's health and the next step.
            if self.inner.slots.route().is_some() {
                let this = self.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(HEALTHY_AFTER).await;
                    this.continue_route();
                });
            }
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(HEALTHY_AFTER).await;
            let inner = &this.inner;
            if engine.settings().await.is_err() || !web_answers(http).await {
                tracing::warn!("update: slot {} is not healthy", inner.slot.name());
                return;
            }
            match inner.slots.commit(inner.slot, now_ms()) {
                Ok(true) => {
                    tracing::info!(
                        "update: slot {} reported healthy: it is the active slot",
                        inner.slot.name()
                    );
                    let last = inner.slots.load().last_outcome.map(outcome);
                    inner.status.send_modify(|s| s.last = last);
                    this.continue_route();
                }
                Ok(false) => {}
                Err(e) => tracing::warn!("update: {e}"),
            }
        });
    }
}

impl Updater {
    /// Network recovery (F2): the active slot could not start, so the installed
    /// program runs and installs the known-good image `firmware_recovery_url` names
    /// into the slot that failed; the phone then restarts into it on trial.
    fn recover(&self, engine: EngineHandle) {
        let this = self.clone();
        tokio::spawn(async move {
            let url = match engine.settings().await {
                Ok(settings) => settings
                    .value(deskphone_settings::keys::firmware_recovery_url)
                    .trim()
                    .to_owned(),
                Err(_) => return,
            };
            if url.is_empty() {
                tracing::warn!(
                    "update: network recovery needs firmware_recovery_url: the installed program keeps running"
                );
                let message = "the installed firmware could not start, and no recovery image is configured (firmware_recovery_url): running the program the phone was installed with".to_owned();
                this.inner.status.send_modify(|s| {
                    s.last = Some(UpdateOutcome {
                        ok: false,
                        message,
                        at_ms: now_ms(),
                    });
                });
                return;
            }
            tracing::warn!("update: network recovery from {url}");
            if let Err(e) = this.begin(&url) {
                tracing::warn!("update: network recovery from {url}: {e}");
            }
        });
    }
}

fn outcome(saved: SavedOutcome) -> UpdateOutcome {
    UpdateOutcome {
        ok: saved.ok,
        message: saved.message,
        at_ms: saved.at_ms,
    }
}

/// Whether this phone's own web server answers a request.
async fn web_answers(mut http: SocketAddr) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    if http.ip().is_unspecified() {
        http.set_ip(if http.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    let ask = async {
        let mut stream = tokio::net::TcpStream::connect(http).await.ok()?;
        stream
            .write_all(b"GET /api/session HTTP/1.0\r\nHost: localhost\r\n\r\n")
            .await
            .ok()?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.ok()?;
        Some(answer.starts_with(b"HTTP/1.0 200") || answer.starts_with(b"HTTP/1.1 200"))
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(5), ask).await,
        Ok(Some(true))
    )
}

/// One download: the header is read and checked first, then the payload goes to the
/// slot's file while it is hashed.
struct Download<'a> {
    /// The slot being written, for error messages.
    slot: &'static str,
    recovery: bool,
    key: &'a deskphone_firmware::ed25519_dalek::VerifyingKey,
    model: &'a str,
    running: &'a Running,
    status: &'a watch::Sender<UpdateStatus>,
    prefix: Vec<u8>,
    header: Option<(Manifest, PayloadCheck)>,
    file: std::io::BufWriter<std::fs::File>,
    received: u64,
    error: Option<UpdateError>,
}

impl Download<'_> {
    fn take(&mut self, piece: &[u8]) -> Result<(), ()> {
        self.received += piece.len() as u64;
        let result = self.take_inner(piece);
        let total = self
            .header
            .as_ref()
            .map(|(m, _)| m.payload_size + self.prefix.len() as u64);
        let bytes = self.received;
        self.status.send_if_modified(|s| {
            // Progress shows in steps of 64 KiB: the state is not rewritten per piece.
            let report = match &s.state {
                UpdatePhase::Downloading { bytes: shown, .. } => {
                    bytes - shown >= 64 * 1024 || Some(bytes) == total
                }
                _ => false,
            };
            if report {
                s.state = UpdatePhase::Downloading { bytes, total };
            }
            report
        });
        result.map_err(|e| {
            self.error = Some(e);
        })
    }

    fn take_inner(&mut self, piece: &[u8]) -> Result<(), UpdateError> {
        let payload = match &mut self.header {
            Some((_, check)) => {
                check.update(piece)?;
                piece
            }
            None => {
                self.prefix.extend_from_slice(piece);
                let Some(header) = Header::parse(&self.prefix)? else {
                    return Ok(());
                };
                let manifest = if self.recovery {
                    header.verify_for_recovery(self.key, self.model)?.clone()
                } else {
                    header.verify(self.key, self.model, self.running)?.clone()
                };
                let mut check = PayloadCheck::new(&manifest);
                let rest = self.prefix.split_off(header.len);
                check.update(&rest)?;
                self.header = Some((manifest, check));
                let slot = self.slot;
                self.file
                    .write_all(&rest)
                    .map_err(|source| UpdateError::Io { slot, source })?;
                return Ok(());
            }
        };
        let slot = self.slot;
        self.file
            .write_all(payload)
            .map_err(|source| UpdateError::Io { slot, source })
    }
}

/// Unpacks a verified payload (`deskphone` and `ui/…`) into its slot and syncs every
/// file, then removes the archive.
fn unpack(slot: &'static str, dir: &Path, payload: &Path) -> Result<(), UpdateError> {
    let io = |source| UpdateError::Io { slot, source };
    let file = std::fs::File::open(payload).map_err(io)?;
    let mut archive = tar::Archive::new(std::io::BufReader::new(file));
    let mut written: Vec<PathBuf> = Vec::new();
    for entry in archive
        .entries()
        .map_err(|e| UpdateError::BadPayload(e.to_string()))?
    {
        let mut entry = entry.map_err(|e| UpdateError::BadPayload(e.to_string()))?;
        let kind = entry.header().entry_type();
        if !(kind.is_file() || kind.is_dir()) {
            return Err(UpdateError::BadPayload(format!(
                "{} is neither a file nor a folder",
                entry
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            )));
        }
        let path = entry
            .path()
            .map_err(|e| UpdateError::BadPayload(e.to_string()))?
            .into_owned();
        if path == Path::new("payload.tar") || path == Path::new("manifest.json") {
            return Err(UpdateError::BadPayload(format!(
                "{} is a name the slot keeps for itself",
                path.display()
            )));
        }
        // `unpack_in` refuses paths that would leave the slot (`..`, absolute).
        if !entry
            .unpack_in(dir)
            .map_err(|e| UpdateError::BadPayload(e.to_string()))?
        {
            return Err(UpdateError::BadPayload(format!(
                "{} points outside the slot",
                path.display()
            )));
        }
        if kind.is_file() {
            written.push(dir.join(&path));
        }
    }
    let program = dir.join("deskphone");
    if !program.is_file() {
        return Err(UpdateError::NoProgram);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).map_err(io)?;
    }
    for path in &written {
        std::fs::File::open(path)
            .and_then(|f| f.sync_all())
            .map_err(io)?;
    }
    std::fs::remove_file(payload).map_err(io)?;
    sync_dirs(dir).map_err(io)
}

fn sync_dirs(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            sync_dirs(&entry.path())?;
        }
    }
    std::fs::File::open(dir)?.sync_all()
}
