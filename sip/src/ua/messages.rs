//! Instant messages, SIP MESSAGE (RFC 3428): sending them outside a dialog (§4) or inside
//! a call's dialog, answering Digest challenges (RFC 3261 §22), and reading the ones we
//! receive. The [`UserAgent`](crate::UserAgent) owns the MESSAGE client transactions
//! through [`Messages`]; incoming MESSAGEs are answered in `ua.rs` with what
//! [`receive`] decides.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Instant;

use rsip::headers::{self, UntypedHeader};
use rsip::{Header, Headers, Method, Request, Response};

use crate::auth::{self, Authenticator};
use crate::message::{self, Meta};
use crate::transaction::{Client, Failure, Transaction};
use crate::ua::api::{CallHandle, Event, MessageHandle};
use crate::ua::output::Output;

/// The only content type we show; everything else gets 415 (RFC 3428 §7).
pub(crate) const TEXT_PLAIN: &str = "text/plain";

/// What [`UserAgent::send_message`](crate::UserAgent::send_message) sends outside a dialog.
#[derive(Clone, Debug)]
pub struct OutgoingMessage {
    /// Our identity, the From URI.
    pub from_uri: String,
    /// Display name; may be empty.
    pub from_display: String,
    /// Request-URI and To, e.g. `sip:bob@127.0.0.1:5062`.
    pub target_uri: String,
    /// Where to send (the runtime resolved it; the outbound proxy if there is one).
    pub dest: SocketAddr,
    /// E.g. `text/plain;charset=UTF-8`.
    pub content_type: String,
    pub body: Vec<u8>,
}

#[derive(Debug)]
struct Pending {
    handle: MessageHandle,
    tx: Transaction,
    /// Credentials for a challenge; taken once used so a second challenge fails.
    auth: Option<Authenticator>,
}

/// MESSAGE client transactions by Via branch.
#[derive(Debug, Default)]
pub(crate) struct Messages {
    next_handle: u64,
    pending: BTreeMap<String, Pending>,
    last_now: Option<Instant>,
}

/// RFC 3428 §4: a MESSAGE outside a dialog has no Contact and no To tag; its own Call-ID.
pub(crate) fn request(
    msg: &OutgoingMessage,
    target: rsip::Uri,
    outbound_proxy: Option<SocketAddr>,
    io: &mut Output,
    branch: &str,
) -> Request {
    let mut h = Headers::default();
    h.push(message::via(io.config.local_addr, branch));
    h.push(headers::MaxForwards::new("70").into());
    if let Some(proxy) = outbound_proxy {
        // RFC 3261 §8.1.2: a preloaded loose route to the outbound proxy.
        h.push(headers::Route::new(format!("<sip:{proxy};lr>")).into());
    }
    let from = message::name_addr(&msg.from_display, &msg.from_uri);
    h.push(headers::From::new(format!("{from};tag={}", message::token(&mut io.rng, 10))).into());
    h.push(headers::To::new(format!("<{}>", msg.target_uri)).into());
    h.push(headers::CallId::new(message::token(&mut io.rng, 24)).into());
    h.push(headers::CSeq::new(format!("{} MESSAGE", io.rng.u32(1..0x4000_0000))).into());
    h.push(headers::UserAgent::new(io.config.user_agent.clone()).into());
    let mut req = Request {
        method: Method::Message,
        uri: target,
        version: rsip::Version::V2,
        headers: h,
        body: Vec::new(),
    };
    set_body(&mut req, &msg.content_type, msg.body.clone());
    req
}

pub(crate) fn set_body(req: &mut Request, content_type: &str, body: Vec<u8>) {
    req.headers
        .push(headers::ContentType::new(content_type).into());
    req.body = body;
}

/// Whether a Content-Type names `text/plain` (parameters such as charset ignored).
fn is_text_plain(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case(TEXT_PLAIN))
}

/// A content type safe to put into a header line.
pub(crate) fn valid_content_type(content_type: &str) -> bool {
    !content_type.is_empty()
        && content_type.contains('/')
        && !content_type.chars().any(char::is_control)
}

/// Where `needle` occurs in `hay`, each start offset.
fn find_all(hay: &[u8], needle: &[u8]) -> Vec<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return Vec::new();
    }
    (0..=hay.len() - needle.len())
        .filter(|&i| hay[i..].starts_with(needle))
        .collect()
}

/// The first `text/plain` part of a multipart body (RFC 2046 §5.1.1: parts between
/// `--boundary` delimiter lines, each with its own header fields; a part without
/// Content-Type is text/plain). `None` if there is none or the body is not multipart.
fn multipart_text(content_type: &str, body: &[u8]) -> Option<String> {
    let mut fields = content_type.split(';');
    let media = fields.next()?.trim();
    if !media.to_ascii_lowercase().starts_with("multipart/") {
        return None;
    }
    let boundary = fields.find_map(|p| {
        let (n, v) = p.split_once('=')?;
        n.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
    })?;
    let delimiter = format!("--{boundary}");
    let starts = find_all(body, delimiter.as_bytes());
    for pair in starts.windows(2) {
        let part = &body[pair[0] + delimiter.len()..pair[1]];
        // The CRLF before the next delimiter belongs to it (§5.1.1).
        let part = part.strip_suffix(b"\r\n").unwrap_or(part);
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let (head, text) = if let Some(rest) = part.strip_prefix(b"\r\n") {
            (&b""[..], rest)
        } else {
            let end = find_all(part, b"\r\n\r\n").into_iter().next()?;
            (&part[..end], &part[end + 4..])
        };
        let head = String::from_utf8_lossy(head);
        let part_type = head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim().eq_ignore_ascii_case("content-type").then_some(v)
        });
        if part_type.is_none_or(is_text_plain) {
            return Some(String::from_utf8_lossy(text).into_owned());
        }
    }
    None
}

/// What to answer to a MESSAGE we received (RFC 3428 §7): 200 and the event for plain
/// text (also the text part of a multipart body), 415 for anything else (the runtime
/// shows only text).
pub(crate) fn receive(req: &Request, call: Option<CallHandle>) -> Result<Event, u16> {
    let content_type = message::content_type(&req.headers).unwrap_or("");
    let text = if is_text_plain(content_type) {
        String::from_utf8_lossy(&req.body).into_owned()
    } else {
        multipart_text(content_type, &req.body).ok_or(415u16)?
    };
    let (from_uri, from_display) = message::identity(&req.headers, |h| match h {
        Header::From(f) => Some(f.value()),
        _ => None,
    })
    .unwrap_or_default();
    Ok(Event::Message {
        from_uri,
        from_display,
        content_type: content_type.trim().to_owned(),
        body: text,
        call,
    })
}

/// Response headers of a 415 to a MESSAGE: what we accept (RFC 3261 §21.4.13).
pub(crate) fn accept_header() -> Header {
    headers::Accept::new(TEXT_PLAIN).into()
}

impl Messages {
    pub fn send(
        &mut self,
        now: Instant,
        req: Request,
        dest: SocketAddr,
        auth: Option<Authenticator>,
        io: &mut Output,
    ) -> MessageHandle {
        self.last_now = Some(now);
        self.next_handle += 1;
        let handle = MessageHandle(self.next_handle);
        self.start(now, handle, req, dest, auth, io);
        handle
    }

    fn start(
        &mut self,
        now: Instant,
        handle: MessageHandle,
        req: Request,
        dest: SocketAddr,
        auth: Option<Authenticator>,
        io: &mut Output,
    ) {
        let branch = req
            .headers
            .iter()
            .find_map(|h| match h {
                Header::Via(v) => v.value().split(";branch=").nth(1),
                _ => None,
            })
            .and_then(|b| b.split(';').next())
            .unwrap_or_default()
            .to_owned();
        let client = Client::start(now, req, dest, &mut io.transmits);
        self.pending.insert(
            branch,
            Pending {
                handle,
                tx: Transaction::Client(Box::new(client)),
                auth,
            },
        );
    }

    pub fn next_timeout(&self) -> Option<Instant> {
        self.pending
            .values()
            .filter_map(|p| p.tx.next_timeout())
            .min()
    }

    pub fn on_timeout(&mut self, now: Instant, io: &mut Output) {
        self.last_now = Some(now);
        let due: Vec<String> = self
            .pending
            .iter()
            .filter(|(_, p)| p.tx.next_timeout().is_some_and(|t| t <= now))
            .map(|(b, _)| b.clone())
            .collect();
        for branch in due {
            let Some(p) = self.pending.get_mut(&branch) else {
                continue;
            };
            let failure = p.tx.on_timeout(now, &mut io.transmits);
            let handle = p.handle;
            if p.tx.is_terminated() {
                self.pending.remove(&branch);
            }
            if failure.is_some() {
                io.events.push_back(Event::MessageSent {
                    message: handle,
                    code: None,
                });
            }
        }
    }

    pub fn on_transport_error(&mut self, dest: SocketAddr, io: &mut Output) {
        let hit: Vec<String> = self
            .pending
            .iter()
            .filter(|(_, p)| p.tx.dest() == dest)
            .map(|(b, _)| b.clone())
            .collect();
        for branch in hit {
            if let Some(mut p) = self.pending.remove(&branch)
                && let Some(Failure::Transport | Failure::Timeout) = p.tx.on_transport_error()
            {
                io.events.push_back(Event::MessageSent {
                    message: p.handle,
                    code: None,
                });
            }
        }
    }

    pub fn on_response(&mut self, now: Instant, resp: &Response, meta: &Meta, io: &mut Output) {
        self.last_now = Some(now);
        let Some(p) = self.pending.get_mut(&meta.branch) else {
            let code = resp.status_code.code();
            let text = format!("dropped stray {code} response to MESSAGE");
            tracing::debug!("{text}");
            return io.events.push_back(Event::Diagnostic(text));
        };
        let Transaction::Client(client) = &mut p.tx else {
            return;
        };
        let up = client.on_response(now, resp, &mut io.transmits);
        let code = resp.status_code.code();
        if !up || code < 200 {
            return;
        }
        let (request, dest) = (client.request().clone(), client.dest());
        let handle = p.handle;
        let auth = if matches!(code, 401 | 407) {
            p.auth.take()
        } else {
            None
        };
        if p.tx.is_terminated() {
            self.pending.remove(&meta.branch);
        }
        // §22.2: answer a challenge once, with the same request as a new transaction.
        if let Some(mut auth) = auth
            && auth.on_challenge(resp).is_ok()
        {
            let branch = message::new_branch(&mut io.rng);
            let (mut again, _) = auth::resend(&request, io.config.local_addr, &branch);
            auth.authorize(&mut again, &mut io.rng);
            self.start(now, handle, again, dest, None, io);
            return;
        }
        io.events.push_back(Event::MessageSent {
            message: handle,
            code: Some(code),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_part_of_a_multipart_body() {
        let body = b"preamble\r\n--b1\r\nContent-Type: application/octet-stream\r\n\r\n\0\n\r\n\
            --b1\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nHello\r\n--b1--\r\n";
        assert_eq!(
            multipart_text("multipart/mixed; boundary=\"b1\"", body).as_deref(),
            Some("Hello")
        );
        assert_eq!(multipart_text("multipart/mixed;boundary=zz", body), None);
        assert_eq!(multipart_text("application/xml", body), None);
        let untyped = b"--b1\r\n\r\nplain by default\r\n--b1--";
        assert_eq!(
            multipart_text("multipart/alternative;boundary=b1", untyped).as_deref(),
            Some("plain by default")
        );
    }
}
