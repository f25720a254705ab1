//! The engine: one task that owns the SIP core, the UDP socket, the media
//! sessions and the [`Phone`]. Everything else (web server, display
//! engine, command URLs) talks to it through [`EngineHandle`]: requests in,
//! state snapshots out.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use deskphone_media::{AudioBackend, Codec, RtpConfig, RtpSession, SUPPORTED_PAYLOAD_TYPES};
use deskphone_protocol::{DisplayEngineState, EndReason, PhoneState};
use deskphone_settings::models::Model;
use deskphone_settings::{SettingError, SettingValues};
use deskphone_sip::sdp::{self, SessionDescription};
use deskphone_sip::{CallHandle, Event, OutgoingCall, UaConfig, UserAgent};
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot, watch};

use crate::keys::Key;
use crate::phone::{Action, KeyError, Phone};
use crate::store::{SettingsStore, StoreError};

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
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    InvalidSetting(#[from] SettingError),
    #[error(transparent)]
    Save(#[from] StoreError),
    #[error("cannot call {target}: {reason}")]
    Dial { target: String, reason: String },
    #[error("the phone is shutting down")]
    Stopped,
}

enum Request {
    Key(String, oneshot::Sender<Result<(), CommandError>>),
    Dial(String, oneshot::Sender<Result<(), CommandError>>),
    SetSettings(
        BTreeMap<String, String>,
        oneshot::Sender<Result<(), CommandError>>,
    ),
    DisplayEngine(DisplayEngineState),
}

/// The cheap, cloneable way to talk to the engine.
#[derive(Clone)]
pub struct EngineHandle {
    requests: mpsc::Sender<Request>,
    state: watch::Receiver<Published>,
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
        self.ask(|tx| Request::Key(name.to_owned(), tx)).await
    }

    pub async fn dial(&self, number: &str) -> Result<(), CommandError> {
        self.ask(|tx| Request::Dial(number.to_owned(), tx)).await
    }

    pub async fn set_settings(&self, values: BTreeMap<String, String>) -> Result<(), CommandError> {
        self.ask(|tx| Request::SetSettings(values, tx)).await
    }

    pub async fn set_display_engine(&self, state: DisplayEngineState) {
        let _ = self.requests.send(Request::DisplayEngine(state)).await;
    }

    pub fn current(&self) -> Published {
        self.state.borrow().clone()
    }

    pub fn subscribe(&self) -> watch::Receiver<Published> {
        self.state.clone()
    }
}

pub struct EngineConfig {
    pub data_dir: PathBuf,
    pub sip_socket: UdpSocket,
    pub model: &'static Model,
    pub audio: Arc<dyn AudioBackend>,
    pub settings: SettingValues,
}

/// Milliseconds since the Unix epoch, the phone's wall clock.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The media of one call: its RTP socket until the call is answered, then
/// the running session.
enum CallMedia {
    Ready(UdpSocket),
    Running(RtpSession),
}

struct Engine {
    ua: UserAgent,
    socket: UdpSocket,
    local_ip: IpAddr,
    phone: Phone,
    store: SettingsStore,
    audio: Arc<dyn AudioBackend>,
    /// The remote offer of each incoming call, until answered.
    offers: HashMap<CallHandle, Option<SessionDescription>>,
    media: HashMap<CallHandle, CallMedia>,
    published: watch::Sender<Published>,
    seq: u64,
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
    let ua = UserAgent::new(UaConfig {
        local_addr: advertised,
        user_agent: format!("deskphone/{}", env!("CARGO_PKG_VERSION")),
    });
    let phone = Phone::new(config.model, config.settings, advertised.to_string());
    let first = Published {
        seq: 1,
        state: Arc::new(phone.snapshot(now_ms())),
    };
    let (published, state_rx) = watch::channel(first);
    let (requests, request_rx) = mpsc::channel(64);
    let engine = Engine {
        ua,
        socket: config.sip_socket,
        local_ip,
        phone,
        store: SettingsStore::new(&config.data_dir),
        audio: config.audio,
        offers: HashMap::new(),
        media: HashMap::new(),
        published,
        seq: 1,
    };
    tokio::spawn(engine.run(request_rx));
    Ok(EngineHandle {
        requests,
        state: state_rx,
    })
}

impl Engine {
    async fn run(mut self, mut requests: mpsc::Receiver<Request>) {
        let mut buf = vec![0u8; 65_536];
        loop {
            let deadline = self.ua.poll_timeout();
            tokio::select! {
                received = self.socket.recv_from(&mut buf) => match received {
                    Ok((n, from)) => self.ua.handle_datagram(Instant::now(), from, &buf[..n]),
                    // ICMP errors surface here on Linux; the transaction
                    // layer's timers deal with the lost request.
                    Err(e) => tracing::debug!("SIP socket: {e}"),
                },
                () = sleep_until(deadline) => self.ua.handle_timeout(Instant::now()),
                request = requests.recv() => match request {
                    Some(r) => self.handle_request(r).await,
                    None => break,
                },
            }
            self.pump().await;
            self.publish();
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
                if let Err(e) = self.socket.send_to(&t.payload, t.dest).await {
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

    async fn handle_request(&mut self, request: Request) {
        match request {
            Request::Key(name, reply) => {
                let result = match Key::parse(&name, self.phone.model.function_keys) {
                    None => Err(CommandError::UnknownKey(name)),
                    Some(key) => match self.phone.press(key, now_ms()) {
                        Ok(actions) => self.execute(actions).await,
                        Err(e) => Err(e.into()),
                    },
                };
                let _ = reply.send(result);
            }
            Request::Dial(number, reply) => {
                let result = match self.phone.dial_number(&number) {
                    Ok(actions) => self.execute(actions).await,
                    Err(e) => Err(e.into()),
                };
                let _ = reply.send(result);
            }
            Request::SetSettings(values, reply) => {
                let _ = reply.send(self.set_settings(values));
            }
            Request::DisplayEngine(state) => self.phone.display_engine = state,
        }
    }

    fn set_settings(&mut self, values: BTreeMap<String, String>) -> Result<(), CommandError> {
        let mut next = self.phone.settings.clone();
        next.apply(
            values.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            self.phone.model.name,
        )?;
        // Saved first: what the phone shows is what survives a power cut.
        self.store.save(&next)?;
        self.phone.settings = next;
        Ok(())
    }

    async fn execute(&mut self, actions: Vec<Action>) -> Result<(), CommandError> {
        let now = Instant::now();
        for action in actions {
            let result = match action {
                Action::Dial { identity, target } => self.place_call(identity, target).await,
                Action::Ring(call) => self.ua.ring(now, call).map_err(|e| sip_error(call, e)),
                Action::Reject(call, code) => {
                    self.offers.remove(&call);
                    self.ua
                        .reject(now, call, code)
                        .map_err(|e| sip_error(call, e))
                }
                Action::Answer(call) => self.answer(call).await,
                Action::Hangup(call) => {
                    self.phone.ending(call);
                    self.stop_media(call).await;
                    self.ua.hangup(now, call).map_err(|e| sip_error(call, e))
                }
            };
            result?;
        }
        Ok(())
    }

    async fn bind_rtp(&self) -> std::io::Result<UdpSocket> {
        UdpSocket::bind(SocketAddr::new(self.local_ip, 0)).await
    }

    async fn place_call(&mut self, identity: u16, target: String) -> Result<(), CommandError> {
        let fail = |reason: String| CommandError::Dial {
            target: target.clone(),
            reason,
        };
        let dest = resolve_uri(&target).await.map_err(fail)?;
        let rtp = self.bind_rtp().await.map_err(|e| fail(e.to_string()))?;
        let rtp_port = rtp.local_addr().map_err(|e| fail(e.to_string()))?.port();
        let offer = sdp::offer(self.local_ip, rtp_port, SUPPORTED_PAYLOAD_TYPES, now_ms());
        let call = self
            .ua
            .invite(
                Instant::now(),
                OutgoingCall {
                    from_uri: self.phone.identity_uri(identity),
                    from_display: self.phone.identity_display_name(identity).to_owned(),
                    target_uri: target.clone(),
                    dest,
                    sdp: offer.to_bytes(),
                },
            )
            .map_err(|e| fail(e.to_string()))?;
        self.phone.outgoing_started(call, identity, target);
        self.media.insert(call, CallMedia::Ready(rtp));
        Ok(())
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
        let rtp = self.bind_rtp().await.map_err(|e| sip_error(call, e))?;
        let port = rtp.local_addr().map_err(|e| sip_error(call, e))?.port();
        let Some((answer, pt)) = sdp::answer(
            &offer,
            self.local_ip,
            port,
            SUPPORTED_PAYLOAD_TYPES,
            now_ms(),
        ) else {
            // RFC 3264 §6: nothing in the offer we can use.
            return self
                .ua
                .reject(now, call, 488)
                .map_err(|e| sip_error(call, e));
        };
        self.ua
            .answer(now, call, answer.to_bytes())
            .map_err(|e| sip_error(call, e))?;
        let codec = Codec::from_payload_type(pt);
        if let (Some(codec), Some((remote, _))) = (codec, offer.remote_audio()) {
            self.start_media(call, rtp, remote, codec);
        }
        self.phone
            .connected(call, codec.map(|c| c.name().to_owned()), now_ms());
        Ok(())
    }

    fn start_media(
        &mut self,
        call: CallHandle,
        socket: UdpSocket,
        remote: SocketAddr,
        codec: Codec,
    ) {
        match self.audio.open(&format!("call-{}", call.0)) {
            Ok((source, sink)) => {
                let session = RtpSession::start(
                    socket,
                    RtpConfig {
                        remote,
                        codec,
                        ssrc: None,
                    },
                    source,
                    sink,
                );
                self.media.insert(call, CallMedia::Running(session));
            }
            Err(e) => tracing::warn!("call {}: no audio: {e}", call.0),
        }
    }

    /// Starts media towards the remote side of an SDP answer (or early
    /// media), or re-points running media at it.
    fn apply_remote_sdp(&mut self, call: CallHandle, body: &[u8]) -> Option<Codec> {
        let remote_sdp = SessionDescription::parse(body).ok()?;
        // RFC 3264 §6: a port-0 stream is never applied; remote_audio skips it.
        let (remote, formats) = remote_sdp.remote_audio()?;
        let codec = formats
            .iter()
            .find_map(|pt| Codec::from_payload_type(*pt))?;
        match self.media.remove(&call) {
            Some(CallMedia::Ready(socket)) => self.start_media(call, socket, remote, codec),
            Some(CallMedia::Running(session)) => {
                session.set_remote(remote);
                self.media.insert(call, CallMedia::Running(session));
            }
            None => {}
        }
        Some(codec)
    }

    async fn stop_media(&mut self, call: CallHandle) {
        if let Some(CallMedia::Running(mut session)) = self.media.remove(&call) {
            session.stop().await;
        }
    }

    async fn handle_event(&mut self, event: Event) {
        match event {
            Event::IncomingCall {
                call,
                from_uri,
                from_display,
                request_uri: _,
                sdp,
            } => {
                let offer = sdp.and_then(|b| SessionDescription::parse(&b).ok());
                self.offers.insert(call, offer);
                let actions = self.phone.incoming(call, from_uri, from_display);
                if let Err(e) = self.execute(actions).await {
                    tracing::warn!("incoming call {}: {e}", call.0);
                }
            }
            Event::Progress { call, code, sdp } => {
                tracing::debug!("call {}: {code}", call.0);
                self.phone.remote_ringing(call);
                if let Some(body) = sdp {
                    self.apply_remote_sdp(call, &body);
                }
            }
            Event::Established { call, sdp } => {
                let codec = sdp
                    .and_then(|body| self.apply_remote_sdp(call, &body))
                    .map(|c| c.name().to_owned());
                self.phone.connected(call, codec, now_ms());
            }
            Event::Ended { call, reason } => {
                self.offers.remove(&call);
                self.stop_media(call).await;
                self.phone.ended(call, end_reason(&reason), now_ms());
            }
            Event::Diagnostic(text) => tracing::info!("SIP: {text}"),
        }
    }
}

fn end_reason(reason: &deskphone_sip::EndReason) -> EndReason {
    use deskphone_sip::EndReason as Sip;
    match reason {
        Sip::LocalHangup => EndReason::LocalHangup,
        Sip::RemoteHangup => EndReason::RemoteHangup,
        Sip::Cancelled => EndReason::Cancelled,
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

/// Where to send requests for a SIP URI: its host and port (5060 when
/// absent). Names are looked up in DNS; RFC 3263 NAPTR/SRV come with the
/// server-location work.
pub async fn resolve_uri(uri: &str) -> Result<SocketAddr, String> {
    let (host, port) = deskphone_sip::uri_host_port(uri).map_err(|e| e.to_string())?;
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, port));
    }
    let lookup = tokio::net::lookup_host((host.as_str(), port));
    match tokio::time::timeout(Duration::from_secs(4), lookup).await {
        Ok(Ok(mut addrs)) => addrs.next().ok_or_else(|| format!("{host} has no address")),
        Ok(Err(e)) => Err(format!("cannot look up {host}: {e}")),
        Err(_) => Err(format!("looking up {host} timed out")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn resolves_ip_uris() {
        assert_eq!(
            resolve_uri("sip:bob@127.0.0.1:5062").await.unwrap(),
            "127.0.0.1:5062".parse().unwrap()
        );
        assert_eq!(
            resolve_uri("sip:127.0.0.1").await.unwrap(),
            "127.0.0.1:5060".parse().unwrap()
        );
        assert!(resolve_uri("bob").await.is_err());
    }
}
