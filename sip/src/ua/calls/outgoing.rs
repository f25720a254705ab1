//! Calls we place (RFC 3261 §13.2): the INVITE, its responses, authentication (§22),
//! failover to the next server address (S2), CANCEL (§9.1) and BYE (§15.1.1).

use std::net::SocketAddr;
use std::time::Instant;

use rsip::headers::{self, UntypedHeader};
use rsip::{Header, Headers, Method, Request, Response};

use super::state::*;
use super::{CallCore, transfer};
use crate::auth::{self, Authenticator};
use crate::dialog::Dialog;
use crate::extensions::{self, Refresher, TAG_100REL};
use crate::failover::{self, Alternates};
use crate::locate::Transport;
use crate::message::{self, Meta};
use crate::transaction::{Client, TIMEOUT, Transaction, TxKey};
use crate::ua::api::*;

impl CallCore<'_> {
    /// [`invite`](Self::invite) through a service provider: with credentials for its
    /// challenges and, optionally, its outbound proxy.
    pub(crate) fn invite_with(
        &mut self,
        now: Instant,
        call: OutgoingCall,
        options: CallOptions,
    ) -> Result<CallHandle, Error> {
        let target = parse_uri(&call.target_uri)?;
        let from = parse_uri(&call.from_uri)?;
        if self.calls.len() >= self.limits.max_calls {
            return Err(Error::TooManyCalls);
        }
        let call_id = message::token(self.rng, 24);
        let local_tag = message::token(self.rng, 10);
        let branch = message::new_branch(self.rng);
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
        let client = Client::start(now, invite.clone(), call.dest, self.transmits);
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

    pub(crate) fn on_invite_response(
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
                let branch = message::new_branch(self.rng);
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
    pub(crate) fn ack_and_bye(
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
        let ack_branch = message::new_branch(self.rng);
        let (ack, dest) = dialog.ack(seq, local, &ack_branch, &ua);
        self.transmits.push_back(Transmit {
            dest,
            payload: message::encode_request(&ack),
            transport: Transport::Udp,
        });
        let bye_branch = message::new_branch(self.rng);
        let (bye, dest) = dialog.request(Method::Bye, local, &bye_branch, &ua);
        let client = Client::start(now, bye, dest, self.transmits);
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

    /// RFC 3262 §7.2: PRACK a reliable provisional within its early dialog.
    pub(crate) fn send_prack(&mut self, now: Instant, call: CallHandle, rseq: u32) {
        let branch = message::new_branch(self.rng);
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
        let client = Client::start(now, req, dest, self.transmits);
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
    pub(crate) fn retry_invite(&mut self, now: Instant, call: CallHandle, min_se: u32) {
        let branch = message::new_branch(self.rng);
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
        let client = Client::start(now, c.invite.clone(), dest, self.transmits);
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
    pub(crate) fn fail_over_invite(&mut self, now: Instant, call: CallHandle) -> bool {
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
        let branch = message::new_branch(self.rng);
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
        let client = Client::start(now, c.invite.clone(), dest, self.transmits);
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

    /// §22.2, §22.3: a 401/407 to our INVITE (still unanswered and not being cancelled) or
    /// our BYE is answered by sending the request again with credentials: same Call-ID,
    /// From tag and To, CSeq + 1, new branch. Returns whether it was; if not, the response
    /// takes its usual course (the call ends).
    pub(crate) fn retry_with_credentials(
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
        let branch = message::new_branch(self.rng);
        let (mut again, seq) = auth::resend(&request, self.config.local_addr, &branch);
        auth.authorize(&mut again, self.rng);
        let key = TxKey::client(&branch, &request.method);
        let client = Client::start(now, again.clone(), dest, self.transmits);
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

    /// §9.1: CANCEL copies Request-URI, Call-ID, From, To, CSeq number, the single Via
    /// (same branch) and Route of the INVITE, and goes where the INVITE went.
    pub(crate) fn send_cancel(&mut self, now: Instant, call: CallHandle) {
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
        let client = Client::start(now, cancel, dest, self.transmits);
        self.transactions.insert(
            key,
            Entry {
                tx: Transaction::Client(Box::new(client)),
                owner: None,
            },
        );
    }

    /// End a call in whatever state: CANCEL an unanswered outgoing call (after the first
    /// provisional response, §9.1), BYE a confirmed one, reject an unanswered incoming one
    /// with 486 (ending it as `Rejected(486)`). The `Ended` event follows once the peer
    /// confirmed or the transaction gave up.
    pub(crate) fn hangup(&mut self, now: Instant, call: CallHandle) -> Result<(), Error> {
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

    pub(crate) fn send_bye(&mut self, now: Instant, call: CallHandle) {
        self.start_bye(now, call, true);
    }

    /// Send BYE in the call's dialog. If `owned`, the call waits in Terminating for it;
    /// otherwise the call is being ended right away and the BYE runs on its own.
    pub(crate) fn start_bye(&mut self, now: Instant, call: CallHandle, owned: bool) {
        let branch = message::new_branch(self.rng);
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
        let client = Client::start(now, bye, dest, self.transmits);
        let owner = owned.then_some((call, Role::Bye));
        self.transactions.insert(
            TxKey::client(&branch, &Method::Bye),
            Entry {
                tx: Transaction::Client(Box::new(client)),
                owner,
            },
        );
    }
}
