//! The user agent's public vocabulary: what the runtime hands in (configuration, calls
//! to place) and what it gets back (handles, events, states, errors). A leaf: every other
//! part of `ua` depends on it and it depends on none of them.

use std::net::SocketAddr;
use std::time::Duration;

use crate::auth::Credentials;
use crate::locate::Transport;
use crate::notification::Notification;

/// Static configuration of a [`UserAgent`].
#[derive(Clone, Debug)]
pub struct UaConfig {
    /// Address of the UDP socket the runtime bound; used in Via and Contact.
    pub local_addr: SocketAddr,
    /// Value of the User-Agent / Server header.
    pub user_agent: String,
    /// Seed of the random source for tags, Call-IDs, branches and cnonces (ChaCha20).
    /// `None`, as a phone runs: seeded from the operating system. A fixed seed makes every
    /// run produce the same identifiers, for tests; never use one in the field.
    pub rng_seed: Option<u64>,
}

/// Identifies a call for the lifetime of a [`UserAgent`]; never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallHandle(pub u64);

/// A message the runtime must send: a datagram, or one message on the stream connection
/// to `dest` (opened if there is none, RFC 3261 §18.1.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmit {
    pub dest: SocketAddr,
    pub payload: Vec<u8>,
    /// Set by [`UserAgent::poll_transmit`] from what the core knows about `dest`
    /// ([`UserAgent::set_transport`], [`UserAgent::handle_stream_message`]).
    pub transport: Transport,
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

/// What [`UserAgent::invite_with`] adds to a call placed through a service provider.
#[derive(Clone, Debug, Default)]
pub struct CallOptions {
    /// Answer 401/407 challenges to the INVITE and the BYE with these (RFC 3261 §22).
    pub credentials: Option<Credentials>,
    /// RFC 3261 §8.1.2: the outbound proxy, preloaded as a loose Route (`dest` should be
    /// its address).
    pub outbound_proxy: Option<SocketAddr>,
    /// S2: further addresses of the server at `dest` (the outbound proxy's when set), best
    /// first; the INVITE goes on to them in turn when it fails at the one in use.
    pub alternates: Vec<SocketAddr>,
    /// The call carries out this transfer request ([`Event::TransferRequested`]): the
    /// INVITE gets its Referred-By and Replaces, and its progress is NOTIFYed to the
    /// transferor (RFC 3515 §2.4.5).
    pub referral: Option<Referral>,
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
        /// The INVITE's Alert-Info (RFC 3261 §20.4), which picks the ringtone for this call
        /// only.
        alert_info: Option<String>,
    },
    /// A provisional response (180/181/183, ...) to our INVITE; `sdp` is early media if
    /// present. A retransmitted reliable provisional (RFC 3262) is not reported again.
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
    /// The peer offers a new session description in a re-INVITE (RFC 3261 §14.2) or UPDATE
    /// (RFC 3311 §5.2), e.g. to put us on hold. The runtime answers it with
    /// [`UserAgent::answer_reoffer`] or refuses it with [`UserAgent::reject_reoffer`]
    /// (the session then stays as it was). `sdp` is `None` for a re-INVITE without an offer:
    /// the runtime's reply is then an offer, whose answer comes as [`Event::Modified`].
    Reoffer {
        call: CallHandle,
        sdp: Option<Vec<u8>>,
    },
    /// A session modification completed: our [`UserAgent::reinvite`] got a 2xx (`sdp` is
    /// the answer), or the ACK of an offer-less re-INVITE brought the answer.
    Modified {
        call: CallHandle,
        sdp: Option<Vec<u8>>,
    },
    /// Our [`UserAgent::reinvite`] failed with this final response (RFC 3261 §14.1: the
    /// session is unchanged). A 422 (RFC 4028) or 491 is retried first and only reported if
    /// the retry fails too.
    ModifyFailed { call: CallHandle, code: u16 },
    /// The call is over; the handle is dead. Exactly one per call.
    Ended { call: CallHandle, reason: EndReason },
    /// A registration ([`UserAgent::register`]) changed state; `Unregistered` is the last
    /// event of its handle.
    RegistrationChanged {
        registration: RegistrationHandle,
        state: RegistrationState,
    },
    /// A SIP MESSAGE (RFC 3428) with a `text/plain` body arrived and was answered 200;
    /// `call` is set when it came inside that call's dialog. Other types got 415.
    Message {
        from_uri: String,
        from_display: String,
        content_type: String,
        body: String,
        call: Option<CallHandle>,
    },
    /// The final answer to a message we sent ([`UserAgent::send_message`]): its code, or
    /// `None` when nobody answered.
    MessageSent {
        message: MessageHandle,
        code: Option<u16>,
    },
    /// A subscription ([`UserAgent::subscribe`]) changed state; `Terminated` is the last
    /// event of its handle.
    SubscriptionChanged {
        subscription: SubscriptionHandle,
        state: SubscriptionState,
    },
    /// A NOTIFY arrived and was answered 200: for one of our subscriptions, or unsolicited
    /// (`None`; message summaries and check-sync only). `to_uri` is whom it was for.
    Notify {
        subscription: Option<SubscriptionHandle>,
        to_uri: String,
        notification: Notification,
    },
    /// An INVITE with Replaces (RFC 3891 §3) matched `replaced`: the runtime answers `call`
    /// at once and ends `replaced` (the INVITE otherwise behaves like an incoming call).
    Replacing {
        call: CallHandle,
        replaced: CallHandle,
        from_uri: String,
        from_display: String,
        sdp: Option<Vec<u8>>,
    },
    /// The peer of a call asks us to call someone (REFER, RFC 3515), already answered 202:
    /// the runtime places the call with [`CallOptions::referral`] set, or reports
    /// [`UserAgent::referral_failed`].
    TransferRequested(Referral),
    /// Progress of our transfer ([`UserAgent::refer`]): the REFER's response or a NOTIFY's
    /// sipfrag status. `done` ends the transfer; with a 2xx the call is being ended.
    TransferProgress {
        call: CallHandle,
        code: u16,
        done: bool,
    },
    /// The peer sent a DTMF digit in an INFO (answered 200).
    Dtmf {
        call: CallHandle,
        digit: char,
        duration_ms: u32,
    },
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
    /// The caller cancelled because another phone took the call (RFC 3326 Reason
    /// `SIP;cause=200` on the CANCEL): not a missed call.
    AnsweredElsewhere,
    /// A 3xx-6xx final response to our INVITE, or the one we rejected with.
    Rejected(u16),
    /// Timer B (no answer to our INVITE), no ACK for our 2xx, no PRACK for our reliable
    /// provisional, or the session timer expired without a refresh (RFC 4028 §10).
    Timeout,
    /// The runtime reported the peer unreachable ([`UserAgent::handle_transport_error`]).
    TransportError,
}

/// How much a user agent takes on at once; beyond it, requests are refused rather than
/// kept (a flood must not grow memory or slow the calls that are running).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Calls at once, in any state. An INVITE beyond it is answered 486 Busy Here
    /// (RFC 3261 §21.4.24); [`UserAgent::invite`](crate::UserAgent::invite) fails with
    /// [`Error::TooManyCalls`].
    pub max_calls: usize,
    /// Transactions of calls and of answered requests at once (a finished server
    /// transaction lingers for retransmissions, up to 32 s over UDP, §17.2.2). A new request
    /// beyond it is answered 503 Service Unavailable with Retry-After (§21.5.4) without
    /// any state kept.
    pub max_transactions: usize,
    /// The Retry-After of that 503, in seconds.
    pub retry_after: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_calls: 32,
            max_transactions: 1024,
            retry_after: 5,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("no such call")]
    UnknownCall,
    #[error("not possible now: {0}")]
    InvalidState(&'static str),
    #[error("invalid SIP URI: {0:?}")]
    InvalidUri(String),
    #[error("no such registration")]
    UnknownRegistration,
    #[error("no such subscription")]
    UnknownSubscription,
    #[error("too many calls at once")]
    TooManyCalls,
}

/// Identifies a registration for the lifetime of a [`UserAgent`](crate::UserAgent).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegistrationHandle(pub u64);

/// Where a registration stands, as reported by `Event::RegistrationChanged`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistrationState {
    /// The first REGISTER (or the first after a failure) is on its way.
    Registering,
    /// The registrar bound our Contact for `expires` seconds; refreshed well before.
    Registered { expires: u32 },
    /// The last attempt failed: a final response `code`, or `None` when the registrar never
    /// answered. The next attempt follows after `retry_in`.
    Failed {
        code: Option<u16>,
        retry_in: Duration,
    },
    /// `Expires: 0` is on its way.
    Unregistering,
    /// The binding is gone (or was never made); the handle is dead. Always the last event.
    Unregistered,
}

/// Identifies a subscription for the lifetime of a [`UserAgent`](crate::UserAgent).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubscriptionHandle(pub u64);

/// Where a subscription stands, as reported by `Event::SubscriptionChanged`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubscriptionState {
    /// A SUBSCRIBE (first, or anew after a failure) is on its way.
    Subscribing,
    /// The notifier has not authorised it yet (`Subscription-State: pending`).
    Pending { expires: u32 },
    /// Accepted for `expires` seconds; refreshed well before.
    Active { expires: u32 },
    /// The last attempt failed (`code`, or `None` for no answer or a terminated NOTIFY);
    /// a new subscription follows after `retry_in`.
    Failed {
        code: Option<u16>,
        retry_in: Duration,
    },
    /// `Expires: 0` is on its way.
    Unsubscribing,
    /// Over for good (unsubscribed, or refused by the notifier for good); the handle is
    /// dead. Always the last event.
    Terminated,
}

/// Identifies a message we sent, for [`Event::MessageSent`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageHandle(pub u64);

/// A transfer request from the peer of `call` (its REFER was answered 202 Accepted): the
/// runtime places a call to `target` and passes this back in
/// [`CallOptions::referral`](super::CallOptions::referral), so the new call carries the
/// Referred-By and Replaces headers and its progress is reported to the transferor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Referral {
    /// The call whose peer sent the REFER.
    pub call: CallHandle,
    /// The Refer-To URI without its embedded headers.
    pub target: String,
    /// The REFER's Referred-By, copied into the new INVITE (RFC 3892 §3).
    pub referred_by: Option<String>,
    /// The `Replaces` embedded in the Refer-To (unescaped): an attended transfer
    /// (RFC 3891 §6.1).
    pub replaces: Option<String>,
}
