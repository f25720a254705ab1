//! SIP messages for the UA core: UDP datagrams parsed by the core's own parser
//! ([`crate::parse`]) and converted into rsip's message types, stateless answers to requests
//! too broken to process, response construction and CRLF serialisation with a correct
//! Content-Length.
//!
//! What is owned where: framing, start line, header splitting and the header fields the UA
//! acts on (Via, From, To, Call-ID, CSeq, Contact, Record-Route, URIs with IPv6) are parsed
//! by [`crate::parse`]; rsip 0.4 supplies the `Request`/`Response`/`Headers` types the
//! transaction and dialog layers work with, and serialises them. rsip's own parser is not
//! used for incoming messages (see the `parse` module for why).

use std::fmt::Write as _;
use std::net::SocketAddr;

use rsip::headers::{self, UntypedHeader};
use rsip::{Header, Headers, Method, Param, Request, Response};

use crate::parse::{self, Essentials, Message, NameAddr, StartLine, Uri, Version};

/// Methods we implement (RFC 3261 §20.5 Allow).
pub(crate) const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, NOTIFY";
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
    /// Top Via sent-by (host[:port], an IPv6 host in brackets).
    pub sent_by: String,
    pub sent_by_port: Option<u16>,
    /// Top Via carries `rport` (RFC 3581).
    pub rport: bool,
    /// Number of Via values in the message (several may share one header line).
    pub via_count: usize,
    /// The top Via has no RFC 3261 branch: an RFC 2543 peer (or one that sent only the
    /// cookie, RFC 4475 §3.2.1), matched by `branch` built from the request identity.
    pub rfc2543: bool,
    /// A response's reason phrase as received (rsip keeps only the code); empty for requests.
    /// S2: `sip_failover_response` may name it.
    pub reason: String,
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
    /// A request broken in a way we can answer statelessly with `response`
    /// (400/501/505/513).
    Answer { why: String, response: Vec<u8> },
}

/// Random token of `len` alphanumerics (tags, branches, Call-IDs: RFC 3261 §19.3 wants
/// them globally unique and cryptographically random enough to not collide).
pub(crate) fn token(rng: &mut crate::random::Random, len: usize) -> String {
    (0..len).map(|_| rng.alphanumeric()).collect()
}

pub(crate) fn new_branch(rng: &mut crate::random::Random) -> String {
    format!("{MAGIC_COOKIE}{}", token(rng, 16))
}

/// Our Via for a new request over UDP, asking for symmetric responses (RFC 3581 rport).
pub(crate) fn via(local: SocketAddr, branch: &str) -> Header {
    headers::Via::new(format!("SIP/2.0/UDP {local};branch={branch};rport")).into()
}

/// Parse one UDP datagram. Never panics, whatever the bytes; the work is linear in their
/// length (which [`parse::MAX_MESSAGE`] bounds).
pub(crate) fn parse(
    data: &[u8],
    server: &str,
    rng: &mut crate::random::Random,
) -> Result<Inbound, Rejected> {
    // RFC 3261 §7.5: CRLFs before the start line are ignored; a datagram of only
    // whitespace is a keep-alive.
    let Some(start) = data.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Err(Rejected::KeepAlive);
    };
    let data = &data[start..];
    let msg = match Message::parse(data) {
        Ok(msg) => msg,
        Err(e) => return Err(reject(data, e.status(), e.to_string(), server, rng)),
    };
    match &msg.start {
        StartLine::Request {
            method,
            uri,
            version,
        } => inbound_request(&msg, method, uri, *version)
            .map_err(|(code, why)| reject(data, code, shorten(why), server, rng)),
        StartLine::Response {
            version,
            code,
            reason,
        } => inbound_response(&msg, *version, *code, reason)
            .map_err(|why| Rejected::Drop(shorten(why))),
    }
}

/// The methods rsip can represent. Method names are case-sensitive (RFC 3261 §7.1), so
/// `invite` or `RE%47IST%45R` (RFC 4475 §3.1.1.5) are unknown methods.
fn known_method(method: &str) -> Option<Method> {
    Some(match method {
        "INVITE" => Method::Invite,
        "ACK" => Method::Ack,
        "BYE" => Method::Bye,
        "CANCEL" => Method::Cancel,
        "OPTIONS" => Method::Options,
        "REGISTER" => Method::Register,
        "INFO" => Method::Info,
        "MESSAGE" => Method::Message,
        "NOTIFY" => Method::Notify,
        "PRACK" => Method::PRack,
        "PUBLISH" => Method::Publish,
        "REFER" => Method::Refer,
        "SUBSCRIBE" => Method::Subscribe,
        "UPDATE" => Method::Update,
        _ => return None,
    })
}

fn inbound_request(
    msg: &Message<'_>,
    method: &str,
    uri: &str,
    version: Version,
) -> Result<Inbound, (u16, String)> {
    // RFC 3261 §21.5.7 (RFC 4475 §3.1.2.16).
    if version != Version::SIP_2_0 {
        let Version { major, minor } = version;
        return Err((505, format!("SIP/{major}.{minor}")));
    }
    let ess = msg.essentials().map_err(|e| (e.status(), e.to_string()))?;
    // §8.2.1: a method we do not know at all gets 501, even with a CSeq that names another
    // method (RFC 4475 §3.1.2.18 prefers 501 there).
    let Some(known) = known_method(method) else {
        return Err((501, format!("unknown method {method}")));
    };
    // §8.1.1.5: the CSeq method matches the request method (RFC 4475 §3.1.2.17).
    if ess.cseq.method != method {
        return Err((400, "CSeq method differs from the request method".into()));
    }
    let uri = Uri::parse(uri).map_err(|why| (400, format!("Request-URI: {why}")))?;
    // §19.1.5: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
    if uri.sip().is_some_and(|u| u.headers.is_some()) {
        return Err((400, "Request-URI with URI headers".into()));
    }
    let meta = meta(&ess, known);
    let req = Request {
        method: known,
        uri: rsip_uri(&uri),
        version: rsip::Version::V2,
        headers: rsip_headers(msg),
        body: msg.body.to_vec(),
    };
    Ok(Inbound::Request(req, meta))
}

fn inbound_response(
    msg: &Message<'_>,
    version: Version,
    code: u16,
    reason: &str,
) -> Result<Inbound, String> {
    if version != Version::SIP_2_0 {
        return Err("response with a SIP version other than 2.0".into());
    }
    let ess = msg.essentials().map_err(|e| e.to_string())?;
    // We only send methods rsip knows; a response to anything else is not ours.
    let method = known_method(ess.cseq.method).ok_or("response to an unknown method")?;
    let meta = Meta {
        reason: reason.to_owned(),
        ..meta(&ess, method)
    };
    let resp = Response {
        status_code: code.into(),
        version: rsip::Version::V2,
        headers: rsip_headers(msg),
        body: msg.body.to_vec(),
    };
    Ok(Inbound::Response(resp, meta))
}

fn meta(ess: &Essentials<'_>, cseq_method: Method) -> Meta {
    let top = &ess.vias[0];
    let from_tag = ess.from.tag();
    let rfc3261 = top
        .branch()
        // RFC 4475 §3.2.1: a branch of only the cookie identifies nothing.
        .filter(|b| b.starts_with(MAGIC_COOKIE) && b.len() > MAGIC_COOKIE.len());
    let branch = match rfc3261 {
        Some(b) => b.to_owned(),
        // RFC 3261 §17.2.3 fallback for RFC 2543 peers: key on the request identity instead.
        None => format!(
            "rfc2543;{};{};{}",
            ess.call_id,
            ess.cseq.seq,
            from_tag.unwrap_or("")
        ),
    };
    Meta {
        call_id: ess.call_id.to_owned(),
        from_tag: from_tag.map(str::to_owned),
        to_tag: ess.to.tag().map(str::to_owned),
        cseq: ess.cseq.seq,
        cseq_method,
        branch,
        sent_by: top.sent_by(),
        sent_by_port: top.port,
        rport: top.rport().is_some(),
        via_count: ess.vias.len(),
        rfc2543: rfc3261.is_none(),
        reason: String::new(),
    }
}

/// rsip's host for ours. rsip prints an IPv6 `IpAddr` without brackets, which is not SIP;
/// as a bracketed domain it prints right (dialog.rs reads either form back).
fn rsip_host(host: &parse::Host<'_>) -> rsip::Host {
    match host {
        parse::Host::Name(n) => rsip::Host::Domain((*n).into()),
        parse::Host::V4(ip) => rsip::Host::IpAddr((*ip).into()),
        parse::Host::V6(ip) => rsip::Host::Domain(format!("[{ip}]").into()),
    }
}

/// URI parameters stay as sent (rsip would print `transport=udp` as `transport=UDP`); only
/// `lr` is typed, the one the dialog layer looks for (RFC 3261 §16.12 loose routing).
fn rsip_param(name: &str, value: Option<&str>) -> Param {
    match value {
        None if parse::unescape_str(name).eq_ignore_ascii_case("lr") => Param::Lr,
        _ => Param::Other(name.into(), value.map(Into::into)),
    }
}

/// rsip's URI for ours. A non-SIP scheme keeps its name (the UA answers it 416, §8.2.2.1).
/// URI headers are dropped: rsip 0.4 cannot hold them, and the UA never acts on them.
fn rsip_uri(uri: &Uri<'_>) -> rsip::Uri {
    match uri {
        Uri::Sip(u) => rsip::Uri {
            scheme: Some(if u.secure {
                rsip::Scheme::Sips
            } else {
                rsip::Scheme::Sip
            }),
            auth: u.user.map(|user| rsip::Auth {
                user: user.into(),
                password: u.password.map(Into::into),
            }),
            host_with_port: rsip::HostWithPort {
                host: rsip_host(&u.host),
                port: u.port.map(Into::into),
            },
            params: u.params.iter().map(|(n, v)| rsip_param(n, v)).collect(),
            headers: Vec::new(),
        },
        Uri::Other { scheme, rest } => rsip::Uri {
            scheme: Some(rsip::Scheme::Other((*scheme).into())),
            host_with_port: rsip::Host::Domain((*rest).into()).into(),
            ..Default::default()
        },
    }
}

/// A SIP(S) URI given through the API (call targets, identities), with IPv6 references.
pub(crate) fn sip_uri(s: &str) -> Option<rsip::Uri> {
    let uri = Uri::parse(s).ok()?;
    uri.sip().is_some().then(|| rsip_uri(&uri))
}

/// rsip's typed header variant for a field, by name (compact forms are already expanded).
fn rsip_header(name: &str, value: String) -> Header {
    use headers as h;
    let mut buf = [0u8; 20];
    let lower = match buf.get_mut(..name.len()) {
        Some(b) => {
            b.copy_from_slice(name.as_bytes());
            b.make_ascii_lowercase();
            &*b
        }
        None => b"",
    };
    match lower {
        b"accept" => Header::Accept(h::Accept::new(value)),
        b"accept-encoding" => Header::AcceptEncoding(h::AcceptEncoding::new(value)),
        b"accept-language" => Header::AcceptLanguage(h::AcceptLanguage::new(value)),
        b"alert-info" => Header::AlertInfo(h::AlertInfo::new(value)),
        b"allow" => Header::Allow(h::Allow::new(value)),
        b"authentication-info" => Header::AuthenticationInfo(h::AuthenticationInfo::new(value)),
        b"authorization" => Header::Authorization(h::Authorization::new(value)),
        b"call-id" => Header::CallId(h::CallId::new(value)),
        b"call-info" => Header::CallInfo(h::CallInfo::new(value)),
        b"contact" => Header::Contact(h::Contact::new(value)),
        b"content-disposition" => Header::ContentDisposition(h::ContentDisposition::new(value)),
        b"content-encoding" => Header::ContentEncoding(h::ContentEncoding::new(value)),
        b"content-language" => Header::ContentLanguage(h::ContentLanguage::new(value)),
        b"content-length" => Header::ContentLength(h::ContentLength::new(value)),
        b"content-type" => Header::ContentType(h::ContentType::new(value)),
        b"cseq" => Header::CSeq(h::CSeq::new(value)),
        b"date" => Header::Date(h::Date::new(value)),
        b"error-info" => Header::ErrorInfo(h::ErrorInfo::new(value)),
        b"event" => Header::Event(h::Event::new(value)),
        b"expires" => Header::Expires(h::Expires::new(value)),
        b"from" => Header::From(h::From::new(value)),
        b"in-reply-to" => Header::InReplyTo(h::InReplyTo::new(value)),
        b"max-forwards" => Header::MaxForwards(h::MaxForwards::new(value)),
        b"mime-version" => Header::MimeVersion(h::MimeVersion::new(value)),
        b"min-expires" => Header::MinExpires(h::MinExpires::new(value)),
        b"organization" => Header::Organization(h::Organization::new(value)),
        b"priority" => Header::Priority(h::Priority::new(value)),
        b"proxy-authenticate" => Header::ProxyAuthenticate(h::ProxyAuthenticate::new(value)),
        b"proxy-authorization" => Header::ProxyAuthorization(h::ProxyAuthorization::new(value)),
        b"proxy-require" => Header::ProxyRequire(h::ProxyRequire::new(value)),
        b"record-route" => Header::RecordRoute(h::RecordRoute::new(value)),
        b"reply-to" => Header::ReplyTo(h::ReplyTo::new(value)),
        b"require" => Header::Require(h::Require::new(value)),
        b"retry-after" => Header::RetryAfter(h::RetryAfter::new(value)),
        b"route" => Header::Route(h::Route::new(value)),
        b"server" => Header::Server(h::Server::new(value)),
        b"subject" => Header::Subject(h::Subject::new(value)),
        b"subscription-state" => Header::SubscriptionState(h::SubscriptionState::new(value)),
        b"supported" => Header::Supported(h::Supported::new(value)),
        b"timestamp" => Header::Timestamp(h::Timestamp::new(value)),
        b"to" => Header::To(h::To::new(value)),
        b"unsupported" => Header::Unsupported(h::Unsupported::new(value)),
        b"user-agent" => Header::UserAgent(h::UserAgent::new(value)),
        b"via" => Header::Via(h::Via::new(value)),
        b"warning" => Header::Warning(h::Warning::new(value)),
        b"www-authenticate" => Header::WwwAuthenticate(h::WwwAuthenticate::new(value)),
        _ => Header::Other(name.into(), value),
    }
}

fn rsip_headers(msg: &Message<'_>) -> Headers {
    let all: Vec<Header> = msg
        .headers
        .iter()
        .map(|f| rsip_header(f.name, f.value.clone().into_owned()))
        .collect();
    all.into()
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

/// Compact forms of the header fields a stateless answer copies (RFC 3261 §7.3.3).
fn expand_compact(name: &[u8]) -> &[u8] {
    match name {
        [b'v' | b'V'] => b"Via",
        [b'f' | b'F'] => b"From",
        [b't' | b'T'] => b"To",
        [b'i' | b'I'] => b"Call-ID",
        _ => name,
    }
}

/// A raw header line: name (compact forms expanded) and value, both trimmed.
type HeaderLine = (Vec<u8>, Vec<u8>);

/// Header lines of `head` (after the start line), unfolded (RFC 3261 §7.3.1: a line starting
/// with whitespace continues the previous one) and split into trimmed name and value.
/// Bare LF line ends are tolerated. Lines without a colon come back with an empty name.
/// This is the forgiving reading used to answer messages the parser refused.
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

/// Split a header value into its non-empty comma-separated elements, ignoring commas
/// inside quotes and angle brackets (RFC 3261 §7.3.1).
pub(crate) fn split_list(value: &str) -> Vec<&str> {
    parse::list_elements(value)
        .filter(|p| !p.is_empty())
        .collect()
}

fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b)
}

/// Answer statelessly with `code` a request the parser refused, reading only raw lines:
/// the Request-Line must still show a token method and end in a SIP version, and a Via is
/// needed for the answer to mean anything (RFC 3261 §8.2.6.2 copies Via, From, To, Call-ID
/// and CSeq; whichever of the others exist are copied). Responses and anything else are
/// dropped, and ACK is never answered (§17.2.1).
fn reject(
    data: &[u8],
    code: u16,
    why: String,
    server: &str,
    rng: &mut crate::random::Random,
) -> Rejected {
    let data = &data[..data.len().min(parse::MAX_MESSAGE)];
    let head_end = find(data, b"\r\n\r\n")
        .or_else(|| find(data, b"\n\n"))
        .unwrap_or(data.len());
    let (start, lines) = header_lines(&data[..head_end]);
    let words: Vec<&[u8]> = start
        .split(|&b| b == b' ' || b == b'\t')
        .filter(|w| !w.is_empty())
        .collect();
    let answerable = match words[..] {
        [method, .., version] if words.len() >= 3 => {
            method.iter().all(|&b| is_token(b))
                && method != b"ACK"
                && version.len() > 4
                && version[..4].eq_ignore_ascii_case(b"SIP/")
        }
        _ => false,
    };
    if !answerable {
        return Rejected::Drop(why);
    }
    const COPIED: [&[u8]; 5] = [b"Via", b"From", b"To", b"Call-ID", b"CSeq"];
    let copied: Vec<(&[u8], &[u8])> = lines
        .iter()
        .filter_map(|(name, value)| {
            let canonical = COPIED.iter().find(|n| n.eq_ignore_ascii_case(name))?;
            Some((*canonical, value.as_slice()))
        })
        .collect();
    if !copied.iter().any(|(name, _)| *name == b"Via") {
        return Rejected::Drop(format!("{why}; no Via to answer to"));
    }
    let text = reason_phrase(code);
    let mut out = format!("SIP/2.0 {code} {text}\r\n").into_bytes();
    for (name, value) in copied {
        out.extend_from_slice(name);
        out.extend_from_slice(b": ");
        // Never echo control characters (a stray CR would split our header).
        out.extend(
            value
                .iter()
                .filter(|&&b| b == b'\t' || !b.is_ascii_control()),
        );
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
    let line = match &all[first] {
        Header::Via(line) => line.value().to_owned(),
        _ => String::new(),
    };
    let mut elements = parse::list_elements(&line);
    let top = elements.next().map(parse::Via::parse);
    let rest: Vec<&str> = elements.collect();
    let Some(Ok(top)) = top else {
        req.headers = all.into();
        return;
    };
    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
    let ip = src.ip().to_canonical();
    let received = meta.rport || top.host.ip() != Some(ip);
    let mut out = format!(
        "{}/{}/{} {}",
        top.protocol,
        top.version,
        top.transport,
        top.sent_by()
    );
    for (name, value) in top.params.iter() {
        let replaced = (received && name.eq_ignore_ascii_case("received"))
            || (meta.rport && name.eq_ignore_ascii_case("rport"));
        if !replaced {
            out.push(';');
            out.push_str(name);
            if let Some(v) = value {
                out.push('=');
                out.push_str(v);
            }
        }
    }
    // RFC 3261 §20.42 via-received is IPv4address / IPv6address: no brackets.
    if received {
        let _ = write!(out, ";received={ip}");
    }
    if meta.rport {
        let _ = write!(out, ";rport={}", src.port());
    }
    all[first] = Header::Via(headers::Via::new(out));
    if !rest.is_empty() {
        all.insert(first + 1, Header::Via(headers::Via::new(rest.join(", "))));
    }
    req.headers = all.into();
}

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
                let has_tag = NameAddr::parse(to.value()).is_ok_and(|t| t.tag().is_some());
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
/// Name a stream `transport` in a message we built for UDP: a request's top Via gets
/// `SIP/2.0/TCP` (§18.1.1: the Via names the transport the request goes out on; a
/// response echoes the request's Via) and our Contact gets `;transport=tcp` so that the
/// peer's requests in the dialog or to the binding come back over a stream (§19.1.1, as
/// RFC 3263 §4.1 reads the parameter).
pub(crate) fn for_stream(payload: &mut Vec<u8>, transport: crate::locate::Transport) {
    use crate::locate::Transport;
    let (via, param) = match transport {
        Transport::Udp => return,
        Transport::Tcp => ("SIP/2.0/TCP ", ";transport=tcp"),
        Transport::Tls => ("SIP/2.0/TLS ", ";transport=tls"),
    };
    let head_len = find(payload, b"\r\n\r\n").unwrap_or(payload.len());
    let is_request = !payload.starts_with(b"SIP/2.0 ");
    if is_request && let Some(at) = find(&payload[..head_len], b"\r\nVia: SIP/2.0/UDP ") {
        let start = at + b"\r\nVia: ".len();
        payload.splice(start..start + via.len(), via.bytes());
        // RFC 5923 §5: the phone has no TLS listener, so `alias` asks the peer to reuse
        // this connection for requests to our sent-by (Contact) address.
        if transport == Transport::Tls {
            let line_end = find(&payload[start..], b"\r\n").map_or(payload.len(), |e| start + e);
            payload.splice(line_end..line_end, b";alias".iter().copied());
        }
    }
    let head_len = find(payload, b"\r\n\r\n").unwrap_or(payload.len());
    let Some(at) = find(&payload[..head_len], b"\r\nContact: ") else {
        return;
    };
    let line_end = find(&payload[at + 2..head_len], b"\r\n").map_or(head_len, |e| at + 2 + e);
    let line = &payload[at..line_end];
    // Only a name-addr URI of our own making (`*` in an unregister has none); one that
    // names a transport already is left alone.
    if find(line, b"transport=").is_some() {
        return;
    }
    if let Some(close) = line.iter().position(|b| *b == b'>') {
        let insert = at + close;
        payload.splice(insert..insert, param.bytes());
    }
}

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
    let value = headers.iter().find_map(|h| match h {
        Header::Contact(c) => Some(c.value()),
        _ => None,
    })?;
    let first = parse::list_elements(value).next()?;
    let contact = NameAddr::parse(first).ok()?;
    contact.uri.sip().is_some().then(|| rsip_uri(&contact.uri))
}

/// The remote target of a dialog a request creates (RFC 3261 §12.1.1): its Contact URI, or
/// for an RFC 2543 peer that sent none (Contact was optional there, RFC 4475 §3.4.1) the
/// From URI, where RFC 2543 sent subsequent requests. An RFC 3261 INVITE must carry a
/// Contact (§8.1.1.8).
pub(crate) fn remote_target(headers: &Headers, meta: &Meta) -> Option<rsip::Uri> {
    if !meta.rfc2543 || headers.iter().any(|h| matches!(h, Header::Contact(_))) {
        return contact_uri(headers);
    }
    let from = headers.iter().find_map(|h| match h {
        Header::From(f) => Some(f.value()),
        _ => None,
    })?;
    let from = NameAddr::parse(from).ok()?;
    from.uri.sip().is_some().then(|| rsip_uri(&from.uri))
}

/// Whether a response may carry SDP given the request's Accept (RFC 3261 §20.1: no Accept
/// means application/sdp). Media ranges match with `*` wildcards; parameters are ignored
/// except `q=0`, which excludes.
pub(crate) fn accepts_sdp(headers: &Headers) -> bool {
    let ranges = list_values(headers, |h| match h {
        Header::Accept(a) => Some(a.value()),
        _ => None,
    });
    // An empty Accept header field means no body is acceptable (§20.1); a missing one
    // means SDP.
    let present = headers.iter().any(|h| matches!(h, Header::Accept(_)));
    !present
        || ranges.iter().any(|range| {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next().unwrap_or("").to_ascii_lowercase();
            let excluded = parts.any(|p| {
                p.split_once('=').is_some_and(|(n, v)| {
                    n.trim().eq_ignore_ascii_case("q") && v.trim().parse::<f32>() == Ok(0.0)
                })
            });
            !excluded && matches!(media.as_str(), "application/sdp" | "application/*" | "*/*")
        })
}

/// URI and display name (unquoted) of the first `pick` header (From, To), if it parses.
pub(crate) fn identity(
    headers: &Headers,
    pick: fn(&Header) -> Option<&str>,
) -> Option<(String, String)> {
    let addr = NameAddr::parse(headers.iter().find_map(pick)?).ok()?;
    let display = addr.display_name().unwrap_or_default();
    Some((addr.uri.to_string(), display.trim().to_owned()))
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

    fn rng() -> crate::random::Random {
        crate::random::Random::seeded(1)
    }

    #[test]
    fn for_stream_asks_for_connection_reuse_over_tls() {
        let mut req = b"REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1;rport\r\n\
            Contact: <sip:alice@192.0.2.1:5070>\r\nContent-Length: 0\r\n\r\n"
            .to_vec();
        for_stream(&mut req, crate::locate::Transport::Tls);
        let text = String::from_utf8(req).unwrap();
        assert!(
            text.contains("Via: SIP/2.0/TLS 192.0.2.1:5070;branch=z9hG4bK1;rport;alias\r\n"),
            "{text}"
        );
        assert!(
            text.contains("Contact: <sip:alice@192.0.2.1:5070;transport=tls>\r\n"),
            "{text}"
        );
    }

    #[test]
    fn for_stream_names_tcp_in_via_and_contact() {
        let mut req = b"REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1;rport\r\n\
            Contact: <sip:alice@192.0.2.1:5070>;expires=60\r\nContent-Length: 0\r\n\r\n"
            .to_vec();
        for_stream(&mut req, crate::locate::Transport::Tcp);
        let text = String::from_utf8(req).unwrap();
        assert!(
            text.contains("Via: SIP/2.0/TCP 192.0.2.1:5070;branch"),
            "{text}"
        );
        assert!(
            text.contains("Contact: <sip:alice@192.0.2.1:5070;transport=tcp>;expires=60\r\n"),
            "{text}"
        );
        let mut resp = b"SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 192.0.2.9;branch=z9hG4bK2\r\n\
            Contact: <sip:bob@192.0.2.1:5070>\r\nContent-Length: 0\r\n\r\n"
            .to_vec();
        for_stream(&mut resp, crate::locate::Transport::Tcp);
        let text = String::from_utf8(resp).unwrap();
        assert!(
            text.contains("Contact: <sip:bob@192.0.2.1:5070;transport=tcp>\r\n"),
            "{text}"
        );
        let mut star =
            b"REGISTER sip:e SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK3\r\nContact: *\r\n\r\n"
                .to_vec();
        let before = star.clone();
        for_stream(&mut star, crate::locate::Transport::Tcp);
        assert_eq!(star.len(), before.len());
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
        let from = identity(&req.headers, |h| match h {
            Header::From(f) => Some(f.value()),
            _ => None,
        });
        assert_eq!(
            from,
            Some(("sip:alice@192.0.2.1".into(), "Alice \"A\"".into()))
        );
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

    const V6_INVITE: &str = "INVITE sip:bob@[2001:db8::2] SIP/2.0\r\n\
        Via: SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bKv6;rport\r\n\
        From: \"A <x>\" <sip:alice@[2001:db8::1]>;tag=a\r\n\
        To: <sip:bob@[2001:db8::2]>\r\n\
        Call-ID: v6\r\n\
        CSeq: 1 INVITE\r\n\
        Contact: <sip:alice@[2001:db8::1]:5070;transport=udp>\r\n\
        Content-Length: 0\r\n\r\n";

    #[test]
    fn ipv6_request_round_trip() {
        let Ok(Inbound::Request(mut req, meta)) = parse(V6_INVITE.as_bytes(), "t", &mut rng())
        else {
            panic!("should parse");
        };
        assert_eq!(req.uri.to_string(), "sip:bob@[2001:db8::2]");
        assert_eq!(meta.sent_by, "[2001:db8::1]:5070");
        assert_eq!(
            contact_uri(&req.headers).unwrap().to_string(),
            "sip:alice@[2001:db8::1]:5070;transport=udp"
        );
        let from = identity(&req.headers, |h| match h {
            Header::From(f) => Some(f.value()),
            _ => None,
        });
        assert_eq!(
            from,
            Some(("sip:alice@[2001:db8::1]".into(), "A <x>".into()))
        );
        let src: SocketAddr = "[2001:db8::1]:40000".parse().unwrap();
        stamp_via(&mut req, &meta, src);
        assert_eq!(response_dest(&meta, src), src);
        let text = String::from_utf8(encode_response(&response(&req, 180, "tt", "s"))).unwrap();
        // RFC 3261 §20.42: `received` holds a bare IPv6 address.
        assert!(
            text.contains("Via: SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bKv6;received=2001:db8::1;rport=40000\r\n"),
            "{text}"
        );
        assert_eq!(
            crate::uri_host_port("sip:bob@[2001:db8::2]:5062"),
            Ok(("2001:db8::2".into(), 5062))
        );
        assert_eq!(sip_uri("sip:[::1]").unwrap().to_string(), "sip:[::1]");
        assert!(sip_uri("tel:+123").is_none());
    }

    #[test]
    fn accept_and_rfc2543_targets() {
        let accept = |v: &str| {
            let mut h = Headers::default();
            h.push(headers::Accept::new(v).into());
            accepts_sdp(&h)
        };
        assert!(accepts_sdp(&Headers::default()));
        assert!(accept("application/sdp"));
        assert!(accept("text/html, application/*;q=0.5"));
        assert!(accept("*/*"));
        assert!(!accept("text/nobodyKnowsThis"));
        assert!(!accept("application/sdp;q=0"));
        assert!(!accept(""));

        // RFC 2543 peer (no branch) without Contact: the From URI is the target.
        let old = "INVITE sip:b@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1\r\n\
            From: <sip:a@192.0.2.1;user=phone>\r\nTo: <sip:b@192.0.2.2>\r\n\
            Call-ID: old\r\nCSeq: 1 INVITE\r\n\r\n";
        let Ok(Inbound::Request(req, meta)) = parse(old.as_bytes(), "t", &mut rng()) else {
            panic!("should parse");
        };
        assert!(meta.rfc2543);
        assert_eq!(
            remote_target(&req.headers, &meta).unwrap().to_string(),
            "sip:a@192.0.2.1;user=phone"
        );
        // An RFC 3261 INVITE without Contact has no target (§8.1.1.8).
        let new = old.replace("192.0.2.1\r\n", "192.0.2.1;branch=z9hG4bKx\r\n");
        let Ok(Inbound::Request(req, meta)) = parse(new.as_bytes(), "t", &mut rng()) else {
            panic!("should parse");
        };
        assert!(remote_target(&req.headers, &meta).is_none());
    }
}
