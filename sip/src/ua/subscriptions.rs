//! Event subscriptions, subscriber side (RFC 6665 §4.1): SUBSCRIBE creates a dialog, is
//! refreshed before it expires, is made anew when a refresh fails (481, no answer) or the
//! notifier terminates it with a reason that invites a retry (§4.1.3), and is removed with
//! `Expires: 0` (§4.1.2.3). NOTIFYs are matched to their subscription by Call-ID and our
//! tag; what they carry is read in `notification`. The [`UserAgent`](crate::UserAgent)
//! owns the subscriptions and their SUBSCRIBE transactions and drives the timers here.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rsip::headers::{self, UntypedHeader};
use rsip::{Header, Headers, Method, Request, Response};

use crate::auth::Credentials;
use crate::message::{self, Meta};
use crate::notification::{self, CHECK_SYNC, MESSAGE_SUMMARY, Notification};
use crate::refresh::{self, Clients, Lease, leading_number, refresh_after, retry_delay};
use crate::transaction::Failure;
use crate::ua::api::{Error, Event, SubscriptionHandle, SubscriptionState};
use crate::ua::output::Output;

/// What to subscribe to: one event package of one resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    /// The event package (`dialog`, `message-summary`, `presence`).
    pub event: String,
    /// The body types we accept in NOTIFYs (`application/dialog-info+xml`).
    pub accept: String,
    /// Our identity (From) and its display name (may be empty).
    pub from_uri: String,
    pub from_display: String,
    /// The watched resource: Request-URI and To of the first SUBSCRIBE.
    pub target_uri: String,
    /// User part of our Contact; may be empty.
    pub contact_user: String,
    /// Where SUBSCRIBEs go (the runtime resolved it; the outbound proxy if there is one).
    pub dest: SocketAddr,
    /// RFC 3261 §8.1.2: when set, a loose Route to this proxy is preloaded.
    pub outbound_proxy: Option<SocketAddr>,
    /// Subscription duration we ask for, in seconds (§4.1.2.1); the notifier may shorten it.
    pub expires: u32,
    /// Answers to 401/407 challenges.
    pub credentials: Option<Credentials>,
    /// Wait after a failed attempt before the next one.
    pub retry_after_failure: Duration,
}

#[derive(Debug)]
struct Sub {
    config: Subscription,
    target: rsip::Uri,
    call_id: String,
    local_tag: String,
    cseq: u32,
    /// Learned from the first NOTIFY's From tag or the 2xx's To tag (§4.1.2.4).
    remote_tag: Option<String>,
    /// The notifier's Contact, where in-dialog requests go (§4.1.2.2 refreshes).
    remote_target: Option<rsip::Uri>,
    state: SubscriptionState,
    /// The attempt: its branch, the Expires it asks for, its timer (a refresh, or a new
    /// subscription after a failure), its challenges.
    lease: Lease,
    /// The next attempt starts a new dialog (after 481, terminated, or a failure).
    fresh: bool,
}

/// All subscriptions of a user agent.
#[derive(Debug, Default)]
pub(crate) struct Subscriptions {
    next_handle: u64,
    subs: BTreeMap<SubscriptionHandle, Sub>,
    /// SUBSCRIBE client transactions by Via branch.
    transactions: Clients<SubscriptionHandle>,
    last_now: Option<Instant>,
}

fn event_value(h: &Header) -> Option<&str> {
    match h {
        Header::Event(e) => Some(e.value()),
        _ => None,
    }
}

/// `Subscription-State` (RFC 6665 §8.2.3): the state and its parameters.
struct SubState {
    state: String,
    expires: Option<u32>,
    reason: Option<String>,
    retry_after: Option<u32>,
}

fn sub_state(headers: &Headers) -> Option<SubState> {
    let value = headers.iter().find_map(|h| match h {
        Header::SubscriptionState(s) => Some(s.value()),
        _ => None,
    })?;
    let (state, params) = notification::event_header(value);
    let param = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    Some(SubState {
        state,
        expires: param("expires").and_then(|v| leading_number(v)),
        reason: param("reason").map(|r| r.to_ascii_lowercase()),
        retry_after: param("retry-after").and_then(|v| leading_number(v)),
    })
}

fn checked_uri(s: &str) -> Result<rsip::Uri, Error> {
    let bad = || Error::InvalidUri(s.to_owned());
    if s.is_empty()
        || s.chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>\"".contains(c))
    {
        return Err(bad());
    }
    let uri = message::sip_uri(s).ok_or_else(bad)?;
    match uri.scheme {
        Some(rsip::Scheme::Sip | rsip::Scheme::Sips)
            if !uri.host_with_port.host.to_string().is_empty() =>
        {
            Ok(uri)
        }
        _ => Err(bad()),
    }
}

fn header_safe(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() || "<>\"".contains(c) || c == ',')
}

impl Sub {
    fn contact(&self, local: SocketAddr) -> String {
        match self.config.contact_user.as_str() {
            "" => format!("<sip:{local}>"),
            user => format!("<sip:{user}@{local}>"),
        }
    }

    /// A SUBSCRIBE with the next CSeq: initial (no To tag) or in the dialog (§4.1.2.2).
    fn request(&mut self, io: &mut Output, branch: &str) -> Request {
        self.cseq = self.cseq.wrapping_add(1);
        let c = &self.config;
        let mut h = Headers::default();
        h.push(message::via(io.config.local_addr, branch));
        h.push(headers::MaxForwards::new("70").into());
        if let Some(proxy) = c.outbound_proxy {
            h.push(headers::Route::new(format!("<sip:{proxy};lr>")).into());
        }
        let from = message::name_addr(&c.from_display, &c.from_uri);
        h.push(headers::From::new(format!("{from};tag={}", self.local_tag)).into());
        let to = match &self.remote_tag {
            Some(tag) => format!("<{}>;tag={tag}", c.target_uri),
            None => format!("<{}>", c.target_uri),
        };
        h.push(headers::To::new(to).into());
        h.push(headers::CallId::new(self.call_id.clone()).into());
        h.push(headers::CSeq::new(format!("{} SUBSCRIBE", self.cseq)).into());
        h.push(headers::Contact::new(self.contact(io.config.local_addr)).into());
        h.push(headers::Event::new(c.event.clone()).into());
        if !c.accept.is_empty() {
            h.push(headers::Accept::new(c.accept.clone()).into());
        }
        h.push(headers::Expires::new(self.lease.asking.to_string()).into());
        h.push(headers::UserAgent::new(io.config.user_agent.clone()).into());
        let uri = self
            .remote_target
            .clone()
            .filter(|_| self.remote_tag.is_some())
            .unwrap_or_else(|| self.target.clone());
        let mut req = Request {
            method: Method::Subscribe,
            uri,
            version: rsip::Version::V2,
            headers: h,
            body: Vec::new(),
        };
        self.lease.authorize(&mut req, &mut io.rng);
        req
    }

    fn new_dialog(&mut self, io: &mut Output) {
        self.call_id = message::token(&mut io.rng, 24);
        self.local_tag = message::token(&mut io.rng, 10);
        self.remote_tag = None;
        self.remote_target = None;
        self.fresh = false;
    }
}

impl Subscriptions {
    pub fn subscribe(
        &mut self,
        now: Instant,
        config: Subscription,
        io: &mut Output,
    ) -> Result<SubscriptionHandle, Error> {
        let target = checked_uri(&config.target_uri)?;
        checked_uri(&config.from_uri)?;
        if config.expires == 0 {
            return Err(Error::InvalidState(
                "a subscription needs an Expires above 0",
            ));
        }
        let token_ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-.!%*_+`'~".contains(c))
        };
        if !token_ok(&config.event)
            || !header_safe(&config.accept.replace(", ", ";"))
            || config
                .contact_user
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "<>\"@;:?".contains(c))
        {
            return Err(Error::InvalidState(
                "event, accept or contact user unusable",
            ));
        }
        self.last_now = Some(now);
        self.next_handle += 1;
        let handle = SubscriptionHandle(self.next_handle);
        let mut sub = Sub {
            target,
            call_id: String::new(),
            local_tag: String::new(),
            cseq: io.rng.u32(1..0x4000_0000),
            remote_tag: None,
            remote_target: None,
            state: SubscriptionState::Subscribing,
            lease: Lease::new(config.credentials.clone(), config.expires),
            fresh: true,
            config,
        };
        sub.new_dialog(io);
        self.subs.insert(handle, sub);
        io.events.push_back(Event::SubscriptionChanged {
            subscription: handle,
            state: SubscriptionState::Subscribing,
        });
        self.start_attempt(now, handle, io);
        Ok(handle)
    }

    /// §4.1.2.3: `Expires: 0` in the dialog, if one may exist; `Terminated` follows.
    pub fn unsubscribe(
        &mut self,
        now: Instant,
        handle: SubscriptionHandle,
        io: &mut Output,
    ) -> Result<(), Error> {
        self.last_now = Some(now);
        let s = self
            .subs
            .get_mut(&handle)
            .ok_or(Error::UnknownSubscription)?;
        if s.lease.removing {
            return Ok(());
        }
        let maybe_active = s.remote_tag.is_some() || s.lease.current.is_some();
        if !maybe_active || s.fresh {
            self.finish(handle, io);
            return Ok(());
        }
        s.lease.remove();
        self.set_state(handle, SubscriptionState::Unsubscribing, io);
        self.send(now, handle, io);
        Ok(())
    }

    pub fn next_timeout(&self) -> Option<Instant> {
        let leases = self.subs.values().filter_map(|s| s.lease.next);
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
        let leases = self.subs.iter().map(|(h, s)| (h, &s.lease));
        for handle in refresh::due(leases, now) {
            self.start_attempt(now, handle, io);
        }
    }

    pub fn on_transport_error(&mut self, now: Instant, dest: SocketAddr, io: &mut Output) {
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
            return io.diagnostic(format!("dropped stray {code} response to SUBSCRIBE"));
        };
        let code = resp.status_code.code();
        let Some(s) = self
            .subs
            .get_mut(&handle)
            .filter(|s| s.lease.is_current(&meta.branch))
        else {
            return;
        };
        if !up || code < 200 {
            return;
        }
        s.lease.current = None;
        let refreshing = s.remote_tag.is_some();
        match code {
            200..=299 if s.lease.removing => self.finish(handle, io),
            200..=299 => {
                // §4.1.2.4: the 2xx's To tag names the dialog unless a NOTIFY did first.
                if s.remote_tag.is_none() {
                    s.remote_tag = meta.to_tag.clone();
                }
                if s.remote_target.is_none() {
                    s.remote_target = message::contact_uri(&resp.headers);
                }
                // §4.1.2.1: the 2xx's Expires is the duration; it may be shorter, never
                // longer than asked.
                let granted = refresh::expires(&resp.headers)
                    .unwrap_or(s.lease.asking)
                    .min(s.lease.asking);
                if granted == 0 {
                    io.diagnostic(format!("{} granted Expires: 0", s.config.target_uri));
                    return self.fail(now, handle, Some(code), None, io);
                }
                s.lease.next = Some(now + refresh_after(granted));
                if !matches!(s.state, SubscriptionState::Pending { .. }) {
                    self.set_state(handle, SubscriptionState::Active { expires: granted }, io);
                }
            }
            401 | 407 => {
                if s.lease.challenge(resp).is_ok() {
                    self.send(now, handle, io);
                } else {
                    self.give_up(now, handle, code, resp, io);
                }
            }
            423 if s.lease.raise(resp) => self.send(now, handle, io),
            // §4.1.2.2: a 481 to a refresh means the subscription is gone; make a new one
            // at once (a failure of that one waits as usual).
            481 if refreshing && !s.lease.removing => {
                io.diagnostic(format!(
                    "481 to SUBSCRIBE refresh of {}",
                    s.config.target_uri
                ));
                s.fresh = true;
                s.lease.next = Some(now);
            }
            _ => self.give_up(now, handle, code, resp, io),
        }
    }

    /// A NOTIFY arrived (RFC 6665 §4.1.3). `Ok` to answer 200, with the subscription it
    /// belongs to (`None`: an unsolicited NOTIFY of a package we take anyway, message
    /// summaries and check-sync) and what it says; `Err` with the error code to answer.
    /// Any new SUBSCRIBE it calls for is only scheduled, so that our 200 goes first.
    pub fn on_notify(
        &mut self,
        now: Instant,
        req: &Request,
        meta: &Meta,
        io: &mut Output,
    ) -> Result<(Option<SubscriptionHandle>, Notification), u16> {
        self.last_now = Some(now);
        // §8.2.1: a NOTIFY without Event cannot be matched to a package.
        let event = req.headers.iter().find_map(event_value).ok_or(489u16)?;
        let content_type = message::content_type(&req.headers).unwrap_or("");
        let note = notification::read(event, content_type, &req.body);
        let (package, _) = notification::event_header(event);
        let found = self.subs.iter().find(|(_, s)| {
            s.call_id == meta.call_id && meta.to_tag.as_deref() == Some(s.local_tag.as_str())
        });
        let Some((&handle, _)) = found else {
            return if package == MESSAGE_SUMMARY || package == CHECK_SYNC {
                Ok((None, note))
            } else if meta.to_tag.is_some() {
                Err(481)
            } else {
                Err(489)
            };
        };
        let Some(s) = self.subs.get_mut(&handle) else {
            return Err(481);
        };
        // §4.1.3: the Event header must match the subscription's.
        if !package.eq_ignore_ascii_case(&s.config.event) {
            return Err(489);
        }
        if s.remote_tag.is_none() {
            s.remote_tag = meta.from_tag.clone();
        }
        // §4.1.3: NOTIFY is a target refresh request.
        if let Some(target) = message::contact_uri(&req.headers) {
            s.remote_target = Some(target);
        }
        let state = sub_state(&req.headers).ok_or(400u16)?;
        if s.lease.removing {
            if state.state == "terminated" {
                self.finish(handle, io);
            }
            return Ok((Some(handle), note));
        }
        match state.state.as_str() {
            "active" | "pending" => {
                let expires = state.expires.unwrap_or(s.lease.asking);
                // A shorter duration than our timer assumed moves the refresh forward.
                let refresh = now + refresh_after(expires);
                if s.lease.current.is_none() && s.lease.next.is_none_or(|n| n > refresh) {
                    s.lease.next = Some(refresh);
                }
                let next = if state.state == "active" {
                    SubscriptionState::Active { expires }
                } else {
                    SubscriptionState::Pending { expires }
                };
                self.set_state(handle, next, io);
            }
            "terminated" => {
                let reason = state.reason.as_deref().unwrap_or("");
                match reason {
                    // §4.1.3: no point in trying again.
                    "rejected" | "noresource" | "invariant" => self.finish(handle, io),
                    _ => {
                        // deactivated/timeout: at once; probation/giveup and others: after
                        // retry-after, else our own wait.
                        let retry_in = match (state.retry_after, reason) {
                            (Some(secs), _) => Duration::from_secs(secs.into()),
                            (None, "deactivated" | "timeout") => Duration::ZERO,
                            (None, _) => s.config.retry_after_failure,
                        };
                        s.fresh = true;
                        s.lease.current = None;
                        s.lease.next = Some(now + retry_in);
                        self.set_state(
                            handle,
                            SubscriptionState::Failed {
                                code: None,
                                retry_in,
                            },
                            io,
                        );
                    }
                }
            }
            _ => {}
        }
        Ok((Some(handle), note))
    }

    fn give_up(
        &mut self,
        now: Instant,
        handle: SubscriptionHandle,
        code: u16,
        resp: &Response,
        io: &mut Output,
    ) {
        if self.subs.get(&handle).is_some_and(|s| s.lease.removing) {
            return self.finish(handle, io);
        }
        let retry_after = refresh::retry_after(&resp.headers);
        self.fail(now, handle, Some(code), retry_after, io);
    }

    fn on_failure(
        &mut self,
        now: Instant,
        handle: SubscriptionHandle,
        branch: &str,
        failure: Failure,
        io: &mut Output,
    ) {
        let Some(s) = self.subs.get_mut(&handle) else {
            return;
        };
        if !s.lease.is_current(branch) {
            return;
        }
        s.lease.current = None;
        let (target, removing) = (s.config.target_uri.clone(), s.lease.removing);
        io.diagnostic(format!(
            "SUBSCRIBE to {target}: {}",
            match failure {
                Failure::Timeout => "no answer",
                Failure::Transport => "unreachable",
            }
        ));
        if removing {
            self.finish(handle, io);
        } else {
            self.fail(now, handle, None, None, io);
        }
    }

    /// Failed: a new subscription (new dialog) after the configured wait, or later if the
    /// server asked for it (RFC 3261 §20.33 Retry-After).
    fn fail(
        &mut self,
        now: Instant,
        handle: SubscriptionHandle,
        code: Option<u16>,
        retry_after: Option<u32>,
        io: &mut Output,
    ) {
        let Some(s) = self.subs.get_mut(&handle) else {
            return;
        };
        let retry_in = retry_delay(s.config.retry_after_failure, retry_after);
        s.lease.next = Some(now + retry_in);
        s.fresh = true;
        self.set_state(handle, SubscriptionState::Failed { code, retry_in }, io);
    }

    fn finish(&mut self, handle: SubscriptionHandle, io: &mut Output) {
        if self.subs.remove(&handle).is_some() {
            io.events.push_back(Event::SubscriptionChanged {
                subscription: handle,
                state: SubscriptionState::Terminated,
            });
        }
    }

    fn set_state(&mut self, handle: SubscriptionHandle, state: SubscriptionState, io: &mut Output) {
        if let Some(s) = self.subs.get_mut(&handle)
            && s.state != state
        {
            s.state = state.clone();
            io.events.push_back(Event::SubscriptionChanged {
                subscription: handle,
                state,
            });
        }
    }

    /// A refresh, or a new subscription after a failure.
    fn start_attempt(&mut self, now: Instant, handle: SubscriptionHandle, io: &mut Output) {
        let Some(s) = self.subs.get_mut(&handle) else {
            return;
        };
        s.lease.begin();
        s.lease.asking = s.config.expires;
        if s.fresh {
            s.new_dialog(io);
        }
        if matches!(s.state, SubscriptionState::Failed { .. }) {
            self.set_state(handle, SubscriptionState::Subscribing, io);
        }
        self.send(now, handle, io);
    }

    fn send(&mut self, now: Instant, handle: SubscriptionHandle, io: &mut Output) {
        let Some(s) = self.subs.get_mut(&handle) else {
            return;
        };
        let branch = message::new_branch(&mut io.rng);
        let req = s.request(io, &branch);
        s.lease.current = Some(branch.clone());
        let dest = s.config.dest;
        self.transactions
            .start(now, handle, branch, req, dest, &mut io.transmits);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_timing() {
        assert_eq!(refresh_after(30), Duration::from_secs(15));
        assert_eq!(refresh_after(3600), Duration::from_secs(3000));
    }
}
