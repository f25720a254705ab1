//! Calls: INVITE dialogs from the first request to the last BYE, with the server
//! transactions of every request the user agent answers. [`Calls`] is the state the user
//! agent owns; [`CallCore`] borrows it together with the [`Output`] for one operation.

use std::net::SocketAddr;
use std::time::Instant;

use rsip::headers::{self, UntypedHeader};
use rsip::{Method, Request, Response};

use self::state::*;
use crate::auth::Authenticator;
use crate::failover::Alternates;
use crate::failover::FailoverResponses;
use crate::message::{self, Meta};
use crate::transaction::{Failure, Server, T2, Transaction, TxKey};
use crate::ua::api::*;
use crate::ua::output::Output;
use std::collections::{BTreeMap, VecDeque};

mod incoming;
mod modify;
mod outgoing;
pub(crate) mod state;
mod transfer;

/// The calls of a user agent and the transactions that report to them.
#[derive(Debug, Default)]
pub(crate) struct Calls {
    next_call: u64,
    calls: BTreeMap<CallHandle, Call>,
    transactions: BTreeMap<TxKey, Entry>,
    /// Credentials of calls placed with [`CallOptions::credentials`].
    call_auth: BTreeMap<CallHandle, Authenticator>,
    /// S2: the server addresses of our calls' INVITEs, while they are being placed.
    invite_targets: BTreeMap<CallHandle, Alternates>,
    /// S2: final responses to INVITE that try the next address (`sip_failover_response`).
    pub(crate) failover: FailoverResponses,
    /// The message being handled came over a stream connection (RFC 3261 §18.2.2).
    pub(crate) inbound_stream: bool,
    pub(crate) limits: Limits,
}

/// The calls and the user agent's output, borrowed together for one operation.
pub(crate) struct CallCore<'a> {
    next_call: &'a mut u64,
    calls: &'a mut BTreeMap<CallHandle, Call>,
    transactions: &'a mut BTreeMap<TxKey, Entry>,
    call_auth: &'a mut BTreeMap<CallHandle, Authenticator>,
    invite_targets: &'a mut BTreeMap<CallHandle, Alternates>,
    failover: &'a FailoverResponses,
    inbound_stream: bool,
    limits: Limits,
    config: &'a UaConfig,
    rng: &'a mut crate::ua::output::Rng,
    transmits: &'a mut crate::transaction::Outbox,
    events: &'a mut VecDeque<Event>,
}

impl Calls {
    pub(crate) fn core<'a>(&'a mut self, out: &'a mut Output) -> CallCore<'a> {
        CallCore {
            next_call: &mut self.next_call,
            calls: &mut self.calls,
            transactions: &mut self.transactions,
            call_auth: &mut self.call_auth,
            invite_targets: &mut self.invite_targets,
            failover: &self.failover,
            inbound_stream: self.inbound_stream,
            limits: self.limits,
            config: &out.config,
            rng: &mut out.rng,
            transmits: &mut out.transmits,
            events: &mut out.events,
        }
    }

    /// The earliest timer of a transaction or a call.
    pub(crate) fn next_timeout(&self) -> Option<Instant> {
        let tx = self
            .transactions
            .values()
            .filter_map(|e| e.tx.next_timeout());
        tx.chain(self.calls.values().filter_map(Call::next_timeout))
            .min()
    }
}

/// A request the calls do not handle themselves, for the user agent to pass on.
pub(crate) enum Routed {
    /// A NOTIFY of an event subscription (RFC 6665 §4.1.3).
    Notify {
        req: Request,
        meta: Meta,
        key: TxKey,
        dest: SocketAddr,
    },
    /// A MESSAGE (RFC 3428), inside `call`'s dialog or outside any.
    Message {
        req: Request,
        call: Option<CallHandle>,
        key: TxKey,
        dest: SocketAddr,
    },
}

impl CallCore<'_> {
    pub(crate) fn on_timeout(&mut self, now: Instant) {
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
            let failure = entry.tx.on_timeout(now, self.transmits);
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
    }

    /// RFC 3261 §17.1.4 / §17.2.4: the transactions towards `dest` fail, ending their
    /// calls with TransportError unless the server has another address (S2).
    pub(crate) fn on_transport_error(&mut self, now: Instant, dest: SocketAddr) {
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
    }

    /// A request in `call`'s confirmed dialog (a MESSAGE, RFC 3428 §4), with where it goes
    /// and the call's credentials.
    pub(crate) fn in_dialog_request(
        &mut self,
        call: CallHandle,
        method: Method,
    ) -> Result<(Request, SocketAddr, Option<Authenticator>), Error> {
        let branch = message::new_branch(self.rng);
        let c = self.calls.get_mut(&call).ok_or(Error::UnknownCall)?;
        if !matches!(c.state, CallState::Confirmed | CallState::Answered { .. }) {
            return Err(Error::InvalidState("the call has no confirmed dialog"));
        }
        let (req, dest) = c.dialog.request(
            method,
            self.config.local_addr,
            &branch,
            &self.config.user_agent,
        );
        Ok((req, dest, self.call_auth.get(&call).cloned()))
    }

    pub(crate) fn new_handle(&mut self) -> CallHandle {
        *self.next_call += 1;
        CallHandle(*self.next_call)
    }

    pub(crate) fn diagnostic(&mut self, text: String) {
        tracing::debug!("{text}");
        self.events.push_back(Event::Diagnostic(text));
    }

    pub(crate) fn end(&mut self, call: CallHandle, reason: EndReason) {
        self.call_auth.remove(&call);
        self.invite_targets.remove(&call);
        if self.calls.remove(&call).is_some() {
            tracing::debug!(?call, ?reason, "call ended");
            self.events.push_back(Event::Ended { call, reason });
        }
    }

    pub(crate) fn contact(&self, user: Option<&str>) -> String {
        match user {
            Some(u) if !u.is_empty() => format!("<sip:{u}@{}>", self.config.local_addr),
            _ => format!("<sip:{}>", self.config.local_addr),
        }
    }

    /// Our response to a request handled outside the call flows.
    pub(crate) fn make_response(
        &mut self,
        req: &Request,
        code: u16,
        to_tag: Option<String>,
    ) -> Response {
        let tag = to_tag.unwrap_or_else(|| message::token(self.rng, 10));
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
    pub(crate) fn send_reply(
        &mut self,
        now: Instant,
        key: TxKey,
        req: &Request,
        dest: SocketAddr,
        resp: &Response,
    ) {
        let mut server = Server::new(req, dest);
        server.respond(now, resp, self.transmits);
        self.transactions.insert(
            key,
            Entry {
                tx: Transaction::Server(server),
                owner: None,
            },
        );
    }

    pub(crate) fn reply(
        &mut self,
        now: Instant,
        key: TxKey,
        req: &Request,
        dest: SocketAddr,
        code: u16,
    ) {
        let resp = self.make_response(req, code, None);
        self.send_reply(now, key, req, dest, &resp);
    }

    pub(crate) fn on_tx_failure(
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

    pub(crate) fn on_call_timer(&mut self, now: Instant, call: CallHandle) {
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
}
