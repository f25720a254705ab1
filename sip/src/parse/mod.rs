//! The SIP parser of the core: framing, start line and header fields of a UDP datagram
//! (RFC 3261 §7, §18.3), and typed parsing of the header fields a UA acts on (§20, §25),
//! IPv6 included (RFC 5118).
//!
//! Why the core owns this instead of rsip 0.4 (measured against the RFC 4475 / RFC 5118
//! torture messages): rsip refuses folded lines, space before the colon, header values it
//! cannot tokenize (long or unusual ones), unknown methods, unknown URI schemes and every
//! IPv6 reference, misses compact names such as `i`, and accepts malformed messages
//! (empty Via parameters, unbalanced quotes, `<...>` around the Request-URI, unquoted
//! display names with commas, too-large and negative Content-Length). rsip still provides the message types the rest of the crate builds and
//! sends ([`crate`]'s `message` module converts into them).
//!
//! Everything here borrows from the datagram; only unfolded or non-UTF-8 header values are
//! copied. Work is linear in the datagram size, and the datagram is bounded by
//! [`MAX_MESSAGE`], the header count by [`MAX_HEADERS`].

mod header;
mod uri;

use std::borrow::Cow;

pub use header::{CSeq, ListElements, NameAddr, Params, Via, list_elements, unquote};
pub use uri::{Host, SipUri, Uri, UriParams, unescape, unescape_str};

/// Largest message accepted: a UDP datagram cannot carry more (RFC 768 length field).
pub const MAX_MESSAGE: usize = 65_535;
/// Most header fields accepted in one message. Real messages carry a few dozen; the bound
/// keeps a crafted datagram of thousands of tiny headers cheap to refuse.
pub const MAX_HEADERS: usize = 1_000;

/// Where the first message in a stream buffer ends ([`frame`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framed {
    /// `buf[..len]` is one message (with any CRLFs before it, which §7.5 lets a receiver
    /// ignore), or only CRLFs (an RFC 5626 §3.5.1 keep-alive) to drop.
    Complete(usize),
    /// More bytes are needed.
    Incomplete,
    /// The stream cannot be framed: no or a bad Content-Length, or a message larger than
    /// [`MAX_MESSAGE`]. Nothing after it can be found again; close the connection.
    Invalid,
}

/// Frame the first message of a stream (TCP, TLS) buffer. RFC 3261 §18.3: on a stream the
/// Content-Length header field MUST be present and says where the body, and so the
/// message, ends (§7.5: CRLFs before the start line are ignored).
pub fn frame(buf: &[u8]) -> Framed {
    let start = buf
        .iter()
        .position(|b| *b != b'\r' && *b != b'\n')
        .unwrap_or(buf.len());
    if start == buf.len() {
        return if start == 0 {
            Framed::Incomplete
        } else {
            Framed::Complete(start)
        };
    }
    let rest = &buf[start..];
    let Some(head_end) = rest.windows(4).position(|w| w == b"\r\n\r\n") else {
        return if rest.len() > MAX_MESSAGE {
            Framed::Invalid
        } else {
            Framed::Incomplete
        };
    };
    let mut length: Option<usize> = None;
    // Header lines after the start line; folded continuation lines (leading SP/HT) cannot
    // start a Content-Length field.
    for line in rest[..head_end].split(|b| *b == b'\n').skip(1) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let name = trim(&line[..colon]);
        if !(name.eq_ignore_ascii_case(b"content-length") || name.eq_ignore_ascii_case(b"l")) {
            continue;
        }
        let value = trim(&line[colon + 1..]);
        // 1*DIGIT (§20.14); a value that does not fit is larger than any message we take.
        let parsed = (!value.is_empty() && value.iter().all(u8::is_ascii_digit))
            .then(|| std::str::from_utf8(value).ok()?.parse::<usize>().ok())
            .flatten();
        match (parsed, length) {
            (None, _) => return Framed::Invalid,
            (Some(n), Some(m)) if n != m => return Framed::Invalid,
            (Some(n), _) => length = Some(n),
        }
    }
    let Some(length) = length else {
        return Framed::Invalid;
    };
    let size = head_end + 4 + length;
    if size > MAX_MESSAGE {
        Framed::Invalid
    } else if rest.len() < size {
        Framed::Incomplete
    } else {
        Framed::Complete(start + size)
    }
}

/// Why bytes are not a usable SIP message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("empty message")]
    Empty,
    #[error("message larger than {MAX_MESSAGE} bytes")]
    TooLarge,
    #[error("more than {MAX_HEADERS} header fields")]
    TooManyHeaders,
    #[error("bad start line: {0}")]
    StartLine(&'static str),
    #[error("header line {line}: {why}")]
    HeaderLine { line: usize, why: &'static str },
    #[error("no empty line after the header fields")]
    Unterminated,
    #[error("Content-Length: {0}")]
    ContentLength(&'static str),
    #[error("missing {0}")]
    Missing(&'static str),
    #[error("more than one {0}")]
    Duplicate(&'static str),
    #[error("{name}: {why}")]
    Header {
        name: &'static str,
        why: &'static str,
    },
}

impl ParseError {
    /// The response a UAS gives a request that fails this way (RFC 3261 §21.4.1 400,
    /// §21.5.14 513 Message Too Large).
    pub fn status(&self) -> u16 {
        match self {
            ParseError::TooLarge | ParseError::TooManyHeaders => 513,
            _ => 400,
        }
    }
}

/// `SIP/major.minor` (RFC 3261 §7.1; the name is case-insensitive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
}

impl Version {
    pub const SIP_2_0: Version = Version { major: 2, minor: 0 };

    fn parse(s: &[u8]) -> Option<Version> {
        let rest = s
            .get(4..)
            .filter(|_| s[..4].eq_ignore_ascii_case(b"SIP/"))?;
        let text = std::str::from_utf8(rest).ok()?;
        let (major, minor) = text.split_once('.')?;
        let digits = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
        if !digits(major) || !digits(minor) {
            return None;
        }
        Some(Version {
            major: major.parse().ok()?,
            minor: minor.parse().ok()?,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StartLine<'a> {
    /// `Method SP Request-URI SP SIP-Version` (RFC 3261 §7.1). The method is any token:
    /// methods are case-sensitive and extensible, so an unknown one still parses
    /// (RFC 4475 §3.1.1.2) and is refused above the parser with 501.
    Request {
        method: &'a str,
        uri: &'a str,
        version: Version,
    },
    /// `SIP-Version SP Status-Code SP Reason-Phrase` (RFC 3261 §7.2).
    Response {
        version: Version,
        code: u16,
        reason: Cow<'a, str>,
    },
}

/// One header field: the name with compact forms expanded (RFC 3261 §7.3.3), the value
/// unfolded (§7.3.1) and trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderField<'a> {
    pub name: &'a str,
    pub value: Cow<'a, str>,
}

/// A framed SIP message: start line, header fields in order, and the body as Content-Length
/// frames it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message<'a> {
    pub start: StartLine<'a>,
    pub headers: Vec<HeaderField<'a>>,
    pub body: &'a [u8],
    /// Octets after the body that Content-Length left out; RFC 3261 §18.3 discards them
    /// (RFC 4475 §3.1.1.8).
    pub discarded: usize,
}

/// RFC 3261 §7.3.3 compact header names.
fn expand_compact(name: &str) -> &str {
    if name.len() != 1 {
        return name;
    }
    match name.as_bytes()[0].to_ascii_lowercase() {
        b'i' => "Call-ID",
        b'm' => "Contact",
        b'e' => "Content-Encoding",
        b'l' => "Content-Length",
        b'c' => "Content-Type",
        b'f' => "From",
        b's' => "Subject",
        b'k' => "Supported",
        b't' => "To",
        b'v' => "Via",
        // Later extensions: RFC 3515 Refer-To, RFC 3892 Referred-By, RFC 3265 Event and
        // Allow-Events, RFC 3841 Accept-/Reject-Contact and Request-Disposition, RFC 4028
        // Session-Expires, RFC 4474 Identity and Identity-Info.
        b'r' => "Refer-To",
        b'b' => "Referred-By",
        b'o' => "Event",
        b'u' => "Allow-Events",
        b'a' => "Accept-Contact",
        b'j' => "Reject-Contact",
        b'd' => "Request-Disposition",
        b'x' => "Session-Expires",
        b'y' => "Identity",
        b'n' => "Identity-Info",
        _ => name,
    }
}

/// Lines of `data`, ended by LF with an optional CR before it, with the offset after each.
struct Lines<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Lines<'a> {
    /// The next complete line (without its terminator), or `None` at the end; a final line
    /// without LF is reported as `Err`.
    fn next_line(&mut self) -> Option<Result<&'a [u8], ()>> {
        let rest = &self.data[self.pos..];
        if rest.is_empty() {
            return None;
        }
        match find_lf(rest) {
            Some(nl) => {
                self.pos += nl + 1;
                Some(Ok(rest[..nl].strip_suffix(b"\r").unwrap_or(&rest[..nl])))
            }
            None => {
                self.pos = self.data.len();
                Some(Err(()))
            }
        }
    }
}

/// Position of the first LF, eight octets at a time: line splitting is the only pass over
/// every octet of the head, so it is worth not going byte by byte.
fn find_lf(hay: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const LF: u64 = ONES * b'\n' as u64;
    let mut chunks = hay.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ LF;
        // A zero byte in x is an LF in the chunk (the classic has-zero-byte test).
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found != 0 {
            return Some(base + (found.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| base + i)
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

/// Header text is UTF-8 (RFC 3261 §25.1 TEXT-UTF8); other octets are shown as U+FFFD rather
/// than refusing the message over a display name.
fn text(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

fn parse_start_line(line: &[u8]) -> Result<StartLine<'_>, ParseError> {
    let bad = ParseError::StartLine;
    if line.len() >= 4 && line[..4].eq_ignore_ascii_case(b"SIP/") {
        let sp = line
            .iter()
            .position(|&b| b == b' ')
            .ok_or(bad("no status code"))?;
        let version = Version::parse(&line[..sp]).ok_or(bad("bad SIP-Version"))?;
        let rest = &line[sp + 1..];
        // Status-Code = 3DIGIT, then SP; the phrase may be empty (RFC 4475 §3.1.1.13). A
        // missing SP after the code is tolerated when nothing follows it.
        let code = match rest {
            [a, b, c] | [a, b, c, b' ', ..] if [a, b, c].iter().all(|d| d.is_ascii_digit()) => {
                u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0')
            }
            _ => return Err(bad("status code is not three digits")),
        };
        if !(100..=699).contains(&code) {
            return Err(bad("status code out of range"));
        }
        return Ok(StartLine::Response {
            version,
            code,
            reason: text(rest.get(4..).unwrap_or_default()),
        });
    }
    // Exactly one SP between the three elements: extra or trailing whitespace is malformed
    // (RFC 4475 §3.1.2.8 - §3.1.2.10), and so is a Request-URI with whitespace in it.
    let mut parts = line.splitn(3, |&b| b == b' ');
    let (Some(method), Some(uri), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("not Method SP Request-URI SP SIP-Version"));
    };
    if method.is_empty() || !method.iter().all(|&b| header::is_token(b)) {
        return Err(bad("method is not a token"));
    }
    if uri.is_empty() || !uri.iter().all(|&b| b.is_ascii_graphic()) {
        return Err(bad("empty Request-URI or bad octets in it"));
    }
    let version = Version::parse(version).ok_or(bad("bad SIP-Version"))?;
    // Both are ASCII after the checks above.
    let ascii = |b| std::str::from_utf8(b).map_err(|_| bad("not ASCII"));
    Ok(StartLine::Request {
        method: ascii(method)?,
        uri: ascii(uri)?,
        version,
    })
}

impl<'a> Message<'a> {
    /// Frame one datagram (RFC 3261 §7, §18.3): CRLFs before the start line are skipped
    /// (§7.5), lines may end in CRLF or a bare LF, folded lines are joined, the body is what
    /// Content-Length says (or the rest of the datagram without one).
    pub fn parse(data: &'a [u8]) -> Result<Self, ParseError> {
        if data.len() > MAX_MESSAGE {
            return Err(ParseError::TooLarge);
        }
        let skip = data
            .iter()
            .position(|&b| b != b'\r' && b != b'\n')
            .ok_or(ParseError::Empty)?;
        let mut lines = Lines {
            data: &data[skip..],
            pos: 0,
        };
        let first = match lines.next_line() {
            Some(Ok(line)) => line,
            _ => return Err(ParseError::Unterminated),
        };
        let start = parse_start_line(first)?;

        let mut headers: Vec<HeaderField<'a>> = Vec::with_capacity(24);
        let mut terminated = false;
        let mut number = 1;
        while let Some(line) = lines.next_line() {
            number += 1;
            let Ok(line) = line else {
                // The datagram stops inside a line: truncated.
                return Err(ParseError::Unterminated);
            };
            let header_line = |why| ParseError::HeaderLine { line: number, why };
            match line.first() {
                None => {
                    terminated = true;
                    break;
                }
                Some(b' ' | b'\t') => {
                    // RFC 3261 §7.3.1: a continuation line; its LWS stands for one SP.
                    let last = headers
                        .last_mut()
                        .ok_or(header_line("continuation before any header"))?;
                    let more = trim(line);
                    if !more.is_empty() {
                        let value = last.value.to_mut();
                        if !value.is_empty() {
                            value.push(' ');
                        }
                        value.push_str(&text(more));
                    }
                }
                Some(_) => {
                    if headers.len() == MAX_HEADERS {
                        return Err(ParseError::TooManyHeaders);
                    }
                    let colon = line
                        .iter()
                        .position(|&b| b == b':')
                        .ok_or(header_line("no colon"))?;
                    // field-name = token, then HCOLON = *( SP / HTAB ) ":" SWS.
                    let name = trim(&line[..colon]);
                    if name.is_empty() || !name.iter().all(|&b| header::is_token(b)) {
                        return Err(header_line("header name is not a token"));
                    }
                    let name = std::str::from_utf8(name).map_err(|_| header_line("not ASCII"))?;
                    headers.push(HeaderField {
                        name: expand_compact(name),
                        value: text(trim(&line[colon + 1..])),
                    });
                }
            }
        }
        // Without the empty line, every line still ended in LF (a cut line returned above):
        // the datagram is taken as complete with an empty body. UDP keeps datagram
        // boundaries, so nothing else can follow (several published torture messages lack
        // that line, RFC 4475 §3.1.2.15, RFC 5118 §4.10).
        debug_assert!(terminated || lines.pos == lines.data.len());
        let rest = &lines.data[lines.pos..];

        let mut length: Option<usize> = None;
        for h in headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case("Content-Length"))
        {
            // Content-Length = 1*DIGIT (RFC 3261 §20.14): no sign (RFC 4475 §3.1.2.3).
            let v = h.value.as_ref();
            if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ParseError::ContentLength("not a number"));
            }
            let n = v
                .parse::<usize>()
                .map_err(|_| ParseError::ContentLength("larger than the datagram"))?;
            // RFC 4475 §3.3.9: two different values leave the framing unknowable.
            if length.is_some_and(|l| l != n) {
                return Err(ParseError::ContentLength("conflicting values"));
            }
            length = Some(n);
        }
        let body = match length {
            // RFC 3261 §18.3: over UDP, a body shorter than Content-Length is an error ...
            Some(n) if n > rest.len() => {
                return Err(ParseError::ContentLength("larger than the datagram"));
            }
            // ... and octets beyond it are discarded.
            Some(n) => &rest[..n],
            // Without Content-Length the body runs to the end of the datagram.
            None => rest,
        };
        Ok(Message {
            start,
            headers,
            body,
            discarded: rest.len() - body.len(),
        })
    }

    /// Values of the header fields called `name` (case-insensitive, compact forms already
    /// expanded), in order.
    pub fn header_values<'m>(&'m self, name: &'m str) -> impl Iterator<Item = &'m str> + 'm {
        self.headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_ref())
    }

    /// The first value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_ref())
    }

    /// Parse the header fields every UA needs (see [`Essentials`]).
    pub fn essentials(&self) -> Result<Essentials<'_>, ParseError> {
        Essentials::parse(self)
    }
}

/// The header fields a UA acts on, parsed and checked: Via (all values), From, To, Call-ID,
/// CSeq (RFC 3261 §8.1.1 mandatory set), Max-Forwards, Contact, Record-Route, Content-Type
/// and Content-Length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Essentials<'m> {
    /// Every Via value, top first (several may share one header line).
    pub vias: Vec<Via<'m>>,
    pub from: NameAddr<'m>,
    pub to: NameAddr<'m>,
    pub call_id: &'m str,
    pub cseq: CSeq<'m>,
    /// `None` when absent or not a number in 0..=255: RFC 4475 §3.1.2.4 allows a UA to treat
    /// a bad value as absent, and RFC 2543 peers do not send it (RFC 4475 §3.4.1).
    pub max_forwards: Option<u8>,
    pub contacts: Vec<NameAddr<'m>>,
    /// `Contact: *` (RFC 3261 §10.2.2, REGISTER only).
    pub contact_star: bool,
    pub record_route: Vec<NameAddr<'m>>,
    pub content_type: Option<&'m str>,
    pub content_length: Option<usize>,
}

/// Set a single-valued header once (RFC 4475 §3.3.8: a second value is an error).
fn once<T>(slot: &mut Option<T>, name: &'static str, value: T) -> Result<(), ParseError> {
    if slot.is_some() {
        return Err(ParseError::Duplicate(name));
    }
    *slot = Some(value);
    Ok(())
}

impl<'m> Essentials<'m> {
    fn parse(msg: &'m Message<'_>) -> Result<Self, ParseError> {
        let bad = |name, why| ParseError::Header { name, why };
        let (mut from, mut to, mut call_id, mut cseq) = (None, None, None, None);
        let (mut max_forwards, mut content_type, mut content_length) = (None, None, None);
        let (mut vias, mut contacts, mut record_route) = (Vec::new(), Vec::new(), Vec::new());
        let mut contact_star = false;
        // One pass over the fields; each value is parsed once.
        for h in &msg.headers {
            let (name, value) = (h.name, h.value.as_ref());
            let is = |n: &str| name.eq_ignore_ascii_case(n);
            if is("Via") {
                for v in list_elements(value) {
                    vias.push(Via::parse(v).map_err(|why| bad("Via", why))?);
                }
            } else if is("From") {
                let v = NameAddr::parse(value).map_err(|why| bad("From", why))?;
                once(&mut from, "From", v)?;
            } else if is("To") {
                let v = NameAddr::parse(value).map_err(|why| bad("To", why))?;
                once(&mut to, "To", v)?;
            } else if is("Call-ID") {
                // callid = word [ "@" word ]: one run of non-space characters.
                if value.is_empty() || header::find_any(value, b" \t").is_some() {
                    return Err(bad("Call-ID", "empty or with whitespace"));
                }
                once(&mut call_id, "Call-ID", value)?;
            } else if is("CSeq") {
                let v = CSeq::parse(value).map_err(|why| bad("CSeq", why))?;
                once(&mut cseq, "CSeq", v)?;
            } else if is("Max-Forwards") {
                let v = value
                    .parse::<u8>()
                    .ok()
                    .filter(|_| value.bytes().all(|b| b.is_ascii_digit()));
                once(&mut max_forwards, "Max-Forwards", v)?;
            } else if is("Contact") {
                if value == "*" {
                    contact_star = true;
                    continue;
                }
                for v in list_elements(value) {
                    contacts.push(NameAddr::parse(v).map_err(|why| bad("Contact", why))?);
                }
            } else if is("Record-Route") {
                for v in list_elements(value) {
                    let v = NameAddr::parse(v).map_err(|why| bad("Record-Route", why))?;
                    record_route.push(v);
                }
            } else if is("Content-Type") {
                // media-type = m-type SLASH m-subtype *(SEMI m-parameter)
                let (media, _) = value.split_once(';').unwrap_or((value, ""));
                if !media.contains('/') {
                    return Err(bad("Content-Type", "not type/subtype"));
                }
                once(&mut content_type, "Content-Type", value)?;
            } else if is("Content-Length") {
                // Framing already checked that all values agree.
                content_length = value.parse().ok();
            }
        }
        Ok(Essentials {
            vias: match vias.is_empty() {
                true => return Err(ParseError::Missing("Via")),
                false => vias,
            },
            from: from.ok_or(ParseError::Missing("From"))?,
            to: to.ok_or(ParseError::Missing("To"))?,
            call_id: call_id.ok_or(ParseError::Missing("Call-ID"))?,
            cseq: cseq.ok_or(ParseError::Missing("CSeq"))?,
            max_forwards: max_forwards.flatten(),
            contacts,
            contact_star,
            record_route,
            content_type,
            content_length,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_streams() {
        let one = b"OPTIONS sip:b@h SIP/2.0\r\nCSeq: 1 OPTIONS\r\nContent-Length: 3\r\n\r\nabc";
        // Every partial read of the message is incomplete; the whole is one frame.
        for cut in 0..one.len() {
            assert_eq!(frame(&one[..cut]), Framed::Incomplete, "cut at {cut}");
        }
        assert_eq!(frame(one), Framed::Complete(one.len()));
        // Two messages in one read: the first frame ends where the second starts.
        let two = [&one[..], b"\r\n\r\n", &one[..]].concat();
        assert_eq!(frame(&two), Framed::Complete(one.len()));
        let rest = &two[one.len()..];
        assert_eq!(
            frame(rest),
            Framed::Complete(rest.len()),
            "CRLFs before it ignored"
        );
        assert_eq!(frame(b"\r\n\r\n"), Framed::Complete(4), "keep-alive");
        // Compact form, folded lines around it.
        let compact = b"SIP/2.0 200 OK\r\nSubject: a\r\n b\r\nl :0\r\n\r\n";
        assert_eq!(frame(compact), Framed::Complete(compact.len()));
    }

    #[test]
    fn frame_refuses_what_cannot_be_framed() {
        let missing = b"OPTIONS sip:b@h SIP/2.0\r\nCSeq: 1 OPTIONS\r\n\r\nabc";
        assert_eq!(
            frame(missing),
            Framed::Invalid,
            "§18.3: mandatory on streams"
        );
        let bad = b"OPTIONS sip:b@h SIP/2.0\r\nContent-Length: -1\r\n\r\n";
        assert_eq!(frame(bad), Framed::Invalid);
        let twice = b"OPTIONS sip:b@h SIP/2.0\r\nl: 1\r\nContent-Length: 2\r\n\r\nab";
        assert_eq!(frame(twice), Framed::Invalid);
        let huge = b"OPTIONS sip:b@h SIP/2.0\r\nContent-Length: 99999999999999999999999\r\n\r\n";
        assert_eq!(frame(huge), Framed::Invalid);
        let big = b"OPTIONS sip:b@h SIP/2.0\r\nContent-Length: 70000\r\n\r\n";
        assert_eq!(frame(big), Framed::Invalid, "larger than MAX_MESSAGE");
        let endless = vec![b'a'; MAX_MESSAGE + 1];
        assert_eq!(
            frame(&endless),
            Framed::Invalid,
            "no end of header in sight"
        );
    }

    const OPTIONS: &str = "OPTIONS sip:bob@example.com SIP/2.0\r\n\
        Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx\r\n\
        From: <sip:a@example.com>;tag=1\r\n\
        To: <sip:bob@example.com>\r\n\
        Call-ID: c1\r\n\
        CSeq: 1 OPTIONS\r\n";

    /// OPTIONS plus `extra` header lines, the empty line and `body`.
    fn with(extra: &str, body: &str) -> Vec<u8> {
        let end = if extra.is_empty() || extra.ends_with('\n') {
            ""
        } else {
            "\r\n"
        };
        format!("{OPTIONS}{extra}{end}\r\n{body}").into_bytes()
    }

    #[test]
    fn frames_and_expands() {
        let data = with("l: 3\r\nX-A: 1\r\n  2\r\n", "abcdef");
        let m = Message::parse(&data).unwrap();
        assert_eq!(m.body, b"abc");
        assert_eq!(m.discarded, 3);
        assert_eq!(m.header("x-a"), Some("1 2"));
        assert_eq!(m.header("Content-Length"), Some("3"));
        let e = m.essentials().unwrap();
        assert_eq!(
            e.cseq,
            CSeq {
                seq: 1,
                method: "OPTIONS"
            }
        );
        assert_eq!(e.from.tag(), Some("1"));
        assert_eq!(e.to.tag(), None);
        assert_eq!(e.content_length, Some(3));
        // Bare LF line ends and no empty line at the end of the datagram.
        let lf = OPTIONS.replace("\r\n", "\n");
        let m = Message::parse(lf.as_bytes()).unwrap();
        assert_eq!(m.headers.len(), 5);
        assert!(m.body.is_empty());
    }

    #[test]
    fn start_lines() {
        let resp = b"SIP/2.0 100 \r\nVia: SIP/2.0/UDP h\r\n\r\n";
        let m = Message::parse(resp).unwrap();
        assert_eq!(
            m.start,
            StartLine::Response {
                version: Version::SIP_2_0,
                code: 100,
                reason: "".into()
            }
        );
        for bad in [
            "SIP/2.0 4294967301 x\r\n\r\n",
            "SIP/2.0 099 x\r\n\r\n",
            "SIP/2.0 20 x\r\n\r\n",
            "INVITE  sip:a SIP/2.0\r\n\r\n",
            "INVITE sip:a SIP/2.0  \r\n\r\n",
            "INVITE sip:a; lr SIP/2.0\r\n\r\n",
            "INVITE sip:a\r\n\r\n",
            "INV@TE sip:a SIP/2.0\r\n\r\n",
            "INVITE sip:a SIP/2\r\n\r\n",
            "INVITE sip:a SIP/2.0",
        ] {
            assert!(Message::parse(bad.as_bytes()).is_err(), "{bad:?}");
        }
        let m = Message::parse(b"FOO sip:a sip/7.0\r\n\r\n").unwrap();
        assert!(matches!(
            m.start,
            StartLine::Request {
                method: "FOO",
                version: Version { major: 7, minor: 0 },
                ..
            }
        ));
    }

    #[test]
    fn content_length_errors() {
        for (cl, want) in [
            (
                "l: 9999",
                ParseError::ContentLength("larger than the datagram"),
            ),
            ("l: -1", ParseError::ContentLength("not a number")),
            (
                "l: 99999999999999999999999",
                ParseError::ContentLength("larger than the datagram"),
            ),
            (
                "l: 1\r\nContent-Length: 2",
                ParseError::ContentLength("conflicting values"),
            ),
        ] {
            assert_eq!(Message::parse(&with(cl, "ab")), Err(want), "{cl}");
        }
        assert!(Message::parse(&with("l: 2\r\nContent-Length: 2", "ab")).is_ok());
    }

    #[test]
    fn essentials_errors() {
        let dup = with("CSeq: 2 OPTIONS", "");
        assert_eq!(
            Message::parse(&dup).unwrap().essentials(),
            Err(ParseError::Duplicate("CSeq"))
        );
        let missing = OPTIONS.replace("Call-ID: c1\r\n", "") + "\r\n";
        let m = Message::parse(missing.as_bytes()).unwrap();
        assert_eq!(m.essentials(), Err(ParseError::Missing("Call-ID")));
        let m = with("Max-Forwards: 300", "");
        assert_eq!(
            Message::parse(&m)
                .unwrap()
                .essentials()
                .unwrap()
                .max_forwards,
            None
        );
    }

    #[test]
    fn finds_lf() {
        for len in 0..40 {
            for at in 0..len {
                let mut v = vec![b'a'; len];
                v[at] = b'\n';
                if at + 3 < len {
                    v[at + 3] = b'\n';
                }
                // 0x8A and 0x0B next to LF must not confuse the byte test.
                if at > 0 {
                    v[at - 1] = 0x8a;
                }
                assert_eq!(find_lf(&v), Some(at), "{len} {at}");
            }
            assert_eq!(find_lf(&vec![0x0b; len]), None);
        }
    }

    #[test]
    fn limits() {
        assert_eq!(
            Message::parse(&vec![b'a'; MAX_MESSAGE + 1]),
            Err(ParseError::TooLarge)
        );
        let many = "X: y\r\n".repeat(MAX_HEADERS);
        assert_eq!(
            Message::parse(&with(&many, "")),
            Err(ParseError::TooManyHeaders)
        );
        assert_eq!(Message::parse(b"\r\n\r\n"), Err(ParseError::Empty));
        assert!(Message::parse(&with("Bad Name: x", "")).is_err());
        assert!(Message::parse(&with("NoColon", "")).is_err());
        assert!(Message::parse(b"OPTIONS sip:a SIP/2.0\r\n continuation\r\n\r\n").is_err());
    }
}
