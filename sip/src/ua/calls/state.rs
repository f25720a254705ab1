//! The state of a call: its dialog, the INVITE transaction it was made by, and the
//! extensions it uses. Data only; the `calls` modules act on it.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rsip::headers::{self, UntypedHeader};
use rsip::{Header, Headers, Method, Request, Scheme};

use crate::dialog::Dialog;
use crate::extensions::{self, Refresher, TAG_TIMER};
use crate::message;
use crate::transaction::{Transaction, TxKey};
use crate::ua::api::{CallHandle, Error, Transmit};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cancel {
    No,
    /// The user hung up before any provisional response: §9.1 forbids CANCEL until one comes.
    Pending,
    Sent,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CallState {
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
pub(crate) struct OkRetransmit {
    pub(crate) transmit: Transmit,
    pub(crate) next: Instant,
    pub(crate) interval: Duration,
    pub(crate) give_up: Instant,
    /// CSeq number of the INVITE (or re-INVITE) answered: its ACK carries the same.
    pub(crate) cseq: u32,
}

/// RFC 3262 §3: a reliable provisional response, retransmitted until its PRACK.
#[derive(Debug)]
pub(crate) struct ReliableProvisional {
    pub(crate) transmit: Transmit,
    pub(crate) rseq: u32,
    pub(crate) next: Instant,
    pub(crate) interval: Duration,
    pub(crate) give_up: Instant,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// The runtime asked (hold, resume, ...): the outcome is reported to it.
    User,
    /// RFC 4028 §10: a session refresh; silent unless it ends the call.
    Refresh,
}

/// A re-INVITE or UPDATE we send (RFC 3261 §14.1, RFC 3311 §5.1).
#[derive(Clone, Debug)]
pub(crate) struct Modify {
    pub(crate) method: Method,
    /// The offer (empty for an UPDATE refresh, which carries none).
    pub(crate) sdp: Vec<u8>,
    pub(crate) purpose: Purpose,
    /// 422 retries so far (RFC 4028 §7.4); bounded so two peers cannot loop forever.
    pub(crate) retries: u8,
}

/// A re-INVITE or UPDATE from the peer that the runtime has not answered yet.
#[derive(Debug)]
pub(crate) struct IncomingModify {
    pub(crate) request: Request,
    pub(crate) tx: TxKey,
    pub(crate) dest: SocketAddr,
}

/// RFC 4028 §10: a running session timer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SessionTimer {
    pub(crate) interval: u32,
    /// We send the refreshes; otherwise we wait for them.
    pub(crate) refresher: bool,
    /// When to refresh (half the interval) or, when waiting, when to give up (the interval
    /// less a third of it, at most 32 s).
    pub(crate) due: Instant,
}

impl SessionTimer {
    pub(crate) fn start(now: Instant, interval: u32, refresher: bool) -> Self {
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
pub(crate) struct CallExt {
    /// The last session description we sent; a re-INVITE refresh repeats it (RFC 4028 §7.4).
    pub(crate) local_sdp: Vec<u8>,
    /// UAC: the early dialog's remote tag and the RSeq of the last reliable provisional we
    /// PRACKed (RFC 3262 §4).
    pub(crate) prack: Option<(String, u32)>,
    /// UAC: a reliable provisional carried the answer to our INVITE's offer (RFC 3262 §5).
    pub(crate) early_answer: bool,
    /// UAS: the INVITE requires 100rel, so our provisionals are sent reliably (RFC 3262 §3).
    pub(crate) reliable_wanted: bool,
    /// UAS: RSeq of our next reliable provisional.
    pub(crate) next_rseq: u32,
    /// UAS: the reliable provisional waiting for its PRACK.
    pub(crate) reliable: Option<ReliableProvisional>,
    /// Our re-INVITE or UPDATE in flight, with its transaction.
    pub(crate) modify: Option<(TxKey, Modify)>,
    /// A re-INVITE to send again after a 491 (§14.1), and when.
    pub(crate) glare: Option<(Instant, Modify)>,
    /// ACK of the 2xx to our last re-INVITE with its CSeq, resent for retransmissions of
    /// that 2xx (§13.2.2.4).
    pub(crate) reack: Option<(u32, Transmit)>,
    pub(crate) incoming: Option<IncomingModify>,
    pub(crate) timer: Option<SessionTimer>,
    /// The largest Min-SE a 422 named (RFC 4028 §7.4: later requests carry it).
    pub(crate) min_se: u32,
    /// The peer's Allow lists UPDATE, so refreshes use it (RFC 4028 §10 prefers it).
    pub(crate) peer_update: bool,
    /// UAS: interval and refresher our 2xx to the INVITE sets up (RFC 4028 §9).
    pub(crate) invite_timer: Option<(u32, Refresher)>,
    /// We placed the call (and own its Call-ID, §14.1).
    pub(crate) outgoing: bool,
    /// UAC: how often the INVITE was sent again after a 422 (RFC 4028 §7.4).
    pub(crate) invite_retries: u8,
    /// REFER sent or received on this call (RFC 3515).
    pub(crate) transfer: CallTransfer,
}

#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) state: CallState,
    pub(crate) dialog: Dialog,
    /// The INVITE we sent or received.
    pub(crate) invite: Request,
    pub(crate) invite_tx: TxKey,
    /// UAC: branch of our INVITE, shared by its CANCEL (§9.1).
    pub(crate) branch: String,
    /// UAC: ACK of the 2xx, resent for each retransmitted 2xx (§13.2.2.4).
    pub(crate) ack: Option<Transmit>,
    /// UAS: 2xx retransmission until ACK.
    pub(crate) ok: Option<OkRetransmit>,
    /// UAC: §9.1 gives the INVITE 64*T1 after CANCEL to end.
    pub(crate) cancel_deadline: Option<Instant>,
    /// CSeq number of the initial INVITE: its ACK and CANCEL reuse it (§9.1, §13.2.2.4),
    /// whatever PRACKs and UPDATEs the dialog sent since.
    pub(crate) invite_seq: u32,
    /// Our Contact, repeated in target refresh requests and their 2xx (§12.2).
    pub(crate) contact: String,
    pub(crate) ext: CallExt,
}

impl Call {
    pub(crate) fn next_timeout(&self) -> Option<Instant> {
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
    pub(crate) fn offer_sent(&self) -> bool {
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
    pub(crate) fn offer_received(&self) -> bool {
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
pub(crate) enum Role {
    Invite,
    Bye,
    /// Our re-INVITE or UPDATE (session modification or refresh).
    Modify,
    Prack,
    /// Our REFER (RFC 3515).
    Refer,
}

/// RFC 4028 §4: the session interval we ask for (the RFC recommends 1800 s).
pub(crate) const SESSION_EXPIRES: u32 = 1800;

/// RFC 4028 §5: the smallest session interval we accept, the RFC's default.
pub(crate) const MIN_SE: u32 = 90;

/// A 422 is retried at most this often for one request (RFC 4028 §7.4).
pub(crate) const MAX_422_RETRIES: u8 = 2;

/// Allow (RFC 3261 §20.5): the base methods plus PRACK (RFC 3262), UPDATE (RFC 3311) and,
/// in calls, REFER with its NOTIFYs (RFC 3515) and INFO (DTMF, RFC 6086 legacy usage).
pub(crate) fn allow_header() -> Header {
    headers::Allow::new(format!(
        "{}, PRACK, UPDATE, REFER, NOTIFY, INFO",
        message::ALLOW
    ))
    .into()
}

pub(crate) fn supported_header() -> Header {
    headers::Supported::new(extensions::SUPPORTED).into()
}

#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) tx: Transaction,
    /// The call this transaction reports to, if any.
    pub(crate) owner: Option<(CallHandle, Role)>,
}

pub(crate) fn is_success(code: u16) -> bool {
    (200..300).contains(&code)
}

/// RFC 4028 §9: what a UAS answers to a request's Session-Expires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Negotiated {
    /// No Session-Expires: no session timer.
    None,
    /// Below our Min-SE from a caller that knows the extension: 422.
    TooSmall,
    Timer(u32, Refresher),
}

pub(crate) fn negotiate_timer(headers: &Headers) -> Negotiated {
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

pub(crate) fn body(bytes: &[u8]) -> Option<Vec<u8>> {
    (!bytes.is_empty()).then(|| bytes.to_vec())
}

/// A SIP URI from the API, refusing what could break a header line.
pub(crate) fn parse_uri(s: &str) -> Result<rsip::Uri, Error> {
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

/// Transfer state of one call.
#[derive(Debug, Default)]
pub(crate) struct CallTransfer {
    /// Transferor: our REFER on this call is pending or its subscription runs.
    pub(crate) referring: bool,
    /// Transferee: the subscription the peer's REFER created, which we notify.
    pub(crate) notifier: Option<ReferNotifier>,
}

#[derive(Debug)]
pub(crate) struct ReferNotifier {
    /// CSeq of the REFER: the `id` of the `Event: refer` (RFC 3515 §2.4.6).
    pub(crate) id: u32,
    /// The call placed for the REFER, once the runtime placed it.
    pub(crate) new_call: Option<CallHandle>,
    /// The last status reported.
    pub(crate) last: u16,
    /// A final status was reported: the subscription is terminated.
    pub(crate) done: bool,
}
