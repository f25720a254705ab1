//! Customisation packages (F3, U2): company name, colours, logo, wallpaper, ringtones
//! and language files replaced by one checked package, uploaded on the web UI
//! (`POST /api/customisation`) or named by a provisioning file's `<uploads>`; the
//! `custom_bg_image_url` wallpaper. `package` checks (pure), `store` keeps the one in
//! use on disk (all or nothing), this module runs the checks off the engine and the web
//! server's threads and reports the outcome in `PhoneState::customisation`.

pub mod package;
pub mod store;
pub mod web;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use deskphone_protocol::{CustomisationOutcome, CustomisationState, ProvisioningResult};
use deskphone_settings::keys;
use deskphone_settings::models::Model;
use tokio::sync::{Semaphore, watch};

use crate::engine::{EngineHandle, now_ms};
use crate::provisioning::fetch::{FetchConfig, FetchError, Fetcher, Timeouts};
use package::{CheckedPackage, KnownLanguages, PackageError};
use store::{Installed, Store};

/// Where an upload came from, for the outcome.
pub const WEB_UPLOAD: &str = "web upload";

/// `<uploads><file type="…"/>` types that name a whole customisation package.
const PACKAGE_UPLOAD_KINDS: &[&str] = &["customisation", "custom", "package"];

#[derive(Debug, thiserror::Error)]
pub enum CustomiseError {
    #[error("{0}")]
    Package(#[from] PackageError),
    #[error("another package is being checked; try again in a moment")]
    Busy,
    #[error("cannot store the package: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Fetch(#[from] FetchError),
    #[error("the check stopped unexpectedly")]
    Interrupted,
}

struct Inner {
    store: Store,
    model: &'static Model,
    known: KnownLanguages,
    ui_dir: PathBuf,
    fetcher: Fetcher,
    /// One package is checked at a time: a second upload meanwhile is refused, so a
    /// flood of hostile uploads cannot take every blocking thread.
    checking: Semaphore,
    status: watch::Sender<CustomisationState>,
    engine: EngineHandle,
}

/// The customisation side of the phone; cheap to clone.
#[derive(Clone)]
pub struct Customiser {
    inner: Arc<Inner>,
}

impl Customiser {
    /// Loads the package in use (removing what an interrupted install left), publishes
    /// it in the state, and starts following provisioning's `<uploads>` and
    /// `custom_bg_image_url`.
    pub async fn start(
        data_dir: &Path,
        model: &'static Model,
        ui_dir: &Path,
        fetcher: Fetcher,
        engine: EngineHandle,
    ) -> Customiser {
        let store = Store::new(data_dir);
        let installed = tokio::task::spawn_blocking({
            let store = store.clone();
            move || store.load()
        })
        .await
        .unwrap_or_default();
        let known = known_languages(ui_dir);
        let (status, mut changes) = watch::channel(state_of(&installed));
        let this = Customiser {
            inner: Arc::new(Inner {
                engine: engine.clone(),
                store,
                model,
                known,
                ui_dir: ui_dir.to_owned(),
                fetcher,
                checking: Semaphore::new(1),
                status,
            }),
        };
        let initial = changes.borrow_and_update().clone();
        engine.set_customisation_state(initial).await;
        let forward = engine.clone();
        tokio::spawn(async move {
            while changes.changed().await.is_ok() {
                let current = changes.borrow_and_update().clone();
                forward.set_customisation_state(current).await;
            }
        });
        tokio::spawn(this.clone().follow(engine));
        this
    }

    /// Waits (briefly) until the published state shows the customisation as it is
    /// now, so that an answer to an upload and `/api/state` after it agree.
    async fn published(&self) {
        let engine = &self.inner.engine;
        let want = self.inner.status.borrow().clone();
        let mut states = engine.subscribe();
        let _ = tokio::time::timeout(
            Duration::from_secs(2),
            states.wait_for(|p| p.state.customisation == want),
        )
        .await;
    }

    /// Checks `bytes` as a package and, when every check passed, makes it the one in
    /// use. A refused package changes nothing.
    pub async fn install(
        &self,
        bytes: Vec<u8>,
        source: &str,
    ) -> Result<CustomisationState, CustomiseError> {
        let _permit = self
            .inner
            .checking
            .try_acquire()
            .map_err(|_| CustomiseError::Busy)?;
        self.inner.status.send_modify(|s| s.checking = true);
        let result = self.check_and_store(bytes).await;
        let result = self.finish(source, result);
        self.published().await;
        result
    }

    /// Checks `bytes` as a package without storing anything: what the web UI's preview
    /// shows before the package is applied.
    pub async fn check_only(&self, bytes: Vec<u8>) -> Result<CheckedPackage, CustomiseError> {
        let _permit = self
            .inner
            .checking
            .try_acquire()
            .map_err(|_| CustomiseError::Busy)?;
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || Ok(package::check(&bytes, inner.model, &inner.known)?))
            .await
            .map_err(|_| CustomiseError::Interrupted)?
    }

    async fn check_and_store(&self, bytes: Vec<u8>) -> Result<CheckedPackage, CustomiseError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let checked = package::check(&bytes, inner.model, &inner.known)?;
            inner.store.install(&checked)?;
            Ok(checked)
        })
        .await
        .map_err(|_| CustomiseError::Interrupted)?
    }

    /// Puts the outcome into the state and the log.
    fn finish(
        &self,
        source: &str,
        result: Result<CheckedPackage, CustomiseError>,
    ) -> Result<CustomisationState, CustomiseError> {
        let (ok, message) = match &result {
            Ok(p) => (true, format!("package “{}” ({}) in use", p.name, p.id)),
            Err(e) => (false, e.to_string()),
        };
        if ok {
            tracing::info!("customisation from {source}: {message}");
        } else {
            tracing::warn!("customisation from {source} refused: {message}");
        }
        let installed = self.inner.store.load();
        let outcome = CustomisationOutcome {
            ok,
            source: source.to_owned(),
            message,
            at_ms: now_ms(),
        };
        self.inner.status.send_modify(|s| {
            *s = CustomisationState {
                checking: false,
                last: Some(outcome),
                ..state_of(&installed)
            };
        });
        result.map(|_| self.inner.status.borrow().clone())
    }

    /// Back to the product's own look: the package in use is removed.
    pub async fn reset(&self) -> Result<CustomisationState, CustomiseError> {
        let _permit = self
            .inner
            .checking
            .try_acquire()
            .map_err(|_| CustomiseError::Busy)?;
        let store = self.inner.store.clone();
        tokio::task::spawn_blocking(move || store.remove_package())
            .await
            .map_err(|_| CustomiseError::Interrupted)??;
        let installed = self.inner.store.load();
        self.inner.status.send_modify(|s| {
            *s = CustomisationState {
                last: Some(CustomisationOutcome {
                    ok: true,
                    source: WEB_UPLOAD.into(),
                    message: "the default look is back".into(),
                    at_ms: now_ms(),
                }),
                ..state_of(&installed)
            }
        });
        self.published().await;
        Ok(self.inner.status.borrow().clone())
    }

    /// The product's default files as a package (`GET /api/customisation/default`):
    /// the language files and logo of the running UI bundle, the company name and the
    /// screen's colours.
    pub fn default_package(&self) -> std::io::Result<Vec<u8>> {
        default_package(&self.inner.ui_dir, self.inner.model)
    }

    /// A stored file of the package in use (`GET /custom/<id>/<file>`).
    pub fn file(&self, id: &str, name: &str) -> Option<(Vec<u8>, &'static str)> {
        self.inner.store.file(id, name)
    }

    /// Follows provisioning's `<uploads>` and the `custom_bg_image_url` setting.
    async fn follow(self, engine: EngineHandle) {
        let mut states = engine.subscribe();
        let mut seen_run = None;
        let mut background = None::<String>;
        loop {
            let (run, uploads, url) = {
                let published = states.borrow_and_update();
                let state = &published.state;
                let run = state.provisioning.last.as_ref().and_then(|l| {
                    matches!(l.result, ProvisioningResult::Ok { .. }).then_some(l.finished_at_ms)
                });
                (
                    run,
                    state.provisioning.queued_uploads.clone(),
                    state
                        .settings
                        .get(keys::custom_bg_image_url.wire())
                        .cloned()
                        .unwrap_or_default(),
                )
            };
            if run.is_some() && run != seen_run {
                seen_run = run;
                for upload in uploads {
                    if PACKAGE_UPLOAD_KINDS.contains(&upload.kind.as_str()) {
                        self.install_from(&upload.url).await;
                    }
                }
            }
            let url = url.trim().to_owned();
            if background.as_deref() != Some(url.as_str()) {
                background = Some(url.clone());
                self.set_background(&url).await;
            }
            if states.changed().await.is_err() {
                return;
            }
        }
    }

    /// Fetches a package a provisioning file named and installs it; the outcome is in
    /// the state.
    async fn install_from(&self, url: &str) {
        let config = fetch_config(package::MAX_PACKAGE_BYTES);
        self.inner.status.send_modify(|s| s.checking = true);
        match self.inner.fetcher.fetch(url, &config).await {
            Ok(fetched) => {
                if let Err(CustomiseError::Busy) = self.install(fetched.body, url).await {
                    // A web upload is being checked; that one decides.
                    tracing::warn!("customisation from {url}: {}", CustomiseError::Busy);
                }
            }
            Err(e) => {
                let _ = self.finish(url, Err(e.into()));
            }
        }
    }

    /// `custom_bg_image_url`: fetched with a size and time bound, checked like a
    /// package's wallpaper off the engine, and shown instead of the package's; an
    /// invalid, unreachable or oversized image leaves the wallpaper as it was (U2).
    async fn set_background(&self, url: &str) {
        let source = keys::custom_bg_image_url.wire();
        if url.is_empty() {
            let store = self.inner.store.clone();
            let _ = tokio::task::spawn_blocking(move || store.remove_background()).await;
            let installed = self.inner.store.load();
            self.inner.status.send_modify(|s| {
                s.wallpaper = state_of(&installed).wallpaper;
            });
            return;
        }
        let config = fetch_config(package::MAX_WALLPAPER_BYTES as usize);
        let result = match self.inner.fetcher.fetch(url, &config).await {
            Ok(fetched) => {
                let inner = self.inner.clone();
                tokio::task::spawn_blocking(move || {
                    let ext = package::check_wallpaper("the image", &fetched.body, inner.model)?;
                    inner.store.install_background(&fetched.body, ext)?;
                    Ok::<_, CustomiseError>(())
                })
                .await
                .unwrap_or(Err(CustomiseError::Interrupted))
            }
            Err(e) => Err(e.into()),
        };
        let (ok, message) = match &result {
            Ok(()) => (true, format!("wallpaper from {url}")),
            Err(e) => (false, format!("{url}: {e}")),
        };
        if !ok {
            tracing::warn!("custom_bg_image_url refused: {message}");
        }
        let installed = self.inner.store.load();
        self.inner.status.send_modify(|s| {
            s.wallpaper = state_of(&installed).wallpaper;
            s.last = Some(CustomisationOutcome {
                ok,
                source: source.to_owned(),
                message,
                at_ms: now_ms(),
            });
        });
    }
}

fn fetch_config(max_bytes: usize) -> FetchConfig {
    FetchConfig {
        timeouts: Timeouts {
            connect: Duration::from_secs(10),
            transfer: Duration::from_secs(30),
        },
        host_name_validation_flags: 0,
        max_bytes,
        user_agent: format!("deskphone/{}", env!("CARGO_PKG_VERSION")),
    }
}

/// What the state shows for what is installed.
fn state_of(installed: &Installed) -> CustomisationState {
    let mut state = CustomisationState::default();
    if let Some(p) = &installed.package {
        let path = |name: &str| format!("/custom/{}/{name}", p.id);
        state.id = Some(p.id.clone());
        state.name = p.name.clone();
        state.company_name = p.company_name.clone();
        state.colours = p.colours.clone();
        state.logo = p.logo.as_deref().map(path);
        state.wallpaper = p.wallpaper.as_deref().map(path);
        state.ringtones = p.ringtones.clone();
        state.languages = p.languages.clone();
    }
    if let Some(bg) = &installed.background {
        state.wallpaper = Some(format!("/custom/{}/{}", bg.id, bg.file));
    }
    state
}

/// The en-US language files of the UI bundle: the names and ids a package's language
/// file may use.
fn known_languages(ui_dir: &Path) -> KnownLanguages {
    let dir = ui_dir.join("translations/en-US");
    let files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".ftl") {
                return None;
            }
            Some((name, std::fs::read_to_string(e.path()).ok()?))
        })
        .collect();
    if files.is_empty() {
        tracing::warn!(
            "no language files in {}: uploaded language files are checked for syntax only",
            dir.display()
        );
    }
    KnownLanguages::from_files(files.iter().map(|(n, t)| (n.as_str(), t.as_str())))
}

/// The colours of the phone's screen (`public/style.css`, `#phone-screen`).
pub const DEFAULT_COLOURS: (&str, &str, &str) = ("#0b1220", "#eef2f8", "#5cc8ff");

fn default_package(ui_dir: &Path, model: &Model) -> std::io::Result<Vec<u8>> {
    let mut files = Vec::new();
    let mut languages = Vec::new();
    for locale in package::LOCALES {
        let dir = ui_dir.join("translations").join(locale);
        let mut names: Vec<String> = std::fs::read_dir(&dir)?
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".ftl"))
            .collect();
        names.sort();
        for name in names {
            let path = format!("lang/{locale}/{name}");
            files.push((path.clone(), std::fs::read(dir.join(&name))?));
            languages.push(path);
        }
    }
    let logo = std::fs::read(ui_dir.join("branding/logo.svg"))?;
    files.push(("logo.svg".to_owned(), logo));
    let company = std::fs::read_to_string(ui_dir.join("branding/company.ftl"))
        .ok()
        .and_then(|text| {
            text.lines().find_map(|l| {
                l.strip_prefix("-company-name =")
                    .map(|v| v.trim().to_owned())
            })
        });
    let manifest = package::Manifest {
        format: 1,
        name: "Default".into(),
        models: vec![model.name.to_owned()],
        company_name: company,
        colours: Some(deskphone_protocol::Colours {
            background: DEFAULT_COLOURS.0.into(),
            text: DEFAULT_COLOURS.1.into(),
            accent: DEFAULT_COLOURS.2.into(),
        }),
        logo: Some("logo.svg".into()),
        wallpaper: None,
        ringtones: Default::default(),
        languages,
    };
    package::build(&manifest, &files)
}
