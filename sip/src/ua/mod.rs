//! The user agent core: the transaction user (RFC 3261 §8, §9, §12-§15) that turns API
//! calls into requests and responses and incoming messages into [`Event`]s.

//!
//! The parts, each depending only on those below it (no part imports another in a circle,
//! and none imports this module):
//!
//! ```text
//! mod.rs (UserAgent: the public API, routing of messages, timers and transport errors)
//!   ├── calls/        INVITE dialogs and the server transactions of every request
//!   │     mod.rs (Calls, CallCore) ← outgoing, incoming, modify, transfer ← state
//!   ├── registrations.rs   REGISTER bindings (RFC 3261 §10)
//!   ├── subscriptions.rs   SUBSCRIBE/NOTIFY (RFC 6665)
//!   ├── messages.rs        MESSAGE (RFC 3428)
//!   └── output.rs     the queues every part sends and reports through, owned here
//!         └── api.rs  the public vocabulary (config, handles, events, errors), a leaf
//! ```
//!
//! The user agent owns one [`output::Output`] and lends it to a part for one operation;
//! the calls borrow it together with their own state as a [`calls::CallCore`]. The
//! transport glue (which peer is reached over which transport, the last rewrite before
//! the wire) is [`crate::transaction::Outbox`] and [`UserAgent::poll_transmit`].

use std::net::SocketAddr;
use std::time::Instant;

use rsip::headers::UntypedHeader;
use rsip::{Header, Method, Request, Response};

use crate::auth::Authenticator;
use crate::failover::FailoverPolicy;
use crate::locate::Transport;
use crate::message::{self, Inbound, Meta, Rejected};
use crate::transaction::TxKey;

mod api;
mod calls;
mod messages;
mod output;
mod registrations;
mod subscriptions;

pub use api::{
    CallHandle, CallOptions, EndReason, Error, Event, Limits, MessageHandle, OutgoingCall,
    Referral, RegistrationHandle, RegistrationState, SubscriptionHandle, SubscriptionState,
    Transmit, UaConfig,
};
pub use messages::OutgoingMessage;
pub use registrations::Registration;
pub use subscriptions::Subscription;

use calls::state::parse_uri;
use calls::{CallCore, Calls, Routed};
use messages::Messages;
use output::Output;
use registrations::Registrations;
use subscriptions::Subscriptions;

/// Sans-IO SIP user agent: feed it datagrams and time, drain transmits and events.
#[derive(Debug)]
pub struct UserAgent {
    /// What every part sends and reports through.
    out: Output,
    calls: Calls,
    registrations: Registrations,
    /// RFC 3428 MESSAGE client transactions.
    messages: Messages,
    /// RFC 6665 subscriptions and their SUBSCRIBE transactions.
    subscriptions: Subscriptions,
}

impl UserAgent {
    pub fn new(config: UaConfig) -> Self {
        UserAgent {
            out: Output::new(config),
            calls: Calls::default(),
            registrations: Registrations::default(),
            messages: Messages::default(),
            subscriptions: Subscriptions::default(),
        }
    }

    /// How many calls and transactions the user agent takes on at once.
    pub fn set_limits(&mut self, limits: Limits) {
        self.calls.limits = limits;
    }

    /// S2: which final responses make a request try the server's next address.
    pub fn set_failover(&mut self, policy: FailoverPolicy) {
        self.calls.failover = policy.responses;
        self.registrations.failover = policy.register_responses;
    }

    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        let mut t = self.out.transmits.pop_front()?;
        // Messages are built for UDP; the last step before the wire names the stream
        // transport in the Via (§18.1.1) and the Contact (so the peer's requests come
        // back the same way, §19.1.1 transport parameter).
        t.transport = self.out.transmits.transport(t.dest);
        if t.transport != Transport::Udp {
            message::for_stream(&mut t.payload, t.transport);
        }
        Some(t)
    }

    /// Requests and responses to `dest` go over `transport` (the runtime chose it from the
    /// URI's `transport` parameter or from DNS, RFC 3263 §4.1); `Transport::Udp` undoes it.
    pub fn set_transport(&mut self, dest: SocketAddr, transport: Transport) {
        self.out.transmits.set_transport(dest, transport, false);
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
        self.out.transmits.set_transport(from, transport, true);
        self.calls.inbound_stream = true;
        self.handle_datagram(now, from, data);
        self.calls.inbound_stream = false;
    }

    /// The stream connection with `peer` closed: a peer that connected to us is reached
    /// over UDP again unless [`set_transport`](Self::set_transport) named its transport.
    pub fn handle_stream_closed(&mut self, peer: SocketAddr) {
        self.out.transmits.forget(peer);
    }

    pub fn poll_event(&mut self) -> Option<Event> {
        self.out.events.pop_front()
    }

    /// Earliest time [`handle_timeout`](Self::handle_timeout) must be called, if any timer runs.
    pub fn poll_timeout(&self) -> Option<Instant> {
        [
            self.calls.next_timeout(),
            self.registrations.next_timeout(),
            self.messages.next_timeout(),
            self.subscriptions.next_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        self.call_core().on_timeout(now);
        self.registrations.on_timeout(now, &mut self.out);
        self.messages.on_timeout(now, &mut self.out);
        self.subscriptions.on_timeout(now, &mut self.out);
        self.call_core().follow_referrals(now);
    }

    /// The runtime could not send to `dest` (e.g. ICMP unreachable) at `now`: transactions
    /// towards it fail as RFC 3261 §17.1.4 / §17.2.4 describe, ending their calls with
    /// TransportError, unless the server has another address to fail over to (S2).
    pub fn handle_transport_error(&mut self, now: Instant, dest: SocketAddr) {
        self.call_core().on_transport_error(now, dest);
        self.registrations
            .on_transport_error(now, dest, &mut self.out);
        self.messages.on_transport_error(dest, &mut self.out);
        self.subscriptions
            .on_transport_error(now, dest, &mut self.out);
    }

    pub fn handle_datagram(&mut self, now: Instant, from: SocketAddr, data: &[u8]) {
        match message::parse(data, &self.out.config.user_agent, &mut self.out.rng) {
            Ok(Inbound::Request(req, meta)) => self.on_request(now, from, req, meta),
            Ok(Inbound::Response(resp, meta)) => self.on_response(now, resp, meta),
            Err(Rejected::KeepAlive) => {}
            Err(Rejected::Drop(why)) => self
                .out
                .diagnostic(format!("dropped datagram from {from}: {why}")),
            Err(Rejected::Answer { why, response }) => {
                self.out
                    .diagnostic(format!("answered bad request from {from}: {why}"));
                self.out.transmits.push_back(Transmit {
                    dest: from,
                    payload: response,
                    transport: Transport::Udp,
                });
            }
        }
        self.call_core().follow_referrals(now);
    }

    fn call_core(&mut self) -> CallCore<'_> {
        self.calls.core(&mut self.out)
    }

    /// Requests go to the calls, which answer retransmissions and everything in a call's
    /// dialog; NOTIFYs of subscriptions and MESSAGEs come back here.
    fn on_request(&mut self, now: Instant, src: SocketAddr, req: Request, meta: Meta) {
        match self.call_core().on_request(now, src, req, meta) {
            None => {}
            Some(Routed::Notify {
                req,
                meta,
                key,
                dest,
            }) => self.on_notify(now, req, &meta, key, dest),
            Some(Routed::Message {
                req,
                call,
                key,
                dest,
            }) => self.on_message(now, req, call, key, dest),
        }
    }

    fn on_response(&mut self, now: Instant, resp: Response, meta: Meta) {
        // §8.1.3.3: a response with more than one Via was misrouted.
        if meta.via_count != 1 {
            return self.out.diagnostic(format!(
                "dropped response with {} Via values",
                meta.via_count
            ));
        }
        match meta.cseq_method {
            Method::Register => self
                .registrations
                .on_response(now, &resp, &meta, &mut self.out),
            Method::Message => self.messages.on_response(now, &resp, &meta, &mut self.out),
            Method::Subscribe => self
                .subscriptions
                .on_response(now, &resp, &meta, &mut self.out),
            _ => self.call_core().on_response(now, resp, meta),
        }
    }

    pub fn invite(&mut self, now: Instant, call: OutgoingCall) -> Result<CallHandle, Error> {
        self.invite_with(now, call, CallOptions::default())
    }

    /// Start registering; [`Event::RegistrationChanged`] reports how it goes. The binding is
    /// refreshed and, after failures, retried until [`unregister`](Self::unregister).
    pub fn register(
        &mut self,
        now: Instant,
        registration: Registration,
    ) -> Result<RegistrationHandle, Error> {
        self.registrations
            .register(now, registration, &mut self.out)
    }

    /// Remove the binding (`Expires: 0`); `RegistrationChanged { Unregistered }` follows
    /// once the registrar answered or gave no answer.
    pub fn unregister(
        &mut self,
        now: Instant,
        registration: RegistrationHandle,
    ) -> Result<(), Error> {
        self.registrations
            .unregister(now, registration, &mut self.out)
    }

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
        if !messages::valid_content_type(&msg.content_type) {
            return Err(Error::InvalidState("unusable content type"));
        }
        let branch = message::new_branch(&mut self.out.rng);
        let auth = options.credentials.clone().map(Authenticator::new);
        let req = messages::request(&msg, target, options.outbound_proxy, &mut self.out, &branch);
        Ok(self.messages.send(now, req, msg.dest, auth, &mut self.out))
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
        if !messages::valid_content_type(content_type) {
            return Err(Error::InvalidState("unusable content type"));
        }
        let (mut req, dest, auth) = self.call_core().in_dialog_request(call, Method::Message)?;
        messages::set_body(&mut req, content_type, body);
        Ok(self.messages.send(now, req, dest, auth, &mut self.out))
    }

    /// Subscribe to an event package of a resource; [`Event::SubscriptionChanged`] reports
    /// how it goes and [`Event::Notify`] what the notifier says. It is refreshed and, after
    /// failures, made anew until [`unsubscribe`](Self::unsubscribe).
    pub fn subscribe(
        &mut self,
        now: Instant,
        subscription: Subscription,
    ) -> Result<SubscriptionHandle, Error> {
        self.subscriptions
            .subscribe(now, subscription, &mut self.out)
    }

    /// End a subscription (`Expires: 0`, RFC 6665 §4.1.2.3); `Terminated` follows.
    pub fn unsubscribe(
        &mut self,
        now: Instant,
        subscription: SubscriptionHandle,
    ) -> Result<(), Error> {
        self.subscriptions
            .unsubscribe(now, subscription, &mut self.out)
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
        match messages::receive(&req, call) {
            Ok(event) => {
                self.call_core().reply(now, key, &req, dest, 200);
                self.out.events.push_back(event);
            }
            Err(code) => {
                let mut core = self.call_core();
                let mut resp = core.make_response(&req, code, None);
                resp.headers.push(messages::accept_header());
                core.send_reply(now, key, &req, dest, &resp);
            }
        }
    }

    /// RFC 6665 §4.1.3: answer a NOTIFY first, then report what it says.
    fn on_notify(&mut self, now: Instant, req: Request, meta: &Meta, key: TxKey, dest: SocketAddr) {
        let verdict = self.subscriptions.on_notify(now, &req, meta, &mut self.out);
        match verdict {
            Ok((subscription, notification)) => {
                self.call_core().reply(now, key, &req, dest, 200);
                let to_uri = message::identity(&req.headers, |h| match h {
                    Header::To(t) => Some(t.value()),
                    _ => None,
                })
                .map(|(uri, _)| uri)
                .unwrap_or_default();
                self.out.events.push_back(Event::Notify {
                    subscription,
                    to_uri,
                    notification,
                });
            }
            Err(code) => self.call_core().reply(now, key, &req, dest, code),
        }
    }

    /// [`invite`](Self::invite) through a service provider: with credentials for its
    /// challenges and, optionally, its outbound proxy.
    pub fn invite_with(
        &mut self,
        now: Instant,
        call: OutgoingCall,
        options: CallOptions,
    ) -> Result<CallHandle, Error> {
        self.calls
            .core(&mut self.out)
            .invite_with(now, call, options)
    }

    /// Send 180 Ringing for an incoming call; reliably (RFC 3262 §3) when the INVITE
    /// requires 100rel.
    pub fn ring(&mut self, now: Instant, call: CallHandle) -> Result<(), Error> {
        self.calls.core(&mut self.out).ring(now, call)
    }

    /// Send 200 OK with this SDP answer; it is retransmitted (§13.3.1.4) until the ACK.
    pub fn answer(&mut self, now: Instant, call: CallHandle, sdp: Vec<u8>) -> Result<(), Error> {
        self.calls.core(&mut self.out).answer(now, call, sdp)
    }

    /// Reject an incoming call with a 3xx-6xx final response (486 busy, 603 decline, ...).
    pub fn reject(&mut self, now: Instant, call: CallHandle, code: u16) -> Result<(), Error> {
        self.calls.core(&mut self.out).reject(now, call, code)
    }

    /// Redirect an incoming call (call forwarding) with 302 and `target` as Contact.
    pub fn redirect(&mut self, now: Instant, call: CallHandle, target: &str) -> Result<(), Error> {
        self.calls.core(&mut self.out).redirect(now, call, target)
    }

    /// End a call in whatever state: CANCEL an unanswered outgoing call (after the first
    /// provisional response, §9.1), BYE a confirmed one, reject an unanswered incoming one
    /// with 486 (ending it as `Rejected(486)`). The `Ended` event follows once the peer
    /// confirmed or the transaction gave up.
    pub fn hangup(&mut self, now: Instant, call: CallHandle) -> Result<(), Error> {
        self.calls.core(&mut self.out).hangup(now, call)
    }

    /// Offer a new session description in a re-INVITE (RFC 3261 §14.1), e.g. with
    /// `a=sendonly` to put the call on hold (RFC 3264 §8.4). The outcome comes as
    /// [`Event::Modified`] or [`Event::ModifyFailed`]; until then the session is unchanged.
    /// A 422 is retried with the Min-SE it names (RFC 4028 §7.4), a 491 after the §14.1
    /// wait, so neither leaves the peer with half a hold.
    pub fn reinvite(&mut self, now: Instant, call: CallHandle, sdp: Vec<u8>) -> Result<(), Error> {
        self.calls.core(&mut self.out).reinvite(now, call, sdp)
    }

    /// Answer the offer of an [`Event::Reoffer`] with 200 and this SDP (for an offer-less
    /// re-INVITE: our offer, whose answer comes with the ACK as [`Event::Modified`]).
    pub fn answer_reoffer(
        &mut self,
        now: Instant,
        call: CallHandle,
        sdp: Vec<u8>,
    ) -> Result<(), Error> {
        self.calls
            .core(&mut self.out)
            .answer_reoffer(now, call, sdp)
    }

    /// Refuse the offer of an [`Event::Reoffer`] (e.g. 488); the session stays as it was
    /// (§14.2).
    pub fn reject_reoffer(
        &mut self,
        now: Instant,
        call: CallHandle,
        code: u16,
    ) -> Result<(), Error> {
        self.calls
            .core(&mut self.out)
            .reject_reoffer(now, call, code)
    }

    /// Blind transfer (RFC 5589 §6): ask the peer of `call` to call `target`. The outcome
    /// comes as [`Event::TransferProgress`]; on success the call ends with our BYE.
    pub fn refer(&mut self, now: Instant, call: CallHandle, target: &str) -> Result<(), Error> {
        self.calls.core(&mut self.out).refer(now, call, target)
    }

    /// Attended transfer (RFC 5589 §7): ask the peer of `call` to call the peer of
    /// `consultation`, replacing our consultation dialog (RFC 3891 §6.1). The peer of the
    /// consultation call then ends it with BYE when the new call replaces it.
    pub fn refer_replacing(
        &mut self,
        now: Instant,
        call: CallHandle,
        consultation: CallHandle,
    ) -> Result<(), Error> {
        self.calls
            .core(&mut self.out)
            .refer_replacing(now, call, consultation)
    }

    /// Send DTMF `digit` (0-9, *, #, A-D) in an INFO with `application/dtmf-relay`.
    pub fn send_dtmf(
        &mut self,
        now: Instant,
        call: CallHandle,
        digit: char,
        duration_ms: u32,
    ) -> Result<(), Error> {
        self.calls
            .core(&mut self.out)
            .send_dtmf(now, call, digit, duration_ms)
    }

    /// The runtime could not place the call a [`Referral`] asked for: tell the transferor
    /// with this final status (RFC 3515 §2.4.5), e.g. 503, which ends the subscription.
    pub fn referral_failed(&mut self, now: Instant, call: CallHandle, code: u16) {
        self.calls
            .core(&mut self.out)
            .referral_failed(now, call, code)
    }
}
