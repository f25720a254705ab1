//! The user agent core: the transaction user (RFC 3261 §8, §9, §12-§15) that turns API
//! calls into requests and responses and incoming messages into [`Event`]s.

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rsip::headers::{self, UntypedHeader};
use rsip::prelude::{HeadersExt, ToTypedHeader};
use rsip::{Header, Headers, Method, Request, Response, Scheme};

use crate::auth::{self, Authenticator, Credentials};
use crate::dialog::Dialog;
use crate::extensions::{self, Refresher, TAG_100REL, TAG_TIMER};
use crate::failover::{self, Alternates, FailoverPolicy, FailoverResponses};
use crate::locate::Transport;
use crate::message::{self, Inbound, Meta, Rejected};
use crate::messaging::{self, MessageHandle, Messages, OutgoingMessage};
use crate::notification::Notification;
use crate::registration::{Io, Registration, RegistrationHandle, RegistrationState, Registrations};
use crate::subscription::{Subscription, SubscriptionHandle, SubscriptionState, Subscriptions};
use crate::transaction::{Client, Failure, Outbox, Server, T1, T2, TIMEOUT, Transaction, TxKey};

// A child module, so transfer works on calls and transactions directly.
#[path = "transfer.rs"]
mod transfer;
pub use transfer::Referral;

/// Static configuration of a [`UserAgent`].
#[derive(Clone, Debug)]
pub struct UaConfig {
    /// Address of the UDP socket the runtime bound; used in Via and Contact.
    pub local_addr: SocketAddr,
    /// Value of the User-Agent / Server header.
    pub user_agent: String,
}

/// Identifies a call for the lifetime of a [`UserAgent`]; never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallHandle(pub u64);

/// A message the runtime must send: a datagram, or one message on the stream connection
/// to `dest` (opened if there is none, RFC 3261 §18.1.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmit {
    pub dest: SocketAddr,
    pub payload: Vec<u8>,
    /// Set by [`UserAgent::poll_transmit`] from what the core knows about `dest`
    /// ([`UserAgent::set_transport`], [`UserAgent::handle_stream_message`]).
    pub transport: Transport,
}

/// What [`UserAgent::invite`] needs to place a call.
#[derive(Clone, Debug)]
pub struct OutgoingCall {
    /// Our identity, e.g. `sip:alice@127.0.0.1:5061`.
    pub from_uri: String,
    /// Display name; may be empty (then the From header has none).
    pub from_display: String,
    /// Request-URI, e.g. `sip:bob@127.0.0.1:5062`.
    pub target_uri: String,
    /// Where to send (the runtime resolved it).
    pub dest: SocketAddr,
    /// SDP offer body (empty: no offer; the answer in a 2xx is then not supported).
    pub sdp: Vec<u8>,
}

/// What [`UserAgent::invite_with`] adds to a call placed through a service provider.
#[derive(Clone, Debug, Default)]
pub struct CallOptions {
    /// Answer 401/407 challenges to the INVITE and the BYE with these (RFC 3261 §22).
    pub credentials: Option<Credentials>,
    /// RFC 3261 §8.1.2: the outbound proxy, preloaded as a loose Route (`dest` should be
    /// its address).
    pub outbound_proxy: Option<SocketAddr>,
    /// S2: further addresses of the server at `dest` (the outbound proxy's when set), best
    /// first; the INVITE goes on to them in turn when it fails at the one in use.
    pub alternates: Vec<SocketAddr>,
    /// The call carries out this transfer request ([`Event::TransferRequested`]): the
    /// INVITE gets its Referred-By and Replaces, and its progress is NOTIFYed to the
    /// transferor (RFC 3515 §2.4.5).
    pub referral: Option<Referral>,
}

/// Something the runtime should know about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A new INVITE arrived (already answered 100 Trying). The runtime decides: ring,
    /// answer or reject; doing nothing leaves the call ringing.
    IncomingCall {
        call: CallHandle,
        from_uri: String,
        from_display: String,
        request_uri: String,
        sdp: Option<Vec<u8>>,
        /// The INVITE's Alert-Info (RFC 3261 §20.4), which picks the ringtone for this call
        /// only.
        alert_info: Option<String>,
    },
    /// A provisional response (180/181/183, ...) to our INVITE; `sdp` is early media if
    /// present. A retransmitted reliable provisional (RFC 3262) is not reported again.
    Progress {
        call: CallHandle,
        code: u16,
        sdp: Option<Vec<u8>>,
    },
    /// Our INVITE got a 2xx (already ACKed), or the remote ACKed our 2xx. For incoming calls
    /// `sdp` is only set if the ACK carried a body.
    Established {
        call: CallHandle,
        sdp: Option<Vec<u8>>,
    },
    /// The peer offers a new session description in a re-INVITE (RFC 3261 §14.2) or UPDATE
    /// (RFC 3311 §5.2), e.g. to put us on hold. The runtime answers it with
    /// [`UserAgent::answer_reoffer`] or refuses it with [`UserAgent::reject_reoffer`]
    /// (the session then stays as it was). `sdp` is `None` for a re-INVITE without an offer:
    /// the runtime's reply is then an offer, whose answer comes as [`Event::Modified`].
    Reoffer {
        call: CallHandle,
        sdp: Option<Vec<u8>>,
    },
    /// A session modification completed: our [`UserAgent::reinvite`] got a 2xx (`sdp` is
    /// the answer), or the ACK of an offer-less re-INVITE brought the answer.
    Modified {
        call: CallHandle,
        sdp: Option<Vec<u8>>,
    },
    /// Our [`UserAgent::reinvite`] failed with this final response (RFC 3261 §14.1: the
    /// session is unchanged). A 422 (RFC 4028) or 491 is retried first and only reported if
    /// the retry fails too.
    ModifyFailed { call: CallHandle, code: u16 },
    /// The call is over; the handle is dead. Exactly one per call.
    Ended { call: CallHandle, reason: EndReason },
    /// A registration ([`UserAgent::register`]) changed state; `Unregistered` is the last
    /// event of its handle.
    RegistrationChanged {
        registration: RegistrationHandle,
        state: RegistrationState,
    },
    /// A SIP MESSAGE (RFC 3428) with a `text/plain` body arrived and was answered 200;
    /// `call` is set when it came inside that call's dialog. Other types got 415.
    Message {
        from_uri: String,
        from_display: String,
        content_type: String,
        body: String,
        call: Option<CallHandle>,
    },
    /// The final answer to a message we sent ([`UserAgent::send_message`]): its code, or
    /// `None` when nobody answered.
    MessageSent {
        message: MessageHandle,
        code: Option<u16>,
    },
    /// A subscription ([`UserAgent::subscribe`]) changed state; `Terminated` is the last
    /// event of its handle.
    SubscriptionChanged {
        subscription: SubscriptionHandle,
        state: SubscriptionState,
    },
    /// A NOTIFY arrived and was answered 200: for one of our subscriptions, or unsolicited
    /// (`None`; message summaries and check-sync only). `to_uri` is whom it was for.
    Notify {
        subscription: Option<SubscriptionHandle>,
        to_uri: String,
        notification: Notification,
    },
    /// An INVITE with Replaces (RFC 3891 §3) matched `replaced`: the runtime answers `call`
    /// at once and ends `replaced` (the INVITE otherwise behaves like an incoming call).
    Replacing {
        call: CallHandle,
        replaced: CallHandle,
        from_uri: String,
        from_display: String,
        sdp: Option<Vec<u8>>,
    },
    /// The peer of a call asks us to call someone (REFER, RFC 3515), already answered 202:
    /// the runtime places the call with [`CallOptions::referral`] set, or reports
    /// [`UserAgent::referral_failed`].
    TransferRequested(Referral),
    /// Progress of our transfer ([`UserAgent::refer`]): the REFER's response or a NOTIFY's
    /// sipfrag status. `done` ends the transfer; with a 2xx the call is being ended.
    TransferProgress {
        call: CallHandle,
        code: u16,
        done: bool,
    },
    /// The peer sent a DTMF digit in an INFO (answered 200).
    Dtmf {
        call: CallHandle,
        digit: char,
        duration_ms: u32,
    },
    /// Worth logging, not a call event (malformed datagram dropped, 400 sent, ...).
    Diagnostic(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndReason {
    /// We hung up (BYE, CANCEL).
    LocalHangup,
    /// The remote sent BYE.
    RemoteHangup,
    /// The caller cancelled before the call was answered.
    Cancelled,
    /// The caller cancelled because another phone took the call (RFC 3326 Reason
    /// `SIP;cause=200` on the CANCEL): not a missed call.
    AnsweredElsewhere,
    /// A 3xx-6xx final response to our INVITE, or the one we rejected with.
    Rejected(u16),
    /// Timer B (no answer to our INVITE), no ACK for our 2xx, no PRACK for our reliable
    /// provisional, or the session timer expired without a refresh (RFC 4028 §10).
    Timeout,
    /// The runtime reported the peer unreachable ([`UserAgent::handle_transport_error`]).
    TransportError,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("no such call")]
    UnknownCall,
    #[error("not possible now: {0}")]
    InvalidState(&'static str),
    #[error("invalid SIP URI: {0:?}")]
    InvalidUri(String),
    #[error("no such registration")]
    UnknownRegistration,
    #[error("no such subscription")]
    UnknownSubscription,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cancel {
    No,
    /// The user hung up before any provisional response: §9.1 forbids CANCEL until one comes.
    Pending,
    Sent,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CallState {
    /// UAC: INVITE sent, no final response yet.
    Inviting {
        provisional: bool,
        cancel: Cancel,
    },
    /// UAS: INVITE received, no final response yet.
    Ringing,
    /// UAS: 2xx sent, waiting for the ACK; `hangup`: send BYE once it arrives (§15).
    Answered {
        hangup: bool,
    },
    Confirmed,
    /// Our BYE is in flight; the call ends when its transaction does.
    Terminating,
}

/// §13.3.1.4: the UAS core retransmits its 2xx until the ACK comes.
#[derive(Debug)]
struct OkRetransmit {
    transmit: Transmit,
    next: Instant,
    interval: Duration,
    give_up: Instant,
    /// CSeq number of the INVITE (or re-INVITE) answered: its ACK carries the same.
    cseq: u32,
}

/// RFC 3262 §3: a reliable provisional response, retransmitted until its PRACK.
#[derive(Debug)]
struct ReliableProvisional {
    transmit: Transmit,
    rseq: u32,
    next: Instant,
    interval: Duration,
    give_up: Instant,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Purpose {
    /// The runtime asked (hold, resume, ...): the outcome is reported to it.
    User,
    /// RFC 4028 §10: a session refresh; silent unless it ends the call.
    Refresh,
}

/// A re-INVITE or UPDATE we send (RFC 3261 §14.1, RFC 3311 §5.1).
#[derive(Clone, Debug)]
struct Modify {
    method: Method,
    /// The offer (empty for an UPDATE refresh, which carries none).
    sdp: Vec<u8>,
    purpose: Purpose,
    /// 422 retries so far (RFC 4028 §7.4); bounded so two peers cannot loop forever.
    retries: u8,
}

/// A re-INVITE or UPDATE from the peer that the runtime has not answered yet.
#[derive(Debug)]
struct IncomingModify {
    request: Request,
    tx: TxKey,
    dest: SocketAddr,
}

/// RFC 4028 §10: a running session timer.
#[derive(Clone, Copy, Debug)]
struct SessionTimer {
    interval: u32,
    /// We send the refreshes; otherwise we wait for them.
    refresher: bool,
    /// When to refresh (half the interval) or, when waiting, when to give up (the interval
    /// less a third of it, at most 32 s).
    due: Instant,
}

impl SessionTimer {
    fn start(now: Instant, interval: u32, refresher: bool) -> Self {
        let secs = if refresher {
            u64::from(interval) / 2
        } else {
            u64::from(interval) - (u64::from(interval) / 3).min(32)
        };
        SessionTimer {
            interval,
            refresher,
            due: now + Duration::from_secs(secs.max(1)),
        }
    }
}

/// The state of the extensions a call may use: reliable provisionals (RFC 3262), session
/// modification (RFC 3261 §14, RFC 3311) and session timers (RFC 4028).
#[derive(Debug, Default)]
struct CallExt {
    /// The last session description we sent; a re-INVITE refresh repeats it (RFC 4028 §7.4).
    local_sdp: Vec<u8>,
    /// UAC: the early dialog's remote tag and the RSeq of the last reliable provisional we
    /// PRACKed (RFC 3262 §4).
    prack: Option<(String, u32)>,
    /// UAC: a reliable provisional carried the answer to our INVITE's offer (RFC 3262 §5).
    early_answer: bool,
    /// UAS: the INVITE requires 100rel, so our provisionals are sent reliably (RFC 3262 §3).
    reliable_wanted: bool,
    /// UAS: RSeq of our next reliable provisional.
    next_rseq: u32,
    /// UAS: the reliable provisional waiting for its PRACK.
    reliable: Option<ReliableProvisional>,
    /// Our re-INVITE or UPDATE in flight, with its transaction.
    modify: Option<(TxKey, Modify)>,
    /// A re-INVITE to send again after a 491 (§14.1), and when.
    glare: Option<(Instant, Modify)>,
    /// ACK of the 2xx to our last re-INVITE with its CSeq, resent for retransmissions of
    /// that 2xx (§13.2.2.4).
    reack: Option<(u32, Transmit)>,
    incoming: Option<IncomingModify>,
    timer: Option<SessionTimer>,
    /// The largest Min-SE a 422 named (RFC 4028 §7.4: later requests carry it).
    min_se: u32,
    /// The peer's Allow lists UPDATE, so refreshes use it (RFC 4028 §10 prefers it).
    peer_update: bool,
    /// UAS: interval and refresher our 2xx to the INVITE sets up (RFC 4028 §9).
    invite_timer: Option<(u32, Refresher)>,
    /// We placed the call (and own its Call-ID, §14.1).
    outgoing: bool,
    /// UAC: how often the INVITE was sent again after a 422 (RFC 4028 §7.4).
    invite_retries: u8,
    /// REFER sent or received on this call (RFC 3515).
    transfer: transfer::CallTransfer,
}

#[derive(Debug)]
struct Call {
    state: CallState,
    dialog: Dialog,
    /// The INVITE we sent or received.
    invite: Request,
    invite_tx: TxKey,
    /// UAC: branch of our INVITE, shared by its CANCEL (§9.1).
    branch: String,
    /// UAC: ACK of the 2xx, resent for each retransmitted 2xx (§13.2.2.4).
    ack: Option<Transmit>,
    /// UAS: 2xx retransmission until ACK.
    ok: Option<OkRetransmit>,
    /// UAC: §9.1 gives the INVITE 64*T1 after CANCEL to end.
    cancel_deadline: Option<Instant>,
    /// CSeq number of the initial INVITE: its ACK and CANCEL reuse it (§9.1, §13.2.2.4),
    /// whatever PRACKs and UPDATEs the dialog sent since.
    invite_seq: u32,
    /// Our Contact, repeated in target refresh requests and their 2xx (§12.2).
    contact: String,
    ext: CallExt,
}

impl Call {
    fn next_timeout(&self) -> Option<Instant> {
        let ok = self.ok.as_ref().map(|o| o.next.min(o.give_up));
        let reliable = self.ext.reliable.as_ref().map(|r| r.next.min(r.give_up));
        let glare = self.ext.glare.as_ref().map(|(at, _)| *at);
        let timer = self.ext.timer.map(|t| t.due);
        [ok, reliable, glare, timer, self.cancel_deadline]
            .into_iter()
            .flatten()
            .min()
    }

    /// RFC 3264 §4 / RFC 3311 §5.2: we sent an offer that is not answered yet.
    fn offer_sent(&self) -> bool {
        let initial = matches!(self.state, CallState::Inviting { .. })
            && !self.invite.body.is_empty()
            && !self.ext.early_answer;
        let modify = self
            .ext
            .modify
            .as_ref()
            .is_some_and(|(_, m)| !m.sdp.is_empty());
        initial || modify
    }

    /// We received an offer the runtime has not answered yet.
    fn offer_received(&self) -> bool {
        let initial = self.state == CallState::Ringing && !self.invite.body.is_empty();
        let modify = self
            .ext
            .incoming
            .as_ref()
            .is_some_and(|m| !m.request.body.is_empty());
        initial || modify
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Invite,
    Bye,
    /// Our re-INVITE or UPDATE (session modification or refresh).
    Modify,
    Prack,
    /// Our REFER (RFC 3515).
    Refer,
}

/// RFC 4028 §4: the session interval we ask for (the RFC recommends 1800 s).
const SESSION_EXPIRES: u32 = 1800;
/// RFC 4028 §5: the smallest session interval we accept, the RFC's default.
const MIN_SE: u32 = 90;
/// A 422 is retried at most this often for one request (RFC 4028 §7.4).
const MAX_422_RETRIES: u8 = 2;

/// Allow (RFC 3261 §20.5): the base methods plus PRACK (RFC 3262), UPDATE (RFC 3311) and,
/// in calls, REFER with its NOTIFYs (RFC 3515) and INFO (DTMF, RFC 6086 legacy usage).
fn allow_header() -> Header {
    headers::Allow::new(format!(
        "{}, PRACK, UPDATE, REFER, NOTIFY, INFO",
        message::ALLOW
    ))
    .into()
}

fn supported_header() -> Header {
    headers::Supported::new(extensions::SUPPORTED).into()
}

#[derive(Debug)]
struct Entry {
    tx: Transaction,
    /// The call this transaction reports to, if any.
    owner: Option<(CallHandle, Role)>,
}

/// Sans-IO SIP user agent over UDP: feed it datagrams and time, drain transmits and events.
#[derive(Debug)]
pub struct UserAgent {
    config: UaConfig,
    rng: fastrand::Rng,
    next_call: u64,
    calls: BTreeMap<CallHandle, Call>,
    transactions: BTreeMap<TxKey, Entry>,
    transmits: Outbox,
    events: VecDeque<Event>,
    registrations: Registrations,
    /// RFC 3428 MESSAGE client transactions.
    messages: Messages,
    /// RFC 6665 subscriptions and their SUBSCRIBE transactions.
    subscriptions: Subscriptions,
    /// Credentials of calls placed with [`CallOptions::credentials`].
    call_auth: BTreeMap<CallHandle, Authenticator>,
    /// S2: the server addresses of our calls' INVITEs, while they are being placed.
    invite_targets: BTreeMap<CallHandle, Alternates>,
    /// S2: final responses to INVITE that try the next address (`sip_failover_response`).
    failover: FailoverResponses,
    /// The message being handled came over a stream connection (RFC 3261 §18.2.2).
    inbound_stream: bool,
}

fn is_success(code: u16) -> bool {
    (200..300).contains(&code)
}

/// RFC 4028 §9: what a UAS answers to a request's Session-Expires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Negotiated {
    /// No Session-Expires: no session timer.
    None,
    /// Below our Min-SE from a caller that knows the extension: 422.
    TooSmall,
    Timer(u32, Refresher),
}

fn negotiate_timer(headers: &Headers) -> Negotiated {
    let Some(se) = extensions::session_expires(headers) else {
        return Negotiated::None;
    };
    let supported = extensions::supports(headers, TAG_TIMER);
    if se.interval < MIN_SE {
        if supported {
            return Negotiated::TooSmall;
        }
        // §9: a caller that does not know the extension (a proxy asked for the timer)
        // cannot retry after a 422; we raise the interval and refresh ourselves.
        return Negotiated::Timer(MIN_SE, Refresher::Uas);
    }
    // §9: a caller without the extension cannot refresh, so we do; otherwise its choice,
    // by default the caller.
    let refresher = if supported {
        se.refresher.unwrap_or(Refresher::Uac)
    } else {
        Refresher::Uas
    };
    Negotiated::Timer(se.interval, refresher)
}

fn body(bytes: &[u8]) -> Option<Vec<u8>> {
    (!bytes.is_empty()).then(|| bytes.to_vec())
}

/// A SIP URI from the API, refusing what could break a header line.
fn parse_uri(s: &str) -> Result<rsip::Uri, Error> {
    let bad = || Error::InvalidUri(s.to_owned());
    if s.is_empty()
        || s.chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>\"".contains(c))
    {
        return Err(bad());
    }
    let uri = message::sip_uri(s).ok_or_else(bad)?;
    match uri.scheme {
        Some(Scheme::Sip | Scheme::Sips) if !uri.host_with_port.host.to_string().is_empty() => {
            Ok(uri)
        }
        _ => Err(bad()),
    }
}

impl UserAgent {
    pub fn new(config: UaConfig) -> Self {
        UserAgent {
            config,
            rng: fastrand::Rng::new(),
            next_call: 1,
            calls: BTreeMap::new(),
            transactions: BTreeMap::new(),
            transmits: Outbox::default(),
            events: VecDeque::new(),
            registrations: Registrations::default(),
            messages: Messages::default(),
            subscriptions: Subscriptions::default(),
            call_auth: BTreeMap::new(),
            invite_targets: BTreeMap::new(),
            failover: FailoverResponses::default(),
            inbound_stream: false,
        }
    }

    /// S2: which final responses make a request try the server's next address.
    pub fn set_failover(&mut self, policy: FailoverPolicy) {
        self.failover = policy.responses;
        self.registrations.failover = policy.register_responses;
    }

    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        let mut t = self.transmits.pop_front()?;
        // Messages are built for UDP; the last step before the wire names the stream
        // transport in the Via (§18.1.1) and the Contact (so the peer's requests come
        // back the same way, §19.1.1 transport parameter).
        t.transport = self.transmits.transport(t.dest);
        if t.transport != Transport::Udp {
            message::for_stream(&mut t.payload, t.transport);
        }
        Some(t)
    }

    /// Requests and responses to `dest` go over `transport` (the runtime chose it from the
    /// URI's `transport` parameter or from DNS, RFC 3263 §4.1); `Transport::Udp` undoes it.
    pub fn set_transport(&mut self, dest: SocketAddr, transport: Transport) {
        self.transmits.set_transport(dest, transport, false);
    }

    /// One message read from the stream connection with `from` (the runtime frames it,
    /// [`parse::frame`](crate::parse::frame)). Responses to requests on it go back over the
    /// same transport to the same peer (RFC 3261 §18.2.2).
    pub fn handle_stream_message(
        &mut self,
        now: Instant,
        transport: Transport,
        from: SocketAddr,
        data: &[u8],
    ) {
        self.transmits.set_transport(from, transport, true);
        self.inbound_stream = true;
        self.handle_datagram(now, from, data);
        self.inbound_stream = false;
    }

    /// The stream connection with `peer` closed: a peer that connected to us is reached
    /// over UDP again unless [`set_transport`](Self::set_transport) named its transport.
    pub fn handle_stream_closed(&mut self, peer: SocketAddr) {
        self.transmits.forget(peer);
    }

    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Earliest time [`handle_timeout`](Self::handle_timeout) must be called, if any timer runs.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let tx = self
            .transactions
            .values()
            .filter_map(|e| e.tx.next_timeout());
        tx.chain(self.calls.values().filter_map(Call::next_timeout))
            .chain(self.registrations.next_timeout())
            .chain(self.messages.next_timeout())
            .chain(self.subscriptions.next_timeout())
            .min()
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        let due: Vec<TxKey> = self
            .transactions
            .iter()
            .filter(|(_, e)| e.tx.next_timeout().is_some_and(|t| t <= now))
            .map(|(k, _)| k.clone())
            .collect();
        for key in due {
            let Some(entry) = self.transactions.get_mut(&key) else {
                continue;
            };
            let failure = entry.tx.on_timeout(now, &mut self.transmits);
            let owner = entry.owner;
            if entry.tx.is_terminated() {
                self.transactions.remove(&key);
            }
            if let (Some(failure), Some(owner)) = (failure, owner) {
                self.on_tx_failure(Some(now), owner, failure);
            }
        }
        let due: Vec<CallHandle> = self
            .calls
            .iter()
            .filter(|(_, c)| c.next_timeout().is_some_and(|t| t <= now))
            .map(|(h, _)| *h)
            .collect();
        for h in due {
            self.on_call_timer(now, h);
        }
        let (registrations, mut io) = self.registration_io();
        registrations.on_timeout(now, &mut io);
        self.events_timeout(now);
        self.follow_referrals(now);
    }

    /// The runtime could not send to `dest` (e.g. ICMP unreachable) at `now`: transactions
    /// towards it fail as RFC 3261 §17.1.4 / §17.2.4 describe, ending their calls with
    /// TransportError, unless the server has another address to fail over to (S2).
    pub fn handle_transport_error(&mut self, now: Instant, dest: SocketAddr) {
        let hit: Vec<TxKey> = self
            .transactions
            .iter()
            .filter(|(_, e)| e.tx.dest() == dest)
            .map(|(k, _)| k.clone())
            .collect();
        for key in hit {
            if let Some(mut entry) = self.transactions.remove(&key)
                && let (Some(failure), Some(owner)) = (entry.tx.on_transport_error(), entry.owner)
            {
                self.on_tx_failure(Some(now), owner, failure);
            }
        }
        let (registrations, mut io) = self.registration_io();
        registrations.on_transport_error(now, dest, &mut io);
        self.events_transport_error(now, dest);
    }

    pub fn handle_datagram(&mut self, now: Instant, from: SocketAddr, data: &[u8]) {
        match message::parse(data, &self.config.user_agent, &mut self.rng) {
            Ok(Inbound::Request(req, meta)) => self.on_request(now, from, req, meta),
            Ok(Inbound::Response(resp, meta)) => self.on_response(now, resp, meta),
            Err(Rejected::KeepAlive) => {}
            Err(Rejected::Drop(why)) => {
                self.diagnostic(format!("dropped datagram from {from}: {why}"))
            }
            Err(Rejected::Answer { why, response }) => {
                self.diagnostic(format!("answered bad request from {from}: {why}"));
                self.transmits.push_back(Transmit {
                    dest: from,
                    payload: response,
                    transport: Transport::Udp,
                });
            }
        }
        self.follow_referrals(now);
    }

    pub fn invite(&mut self, now: Instant, call: OutgoingCall) -> Result<CallHandle, Error> {
        self.invite_with(now, call, CallOptions::default())
    }

    /// [`invite`](Self::invite) through a service provider: with credentials for its
    /// challenges and, optionally, its outbound proxy.
    pub fn invite_with(
        &mut self,
        now: Instant,
        call: OutgoingCall,
        options: CallOptions,
    ) -> Result<CallHandle, Error> {
        let target = parse_uri(&call.target_uri)?;
        let from = parse_uri(&call.from_uri)?;
        let call_id = message::token(&mut self.rng, 24);
        let local_tag = message::token(&mut self.rng, 10);
        let branch = message::new_branch(&mut self.rng);
        // §8.1.1.5: the initial CSeq must be below 2^31.
        let seq = self.rng.u32(1..0x8000_0000);

        let mut h = Headers::default();
        h.push(message::via(self.config.local_addr, &branch));
        h.push(headers::MaxForwards::new("70").into());
        if let Some(proxy) = options.outbound_proxy {
            h.push(headers::Route::new(format!("<sip:{proxy};lr>")).into());
        }
        let from_value = message::name_addr(&call.from_display, &call.from_uri);
        h.push(headers::From::new(format!("{from_value};tag={local_tag}")).into());
        h.push(headers::To::new(format!("<{}>", call.target_uri)).into());
        h.push(headers::CallId::new(call_id.clone()).into());
        h.push(headers::CSeq::new(format!("{seq} INVITE")).into());
        let contact = self.contact(from.user());
        h.push(headers::Contact::new(contact.clone()).into());
        h.push(allow_header());
        // RFC 3262 §4 and RFC 4028 §7.1: we take reliable provisionals and session timers,
        // asking for the recommended interval and letting the callee pick the refresher.
        h.push(supported_header());
        h.push(extensions::session_expires_header(SESSION_EXPIRES, None));
        h.push(extensions::min_se_header(MIN_SE));
        h.push(headers::UserAgent::new(self.config.user_agent.clone()).into());
        transfer::referral_headers(&mut h, options.referral.as_ref());
        let mut invite = Request {
            method: Method::Invite,
            uri: target,
            version: rsip::Version::V2,
            headers: h,
            body: Vec::new(),
        };
        let local_sdp = call.sdp.clone();
        message::set_sdp_body(&mut invite.headers, &mut invite.body, call.sdp);

        let handle = self.new_handle();
        if let Some(credentials) = options.credentials {
            self.call_auth
                .insert(handle, Authenticator::new(credentials));
        }
        self.invite_targets
            .insert(handle, Alternates::new(call.dest, &options.alternates));
        let key = TxKey::client(&branch, &Method::Invite);
        let client = Client::start(now, invite.clone(), call.dest, &mut self.transmits);
        self.transactions.insert(
            key.clone(),
            Entry {
                tx: Transaction::Client(Box::new(client)),
                owner: Some((handle, Role::Invite)),
            },
        );
        self.calls.insert(
            handle,
            Call {
                state: CallState::Inviting {
                    provisional: false,
                    cancel: Cancel::No,
                },
                dialog: Dialog::uac(&invite, &call_id, &local_tag, seq, call.dest),
                invite,
                invite_tx: key,
                branch,
                ack: None,
                ok: None,
                cancel_deadline: None,
                invite_seq: seq,
                contact,
                ext: CallExt {
                    local_sdp,
                    min_se: MIN_SE,
                    outgoing: true,
                    ..CallExt::default()
                },
            },
        );
        if let Some(r) = &options.referral {
            self.link_referral(r.call, handle);
        }
        Ok(handle)
    }

    /// Send 180 Ringing for an incoming call; reliably (RFC 3262 §3) when the INVITE
    /// requires 100rel.
    pub fn ring(&mut self, now: Instant, call: CallHandle) -> Result<(), Error> {
        self.expect_ringing(call)?;
        if self.calls[&call].ext.reliable.is_some() {
            // RFC 3262 §3: no second reliable provisional before the first is PRACKed.
            return Err(Error::InvalidState("the last 180 is not acknowledged yet"));
        }
        let transmit = self.respond_call(now, call, 180, Vec::new())?;
        if let Some(c) = self.calls.get_mut(&call)
            && c.ext.reliable_wanted
        {
            let rseq = c.ext.next_rseq;
            c.ext.next_rseq = rseq.wrapping_add(1);
            // RFC 3262 §3: retransmitted from T1, doubling, for 64*T1.
            c.ext.reliable = Some(ReliableProvisional {
                transmit,
                rseq,
                next: now + T1,
                interval: T1,
                give_up: now + TIMEOUT,
            });
        }
        Ok(())
    }

    /// Send 200 OK with this SDP answer; it is retransmitted (§13.3.1.4) until the ACK.
    pub fn answer(&mut self, now: Instant, call: CallHandle, sdp: Vec<u8>) -> Result<(), Error> {
        self.expect_ringing(call)?;
        let local_sdp = sdp.clone();
        let transmit = self.respond_call(now, call, 200, sdp)?;
        if let Some(c) = self.calls.get_mut(&call) {
            c.state = CallState::Answered { hangup: false };
            // §13.3.1.4: T1, doubling up to T2, for 64*T1.
            c.ok = Some(OkRetransmit {
                transmit,
                next: now + T1,
                interval: T1,
                give_up: now + TIMEOUT,
                cseq: c.invite_seq,
            });
            // The final response ends the reliable provisional's retransmissions.
            c.ext.reliable = None;
            c.ext.local_sdp = local_sdp;
            c.ext.timer = c
                .ext
                .invite_timer
                .map(|(interval, r)| SessionTimer::start(now, interval, r == Refresher::Uas));
        }
        Ok(())
    }

    /// Reject an incoming call with a 3xx-6xx final response (486 busy, 603 decline, ...).
    pub fn reject(&mut self, now: Instant, call: CallHandle, code: u16) -> Result<(), Error> {
        self.expect_ringing(call)?;
        if !(300..700).contains(&code) {
            return Err(Error::InvalidState("a rejection needs a 3xx-6xx code"));
        }
        self.respond_call(now, call, code, Vec::new())?;
        self.end(call, EndReason::Rejected(code));
        Ok(())
    }

    /// Redirect an incoming call (call forwarding): 302 Moved Temporarily with `target` as
    /// the Contact the caller should try instead (RFC 3261 §21.3.3, §8.1.3.4).
    pub fn redirect(&mut self, now: Instant, call: CallHandle, target: &str) -> Result<(), Error> {
        self.expect_ringing(call)?;
        if target.contains(['<', '>', '\r', '\n']) {
            return Err(Error::InvalidState("a redirect target must be a plain URI"));
        }
        let contact = headers::Contact::new(format!("<{target}>")).into();
        self.respond_call_with(now, call, 302, Vec::new(), vec![contact])?;
        self.end(call, EndReason::Rejected(302));
        Ok(())
    }

    /// End a call in whatever state: CANCEL an unanswered outgoing call (after the first
    /// provisional response, §9.1), BYE a confirmed one, reject an unanswered incoming one
    /// with 486 (ending it as `Rejected(486)`). The `Ended` event follows once the peer
    /// confirmed or the transaction gave up.
    pub fn hangup(&mut self, now: Instant, call: CallHandle) -> Result<(), Error> {
        let c = self.calls.get_mut(&call).ok_or(Error::UnknownCall)?;
        match c.state {
            CallState::Inviting {
                provisional,
                cancel: Cancel::No,
            } => {
                c.state = CallState::Inviting {
                    provisional,
                    cancel: Cancel::Pending,
                };
                if provisional {
                    self.send_cancel(now, call);
                }
                Ok(())
            }
            CallState::Ringing => self.reject(now, call, 486),
            // §15: the callee must not send BYE before the ACK (or its timeout).
            CallState::Answered { hangup: false } => {
                c.state = CallState::Answered { hangup: true };
                Ok(())
            }
            CallState::Confirmed => {
                self.send_bye(now, call);
                Ok(())
            }
            CallState::Inviting { .. }
            | CallState::Answered { hangup: true }
            | CallState::Terminating => Err(Error::InvalidState("the call is already ending")),
        }
    }

    /// Offer a new session description in a re-INVITE (RFC 3261 §14.1), e.g. with
    /// `a=sendonly` to put the call on hold (RFC 3264 §8.4). The outcome comes as
    /// [`Event::Modified`] or [`Event::ModifyFailed`]; until then the session is unchanged.
    /// A 422 is retried with the Min-SE it names (RFC 4028 §7.4), a 491 after the §14.1
    /// wait, so neither leaves the peer with half a hold.
    pub fn reinvite(&mut self, now: Instant, call: CallHandle, sdp: Vec<u8>) -> Result<(), Error> {
        let c = self.calls.get(&call).ok_or(Error::UnknownCall)?;
        if c.state != CallState::Confirmed {
            return Err(Error::InvalidState("the call is not established"));
        }
        // §14.1: no re-INVITE while another INVITE transaction runs in either direction. A
        // session refresh in flight gives way: this re-INVITE refreshes the session too.
        let user_modify = c
            .ext
            .modify
            .as_ref()
            .is_some_and(|(_, m)| m.purpose == Purpose::User);
        let glare = c
            .ext
            .glare
            .as_ref()
            .is_some_and(|(_, m)| m.purpose == Purpose::User);
        if user_modify || glare || c.ext.incoming.is_some() || c.ok.is_some() {
            return Err(Error::InvalidState(
                "another INVITE transaction is in progress",
            ));
        }
        self.send_modify(
            now,
            call,
            Modify {
                method: Method::Invite,
                sdp,
                purpose: Purpose::User,
                retries: 0,
            },
        );
        Ok(())
    }

    /// Answer the offer of an [`Event::Reoffer`] with 200 and this SDP (for an offer-less
    /// re-INVITE: our offer, whose answer comes with the ACK as [`Event::Modified`]).
    pub fn answer_reoffer(
        &mut self,
        now: Instant,
        call: CallHandle,
        sdp: Vec<u8>,
    ) -> Result<(), Error> {
        let c = self.calls.get_mut(&call).ok_or(Error::UnknownCall)?;
        let m = c
            .ext
            .incoming
            .take()
            .ok_or(Error::InvalidState("no offer to answer"))?;
        self.respond_modify(now, call, m, 200, sdp)
    }

    /// Refuse the offer of an [`Event::Reoffer`] (e.g. 488); the session stays as it was
    /// (§14.2).
    pub fn reject_reoffer(
        &mut self,
        now: Instant,
        call: CallHandle,
        code: u16,
    ) -> Result<(), Error> {
        if !(300..700).contains(&code) {
            return Err(Error::InvalidState("a rejection needs a 3xx-6xx code"));
        }
        let c = self.calls.get_mut(&call).ok_or(Error::UnknownCall)?;
        let m = c
            .ext
            .incoming
            .take()
            .ok_or(Error::InvalidState("no offer to refuse"))?;
        self.respond_modify(now, call, m, code, Vec::new())
    }

    // ----- internals -----

    /// Send a re-INVITE or UPDATE in the call's dialog. It is a target refresh (Contact,
    /// §12.2) and a session refresh request (RFC 4028 §7.4: the current interval and
    /// refresher, and the largest Min-SE we heard).
    fn send_modify(&mut self, now: Instant, call: CallHandle, m: Modify) {
        let branch = message::new_branch(&mut self.rng);
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let (mut req, dest) = c.dialog.request(
            m.method,
            self.config.local_addr,
            &branch,
            &self.config.user_agent,
        );
        req.headers
            .push(headers::Contact::new(c.contact.clone()).into());
        req.headers.push(allow_header());
        req.headers.push(supported_header());
        let (interval, refresher) = match c.ext.timer {
            Some(t) => (
                t.interval,
                Some(if t.refresher {
                    Refresher::Uac
                } else {
                    Refresher::Uas
                }),
            ),
            None => (SESSION_EXPIRES, None),
        };
        req.headers.push(extensions::session_expires_header(
            interval.max(c.ext.min_se),
            refresher,
        ));
        req.headers.push(extensions::min_se_header(c.ext.min_se));
        message::set_sdp_body(&mut req.headers, &mut req.body, m.sdp.clone());
        let key = TxKey::client(&branch, &m.method);
        let client = Client::start(now, req, dest, &mut self.transmits);
        c.ext.modify = Some((key.clone(), m));
        self.transactions.insert(
            key,
            Entry {
                tx: Transaction::Client(Box::new(client)),
                owner: Some((call, Role::Modify)),
            },
        );
    }

    /// A response to our re-INVITE or UPDATE.
    fn on_modify_response(
        &mut self,
        now: Instant,
        call: CallHandle,
        resp: &Response,
        meta: &Meta,
        key: &TxKey,
    ) {
        let code = resp.status_code.code();
        let branch = message::new_branch(&mut self.rng);
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let current = c.ext.modify.as_ref().is_some_and(|(k, _)| k == key);
        if !current {
            // §13.2.2.4: a retransmitted 2xx to a re-INVITE gets the same ACK again.
            if let Some((seq, ack)) = &c.ext.reack
                && meta.cseq_method == Method::Invite
                && *seq == meta.cseq
                && is_success(code)
            {
                self.transmits.push_back(ack.clone());
            }
            return;
        }
        if code < 200 {
            return;
        }
        let Some((_, m)) = c.ext.modify.take() else {
            return;
        };
        if meta.cseq_method == Method::Invite && is_success(code) {
            // §13.2.2.4: the core ACKs a 2xx, with the re-INVITE's CSeq number.
            let (ack, dest) = c.dialog.ack(
                meta.cseq,
                self.config.local_addr,
                &branch,
                &self.config.user_agent,
            );
            let ack = Transmit {
                dest,
                payload: message::encode_request(&ack),
                transport: Transport::Udp,
            };
            self.transmits.push_back(ack.clone());
            c.ext.reack = Some((meta.cseq, ack));
        }
        match code {
            200..=299 => {
                // §12.2.1.2: the 2xx of a target refresh request updates the remote target.
                c.dialog.refresh_target(&resp.headers);
                if let Some(update) = extensions::allows(&resp.headers, Method::Update) {
                    c.ext.peer_update = update;
                }
                // RFC 4028 §7.2: the 2xx sets the session timer, or there is none; as the
                // request's sender we are "uac" here.
                c.ext.timer = extensions::session_expires(&resp.headers).map(|se| {
                    SessionTimer::start(now, se.interval, se.refresher != Some(Refresher::Uas))
                });
                if !m.sdp.is_empty() {
                    c.ext.local_sdp = m.sdp.clone();
                }
                if m.purpose == Purpose::User {
                    self.events.push_back(Event::Modified {
                        call,
                        sdp: body(&resp.body),
                    });
                }
            }
            // RFC 4028 §7.4: too small an interval: again, with at least the Min-SE named.
            422 if m.retries < MAX_422_RETRIES
                && extensions::min_se(&resp.headers).is_some_and(|min| min > c.ext.min_se) =>
            {
                c.ext.min_se = extensions::min_se(&resp.headers).unwrap_or(c.ext.min_se);
                let retry = Modify {
                    retries: m.retries + 1,
                    ..m
                };
                self.send_modify(now, call, retry);
            }
            // §14.1: glare; try again after a random wait: 2.1-4 s if we placed the call
            // (we own the Call-ID), up to 2 s otherwise.
            491 if m.retries < MAX_422_RETRIES => {
                let ms = if c.ext.outgoing {
                    self.rng.u64(2100..=4000)
                } else {
                    self.rng.u64(0..=2000)
                };
                let retry = Modify {
                    retries: m.retries + 1,
                    ..m
                };
                c.ext.glare = Some((now + Duration::from_millis(ms), retry));
            }
            // §12.2.1.2: the dialog is gone (481) or the peer unreachable (408).
            408 | 481 => {
                self.start_bye(now, call, false);
                self.end(call, EndReason::Timeout);
            }
            _ if m.purpose == Purpose::User => {
                self.events.push_back(Event::ModifyFailed { call, code });
            }
            _ => self.diagnostic(format!("session refresh on {call:?} failed with {code}")),
        }
    }

    /// RFC 4028 §10: the session timer fired. The refresher refreshes (UPDATE when the peer
    /// allows it, else a re-INVITE repeating our last SDP) and then waits like the other
    /// side; the side that waits ends the session with BYE.
    fn on_session_timer(&mut self, now: Instant, call: CallHandle) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let Some(t) = c.ext.timer else {
            return;
        };
        if !t.refresher {
            self.diagnostic(format!("session timer of {call:?} expired"));
            self.start_bye(now, call, false);
            self.end(call, EndReason::Timeout);
            return;
        }
        // Wait for the refresh's 2xx (which restarts the timer) until the session expires.
        let rest = u64::from(t.interval / 2).saturating_sub(u64::from((t.interval / 3).min(32)));
        let waiting = SessionTimer {
            refresher: false,
            due: now + Duration::from_secs(rest.max(1)),
            ..t
        };
        if c.ext.modify.is_some() || c.ext.incoming.is_some() || c.ok.is_some() {
            // A modification is under way; its 2xx refreshes the session.
            c.ext.timer = Some(waiting);
            return;
        }
        let refresh = if c.ext.peer_update {
            Modify {
                method: Method::Update,
                sdp: Vec::new(),
                purpose: Purpose::Refresh,
                retries: 0,
            }
        } else {
            Modify {
                method: Method::Invite,
                sdp: c.ext.local_sdp.clone(),
                purpose: Purpose::Refresh,
                retries: 0,
            }
        };
        // The request states us as refresher (RFC 4028 §7.4); then we wait like the peer.
        self.send_modify(now, call, refresh);
        if let Some(c) = self.calls.get_mut(&call) {
            c.ext.timer = Some(waiting);
        }
    }

    /// RFC 3262 §7.2: PRACK a reliable provisional within its early dialog.
    fn send_prack(&mut self, now: Instant, call: CallHandle, rseq: u32) {
        let branch = message::new_branch(&mut self.rng);
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let (mut req, dest) = c.dialog.request(
            Method::PRack,
            self.config.local_addr,
            &branch,
            &self.config.user_agent,
        );
        req.headers.push(Header::Other(
            "RAck".into(),
            format!("{rseq} {} INVITE", c.invite_seq),
        ));
        let client = Client::start(now, req, dest, &mut self.transmits);
        self.transactions.insert(
            TxKey::client(&branch, &Method::PRack),
            Entry {
                tx: Transaction::Client(Box::new(client)),
                owner: Some((call, Role::Prack)),
            },
        );
    }

    /// RFC 4028 §7.4 for the initial INVITE: after a 422, the same INVITE again (new
    /// transaction, next CSeq) asking for at least the Min-SE the 422 named.
    fn retry_invite(&mut self, now: Instant, call: CallHandle, min_se: u32) {
        let branch = message::new_branch(&mut self.rng);
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        c.ext.min_se = c.ext.min_se.max(min_se);
        c.ext.invite_retries += 1;
        c.ext.prack = None;
        c.ext.early_answer = false;
        c.dialog.local_seq = c.dialog.local_seq.wrapping_add(1);
        c.invite_seq = c.dialog.local_seq;
        let mut h = Headers::default();
        for header in c.invite.headers.iter() {
            match header {
                Header::Via(_) => h.push(message::via(self.config.local_addr, &branch)),
                Header::CSeq(_) => {
                    h.push(headers::CSeq::new(format!("{} INVITE", c.invite_seq)).into())
                }
                Header::Other(n, _)
                    if n.eq_ignore_ascii_case("Session-Expires")
                        || n.eq_ignore_ascii_case("Min-SE") => {}
                other => h.push(other.clone()),
            }
        }
        h.push(extensions::session_expires_header(c.ext.min_se, None));
        h.push(extensions::min_se_header(c.ext.min_se));
        c.invite.headers = h;
        let dest = self
            .transactions
            .get(&c.invite_tx)
            .map(|e| e.tx.dest())
            .unwrap_or(c.dialog.peer());
        let key = TxKey::client(&branch, &Method::Invite);
        let client = Client::start(now, c.invite.clone(), dest, &mut self.transmits);
        c.invite_tx = key.clone();
        c.branch = branch;
        c.state = CallState::Inviting {
            provisional: false,
            cancel: Cancel::No,
        };
        self.transactions.insert(
            key,
            Entry {
                tx: Transaction::Client(Box::new(client)),
                owner: Some((call, Role::Invite)),
            },
        );
    }

    /// S2 (RFC 3263 §4.3): our INVITE failed at the address in use; send it to the server's
    /// next address as a new transaction (new branch, next CSeq) with a fresh dialog there.
    /// False when no address is left, or the call is past its INVITE or being cancelled.
    fn fail_over_invite(&mut self, now: Instant, call: CallHandle) -> bool {
        let Some(c) = self.calls.get_mut(&call) else {
            return false;
        };
        if !matches!(
            c.state,
            CallState::Inviting {
                cancel: Cancel::No,
                ..
            }
        ) {
            return false;
        }
        let Some(targets) = self.invite_targets.get_mut(&call) else {
            return false;
        };
        let from = targets.current();
        let Some(dest) = targets.fail_over() else {
            return false;
        };
        let branch = message::new_branch(&mut self.rng);
        let seq = c.dialog.local_seq.wrapping_add(1);
        c.invite =
            failover::request_for_next(&c.invite, self.config.local_addr, &branch, seq, from, dest);
        c.invite_seq = seq;
        // Whatever early dialog the failed server made is over; the next one starts afresh.
        c.dialog = Dialog::uac(&c.invite, &c.dialog.call_id, &c.dialog.local_tag, seq, dest);
        c.ext.prack = None;
        c.ext.early_answer = false;
        c.state = CallState::Inviting {
            provisional: false,
            cancel: Cancel::No,
        };
        let key = TxKey::client(&branch, &Method::Invite);
        let client = Client::start(now, c.invite.clone(), dest, &mut self.transmits);
        c.invite_tx = key.clone();
        c.branch = branch;
        self.transactions.insert(
            key,
            Entry {
                tx: Transaction::Client(Box::new(client)),
                owner: Some((call, Role::Invite)),
            },
        );
        self.diagnostic(format!("INVITE on {call:?}: failing over to {dest}"));
        true
    }

    fn new_handle(&mut self) -> CallHandle {
        let h = CallHandle(self.next_call);
        self.next_call += 1;
        h
    }

    fn diagnostic(&mut self, text: String) {
        tracing::debug!("{text}");
        self.events.push_back(Event::Diagnostic(text));
    }

    fn end(&mut self, call: CallHandle, reason: EndReason) {
        self.call_auth.remove(&call);
        self.invite_targets.remove(&call);
        if self.calls.remove(&call).is_some() {
            tracing::debug!(?call, ?reason, "call ended");
            self.events.push_back(Event::Ended { call, reason });
        }
    }

    fn contact(&self, user: Option<&str>) -> String {
        match user {
            Some(u) if !u.is_empty() => format!("<sip:{u}@{}>", self.config.local_addr),
            _ => format!("<sip:{}>", self.config.local_addr),
        }
    }

    fn expect_ringing(&self, call: CallHandle) -> Result<(), Error> {
        match self.calls.get(&call).map(|c| c.state) {
            None => Err(Error::UnknownCall),
            Some(CallState::Ringing) => Ok(()),
            Some(_) => Err(Error::InvalidState("not an unanswered incoming call")),
        }
    }

    /// Send a response to an incoming call's INVITE through its server transaction. Responses
    /// that establish a dialog carry our tag, Contact and the Record-Route (§12.1.1).
    fn respond_call(
        &mut self,
        now: Instant,
        call: CallHandle,
        code: u16,
        sdp: Vec<u8>,
    ) -> Result<Transmit, Error> {
        self.respond_call_with(now, call, code, sdp, Vec::new())
    }

    /// [`respond_call`](Self::respond_call) with further header fields (a 3xx's Contact).
    fn respond_call_with(
        &mut self,
        now: Instant,
        call: CallHandle,
        code: u16,
        sdp: Vec<u8>,
        extra: Vec<Header>,
    ) -> Result<Transmit, Error> {
        let c = self.calls.get(&call).ok_or(Error::UnknownCall)?;
        let mut resp = message::response(
            &c.invite,
            code,
            &c.dialog.local_tag,
            &self.config.user_agent,
        );
        if (101..300).contains(&code) {
            let rr = c
                .invite
                .headers
                .iter()
                .filter(|h| matches!(h, Header::RecordRoute(_)));
            resp.headers.extend(rr.cloned().collect());
            resp.headers
                .push(headers::Contact::new(c.contact.clone()).into());
            // §13.3.1.4: a 2xx SHOULD list Allow (cheap enough on 1xx too).
            resp.headers.push(allow_header());
            resp.headers.push(supported_header());
        }
        if code < 200 && c.ext.reliable_wanted {
            // RFC 3262 §3: a reliable provisional requires 100rel and numbers itself.
            resp.headers.push(headers::Require::new(TAG_100REL).into());
            resp.headers
                .push(Header::Other("RSeq".into(), c.ext.next_rseq.to_string()));
        }
        if is_success(code)
            && let Some((interval, refresher)) = c.ext.invite_timer
        {
            // RFC 4028 §9: the 2xx states the interval and refresher, and requires the
            // extension from a caller that supports it.
            resp.headers.push(extensions::session_expires_header(
                interval,
                Some(refresher),
            ));
            if extensions::supports(&c.invite.headers, TAG_TIMER) {
                resp.headers.push(headers::Require::new(TAG_TIMER).into());
            }
        }
        resp.headers.extend(extra);
        message::set_sdp_body(&mut resp.headers, &mut resp.body, sdp);
        let Some(Entry {
            tx: Transaction::Server(server),
            ..
        }) = self.transactions.get_mut(&c.invite_tx)
        else {
            return Err(Error::InvalidState("the INVITE transaction is gone"));
        };
        if !server.respond(now, &resp, &mut self.transmits) {
            return Err(Error::InvalidState("the INVITE was already answered"));
        }
        Ok(Transmit {
            dest: server.dest(),
            payload: message::encode_response(&resp),
            transport: Transport::Udp,
        })
    }

    /// Our response to a request handled outside the call flows.
    fn make_response(&mut self, req: &Request, code: u16, to_tag: Option<String>) -> Response {
        let tag = to_tag.unwrap_or_else(|| message::token(&mut self.rng, 10));
        let mut resp = message::response(req, code, &tag, &self.config.user_agent);
        let options_ok = code == 200 && req.method == Method::Options;
        if code == 405 || options_ok {
            // §8.2.1 (405 MUST list Allow), §11.2 (OPTIONS answers list Allow and Accept).
            resp.headers.push(allow_header());
        }
        if options_ok {
            resp.headers
                .push(headers::Accept::new(message::SDP_TYPE).into());
            resp.headers.push(supported_header());
        }
        resp
    }

    /// Send `resp` through a new server transaction that absorbs retransmissions of `req`.
    fn send_reply(
        &mut self,
        now: Instant,
        key: TxKey,
        req: &Request,
        dest: SocketAddr,
        resp: &Response,
    ) {
        let mut server = Server::new(req, dest);
        server.respond(now, resp, &mut self.transmits);
        self.transactions.insert(
            key,
            Entry {
                tx: Transaction::Server(server),
                owner: None,
            },
        );
    }

    fn reply(&mut self, now: Instant, key: TxKey, req: &Request, dest: SocketAddr, code: u16) {
        let resp = self.make_response(req, code, None);
        self.send_reply(now, key, req, dest, &resp);
    }

    fn send_bye(&mut self, now: Instant, call: CallHandle) {
        self.start_bye(now, call, true);
    }

    /// Send BYE in the call's dialog. If `owned`, the call waits in Terminating for it;
    /// otherwise the call is being ended right away and the BYE runs on its own.
    fn start_bye(&mut self, now: Instant, call: CallHandle, owned: bool) {
        let branch = message::new_branch(&mut self.rng);
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let (bye, dest) = c.dialog.request(
            Method::Bye,
            self.config.local_addr,
            &branch,
            &self.config.user_agent,
        );
        c.ok = None;
        if owned {
            c.state = CallState::Terminating;
        }
        let client = Client::start(now, bye, dest, &mut self.transmits);
        let owner = owned.then_some((call, Role::Bye));
        self.transactions.insert(
            TxKey::client(&branch, &Method::Bye),
            Entry {
                tx: Transaction::Client(Box::new(client)),
                owner,
            },
        );
    }

    /// §9.1: CANCEL copies Request-URI, Call-ID, From, To, CSeq number, the single Via
    /// (same branch) and Route of the INVITE, and goes where the INVITE went.
    fn send_cancel(&mut self, now: Instant, call: CallHandle) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let Some(dest) = self.transactions.get(&c.invite_tx).map(|e| e.tx.dest()) else {
            return;
        };
        let mut h = Headers::default();
        for header in c.invite.headers.iter() {
            match header {
                Header::Via(_)
                | Header::MaxForwards(_)
                | Header::From(_)
                | Header::To(_)
                | Header::CallId(_)
                | Header::Route(_) => h.push(header.clone()),
                Header::CSeq(_) => {
                    h.push(headers::CSeq::new(format!("{} CANCEL", c.invite_seq)).into())
                }
                _ => {}
            }
        }
        h.push(headers::UserAgent::new(self.config.user_agent.clone()).into());
        let cancel = Request {
            method: Method::Cancel,
            uri: c.invite.uri.clone(),
            version: rsip::Version::V2,
            headers: h,
            body: Vec::new(),
        };
        if let CallState::Inviting { provisional, .. } = c.state {
            c.state = CallState::Inviting {
                provisional,
                cancel: Cancel::Sent,
            };
        }
        c.cancel_deadline = Some(now + TIMEOUT);
        let key = TxKey::client(&c.branch, &Method::Cancel);
        let client = Client::start(now, cancel, dest, &mut self.transmits);
        self.transactions.insert(
            key,
            Entry {
                tx: Transaction::Client(Box::new(client)),
                owner: None,
            },
        );
    }

    fn on_tx_failure(
        &mut self,
        now: Option<Instant>,
        (call, role): (CallHandle, Role),
        failure: Failure,
    ) {
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        let transport = failure == Failure::Transport;
        match (role, c.state) {
            // Timer B: nobody answered our INVITE.
            (Role::Invite, CallState::Inviting { cancel, .. }) => {
                // S2, RFC 3263 §4.3: unless another address of the server is left.
                if let Some(now) = now
                    && self.fail_over_invite(now, call)
                {
                    return;
                }
                let reason = match cancel {
                    Cancel::Pending | Cancel::Sent => EndReason::LocalHangup,
                    Cancel::No if transport => EndReason::TransportError,
                    Cancel::No => EndReason::Timeout,
                };
                self.end(call, reason);
            }
            (Role::Invite, CallState::Ringing | CallState::Answered { .. }) if transport => {
                self.end(call, EndReason::TransportError);
            }
            // §15.1.1: our BYE timing out still ends the call.
            (Role::Bye, _) => self.end(call, EndReason::LocalHangup),
            // §14.1 with §12.2.1.2: a re-INVITE or UPDATE that times out ends the dialog.
            (Role::Modify, _) => {
                let reason = match now {
                    Some(now) if !transport => {
                        self.start_bye(now, call, false);
                        EndReason::Timeout
                    }
                    _ => EndReason::TransportError,
                };
                self.end(call, reason);
            }
            (Role::Prack, _) => {
                self.diagnostic(format!("PRACK on {call:?} went unanswered"));
            }
            _ => {}
        }
    }

    fn on_call_timer(&mut self, now: Instant, call: CallHandle) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if c.cancel_deadline.is_some_and(|t| t <= now) {
            // §9.1: no final response 64*T1 after CANCEL: consider the INVITE cancelled and
            // destroy its client transaction.
            let key = c.invite_tx.clone();
            self.transactions.remove(&key);
            self.end(call, EndReason::LocalHangup);
            return;
        }
        if let Some(r) = &mut c.ext.reliable {
            if r.give_up <= now {
                // RFC 3262 §3: no PRACK within 64*T1: reject the INVITE with a 5xx.
                c.ext.reliable = None;
                let _ = self.respond_call(now, call, 504, Vec::new());
                self.end(call, EndReason::Timeout);
                return;
            }
            if r.next <= now {
                self.transmits.push_back(r.transmit.clone());
                r.interval *= 2;
                r.next = now + r.interval;
            }
        }
        if c.ext.glare.as_ref().is_some_and(|(at, _)| *at <= now)
            && let Some((_, modify)) = c.ext.glare.take()
        {
            // §14.1: the wait after a 491 is over; try again.
            self.send_modify(now, call, modify);
        }
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if c.ext.timer.is_some_and(|t| t.due <= now) {
            self.on_session_timer(now, call);
        }
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let Some(ok) = &mut c.ok else {
            return;
        };
        if ok.give_up <= now {
            // §13.3.1.4: no ACK within 64*T1: the dialog is confirmed but the session is
            // ended with BYE.
            let hung_up = c.state == CallState::Answered { hangup: true };
            self.start_bye(now, call, false);
            self.end(
                call,
                if hung_up {
                    EndReason::LocalHangup
                } else {
                    EndReason::Timeout
                },
            );
        } else if ok.next <= now {
            self.transmits.push_back(ok.transmit.clone());
            ok.interval = (ok.interval * 2).min(T2);
            ok.next = now + ok.interval;
        }
    }

    // ----- incoming requests -----

    fn on_request(&mut self, now: Instant, src: SocketAddr, mut req: Request, meta: Meta) {
        message::stamp_via(&mut req, &meta, src);
        // §18.2.2: over a stream the response goes back on the connection the request came
        // on, whatever the Via's sent-by port says.
        let dest = if self.inbound_stream {
            src
        } else {
            message::response_dest(&meta, src)
        };
        let key = TxKey::server(&meta, &req.method);
        if let Some(Entry {
            tx: Transaction::Server(server),
            ..
        }) = self.transactions.get_mut(&key)
        {
            if req.method != Method::Ack {
                server.on_retransmission(&mut self.transmits);
                return;
            }
            if server.on_ack(now) {
                return;
            }
        }
        if req.method == Method::Ack {
            return self.on_ack(now, &req, &meta);
        }
        // §8.2.2.1: we only handle SIP(S) Request-URIs.
        if !matches!(req.uri.scheme, Some(Scheme::Sip | Scheme::Sips)) {
            return self.reply(now, key, &req, dest, 416);
        }
        // §8.2.2.3: every request with a Require we cannot meet gets 420 (RFC 4475 §3.3.5);
        // ACK is never answered and CANCEL follows its INVITE (§9.1).
        if req.method != Method::Cancel && self.refuse_unsupported(now, &req, &key, dest) {
            return;
        }
        match req.method {
            Method::Cancel => self.on_cancel(now, req, key, dest),
            // RFC 6665 §4.1.3: NOTIFYs belong to subscriptions, not to call dialogs.
            // RFC 3515 §2.4.4: a REFER's NOTIFYs come in the call's dialog.
            Method::Notify if transfer::is_refer_notify(&req) && meta.to_tag.is_some() => {
                self.on_in_dialog(now, req, &meta, key, dest)
            }
            Method::Notify => self.on_notify(now, req, &meta, key, dest),
            _ if meta.to_tag.is_some() => self.on_in_dialog(now, req, &meta, key, dest),
            Method::Invite => self.on_invite(now, src, req, &meta, key, dest),
            Method::Options => self.reply(now, key, &req, dest, 200),
            Method::Message => self.on_message(now, req, None, key, dest),
            // §15.1.2: a BYE outside any dialog.
            Method::Bye => self.reply(now, key, &req, dest, 481),
            // §8.2.1: known methods we do not implement (REGISTER, SUBSCRIBE, INFO, ...).
            _ => self.reply(now, key, &req, dest, 405),
        }
    }

    fn find_dialog(&self, meta: &Meta) -> Option<CallHandle> {
        self.calls
            .iter()
            .find(|(_, c)| c.dialog.matches(meta))
            .map(|(h, _)| *h)
    }

    /// An ACK not absorbed by a transaction: the ACK of our 2xx (§13.3.1.4).
    fn on_ack(&mut self, now: Instant, req: &Request, meta: &Meta) {
        let Some(call) = self.find_dialog(meta) else {
            return; // late or duplicate ACK: nothing to do (ACK is never answered)
        };
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if let CallState::Answered { hangup } = c.state {
            c.ok = None;
            if hangup {
                self.send_bye(now, call);
            } else {
                c.state = CallState::Confirmed;
                self.events.push_back(Event::Established {
                    call,
                    sdp: body(&req.body),
                });
            }
        } else if c.ok.as_ref().is_some_and(|ok| ok.cseq == meta.cseq) {
            // The ACK of our 2xx to a re-INVITE (§13.3.1.4). §13.2.1: it carries a body only
            // when our 2xx was the offer, i.e. the re-INVITE had none.
            c.ok = None;
            if !req.body.is_empty() {
                self.events.push_back(Event::Modified {
                    call,
                    sdp: body(&req.body),
                });
            }
        }
    }

    /// §9.2: CANCEL matches the pending INVITE server transaction; 200 to the CANCEL, 487 to
    /// the INVITE. Without a matching transaction: 481.
    fn on_cancel(&mut self, now: Instant, req: Request, key: TxKey, dest: SocketAddr) {
        let invite = match self.transactions.get(&key.cancelled_invite()) {
            Some(Entry {
                tx: Transaction::Server(s),
                owner,
            }) => Some((s.is_pending(), *owner)),
            _ => None,
        };
        let Some((pending, owner)) = invite else {
            return self.reply(now, key, &req, dest, 481);
        };
        let call = owner.map(|(h, _)| h);
        // §9.2: the CANCEL's response SHOULD carry the same To tag as the INVITE's.
        let tag = call
            .and_then(|h| self.calls.get(&h))
            .map(|c| c.dialog.local_tag.clone());
        let resp = self.make_response(&req, 200, tag);
        self.send_reply(now, key, &req, dest, &resp);
        if let (true, Some(call)) = (pending, call) {
            let _ = self.respond_call(now, call, 487, Vec::new());
            // RFC 3326: a forking proxy says why it cancels; answered elsewhere is no missed
            // call.
            let reason = if extensions::completed_elsewhere(&req.headers) {
                EndReason::AnsweredElsewhere
            } else {
                EndReason::Cancelled
            };
            self.end(call, reason);
        }
    }

    fn on_in_dialog(
        &mut self,
        now: Instant,
        req: Request,
        meta: &Meta,
        key: TxKey,
        dest: SocketAddr,
    ) {
        let Some(call) = self.find_dialog(meta) else {
            // §12.2.2: a request for a dialog we do not know.
            return self.reply(now, key, &req, dest, 481);
        };
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        // §12.2.2: requests must arrive in CSeq order.
        if c.dialog.remote_seq.is_some_and(|seq| meta.cseq < seq) {
            return self.reply(now, key, &req, dest, 500);
        }
        c.dialog.remote_seq = Some(meta.cseq);
        let state = c.state;
        match req.method {
            Method::Bye => {
                self.reply(now, key, &req, dest, 200);
                match state {
                    // Our own BYE crossed theirs; its completion ends the call.
                    CallState::Terminating => {}
                    // §15.1.2: BYE on an early dialog; the INVITE gets 487.
                    CallState::Ringing => {
                        let _ = self.respond_call(now, call, 487, Vec::new());
                        self.end(call, EndReason::Cancelled);
                    }
                    // A callee must not BYE an early dialog (§15), but if it does, CANCEL
                    // our INVITE so its transaction does not wait forever.
                    CallState::Inviting {
                        cancel: Cancel::No, ..
                    } => {
                        self.send_cancel(now, call);
                        self.end(call, EndReason::RemoteHangup);
                    }
                    _ => self.end(call, EndReason::RemoteHangup),
                }
            }
            Method::Invite => self.on_reinvite(now, call, req, key, dest),
            Method::Update => self.on_update(now, call, req, key, dest),
            Method::PRack => self.on_prack(now, call, req, key, dest),
            Method::Options => self.reply(now, key, &req, dest, 200),
            Method::Message => self.on_message(now, req, Some(call), key, dest),
            Method::Refer | Method::Notify | Method::Info => {
                self.on_transfer_request(now, call, req, meta.cseq, key, dest)
            }
            _ => self.reply(now, key, &req, dest, 405),
        }
    }

    fn on_invite(
        &mut self,
        now: Instant,
        src: SocketAddr,
        req: Request,
        meta: &Meta,
        key: TxKey,
        dest: SocketAddr,
    ) {
        // §8.2.2.3: a required extension we do not implement is refused with 420.
        if self.refuse_unsupported(now, &req, &key, dest) {
            return;
        }
        let invite_timer = match negotiate_timer(&req.headers) {
            Negotiated::TooSmall => return self.reply_422(now, key, &req, dest),
            Negotiated::None => None,
            Negotiated::Timer(interval, refresher) => Some((interval, refresher)),
        };
        // §8.2.3: a body we cannot read gets 415 with Accept.
        let is_sdp = message::content_type(&req.headers)
            .is_some_and(|t| t.trim().to_ascii_lowercase().starts_with(message::SDP_TYPE));
        if !req.body.is_empty() && !is_sdp {
            let mut resp = self.make_response(&req, 415, None);
            resp.headers
                .push(headers::Accept::new(message::SDP_TYPE).into());
            return self.send_reply(now, key, &req, dest, &resp);
        }
        // §21.4.7: our answer is SDP; an Accept without it leaves nothing we may send
        // (RFC 4475 §3.3.15).
        if !message::accepts_sdp(&req.headers) {
            return self.reply(now, key, &req, dest, 406);
        }
        let local_tag = message::token(&mut self.rng, 10);
        let seq = self.rng.u32(1..0x8000_0000);
        let Some(dialog) = Dialog::uas(&req, meta, &local_tag, seq, src) else {
            self.diagnostic(format!("INVITE from {src} without a usable Contact"));
            return self.reply(now, key, &req, dest, 400);
        };
        // RFC 3891 §3: an INVITE with Replaces takes over one of our dialogs, or is refused.
        let replaced = match self.match_replaces(&req) {
            Ok(replaced) => replaced,
            Err(code) => return self.reply(now, key, &req, dest, code),
        };
        let call = self.new_handle();
        let mut server = Server::new(&req, dest);
        // §17.2.1: answer 100 Trying at once so the caller stops retransmitting.
        server.respond(
            now,
            &message::response(&req, 100, "", &self.config.user_agent),
            &mut self.transmits,
        );
        self.transactions.insert(
            key.clone(),
            Entry {
                tx: Transaction::Server(server),
                owner: Some((call, Role::Invite)),
            },
        );
        let (from_uri, from_display) = message::identity(&req.headers, |h| match h {
            rsip::Header::From(f) => Some(f.value()),
            _ => None,
        })
        .unwrap_or_default();
        let incoming = Event::IncomingCall {
            call,
            from_uri,
            from_display,
            request_uri: req.uri.to_string(),
            sdp: body(&req.body),
            alert_info: extensions::alert_info(&req.headers),
        };
        self.events
            .push_back(transfer::incoming_event(incoming, replaced));
        let ext = CallExt {
            local_sdp: Vec::new(),
            reliable_wanted: extensions::requires(&req.headers, TAG_100REL),
            // RFC 3262 §3: the first RSeq is random, below 2^31.
            next_rseq: self.rng.u32(1..0x8000_0000),
            min_se: MIN_SE,
            peer_update: extensions::allows(&req.headers, Method::Update).unwrap_or(false),
            invite_timer,
            ..CallExt::default()
        };
        self.calls.insert(
            call,
            Call {
                state: CallState::Ringing,
                dialog,
                contact: self.contact(req.uri.user()),
                invite_seq: meta.cseq,
                invite: req,
                invite_tx: key,
                branch: meta.branch.clone(),
                ack: None,
                ok: None,
                cancel_deadline: None,
                ext,
            },
        );
    }

    /// §8.2.2.3: answer 420 listing the required extensions we lack; true if it did.
    fn refuse_unsupported(
        &mut self,
        now: Instant,
        req: &Request,
        key: &TxKey,
        dest: SocketAddr,
    ) -> bool {
        let missing = extensions::unsupported(&req.headers);
        if missing.is_empty() {
            return false;
        }
        let mut resp = self.make_response(req, 420, None);
        resp.headers
            .push(headers::Unsupported::new(missing.join(", ")).into());
        self.send_reply(now, key.clone(), req, dest, &resp);
        true
    }

    /// RFC 4028 §6: 422 with the smallest interval we accept.
    fn reply_422(&mut self, now: Instant, key: TxKey, req: &Request, dest: SocketAddr) {
        let mut resp = self.make_response(req, 422, None);
        resp.headers.push(extensions::min_se_header(MIN_SE));
        self.send_reply(now, key, req, dest, &resp);
    }

    /// §14.2 / RFC 3311 §5.2: 500 with a Retry-After of 0-10 s, for a request that overlaps
    /// one we are still processing.
    fn reply_500_retry(&mut self, now: Instant, key: TxKey, req: &Request, dest: SocketAddr) {
        let mut resp = self.make_response(req, 500, None);
        resp.headers
            .push(headers::RetryAfter::new(self.rng.u32(0..=10).to_string()).into());
        self.send_reply(now, key, req, dest, &resp);
    }

    /// A re-INVITE (§14.2): checked for glare and session timer, then handed to the runtime
    /// as [`Event::Reoffer`].
    fn on_reinvite(
        &mut self,
        now: Instant,
        call: CallHandle,
        req: Request,
        key: TxKey,
        dest: SocketAddr,
    ) {
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        let our_invite = c
            .ext
            .modify
            .as_ref()
            .is_some_and(|(_, m)| m.method == Method::Invite || !req.body.is_empty());
        match c.state {
            CallState::Confirmed => {}
            // §14.2: the initial INVITE is not ACKed yet: still in progress.
            CallState::Answered { .. } => return self.reply_500_retry(now, key, &req, dest),
            // §14: no re-INVITE in an early dialog or while we hang up.
            _ => return self.reply(now, key, &req, dest, 491),
        }
        // §14.2: glare with our own re-INVITE (or an UPDATE offer) is 491; an INVITE of
        // theirs still unanswered is 500.
        if our_invite {
            return self.reply(now, key, &req, dest, 491);
        }
        if c.ext.incoming.is_some() || c.ok.is_some() {
            return self.reply_500_retry(now, key, &req, dest);
        }
        if self.refuse_unsupported(now, &req, &key, dest) {
            return;
        }
        if negotiate_timer(&req.headers) == Negotiated::TooSmall {
            return self.reply_422(now, key, &req, dest);
        }
        let mut server = Server::new(&req, dest);
        server.respond(
            now,
            &message::response(&req, 100, "", &self.config.user_agent),
            &mut self.transmits,
        );
        self.accept_modify(call, req, key, dest, server, true);
    }

    /// RFC 3311 §5.2: UPDATE in an early or confirmed dialog. Without an offer it is a
    /// target or session refresh and answered at once; an offer goes to the runtime.
    fn on_update(
        &mut self,
        now: Instant,
        call: CallHandle,
        req: Request,
        key: TxKey,
        dest: SocketAddr,
    ) {
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        if c.state == CallState::Terminating {
            return self.reply(now, key, &req, dest, 481);
        }
        let offer = !req.body.is_empty();
        // RFC 3311 §5.2: an offer crossing ours is 491, one arriving while we still owe an
        // answer is 500 with Retry-After.
        if offer && c.offer_sent() {
            return self.reply(now, key, &req, dest, 491);
        }
        if offer && (c.offer_received() || c.ext.incoming.is_some()) {
            return self.reply_500_retry(now, key, &req, dest);
        }
        if self.refuse_unsupported(now, &req, &key, dest) {
            return;
        }
        if negotiate_timer(&req.headers) == Negotiated::TooSmall {
            return self.reply_422(now, key, &req, dest);
        }
        let server = Server::new(&req, dest);
        self.accept_modify(call, req, key, dest, server, offer);
        if !offer
            && let Some(m) = self
                .calls
                .get_mut(&call)
                .and_then(|c| c.ext.incoming.take())
        {
            // Nothing for the runtime to decide: a refresh is answered by the core.
            let _ = self.respond_modify(now, call, m, 200, Vec::new());
        }
    }

    /// Keep a re-INVITE or UPDATE to be answered, and tell the runtime if it must.
    fn accept_modify(
        &mut self,
        call: CallHandle,
        req: Request,
        key: TxKey,
        dest: SocketAddr,
        server: Server,
        notify: bool,
    ) {
        self.transactions.insert(
            key.clone(),
            Entry {
                tx: Transaction::Server(server),
                owner: None,
            },
        );
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        // §12.2.2: re-INVITE and UPDATE are target refresh requests.
        c.dialog.refresh_target(&req.headers);
        if let Some(update) = extensions::allows(&req.headers, Method::Update) {
            c.ext.peer_update = update;
        }
        if notify {
            self.events.push_back(Event::Reoffer {
                call,
                sdp: body(&req.body),
            });
        }
        c.ext.incoming = Some(IncomingModify {
            request: req,
            tx: key,
            dest,
        });
    }

    /// Final response to the peer's re-INVITE or UPDATE. A 2xx carries our Contact (target
    /// refresh) and the session timer the request asked for (RFC 4028 §9), and restarts it.
    fn respond_modify(
        &mut self,
        now: Instant,
        call: CallHandle,
        m: IncomingModify,
        code: u16,
        sdp: Vec<u8>,
    ) -> Result<(), Error> {
        let c = self.calls.get_mut(&call).ok_or(Error::UnknownCall)?;
        let mut resp = message::response(
            &m.request,
            code,
            &c.dialog.local_tag,
            &self.config.user_agent,
        );
        let success = is_success(code);
        if success {
            resp.headers
                .push(headers::Contact::new(c.contact.clone()).into());
            resp.headers.push(allow_header());
            resp.headers.push(supported_header());
            c.ext.timer = match negotiate_timer(&m.request.headers) {
                Negotiated::Timer(interval, refresher) => {
                    resp.headers.push(extensions::session_expires_header(
                        interval,
                        Some(refresher),
                    ));
                    if extensions::supports(&m.request.headers, TAG_TIMER) {
                        resp.headers.push(headers::Require::new(TAG_TIMER).into());
                    }
                    Some(SessionTimer::start(
                        now,
                        interval,
                        refresher == Refresher::Uas,
                    ))
                }
                // RFC 4028 §9: a refresh without Session-Expires turns the timer off.
                _ => None,
            };
            if !sdp.is_empty() {
                c.ext.local_sdp = sdp.clone();
            }
        }
        message::set_sdp_body(&mut resp.headers, &mut resp.body, sdp);
        let cseq = m
            .request
            .cseq_header()
            .ok()
            .and_then(|h| h.typed().ok())
            .map(|c| c.seq)
            .unwrap_or(0);
        let invite = m.request.method == Method::Invite;
        if let Some(Entry {
            tx: Transaction::Server(server),
            ..
        }) = self.transactions.get_mut(&m.tx)
        {
            server.respond(now, &resp, &mut self.transmits);
        }
        if success && invite {
            // §13.3.1.4: the 2xx to a re-INVITE is retransmitted until its ACK too.
            c.ok = Some(OkRetransmit {
                transmit: Transmit {
                    dest: m.dest,
                    payload: message::encode_response(&resp),
                    transport: Transport::Udp,
                },
                next: now + T1,
                interval: T1,
                give_up: now + TIMEOUT,
                cseq,
            });
        }
        Ok(())
    }

    /// RFC 3262 §3: a PRACK acknowledges our reliable provisional if its RAck names it.
    fn on_prack(
        &mut self,
        now: Instant,
        call: CallHandle,
        req: Request,
        key: TxKey,
        dest: SocketAddr,
    ) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let acked = match (extensions::rack(&req.headers), &c.ext.reliable) {
            (Some(rack), Some(r)) => {
                rack.rseq == r.rseq && rack.cseq == c.invite_seq && rack.method == "INVITE"
            }
            _ => false,
        };
        if acked {
            c.ext.reliable = None;
            self.reply(now, key, &req, dest, 200);
        } else {
            // RFC 3262 §3: a PRACK matching no unacknowledged reliable provisional.
            self.reply(now, key, &req, dest, 481);
        }
    }

    // ----- incoming responses -----

    fn on_response(&mut self, now: Instant, resp: Response, meta: Meta) {
        // §8.1.3.3: a response with more than one Via was misrouted.
        if meta.via_count != 1 {
            return self.diagnostic(format!(
                "dropped response with {} Via values",
                meta.via_count
            ));
        }
        if meta.cseq_method == Method::Register {
            let (registrations, mut io) = self.registration_io();
            return registrations.on_response(now, &resp, &meta, &mut io);
        }
        if matches!(meta.cseq_method, Method::Message | Method::Subscribe) {
            return self.events_response(now, &resp, &meta);
        }
        let key = TxKey::client(&meta.branch, &meta.cseq_method);
        let Some(Entry {
            tx: Transaction::Client(client),
            owner,
        }) = self.transactions.get_mut(&key)
        else {
            // RFC 6026: a response matching no transaction is dropped, not passed up.
            let code = resp.status_code.code();
            return self.diagnostic(format!(
                "dropped stray {code} response to {}",
                meta.cseq_method
            ));
        };
        let owner = *owner;
        let up = client.on_response(now, &resp, &mut self.transmits);
        let challenged = (up && matches!(resp.status_code.code(), 401 | 407))
            .then(|| (client.request().clone(), client.dest()));
        let invite =
            (up && meta.cseq_method == Method::Invite && is_success(resp.status_code.code()))
                .then(|| (client.request().clone(), client.dest()));
        if self
            .transactions
            .get(&key)
            .is_some_and(|e| e.tx.is_terminated())
        {
            self.transactions.remove(&key);
        }
        if !up {
            return;
        }
        if let (Some(challenged), Some(owner)) = (challenged, owner)
            && self.retry_with_credentials(now, owner, challenged, &resp)
        {
            return;
        }
        match owner {
            Some((call, Role::Invite)) => self.on_invite_response(now, call, &resp, &meta, invite),
            Some((call, Role::Bye)) if resp.status_code.code() >= 200 => {
                self.end(call, EndReason::LocalHangup)
            }
            Some((call, Role::Modify)) => self.on_modify_response(now, call, &resp, &meta, &key),
            Some((call, Role::Refer)) => self.on_refer_response(call, resp.status_code.code()),
            _ => {}
        }
    }

    fn on_invite_response(
        &mut self,
        now: Instant,
        call: CallHandle,
        resp: &Response,
        meta: &Meta,
        invite: Option<(Request, SocketAddr)>,
    ) {
        let code = resp.status_code.code();
        // S2: a listed final response sends the INVITE on to the server's next address.
        if code >= 300
            && self.failover.matches(code, &meta.reason)
            && self.fail_over_invite(now, call)
        {
            return;
        }
        let Some(c) = self.calls.get_mut(&call) else {
            // The call is already over (e.g. gave up after CANCEL) but a 2xx still came:
            // §13.2.2.4 wants it ACKed, and we end the session at once.
            if let Some((invite, peer)) = invite {
                self.ack_and_bye(now, &invite, peer, resp, meta);
            }
            return;
        };
        match (code, c.state) {
            (100..=199, CallState::Inviting { cancel, .. }) => {
                if code > 100 {
                    // §12.1.2: a tagged provisional response creates an early dialog.
                    c.dialog.update_from_response(resp, meta);
                }
                c.state = CallState::Inviting {
                    provisional: true,
                    cancel,
                };
                let mut prack = None;
                if code > 100 && extensions::requires(&resp.headers, TAG_100REL) {
                    let tag = meta.to_tag.clone().unwrap_or_default();
                    let rseq = extensions::rseq(&resp.headers);
                    let in_order = match (rseq, &c.ext.prack) {
                        (None, _) => false,
                        (Some(rseq), Some((t, last))) if *t == tag => rseq == last.wrapping_add(1),
                        (Some(_), _) => true,
                    };
                    if !in_order {
                        // RFC 3262 §4: a retransmitted reliable provisional (same RSeq), or
                        // one out of order, is not PRACKed again with a new CSeq and not
                        // processed further.
                        return self.diagnostic(format!(
                            "ignored reliable {code} with RSeq {rseq:?} on {call:?}: already PRACKed or out of order"
                        ));
                    }
                    if let Some(rseq) = rseq {
                        c.ext.prack = Some((tag, rseq));
                        // RFC 3262 §5: SDP in a reliable provisional answers our offer.
                        c.ext.early_answer |= !resp.body.is_empty();
                        prack = (cancel == Cancel::No).then_some(rseq);
                    }
                }
                if let Some(rseq) = prack {
                    self.send_prack(now, call, rseq);
                }
                match cancel {
                    Cancel::Pending => self.send_cancel(now, call),
                    Cancel::No if code > 100 => {
                        self.events.push_back(Event::Progress {
                            call,
                            code,
                            sdp: body(&resp.body),
                        });
                    }
                    _ => {}
                }
            }
            (200..=299, CallState::Inviting { cancel, .. }) => {
                c.dialog.update_from_response(resp, meta);
                c.cancel_deadline = None;
                // §13.2.2.4: the ACK of a 2xx is a new transaction (new branch) with the
                // INVITE's CSeq number, sent by the core.
                let branch = message::new_branch(&mut self.rng);
                let (mut ack, dest) = c.dialog.ack(
                    c.invite_seq,
                    self.config.local_addr,
                    &branch,
                    &self.config.user_agent,
                );
                c.ext.peer_update =
                    extensions::allows(&resp.headers, Method::Update).unwrap_or(false);
                // RFC 4028 §7.2: the 2xx sets the session timer (we refresh unless it names
                // the callee), or there is none.
                c.ext.timer = extensions::session_expires(&resp.headers).map(|se| {
                    SessionTimer::start(now, se.interval, se.refresher != Some(Refresher::Uas))
                });
                // §13.2.2.4: the ACK carries the same credentials as the INVITE.
                auth::copy_credentials(&c.invite, &mut ack);
                let ack = Transmit {
                    dest,
                    payload: message::encode_request(&ack),
                    transport: Transport::Udp,
                };
                self.transmits.push_back(ack.clone());
                c.ack = Some(ack);
                if cancel == Cancel::No {
                    c.state = CallState::Confirmed;
                    self.events.push_back(Event::Established {
                        call,
                        sdp: body(&resp.body),
                    });
                } else {
                    // The 2xx raced our CANCEL: the dialog exists, so end it with BYE (§15).
                    self.send_bye(now, call);
                }
            }
            (200..=299, _) if meta.to_tag.as_deref().unwrap_or("") == c.dialog.remote_tag => {
                // §13.2.2.4: a retransmitted 2xx gets the same ACK again.
                if let Some(ack) = c.ack.clone() {
                    self.transmits.push_back(ack);
                }
            }
            (200..=299, _) => {
                // A 2xx from another fork: §13.2.2.4 ACK it, then BYE since we keep only one.
                if let Some((invite, peer)) = invite {
                    self.ack_and_bye(now, &invite, peer, resp, meta);
                }
            }
            // RFC 4028 §7.4: the interval we asked for is too small; ask again.
            (
                422,
                CallState::Inviting {
                    cancel: Cancel::No, ..
                },
            ) if c.ext.invite_retries < MAX_422_RETRIES
                && extensions::min_se(&resp.headers).is_some_and(|min| min > c.ext.min_se) =>
            {
                let min = extensions::min_se(&resp.headers).unwrap_or(MIN_SE);
                self.retry_invite(now, call, min);
            }
            (300.., CallState::Inviting { cancel, .. }) => {
                // The transaction already sent the ACK (§17.1.1.3).
                let reason = match cancel {
                    Cancel::No => EndReason::Rejected(code),
                    _ => EndReason::LocalHangup,
                };
                self.end(call, reason);
            }
            _ => {}
        }
    }

    /// ACK a 2xx for a dialog we do not want and tear it down with BYE (§13.2.2.4).
    fn ack_and_bye(
        &mut self,
        now: Instant,
        invite: &Request,
        peer: SocketAddr,
        resp: &Response,
        meta: &Meta,
    ) {
        let seq = meta.cseq;
        let local_tag = meta.from_tag.clone().unwrap_or_default();
        let mut dialog = Dialog::uac(invite, &meta.call_id, &local_tag, seq, peer);
        dialog.update_from_response(resp, meta);
        let (local, ua) = (self.config.local_addr, self.config.user_agent.clone());
        let ack_branch = message::new_branch(&mut self.rng);
        let (ack, dest) = dialog.ack(seq, local, &ack_branch, &ua);
        self.transmits.push_back(Transmit {
            dest,
            payload: message::encode_request(&ack),
            transport: Transport::Udp,
        });
        let bye_branch = message::new_branch(&mut self.rng);
        let (bye, dest) = dialog.request(Method::Bye, local, &bye_branch, &ua);
        let client = Client::start(now, bye, dest, &mut self.transmits);
        self.transactions.insert(
            TxKey::client(&bye_branch, &Method::Bye),
            Entry {
                tx: Transaction::Client(Box::new(client)),
                owner: None,
            },
        );
        self.diagnostic(format!(
            "ACKed and hung up an unwanted 2xx for Call-ID {}",
            meta.call_id
        ));
    }
}

/// Registration (RFC 3261 §10, in `registration.rs`) and the Digest retry of our INVITE and
/// BYE (§22, computed in `auth.rs`).
impl UserAgent {
    /// Start registering; [`Event::RegistrationChanged`] reports how it goes. The binding is
    /// refreshed and, after failures, retried until [`unregister`](Self::unregister).
    pub fn register(
        &mut self,
        now: Instant,
        registration: Registration,
    ) -> Result<RegistrationHandle, Error> {
        let (registrations, mut io) = self.registration_io();
        registrations.register(now, registration, &mut io)
    }

    /// Remove the binding (`Expires: 0`); `RegistrationChanged { Unregistered }` follows
    /// once the registrar answered or gave no answer.
    pub fn unregister(
        &mut self,
        now: Instant,
        registration: RegistrationHandle,
    ) -> Result<(), Error> {
        let (registrations, mut io) = self.registration_io();
        registrations.unregister(now, registration, &mut io)
    }

    fn registration_io(&mut self) -> (&mut Registrations, Io<'_>) {
        (
            &mut self.registrations,
            Io {
                config: &self.config,
                rng: &mut self.rng,
                transmits: &mut self.transmits,
                events: &mut self.events,
            },
        )
    }

    /// §22.2, §22.3: a 401/407 to our INVITE (still unanswered and not being cancelled) or
    /// our BYE is answered by sending the request again with credentials: same Call-ID,
    /// From tag and To, CSeq + 1, new branch. Returns whether it was; if not, the response
    /// takes its usual course (the call ends).
    fn retry_with_credentials(
        &mut self,
        now: Instant,
        (call, role): (CallHandle, Role),
        (request, dest): (Request, SocketAddr),
        resp: &Response,
    ) -> bool {
        let worth_it = match (role, self.calls.get(&call).map(|c| c.state)) {
            (
                Role::Invite,
                Some(CallState::Inviting {
                    cancel: Cancel::No, ..
                }),
            ) => request.method == Method::Invite,
            (Role::Bye, Some(CallState::Terminating)) => true,
            _ => false,
        };
        let Some(auth) = self.call_auth.get_mut(&call).filter(|_| worth_it) else {
            return false;
        };
        if let Err(why) = auth.on_challenge(resp) {
            self.diagnostic(format!(
                "call {}: {} to {} not answered: {why:?}",
                call.0,
                resp.status_code.code(),
                request.method
            ));
            return false;
        }
        let branch = message::new_branch(&mut self.rng);
        let (mut again, seq) = auth::resend(&request, self.config.local_addr, &branch);
        auth.authorize(&mut again, &mut self.rng);
        let key = TxKey::client(&branch, &request.method);
        let client = Client::start(now, again.clone(), dest, &mut self.transmits);
        self.transactions.insert(
            key.clone(),
            Entry {
                tx: Transaction::Client(Box::new(client)),
                owner: Some((call, role)),
            },
        );
        if let Some(c) = self.calls.get_mut(&call) {
            if role == Role::Invite {
                // A new INVITE transaction: its early dialogs start afresh (§12.1.2).
                c.dialog = Dialog::uac(&again, &c.dialog.call_id, &c.dialog.local_tag, seq, dest);
                c.invite = again;
                c.invite_tx = key;
                c.branch = branch;
                c.invite_seq = seq;
                c.state = CallState::Inviting {
                    provisional: false,
                    cancel: Cancel::No,
                };
            } else {
                c.dialog.local_seq = seq;
            }
        }
        true
    }
}

/// Instant messages (RFC 3428, `messaging.rs`) and event subscriptions (RFC 6665,
/// `subscription.rs`; bodies read in `notification.rs`).
impl UserAgent {
    /// Send a MESSAGE outside any dialog (RFC 3428 §4); [`Event::MessageSent`] reports
    /// the answer. `options` carries credentials and the outbound proxy as for calls.
    pub fn send_message(
        &mut self,
        now: Instant,
        msg: OutgoingMessage,
        options: CallOptions,
    ) -> Result<MessageHandle, Error> {
        let target = parse_uri(&msg.target_uri)?;
        parse_uri(&msg.from_uri)?;
        if !messaging::valid_content_type(&msg.content_type) {
            return Err(Error::InvalidState("unusable content type"));
        }
        let branch = message::new_branch(&mut self.rng);
        let auth = options.credentials.clone().map(Authenticator::new);
        let mut io = Io {
            config: &self.config,
            rng: &mut self.rng,
            transmits: &mut self.transmits,
            events: &mut self.events,
        };
        let req = messaging::request(&msg, target, options.outbound_proxy, &mut io, &branch);
        Ok(self.messages.send(now, req, msg.dest, auth, &mut io))
    }

    /// Send a MESSAGE inside a call's dialog (RFC 3428 §4: allowed, though a session's own
    /// media is preferred).
    pub fn send_message_in_call(
        &mut self,
        now: Instant,
        call: CallHandle,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<MessageHandle, Error> {
        if !messaging::valid_content_type(content_type) {
            return Err(Error::InvalidState("unusable content type"));
        }
        let branch = message::new_branch(&mut self.rng);
        let c = self.calls.get_mut(&call).ok_or(Error::UnknownCall)?;
        if !matches!(c.state, CallState::Confirmed | CallState::Answered { .. }) {
            return Err(Error::InvalidState("the call has no confirmed dialog"));
        }
        let (mut req, dest) = c.dialog.request(
            Method::Message,
            self.config.local_addr,
            &branch,
            &self.config.user_agent,
        );
        messaging::set_body(&mut req, content_type, body);
        let auth = self.call_auth.get(&call).cloned();
        let mut io = Io {
            config: &self.config,
            rng: &mut self.rng,
            transmits: &mut self.transmits,
            events: &mut self.events,
        };
        Ok(self.messages.send(now, req, dest, auth, &mut io))
    }

    /// Subscribe to an event package of a resource; [`Event::SubscriptionChanged`] reports
    /// how it goes and [`Event::Notify`] what the notifier says. It is refreshed and, after
    /// failures, made anew until [`unsubscribe`](Self::unsubscribe).
    pub fn subscribe(
        &mut self,
        now: Instant,
        subscription: Subscription,
    ) -> Result<SubscriptionHandle, Error> {
        let mut io = Io {
            config: &self.config,
            rng: &mut self.rng,
            transmits: &mut self.transmits,
            events: &mut self.events,
        };
        self.subscriptions.subscribe(now, subscription, &mut io)
    }

    /// End a subscription (`Expires: 0`, RFC 6665 §4.1.2.3); `Terminated` follows.
    pub fn unsubscribe(
        &mut self,
        now: Instant,
        subscription: SubscriptionHandle,
    ) -> Result<(), Error> {
        let mut io = Io {
            config: &self.config,
            rng: &mut self.rng,
            transmits: &mut self.transmits,
            events: &mut self.events,
        };
        self.subscriptions.unsubscribe(now, subscription, &mut io)
    }

    fn events_timeout(&mut self, now: Instant) {
        let mut io = Io {
            config: &self.config,
            rng: &mut self.rng,
            transmits: &mut self.transmits,
            events: &mut self.events,
        };
        self.messages.on_timeout(now, &mut io);
        self.subscriptions.on_timeout(now, &mut io);
    }

    fn events_transport_error(&mut self, now: Instant, dest: SocketAddr) {
        let mut io = Io {
            config: &self.config,
            rng: &mut self.rng,
            transmits: &mut self.transmits,
            events: &mut self.events,
        };
        self.messages.on_transport_error(dest, &mut io);
        self.subscriptions.on_transport_error(now, dest, &mut io);
    }

    fn events_response(&mut self, now: Instant, resp: &Response, meta: &Meta) {
        let mut io = Io {
            config: &self.config,
            rng: &mut self.rng,
            transmits: &mut self.transmits,
            events: &mut self.events,
        };
        if meta.cseq_method == Method::Message {
            self.messages.on_response(now, resp, meta, &mut io);
        } else {
            self.subscriptions.on_response(now, resp, meta, &mut io);
        }
    }

    /// RFC 3428 §7: a MESSAGE we can show is answered 200 and reported; any other body
    /// type gets 415 with the Accept we have.
    fn on_message(
        &mut self,
        now: Instant,
        req: Request,
        call: Option<CallHandle>,
        key: TxKey,
        dest: SocketAddr,
    ) {
        match messaging::receive(&req, call) {
            Ok(event) => {
                self.reply(now, key, &req, dest, 200);
                self.events.push_back(event);
            }
            Err(code) => {
                let mut resp = self.make_response(&req, code, None);
                resp.headers.push(messaging::accept_header());
                self.send_reply(now, key, &req, dest, &resp);
            }
        }
    }

    /// RFC 6665 §4.1.3: answer a NOTIFY first, then report what it says.
    fn on_notify(&mut self, now: Instant, req: Request, meta: &Meta, key: TxKey, dest: SocketAddr) {
        let mut io = Io {
            config: &self.config,
            rng: &mut self.rng,
            transmits: &mut self.transmits,
            events: &mut self.events,
        };
        let verdict = self.subscriptions.on_notify(now, &req, meta, &mut io);
        match verdict {
            Ok((subscription, notification)) => {
                self.reply(now, key, &req, dest, 200);
                let to_uri = message::identity(&req.headers, |h| match h {
                    Header::To(t) => Some(t.value()),
                    _ => None,
                })
                .map(|(uri, _)| uri)
                .unwrap_or_default();
                self.events.push_back(Event::Notify {
                    subscription,
                    to_uri,
                    notification,
                });
            }
            Err(code) => self.reply(now, key, &req, dest, code),
        }
    }
}
