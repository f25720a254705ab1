//! Sans-IO SIP user agent core for a desk phone.
//!
//! Bytes, events and time go in ([`UserAgent::handle_datagram`],
//! [`UserAgent::handle_timeout`], the call-control methods); datagrams, events and the next
//! deadline come out ([`UserAgent::poll_transmit`], [`UserAgent::poll_event`],
//! [`UserAgent::poll_timeout`]). The runtime owns the sockets and the clock; messages read
//! from a TCP connection come in framed ([`frame`]) through
//! [`UserAgent::handle_stream_message`], and every [`Transmit`] names its transport.
//!
//! Layers, bottom up: [`parse`] (the core's own SIP parser: framing, start line, header
//! fields, URIs, IPv6), `message` (conversion into rsip's message types, stateless error
//! answers, serialisation), `transaction`
//! (RFC 3261 §17 state machines and timers), `dialog` (§12), `ua` (the core, §8-§15, a folder
//! split by responsibility: calls, registrations, subscriptions, messages), and
//! [`sdp`] (RFC 8866 / RFC 3264 offer/answer) for the runtime to build bodies.
//!
//! Scope today: UDP and TCP (RFC 3261 §18; the transport per peer address, from the URI's
//! `transport` parameter or DNS, or the connection a request came on) over IPv4, direct (proxy-less or loose-routed) calls, registration
//! (§10, `ua::registrations`) and Digest authentication of our requests (§22 with RFC 7616 and
//! RFC 8760 hashes, `auth`), session modification by re-INVITE (§14) and UPDATE (RFC 3311)
//! with hold as SDP direction (RFC 3264 §8.4), reliable provisionals (RFC 3262), session
//! timers (RFC 4028), Reason on CANCEL (RFC 3326), instant messages (RFC 3428, `ua::messages`),
//! event subscriptions (RFC 6665, `ua::subscriptions`) with NOTIFY bodies read in
//! `notification` (RFC 3842 message summary, RFC 4235 dialog-info, check-sync); the
//! extension headers are read in `extensions`.

mod auth;
mod dialog;
mod extensions;
mod failover;
pub mod locate;
mod message;
mod notification;
pub mod parse;
mod random;
mod refresh;
pub mod sdp;
mod transaction;
mod ua;

pub use auth::Credentials;
pub use failover::{FailoverPolicy, FailoverResponse, FailoverResponses};
pub use locate::Transport;
pub use notification::{
    DialogEntry, DialogInfo, DialogState, MessageSummary, Notification, PresenceInfo, PresenceTuple,
};
pub use parse::{Framed, frame};
pub use sdp::{MediaDescription, SdpError, SessionDescription};
pub use ua::{
    CallHandle, CallOptions, EndReason, Error, Event, Limits, MessageHandle, OutgoingCall,
    OutgoingMessage, Referral, Registration, RegistrationHandle, RegistrationState, Subscription,
    SubscriptionHandle, SubscriptionState, Transmit, UaConfig, UserAgent,
};

/// Where a request for `uri` goes without DNS service records: its host
/// (a name or an IP address, brackets removed) and port, 5060 when absent
/// (RFC 3263 §4.2 for UDP). The runtime resolves names.
pub fn uri_host_port(uri: &str) -> Result<(String, u16), Error> {
    let invalid = |why: &str| Error::InvalidUri(format!("{uri}: {why}"));
    let parsed = parse::Uri::parse(uri).map_err(invalid)?;
    let sip = parsed.sip().ok_or_else(|| invalid("not a SIP URI"))?;
    let host = match sip.host {
        parse::Host::Name(name) => name.to_owned(),
        parse::Host::V4(ip) => ip.to_string(),
        parse::Host::V6(ip) => ip.to_string(),
    };
    Ok((host, sip.port.unwrap_or(5060)))
}
