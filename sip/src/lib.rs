//! Sans-IO SIP user agent core for a desk phone.
//!
//! Bytes, events and time go in ([`UserAgent::handle_datagram`],
//! [`UserAgent::handle_timeout`], the call-control methods); datagrams, events and the next
//! deadline come out ([`UserAgent::poll_transmit`], [`UserAgent::poll_event`],
//! [`UserAgent::poll_timeout`]). The runtime owns the UDP socket and the clock.
//!
//! Layers, bottom up: `message` (rsip-based parsing/serialisation), `transaction`
//! (RFC 3261 §17 state machines and timers), `dialog` (§12), `ua` (the core, §8-§15), and
//! [`sdp`] (RFC 8866 / RFC 3264 offer/answer) for the runtime to build bodies.
//!
//! Scope today: UDP over IPv4, direct (proxy-less or loose-routed) calls, no authentication,
//! no re-INVITE/UPDATE/PRACK, no registration.

mod dialog;
mod message;
pub mod sdp;
mod transaction;
mod ua;

pub use sdp::{MediaDescription, SdpError, SessionDescription};
pub use ua::{CallHandle, EndReason, Error, Event, OutgoingCall, Transmit, UaConfig, UserAgent};

/// Where a request for `uri` goes without DNS service records: its host
/// (a name or an IP address, brackets removed) and port, 5060 when absent
/// (RFC 3263 §4.2 for UDP). The runtime resolves names.
pub fn uri_host_port(uri: &str) -> Result<(String, u16), Error> {
    let parsed = rsip::Uri::try_from(uri).map_err(|e| Error::InvalidUri(format!("{uri}: {e}")))?;
    let host = parsed.host_with_port.host.to_string();
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = parsed
        .host_with_port
        .port
        .map(|p| *p.value())
        .unwrap_or(5060);
    Ok((host, port))
}
