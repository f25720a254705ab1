//! The SIP core's untrusted-input entry points as fuzz targets, shared by the
//! coverage-guided fuzzer (`fuzz/`, run by `cargo xtask fuzz`) and the regression tests
//! of what it found (`sip/tests/fuzz_regressions.rs`). Each one feeds arbitrary bytes in
//! and panics only when the core breaks a promise: a panic inside the core, a frame
//! longer than its input, an SDP body that does not read back as itself.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::parse::{Framed, frame};
use crate::sdp::SessionDescription;
use crate::{Transport, UaConfig, UserAgent};

/// One datagram into a fresh user agent (deterministic: a fixed seed), then the same
/// bytes as a message on a TCP connection and a timer run; everything it sends or
/// reports is drained.
pub fn datagram(data: &[u8]) {
    let local: SocketAddr = SocketAddr::from(([192, 0, 2, 1], 5060));
    let peer: SocketAddr = SocketAddr::from(([192, 0, 2, 2], 5060));
    let mut ua = UserAgent::new(UaConfig {
        local_addr: local,
        user_agent: "fuzz".into(),
        rng_seed: Some(1),
    });
    let now = Instant::now();
    ua.handle_datagram(now, peer, data);
    drain(&mut ua);
    ua.handle_stream_message(now, Transport::Tcp, peer, data);
    drain(&mut ua);
    ua.handle_timeout(now + Duration::from_secs(64));
    drain(&mut ua);
}

fn drain(ua: &mut UserAgent) {
    while ua.poll_transmit().is_some() {}
    while ua.poll_event().is_some() {}
}

/// Stream framing (RFC 3261 §18.3): a complete frame lies within the input and framing
/// its remainder goes on from there.
pub fn framing(data: &[u8]) {
    let mut rest = data;
    while let Framed::Complete(len) = frame(rest) {
        assert!(
            len > 0 && len <= rest.len(),
            "frame of {len} bytes in {}",
            rest.len()
        );
        rest = &rest[len..];
    }
}

/// SDP (RFC 8866): whatever parses serialises to a body that parses to the same
/// description.
pub fn sdp(data: &[u8]) {
    let Ok(parsed) = SessionDescription::parse(data) else {
        return;
    };
    let bytes = parsed.to_bytes();
    let again = SessionDescription::parse(&bytes);
    assert!(
        again.as_ref() == Ok(&parsed),
        "SDP does not read back as itself: {again:?}"
    );
}
