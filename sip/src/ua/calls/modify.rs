//! Session modification of established calls: re-INVITE (RFC 3261 §14), UPDATE
//! (RFC 3311), PRACK (RFC 3262) and session timers (RFC 4028).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rsip::headers::{self, UntypedHeader};
use rsip::prelude::{HeadersExt, ToTypedHeader};
use rsip::{Method, Request, Response};

use super::CallCore;
use super::state::*;
use crate::extensions::{self, Refresher, TAG_TIMER};
use crate::locate::Transport;
use crate::message::{self, Meta};
use crate::transaction::{Client, Server, T1, TIMEOUT, Transaction, TxKey};
use crate::ua::api::*;

impl CallCore<'_> {
    /// Offer a new session description in a re-INVITE (RFC 3261 §14.1), e.g. with
    /// `a=sendonly` to put the call on hold (RFC 3264 §8.4). The outcome comes as
    /// [`Event::Modified`] or [`Event::ModifyFailed`]; until then the session is unchanged.
    /// A 422 is retried with the Min-SE it names (RFC 4028 §7.4), a 491 after the §14.1
    /// wait, so neither leaves the peer with half a hold.
    pub(crate) fn reinvite(
        &mut self,
        now: Instant,
        call: CallHandle,
        sdp: Vec<u8>,
    ) -> Result<(), Error> {
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
    pub(crate) fn answer_reoffer(
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
    pub(crate) fn reject_reoffer(
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

    /// Send a re-INVITE or UPDATE in the call's dialog. It is a target refresh (Contact,
    /// §12.2) and a session refresh request (RFC 4028 §7.4: the current interval and
    /// refresher, and the largest Min-SE we heard).
    pub(crate) fn send_modify(&mut self, now: Instant, call: CallHandle, m: Modify) {
        let branch = message::new_branch(self.rng);
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
        let client = Client::start(now, req, dest, self.transmits);
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
    pub(crate) fn on_modify_response(
        &mut self,
        now: Instant,
        call: CallHandle,
        resp: &Response,
        meta: &Meta,
        key: &TxKey,
    ) {
        let code = resp.status_code.code();
        let branch = message::new_branch(self.rng);
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
                    u64::from(self.rng.u32(2100..4001))
                } else {
                    u64::from(self.rng.u32(0..2001))
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
    pub(crate) fn on_session_timer(&mut self, now: Instant, call: CallHandle) {
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

    /// A re-INVITE (§14.2): checked for glare and session timer, then handed to the runtime
    /// as [`Event::Reoffer`].
    pub(crate) fn on_reinvite(
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
            self.transmits,
        );
        self.accept_modify(call, req, key, dest, server, true);
    }

    /// RFC 3311 §5.2: UPDATE in an early or confirmed dialog. Without an offer it is a
    /// target or session refresh and answered at once; an offer goes to the runtime.
    pub(crate) fn on_update(
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
    pub(crate) fn accept_modify(
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
    pub(crate) fn respond_modify(
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
            server.respond(now, &resp, self.transmits);
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
    pub(crate) fn on_prack(
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
}
