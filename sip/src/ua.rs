//! The user agent core: the transaction user (RFC 3261 §8, §9, §12-§15) that turns API
//! calls into requests and responses and incoming messages into [`Event`]s.

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rsip::headers::{self, UntypedHeader};
use rsip::prelude::{HeadersExt, ToTypedHeader};
use rsip::{Header, Headers, Method, Request, Response, Scheme};

use crate::dialog::Dialog;
use crate::message::{self, Inbound, Meta, Rejected};
use crate::transaction::{Client, Failure, Server, T1, T2, TIMEOUT, Transaction, TxKey};

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

/// A datagram the runtime must send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmit {
    pub dest: SocketAddr,
    pub payload: Vec<u8>,
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
    },
    /// A provisional response (180/183, ...) to our INVITE; `sdp` is early media if present.
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
    /// The call is over; the handle is dead. Exactly one per call.
    Ended { call: CallHandle, reason: EndReason },
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
    /// A 3xx-6xx final response to our INVITE, or the one we rejected with.
    Rejected(u16),
    /// Timer B (no answer to our INVITE) or no ACK for our 2xx.
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
}

impl Call {
    fn next_timeout(&self) -> Option<Instant> {
        let ok = self.ok.as_ref().map(|o| o.next.min(o.give_up));
        ok.into_iter().chain(self.cancel_deadline).min()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Invite,
    Bye,
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
    transmits: VecDeque<Transmit>,
    events: VecDeque<Event>,
}

fn is_success(code: u16) -> bool {
    (200..300).contains(&code)
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
    let uri = rsip::Uri::try_from(s).map_err(|_| bad())?;
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
            transmits: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
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
                self.on_tx_failure(owner, failure);
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
    }

    /// The runtime could not send to `dest` (e.g. ICMP unreachable): transactions towards it
    /// fail as RFC 3261 §17.1.4 / §17.2.4 describe, ending their calls with TransportError.
    pub fn handle_transport_error(&mut self, dest: SocketAddr) {
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
                self.on_tx_failure(owner, failure);
            }
        }
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
                });
            }
        }
    }

    pub fn invite(&mut self, now: Instant, call: OutgoingCall) -> Result<CallHandle, Error> {
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
        let from_value = message::name_addr(&call.from_display, &call.from_uri);
        h.push(headers::From::new(format!("{from_value};tag={local_tag}")).into());
        h.push(headers::To::new(format!("<{}>", call.target_uri)).into());
        h.push(headers::CallId::new(call_id.clone()).into());
        h.push(headers::CSeq::new(format!("{seq} INVITE")).into());
        h.push(headers::Contact::new(self.contact(from.user())).into());
        h.push(headers::Allow::new(message::ALLOW).into());
        h.push(headers::UserAgent::new(self.config.user_agent.clone()).into());
        let mut invite = Request {
            method: Method::Invite,
            uri: target,
            version: rsip::Version::V2,
            headers: h,
            body: Vec::new(),
        };
        message::set_sdp_body(&mut invite.headers, &mut invite.body, call.sdp);

        let handle = self.new_handle();
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
            },
        );
        Ok(handle)
    }

    /// Send 180 Ringing for an incoming call.
    pub fn ring(&mut self, now: Instant, call: CallHandle) -> Result<(), Error> {
        self.expect_ringing(call)?;
        self.respond_call(now, call, 180, Vec::new()).map(|_| ())
    }

    /// Send 200 OK with this SDP answer; it is retransmitted (§13.3.1.4) until the ACK.
    pub fn answer(&mut self, now: Instant, call: CallHandle, sdp: Vec<u8>) -> Result<(), Error> {
        self.expect_ringing(call)?;
        let transmit = self.respond_call(now, call, 200, sdp)?;
        if let Some(c) = self.calls.get_mut(&call) {
            c.state = CallState::Answered { hangup: false };
            // §13.3.1.4: T1, doubling up to T2, for 64*T1.
            c.ok = Some(OkRetransmit {
                transmit,
                next: now + T1,
                interval: T1,
                give_up: now + TIMEOUT,
            });
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

    // ----- internals -----

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
                .push(headers::Contact::new(self.contact(c.invite.uri.user())).into());
            // §13.3.1.4: a 2xx SHOULD list Allow (cheap enough on 1xx too).
            resp.headers
                .push(headers::Allow::new(message::ALLOW).into());
        }
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
        })
    }

    /// Our response to a request handled outside the call flows.
    fn make_response(&mut self, req: &Request, code: u16, to_tag: Option<String>) -> Response {
        let tag = to_tag.unwrap_or_else(|| message::token(&mut self.rng, 10));
        let mut resp = message::response(req, code, &tag, &self.config.user_agent);
        let options_ok = code == 200 && req.method == Method::Options;
        if code == 405 || options_ok {
            // §8.2.1 (405 MUST list Allow), §11.2 (OPTIONS answers list Allow and Accept).
            resp.headers
                .push(headers::Allow::new(message::ALLOW).into());
        }
        if options_ok {
            resp.headers
                .push(headers::Accept::new(message::SDP_TYPE).into());
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
                    h.push(headers::CSeq::new(format!("{} CANCEL", c.dialog.local_seq)).into())
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

    fn on_tx_failure(&mut self, (call, role): (CallHandle, Role), failure: Failure) {
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        let transport = failure == Failure::Transport;
        match (role, c.state) {
            // Timer B: nobody answered our INVITE.
            (Role::Invite, CallState::Inviting { cancel, .. }) => {
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
        let dest = message::response_dest(&meta, src);
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
        match req.method {
            Method::Cancel => self.on_cancel(now, req, key, dest),
            _ if meta.to_tag.is_some() => self.on_in_dialog(now, req, &meta, key, dest),
            Method::Invite => self.on_invite(now, src, req, &meta, key, dest),
            Method::Options => self.reply(now, key, &req, dest, 200),
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
            self.end(call, EndReason::Cancelled);
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
            Method::Invite => {
                // Session modification (§14) is not supported yet; a failed re-INVITE
                // leaves the session as it was (§14.2).
                self.diagnostic(format!("refused re-INVITE on {call:?}"));
                self.reply(now, key, &req, dest, 488);
            }
            Method::Options => self.reply(now, key, &req, dest, 200),
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
        // §8.2.2.3: we support no extensions, so any Require is refused with 420.
        let required = message::list_values(&req.headers, |h| match h {
            Header::Require(r) => Some(r.value()),
            _ => None,
        })
        .join(", ");
        if !required.is_empty() {
            let mut resp = self.make_response(&req, 420, None);
            resp.headers
                .push(headers::Unsupported::new(required).into());
            return self.send_reply(now, key, &req, dest, &resp);
        }
        // §8.2.3: a body we cannot read gets 415 with Accept.
        let is_sdp = message::content_type(&req.headers)
            .is_some_and(|t| t.trim().to_ascii_lowercase().starts_with(message::SDP_TYPE));
        if !req.body.is_empty() && !is_sdp {
            let mut resp = self.make_response(&req, 415, None);
            resp.headers
                .push(headers::Accept::new(message::SDP_TYPE).into());
            return self.send_reply(now, key, &req, dest, &resp);
        }
        let local_tag = message::token(&mut self.rng, 10);
        let seq = self.rng.u32(1..0x8000_0000);
        let Some(dialog) = Dialog::uas(&req, meta, &local_tag, seq, src) else {
            self.diagnostic(format!("INVITE from {src} without a usable Contact"));
            return self.reply(now, key, &req, dest, 400);
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
        let from = req.from_header().and_then(|f| f.typed()).ok();
        self.events.push_back(Event::IncomingCall {
            call,
            from_uri: from.as_ref().map(|f| f.uri.to_string()).unwrap_or_default(),
            from_display: message::display_name(
                from.as_ref().and_then(|f| f.display_name.as_deref()),
            ),
            request_uri: req.uri.to_string(),
            sdp: body(&req.body),
        });
        self.calls.insert(
            call,
            Call {
                state: CallState::Ringing,
                dialog,
                invite: req,
                invite_tx: key,
                branch: meta.branch.clone(),
                ack: None,
                ok: None,
                cancel_deadline: None,
            },
        );
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
        match owner {
            Some((call, Role::Invite)) => self.on_invite_response(now, call, &resp, &meta, invite),
            Some((call, Role::Bye)) if resp.status_code.code() >= 200 => {
                self.end(call, EndReason::LocalHangup)
            }
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
                let (ack, dest) = c.dialog.request(
                    Method::Ack,
                    self.config.local_addr,
                    &branch,
                    &self.config.user_agent,
                );
                let ack = Transmit {
                    dest,
                    payload: message::encode_request(&ack),
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
        let (ack, dest) = dialog.request(Method::Ack, local, &ack_branch, &ua);
        self.transmits.push_back(Transmit {
            dest,
            payload: message::encode_request(&ack),
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
