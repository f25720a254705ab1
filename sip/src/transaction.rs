//! RFC 3261 §17 transaction state machines over UDP and TCP (retransmission timers run
//! only towards peers on an unreliable transport, §17.1.1.2, §17.1.2.2, §17.2.1), with the RFC 6026 "Accepted" state for INVITE transactions
//! that saw a 2xx. Transactions are sans-IO: they push [`Transmit`]s into a queue and expose
//! their next deadline; the user agent core (the TU) owns them in a map keyed by [`TxKey`].

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::ops::{Deref, DerefMut};
use std::time::{Duration, Instant};

use rsip::headers::UntypedHeader;
use rsip::prelude::HeadersExt;
use rsip::{Header, Method, Request, Response, headers};

use crate::Transmit;
use crate::locate::Transport;
use crate::message::{self, Meta};

/// RFC 3261 §17.1.1.1: RTT estimate.
pub(crate) const T1: Duration = Duration::from_millis(500);
/// §17.1.2.2: maximum retransmit interval for non-INVITE requests and INVITE responses.
pub(crate) const T2: Duration = Duration::from_secs(4);
/// §17.1.2.2: maximum time a message stays in the network.
pub(crate) const T4: Duration = Duration::from_secs(5);
/// 64*T1: Timers B, F, H, J (and RFC 6026 L, M).
pub(crate) const TIMEOUT: Duration = T1.saturating_mul(64);
/// §17.1.1.2: Timer D is "at least 32 seconds" for unreliable transports.
const TIMER_D: Duration = Duration::from_secs(32);

/// Transaction identity. Client transactions match responses on top-Via branch plus CSeq
/// method (§17.1.3); server transactions match requests on branch, sent-by and method, an
/// ACK matching its INVITE (§17.2.3).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TxKey {
    server: bool,
    branch: String,
    sent_by: String,
    method: String,
}

impl TxKey {
    pub fn client(branch: &str, method: &Method) -> Self {
        let method = method.to_string();
        TxKey {
            server: false,
            branch: branch.to_owned(),
            sent_by: String::new(),
            method,
        }
    }

    pub fn server(meta: &Meta, method: &Method) -> Self {
        let method = match method {
            Method::Ack => Method::Invite,
            m => *m,
        };
        TxKey {
            server: true,
            branch: meta.branch.clone(),
            sent_by: meta.sent_by.to_ascii_lowercase(),
            method: method.to_string(),
        }
    }

    /// The key of the INVITE a CANCEL with this key refers to (§9.2).
    pub fn cancelled_invite(&self) -> Self {
        TxKey {
            method: Method::Invite.to_string(),
            ..self.clone()
        }
    }
}

/// Why a transaction ended without a final response / ACK; reported to the TU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    Timeout,
    Transport,
}

/// A retransmission timer: when it fires next and its current interval.
#[derive(Clone, Copy, Debug)]
struct Backoff {
    at: Instant,
    interval: Duration,
}

impl Backoff {
    fn new(now: Instant, interval: Duration) -> Self {
        Backoff {
            at: now + interval,
            interval,
        }
    }

    fn due(timer: Option<Self>, now: Instant) -> bool {
        timer.is_some_and(|t| t.at <= now)
    }

    /// Double the interval, capped at `cap` if any, and re-arm from `now`.
    fn next(&mut self, now: Instant, cap: Option<Duration>) {
        let doubled = self.interval * 2;
        self.interval = cap.map_or(doubled, |c| doubled.min(c));
        self.at = now + self.interval;
    }
}

fn due(at: Option<Instant>, now: Instant) -> bool {
    at.is_some_and(|t| t <= now)
}

/// The queue of messages to send, with the peers reached over a stream transport
/// (RFC 3261 §18): transactions ask it whether their peer is reliable, so the timers that
/// only make up for lost datagrams stay off towards stream peers.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    queue: VecDeque<Transmit>,
    /// Peers not on UDP; `true`: learned from a connection the peer opened, forgotten
    /// when it closes.
    streams: BTreeMap<SocketAddr, (Transport, bool)>,
}

impl Outbox {
    pub fn transport(&self, dest: SocketAddr) -> Transport {
        self.streams.get(&dest).map_or(Transport::Udp, |(t, _)| *t)
    }

    /// §17.1.1.1: TCP and TLS are reliable; UDP is not.
    pub fn reliable(&self, dest: SocketAddr) -> bool {
        self.transport(dest) != Transport::Udp
    }

    /// Messages to `dest` go over `transport` from now on; `learned` marks a peer that
    /// connected to us, which [`Outbox::forget`] drops again.
    pub fn set_transport(&mut self, dest: SocketAddr, transport: Transport, learned: bool) {
        if transport == Transport::Udp {
            self.streams.remove(&dest);
        } else if !self.streams.contains_key(&dest) || !learned {
            self.streams.insert(dest, (transport, learned));
        }
    }

    /// The connection from `dest` closed: forget it unless we were told to use a stream
    /// towards it (then the runtime connects again on the next message).
    pub fn forget(&mut self, dest: SocketAddr) {
        if self.streams.get(&dest).is_some_and(|(_, learned)| *learned) {
            self.streams.remove(&dest);
        }
    }
}

// The queue is what most code needs; the transport table is consulted where it matters.
impl Deref for Outbox {
    type Target = VecDeque<Transmit>;
    fn deref(&self) -> &Self::Target {
        &self.queue
    }
}

impl DerefMut for Outbox {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.queue
    }
}

fn send(out: &mut Outbox, dest: SocketAddr, payload: &[u8]) {
    let transport = out.transport(dest);
    out.push_back(Transmit {
        dest,
        payload: payload.to_vec(),
        transport,
    });
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Client INVITE before any response (§17.1.1.2) / client non-INVITE "Trying".
    Calling,
    /// Client: a provisional came. Server: no final response sent yet.
    Proceeding,
    /// A non-2xx final response was received (client) or sent (server).
    Completed,
    /// Server INVITE: the ACK for our non-2xx arrived (§17.2.1).
    Confirmed,
    /// RFC 6026: INVITE transaction after a 2xx.
    Accepted,
    Terminated,
}

/// Client transaction, INVITE (§17.1.1) or non-INVITE (§17.1.2).
#[derive(Debug)]
pub(crate) struct Client {
    invite: bool,
    state: State,
    request: Request,
    bytes: Vec<u8>,
    dest: SocketAddr,
    /// ACK for a non-2xx final response, resent on its retransmissions (§17.1.1.3).
    ack: Option<Vec<u8>>,
    /// The peer is on a stream transport: no retransmissions, no lingering (§17.1.1.2).
    reliable: bool,
    /// Timer A (INVITE) or E (non-INVITE).
    retransmit: Option<Backoff>,
    /// Timer B (INVITE) or F (non-INVITE).
    timeout: Option<Instant>,
    /// Timer D or RFC 6026 Timer M (INVITE), Timer K (non-INVITE): lingering to absorb
    /// response retransmissions.
    linger: Option<Instant>,
}

impl Client {
    /// Send `request` to `dest` and start the timers.
    pub fn start(now: Instant, request: Request, dest: SocketAddr, out: &mut Outbox) -> Self {
        let bytes = message::encode_request(&request);
        send(out, dest, &bytes);
        let reliable = out.reliable(dest);
        Client {
            invite: request.method == Method::Invite,
            state: State::Calling,
            request,
            bytes,
            dest,
            ack: None,
            reliable,
            // §17.1.1.2 Timer A / §17.1.2.2 Timer E: T1, and only on unreliable transports.
            retransmit: (!reliable).then(|| Backoff::new(now, T1)),
            // Timer B / Timer F: 64*T1.
            timeout: Some(now + TIMEOUT),
            linger: None,
        }
    }

    pub fn request(&self) -> &Request {
        &self.request
    }

    pub fn dest(&self) -> SocketAddr {
        self.dest
    }

    /// Feed a matching response; returns whether it goes up to the TU.
    pub fn on_response(&mut self, now: Instant, resp: &Response, out: &mut Outbox) -> bool {
        let code = resp.status_code.code();
        match (self.state, self.invite) {
            (State::Calling | State::Proceeding, true) => {
                // §17.1.1.2: any response stops Timer A; Timer B only guards "Calling".
                self.retransmit = None;
                self.timeout = None;
                match code {
                    100..=199 => self.state = State::Proceeding,
                    200..=299 => {
                        // RFC 6026: linger in Accepted for 64*T1 (Timer M) so further 2xx
                        // (retransmissions, forks) still reach the TU to be ACKed.
                        self.state = State::Accepted;
                        self.linger = Some(now + TIMEOUT);
                    }
                    _ => {
                        let ack = message::encode_request(&self.ack_for(resp));
                        send(out, self.dest, &ack);
                        self.ack = Some(ack);
                        self.state = State::Completed;
                        // §17.1.1.2: Timer D is zero on reliable transports.
                        self.linger = Some(if self.reliable { now } else { now + TIMER_D });
                    }
                }
                true
            }
            // §17.1.1.2: a retransmitted final response is answered with the same ACK and
            // not passed up.
            (State::Completed, true) => {
                if let Some(ack) = &self.ack {
                    send(out, self.dest, ack);
                }
                false
            }
            (State::Accepted, true) => (200..=299).contains(&code),
            (State::Calling | State::Proceeding, false) => {
                if code < 200 {
                    // §17.1.2.2: Timer E keeps running, now at T2 intervals.
                    self.state = State::Proceeding;
                } else {
                    self.state = State::Completed;
                    self.retransmit = None;
                    self.timeout = None;
                    // Timer K: T4 on unreliable transports, zero on reliable ones.
                    self.linger = Some(if self.reliable { now } else { now + T4 });
                }
                true
            }
            _ => false,
        }
    }

    /// §17.1.1.3: the ACK for a non-2xx final response: Request-URI, Call-ID, From, CSeq
    /// number, top Via and Route of the INVITE, To of the response.
    fn ack_for(&self, resp: &Response) -> Request {
        let mut headers = rsip::Headers::default();
        for h in self.request.headers.iter() {
            match h {
                Header::Via(_)
                | Header::MaxForwards(_)
                | Header::From(_)
                | Header::CallId(_)
                | Header::Route(_) => headers.push(h.clone()),
                Header::To(to) => headers.push(resp.to_header().unwrap_or(to).clone().into()),
                Header::CSeq(cseq) => {
                    let seq = cseq.value().split_whitespace().next().unwrap_or("1");
                    headers.push(headers::CSeq::new(format!("{seq} ACK")).into());
                }
                _ => {}
            }
        }
        Request {
            method: Method::Ack,
            uri: self.request.uri.clone(),
            version: rsip::Version::V2,
            headers,
            body: Vec::new(),
        }
    }
}

/// Server transaction, INVITE (§17.2.1) or non-INVITE (§17.2.2).
#[derive(Debug)]
pub(crate) struct Server {
    invite: bool,
    state: State,
    dest: SocketAddr,
    last: Option<Vec<u8>>,
    /// Timer G: retransmits a non-2xx final response to INVITE.
    retransmit: Option<Backoff>,
    /// Timer H: gives up waiting for the ACK.
    timeout: Option<Instant>,
    /// Timer I (Confirmed), J (non-INVITE Completed) or RFC 6026 Timer L (Accepted).
    linger: Option<Instant>,
    /// The final response went over a stream transport (Timer I is then zero).
    reliable: bool,
}

impl Server {
    /// A server transaction for a new request (the TU keeps the request to build
    /// responses); responses go to `dest`.
    pub fn new(request: &Request, dest: SocketAddr) -> Self {
        Server {
            invite: request.method == Method::Invite,
            state: State::Proceeding,
            dest,
            last: None,
            retransmit: None,
            timeout: None,
            linger: None,
            reliable: false,
        }
    }

    pub fn dest(&self) -> SocketAddr {
        self.dest
    }

    /// No final response has been sent yet.
    pub fn is_pending(&self) -> bool {
        self.state == State::Proceeding
    }

    /// Send a response from the TU; returns false (and sends nothing) if the state does
    /// not allow it.
    pub fn respond(&mut self, now: Instant, resp: &Response, out: &mut Outbox) -> bool {
        let code = resp.status_code.code();
        match (self.state, code) {
            (State::Proceeding, 100..=199) => {}
            // RFC 6026: 2xx retransmissions from the TU pass through in Accepted.
            (State::Accepted, 200..=299) => {}
            (State::Proceeding, 200..=299) if self.invite => {
                // RFC 6026: Accepted until Timer L (64*T1); the TU retransmits the 2xx.
                self.state = State::Accepted;
                self.linger = Some(now + TIMEOUT);
            }
            (State::Proceeding, _) if self.invite => {
                // §17.2.1: Timer G = T1 only on unreliable transports; Timer H = 64*T1.
                self.state = State::Completed;
                self.retransmit = (!out.reliable(self.dest)).then(|| Backoff::new(now, T1));
                self.timeout = Some(now + TIMEOUT);
            }
            (State::Proceeding, _) => {
                // §17.2.2: Timer J = 64*T1 absorbs request retransmissions on unreliable
                // transports and is zero on reliable ones.
                self.state = State::Completed;
                let reliable = out.reliable(self.dest);
                self.linger = Some(if reliable { now } else { now + TIMEOUT });
            }
            _ => return false,
        }
        self.reliable = out.reliable(self.dest);
        let bytes = message::encode_response(resp);
        send(out, self.dest, &bytes);
        self.last = Some(bytes);
        true
    }

    /// A retransmission of the request arrived: resend the last response (§17.2.1,
    /// §17.2.2). RFC 6026 lets an Accepted INVITE transaction absorb it silently; resending
    /// the 2xx instead costs one datagram and helps a UAC that lost it.
    pub fn on_retransmission(&mut self, out: &mut Outbox) {
        if matches!(
            self.state,
            State::Proceeding | State::Completed | State::Accepted
        ) && let Some(last) = &self.last
        {
            send(out, self.dest, last);
        }
    }

    /// An ACK matched this transaction; returns whether it was absorbed here (the ACK of a
    /// non-2xx response) rather than being for the TU.
    pub fn on_ack(&mut self, now: Instant) -> bool {
        match self.state {
            State::Completed => {
                // §17.2.1: Confirmed; Timer I = T4 absorbs ACK retransmissions (zero on
                // reliable transports, where none come).
                self.state = State::Confirmed;
                self.retransmit = None;
                self.timeout = None;
                self.linger = Some(if self.reliable { now } else { now + T4 });
                true
            }
            State::Confirmed => true,
            _ => false,
        }
    }
}

/// Any transaction, as stored by the TU.
#[derive(Debug)]
pub(crate) enum Transaction {
    Client(Box<Client>),
    Server(Server),
}

impl Transaction {
    fn timers(&self) -> [Option<Instant>; 3] {
        match self {
            Transaction::Client(c) => [c.retransmit.map(|b| b.at), c.timeout, c.linger],
            Transaction::Server(s) => [s.retransmit.map(|b| b.at), s.timeout, s.linger],
        }
    }

    pub fn next_timeout(&self) -> Option<Instant> {
        self.timers().into_iter().flatten().min()
    }

    pub fn is_terminated(&self) -> bool {
        match self {
            Transaction::Client(c) => c.state == State::Terminated,
            Transaction::Server(s) => s.state == State::Terminated,
        }
    }

    pub fn dest(&self) -> SocketAddr {
        match self {
            Transaction::Client(c) => c.dest,
            Transaction::Server(s) => s.dest,
        }
    }

    /// Run the timers that are due; a failure is reported to the TU.
    pub fn on_timeout(&mut self, now: Instant, out: &mut Outbox) -> Option<Failure> {
        match self {
            Transaction::Client(c) => {
                if due(c.timeout, now) {
                    // §17.1.1.2 Timer B / §17.1.2.2 Timer F: the request went unanswered.
                    c.state = State::Terminated;
                    return Some(Failure::Timeout);
                }
                if Backoff::due(c.retransmit, now)
                    && let Some(timer) = &mut c.retransmit
                {
                    send(out, c.dest, &c.bytes);
                    // §17.1.1.2: Timer A doubles without bound (Timer B ends it).
                    // §17.1.2.2: Timer E doubles up to T2, and is T2 once in Proceeding.
                    match (c.invite, c.state) {
                        (true, _) => timer.next(now, None),
                        (false, State::Proceeding) => *timer = Backoff::new(now, T2),
                        (false, _) => timer.next(now, Some(T2)),
                    }
                }
                if due(c.linger, now) {
                    c.state = State::Terminated;
                }
            }
            Transaction::Server(s) => {
                if due(s.timeout, now) {
                    // §17.2.1 Timer H: the ACK never came.
                    s.state = State::Terminated;
                    return Some(Failure::Timeout);
                }
                if Backoff::due(s.retransmit, now)
                    && let (Some(timer), Some(last)) = (&mut s.retransmit, &s.last)
                {
                    // §17.2.1 Timer G: doubles up to T2.
                    send(out, s.dest, last);
                    timer.next(now, Some(T2));
                }
                if due(s.linger, now) {
                    s.state = State::Terminated;
                }
            }
        }
        None
    }

    /// The transport could not deliver to this transaction's destination (§17.1.4,
    /// §17.2.4): terminate, telling the TU if the transaction was still doing something.
    pub fn on_transport_error(&mut self) -> Option<Failure> {
        let state = match self {
            Transaction::Client(c) => &mut c.state,
            Transaction::Server(s) => &mut s.state,
        };
        let pending = matches!(
            *state,
            State::Calling | State::Proceeding | State::Completed
        );
        *state = State::Terminated;
        pending.then_some(Failure::Transport)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: Method) -> Request {
        let text = format!(
            "{method} sip:b@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n\
             From: <sip:a@192.0.2.1>;tag=1\r\nTo: <sip:b@192.0.2.2>\r\nCall-ID: c\r\n\
             CSeq: 5 {method}\r\nMax-Forwards: 70\r\n\r\n"
        );
        Request::try_from(text.as_str()).unwrap()
    }

    fn dest() -> SocketAddr {
        "192.0.2.2:5060".parse().unwrap()
    }

    /// Fire timers as they come due until `end`, returning the send times (relative).
    fn run(
        tx: &mut Transaction,
        t0: Instant,
        end: Duration,
        out: &mut Outbox,
    ) -> (Vec<Duration>, Option<Failure>) {
        let mut sends = Vec::new();
        while let Some(at) = tx.next_timeout().filter(|at| *at <= t0 + end) {
            let before = out.len();
            let failure = tx.on_timeout(at, out);
            sends.extend((before..out.len()).map(|_| at - t0));
            if failure.is_some() || tx.is_terminated() {
                return (sends, failure);
            }
        }
        (sends, None)
    }

    #[test]
    fn timer_a_doubles_until_timer_b() {
        let t0 = Instant::now();
        let mut out = Outbox::default();
        let mut tx = Transaction::Client(Box::new(Client::start(
            t0,
            request(Method::Invite),
            dest(),
            &mut out,
        )));
        let (sends, failure) = run(&mut tx, t0, Duration::from_secs(60), &mut out);
        let ms: Vec<u128> = sends.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [500, 1500, 3500, 7500, 15500, 31500]);
        assert_eq!(failure, Some(Failure::Timeout));
        assert_eq!(out.len(), 7);
    }

    #[test]
    fn timer_e_caps_at_t2_and_timer_f_fires() {
        let t0 = Instant::now();
        let mut out = Outbox::default();
        let mut tx = Transaction::Client(Box::new(Client::start(
            t0,
            request(Method::Bye),
            dest(),
            &mut out,
        )));
        let (sends, failure) = run(&mut tx, t0, Duration::from_secs(60), &mut out);
        let ms: Vec<u128> = sends.iter().map(Duration::as_millis).collect();
        assert_eq!(&ms[..6], [500, 1500, 3500, 7500, 11500, 15500]);
        assert_eq!(failure, Some(Failure::Timeout));
    }

    #[test]
    fn non_2xx_is_acked_and_retransmissions_reacked() {
        let t0 = Instant::now();
        let mut out = Outbox::default();
        let mut c = Client::start(t0, request(Method::Invite), dest(), &mut out);
        let invite = c.request().clone();
        let mut resp = message::response(&invite, 486, "totag", "x");
        resp.headers
            .push(headers::Contact::new("<sip:b@192.0.2.2>").into());
        assert!(c.on_response(t0, &resp, &mut out));
        let ack = String::from_utf8(out.pop_back().unwrap().payload).unwrap();
        assert!(ack.starts_with("ACK sip:b@192.0.2.2 SIP/2.0\r\n"));
        assert!(
            ack.contains("branch=z9hG4bK1"),
            "same branch as the INVITE (§17.1.1.3)"
        );
        assert!(ack.contains("To: <sip:b@192.0.2.2>;tag=totag\r\n"));
        assert!(ack.contains("CSeq: 5 ACK\r\n"));
        assert!(
            !c.on_response(t0, &resp, &mut out),
            "retransmission is absorbed"
        );
        assert_eq!(out.pop_back().unwrap().payload, ack.into_bytes());
        let mut tx = Transaction::Client(Box::new(c));
        let (_, failure) = run(&mut tx, t0, Duration::from_secs(40), &mut out);
        assert!(
            failure.is_none() && tx.is_terminated(),
            "Timer D ends it quietly"
        );
    }

    #[test]
    fn server_invite_timer_g_h_and_ack() {
        let t0 = Instant::now();
        let mut out = Outbox::default();
        let invite = request(Method::Invite);
        let mut s = Server::new(&invite, dest());
        assert!(s.respond(t0, &message::response(&invite, 100, "", "x"), &mut out));
        s.on_retransmission(&mut out);
        assert_eq!(out.len(), 2, "retransmitted INVITE gets the 100 again");
        let busy = message::response(&invite, 486, "t", "x");
        assert!(s.respond(t0, &busy, &mut out));
        assert!(!s.respond(t0, &busy, &mut out), "only one final response");
        let mut tx = Transaction::Server(s);
        out.clear();
        let (sends, failure) = run(&mut tx, t0, Duration::from_secs(40), &mut out);
        let ms: Vec<u128> = sends.iter().map(Duration::as_millis).collect();
        assert_eq!(
            &ms[..5],
            [500, 1500, 3500, 7500, 11500],
            "Timer G doubles up to T2"
        );
        assert_eq!(failure, Some(Failure::Timeout), "Timer H");

        let mut s = Server::new(&invite, dest());
        s.respond(t0, &busy, &mut out);
        assert!(s.on_ack(t0));
        let tx = Transaction::Server(s);
        assert_eq!(tx.next_timeout(), Some(t0 + T4), "Timer I");
    }
}
