//! Call transfer and DTMF over SIP INFO, as part of the calls (it works on the calls and
//! their transactions directly).
//!
//! Transfer follows RFC 5589's call flows: the transferor sends REFER (RFC 3515) in the
//! call's dialog with Referred-By (RFC 3892); for an attended transfer the Refer-To carries
//! a `Replaces` header of the consultation dialog (RFC 3891 §6.1). The REFER creates an
//! implicit subscription whose NOTIFYs carry `message/sipfrag` (RFC 3420) progress; a 2xx
//! there ends the transferred call. The transferee answers the REFER 202, reports the new
//! call's progress in NOTIFYs and leaves placing the call (media, routing) to the runtime.
//! An INVITE with Replaces takes over one of our dialogs or is refused (RFC 3891 §3).
//!
//! DTMF over INFO uses the de-facto `application/dtmf-relay` body (`Signal=`,
//! `Duration=`), as phones and PBXs do; `application/dtmf` (a bare digit) is read too.

use std::net::SocketAddr;
use std::time::Instant;

use rsip::headers::{self, UntypedHeader};
use rsip::{Header, Method, Request};

use super::CallCore;
use super::state::{CallState, Entry, ReferNotifier, Role, parse_uri};
use crate::message;
use crate::transaction::{Client, Transaction, TxKey};
use crate::ua::api::{CallHandle, EndReason, Error, Event, Referral};

/// `Content-Type` of a NOTIFY body for REFER progress (RFC 3515 §2.4.5, RFC 3420).
const SIPFRAG_TYPE: &str = "message/sipfrag;version=2.0";
/// `Content-Type` of DTMF in INFO as most phones and PBXs send it.
pub(crate) const DTMF_RELAY_TYPE: &str = "application/dtmf-relay";
/// A bare digit in the body (an older form some gateways send).
const DTMF_TYPE: &str = "application/dtmf";
/// How long the REFER subscription lives if nothing ends it (RFC 3515 §2.4.4 leaves it to
/// the notifier; the call outcome normally ends it well before).
const REFER_SUBSCRIPTION_SECS: u32 = 60;

/// The dialog a `Replaces` header names (RFC 3891 §6.1), seen from the recipient: `to_tag`
/// is its local tag, `from_tag` the remote one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ReplacesId {
    pub call_id: String,
    pub to_tag: String,
    pub from_tag: String,
    pub early_only: bool,
}

/// RFC 3891 §6.1: `callid *(SEMI (to-tag / from-tag / early-flag / generic-param))`.
pub(crate) fn parse_replaces(value: &str) -> Option<ReplacesId> {
    let mut parts = value.split(';').map(str::trim);
    let call_id = parts.next().filter(|c| !c.is_empty())?.to_owned();
    let (mut to_tag, mut from_tag, mut early_only) = (None, None, false);
    for p in parts {
        let (name, value) = p.split_once('=').unwrap_or((p, ""));
        match name.trim().to_ascii_lowercase().as_str() {
            "to-tag" => to_tag = Some(value.trim().to_owned()),
            "from-tag" => from_tag = Some(value.trim().to_owned()),
            "early-only" => early_only = true,
            _ => {}
        }
    }
    Some(ReplacesId {
        call_id,
        to_tag: to_tag?,
        from_tag: from_tag?,
        early_only,
    })
}

/// RFC 3261 §19.1.1: characters of a header value embedded in a URI are escaped unless
/// unreserved.
fn escape_header_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn unescape(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The Refer-To value (RFC 3515 §2.1): the target, with `Replaces` embedded for an attended
/// transfer (RFC 3891 §6.1; `?` starts the URI's headers, RFC 3261 §19.1.1).
pub(crate) fn refer_to_value(target: &str, replaces: Option<&str>) -> String {
    match replaces {
        Some(r) => format!("<{target}?Replaces={}>", escape_header_value(r)),
        None => format!("<{target}>"),
    }
}

/// A Refer-To value split into the target URI and the embedded Replaces, if any. `None`
/// when it is not a SIP URI we could call.
pub(crate) fn parse_refer_to(value: &str) -> Option<(String, Option<String>)> {
    let value = value.trim();
    let inner = match value.split_once('<') {
        Some((_, rest)) => rest.split_once('>')?.0,
        // addr-spec form: no headers, and parameters belong to the header (RFC 3515 §2.1).
        None => value.split(';').next()?,
    };
    let (uri, embedded) = inner.split_once('?').unwrap_or((inner, ""));
    let uri = uri.trim();
    parse_uri(uri).ok()?;
    let replaces = embedded
        .split('&')
        .filter_map(|h| h.split_once('='))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("Replaces"))
        .and_then(|(_, v)| unescape(v));
    Some((uri.to_owned(), replaces))
}

/// The status code of a `message/sipfrag` body's status line (RFC 3420), e.g. `SIP/2.0 180
/// Ringing`.
pub(crate) fn sipfrag_status(body: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(body).ok()?;
    let mut words = text.lines().next()?.split_whitespace();
    if !words.next()?.eq_ignore_ascii_case("SIP/2.0") {
        return None;
    }
    words
        .next()?
        .parse()
        .ok()
        .filter(|c| (100..700).contains(c))
}

/// A DTMF digit and its duration from an INFO body: `application/dtmf-relay`
/// (`Signal=5\r\nDuration=160`) or `application/dtmf` (the digit alone).
pub(crate) fn parse_dtmf(content_type: &str, body: &[u8]) -> Option<(char, u32)> {
    let text = std::str::from_utf8(body).ok()?;
    let digit = |s: &str| {
        let s = s.trim();
        let mut chars = s.chars();
        let c = chars.next()?.to_ascii_uppercase();
        // RFC 4733 §3.2 events 0-15 (`16` is flash, which the relay body spells as is).
        (chars.next().is_none() && is_dtmf_digit(c)).then_some(c)
    };
    if content_type.eq_ignore_ascii_case(DTMF_TYPE) {
        return Some((digit(text)?, 0));
    }
    let mut signal = None;
    let mut duration = 0;
    for line in text.lines() {
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        match name.trim().to_ascii_lowercase().as_str() {
            "signal" => signal = digit(value),
            "duration" => duration = value.trim().parse().unwrap_or(0),
            _ => {}
        }
    }
    Some((signal?, duration))
}

pub(crate) fn is_dtmf_digit(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '*' | '#' | 'A'..='D')
}

/// Whether a NOTIFY is for a REFER's implicit subscription (`Event: refer`, RFC 3515
/// §2.4.4), which lives in the call's dialog rather than in a SUBSCRIBE's.
pub(crate) fn is_refer_notify(req: &Request) -> bool {
    req.headers.iter().any(|h| match h {
        Header::Event(e) => e
            .value()
            .split(';')
            .next()
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("refer")),
        _ => false,
    })
}

fn other_values<'a>(req: &'a Request, name: &str) -> Vec<&'a str> {
    req.headers
        .iter()
        .filter_map(|h| match h {
            Header::Other(n, v) if n.trim().eq_ignore_ascii_case(name) => Some(v.as_str()),
            _ => None,
        })
        .collect()
}

fn from_value(h: &Header) -> Option<&str> {
    match h {
        Header::From(f) => Some(f.value()),
        _ => None,
    }
}

fn to_value(h: &Header) -> Option<&str> {
    match h {
        Header::To(t) => Some(t.value()),
        _ => None,
    }
}

/// The request headers that make a call a transfer (RFC 3892 §3 Referred-By, RFC 3891 §3
/// Replaces), for [`UserAgent::invite_with`].
pub(crate) fn referral_headers(headers: &mut rsip::Headers, referral: Option<&Referral>) {
    let Some(r) = referral else {
        return;
    };
    if let Some(by) = &r.referred_by {
        headers.push(Header::Other("Referred-By".into(), by.clone()));
    }
    if let Some(replaces) = &r.replaces {
        headers.push(Header::Other("Replaces".into(), replaces.clone()));
        // RFC 3891 §6.1: the INVITE requires the extension so a recipient without it does
        // not take it for a new call.
        headers.push(headers::Require::new(crate::extensions::TAG_REPLACES).into());
    }
}

/// The event for a new INVITE: [`Event::Replacing`] when it replaces `replaced`.
pub(crate) fn incoming_event(incoming: Event, replaced: Option<CallHandle>) -> Event {
    match (incoming, replaced) {
        (
            Event::IncomingCall {
                call,
                from_uri,
                from_display,
                sdp,
                ..
            },
            Some(replaced),
        ) => Event::Replacing {
            call,
            replaced,
            from_uri,
            from_display,
            sdp,
        },
        (incoming, _) => incoming,
    }
}

impl CallCore<'_> {
    /// Blind transfer (RFC 5589 §6): ask the peer of `call` to call `target`. The outcome
    /// comes as [`Event::TransferProgress`]; on success the call ends with our BYE.
    pub fn refer(&mut self, now: Instant, call: CallHandle, target: &str) -> Result<(), Error> {
        parse_uri(target)?;
        self.send_refer(now, call, refer_to_value(target, None))
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
        let c = self.calls.get(&consultation).ok_or(Error::UnknownCall)?;
        let usable = match c.state {
            CallState::Confirmed => true,
            // RFC 5589 §7.2: an early dialog we placed may be replaced too.
            CallState::Inviting { .. } => !c.dialog.remote_tag.is_empty(),
            _ => false,
        };
        if !usable {
            return Err(Error::InvalidState("the consultation call has no dialog"));
        }
        // RFC 3891 §6.1: the tags as the recipient sees them: its tag is to-tag.
        let d = &c.dialog;
        let replaces = format!(
            "{};to-tag={};from-tag={}",
            d.call_id, d.remote_tag, d.local_tag
        );
        let target = self.peer_uri(consultation)?;
        self.send_refer(now, call, refer_to_value(&target, Some(&replaces)))
    }

    /// Send DTMF `digit` (0-9, *, #, A-D) in an INFO with `application/dtmf-relay`.
    pub fn send_dtmf(
        &mut self,
        now: Instant,
        call: CallHandle,
        digit: char,
        duration_ms: u32,
    ) -> Result<(), Error> {
        let digit = digit.to_ascii_uppercase();
        if !is_dtmf_digit(digit) {
            return Err(Error::InvalidState("not a DTMF digit"));
        }
        self.expect_confirmed_call(call)?;
        let body = format!("Signal={digit}\r\nDuration={duration_ms}\r\n");
        self.send_in_call(
            now,
            call,
            Method::Info,
            Vec::new(),
            Some((DTMF_RELAY_TYPE, body.into_bytes())),
            None,
        );
        Ok(())
    }

    /// The runtime could not place the call a [`Referral`] asked for: tell the transferor
    /// with this final status (RFC 3515 §2.4.5), e.g. 503, which ends the subscription.
    pub fn referral_failed(&mut self, now: Instant, call: CallHandle, code: u16) {
        self.notify_refer(now, call, code.clamp(300, 699));
    }

    fn expect_confirmed_call(&self, call: CallHandle) -> Result<(), Error> {
        match self.calls.get(&call).map(|c| c.state) {
            None => Err(Error::UnknownCall),
            Some(CallState::Confirmed) => Ok(()),
            Some(_) => Err(Error::InvalidState("the call is not established")),
        }
    }

    /// Our URI and the peer's in the call (From and To of the INVITE, by direction).
    fn call_uris(&self, call: CallHandle) -> Result<(String, String), Error> {
        let c = self.calls.get(&call).ok_or(Error::UnknownCall)?;
        let uri = |pick| {
            message::identity(&c.invite.headers, pick)
                .map(|(u, _)| u)
                .ok_or(Error::InvalidState("the call has no usable From/To"))
        };
        let (from, to) = (uri(from_value)?, uri(to_value)?);
        Ok(if c.ext.outgoing {
            (from, to)
        } else {
            (to, from)
        })
    }

    /// The peer's address-of-record: RFC 5589 §7.1 names it the transfer target (it routes
    /// through a proxy as well as directly).
    fn peer_uri(&self, call: CallHandle) -> Result<String, Error> {
        Ok(self.call_uris(call)?.1)
    }

    fn send_refer(
        &mut self,
        now: Instant,
        call: CallHandle,
        refer_to: String,
    ) -> Result<(), Error> {
        self.expect_confirmed_call(call)?;
        if self.calls[&call].ext.transfer.referring {
            return Err(Error::InvalidState(
                "a transfer of this call is in progress",
            ));
        }
        let (ours, _) = self.call_uris(call)?;
        let extra = vec![
            Header::Other("Refer-To".into(), refer_to),
            // RFC 3892 §3: who asks, so the target can tell a transfer from a call.
            Header::Other("Referred-By".into(), format!("<{ours}>")),
        ];
        self.send_in_call(now, call, Method::Refer, extra, None, Some(Role::Refer));
        if let Some(c) = self.calls.get_mut(&call) {
            c.ext.transfer.referring = true;
        }
        Ok(())
    }

    /// A request in the call's dialog (§12.2.1.1) with our Contact (which REFER and NOTIFY
    /// must carry, RFC 3515 §2.4.1, RFC 6665 §8.2.1), extra headers and an optional body.
    fn send_in_call(
        &mut self,
        now: Instant,
        call: CallHandle,
        method: Method,
        extra: Vec<Header>,
        body: Option<(&str, Vec<u8>)>,
        role: Option<Role>,
    ) {
        let branch = message::new_branch(self.rng);
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let (mut req, dest) = c.dialog.request(
            method,
            self.config.local_addr,
            &branch,
            &self.config.user_agent,
        );
        req.headers
            .push(headers::Contact::new(c.contact.clone()).into());
        for h in extra {
            req.headers.push(h);
        }
        if let Some((content_type, bytes)) = body {
            req.headers
                .push(headers::ContentType::new(content_type).into());
            req.body = bytes;
        }
        let key = TxKey::client(&branch, &method);
        let client = Client::start(now, req, dest, self.transmits);
        self.transactions.insert(
            key,
            Entry {
                tx: Transaction::Client(Box::new(client)),
                owner: role.map(|r| (call, r)),
            },
        );
    }

    /// NOTIFY the REFER subscription of `call` with the status of the referred call
    /// (RFC 3515 §2.4.5); a final status terminates the subscription.
    fn notify_refer(&mut self, now: Instant, call: CallHandle, code: u16) {
        let Some(n) = self
            .calls
            .get_mut(&call)
            .and_then(|c| c.ext.transfer.notifier.as_mut())
        else {
            return;
        };
        if n.done || (code < 200 && code <= n.last) {
            return;
        }
        n.last = code;
        n.done = code >= 200;
        let state = if n.done {
            "terminated;reason=noresource".to_owned()
        } else {
            format!("active;expires={REFER_SUBSCRIPTION_SECS}")
        };
        let extra = vec![
            headers::Event::new(format!("refer;id={}", n.id)).into(),
            headers::SubscriptionState::new(state).into(),
        ];
        let frag = format!("SIP/2.0 {code} {}\r\n", message::reason_phrase(code));
        self.send_in_call(
            now,
            call,
            Method::Notify,
            extra,
            Some((SIPFRAG_TYPE, frag.into_bytes())),
            None,
        );
    }

    /// `new_call` carries out the REFER received on `call`: its progress goes there.
    pub(crate) fn link_referral(&mut self, call: CallHandle, new_call: CallHandle) {
        if let Some(n) = self
            .calls
            .get_mut(&call)
            .and_then(|c| c.ext.transfer.notifier.as_mut())
        {
            n.new_call = Some(new_call);
        }
    }

    /// After each input: report the progress of calls placed for a REFER to their
    /// transferor, from the events this input produced (RFC 3515 §2.4.5).
    pub(crate) fn follow_referrals(&mut self, now: Instant) {
        let linked: Vec<(CallHandle, CallHandle)> = self
            .calls
            .iter()
            .filter_map(|(h, c)| {
                let n = c.ext.transfer.notifier.as_ref().filter(|n| !n.done)?;
                Some((*h, n.new_call?))
            })
            .collect();
        for (call, new_call) in linked {
            let mut provisional = None;
            let mut last = None;
            for e in self.events.iter() {
                let code = match e {
                    Event::Progress { call, code, .. } if *call == new_call => *code,
                    Event::Established { call, .. } if *call == new_call => 200,
                    Event::Ended { call, reason } if *call == new_call => match reason {
                        EndReason::Rejected(code) => *code,
                        EndReason::Timeout => 408,
                        EndReason::TransportError => 503,
                        _ => 487,
                    },
                    _ => continue,
                };
                if code < 200 {
                    provisional = provisional.max(Some(code));
                } else if last.is_none() {
                    // The first final outcome counts: a BYE after the 200 is no failure.
                    last = Some(code);
                }
            }
            if let Some(code) = last.or(provisional) {
                self.notify_refer(now, call, code);
            }
        }
    }

    /// REFER, NOTIFY and INFO inside the dialog of `call`.
    pub(crate) fn on_transfer_request(
        &mut self,
        now: Instant,
        call: CallHandle,
        req: Request,
        cseq: u32,
        key: TxKey,
        dest: SocketAddr,
    ) {
        match req.method {
            Method::Refer => self.on_refer(now, call, req, cseq, key, dest),
            Method::Notify => self.on_refer_notify(now, call, req, key, dest),
            _ => self.on_dtmf_info(now, call, req, key, dest),
        }
    }

    /// RFC 3515 §2.4.2: accept a REFER with 202, notify 100 at once (§2.4.4) and let the
    /// runtime place the call.
    fn on_refer(
        &mut self,
        now: Instant,
        call: CallHandle,
        req: Request,
        cseq: u32,
        key: TxKey,
        dest: SocketAddr,
    ) {
        if self.expect_confirmed_call(call).is_err() {
            return self.reply(now, key, &req, dest, 403);
        }
        let busy = self.calls[&call]
            .ext
            .transfer
            .notifier
            .as_ref()
            .is_some_and(|n| !n.done);
        if busy {
            // One transfer at a time; RFC 3261 §21.4.27 for a request that must wait.
            return self.reply(now, key, &req, dest, 491);
        }
        // RFC 3515 §2.4.1: exactly one Refer-To, else 400.
        let refer_to = other_values(&req, "Refer-To");
        let parsed = match refer_to.as_slice() {
            [one] => parse_refer_to(one),
            _ => None,
        };
        let Some((target, replaces)) = parsed else {
            return self.reply(now, key, &req, dest, 400);
        };
        let referred_by = other_values(&req, "Referred-By")
            .first()
            .map(|s| (*s).to_owned());
        self.reply(now, key, &req, dest, 202);
        if let Some(c) = self.calls.get_mut(&call) {
            c.ext.transfer.notifier = Some(ReferNotifier {
                id: cseq,
                new_call: None,
                last: 0,
                done: false,
            });
        }
        self.notify_refer(now, call, 100);
        self.events.push_back(Event::TransferRequested(Referral {
            call,
            target,
            referred_by,
            replaces,
        }));
    }

    /// RFC 3515 §2.4.5: progress of our REFER. A 2xx status means the transferee reached
    /// the target: our call to it ends (RFC 5589 §6).
    fn on_refer_notify(
        &mut self,
        now: Instant,
        call: CallHandle,
        req: Request,
        key: TxKey,
        dest: SocketAddr,
    ) {
        if !is_refer_notify(&req) {
            // RFC 6665 §8.2.1: an event package we do not know.
            return self.reply(now, key, &req, dest, 489);
        }
        if !self.calls[&call].ext.transfer.referring {
            // RFC 6665 §4.1.3: a NOTIFY for no subscription of ours.
            return self.reply(now, key, &req, dest, 481);
        }
        let Some(code) = sipfrag_status(&req.body) else {
            return self.reply(now, key, &req, dest, 400);
        };
        self.reply(now, key, &req, dest, 200);
        let terminated = req.headers.iter().any(|h| match h {
            Header::SubscriptionState(s) => s
                .value()
                .trim()
                .to_ascii_lowercase()
                .starts_with("terminated"),
            _ => false,
        });
        let done = code >= 200 || terminated;
        if done && let Some(c) = self.calls.get_mut(&call) {
            c.ext.transfer.referring = false;
        }
        self.events
            .push_back(Event::TransferProgress { call, code, done });
        if (200..300).contains(&code) {
            let _ = self.hangup(now, call);
        }
    }

    /// The response to our REFER: 202 starts the subscription; a failure ends the transfer.
    pub(crate) fn on_refer_response(&mut self, call: CallHandle, code: u16) {
        if code < 200 {
            return;
        }
        let done = code >= 300;
        if done && let Some(c) = self.calls.get_mut(&call) {
            c.ext.transfer.referring = false;
        }
        self.events
            .push_back(Event::TransferProgress { call, code, done });
    }

    /// DTMF in INFO (no Info-Package, the legacy usage RFC 6086 §2 keeps working): 200 and
    /// an [`Event::Dtmf`]; an empty INFO is a keep-alive; other bodies get 415.
    fn on_dtmf_info(
        &mut self,
        now: Instant,
        call: CallHandle,
        req: Request,
        key: TxKey,
        dest: SocketAddr,
    ) {
        if req.body.is_empty() {
            return self.reply(now, key, &req, dest, 200);
        }
        let content_type = message::content_type(&req.headers)
            .and_then(|t| t.split(';').next())
            .unwrap_or("")
            .trim()
            .to_owned();
        let known = content_type.eq_ignore_ascii_case(DTMF_RELAY_TYPE)
            || content_type.eq_ignore_ascii_case(DTMF_TYPE);
        if !known {
            let mut resp = self.make_response(&req, 415, None);
            resp.headers
                .push(headers::Accept::new(format!("{DTMF_RELAY_TYPE}, {DTMF_TYPE}")).into());
            return self.send_reply(now, key, &req, dest, &resp);
        }
        let Some((digit, duration_ms)) = parse_dtmf(&content_type, &req.body) else {
            return self.reply(now, key, &req, dest, 400);
        };
        self.reply(now, key, &req, dest, 200);
        self.events.push_back(Event::Dtmf {
            call,
            digit,
            duration_ms,
        });
    }

    /// RFC 3891 §3: which call an INVITE's Replaces takes over: `Ok(None)` without one, an
    /// error status when it names no dialog we may replace.
    pub(crate) fn match_replaces(&self, req: &Request) -> Result<Option<CallHandle>, u16> {
        let values = other_values(req, "Replaces");
        let value = match values.as_slice() {
            [] => return Ok(None),
            [one] => *one,
            // §3: more than one Replaces header field: 400.
            _ => return Err(400),
        };
        let id = parse_replaces(value).ok_or(400u16)?;
        let found = self.calls.iter().find(|(_, c)| {
            c.dialog.call_id == id.call_id
                && c.dialog.local_tag == id.to_tag
                && c.dialog.remote_tag == id.from_tag
        });
        let Some((handle, c)) = found else {
            return Err(481);
        };
        match c.state {
            CallState::Confirmed | CallState::Answered { hangup: false } if id.early_only => {
                Err(486)
            }
            CallState::Confirmed | CallState::Answered { hangup: false } => Ok(Some(*handle)),
            // An early dialog we placed may be replaced; one we did not is 481 (§3).
            CallState::Inviting { .. } => Ok(Some(*handle)),
            CallState::Ringing => Err(481),
            // §3: the dialog is already ending.
            CallState::Answered { hangup: true } | CallState::Terminating => Err(603),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refer_to_round_trips_an_embedded_replaces() {
        let value = refer_to_value("sip:carol@192.0.2.3", Some("a@b;to-tag=1;from-tag=2"));
        assert_eq!(
            value,
            "<sip:carol@192.0.2.3?Replaces=a%40b%3Bto-tag%3D1%3Bfrom-tag%3D2>"
        );
        assert_eq!(
            parse_refer_to(&value),
            Some((
                "sip:carol@192.0.2.3".into(),
                Some("a@b;to-tag=1;from-tag=2".into())
            ))
        );
        assert_eq!(
            parse_refer_to("sip:carol@192.0.2.3;x=y"),
            Some(("sip:carol@192.0.2.3".into(), None))
        );
        assert_eq!(parse_refer_to("<tel:+123>"), None);
    }

    #[test]
    fn replaces_needs_both_tags() {
        assert_eq!(
            parse_replaces("abc@h; to-tag=7743 ;from-tag=6472;early-only"),
            Some(ReplacesId {
                call_id: "abc@h".into(),
                to_tag: "7743".into(),
                from_tag: "6472".into(),
                early_only: true
            })
        );
        assert_eq!(parse_replaces("abc;to-tag=1"), None);
    }

    #[test]
    fn sipfrag_and_dtmf_bodies() {
        assert_eq!(sipfrag_status(b"SIP/2.0 180 Ringing\r\n"), Some(180));
        assert_eq!(sipfrag_status(b"HTTP/1.1 200 OK"), None);
        assert_eq!(
            parse_dtmf(DTMF_RELAY_TYPE, b"Signal=5\r\nDuration=160\r\n"),
            Some(('5', 160))
        );
        assert_eq!(
            parse_dtmf(DTMF_RELAY_TYPE, b"Signal=#\nDuration=250"),
            Some(('#', 250))
        );
        assert_eq!(parse_dtmf(DTMF_TYPE, b"*"), Some(('*', 0)));
        assert_eq!(parse_dtmf(DTMF_RELAY_TYPE, b"Signal=55\r\n"), None);
    }
}
