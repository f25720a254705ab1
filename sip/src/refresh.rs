//! What REGISTER (RFC 3261 §10) and SUBSCRIBE (RFC 6665 §4.1) clients share: a [`Lease`]
//! asked for, granted, refreshed before it runs out and retried after failures, with its
//! Digest challenges (RFC 3261 §22) and 423 Interval Too Brief (§10.2.8, RFC 6665 §4.1.2.1);
//! the numbers read from responses; and [`Clients`], their client transactions by branch.
//! Pure bookkeeping: the owners decide what each outcome means for them.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rsip::headers::UntypedHeader;
use rsip::{Header, Headers, Request, Response};

use crate::auth::{Authenticator, Credentials, Refusal};
use crate::transaction::{Client, Failure, Outbox, Transaction};

/// When to refresh what was granted for `granted` seconds (RFC 3261 and RFC 6665 leave it
/// to the client): half the time for short grants, ten minutes before the end for long
/// ones, so that a refresh has time for its retransmissions and a challenge round trip.
pub(crate) fn refresh_after(granted: u32) -> Duration {
    let granted = u64::from(granted);
    let secs = if granted > 1200 {
        granted - 600
    } else {
        granted / 2
    };
    Duration::from_secs(secs.max(1))
}

/// How long to wait after a failure: the configured wait, or longer if the server asked
/// for it (RFC 3261 §20.33 Retry-After).
pub(crate) fn retry_delay(configured: Duration, retry_after: Option<u32>) -> Duration {
    configured.max(Duration::from_secs(retry_after.unwrap_or(0).into()))
}

/// Leading decimal number of a header value (`Retry-After: 120 (busy);duration=60`).
pub(crate) fn leading_number(value: &str) -> Option<u32> {
    let digits: String = value
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn header_number(headers: &Headers, pick: fn(&Header) -> Option<&str>) -> Option<u32> {
    headers.iter().find_map(pick).and_then(leading_number)
}

/// The Expires header's number (§20.19).
pub(crate) fn expires(headers: &Headers) -> Option<u32> {
    header_number(headers, |h| match h {
        Header::Expires(e) => Some(e.value()),
        _ => None,
    })
}

/// The Retry-After header's seconds (§20.33).
pub(crate) fn retry_after(headers: &Headers) -> Option<u32> {
    header_number(headers, |h| match h {
        Header::RetryAfter(r) => Some(r.value()),
        _ => None,
    })
}

/// The Min-Expires header's number (§20.23).
fn min_expires(headers: &Headers) -> Option<u32> {
    header_number(headers, |h| match h {
        Header::MinExpires(m) => Some(m.value()),
        _ => None,
    })
}

/// One registration's or subscription's attempt bookkeeping.
#[derive(Debug)]
pub(crate) struct Lease {
    pub auth: Option<Authenticator>,
    /// Branch of the request whose answer counts; older ones only absorb retransmissions.
    pub current: Option<String>,
    /// The Expires value the current attempt asks for (0 while removing).
    pub asking: u32,
    /// A 423 raised the interval already in this attempt.
    pub raised: bool,
    /// When the next attempt starts: a refresh, or a retry after a failure.
    pub next: Option<Instant>,
    /// `Expires: 0` is (or is about to be) on its way.
    pub removing: bool,
}

impl Lease {
    pub fn new(credentials: Option<Credentials>, expires: u32) -> Self {
        Lease {
            auth: credentials.map(Authenticator::new),
            current: None,
            asking: expires,
            raised: false,
            next: None,
            removing: false,
        }
    }

    /// Whether the answer on `branch` is the one that counts.
    pub fn is_current(&self, branch: &str) -> bool {
        self.current.as_deref() == Some(branch)
    }

    /// A new attempt begins: no timer, no 423 yet, a fresh challenge count.
    pub fn begin(&mut self) {
        self.next = None;
        self.raised = false;
        if let Some(auth) = &mut self.auth {
            auth.start();
        }
    }

    /// Removal begins: `Expires: 0`, and no more refreshes.
    pub fn remove(&mut self) {
        self.removing = true;
        self.asking = 0;
        self.next = None;
    }

    /// Cached credentials go along at once (RFC 3261 §22.3).
    pub fn authorize(&mut self, req: &mut Request, rng: &mut crate::random::Random) {
        if let Some(auth) = &mut self.auth
            && auth.has_cached()
        {
            auth.authorize(req, rng);
        }
    }

    /// A 401/407: `Ok` when the request may go again with an answer.
    pub fn challenge(&mut self, resp: &Response) -> Result<(), Refusal> {
        match &mut self.auth {
            Some(auth) => auth.on_challenge(resp),
            None => Err(Refusal::Rejected),
        }
    }

    /// A 423: ask for the Min-Expires interval, once per attempt; `false` when there is
    /// nothing more to try.
    pub fn raise(&mut self, resp: &Response) -> bool {
        if self.removing || self.raised {
            return false;
        }
        match min_expires(&resp.headers) {
            Some(min) if min > self.asking => {
                self.asking = min;
                self.raised = true;
                true
            }
            _ => false,
        }
    }
}

/// The leases whose next attempt is due at `now`.
pub(crate) fn due<'a, H: Copy + 'a>(
    leases: impl Iterator<Item = (&'a H, &'a Lease)>,
    now: Instant,
) -> Vec<H> {
    leases
        .filter(|(_, l)| l.next.is_some_and(|at| at <= now))
        .map(|(h, _)| *h)
        .collect()
}

/// Client transactions by Via branch, each for the handle `H` that sent it.
#[derive(Debug)]
pub(crate) struct Clients<H>(BTreeMap<String, (H, Transaction)>);

impl<H> Default for Clients<H> {
    fn default() -> Self {
        Clients(BTreeMap::new())
    }
}

impl<H: Copy> Clients<H> {
    pub fn next_timeout(&self) -> Option<Instant> {
        self.0.values().filter_map(|(_, t)| t.next_timeout()).min()
    }

    /// The branches whose timers are due at `now`.
    pub fn due(&self, now: Instant) -> Vec<String> {
        self.0
            .iter()
            .filter(|(_, (_, t))| t.next_timeout().is_some_and(|at| at <= now))
            .map(|(b, _)| b.clone())
            .collect()
    }

    /// Run the timer of `branch`; a failure it ends in, with the handle it belongs to.
    pub fn on_timeout(
        &mut self,
        now: Instant,
        branch: &str,
        transmits: &mut Outbox,
    ) -> Option<(H, Failure)> {
        let (handle, tx) = self.0.get_mut(branch)?;
        let handle = *handle;
        let failure = tx.on_timeout(now, transmits);
        if tx.is_terminated() {
            self.0.remove(branch);
        }
        failure.map(|f| (handle, f))
    }

    /// Sending to `dest` failed: the transactions towards it end, with their failures.
    pub fn on_transport_error(&mut self, dest: SocketAddr) -> Vec<(H, String, Failure)> {
        let hit: Vec<String> = self
            .0
            .iter()
            .filter(|(_, (_, t))| t.dest() == dest)
            .map(|(b, _)| b.clone())
            .collect();
        hit.into_iter()
            .filter_map(|branch| {
                let (handle, mut tx) = self.0.remove(&branch)?;
                let failure = tx.on_transport_error()?;
                Some((handle, branch, failure))
            })
            .collect()
    }

    /// A response on `branch`: its handle and whether it goes up (not a retransmission);
    /// `None` for a stray.
    pub fn on_response(
        &mut self,
        now: Instant,
        resp: &Response,
        branch: &str,
        transmits: &mut Outbox,
    ) -> Option<(H, bool)> {
        let Some((handle, Transaction::Client(client))) = self.0.get_mut(branch) else {
            return None;
        };
        Some((*handle, client.on_response(now, resp, transmits)))
    }

    /// Send `req` to `dest` as a new client transaction on `branch`.
    pub fn start(
        &mut self,
        now: Instant,
        handle: H,
        branch: String,
        req: Request,
        dest: SocketAddr,
        transmits: &mut Outbox,
    ) {
        let client = Client::start(now, req, dest, transmits);
        self.0
            .insert(branch, (handle, Transaction::Client(Box::new(client))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays() {
        let wait = Duration::from_secs(30);
        assert_eq!(retry_delay(wait, None), wait);
        assert_eq!(retry_delay(wait, Some(10)), wait);
        assert_eq!(retry_delay(wait, Some(120)), Duration::from_secs(120));
    }
}
