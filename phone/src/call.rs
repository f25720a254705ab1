//! One call as the phone keeps it, and the transfer the user started.

use deskphone_protocol::{CallDirection, CallPhase, CallQuality};

use crate::CallId;

/// Where a call is with this phone's hold: it changes only once the other side agreed
/// (2xx to the re-INVITE), so a refused hold never leaves the call half held.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Hold {
    #[default]
    Off,
    /// Asked for, not confirmed yet.
    Holding,
    On,
    /// Asked to resume, not confirmed yet.
    Resuming,
}

#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub id: CallId,
    pub identity: u16,
    pub direction: CallDirection,
    pub phase: CallPhase,
    pub remote_uri: String,
    pub remote_name: String,
    pub started_at_ms: u64,
    pub connected_at_ms: Option<u64>,
    pub codec: Option<String>,
    pub hold: Hold,
    pub muted: bool,
    /// The incoming INVITE's Alert-Info: this call's ringtone, and only this call's.
    pub alert_info: Option<String>,
    /// The last DTMF digit the peer sent (SIP INFO or RFC 4733).
    pub last_dtmf: Option<char>,
    /// RTCP's figures for the call's audio.
    pub quality: Option<CallQuality>,
    /// The media is SRTP both ways (the media engine says so, M3).
    pub encrypted: bool,
    /// C2: when a ringing call goes to `no_answer_target`.
    pub no_answer_at_ms: Option<u64>,
    pub no_answer_target: Option<String>,
    /// Where forwarding sent it.
    pub forwarded_to: Option<String>,
    /// Where a transfer of ours sent it (C1).
    pub transferred_to: Option<String>,
    /// It took over another call (RFC 3891): the history already has that one.
    pub replacing: bool,
    /// The peer asked us to call someone else instead (REFER, RFC 3515) and the phone
    /// does: the keys act on the new call, this one waits for its end.
    pub referred_away: bool,
    /// The phone answered it (an incoming call becomes connected only then).
    pub answering: bool,
    /// The user blocked the caller while it rang (C3): it leaves no history.
    pub blocked: bool,
}

impl Call {
    pub fn outgoing(id: CallId, identity: u16, target: String, now_ms: u64) -> Call {
        Call {
            id,
            identity,
            direction: CallDirection::Outgoing,
            phase: CallPhase::Calling,
            remote_uri: target,
            remote_name: String::new(),
            started_at_ms: now_ms,
            connected_at_ms: None,
            codec: None,
            hold: Hold::Off,
            muted: false,
            alert_info: None,
            last_dtmf: None,
            quality: None,
            encrypted: false,
            no_answer_at_ms: None,
            no_answer_target: None,
            forwarded_to: None,
            transferred_to: None,
            replacing: false,
            referred_away: false,
            blocked: false,
            answering: false,
        }
    }

    pub fn incoming(
        id: CallId,
        identity: u16,
        remote_uri: String,
        remote_name: String,
        alert_info: Option<String>,
        now_ms: u64,
    ) -> Call {
        Call {
            direction: CallDirection::Incoming,
            phase: CallPhase::Ringing,
            remote_name,
            alert_info,
            ..Call::outgoing(id, identity, remote_uri, now_ms)
        }
    }
}

impl Call {
    /// Whether the keys and the microphone act on this call: connected, being set up or
    /// being answered, not held (nor being held), not handed over to a transfer target.
    pub fn is_active(&self) -> bool {
        (self.phase != CallPhase::Ringing || self.answering)
            && self.phase != CallPhase::Ending
            && !self.referred_away
            && !matches!(self.hold, Hold::On | Hold::Holding)
    }
}

/// A transfer the user started (C1), in the phone's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Transfer {
    /// Blind: the target is being typed for `call`.
    Dialling {
        call: CallId,
    },
    /// Attended: transfer `held` to `active` on the next press.
    Confirming {
        held: CallId,
        active: CallId,
    },
    /// REFER sent on `call`; `target` is whom it goes to (for the history).
    Transferring {
        call: CallId,
        target: String,
    },
    Failed,
}
