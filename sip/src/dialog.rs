//! RFC 3261 §12 dialogs: identity (Call-ID and tags), CSeq numbering, route set and remote
//! target, and building requests inside a dialog (§12.2.1.1).

use std::net::{IpAddr, SocketAddr};

use rsip::headers::{self, UntypedHeader};
use rsip::{Header, Headers, Method, Request, Response};

use crate::message::{self, Meta};

#[derive(Debug, Clone)]
pub(crate) struct Dialog {
    pub call_id: String,
    pub local_tag: String,
    /// Empty until a UAC learns it from a tagged response (or for an RFC 2543 peer).
    pub remote_tag: String,
    /// Our name-addr with our tag: From of our requests.
    local: String,
    /// Their name-addr (with their tag once known): To of our requests.
    remote: String,
    /// CSeq of the last request we sent in the dialog.
    pub local_seq: u32,
    pub remote_seq: Option<u32>,
    /// Where requests go: the peer's Contact (§12.1.1, §12.1.2).
    remote_target: rsip::Uri,
    /// Route header values, in the order they are sent.
    route_set: Vec<String>,
    /// The address the dialog's INVITE went to or came from, used as next hop when the
    /// route set or target names a host we cannot resolve (we do no DNS, RFC 3263).
    peer: SocketAddr,
}

fn header_value(headers: &Headers, pick: fn(&Header) -> Option<&str>) -> String {
    headers.iter().find_map(pick).unwrap_or_default().to_owned()
}

fn from_value(h: &Header) -> Option<&str> {
    match h {
        Header::From(f) => Some(f.value()),
        _ => None,
    }
}

fn to_value(h: &Header) -> Option<&str> {
    match h {
        Header::To(t) => Some(t.value()),
        _ => None,
    }
}

fn record_routes(headers: &Headers) -> Vec<String> {
    message::list_values(headers, |h| match h {
        Header::RecordRoute(r) => Some(r.value()),
        _ => None,
    })
    .into_iter()
    .map(str::to_owned)
    .collect()
}

/// The IP address and port of a SIP URI whose host is an IP literal (default port 5060).
fn literal_addr(uri: &rsip::Uri) -> Option<SocketAddr> {
    let ip: IpAddr = match &uri.host_with_port.host {
        rsip::Host::IpAddr(ip) => *ip,
        rsip::Host::Domain(d) => d.value().trim_matches(['[', ']']).parse().ok()?,
    };
    let port = uri.host_with_port.port.map_or(5060, |p| *p.value());
    Some(SocketAddr::new(ip, port))
}

impl Dialog {
    /// The UAC half of a dialog, from the INVITE we send to `peer`; it becomes a real
    /// (early or confirmed) dialog with the first tagged response (§12.1.2).
    pub fn uac(
        invite: &Request,
        call_id: &str,
        local_tag: &str,
        local_seq: u32,
        peer: SocketAddr,
    ) -> Self {
        Dialog {
            call_id: call_id.to_owned(),
            local_tag: local_tag.to_owned(),
            remote_tag: String::new(),
            local: header_value(&invite.headers, from_value),
            remote: header_value(&invite.headers, to_value),
            local_seq,
            remote_seq: None,
            remote_target: invite.uri.clone(),
            route_set: Vec::new(),
            peer,
        }
    }

    /// §12.1.2: a response with a To tag sets the remote tag, the remote target (its
    /// Contact) and the route set (its Record-Route, reversed).
    pub fn update_from_response(&mut self, resp: &Response, meta: &Meta) {
        let Some(tag) = &meta.to_tag else {
            return;
        };
        self.remote_tag = tag.clone();
        self.remote = header_value(&resp.headers, to_value);
        if let Some(target) = message::contact_uri(&resp.headers) {
            self.remote_target = target;
        }
        self.route_set = record_routes(&resp.headers);
        self.route_set.reverse();
    }

    /// §12.1.1: the UAS dialog for an INVITE from `peer`; `None` without a usable Contact
    /// (§8.1.1.8 makes it mandatory in INVITE).
    pub fn uas(
        invite: &Request,
        meta: &Meta,
        local_tag: &str,
        local_seq: u32,
        peer: SocketAddr,
    ) -> Option<Self> {
        Some(Dialog {
            call_id: meta.call_id.clone(),
            local_tag: local_tag.to_owned(),
            remote_tag: meta.from_tag.clone().unwrap_or_default(),
            local: format!(
                "{};tag={local_tag}",
                header_value(&invite.headers, to_value)
            ),
            remote: header_value(&invite.headers, from_value),
            local_seq,
            remote_seq: Some(meta.cseq),
            remote_target: message::remote_target(&invite.headers, meta)?,
            route_set: record_routes(&invite.headers),
            peer,
        })
    }

    /// §12.2.2: does an incoming request belong to this dialog?
    pub fn matches(&self, meta: &Meta) -> bool {
        meta.call_id == self.call_id
            && meta.to_tag.as_deref() == Some(self.local_tag.as_str())
            && meta.from_tag.as_deref().unwrap_or("") == self.remote_tag
    }

    /// Where the next request goes: the first route if there is one (loose routing,
    /// RFC 3261 §16.12), else the remote target; either only if it is an IP literal,
    /// otherwise the dialog's peer address.
    fn next_hop(&self) -> SocketAddr {
        let first_route = self.route_set.first().and_then(|r| {
            let inner = r
                .split_once('<')
                .and_then(|(_, rest)| rest.split_once('>'))
                .map_or(r.as_str(), |(u, _)| u);
            rsip::Uri::try_from(inner).ok()
        });
        first_route
            .as_ref()
            .or(Some(&self.remote_target))
            .and_then(literal_addr)
            .unwrap_or(self.peer)
    }

    /// The address the dialog's INVITE went to or came from.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// §12.2: a target refresh request (re-INVITE, UPDATE) or its 2xx replaces the remote
    /// target with its Contact; the route set stays as the dialog was created.
    pub fn refresh_target(&mut self, headers: &Headers) {
        if let Some(target) = message::contact_uri(headers) {
            self.remote_target = target;
        }
    }

    /// §12.2.1.1: a request within the dialog, with a fresh Via branch and the next CSeq.
    /// Strict routing (a first route without `lr`) is not supported: the Request-URI is
    /// always the remote target.
    pub fn request(
        &mut self,
        method: Method,
        local_addr: SocketAddr,
        branch: &str,
        user_agent: &str,
    ) -> (Request, SocketAddr) {
        self.local_seq = self.local_seq.wrapping_add(1);
        self.build(method, self.local_seq, local_addr, branch, user_agent)
    }

    /// §13.2.2.4: the ACK of a 2xx carries the CSeq number of the INVITE it acknowledges,
    /// whatever requests (PRACK, UPDATE) the dialog sent since.
    pub fn ack(
        &self,
        invite_seq: u32,
        local_addr: SocketAddr,
        branch: &str,
        user_agent: &str,
    ) -> (Request, SocketAddr) {
        self.build(Method::Ack, invite_seq, local_addr, branch, user_agent)
    }

    fn build(
        &self,
        method: Method,
        seq: u32,
        local_addr: SocketAddr,
        branch: &str,
        user_agent: &str,
    ) -> (Request, SocketAddr) {
        let mut h = Headers::default();
        h.push(message::via(local_addr, branch));
        h.push(headers::MaxForwards::new("70").into());
        h.push(headers::From::new(self.local.clone()).into());
        h.push(headers::To::new(self.remote.clone()).into());
        h.push(headers::CallId::new(self.call_id.clone()).into());
        h.push(headers::CSeq::new(format!("{seq} {method}")).into());
        for route in &self.route_set {
            h.push(headers::Route::new(route.clone()).into());
        }
        h.push(headers::UserAgent::new(user_agent).into());
        let req = Request {
            method,
            uri: self.remote_target.clone(),
            version: rsip::Version::V2,
            headers: h,
            body: Vec::new(),
        };
        (req, self.next_hop())
    }
}
