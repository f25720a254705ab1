//! SIP messages over rsip: tolerant parsing of UDP datagrams into validated messages,
//! stateless answers to requests too broken to process, response construction and CRLF
//! serialisation with a correct Content-Length.
//!
//! rsip 0.4 limits worth knowing (not worked around here): IPv6 references in URIs and Via
//! fail to parse, a quoted display name containing `<` is mis-split, and a request whose
//! method rsip does not know fails as a whole (we answer 501 from the raw bytes instead).

use std::net::SocketAddr;

use rsip::headers::{self, UntypedHeader};
use rsip::prelude::{HasHeaders, HeadersExt, ToTypedHeader};
use rsip::{Header, Headers, Method, Param, Request, Response, SipMessage};

/// Methods we implement (RFC 3261 §20.5 Allow).
pub(crate) const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS";
pub(crate) const SDP_TYPE: &str = "application/sdp";
/// RFC 3261 §8.1.1.7: branches of RFC 3261 elements start with this magic cookie.
const MAGIC_COOKIE: &str = "z9hG4bK";

/// Fields every message needs for transaction and dialog matching, extracted once.
#[derive(Clone, Debug)]
pub(crate) struct Meta {
    pub call_id: String,
    pub from_tag: Option<String>,
    pub to_tag: Option<String>,
    pub cseq: u32,
    pub cseq_method: Method,
    /// Top Via branch; for RFC 2543 peers (no magic cookie) a key built from the dialog
    /// fields, which is enough to match retransmissions and the non-2xx ACK.
    pub branch: String,
    /// Top Via sent-by (host[:port]).
    pub sent_by: String,
    pub sent_by_port: Option<u16>,
    /// Top Via carries `rport` (RFC 3581).
    pub rport: bool,
    /// Number of Via values in the message (several may share one header line).
    pub via_count: usize,
}

pub(crate) enum Inbound {
    Request(Request, Meta),
    Response(Response, Meta),
}

/// Why a datagram did not become a message.
#[derive(Debug)]
pub(crate) enum Rejected {
    /// Only whitespace: a CRLF keep-alive (RFC 5626 §3.5.1); nothing to log.
    KeepAlive,
    /// Unusable; the string says why.
    Drop(String),
    /// A request broken in a way we can answer statelessly with `response` (400/416/501).
    Answer { why: String, response: Vec<u8> },
}

/// Random token of `len` alphanumerics (tags, branches, Call-IDs: RFC 3261 §19.3 wants
/// them globally unique and cryptographically random enough to not collide).
pub(crate) fn token(rng: &mut fastrand::Rng, len: usize) -> String {
    (0..len).map(|_| rng.alphanumeric()).collect()
}

pub(crate) fn new_branch(rng: &mut fastrand::Rng) -> String {
    format!("{MAGIC_COOKIE}{}", token(rng, 16))
}

/// Our Via for a new request over UDP, asking for symmetric responses (RFC 3581 rport).
pub(crate) fn via(local: SocketAddr, branch: &str) -> Header {
    headers::Via::new(format!("SIP/2.0/UDP {local};branch={branch};rport")).into()
}

/// Parse one UDP datagram. Never panics, whatever the bytes.
pub(crate) fn parse(
    data: &[u8],
    server: &str,
    rng: &mut fastrand::Rng,
) -> Result<Inbound, Rejected> {
    // RFC 3261 §7.5: CRLFs before the start line are ignored; a datagram of only
    // whitespace is a keep-alive.
    let Some(start) = data.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Err(Rejected::KeepAlive);
    };
    let data = &data[start..];
    let parsed = match normalize(data) {
        None => Err("no empty line after the headers".to_string()),
        Some(n) => SipMessage::try_from(n.as_slice()).map_err(|e| e.to_string()),
    };
    let msg = match parsed {
        Ok(msg) => msg,
        Err(why) => return Err(reject(data, shorten(why), true, server, rng)),
    };
    validate(msg).map_err(|why| reject(data, shorten(why), false, server, rng))
}

fn shorten(mut s: String) -> String {
    if s.len() > 160 {
        let mut cut = 160;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push('…');
    }
    s
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// RFC 3261 §7.3.3 compact header names.
fn expand_compact(name: &[u8]) -> &[u8] {
    match name {
        [c] => match c.to_ascii_lowercase() {
            b'i' => b"Call-ID",
            b'm' => b"Contact",
            b'e' => b"Content-Encoding",
            b'l' => b"Content-Length",
            b'c' => b"Content-Type",
            b'f' => b"From",
            b's' => b"Subject",
            b'k' => b"Supported",
            b't' => b"To",
            b'v' => b"Via",
            _ => name,
        },
        _ => name,
    }
}

/// A raw header line: name (compact forms expanded) and value, both trimmed.
type HeaderLine = (Vec<u8>, Vec<u8>);

/// Header lines of `head` (after the start line), unfolded (RFC 3261 §7.3.1: a line starting
/// with whitespace continues the previous one) and split into trimmed name and value.
/// Bare LF line ends are tolerated. Lines without a colon come back with an empty name.
fn header_lines(head: &[u8]) -> (Vec<u8>, Vec<HeaderLine>) {
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let start = lines.next().unwrap_or_default().to_vec();
    let mut out: Vec<HeaderLine> = Vec::new();
    for line in lines {
        match (line.first(), out.last_mut()) {
            (Some(b' ' | b'\t'), Some((_, value))) => {
                value.push(b' ');
                value.extend_from_slice(trim(line));
            }
            _ => match line.iter().position(|&b| b == b':') {
                Some(colon) => out.push((
                    expand_compact(trim(&line[..colon])).to_vec(),
                    trim(&line[colon + 1..]).to_vec(),
                )),
                None => out.push((Vec::new(), line.to_vec())),
            },
        }
    }
    (start, out)
}

/// Rewrite the head into the canonical form rsip parses: unfolded lines, full header names,
/// `Name: value`. rsip 0.4 itself rejects folded lines, compact names and space before the
/// colon. Returns `None` when there is no CRLF CRLF ending the head.
fn normalize(data: &[u8]) -> Option<Vec<u8>> {
    let end = find(data, b"\r\n\r\n")?;
    let (start, headers) = header_lines(&data[..end]);
    let mut out = Vec::with_capacity(data.len() + 64);
    out.extend_from_slice(&start);
    out.extend_from_slice(b"\r\n");
    for (name, value) in headers {
        if !name.is_empty() {
            out.extend_from_slice(&name);
            out.extend_from_slice(b": ");
        }
        out.extend_from_slice(&value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&data[end + 4..]);
    Some(out)
}

/// Split a header value into its comma-separated elements, ignoring commas inside quotes
/// and angle brackets (RFC 3261 §7.3.1).
pub(crate) fn split_list(value: &str) -> Vec<&str> {
    let (mut parts, mut begin, mut quoted, mut angle, mut escaped) =
        (Vec::new(), 0, false, false, false);
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' if !quoted && !angle => {
                parts.push(value[begin..i].trim());
                begin = i + 1;
            }
            _ => {}
        }
    }
    parts.push(value[begin..].trim());
    parts.retain(|p| !p.is_empty());
    parts
}

fn tag_of(params: &[Param]) -> Option<String> {
    params.iter().find_map(|p| match p {
        Param::Tag(t) => Some(t.value().to_owned()),
        _ => None,
    })
}

/// Check the headers every message must have (RFC 3261 §8.1.1) and frame the body
/// (§18.3), producing the matching [`Meta`].
fn validate(mut msg: SipMessage) -> Result<Inbound, String> {
    if *msg.version() != rsip::Version::V2 {
        return Err("not SIP/2.0".into());
    }
    let call_id = msg
        .call_id_header()
        .map_err(|e| e.to_string())?
        .value()
        .trim()
        .to_owned();
    if call_id.is_empty() {
        return Err("empty Call-ID".into());
    }
    let from = msg
        .from_header()
        .and_then(|h| h.typed())
        .map_err(|e| format!("From: {e}"))?;
    let to = msg
        .to_header()
        .and_then(|h| h.typed())
        .map_err(|e| format!("To: {e}"))?;
    let cseq = msg
        .cseq_header()
        .and_then(|h| h.typed())
        .map_err(|e| format!("CSeq: {e}"))?;
    let vias: Vec<&str> = msg
        .headers()
        .iter()
        .filter_map(|h| match h {
            Header::Via(v) => Some(v.value()),
            _ => None,
        })
        .flat_map(split_list)
        .collect();
    let top = vias.first().ok_or("missing Via")?;
    let via = headers::Via::new(*top)
        .typed()
        .map_err(|e| format!("Via: {e}"))?;
    let from_tag = tag_of(&from.params);
    let branch = match via.branch() {
        Some(b) if b.value().starts_with(MAGIC_COOKIE) => b.value().to_owned(),
        // RFC 3261 §17.2.3 fallback for RFC 2543 peers: key on the request identity instead.
        _ => format!(
            "rfc2543;{call_id};{};{}",
            cseq.seq,
            from_tag.as_deref().unwrap_or("")
        ),
    };
    let meta = Meta {
        from_tag,
        to_tag: tag_of(&to.params),
        cseq: cseq.seq,
        cseq_method: cseq.method,
        branch,
        sent_by: via.uri.host_with_port.to_string(),
        sent_by_port: via.uri.host_with_port.port.map(|p| *p.value()),
        rport: via
            .params
            .iter()
            .any(|p| matches!(p, Param::Other(n, _) if n.value().eq_ignore_ascii_case("rport"))),
        via_count: vias.len(),
        call_id,
    };

    let declared = msg.headers().iter().find_map(|h| match h {
        Header::ContentLength(l) => Some(l.value().trim().parse::<usize>()),
        _ => None,
    });
    match declared {
        None => {} // RFC 3261 §18.3: optional over UDP; the body runs to the datagram's end.
        Some(Err(_)) => return Err("unparsable Content-Length".into()),
        // §18.3: a datagram shorter than Content-Length is an error...
        Some(Ok(len)) if len > msg.body().len() => {
            return Err("body shorter than Content-Length".into());
        }
        // ...and bytes beyond it are discarded.
        Some(Ok(len)) => msg.body_mut().truncate(len),
    }

    match msg {
        SipMessage::Request(req) if req.method != meta.cseq_method => {
            Err("CSeq method differs from the request method".into())
        }
        SipMessage::Request(req) => Ok(Inbound::Request(req, meta)),
        SipMessage::Response(resp) => Ok(Inbound::Response(resp, meta)),
    }
}

fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b)
}

/// Decide what to do with a datagram that did not parse or validate, looking only at raw
/// lines: answer a request that has the headers a response needs (RFC 3261 §8.2.6.2), drop
/// anything else. ACK is never answered (§17.2.1).
fn reject(
    data: &[u8],
    why: String,
    rsip_failed: bool,
    server: &str,
    rng: &mut fastrand::Rng,
) -> Rejected {
    let head_end = find(data, b"\r\n\r\n").unwrap_or(data.len());
    let (start, lines) = header_lines(&data[..head_end]);
    let parts: Vec<&[u8]> = start.split(|&b| b == b' ').collect();
    let [method, uri, version] = parts[..] else {
        return Rejected::Drop(why);
    };
    if !version.eq_ignore_ascii_case(b"SIP/2.0")
        || method.is_empty()
        || !method.iter().all(|&b| is_token(b))
        || method == b"ACK"
    {
        return Rejected::Drop(why);
    }
    const NEEDED: [&[u8]; 5] = [b"Via", b"From", b"To", b"Call-ID", b"CSeq"];
    let copied: Vec<(&[u8], &[u8])> = lines
        .iter()
        .filter_map(|(name, value)| {
            let canonical = NEEDED.iter().find(|n| n.eq_ignore_ascii_case(name))?;
            Some((*canonical, value.as_slice()))
        })
        .collect();
    if NEEDED.iter().any(|n| !copied.iter().any(|(c, _)| c == n)) {
        return Rejected::Drop(format!("{why}; too broken to answer"));
    }
    let known = std::str::from_utf8(method).is_ok_and(|m| m.parse::<Method>().is_ok());
    let lower_uri = uri.to_ascii_lowercase();
    let (code, text) = if rsip_failed && !known {
        // §8.2.1 / §21.5.2: a method we do not recognise at all.
        (501, "Not Implemented")
    } else if rsip_failed && !(lower_uri.starts_with(b"sip:") || lower_uri.starts_with(b"sips:")) {
        // §8.2.2.1
        (416, "Unsupported URI Scheme")
    } else {
        (400, "Bad Request")
    };
    let mut out = format!("SIP/2.0 {code} {text}\r\n").into_bytes();
    for (name, value) in copied {
        out.extend_from_slice(name);
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        // §8.2.6.2: a final response carries a To tag.
        if name == b"To" && find(&value.to_ascii_lowercase(), b";tag=").is_none() {
            out.extend_from_slice(format!(";tag={}", token(rng, 10)).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("Server: {server}\r\nContent-Length: 0\r\n\r\n").as_bytes());
    Rejected::Answer {
        why: format!("{code} {text}: {why}"),
        response: out,
    }
}

/// RFC 3261 §18.2.1 and RFC 3581 §4: record where a request really came from in its top Via
/// (`received`, and the `rport` value when the client asked for it).
pub(crate) fn stamp_via(req: &mut Request, meta: &Meta, src: SocketAddr) {
    let Some(first) = req.headers.iter().position(|h| matches!(h, Header::Via(_))) else {
        return;
    };
    let mut all: Vec<Header> = std::mem::take(&mut req.headers).into_iter().collect();
    let Header::Via(line) = &all[first] else {
        return;
    };
    let line = line.value().to_owned();
    let elements = split_list(&line);
    let Some(Ok(mut top)) = elements.first().map(|v| headers::Via::new(*v).typed()) else {
        req.headers = all.into();
        return;
    };
    let differs = top.uri.host_with_port.host.to_string() != src.ip().to_string();
    if differs || meta.rport {
        top.params.retain(|p| !matches!(p, Param::Received(_)));
        top.params
            .push(Param::Received(src.ip().to_string().into()));
    }
    if meta.rport {
        top.params.retain(
            |p| !matches!(p, Param::Other(n, _) if n.value().eq_ignore_ascii_case("rport")),
        );
        top.params.push(Param::Other(
            "rport".into(),
            Some(src.port().to_string().into()),
        ));
    }
    all[first] = Header::Via(headers::Via::new(top.to_string()));
    if elements.len() > 1 {
        all.insert(
            first + 1,
            Header::Via(headers::Via::new(elements[1..].join(", "))),
        );
    }
    req.headers = all.into();
}

/// Where responses to a request go (RFC 3261 §18.2.2 for UDP): the source IP (the
/// `received` address), at the port the client asked for: the source port with rport
/// (RFC 3581 §4), else the sent-by port, else 5060.
pub(crate) fn response_dest(meta: &Meta, src: SocketAddr) -> SocketAddr {
    if meta.rport {
        src
    } else {
        SocketAddr::new(src.ip(), meta.sent_by_port.unwrap_or(5060))
    }
}

/// A response to `req` (RFC 3261 §8.2.6): Via, From, Call-ID and CSeq copied, To copied
/// with `to_tag` added when it has none (not on 100, §8.2.6.2), Timestamp copied on 100
/// (§8.2.6.1), plus Server.
pub(crate) fn response(req: &Request, code: u16, to_tag: &str, server: &str) -> Response {
    let mut out = Headers::default();
    for h in req.headers.iter() {
        match h {
            Header::Via(_) | Header::From(_) | Header::CallId(_) | Header::CSeq(_) => {
                out.push(h.clone())
            }
            Header::Timestamp(_) if code == 100 => out.push(h.clone()),
            Header::To(to) => {
                let has_tag = to.typed().is_ok_and(|t| tag_of(&t.params).is_some());
                let value = if has_tag || code == 100 || to_tag.is_empty() {
                    to.value().to_owned()
                } else {
                    format!("{};tag={to_tag}", to.value())
                };
                out.push(headers::To::new(value).into());
            }
            _ => {}
        }
    }
    out.push(headers::Server::new(server).into());
    Response {
        status_code: code.into(),
        version: rsip::Version::V2,
        headers: out,
        body: Vec::new(),
    }
}

/// Add the headers of a message body (or nothing for an empty body).
pub(crate) fn set_sdp_body(headers: &mut Headers, body: &mut Vec<u8>, sdp: Vec<u8>) {
    if !sdp.is_empty() {
        headers.push(headers::ContentType::new(SDP_TYPE).into());
    }
    *body = sdp;
}

/// Standard reason phrases (RFC 3261 §21); rsip's Display would print "486 BusyHere".
pub(crate) fn reason_phrase(code: u16) -> &'static str {
    match code {
        100 => "Trying",
        180 => "Ringing",
        181 => "Call Is Being Forwarded",
        182 => "Queued",
        183 => "Session Progress",
        200 => "OK",
        202 => "Accepted",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Moved Temporarily",
        380 => "Alternative Service",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        410 => "Gone",
        415 => "Unsupported Media Type",
        416 => "Unsupported URI Scheme",
        420 => "Bad Extension",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        482 => "Loop Detected",
        483 => "Too Many Hops",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        491 => "Request Pending",
        500 => "Server Internal Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        504 => "Server Time-out",
        505 => "Version Not Supported",
        600 => "Busy Everywhere",
        603 => "Decline",
        604 => "Does Not Exist Anywhere",
        606 => "Not Acceptable",
        // §21: an unknown code is treated like the x00 of its class.
        _ => match code / 100 {
            1 => "Progress",
            2 => "Success",
            3 => "Redirection",
            4 => "Client Error",
            5 => "Server Error",
            _ => "Global Failure",
        },
    }
}

fn encode(start: String, headers: &Headers, body: &[u8]) -> Vec<u8> {
    let mut out = start.into_bytes();
    out.extend_from_slice(b"\r\n");
    for h in headers
        .iter()
        .filter(|h| !matches!(h, Header::ContentLength(_)))
    {
        out.extend_from_slice(h.to_string().as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    // RFC 3261 §20.14: always state the body length, even when it is zero.
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(body);
    out
}

/// Serialise a request with CRLF line ends and a Content-Length matching its body
/// (rsip's own Display goes through a lossy UTF-8 conversion of the body).
pub(crate) fn encode_request(req: &Request) -> Vec<u8> {
    encode(
        format!("{} {} SIP/2.0", req.method, req.uri),
        &req.headers,
        &req.body,
    )
}

pub(crate) fn encode_response(resp: &Response) -> Vec<u8> {
    let code = resp.status_code.code();
    encode(
        format!("SIP/2.0 {code} {}", reason_phrase(code)),
        &resp.headers,
        &resp.body,
    )
}

/// Unquote a display name (RFC 3261 §25.1 quoted-string) as rsip returns it.
pub(crate) fn display_name(raw: Option<&str>) -> String {
    let raw = raw.unwrap_or("").trim();
    let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) else {
        return raw.to_owned();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        out.push(if c == '\\' {
            chars.next().unwrap_or('\\')
        } else {
            c
        });
    }
    out
}

/// A name-addr with an optional quoted display name; control characters are removed so a
/// display name can never inject header lines.
pub(crate) fn name_addr(display: &str, uri: &str) -> String {
    let clean: String = display.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim();
    if clean.is_empty() {
        format!("<{uri}>")
    } else {
        let escaped = clean.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{escaped}\" <{uri}>")
    }
}

/// Values of all headers matching `pick`, split into list elements.
pub(crate) fn list_values(headers: &Headers, pick: fn(&Header) -> Option<&str>) -> Vec<&str> {
    headers
        .iter()
        .filter_map(pick)
        .flat_map(split_list)
        .collect()
}

pub(crate) fn content_type(headers: &Headers) -> Option<&str> {
    headers.iter().find_map(|h| match h {
        Header::ContentType(c) => Some(c.value()),
        _ => None,
    })
}

/// The SIP URI of the first Contact, if it parses.
pub(crate) fn contact_uri(headers: &Headers) -> Option<rsip::Uri> {
    let first = list_values(headers, |h| match h {
        Header::Contact(c) => Some(c.value()),
        _ => None,
    })
    .into_iter()
    .next()?;
    headers::Contact::new(first).typed().ok().map(|c| c.uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVITE: &str = "INVITE sip:bob@192.0.2.2 SIP/2.0\r\n\
        v: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKabc;rport\r\n\
        Max-Forwards: 70\r\n\
        f: \"Alice \\\"A\\\"\" <sip:alice@192.0.2.1>;tag=x1\r\n\
        t: <sip:bob@192.0.2.2>\r\n\
        i: call-1\r\n\
        CSeq : 7\r\n INVITE\r\n\
        m: <sip:alice@192.0.2.1:5070>\r\n\
        l: 4\r\n\r\nbodyEXTRA";

    fn rng() -> fastrand::Rng {
        fastrand::Rng::with_seed(1)
    }

    #[test]
    fn parses_compact_folded_and_truncates_body() {
        let Ok(Inbound::Request(req, meta)) = parse(INVITE.as_bytes(), "t", &mut rng()) else {
            panic!("should parse");
        };
        assert_eq!(req.method, Method::Invite);
        assert_eq!(
            req.body, b"body",
            "bytes beyond Content-Length are dropped (§18.3)"
        );
        assert_eq!(meta.call_id, "call-1");
        assert_eq!((meta.cseq, meta.cseq_method), (7, Method::Invite));
        assert_eq!(meta.branch, "z9hG4bKabc");
        assert_eq!(meta.from_tag.as_deref(), Some("x1"));
        assert_eq!(meta.to_tag, None);
        assert!(meta.rport);
        let from = req.from_header().unwrap().typed().unwrap();
        assert_eq!(display_name(from.display_name.as_deref()), "Alice \"A\"");
        assert_eq!(
            contact_uri(&req.headers).unwrap().to_string(),
            "sip:alice@192.0.2.1:5070"
        );
    }

    #[test]
    fn short_body_gets_400_with_copied_headers() {
        let broken = INVITE.replace("l: 4", "l: 400");
        let Err(Rejected::Answer { response, .. }) = parse(broken.as_bytes(), "t", &mut rng())
        else {
            panic!("should be answered");
        };
        let text = String::from_utf8(response).unwrap();
        assert!(text.starts_with("SIP/2.0 400 Bad Request\r\n"), "{text}");
        assert!(text.contains("\r\nCall-ID: call-1\r\n"));
        assert!(text.contains("\r\nCSeq: 7 INVITE\r\n"));
        assert!(text.contains("\r\nTo: <sip:bob@192.0.2.2>;tag="));
        assert!(text.ends_with("Content-Length: 0\r\n\r\n"));
    }

    #[test]
    fn unknown_method_gets_501_and_ack_is_never_answered() {
        let foo = INVITE.replace("INVITE", "FOO");
        let Err(Rejected::Answer { response, .. }) = parse(foo.as_bytes(), "t", &mut rng()) else {
            panic!("should be answered");
        };
        assert!(response.starts_with(b"SIP/2.0 501 "));
        let ack = INVITE.replace("INVITE", "ACK").replace("l: 4", "l: 400");
        assert!(matches!(
            parse(ack.as_bytes(), "t", &mut rng()),
            Err(Rejected::Drop(_))
        ));
        assert!(matches!(
            parse(b"\r\n\r\n", "t", &mut rng()),
            Err(Rejected::KeepAlive)
        ));
    }

    #[test]
    fn response_copies_and_tags() {
        let Ok(Inbound::Request(mut req, meta)) = parse(INVITE.as_bytes(), "srv", &mut rng())
        else {
            panic!("should parse");
        };
        let src: SocketAddr = "203.0.113.5:4000".parse().unwrap();
        stamp_via(&mut req, &meta, src);
        assert_eq!(response_dest(&meta, src), src);
        let text = String::from_utf8(encode_response(&response(&req, 486, "tt", "srv"))).unwrap();
        assert!(text.starts_with("SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKabc;received=203.0.113.5;rport=4000\r\n"), "{text}");
        assert!(text.contains("To: <sip:bob@192.0.2.2>;tag=tt\r\n"));
        assert!(text.contains("Server: srv\r\nContent-Length: 0\r\n\r\n"));
    }

    #[test]
    fn list_splitting_and_name_addr() {
        assert_eq!(
            split_list("<sip:a;lr>, \"x,y\" <sip:b>,sip:c"),
            ["<sip:a;lr>", "\"x,y\" <sip:b>", "sip:c"]
        );
        assert_eq!(name_addr("", "sip:a@b"), "<sip:a@b>");
        assert_eq!(
            name_addr("Al \"x\"\r\nVia: evil", "sip:a@b"),
            "\"Al \\\"x\\\"Via: evil\" <sip:a@b>"
        );
    }
}
