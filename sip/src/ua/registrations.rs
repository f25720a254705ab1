//! Registration (RFC 3261 §10), the sans-IO way: each [`Registration`] binds our Contact
//! to an address-of-record at a registrar, answers its Digest challenges (RFC 3261 §22),
//! refreshes the binding before it expires, retries after failures and removes the binding
//! again (`Expires: 0`). The [`UserAgent`](crate::UserAgent) owns the bindings and their
//! REGISTER transactions; its `poll_timeout`/`handle_timeout` drive the timers here.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rsip::headers::{self, UntypedHeader};
use rsip::{Header, Headers, Method, Request, Response, Scheme};

use crate::auth::{Credentials, Refusal};
use crate::failover::{Alternates, FailoverResponses};
use crate::message::{self, Meta};
use crate::refresh::{self, Clients, Lease, leading_number, refresh_after, retry_delay};
use crate::transaction::Failure;
use crate::ua::api::{Error, Event, RegistrationHandle, RegistrationState};
use crate::ua::output::Output;

/// What to register: one identity at one registrar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    /// The address-of-record, To and From of the REGISTER (§10.2), e.g. `sip:alice@example.com`.
    pub aor: String,
    /// Where REGISTER goes when there is no outbound proxy (the runtime resolved it).
    pub registrar: SocketAddr,
    /// Request-URI: the registrar's domain without user part (§10.2), e.g. `sip:example.com`.
    pub request_uri: String,
    /// User part of our Contact; may be empty.
    pub contact_user: String,
    /// Answers to 401/407 challenges; without them a challenge is a failure.
    pub credentials: Option<Credentials>,
    /// Binding lifetime we ask for, in seconds (§10.2.1.1); the registrar may grant less.
    pub expires: u32,
    /// RFC 3261 §8.1.2: when set, REGISTER goes here with a loose Route to it.
    pub outbound_proxy: Option<SocketAddr>,
    /// Wait after a failed attempt before the next one (`retry_after_failed_register`).
    pub retry_after_failure: Duration,
    /// S2: further addresses of the next hop (the outbound proxy when set, else the
    /// registrar), best first, tried in turn when the current one fails (`failover`).
    pub alternates: Vec<SocketAddr>,
}

#[derive(Debug)]
struct Binding {
    config: Registration,
    request_uri: rsip::Uri,
    /// §10.2: one Call-ID for all REGISTERs of a binding, CSeq counting up (§10.2.4).
    call_id: String,
    from_tag: String,
    cseq: u32,
    state: RegistrationState,
    /// The attempt: its branch, the Expires it asks for, its timer, its challenges.
    lease: Lease,
    /// S2: the next hop's addresses and the one in use.
    targets: Alternates,
}

/// All registrations of a user agent.
#[derive(Debug, Default)]
pub(crate) struct Registrations {
    next_handle: u64,
    bindings: BTreeMap<RegistrationHandle, Binding>,
    /// REGISTER client transactions by Via branch.
    transactions: Clients<RegistrationHandle>,
    /// The latest time we were given. A transport error comes right after a send, which
    /// happened at this time; it dates the retry, since the core reads no clock.
    last_now: Option<Instant>,
    /// S2: final responses to REGISTER that make it try the next address
    /// (`sip_failover_response_reg`).
    pub failover: FailoverResponses,
}

/// A Contact value split into its URI and its header parameters (RFC 3261 §20.10: without
/// angle brackets, parameters after the URI belong to the header).
fn contact_parts(value: &str) -> (&str, &str) {
    match value.split_once('<').and_then(|(_, r)| r.split_once('>')) {
        Some((uri, params)) => (uri, params),
        None => value.split_once(';').unwrap_or((value, "")),
    }
}

fn expires_param(params: &str) -> Option<u32> {
    params.split(';').find_map(|p| {
        let (name, value) = p.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("expires")
            .then(|| leading_number(value))
            .flatten()
    })
}

/// Same user, host and port (5060 when absent): the registrar may add parameters.
fn same_binding(a: &rsip::Uri, b: &rsip::Uri) -> bool {
    let port = |u: &rsip::Uri| u.host_with_port.port.map_or(5060, |p| *p.value());
    a.user() == b.user()
        && a.host_with_port
            .host
            .to_string()
            .eq_ignore_ascii_case(&b.host_with_port.host.to_string())
        && port(a) == port(b)
}

/// §10.2.4: the lifetime granted to our Contact: its `expires` parameter in the 200, else
/// the Expires header, else what we asked for. A registrar that leaves our Contact out of
/// the list is taken at its Expires header, since some rewrite Contacts behind NATs.
fn granted_expires(resp: &Response, ours: &rsip::Uri, asked: u32) -> u32 {
    let header = refresh::expires(&resp.headers);
    let contacts = message::list_values(&resp.headers, |h| match h {
        Header::Contact(c) => Some(c.value()),
        _ => None,
    });
    let mine = contacts.into_iter().find_map(|c| {
        let (uri, params) = contact_parts(c);
        let uri = rsip::Uri::try_from(uri.trim()).ok()?;
        same_binding(&uri, ours).then(|| expires_param(params))
    });
    mine.flatten().or(header).unwrap_or(asked)
}

/// A SIP(S) URI from the API that is safe to put into a header line.
fn checked_uri(s: &str) -> Result<rsip::Uri, Error> {
    let bad = || Error::InvalidUri(s.to_owned());
    if s.chars()
        .any(|c| c.is_whitespace() || c.is_control() || "<>\"".contains(c))
    {
        return Err(bad());
    }
    let uri = rsip::Uri::try_from(s).map_err(|_| bad())?;
    match uri.scheme {
        Some(Scheme::Sip | Scheme::Sips) if !uri.host_with_port.host.to_string().is_empty() => {
            Ok(uri)
        }
        _ => Err(bad()),
    }
}

impl Binding {
    fn contact_uri(&self, local: SocketAddr) -> String {
        match self.config.contact_user.as_str() {
            "" => format!("sip:{local}"),
            user => format!("sip:{user}@{local}"),
        }
    }

    fn dest(&self) -> SocketAddr {
        self.targets.current()
    }

    /// §10.2: the REGISTER of the current attempt, with the next CSeq.
    fn request(&mut self, io: &mut Output, branch: &str) -> Request {
        self.cseq = self.cseq.wrapping_add(1);
        let aor = &self.config.aor;
        let mut h = Headers::default();
        h.push(message::via(io.config.local_addr, branch));
        h.push(headers::MaxForwards::new("70").into());
        if self.config.outbound_proxy.is_some() {
            // §8.1.2: a preloaded loose route to the outbound proxy (the address in use).
            h.push(headers::Route::new(format!("<sip:{};lr>", self.dest())).into());
        }
        h.push(headers::From::new(format!("<{aor}>;tag={}", self.from_tag)).into());
        h.push(headers::To::new(format!("<{aor}>")).into());
        h.push(headers::CallId::new(self.call_id.clone()).into());
        h.push(headers::CSeq::new(format!("{} REGISTER", self.cseq)).into());
        h.push(
            headers::Contact::new(format!("<{}>", self.contact_uri(io.config.local_addr))).into(),
        );
        h.push(headers::Expires::new(self.lease.asking.to_string()).into());
        h.push(headers::Allow::new(message::ALLOW).into());
        h.push(headers::UserAgent::new(io.config.user_agent.clone()).into());
        let mut req = Request {
            method: Method::Register,
            uri: self.request_uri.clone(),
            version: rsip::Version::V2,
            headers: h,
            body: Vec::new(),
        };
        self.lease.authorize(&mut req, &mut io.rng);
        req
    }
}

impl Registrations {
    pub fn register(
        &mut self,
        now: Instant,
        config: Registration,
        io: &mut Output,
    ) -> Result<RegistrationHandle, Error> {
        checked_uri(&config.aor)?;
        let request_uri = checked_uri(&config.request_uri)?;
        if config.expires == 0 {
            // Expires: 0 removes bindings (§10.2.2); that is what `unregister` is for.
            return Err(Error::InvalidState(
                "a registration needs an Expires above 0",
            ));
        }
        if config
            .contact_user
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>\"@;:?".contains(c))
        {
            return Err(Error::InvalidUri(config.contact_user));
        }
        self.last_now = Some(now);
        self.next_handle += 1;
        let handle = RegistrationHandle(self.next_handle);
        let binding = Binding {
            call_id: message::token(&mut io.rng, 24),
            from_tag: message::token(&mut io.rng, 10),
            // §8.1.1.5: below 2^31; refreshes count up from here.
            cseq: io.rng.u32(1..0x4000_0000),
            state: RegistrationState::Registering,
            lease: Lease::new(config.credentials.clone(), config.expires),
            targets: Alternates::new(
                config.outbound_proxy.unwrap_or(config.registrar),
                &config.alternates,
            ),
            request_uri,
            config,
        };
        self.bindings.insert(handle, binding);
        io.events.push_back(Event::RegistrationChanged {
            registration: handle,
            state: RegistrationState::Registering,
        });
        self.start_attempt(now, handle, io);
        Ok(handle)
    }

    /// Remove the binding (`Expires: 0`), if one may exist; `Unregistered` follows.
    pub fn unregister(
        &mut self,
        now: Instant,
        handle: RegistrationHandle,
        io: &mut Output,
    ) -> Result<(), Error> {
        self.last_now = Some(now);
        let b = self
            .bindings
            .get_mut(&handle)
            .ok_or(Error::UnknownRegistration)?;
        if b.lease.removing {
            return Ok(());
        }
        // A binding may exist once a REGISTER went out and did not clearly fail.
        let maybe_bound =
            matches!(b.state, RegistrationState::Registered { .. }) || b.lease.current.is_some();
        if !maybe_bound {
            self.finish(handle, io);
            return Ok(());
        }
        b.lease.remove();
        self.set_state(handle, RegistrationState::Unregistering, io);
        self.start_attempt(now, handle, io);
        Ok(())
    }

    pub fn next_timeout(&self) -> Option<Instant> {
        let leases = self.bindings.values().filter_map(|b| b.lease.next);
        self.transactions
            .next_timeout()
            .into_iter()
            .chain(leases)
            .min()
    }

    pub fn on_timeout(&mut self, now: Instant, io: &mut Output) {
        self.last_now = Some(now);
        for branch in self.transactions.due(now) {
            if let Some((handle, failure)) =
                self.transactions
                    .on_timeout(now, &branch, &mut io.transmits)
            {
                self.on_failure(now, handle, &branch, failure, io);
            }
        }
        let leases = self.bindings.iter().map(|(h, b)| (h, &b.lease));
        for handle in refresh::due(leases, now) {
            self.start_attempt(now, handle, io);
        }
    }

    /// The runtime could not send to `dest`: REGISTERs towards it fail at once (§17.1.4).
    pub fn on_transport_error(&mut self, now: Instant, dest: SocketAddr, io: &mut Output) {
        self.last_now = Some(now);
        for (handle, branch, failure) in self.transactions.on_transport_error(dest) {
            self.on_failure(now, handle, &branch, failure, io);
        }
    }

    pub fn on_response(&mut self, now: Instant, resp: &Response, meta: &Meta, io: &mut Output) {
        self.last_now = Some(now);
        let Some((handle, up)) =
            self.transactions
                .on_response(now, resp, &meta.branch, &mut io.transmits)
        else {
            let code = resp.status_code.code();
            return io.diagnostic(format!("dropped stray {code} response to REGISTER"));
        };
        let current = self
            .bindings
            .get(&handle)
            .is_some_and(|b| b.lease.is_current(&meta.branch));
        if !up || !current {
            return;
        }
        let code = resp.status_code.code();
        if code < 200 {
            return;
        }
        let Some(b) = self.bindings.get_mut(&handle) else {
            return;
        };
        b.lease.current = None;
        if code >= 300 && self.failover.matches(code, &meta.reason) {
            // S2: a listed response sends the REGISTER on to the next address.
            if let Some(next) = b.targets.fail_over() {
                io.diagnostic(format!("{code} to REGISTER: failing over to {next}"));
                return self.send(now, handle, io);
            }
        }
        match code {
            200..=299 if b.lease.removing => self.finish(handle, io),
            200..=299 => {
                let ours = rsip::Uri::try_from(b.contact_uri(io.config.local_addr).as_str());
                let granted = match ours {
                    Ok(ours) => granted_expires(resp, &ours, b.lease.asking),
                    Err(_) => b.lease.asking,
                };
                if granted == 0 && b.lease.asking > 0 {
                    // S1: a 200 that binds nothing is a failure, retried like any other.
                    io.diagnostic(format!("registrar for {} granted Expires: 0", b.config.aor));
                    self.fail(now, handle, Some(code), None, io);
                } else {
                    b.lease.next = Some(now + refresh_after(granted));
                    self.set_state(
                        handle,
                        RegistrationState::Registered { expires: granted },
                        io,
                    );
                }
            }
            401 | 407 => match b.lease.challenge(resp) {
                Ok(()) => self.send(now, handle, io),
                Err(why) => {
                    let aor = b.config.aor.clone();
                    io.diagnostic(format!(
                        "{code} to REGISTER for {aor}: {}",
                        match why {
                            Refusal::Unsupported => "no challenge we can answer",
                            Refusal::Rejected => "credentials refused or missing",
                        }
                    ));
                    self.give_up(now, handle, code, resp, io);
                }
            },
            // §10.2.8: the interval was too short; try once more with Min-Expires.
            423 if b.lease.raise(resp) => self.send(now, handle, io),
            _ => self.give_up(now, handle, code, resp, io),
        }
    }

    /// A final error response ends this attempt.
    fn give_up(
        &mut self,
        now: Instant,
        handle: RegistrationHandle,
        code: u16,
        resp: &Response,
        io: &mut Output,
    ) {
        if self.bindings.get(&handle).is_some_and(|b| b.lease.removing) {
            return self.finish(handle, io);
        }
        let retry_after = refresh::retry_after(&resp.headers);
        self.fail(now, handle, Some(code), retry_after, io);
    }

    fn on_failure(
        &mut self,
        now: Instant,
        handle: RegistrationHandle,
        branch: &str,
        failure: Failure,
        io: &mut Output,
    ) {
        let Some(b) = self.bindings.get_mut(&handle) else {
            return;
        };
        if !b.lease.is_current(branch) {
            return;
        }
        b.lease.current = None;
        let (aor, removing) = (b.config.aor.clone(), b.lease.removing);
        io.diagnostic(format!(
            "REGISTER for {aor}: {}",
            match failure {
                Failure::Timeout => "no answer from the registrar",
                Failure::Transport => "registrar unreachable",
            }
        ));
        // S2, RFC 3263 §4.3: a timeout or an unreachable address moves on to the next one.
        if let Some(next) = b.targets.fail_over() {
            io.diagnostic(format!("REGISTER for {aor}: failing over to {next}"));
            return self.send(now, handle, io);
        }
        if removing {
            self.finish(handle, io);
        } else {
            self.fail(now, handle, None, None, io);
        }
    }

    /// Failed; retry after the configured wait, or later if the server asked for it
    /// (RFC 3261 §20.33 Retry-After).
    fn fail(
        &mut self,
        now: Instant,
        handle: RegistrationHandle,
        code: Option<u16>,
        retry_after: Option<u32>,
        io: &mut Output,
    ) {
        let Some(b) = self.bindings.get_mut(&handle) else {
            return;
        };
        // S2: the retry starts again with the server's best address.
        b.targets.reset();
        let retry_in = retry_delay(b.config.retry_after_failure, retry_after);
        b.lease.next = Some(now + retry_in);
        self.set_state(handle, RegistrationState::Failed { code, retry_in }, io);
    }

    /// The registration is over: report it and forget it (lingering transactions stay to
    /// absorb retransmissions and then go).
    fn finish(&mut self, handle: RegistrationHandle, io: &mut Output) {
        if self.bindings.remove(&handle).is_some() {
            io.events.push_back(Event::RegistrationChanged {
                registration: handle,
                state: RegistrationState::Unregistered,
            });
        }
    }

    fn set_state(&mut self, handle: RegistrationHandle, state: RegistrationState, io: &mut Output) {
        if let Some(b) = self.bindings.get_mut(&handle)
            && b.state != state
        {
            b.state = state.clone();
            io.events.push_back(Event::RegistrationChanged {
                registration: handle,
                state,
            });
        }
    }

    /// A new attempt: first registration, refresh, retry after failure or removal. Cached
    /// credentials go along at once (RFC 3261 §22.3).
    fn start_attempt(&mut self, now: Instant, handle: RegistrationHandle, io: &mut Output) {
        let Some(b) = self.bindings.get_mut(&handle) else {
            return;
        };
        b.lease.begin();
        b.targets.restart();
        if !b.lease.removing {
            b.lease.asking = b.config.expires;
        }
        if matches!(b.state, RegistrationState::Failed { .. }) {
            self.set_state(handle, RegistrationState::Registering, io);
        }
        self.send(now, handle, io);
    }

    /// Send the REGISTER of the current attempt as a new transaction.
    fn send(&mut self, now: Instant, handle: RegistrationHandle, io: &mut Output) {
        let Some(b) = self.bindings.get_mut(&handle) else {
            return;
        };
        let branch = message::new_branch(&mut io.rng);
        let req = b.request(io, &branch);
        b.lease.current = Some(branch.clone());
        let dest = b.dest();
        self.transactions
            .start(now, handle, branch, req, dest, &mut io.transmits);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_timing() {
        assert_eq!(refresh_after(3600), Duration::from_secs(3000));
        assert_eq!(refresh_after(1200), Duration::from_secs(600));
        assert_eq!(refresh_after(60), Duration::from_secs(30));
        assert_eq!(refresh_after(1), Duration::from_secs(1));
    }

    fn ok(headers: &str) -> Response {
        let text = format!(
            "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n\
             From: <sip:a@x>;tag=1\r\nTo: <sip:a@x>;tag=2\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n\
             {headers}Content-Length: 0\r\n\r\n"
        );
        Response::try_from(text.as_str()).unwrap()
    }

    #[test]
    fn granted_expires_prefers_our_contact() {
        let ours = rsip::Uri::try_from("sip:a@192.0.2.1:5070").unwrap();
        let resp = ok("Contact: <sip:a@192.0.2.9:5060>;expires=900, \
             <sip:a@192.0.2.1:5070;transport=udp>;expires=120\r\nExpires: 300\r\n");
        assert_eq!(granted_expires(&resp, &ours, 3600), 120);
        let resp = ok("Contact: <sip:a@192.0.2.9>;expires=900\r\nExpires: 300\r\n");
        assert_eq!(granted_expires(&resp, &ours, 3600), 300);
        assert_eq!(granted_expires(&ok(""), &ours, 3600), 3600);
        let resp = ok("Contact: sip:a@192.0.2.1:5070;expires=0\r\n");
        assert_eq!(granted_expires(&resp, &ours, 3600), 0);
    }

    #[test]
    fn leading_numbers() {
        assert_eq!(leading_number(" 120 (busy);duration=60"), Some(120));
        assert_eq!(leading_number("soon"), None);
    }
}
