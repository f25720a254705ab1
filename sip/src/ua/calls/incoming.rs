//! Calls we receive (RFC 3261 §13.3): the INVITE, ringing, answering and rejecting it,
//! its ACK and CANCEL, and how requests reach the dialogs they belong to (§12.2.2).

use std::net::SocketAddr;
use std::time::Instant;

use rsip::headers::{self, UntypedHeader};
use rsip::{Header, Method, Request, Response, Scheme};

use super::state::*;
use super::{CallCore, Routed, transfer};
use crate::dialog::Dialog;
use crate::extensions::{self, Refresher, TAG_100REL, TAG_TIMER};
use crate::locate::Transport;
use crate::message::{self, Meta};
use crate::transaction::{Server, T1, TIMEOUT, Transaction, TxKey};
use crate::ua::api::*;

impl CallCore<'_> {
    /// Route a request: a retransmission to its server transaction, a request in a call's
    /// dialog to the call, a new INVITE to a new call; what is not a call's goes back.
    pub(crate) fn on_request(
        &mut self,
        now: Instant,
        src: SocketAddr,
        mut req: Request,
        meta: Meta,
    ) -> Option<Routed> {
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
                server.on_retransmission(self.transmits);
                return None;
            }
            if server.on_ack(now) {
                return None;
            }
        }
        if req.method == Method::Ack {
            self.on_ack(now, &req, &meta);
            return None;
        }
        // A request that would start a transaction beyond the limit is refused statelessly
        // (§8.2.6: 503 with Retry-After). A CANCEL still reaches its INVITE and a request in
        // one of our dialogs still reaches its call, so the calls that run can end.
        let reaches_ours = if req.method == Method::Cancel {
            self.transactions.contains_key(&key.cancelled_invite())
        } else {
            meta.to_tag.is_some() && self.find_dialog(&meta).is_some()
        };
        if self.transactions.len() >= self.limits.max_transactions && !reaches_ours {
            self.refuse_overload(&req, dest);
            return None;
        }
        // §8.2.2.1: we only handle SIP(S) Request-URIs.
        if !matches!(req.uri.scheme, Some(Scheme::Sip | Scheme::Sips)) {
            self.reply(now, key, &req, dest, 416);
            return None;
        }
        // §8.2.2.3: every request with a Require we cannot meet gets 420 (RFC 4475 §3.3.5);
        // ACK is never answered and CANCEL follows its INVITE (§9.1).
        if req.method != Method::Cancel && self.refuse_unsupported(now, &req, &key, dest) {
            return None;
        }
        match req.method {
            Method::Cancel => self.on_cancel(now, req, key, dest),
            // RFC 6665 §4.1.3: NOTIFYs belong to subscriptions, not to call dialogs.
            // RFC 3515 §2.4.4: a REFER's NOTIFYs come in the call's dialog.
            Method::Notify if transfer::is_refer_notify(&req) && meta.to_tag.is_some() => {
                return self.on_in_dialog(now, req, &meta, key, dest);
            }
            Method::Notify => {
                return Some(Routed::Notify {
                    req,
                    meta,
                    key,
                    dest,
                });
            }
            _ if meta.to_tag.is_some() => return self.on_in_dialog(now, req, &meta, key, dest),
            Method::Invite => self.on_invite(now, src, req, &meta, key, dest),
            Method::Options => self.reply(now, key, &req, dest, 200),
            Method::Message => {
                return Some(Routed::Message {
                    req,
                    call: None,
                    key,
                    dest,
                });
            }
            // §15.1.2: a BYE outside any dialog.
            Method::Bye => self.reply(now, key, &req, dest, 481),
            // §8.2.1: known methods we do not implement (REGISTER, SUBSCRIBE, INFO, ...).
            _ => self.reply(now, key, &req, dest, 405),
        }
        None
    }

    /// 503 with Retry-After, sent without a transaction (none is kept for a request we
    /// cannot take on; its retransmissions are refused the same way).
    fn refuse_overload(&mut self, req: &Request, dest: SocketAddr) {
        let mut resp = self.make_response(req, 503, None);
        resp.headers
            .push(headers::RetryAfter::new(self.limits.retry_after.to_string()).into());
        self.transmits.push_back(Transmit {
            dest,
            payload: message::encode_response(&resp),
            transport: Transport::Udp,
        });
    }

    pub(crate) fn find_dialog(&self, meta: &Meta) -> Option<CallHandle> {
        self.calls
            .iter()
            .find(|(_, c)| c.dialog.matches(meta))
            .map(|(h, _)| *h)
    }

    /// An ACK not absorbed by a transaction: the ACK of our 2xx (§13.3.1.4).
    pub(crate) fn on_ack(&mut self, now: Instant, req: &Request, meta: &Meta) {
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
    pub(crate) fn on_cancel(&mut self, now: Instant, req: Request, key: TxKey, dest: SocketAddr) {
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

    pub(crate) fn on_in_dialog(
        &mut self,
        now: Instant,
        req: Request,
        meta: &Meta,
        key: TxKey,
        dest: SocketAddr,
    ) -> Option<Routed> {
        let Some(call) = self.find_dialog(meta) else {
            // §12.2.2: a request for a dialog we do not know.
            self.reply(now, key, &req, dest, 481);
            return None;
        };
        let c = self.calls.get_mut(&call)?;
        // §12.2.2: requests must arrive in CSeq order.
        if c.dialog.remote_seq.is_some_and(|seq| meta.cseq < seq) {
            self.reply(now, key, &req, dest, 500);
            return None;
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
            Method::Message => {
                return Some(Routed::Message {
                    req,
                    call: Some(call),
                    key,
                    dest,
                });
            }
            Method::Refer | Method::Notify | Method::Info => {
                self.on_transfer_request(now, call, req, meta.cseq, key, dest)
            }
            _ => self.reply(now, key, &req, dest, 405),
        }
        None
    }

    pub(crate) fn on_invite(
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
        let local_tag = message::token(self.rng, 10);
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
        // §21.4.24: the phone cannot take another call; it is busy, not broken.
        if self.calls.len() >= self.limits.max_calls {
            self.diagnostic(format!(
                "INVITE from {src} refused: {} calls",
                self.calls.len()
            ));
            return self.reply(now, key, &req, dest, 486);
        }
        let call = self.new_handle();
        let mut server = Server::new(&req, dest);
        // §17.2.1: answer 100 Trying at once so the caller stops retransmitting.
        server.respond(
            now,
            &message::response(&req, 100, "", &self.config.user_agent),
            self.transmits,
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
    pub(crate) fn refuse_unsupported(
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
    pub(crate) fn reply_422(&mut self, now: Instant, key: TxKey, req: &Request, dest: SocketAddr) {
        let mut resp = self.make_response(req, 422, None);
        resp.headers.push(extensions::min_se_header(MIN_SE));
        self.send_reply(now, key, req, dest, &resp);
    }

    /// §14.2 / RFC 3311 §5.2: 500 with a Retry-After of 0-10 s, for a request that overlaps
    /// one we are still processing.
    pub(crate) fn reply_500_retry(
        &mut self,
        now: Instant,
        key: TxKey,
        req: &Request,
        dest: SocketAddr,
    ) {
        let mut resp = self.make_response(req, 500, None);
        resp.headers
            .push(headers::RetryAfter::new(self.rng.u32(0..11).to_string()).into());
        self.send_reply(now, key, req, dest, &resp);
    }

    /// Send 180 Ringing for an incoming call; reliably (RFC 3262 §3) when the INVITE
    /// requires 100rel.
    pub(crate) fn ring(&mut self, now: Instant, call: CallHandle) -> Result<(), Error> {
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
    pub(crate) fn answer(
        &mut self,
        now: Instant,
        call: CallHandle,
        sdp: Vec<u8>,
    ) -> Result<(), Error> {
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
    pub(crate) fn reject(
        &mut self,
        now: Instant,
        call: CallHandle,
        code: u16,
    ) -> Result<(), Error> {
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
    pub(crate) fn redirect(
        &mut self,
        now: Instant,
        call: CallHandle,
        target: &str,
    ) -> Result<(), Error> {
        self.expect_ringing(call)?;
        if target.contains(['<', '>', '\r', '\n']) {
            return Err(Error::InvalidState("a redirect target must be a plain URI"));
        }
        let contact = headers::Contact::new(format!("<{target}>")).into();
        self.respond_call_with(now, call, 302, Vec::new(), vec![contact])?;
        self.end(call, EndReason::Rejected(302));
        Ok(())
    }

    pub(crate) fn expect_ringing(&self, call: CallHandle) -> Result<(), Error> {
        match self.calls.get(&call).map(|c| c.state) {
            None => Err(Error::UnknownCall),
            Some(CallState::Ringing) => Ok(()),
            Some(_) => Err(Error::InvalidState("not an unanswered incoming call")),
        }
    }

    /// Send a response to an incoming call's INVITE through its server transaction. Responses
    /// that establish a dialog carry our tag, Contact and the Record-Route (§12.1.1).
    pub(crate) fn respond_call(
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
        if !server.respond(now, &resp, self.transmits) {
            return Err(Error::InvalidState("the INVITE was already answered"));
        }
        Ok(Transmit {
            dest: server.dest(),
            payload: message::encode_response(&resp),
            transport: Transport::Udp,
        })
    }

    pub(crate) fn on_response(&mut self, now: Instant, resp: Response, meta: Meta) {
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
        let up = client.on_response(now, &resp, self.transmits);
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
}
