//! Server failover (requirement S2). A server name may stand for several addresses, in the
//! order RFC 3263 §4.3 / RFC 2782 give them (the runtime resolves them, `locate` orders
//! them). A request goes to the first; when its transaction fails it goes on to the next:
//!
//! - the client transaction timed out (Timer B or F), RFC 3263 §4.3;
//! - the transport reported the address unreachable (ICMP, RFC 3261 §17.1.4), at once
//!   rather than after Timer B/F;
//! - a final response the operator listed (`sip_failover_response`, and for REGISTER
//!   `sip_failover_response_reg`), matched by code and, when given, reason phrase.
//!
//! Each try is a new transaction (new branch; for REGISTER the same Call-ID and the next
//! CSeq, RFC 3261 §10.2.4). After a successful failover the working address stays in use
//! (refreshes go there) until it fails too; when every address failed in one attempt the
//! request fails as before, and the next attempt starts again with the best address.

use std::net::SocketAddr;

use rsip::headers::{self, UntypedHeader};
use rsip::{Header, Headers, Request};

use crate::message;

/// One final response that sends a request on to the server's next address: its status
/// code and, if given, its reason phrase (compared ignoring ASCII case and outer spaces).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailoverResponse {
    pub code: u16,
    pub reason: Option<String>,
}

/// The responses that trigger failover for one kind of request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FailoverResponses(pub Vec<FailoverResponse>);

impl FailoverResponses {
    /// Whether a final response with this code and reason phrase is listed.
    pub fn matches(&self, code: u16, reason: &str) -> bool {
        let reason = reason.trim();
        self.0.iter().any(|r| {
            r.code == code
                && r.reason
                    .as_deref()
                    .is_none_or(|want| want.trim().eq_ignore_ascii_case(reason))
        })
    }
}

/// What the runtime configures: the failover responses for REGISTER and for every other
/// request (INVITE in practice: in-dialog requests follow the dialog's route, not a server's
/// address list).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FailoverPolicy {
    /// `sip_failover_response`.
    pub responses: FailoverResponses,
    /// `sip_failover_response_reg`.
    pub register_responses: FailoverResponses,
}

/// The ordered addresses of one server, the one in use, and how many of them the current
/// attempt has tried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Alternates {
    addrs: Vec<SocketAddr>,
    current: usize,
    tried: usize,
}

impl Alternates {
    /// `first`, then `rest` in order; repeated addresses are tried once.
    pub fn new(first: SocketAddr, rest: &[SocketAddr]) -> Self {
        let mut addrs = vec![first];
        for a in rest {
            if !addrs.contains(a) {
                addrs.push(*a);
            }
        }
        Alternates {
            addrs,
            current: 0,
            tried: 1,
        }
    }

    /// The address requests go to now.
    pub fn current(&self) -> SocketAddr {
        self.addrs[self.current]
    }

    /// A new attempt (a refresh, or a retry after a failure) begins at the address in use.
    pub fn restart(&mut self) {
        self.tried = 1;
    }

    /// The request failed for good: the next attempt starts again with the best address.
    pub fn reset(&mut self) {
        self.current = 0;
        self.tried = 1;
    }

    /// The address in use failed: the next one not yet tried in this attempt, or `None`
    /// when all have failed. Then the next attempt starts again with the best address.
    pub fn fail_over(&mut self) -> Option<SocketAddr> {
        if self.tried >= self.addrs.len() {
            self.reset();
            return None;
        }
        self.tried += 1;
        self.current = (self.current + 1) % self.addrs.len();
        Some(self.current())
    }
}

/// The request of a failed transaction, made ready for the next address `to`: a new Via
/// branch (a new transaction), CSeq `seq`, and a preloaded Route to the outbound proxy at
/// `from` pointing at `to` instead (RFC 3261 §8.1.2; the proxy's addresses are the ones
/// tried). Everything else, including Call-ID and tags, stays.
pub(crate) fn request_for_next(
    req: &Request,
    local: SocketAddr,
    branch: &str,
    seq: u32,
    from: SocketAddr,
    to: SocketAddr,
) -> Request {
    let old_route = format!("<sip:{from};lr>");
    let mut h = Headers::default();
    for header in req.headers.iter() {
        match header {
            Header::Via(_) => h.push(message::via(local, branch)),
            Header::CSeq(_) => h.push(headers::CSeq::new(format!("{seq} {}", req.method)).into()),
            Header::Route(r) if r.value() == old_route => {
                h.push(headers::Route::new(format!("<sip:{to};lr>")).into())
            }
            other => h.push(other.clone()),
        }
    }
    Request {
        headers: h,
        ..req.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(port: u16) -> SocketAddr {
        SocketAddr::from(([192, 0, 2, 1], port))
    }

    #[test]
    fn each_address_once_per_attempt_then_best_first_again() {
        let mut a = Alternates::new(addr(1), &[addr(2), addr(1), addr(3)]);
        assert_eq!(a.current(), addr(1));
        assert_eq!(a.fail_over(), Some(addr(2)));
        // A refresh stays on the working address and may wrap round to the others.
        a.restart();
        assert_eq!(a.fail_over(), Some(addr(3)));
        assert_eq!(a.fail_over(), Some(addr(1)));
        assert_eq!(a.fail_over(), None);
        assert_eq!(a.current(), addr(1));
        let mut single = Alternates::new(addr(1), &[]);
        assert_eq!(single.fail_over(), None);
    }

    #[test]
    fn responses_match_code_and_optional_reason() {
        let list = FailoverResponses(vec![
            FailoverResponse {
                code: 503,
                reason: None,
            },
            FailoverResponse {
                code: 500,
                reason: Some("Server Internal Error".into()),
            },
        ]);
        assert!(list.matches(503, "Service Unavailable"));
        assert!(list.matches(500, " server internal error"));
        assert!(!list.matches(500, "Database Down"));
        assert!(!list.matches(486, "Busy Here"));
    }
}
