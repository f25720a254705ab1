//! The engine: one task that owns the SIP core, the UDP socket, the media
//! sessions and the [`Phone`]. Everything else (web server, display
//! engine, command URLs) talks to it through [`EngineHandle`]: requests in,
//! state snapshots out.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use deskphone_media::negotiate::{self, LocalMedia, MediaPlan};
use deskphone_media::{AudioBackend, Codec, MediaEvent, RtpSession};
use deskphone_protocol::{
    CallQuality, DisplayEngineState, EndReason, PhoneState, ProvisioningState, RegistrationState,
};
use deskphone_settings::models::Model;
use deskphone_settings::web_access::WebCredentials;
use deskphone_settings::{IdentityAccount, SettingError, SettingValues};
use deskphone_sip::sdp::{Direction, SessionDescription};
use deskphone_sip::{
    CallHandle, CallOptions, Credentials, Event, FailoverPolicy, FailoverResponse,
    FailoverResponses, OutgoingCall, Referral, Registration, RegistrationHandle, Transport,
    UaConfig, UserAgent,
};
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot, watch};

use deskphone_phone::{CallId, IncomingCall, Key, KeyError, Phone};

use crate::locate::Locator;
use crate::store::{SettingsStore, StoreError};
use crate::tcp::{Tcp, TcpEvent};

mod calls;
mod media;
mod notices;
mod persist;
use crate::unreachable;

/// A state as published to observers, numbered so that a UI can say which
/// state it shows (the display engine waits for the frame of a given seq).
#[derive(Clone, Debug)]
pub struct Published {
    pub seq: u64,
    pub state: Arc<PhoneState>,
}

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("unknown key `{0}`")]
    UnknownKey(String),
    #[error("{0}")]
    BadRequest(String),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    InvalidSetting(#[from] SettingError),
    #[error(transparent)]
    Save(#[from] StoreError),
    #[error("cannot call {target}: {reason}")]
    Dial { target: String, reason: String },
    #[error("cannot send a message to {target}: {reason}")]
    Message { target: String, reason: String },
    #[error("the phone is shutting down")]
    Stopped,
}

enum Request {
    Key {
        name: String,
        long: bool,
        reply: oneshot::Sender<Result<(), CommandError>>,
    },
    /// Dial a number, from the identity with this address (`outgoing_uri`) or the
    /// selected one.
    Dial {
        number: String,
        from: Option<String>,
        reply: oneshot::Sender<Result<(), CommandError>>,
    },
    /// Remote control (R1) beyond keys: `key_dtmf`, `RELEASE_ALL_CALLS`, `LOGOFFALL`,
    /// `REREGISTER`.
    Remote(Remote, oneshot::Sender<Result<(), CommandError>>),
    SendMessage {
        to: String,
        text: String,
        reply: oneshot::Sender<Result<(), CommandError>>,
    },
    SetSettings(
        BTreeMap<String, String>,
        oneshot::Sender<Result<(), CommandError>>,
    ),
    ResetSettings(Vec<String>, oneshot::Sender<Result<(), CommandError>>),
    RemoveIdentity(u16, oneshot::Sender<Result<(), CommandError>>),
    DisplayEngine(DisplayEngineState),
    Shutdown(oneshot::Sender<()>),
    /// The current settings, for tasks that act on them outside the engine.
    Settings(oneshot::Sender<SettingValues>),
    /// Applies validated provisioning files, all or nothing (P2, P6).
    ApplyProvisioning(
        Vec<ProvisionedFile>,
        oneshot::Sender<Result<ProvisioningApplied, CommandError>>,
    ),
    /// What the provisioning task reports for the state.
    ProvisioningState(ProvisioningState),
    /// What the update task reports for the state.
    UpdateState(deskphone_protocol::UpdateStatus),
}

/// What `/command.htm` asks besides keys and dialling (R1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Remote {
    /// `?key_dtmf=DIGITS`: DTMF in the connected call.
    Dtmf(String),
    /// `?RELEASE_ALL_CALLS`.
    ReleaseAllCalls,
    /// `?LOGOFFALL`: every identity logs off.
    LogOffAll,
    /// `?REREGISTER=n` (none or 0: every identity).
    Reregister(Option<u16>),
    /// Put a caller on the deny list (C3).
    Block(String),
    /// Take an entry off the deny list.
    Unblock(String),
}

/// One fetched and validated provisioning file.
pub struct ProvisionedFile {
    /// Where it came from (after redirects): the source of the values it sets.
    pub url: String,
    pub plan: deskphone_provisioning::Plan,
}

/// What applying provisioning files changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProvisioningApplied {
    /// Settings that took a new value.
    pub changed: u32,
    /// Settings left as they were because the user changed them and `perm` protects that.
    pub kept: u32,
    /// Phone book entries the files carried.
    pub contacts: u32,
}

/// The cheap, cloneable way to talk to the engine.
#[derive(Clone)]
pub struct EngineHandle {
    requests: mpsc::Sender<Request>,
    state: watch::Receiver<Published>,
    /// The web server's credentials as saved (R3; `crate::auth` follows them).
    web_credentials: watch::Receiver<WebCredentials>,
}

impl EngineHandle {
    async fn ask(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<(), CommandError>>) -> Request,
    ) -> Result<(), CommandError> {
        let (tx, rx) = oneshot::channel();
        self.requests
            .send(make(tx))
            .await
            .map_err(|_| CommandError::Stopped)?;
        rx.await.map_err(|_| CommandError::Stopped)?
    }

    pub async fn press_key(&self, name: &str) -> Result<(), CommandError> {
        self.ask(|reply| Request::Key {
            name: name.to_owned(),
            long: false,
            reply,
        })
        .await
    }

    /// A long press (C3: CANCEL on a ringing call blocks the caller when configured).
    pub async fn long_press_key(&self, name: &str) -> Result<(), CommandError> {
        self.ask(|reply| Request::Key {
            name: name.to_owned(),
            long: true,
            reply,
        })
        .await
    }

    /// `/command.htm` remote control beyond keys (R1).
    pub async fn remote(&self, remote: Remote) -> Result<(), CommandError> {
        self.ask(|tx| Request::Remote(remote, tx)).await
    }

    /// Send a text message (SIP MESSAGE) to a number or URI.
    pub async fn send_message(&self, to: &str, text: &str) -> Result<(), CommandError> {
        self.ask(|reply| Request::SendMessage {
            to: to.to_owned(),
            text: text.to_owned(),
            reply,
        })
        .await
    }

    pub async fn dial(&self, number: &str) -> Result<(), CommandError> {
        self.dial_from(number, None).await
    }

    /// Dial from the identity whose address is `from` (`outgoing_uri`).
    pub async fn dial_from(&self, number: &str, from: Option<&str>) -> Result<(), CommandError> {
        self.ask(|reply| Request::Dial {
            number: number.to_owned(),
            from: from.map(str::to_owned),
            reply,
        })
        .await
    }

    pub async fn set_settings(&self, values: BTreeMap<String, String>) -> Result<(), CommandError> {
        self.ask(|tx| Request::SetSettings(values, tx)).await
    }

    /// Resets settings to their defaults (`name` or `name[idx]`), all or none.
    pub async fn reset_settings(&self, keys: Vec<String>) -> Result<(), CommandError> {
        self.ask(|tx| Request::ResetSettings(keys, tx)).await
    }

    /// Removes an identity and the function keys bound to it (P8).
    pub async fn remove_identity(&self, identity: u16) -> Result<(), CommandError> {
        self.ask(|tx| Request::RemoveIdentity(identity, tx)).await
    }

    /// Unregisters every identity (best effort, a few seconds at most) and stops the
    /// engine.
    pub async fn shutdown(&self) {
        let (tx, rx) = oneshot::channel();
        if self.requests.send(Request::Shutdown(tx)).await.is_ok() {
            let _ = rx.await;
        }
    }

    pub async fn set_display_engine(&self, state: DisplayEngineState) {
        let _ = self.requests.send(Request::DisplayEngine(state)).await;
    }

    /// The current settings.
    pub async fn settings(&self) -> Result<SettingValues, CommandError> {
        let (tx, rx) = oneshot::channel();
        self.requests
            .send(Request::Settings(tx))
            .await
            .map_err(|_| CommandError::Stopped)?;
        rx.await.map_err(|_| CommandError::Stopped)
    }

    /// Applies validated provisioning files: every file or none.
    pub async fn apply_provisioning(
        &self,
        files: Vec<ProvisionedFile>,
    ) -> Result<ProvisioningApplied, CommandError> {
        let (tx, rx) = oneshot::channel();
        self.requests
            .send(Request::ApplyProvisioning(files, tx))
            .await
            .map_err(|_| CommandError::Stopped)?;
        rx.await.map_err(|_| CommandError::Stopped)?
    }

    /// Shows where provisioning stands in the state.
    pub async fn set_provisioning_state(&self, state: ProvisioningState) {
        let _ = self.requests.send(Request::ProvisioningState(state)).await;
    }

    /// Shows where a software update stands in the state.
    pub async fn set_update_state(&self, state: deskphone_protocol::UpdateStatus) {
        let _ = self.requests.send(Request::UpdateState(state)).await;
    }

    pub fn current(&self) -> Published {
        self.state.borrow().clone()
    }

    pub fn subscribe(&self) -> watch::Receiver<Published> {
        self.state.clone()
    }

    /// The web server's credentials, updated whenever saved settings change them.
    pub fn web_credentials(&self) -> watch::Receiver<WebCredentials> {
        self.web_credentials.clone()
    }
}

pub struct EngineConfig {
    pub data_dir: PathBuf,
    /// How SIP server names are looked up (RFC 3263).
    pub locator: Locator,
    pub sip_socket: UdpSocket,
    pub model: &'static Model,
    pub audio: Arc<dyn AudioBackend>,
    pub settings: SettingValues,
    /// How SIP over TLS connections are made and checked (`crate::tls`).
    pub tls: tokio_rustls::TlsConnector,
    /// The identity card the state carries (`crate::device`).
    pub device: deskphone_protocol::DeviceInfo,
}

/// Milliseconds since the Unix epoch, the phone's wall clock.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The phone book file in the data folder.
pub const PHONE_BOOK_FILE: &str = "phonebook.xml";

/// Duration of a DTMF digit sent in SIP INFO, as phones commonly send it.
const DTMF_INFO_DURATION_MS: u32 = 160;
/// `codec_priority_list`'s default (M1): narrowband first for the widest interop.
const DEFAULT_CODECS: &str = "pcmu,pcma,g722";

/// How long shutdown waits for the registrars to confirm the unregistrations.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// What an identity's registration is made of; any change means registering anew.
#[derive(Clone, Debug, PartialEq, Eq)]
struct LineConfig {
    account: IdentityAccount,
    /// `retry_after_failed_register`, seconds.
    retry: u32,
}

impl LineConfig {
    fn credentials(&self) -> Option<Credentials> {
        let a = &self.account;
        (!a.auth_user.is_empty()).then(|| Credentials::new(a.auth_user.clone(), a.password.clone()))
    }
}

/// Where an identity's requests go: the registrar, or its outbound proxy.
#[derive(Clone, Debug, PartialEq, Eq)]
struct LineRoute {
    registrar: SocketAddr,
    proxy: Option<SocketAddr>,
    /// S2: the next hop's further addresses, best first, for failover in the SIP core.
    alternates: Vec<SocketAddr>,
    /// How the next hop is reached: `;transport=tcp` in `user_outbound` (or `user_host`
    /// without an outbound proxy), else what DNS named (RFC 3263 §4.1).
    transport: Transport,
    /// The host of the next hop's URI, which its TLS certificate must name.
    server_name: String,
}

impl LineRoute {
    fn next_hop(&self) -> SocketAddr {
        self.proxy.unwrap_or(self.registrar)
    }

    /// Tells the core how to reach the next hop and its failover addresses.
    fn apply_transport(&self, ua: &mut UserAgent, tls: &mut Tcp) {
        for dest in std::iter::once(self.next_hop()).chain(self.alternates.iter().copied()) {
            ua.set_transport(dest, self.transport);
            if self.transport == Transport::Tls {
                tls.set_server_name(dest, &self.server_name);
            }
        }
    }
}

/// An identity that registers (`user_active` on, `user_host` set).
#[derive(Debug)]
struct Line {
    config: LineConfig,
    /// Known once the names are resolved.
    route: Option<LineRoute>,
    registration: Option<RegistrationHandle>,
    /// Tells the answer of the current resolution from that of an older configuration.
    generation: u64,
    /// When to resolve again after the names could not be resolved.
    retry_at: Option<Instant>,
}

/// The outcome of resolving an identity's registrar and outbound proxy.
struct Resolved {
    identity: u16,
    generation: u64,
    result: Result<LineRoute, String>,
}

/// Our side of a call's session (RFC 3264): the description we last sent, the base of the
/// next offer or answer (same origin and port, version + 1, §8), and an offer of ours
/// (hold, resume) waiting for its answer.
struct LocalSdp {
    current: SessionDescription,
    pending: Option<SessionDescription>,
}

/// The media of one call: its RTP socket until the call is answered, then
/// the running session.
enum CallMedia {
    /// RTP and, on the next port, RTCP (RFC 3550 §11).
    Ready(UdpSocket, Option<UdpSocket>),
    Running(RtpSession),
}

struct Engine {
    ua: UserAgent,
    locator: Locator,
    socket: UdpSocket,
    tcp: Tcp,
    /// SIP over TLS: outgoing connections only (`crate::tcp`).
    tls: Tcp,
    local_ip: IpAddr,
    phone: Phone,
    store: SettingsStore,
    /// The local phone book as provisioning delivered it (`<tbook>`), in its XML form.
    phone_book: PathBuf,
    audio: Arc<dyn AudioBackend>,
    /// The remote offer of each incoming call, until answered.
    offers: HashMap<CallHandle, Option<SessionDescription>>,
    local_sdp: HashMap<CallHandle, LocalSdp>,
    media: HashMap<CallHandle, CallMedia>,
    published: watch::Sender<Published>,
    web_credentials: watch::Sender<WebCredentials>,
    seq: u64,
    /// Identities that register, by index.
    lines: BTreeMap<u16, Line>,
    /// Registrations being removed, with their identity. A new registration of that
    /// identity waits for the removal, so that the registrar never sees them out of order.
    leaving: BTreeMap<RegistrationHandle, u16>,
    generation: u64,
    resolved: mpsc::Sender<Resolved>,
    /// What calls' media tasks report (RFC 4733 digits), by call.
    media_events: mpsc::UnboundedSender<(CallHandle, MediaEvent)>,
    /// Subscriptions of BLF keys and message waiting (`engine/notices.rs`).
    watches: notices::Watches,
    /// Set by shutdown: until when to wait for the unregistrations, and whom to tell.
    stopping: Option<(Instant, oneshot::Sender<()>)>,
    /// The phone's call ids and the SIP core's handles of the same calls.
    ids: calls::CallIds,
    /// Saves the call history and the deny list beside the engine (`engine/persist.rs`).
    persist: persist::Persist,
}

/// Starts the engine task and returns its handle.
pub fn start(config: EngineConfig) -> std::io::Result<EngineHandle> {
    let local = config.sip_socket.local_addr()?;
    let local_ip = if local.ip().is_unspecified() {
        tracing::warn!("SIP bound to {local}; advertising 127.0.0.1 in Contact and SDP");
        IpAddr::from([127, 0, 0, 1])
    } else {
        local.ip()
    };
    let advertised = SocketAddr::new(local_ip, local.port());
    let mut ua = UserAgent::new(UaConfig {
        local_addr: advertised,
        user_agent: format!("deskphone/{}", env!("CARGO_PKG_VERSION")),
        // Tags, Call-IDs, branches and cnonces from ChaCha20 seeded by the OS.
        rng_seed: None,
    });
    ua.set_failover(failover_policy(&config.settings));
    // S2: ICMP errors for our requests mean immediate failover.
    if let Err(e) = unreachable::watch(&config.sip_socket) {
        tracing::warn!("SIP socket: ICMP errors will not be seen: {e}");
    }
    let mut phone = Phone::new(config.model, config.settings, advertised.to_string());
    phone.device = config.device;
    let persist = persist::Persist::start(&config.data_dir, &mut phone);
    let first = Published {
        seq: 1,
        state: Arc::new(phone.snapshot(now_ms())),
    };
    let (published, state_rx) = watch::channel(first);
    let (web_credentials, credentials_rx) = watch::channel(phone.settings.web_credentials());
    let (requests, request_rx) = mpsc::channel(64);
    let (resolved, resolved_rx) = mpsc::channel(16);
    let (media_events, media_rx) = mpsc::unbounded_channel();
    let engine = Engine {
        ua,
        locator: config.locator,
        socket: config.sip_socket,
        // RFC 3261 §18: a UA listens on TCP wherever it listens on UDP.
        tcp: Tcp::bind(local),
        tls: Tcp::tls(config.tls),
        local_ip,
        phone,
        store: SettingsStore::new(&config.data_dir),
        phone_book: config.data_dir.join(PHONE_BOOK_FILE),
        audio: config.audio,
        offers: HashMap::new(),
        local_sdp: HashMap::new(),
        media: HashMap::new(),
        published,
        web_credentials,
        seq: 1,
        lines: BTreeMap::new(),
        leaving: BTreeMap::new(),
        generation: 0,
        resolved,
        media_events,
        watches: notices::Watches::default(),
        stopping: None,
        ids: calls::CallIds::default(),
        persist,
    };
    tokio::spawn(engine.run(request_rx, resolved_rx, media_rx));
    Ok(EngineHandle {
        requests,
        state: state_rx,
        web_credentials: credentials_rx,
    })
}

impl Engine {
    async fn run(
        mut self,
        mut requests: mpsc::Receiver<Request>,
        mut resolved: mpsc::Receiver<Resolved>,
        mut media_events: mpsc::UnboundedReceiver<(CallHandle, MediaEvent)>,
    ) {
        let mut buf = vec![0u8; 65_536];
        self.sync_lines(Instant::now());
        self.publish();
        loop {
            let deadline = [
                self.ua.poll_timeout(),
                self.line_deadline(),
                self.phone_deadline(),
            ]
            .into_iter()
            .flatten()
            .min();
            tokio::select! {
                received = self.socket.recv_from(&mut buf) => match received {
                    Ok((n, from)) => self.ua.handle_datagram(Instant::now(), from, &buf[..n]),
                    // A pending ICMP error surfaces here as ECONNREFUSED and takes the
                    // socket's wake-up with it, so the error queue is read right here
                    // (the branch below would only notice on a later error).
                    Err(e) => {
                        tracing::debug!("SIP socket: {e}");
                        match unreachable::drain(&self.socket) {
                            Ok(dests) => {
                                let now = Instant::now();
                                for dest in dests {
                                    tracing::info!("SIP: {dest} unreachable (ICMP)");
                                    self.ua.handle_transport_error(now, dest);
                                }
                            }
                            Err(e) => tracing::debug!("SIP socket error queue: {e}"),
                        }
                    }
                },
                found = unreachable::next(&self.socket) => match found {
                    Ok(dests) => {
                        let now = Instant::now();
                        for dest in dests {
                            tracing::info!("SIP: {dest} unreachable (ICMP)");
                            self.ua.handle_transport_error(now, dest);
                        }
                    }
                    Err(e) => tracing::debug!("SIP socket error queue: {e}"),
                },
                event = self.tcp.next() => {
                    let now = Instant::now();
                    match event {
                        TcpEvent::Message(from, message) => {
                            self.ua.handle_stream_message(now, Transport::Tcp, from, &message)
                        }
                        TcpEvent::Closed(peer) => self.ua.handle_stream_closed(peer),
                        TcpEvent::Failed(peer) => {
                            tracing::info!("SIP: {peer} unreachable over TCP");
                            self.ua.handle_stream_closed(peer);
                            self.ua.handle_transport_error(now, peer);
                        }
                    }
                }
                event = self.tls.next() => {
                    let now = Instant::now();
                    match event {
                        TcpEvent::Message(from, message) => {
                            self.ua.handle_stream_message(now, Transport::Tls, from, &message)
                        }
                        TcpEvent::Closed(peer) => self.ua.handle_stream_closed(peer),
                        TcpEvent::Failed(peer) => {
                            tracing::info!("SIP: {peer} unreachable over TLS");
                            self.ua.handle_stream_closed(peer);
                            self.ua.handle_transport_error(now, peer);
                        }
                    }
                }
                () = sleep_until(deadline) => {
                    let now = Instant::now();
                    self.ua.handle_timeout(now);
                    self.on_line_timers(now);
                    self.on_phone_timers().await;
                }
                request = requests.recv() => match request {
                    Some(r) => self.handle_request(r).await,
                    None => break,
                },
                Some(r) = resolved.recv() => self.on_resolved(r),
                    Some((call, event)) = media_events.recv() => {
                    if let Some(id) = self.ids.id(call) {
                        match event {
                            // M1: an RFC 4733 digit reaches the call state as an INFO one does.
                            MediaEvent::Dtmf(digit) => self.phone.dtmf_received(id, digit),
                            MediaEvent::Quality(q) => self.phone.media_quality(id, CallQuality {
                                loss_received_permille: q.loss_received_permille,
                                jitter_ms: q.jitter_ms,
                                loss_sent_permille: q.loss_sent_permille,
                                remote_jitter_ms: q.remote_jitter_ms,
                                round_trip_ms: q.round_trip_ms,
                                buffer_delay_ms: q.buffer_delay_ms,
                                concealed_permille: q.concealed_permille,
                            }),
                        }
                    }
                },
            }
            // S7: subscriptions follow the settings and routes, whatever changed them.
            self.sync_watches().await;
            self.pump().await;
            self.persist.follow(&self.phone);
            self.publish();
            if self.stopped(Instant::now()) {
                break;
            }
        }
        for (_, media) in self.media.drain() {
            if let CallMedia::Running(mut s) = media {
                s.stop().await;
            }
        }
    }

    /// Sends what the SIP core wants sent and handles its events, until
    /// it has nothing more.
    async fn pump(&mut self) {
        loop {
            while let Some(t) = self.ua.poll_transmit() {
                if t.transport == Transport::Tls {
                    self.tls.send(t.dest, t.payload);
                } else if t.transport != Transport::Udp {
                    self.tcp.send(t.dest, t.payload);
                } else if let Err(e) = self.socket.send_to(&t.payload, t.dest).await {
                    tracing::warn!("cannot send SIP to {}: {e}", t.dest);
                }
            }
            match self.ua.poll_event() {
                Some(event) => self.handle_event(event).await,
                None => break,
            }
        }
    }

    fn publish(&mut self) {
        let now = now_ms();
        let mut state = self.phone.snapshot(now);
        let current = self.published.borrow().state.clone();
        state.time_ms = current.time_ms;
        if state == *current {
            return;
        }
        state.time_ms = now;
        self.seq += 1;
        let _ = self.published.send(Published {
            seq: self.seq,
            state: Arc::new(state),
        });
    }

    /// Carries out a request. A command's answer goes out only after the state it made
    /// is published, so that a script that reads `/api/state` after `/command.htm`
    /// answered sees the key's effect.
    async fn handle_request(&mut self, request: Request) {
        match request {
            Request::Key { name, long, reply } => {
                let expansion_keys = self.phone.device.expansion_modules
                    * deskphone_phone::KEYS_PER_EXPANSION_MODULE;
                let result = match Key::parse(&name, self.phone.model.function_keys, expansion_keys)
                {
                    None => Err(CommandError::UnknownKey(name)),
                    Some(key) => {
                        let pressed = if long {
                            self.phone.long_press(key, now_ms())
                        } else {
                            self.phone.press(key, now_ms())
                        };
                        match pressed {
                            Ok(actions) => self.execute(actions).await,
                            Err(e) => Err(e.into()),
                        }
                    }
                };
                self.persist.follow(&self.phone);
                self.publish();
                let _ = reply.send(result);
            }
            Request::Remote(remote, reply) => {
                let result = self.remote(remote).await;
                self.persist.follow(&self.phone);
                self.publish();
                let _ = reply.send(result);
            }
            Request::SendMessage { to, text, reply } => {
                let result = self.send_text(&to, &text).await;
                self.publish();
                let _ = reply.send(result);
            }
            Request::Dial {
                number,
                from,
                reply,
            } => {
                let result = self.dial(&number, from.as_deref()).await;
                self.publish();
                let _ = reply.send(result);
            }
            Request::SetSettings(values, reply) => {
                let model = self.phone.model.name;
                let result = self.change_settings(|next| {
                    next.apply_local(values.iter().map(|(k, v)| (k.as_str(), v.as_str())), model)
                });
                self.publish();
                let _ = reply.send(result);
            }
            Request::ResetSettings(keys, reply) => {
                let model = self.phone.model.name;
                let result = self.change_settings(|next| {
                    next.reset_local(keys.iter().map(String::as_str), model)
                });
                self.publish();
                let _ = reply.send(result);
            }
            Request::RemoveIdentity(identity, reply) => {
                let result = self.change_settings(|next| {
                    if !(1..=deskphone_settings::IDENTITIES).contains(&identity) {
                        return Err(SettingError::BadIndex {
                            name: deskphone_settings::keys::user_active.wire(identity),
                            max: deskphone_settings::IDENTITIES,
                        });
                    }
                    next.remove_identity(identity);
                    Ok(())
                });
                self.publish();
                let _ = reply.send(result);
            }
            Request::DisplayEngine(state) => self.phone.display_engine = state,
            Request::Settings(reply) => {
                let _ = reply.send(self.phone.settings.clone());
            }
            Request::ApplyProvisioning(files, reply) => {
                let result = self.apply_provisioning(files);
                self.publish();
                let _ = reply.send(result);
            }
            Request::ProvisioningState(state) => self.phone.provisioning = state,
            Request::UpdateState(state) => self.phone.update = state,
            Request::Shutdown(reply) => {
                let now = Instant::now();
                let identities: Vec<u16> = self.lines.keys().copied().collect();
                for identity in identities {
                    self.drop_line(now, identity);
                }
                self.stopping = Some((now + SHUTDOWN_GRACE, reply));
            }
        }
    }

    /// Every file's settings on a copy first; the copy replaces the settings only when all
    /// of them applied, and only after it is saved.
    fn apply_provisioning(
        &mut self,
        files: Vec<ProvisionedFile>,
    ) -> Result<ProvisioningApplied, CommandError> {
        let mut next = self.phone.settings.clone();
        let mut applied = ProvisioningApplied::default();
        let mut contacts = Vec::new();
        for file in &files {
            let changes: Vec<_> = file
                .plan
                .settings
                .iter()
                .map(|s| (s.key.clone(), s.value.clone(), s.perm))
                .collect();
            let report = next.apply_provisioned(&changes, &file.url, self.phone.model.name)?;
            applied.changed += report.changed.len() as u32;
            applied.kept += report.kept_local.len() as u32;
            contacts.extend(file.plan.contacts.iter().cloned());
        }
        applied.contacts = contacts.len() as u32;
        self.store.save(&next)?;
        if !contacts.is_empty() {
            // A file's phone book replaces the one before (as `<tbook>` does on the
            // vendor's phones); saved after the settings, atomically.
            let xml = deskphone_provisioning::contacts_to_xml(&contacts);
            crate::store::write_atomic(&self.phone_book, xml.as_bytes()).map_err(|source| {
                CommandError::Save(StoreError::Write {
                    path: self.phone_book.clone(),
                    source,
                })
            })?;
        }
        self.adopt(next);
        Ok(applied)
    }

    /// Settings that are saved become the phone's: failover, web credentials, lines.
    fn adopt(&mut self, next: SettingValues) {
        self.ua.set_failover(failover_policy(&next));
        let credentials = next.web_credentials();
        self.web_credentials
            .send_if_modified(|c| std::mem::replace(c, credentials.clone()) != credentials);
        self.phone.settings = next;
        self.sync_lines(Instant::now());
    }

    /// A local change of settings (set or reset), all or nothing; then the lines follow.
    fn change_settings(
        &mut self,
        change: impl FnOnce(&mut SettingValues) -> Result<(), SettingError>,
    ) -> Result<(), CommandError> {
        let mut next = self.phone.settings.clone();
        change(&mut next)?;
        // Saved first: what the phone shows is what survives a power cut.
        self.store.save(&next)?;
        self.adopt(next);
        Ok(())
    }

    /// An RTP socket on an even port and its RTCP socket on the next one (RFC 3550
    /// §11); when no pair is free after a few tries, RTP alone (no reports).
    async fn bind_rtp(&self) -> std::io::Result<(UdpSocket, Option<UdpSocket>)> {
        for _ in 0..16 {
            let rtp = UdpSocket::bind(SocketAddr::new(self.local_ip, 0)).await?;
            let port = rtp.local_addr()?.port();
            if port % 2 == 0
                && let Ok(rtcp) = UdpSocket::bind(SocketAddr::new(self.local_ip, port + 1)).await
            {
                return Ok((rtp, Some(rtcp)));
            }
        }
        tracing::info!("no free RTP/RTCP port pair; RTCP off for this call");
        Ok((
            UdpSocket::bind(SocketAddr::new(self.local_ip, 0)).await?,
            None,
        ))
    }

    /// Place the phone's call `id`; with a `referral` it carries out a transfer request
    /// (RFC 3515).
    async fn place_call(
        &mut self,
        id: CallId,
        identity: u16,
        target: String,
        referral: Option<Referral>,
    ) -> Result<(), CommandError> {
        let fail = |reason: String| CommandError::Dial {
            target: target.clone(),
            reason,
        };
        // An identity with a registrar sends its calls there (or to its outbound proxy),
        // and answers that server's challenges with its credentials.
        let (dest, options) = match self.lines.get(&identity) {
            Some(line) => {
                let route = match &line.route {
                    Some(route) => route.clone(),
                    None => {
                        let a = &line.config.account;
                        resolve_route(&self.locator, &a.host, &a.outbound)
                            .await
                            .map_err(fail)?
                    }
                };
                route.apply_transport(&mut self.ua, &mut self.tls);
                let options = CallOptions {
                    credentials: line.config.credentials(),
                    outbound_proxy: route.proxy,
                    alternates: route.alternates.clone(),
                    ..CallOptions::default()
                };
                (route.next_hop(), options)
            }
            None => {
                let (found, transport) = self
                    .locator
                    .locate_with_transport(&target)
                    .await
                    .map_err(fail)?;
                let (dest, alternates) = addresses(Ok(found)).map_err(fail)?;
                // A dialled `;transport=tcp` URI (or DNS) decides how the call goes.
                let name = crate::locate::server_name(&target);
                for a in std::iter::once(dest).chain(alternates.iter().copied()) {
                    self.ua.set_transport(a, transport);
                    if let (Transport::Tls, Some(name)) = (transport, &name) {
                        self.tls.set_server_name(a, name);
                    }
                }
                let options = CallOptions {
                    alternates,
                    ..CallOptions::default()
                };
                (dest, options)
            }
        };
        let options = CallOptions {
            referral,
            ..options
        };
        let (rtp, rtcp) = self.bind_rtp().await.map_err(|e| fail(e.to_string()))?;
        let rtp_port = rtp.local_addr().map_err(|e| fail(e.to_string()))?.port();
        let offer = negotiate::offer(
            &self.local_media_of(identity),
            self.local_ip,
            rtp_port,
            now_ms(),
        );
        let call = self
            .ua
            .invite_with(
                Instant::now(),
                OutgoingCall {
                    from_uri: self.phone.identity_uri(identity),
                    from_display: self.phone.identity_display_name(identity).to_owned(),
                    target_uri: target.clone(),
                    dest,
                    sdp: offer.to_bytes(),
                },
                options,
            )
            .map_err(|e| fail(e.to_string()))?;
        self.ids.insert(id, call);
        self.media.insert(call, CallMedia::Ready(rtp, rtcp));
        self.local_sdp.insert(
            call,
            LocalSdp {
                current: offer,
                pending: None,
            },
        );
        Ok(())
    }

    /// The REFER of a transfer went out, or could not: the phone shows the failure.
    fn transfer_sent(
        &mut self,
        call: CallHandle,
        sent: Result<(), deskphone_sip::Error>,
    ) -> Result<(), CommandError> {
        sent.map_err(|e| {
            self.phone.transfer_failed();
            sip_error(call, e)
        })
    }

    /// Offers the call's session again with our side held or taken off hold (RFC 3264
    /// §8.4). Nothing changes until the answer ([`Event::Modified`]).
    fn offer_hold(&mut self, call: CallHandle, hold: bool) -> Result<(), CommandError> {
        let id = self.ids.id(call);
        let Some(local) = self.local_sdp.get_mut(&call) else {
            if let Some(id) = id {
                self.phone.hold_result(id, false);
            }
            return Err(sip_error(call, "the call has no session to hold"));
        };
        let mut offer = local.current.clone();
        let direction = local.current.audio_direction();
        offer.set_audio_direction(if hold {
            direction.held()
        } else {
            direction.resumed()
        });
        offer.follow(&local.current);
        match self.ua.reinvite(Instant::now(), call, offer.to_bytes()) {
            Ok(()) => {
                local.pending = Some(offer);
                Ok(())
            }
            Err(e) => {
                if let Some(id) = id {
                    self.phone.hold_result(id, false);
                }
                Err(sip_error(call, e))
            }
        }
    }

    /// The peer offers a new session (re-INVITE or UPDATE, e.g. it holds us): answer from
    /// our origin and port, keeping our own hold (RFC 3264 §6.1, §8), and apply it.
    fn answer_reoffer(&mut self, call: CallHandle, offer: Option<Vec<u8>>) {
        let now = Instant::now();
        let Some(local) = self.local_sdp.get(&call).map(|l| l.current.clone()) else {
            let _ = self.ua.reject_reoffer(now, call, 488);
            return;
        };
        let Some(body) = offer else {
            // RFC 3261 §14.2: a re-INVITE without an offer gets ours, unchanged.
            let _ = self.ua.answer_reoffer(now, call, local.to_bytes());
            return;
        };
        let port = local
            .media
            .iter()
            .find(|m| m.media == "audio" && m.port != 0)
            .map(|m| m.port);
        let want = if self.holds(call) {
            Direction::SendOnly
        } else {
            Direction::SendRecv
        };
        let local_media = self.call_media(call);
        let answer = SessionDescription::parse(&body)
            .ok()
            .zip(port)
            .and_then(|(offer, port)| {
                negotiate::answer(
                    &local_media,
                    &offer,
                    self.local_ip,
                    port,
                    local.session_id,
                    want,
                )
                .ok()
            });
        let Some((mut answer, plan)) = answer else {
            // RFC 3264 §6: nothing we can use; the session stays as it was.
            let _ = self.ua.reject_reoffer(now, call, 488);
            return;
        };
        answer.follow(&local);
        if self
            .ua
            .answer_reoffer(now, call, answer.to_bytes())
            .is_err()
        {
            return;
        }
        let sending = answer.audio_direction().sends()
            && plan.remote_direction.receives()
            && !self.holds(call);
        if let Some(l) = self.local_sdp.get_mut(&call) {
            l.current = answer;
        }
        self.apply_media(call, &plan, sending);
    }

    async fn answer(&mut self, call: CallHandle) -> Result<(), CommandError> {
        let now = Instant::now();
        let Some(offer) = self.offers.remove(&call).flatten() else {
            // RFC 3261 §13.2.1 allows the offer in our 200 (answer in ACK);
            // this phone asks callers to offer in the INVITE.
            return self
                .ua
                .reject(now, call, 488)
                .map_err(|e| sip_error(call, e));
        };
        let (rtp, rtcp) = self.bind_rtp().await.map_err(|e| sip_error(call, e))?;
        let port = rtp.local_addr().map_err(|e| sip_error(call, e))?.port();
        let (answer, plan) = match negotiate::answer(
            &self.call_media(call),
            &offer,
            self.local_ip,
            port,
            now_ms(),
            Direction::SendRecv,
        ) {
            Ok(found) => found,
            Err(e) => {
                tracing::info!("call {}: offer refused: {e}", call.0);
                return self
                    .ua
                    .reject(now, call, e.status_code())
                    .map_err(|e| sip_error(call, e));
            }
        };
        self.ua
            .answer(now, call, answer.to_bytes())
            .map_err(|e| sip_error(call, e))?;
        self.local_sdp.insert(
            call,
            LocalSdp {
                current: answer,
                pending: None,
            },
        );
        self.start_media(call, rtp, rtcp, &plan);
        if !plan.remote_direction.receives() {
            self.apply_media(call, &plan, false);
        }
        if let Some(id) = self.ids.id(call) {
            self.phone
                .connected(id, Some(plan.codec.name().to_owned()), now_ms());
        }
        Ok(())
    }

    /// What this phone offers and accepts. The codec order is the setting
    /// `codec_priority_list`; the names it lists that this phone has no codec for yet
    /// (the schema accepts every name a desk phone knows, e.g. `g729`, `opus`) are
    /// skipped, and a list with none it has means the default.
    fn local_media(&self) -> LocalMedia {
        let list = self
            .phone
            .settings
            .value(deskphone_settings::keys::codec_priority_list);
        let known: Vec<&str> = list
            .split(',')
            .map(str::trim)
            .filter(|id| Codec::priority_list(id).is_ok())
            .collect();
        let codecs = Codec::priority_list(&known.join(","))
            .or_else(|_| Codec::priority_list(DEFAULT_CODECS))
            .unwrap_or_default();
        LocalMedia {
            codecs,
            // Receiving RFC 4733 events costs nothing; whether digits are sent that way
            // is `user_dtmf_info`'s business (`Phone::dtmf`).
            telephone_event: true,
            // Per identity and call: `local_media_of`, `call_media` (engine/media.rs).
            srtp: None,
        }
    }

    fn start_media(
        &mut self,
        call: CallHandle,
        socket: UdpSocket,
        rtcp: Option<UdpSocket>,
        plan: &MediaPlan,
    ) {
        match self
            .audio
            .open(&format!("call-{}", call.0), plan.codec.sample_rate())
        {
            Ok((source, sink)) => {
                let events = self.media_events.clone();
                let session = RtpSession::start(
                    socket,
                    rtcp,
                    plan.rtp_config(),
                    source,
                    sink,
                    Box::new(move |event| {
                        let _ = events.send((call, event));
                    }),
                );
                self.media.insert(call, CallMedia::Running(session));
                self.apply_protection(call, plan);
            }
            Err(e) => tracing::warn!("call {}: no audio: {e}", call.0),
        }
    }

    /// Starts media towards the remote side of an SDP answer to our offer (or early
    /// media), or re-points running media at it.
    fn apply_remote_sdp(&mut self, call: CallHandle, body: &[u8]) -> Option<Codec> {
        let remote_sdp = SessionDescription::parse(body).ok()?;
        let ours = &self.local_sdp.get(&call)?.current;
        let plan = match negotiate::answered(&self.local_media(), ours, &remote_sdp) {
            Ok(plan) => plan,
            Err(e) => {
                tracing::info!("call {}: remote SDP not applied: {e}", call.0);
                return None;
            }
        };
        // RFC 3264 §8.4: on hold (ours or theirs) we send nothing.
        let sending =
            ours.audio_direction().sends() && plan.remote_direction.receives() && !self.holds(call);
        self.apply_media(call, &plan, sending);
        Some(plan.codec)
    }

    fn apply_media(&mut self, call: CallHandle, plan: &MediaPlan, sending: bool) {
        // Only media not yet started is taken out: removing a running session here
        // dropped it, which stopped the call's audio at the first re-INVITE.
        if matches!(self.media.get(&call), Some(CallMedia::Ready(..)))
            && let Some(CallMedia::Ready(socket, rtcp)) = self.media.remove(&call)
        {
            self.start_media(call, socket, rtcp, plan);
        }
        if let Some(CallMedia::Running(session)) = self.media.get(&call) {
            let running = session.config();
            if (
                running.codec,
                running.send_payload_type,
                running.receive_payload_type,
            ) != (
                plan.codec,
                plan.send_payload_type,
                plan.receive_payload_type,
            ) {
                // A running session keeps its codec: switching means reopening audio at
                // another rate, which is not done yet. Say so instead of failing silently.
                tracing::warn!(
                    "call {}: the session now says {:?} (payload types {}/{}); media keeps {:?}",
                    call.0,
                    plan.codec,
                    plan.send_payload_type,
                    plan.receive_payload_type,
                    running.codec
                );
            }
            session.set_remote(plan.remote);
            session.set_sending(sending);
        }
        self.apply_protection(call, plan);
    }

    async fn stop_media(&mut self, call: CallHandle) {
        if let Some(CallMedia::Running(mut session)) = self.media.remove(&call) {
            session.stop().await;
        }
    }

    async fn handle_event(&mut self, event: Event) {
        let id = |ids: &calls::CallIds, call: CallHandle| ids.id(call);
        match event {
            Event::IncomingCall {
                call,
                from_uri,
                from_display,
                request_uri,
                sdp,
                alert_info,
            } => {
                let offer = sdp.and_then(|b| SessionDescription::parse(&b).ok());
                self.offers.insert(call, offer);
                let (phone_id, actions) = self.phone.incoming(
                    IncomingCall {
                        remote_uri: from_uri,
                        remote_name: from_display,
                        request_uri,
                        alert_info,
                    },
                    now_ms(),
                );
                self.ids.insert(phone_id, call);
                if let Err(e) = self.execute(actions).await {
                    tracing::warn!("incoming call {}: {e}", call.0);
                }
            }
            Event::Progress { call, code, sdp } => {
                tracing::debug!("call {}: {code}", call.0);
                let Some(pid) = id(&self.ids, call) else {
                    return;
                };
                self.phone.remote_ringing(pid);
                // S5: early media from SDP in any 18x (180, 181, 183).
                if let Some(codec) = sdp.and_then(|body| self.apply_remote_sdp(call, &body)) {
                    self.phone.early_media(pid, codec.name().to_owned());
                }
            }
            Event::Reoffer { call, sdp } => self.answer_reoffer(call, sdp),
            Event::Modified { call, sdp } => {
                if let Some(l) = self.local_sdp.get_mut(&call)
                    && let Some(offer) = l.pending.take()
                {
                    l.current = offer;
                }
                if let Some(pid) = id(&self.ids, call) {
                    self.phone.hold_result(pid, true);
                }
                if let Some(body) = sdp {
                    self.apply_remote_sdp(call, &body);
                }
            }
            Event::ModifyFailed { call, code } => {
                // RFC 3261 §14.1: the session stays as it was; so does the hold state.
                tracing::info!("call {}: re-INVITE failed with {code}", call.0);
                if let Some(l) = self.local_sdp.get_mut(&call) {
                    l.pending = None;
                }
                if let Some(pid) = id(&self.ids, call) {
                    self.phone.hold_result(pid, false);
                }
            }
            Event::Established { call, sdp } => {
                let codec = sdp
                    .and_then(|body| self.apply_remote_sdp(call, &body))
                    .map(|c| c.name().to_owned());
                if let Some(pid) = id(&self.ids, call) {
                    self.phone.connected(pid, codec, now_ms());
                }
            }
            Event::Ended { call, reason } => {
                self.offers.remove(&call);
                self.local_sdp.remove(&call);
                self.stop_media(call).await;
                if let Some(pid) = self.ids.remove_handle(call) {
                    self.phone.ended(pid, end_reason(&reason), now_ms());
                }
            }
            Event::RegistrationChanged {
                registration,
                state,
            } => self.on_registration(Instant::now(), registration, state),
            Event::Replacing {
                call,
                replaced,
                from_uri,
                from_display,
                sdp,
            } => {
                let offer = sdp.and_then(|b| SessionDescription::parse(&b).ok());
                self.offers.insert(call, offer);
                let Some(old) = id(&self.ids, replaced) else {
                    let _ = self.ua.reject(Instant::now(), call, 481);
                    return;
                };
                let (phone_id, actions) =
                    self.phone.replacing(old, from_uri, from_display, now_ms());
                self.ids.insert(phone_id, call);
                if let Err(e) = self.execute(actions).await {
                    tracing::warn!("call {} replacing {}: {e}", call.0, replaced.0);
                }
            }
            Event::TransferRequested(referral) => {
                let call = referral.call;
                let target = referral.target.clone();
                let placed = match id(&self.ids, call)
                    .and_then(|of| self.phone.referred(of, target.clone(), now_ms()))
                {
                    Some((new, identity)) => {
                        let placed = self.place_call(new, identity, target, Some(referral)).await;
                        if placed.is_err() {
                            self.phone.dial_failed(new);
                        }
                        placed
                    }
                    None => Err(CommandError::BadRequest(
                        "the phone cannot follow a transfer now".into(),
                    )),
                };
                if let Err(e) = placed {
                    tracing::warn!("call {}: cannot follow the transfer: {e}", call.0);
                    self.ua.referral_failed(Instant::now(), call, 503);
                }
            }
            Event::TransferProgress { call, code, done } => {
                tracing::info!("call {}: transfer progress {code}", call.0);
                if let Some(pid) = id(&self.ids, call) {
                    self.phone.transfer_progress(pid, code, done);
                }
            }
            Event::Dtmf { call, digit, .. } => {
                if let Some(pid) = id(&self.ids, call) {
                    self.phone.dtmf_received(pid, digit);
                }
            }
            event @ (Event::Message { .. }
            | Event::MessageSent { .. }
            | Event::SubscriptionChanged { .. }
            | Event::Notify { .. }) => self.on_notice_event(event),
            Event::Diagnostic(text) => tracing::info!("SIP: {text}"),
        }
    }

    // ----- registration of identities (RFC 3261 §10 in the SIP core) -----

    /// Brings the registrations in line with the settings: new or changed identities
    /// register (anew), deactivated or removed ones unregister.
    fn sync_lines(&mut self, now: Instant) {
        if self.stopping.is_some() {
            return;
        }
        let retry = self.phone.settings.retry_after_failed_register();
        for identity in 1..=deskphone_settings::IDENTITIES {
            let account = self.phone.settings.identity_account(identity);
            let wanted = (account.active && !account.host.is_empty())
                .then_some(LineConfig { account, retry });
            if self.lines.get(&identity).map(|l| &l.config) == wanted.as_ref() {
                continue;
            }
            self.drop_line(now, identity);
            if let Some(config) = wanted {
                self.generation += 1;
                self.lines.insert(
                    identity,
                    Line {
                        config,
                        route: None,
                        registration: None,
                        generation: self.generation,
                        retry_at: None,
                    },
                );
                self.phone
                    .set_registration(identity, RegistrationState::Registering);
                self.resolve(identity);
            }
        }
    }

    /// Forgets an identity's line, removing its binding at the registrar.
    fn drop_line(&mut self, now: Instant, identity: u16) {
        let Some(line) = self.lines.remove(&identity) else {
            return;
        };
        self.phone
            .set_registration(identity, RegistrationState::NotConfigured);
        if let Some(handle) = line.registration {
            match self.ua.unregister(now, handle) {
                Ok(()) => {
                    self.leaving.insert(handle, identity);
                }
                Err(e) => tracing::warn!("identity {identity}: cannot unregister: {e}"),
            }
        }
    }

    /// Resolves the registrar and outbound proxy of a line in the background (DNS must
    /// not stall calls); the answer comes back through `on_resolved`.
    fn resolve(&mut self, identity: u16) {
        let Some(line) = self.lines.get(&identity) else {
            return;
        };
        let (host, outbound) = (
            line.config.account.host.clone(),
            line.config.account.outbound.clone(),
        );
        let generation = line.generation;
        let answer = self.resolved.clone();
        let locator = self.locator.clone();
        tokio::spawn(async move {
            let result = resolve_route(&locator, &host, &outbound).await;
            let _ = answer
                .send(Resolved {
                    identity,
                    generation,
                    result,
                })
                .await;
        });
    }

    fn on_resolved(&mut self, resolved: Resolved) {
        let now = Instant::now();
        let identity = resolved.identity;
        let Some(line) = self
            .lines
            .get_mut(&identity)
            .filter(|l| l.generation == resolved.generation)
        else {
            return;
        };
        match resolved.result {
            Ok(route) => {
                line.route = Some(route);
                self.start_registration(now, identity);
            }
            Err(e) => {
                // S1: an unresolvable registrar is a failed registration, tried again
                // after retry_after_failed_register like any other.
                tracing::warn!("identity {identity}: {e}");
                line.retry_at = Some(now + Duration::from_secs(line.config.retry.into()));
                self.phone
                    .set_registration(identity, RegistrationState::Failed);
            }
        }
    }

    fn line_deadline(&self) -> Option<Instant> {
        let retries = self.lines.values().filter_map(|l| l.retry_at);
        retries.chain(self.stopping.as_ref().map(|(t, _)| *t)).min()
    }

    fn on_line_timers(&mut self, now: Instant) {
        let due: Vec<u16> = self
            .lines
            .iter()
            .filter(|(_, l)| l.retry_at.is_some_and(|t| t <= now))
            .map(|(i, _)| *i)
            .collect();
        for identity in due {
            if let Some(line) = self.lines.get_mut(&identity) {
                line.retry_at = None;
            }
            self.phone
                .set_registration(identity, RegistrationState::Registering);
            self.resolve(identity);
        }
    }

    /// Hands a resolved line to the SIP core, unless its previous binding is still being
    /// removed (then the removal's end starts it).
    fn start_registration(&mut self, now: Instant, identity: u16) {
        if self.leaving.values().any(|&i| i == identity) {
            return;
        }
        let aor = self.phone.identity_uri(identity);
        let Some(line) = self.lines.get_mut(&identity) else {
            return;
        };
        let (Some(route), None) = (line.route.clone(), line.registration) else {
            return;
        };
        route.apply_transport(&mut self.ua, &mut self.tls);
        let a = &line.config.account;
        let registration = Registration {
            aor,
            registrar: route.registrar,
            request_uri: format!("sip:{}", a.host),
            contact_user: a.user.clone(),
            credentials: line.config.credentials(),
            expires: a.expiry,
            outbound_proxy: route.proxy,
            retry_after_failure: Duration::from_secs(line.config.retry.into()),
            alternates: route.alternates,
        };
        match self.ua.register(now, registration) {
            Ok(handle) => line.registration = Some(handle),
            Err(e) => {
                tracing::warn!("identity {identity}: cannot register: {e}");
                line.retry_at = Some(now + Duration::from_secs(line.config.retry.into()));
                self.phone
                    .set_registration(identity, RegistrationState::Failed);
            }
        }
    }

    fn on_registration(
        &mut self,
        now: Instant,
        handle: RegistrationHandle,
        state: deskphone_sip::RegistrationState,
    ) {
        use deskphone_sip::RegistrationState as Sip;
        if state == Sip::Unregistered {
            if let Some(identity) = self.leaving.remove(&handle) {
                // The old binding is gone: a successor may go ahead.
                self.start_registration(now, identity);
            }
            return;
        }
        let Some(identity) = self
            .lines
            .iter()
            .find(|(_, l)| l.registration == Some(handle))
            .map(|(i, _)| *i)
        else {
            return;
        };
        tracing::info!("identity {identity}: registration {state:?}");
        let shown = match state {
            Sip::Registering => RegistrationState::Registering,
            Sip::Registered { .. } => RegistrationState::Registered,
            Sip::Failed { .. } => RegistrationState::Failed,
            Sip::Unregistering | Sip::Unregistered => return,
        };
        self.phone.set_registration(identity, shown);
    }

    /// Whether a shutdown is complete: every unregistration answered, or time is up.
    fn stopped(&mut self, now: Instant) -> bool {
        let done = self
            .stopping
            .as_ref()
            .is_some_and(|(deadline, _)| self.leaving.is_empty() || now >= *deadline);
        if done && let Some((_, reply)) = self.stopping.take() {
            let _ = reply.send(());
        }
        done
    }
}

/// Resolves an identity's registrar and outbound proxy (`host[:port]` each). Requests
/// go to the next hop's best address; the others are kept for failover (S2).
async fn resolve_route(locator: &Locator, host: &str, outbound: &str) -> Result<LineRoute, String> {
    let uri = as_uri(host);
    let (found, mut transport) = locator.locate_with_transport(&uri).await?;
    let mut server_name = crate::locate::server_name(&uri).unwrap_or_default();
    let (registrar, mut alternates) = addresses(Ok(found))?;
    let proxy = match outbound {
        "" => None,
        proxy => {
            let uri = as_uri(proxy);
            let (found, via) = locator.locate_with_transport(&uri).await?;
            server_name = crate::locate::server_name(&uri).unwrap_or_default();
            let (proxy, others) = addresses(Ok(found))?;
            alternates = others;
            transport = via;
            Some(proxy)
        }
    };
    Ok(LineRoute {
        registrar,
        proxy,
        alternates,
        transport,
        server_name,
    })
}

/// A server setting (`host[:port][;params]`, or a whole `sip:`/`sips:` URI) as a URI.
fn as_uri(setting: &str) -> String {
    let lower = setting.trim_start().to_ascii_lowercase();
    if lower.starts_with("sip:") || lower.starts_with("sips:") {
        setting.trim().to_owned()
    } else {
        format!("sip:{setting}")
    }
}

/// The best address found and the others in order (RFC 3263 §4.3).
fn addresses(
    found: Result<Vec<SocketAddr>, String>,
) -> Result<(SocketAddr, Vec<SocketAddr>), String> {
    let mut all = found?;
    if all.is_empty() {
        return Err("no address found".to_owned());
    }
    let best = all.remove(0);
    Ok((best, all))
}

/// S2: the failover responses of the settings, for the SIP core.
fn failover_policy(settings: &SettingValues) -> FailoverPolicy {
    let convert = |list: Vec<deskphone_settings::SipResponse>| {
        FailoverResponses(
            list.into_iter()
                .map(|r| FailoverResponse {
                    code: r.code,
                    reason: r.reason,
                })
                .collect(),
        )
    };
    FailoverPolicy {
        responses: convert(settings.sip_failover_responses()),
        register_responses: convert(settings.sip_failover_responses_reg()),
    }
}

fn first(found: Result<Vec<SocketAddr>, String>) -> Result<SocketAddr, String> {
    found?
        .into_iter()
        .next()
        .ok_or_else(|| "no address found".to_owned())
}

fn end_reason(reason: &deskphone_sip::EndReason) -> EndReason {
    use deskphone_sip::EndReason as Sip;
    match reason {
        Sip::LocalHangup => EndReason::LocalHangup,
        Sip::RemoteHangup => EndReason::RemoteHangup,
        Sip::Cancelled => EndReason::Cancelled,
        Sip::AnsweredElsewhere => EndReason::AnsweredElsewhere,
        Sip::Rejected(486 | 600) => EndReason::Busy,
        Sip::Rejected(_) => EndReason::Rejected,
        Sip::Timeout => EndReason::Timeout,
        Sip::TransportError => EndReason::Failed,
    }
}

fn sip_error(call: CallHandle, e: impl std::fmt::Display) -> CommandError {
    CommandError::Dial {
        target: format!("call {}", call.0),
        reason: e.to_string(),
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d.into()).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Numeric addresses need no DNS server: any locator will do.
    fn locator() -> Locator {
        Locator::with_server("127.0.0.1:9".parse().unwrap()).unwrap()
    }

    #[tokio::test]
    async fn resolves_ip_uris() {
        let l = locator();
        assert_eq!(
            first(l.locate("sip:bob@127.0.0.1:5062").await).unwrap(),
            "127.0.0.1:5062".parse().unwrap()
        );
        assert_eq!(
            first(l.locate("sip:127.0.0.1").await).unwrap(),
            "127.0.0.1:5060".parse().unwrap()
        );
        assert!(l.locate("bob").await.is_err());
    }

    #[tokio::test]
    async fn an_identity_routes_through_its_outbound_proxy_when_set() {
        let l = locator();
        let direct = resolve_route(&l, "127.0.0.1:5070", "").await.unwrap();
        assert_eq!(direct.next_hop(), "127.0.0.1:5070".parse().unwrap());
        let proxied = resolve_route(&l, "127.0.0.1:5070", "127.0.0.2")
            .await
            .unwrap();
        assert_eq!(proxied.registrar, "127.0.0.1:5070".parse().unwrap());
        assert_eq!(proxied.next_hop(), "127.0.0.2:5060".parse().unwrap());
    }
}
