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
