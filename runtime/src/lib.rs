//! The native runtime of the desk phone. `main.rs` is a thin shell over
//! [`run`]; the modules are usable alone (the end-to-end tests use
//! [`browser`]).

pub mod admin;
pub mod auth;
pub mod browser;
pub mod device;
pub mod diagnostics;
pub mod display;
pub mod engine;
pub mod framebuffer;
pub mod locate;
pub mod provisioning;
pub mod store;
pub mod tcp;
pub mod tls;
pub mod unreachable;
pub mod update;
pub mod web;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use deskphone_media::{AudioBackend, DeviceBackend, SimulatedInput, SimulatorBackend};

/// Command-line options. The first four are relied on by scripts and
/// monitoring: keep them stable.
#[derive(Debug, clap::Parser)]
#[command(
    name = "deskphone",
    version,
    about = "Desk IP phone runtime (simulator when no hardware is configured)"
)]
pub struct Options {
    /// Folder for settings, recordings and the browser engine's profile.
    #[arg(long, default_value = "deskphone-data")]
    pub data_dir: PathBuf,
    /// Address and port of the web UI and API.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub http: SocketAddr,
    /// Address and port of the SIP UDP transport.
    #[arg(long, default_value = "127.0.0.1:5060")]
    pub sip: SocketAddr,
    /// Phone model (DP480C, DP320C, DP128M).
    #[arg(long, default_value = deskphone_settings::models::DEFAULT_MODEL)]
    pub model: String,
    /// Folder of the UI bundle (`cargo xtask build-ui`).
    #[arg(long, env = "DESKPHONE_UI_DIR", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/ui"))]
    pub ui_dir: PathBuf,
    /// Audio: `sim` (file/tone in, WAV recordings out) or `device` (sound card).
    #[arg(long, value_enum, default_value = "sim")]
    pub audio: AudioChoice,
    /// What the simulated microphone sends: `silence`, `tone:HZ` or `wav:PATH`.
    #[arg(long, default_value = "silence", value_parser = parse_sim_input)]
    pub sim_input: SimInput,
    /// Display engine: `native` (the screen's components painted in-process by Blitz;
    /// needs no browser) or `chromium` (headless Chromium showing /phone, for
    /// comparison; see --browser).
    #[arg(long, value_enum, default_value = "native")]
    pub display: display::DisplayChoice,
    /// Browser binary of the `chromium` display engine (default: chromium where installed).
    #[arg(long)]
    pub browser: Option<PathBuf>,
    /// DNS server for SIP server names (default: the system's resolv.conf).
    #[arg(long, value_name = "ADDR:PORT")]
    pub dns: Option<SocketAddr>,
    /// Also trust the CA certificates in this PEM file for SIP over TLS (tests).
    #[arg(long, value_name = "PATH")]
    pub trust_ca: Option<PathBuf>,
    /// Run without the display engine.
    #[arg(long)]
    pub no_display: bool,
    /// Framebuffer device to copy frames to (e.g. /dev/fb0).
    #[arg(long)]
    pub framebuffer: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "xrgb8888")]
    pub framebuffer_format: framebuffer::PixelFormat,
    /// Set a setting at start, as if saved in the web UI: `name=value` or
    /// `name[idx]=value`. May be repeated.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// The web server's admin password (R3). Prefer the environment variable or
    /// --admin-password-file: other users of the machine can read a command line.
    /// Applied when it differs from the one applied last, so a password changed in the
    /// web UI survives restarts with the same arguments. Without any, a phone with no
    /// saved password generates one, prints it once and shows it on its screen.
    #[arg(long, env = "DESKPHONE_ADMIN_PASSWORD", hide_env_values = true, value_parser = parse_secret)]
    pub admin_password: Option<auth::credentials::Secret>,
    /// Read the admin password from the first line of this file.
    #[arg(long, value_name = "PATH")]
    pub admin_password_file: Option<PathBuf>,
    /// The A/B slot this program runs as (`update::launcher::launch` decides).
    #[arg(skip)]
    pub slot: Option<update::slots::Slot>,
}

fn parse_secret(s: &str) -> Result<auth::credentials::Secret, String> {
    if s.is_empty() {
        return Err("the admin password must not be empty".into());
    }
    Ok(auth::credentials::Secret::new(s))
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum AudioChoice {
    Sim,
    Device,
}

#[derive(Clone, Debug)]
pub enum SimInput {
    Silence,
    Tone(f32),
    Wav(PathBuf),
}

fn parse_sim_input(s: &str) -> Result<SimInput, String> {
    if s == "silence" {
        return Ok(SimInput::Silence);
    }
    if let Some(hz) = s.strip_prefix("tone:") {
        return match hz.parse::<f32>() {
            Ok(f) if f > 0.0 && f < 4000.0 => Ok(SimInput::Tone(f)),
            _ => Err(format!("`{hz}` is not a frequency between 0 and 4000 Hz")),
        };
    }
    if let Some(path) = s.strip_prefix("wav:") {
        return Ok(SimInput::Wav(PathBuf::from(path)));
    }
    Err("expected silence, tone:HZ or wav:PATH".into())
}

/// How a phone's run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// Ctrl-C or SIGTERM.
    Stopped,
    /// The phone was asked to reboot (check-sync with `reboot=true`): the
    /// caller starts the program again.
    Reboot,
}

/// Runs a phone until Ctrl-C, SIGTERM or a requested reboot.
pub async fn run(options: Options) -> anyhow::Result<Ending> {
    let model = deskphone_settings::models::model(&options.model)
        .with_context(|| format!("unknown model `{}`", options.model))?;
    std::fs::create_dir_all(&options.data_dir)
        .with_context(|| format!("cannot create {}", options.data_dir.display()))?;
    let data_dir = std::fs::canonicalize(&options.data_dir)?;

    let store = store::SettingsStore::new(&data_dir);
    let mut settings = store.load()?;
    if !options.set.is_empty() {
        let pairs = options
            .set
            .iter()
            .map(|kv| {
                kv.split_once('=')
                    .with_context(|| format!("--set {kv}: expected KEY=VALUE"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        settings.apply(pairs, model.name).context("--set")?;
        store.save(&settings)?;
    }
    let given = match (&options.admin_password, &options.admin_password_file) {
        (Some(_), Some(_)) => anyhow::bail!(
            "the admin password is given twice (--admin-password or DESKPHONE_ADMIN_PASSWORD, and --admin-password-file)"
        ),
        (Some(p), None) => Some(auth::credentials::GivenPassword::Value(p.clone())),
        (None, Some(path)) => Some(auth::credentials::GivenPassword::File(path.clone())),
        (None, None) => None,
    };
    let settled = auth::credentials::settle_admin_password(
        &mut settings,
        given.as_ref(),
        &data_dir,
        model.name,
    )?;
    if settled.changed {
        store.save(&settings)?;
    }
    if let Some(password) = &settled.newly_generated {
        // The one place a secret is printed (R3): the operator needs it to log in. It
        // stays on the phone's own screen until changed, and is never printed again.
        eprintln!(
            "deskphone: generated web admin password for user `{}`: {} (shown on the phone's screen until changed)",
            settings.web_credentials().admin_user,
            password.expose()
        );
    }

    let audio: Arc<dyn AudioBackend> = match options.audio {
        AudioChoice::Device => Arc::new(DeviceBackend::new()),
        AudioChoice::Sim => {
            let input = match &options.sim_input {
                SimInput::Silence => SimulatedInput::Silence,
                SimInput::Tone(f) => SimulatedInput::Tone {
                    frequency_hz: *f,
                    amplitude: 0.5,
                },
                SimInput::Wav(p) => SimulatedInput::WavFile(p.clone()),
            };
            Arc::new(SimulatorBackend::new(input, data_dir.join("recordings")))
        }
    };

    let sip_socket = tokio::net::UdpSocket::bind(options.sip)
        .await
        .with_context(|| format!("cannot bind SIP to {}", options.sip))?;
    let sip_addr = sip_socket.local_addr()?;
    let locator = match options.dns {
        Some(server) => locate::Locator::with_server(server).map_err(anyhow::Error::msg)?,
        None => locate::Locator::system()
            .or_else(|e| {
                // Calls by IP address still work; names will not resolve.
                tracing::warn!("no DNS: {e}");
                locate::Locator::without_dns()
            })
            .map_err(anyhow::Error::msg)?,
    };
    let tls = tls::connector(options.trust_ca.as_deref()).map_err(anyhow::Error::msg)?;
    let listener = tokio::net::TcpListener::bind(options.http)
        .await
        .with_context(|| format!("cannot bind the web server to {}", options.http))?;
    let http_addr = listener.local_addr()?;
    let mac = device::simulator_mac(&data_dir)?;
    let slot = options.slot.unwrap_or(update::slots::Slot::A);
    let slots = update::slots::Slots::new(&data_dir);
    let mut device = device::info(model.name, mac, engine::now_ms(), http_addr, sip_addr);
    device.firmware_version = update::slots::running_firmware(&slots, slot)
        .version
        .to_string();
    // A program started from a slot serves the UI bundle installed with it.
    let ui_dir = if std::env::var_os(update::launcher::SLOT_ENV).is_some() {
        slots.dir(slot).join("ui")
    } else {
        options.ui_dir.clone()
    };
    let provisioning_fetcher = provisioning::fetch::Fetcher::new(
        locator.clone(),
        tls::root_store(options.trust_ca.as_deref()).map_err(anyhow::Error::msg)?,
    );
    let engine = engine::start(engine::EngineConfig {
        data_dir: data_dir.clone(),
        locator,
        sip_socket,
        model,
        audio: audio.clone(),
        settings,
        tls,
        device,
    })?;

    let updater = update::Updater::start(
        &data_dir,
        slot,
        model.name,
        provisioning_fetcher.clone(),
        engine.clone(),
    )
    .await?;
    updater.report_health_when_ready(engine.clone(), http_addr);

    // P2: fetched at start, on check-sync, by polling and by hand.
    let provisioning = provisioning::run::Provisioner {
        fetcher: provisioning_fetcher,
        engine: engine.clone(),
        model: model.name,
        mac: mac.0.iter().map(|b| format!("{b:02x}")).collect(),
    }
    .start();

    if !ui_dir.join("index.html").exists() {
        tracing::warn!(
            "no UI bundle in {} (run `cargo xtask build-ui`); the API still works",
            ui_dir.display()
        );
    }
    let frames = display::FrameStore::default();
    let auth = auth::Auth::new(
        engine.web_credentials(),
        settled.still_generated,
        data_dir.clone(),
    )?;
    let app = web::router(
        web::AppState {
            engine: engine.clone(),
            frames: frames.clone(),
            provisioning,
            auth: auth.clone(),
            updater: updater.clone(),
        },
        ui_dir,
    );

    if options.no_display {
        tracing::info!("display engine off (--no-display)");
    } else {
        let config = display::DisplayConfig {
            engine: options.display,
            browser: options.browser.clone(),
            // The fragment stays in the browser: the page passes the token on its
            // WebSocket, and no log or request line of a page load carries it.
            url: format!(
                "http://{http_addr}/phone#{}={}",
                auth::DISPLAY_TOKEN_PARAM,
                auth.display_token()
            ),
            width: model.display_width,
            height: model.display_height,
            profile_dir: data_dir.join("display-engine-profile"),
            framebuffer: options
                .framebuffer
                .clone()
                .map(|path| framebuffer::Framebuffer {
                    path,
                    format: options.framebuffer_format,
                }),
            generated_password: auth.generated_password(),
        };
        tokio::spawn(display::run(config, engine.clone(), frames));
    }

    tracing::info!("firmware {} from slot {}", updater.version(), slot.name());
    println!(
        "deskphone {} ready: web http://{http_addr}/ screen http://{http_addr}/phone sip udp {sip_addr} audio {} data {}",
        model.name,
        audio.describe(),
        data_dir.display()
    );
    let reboot = reboot_requested(engine.subscribe());
    let ending = tokio::select! {
        served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown_signal()) => {
            served?;
            Ending::Stopped
        }
        () = reboot => {
            tracing::warn!("check-sync asked for a reboot: restarting");
            Ending::Reboot
        }
        () = updater.reboot_requested() => Ending::Reboot,
    };
    // Best effort: the registrars forget this phone's bindings (RFC 3261 §10.2.2).
    engine.shutdown().await;
    Ok(ending)
}

/// Resolves when the phone's state says a reboot was requested.
async fn reboot_requested(mut states: tokio::sync::watch::Receiver<engine::Published>) {
    loop {
        if states.borrow_and_update().state.reboot_requested {
            return;
        }
        if states.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
