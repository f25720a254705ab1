//! Typed views of the header fields a UA acts on: Via, From/To/Contact/Route (name-addr),
//! CSeq, and the generic `;name=value` parameters they carry (RFC 3261 §20, grammar §25.1).
//!
//! Values reach these parsers already unfolded (RFC 3261 §7.3.1), so linear whitespace is
//! only SP and HT. The grammar's SWS around `;`, `=`, `/` and `:` is accepted everywhere it
//! is allowed (RFC 4475 §3.1.1.1); empty list elements and empty parameters are not
//! (RFC 4475 §3.1.2.1).

use std::borrow::Cow;
use std::net::IpAddr;

use super::uri::{self, Host, Uri};

/// RFC 3261 §25.1 token characters, as a table: tokens are scanned octet by octet in
/// every header name and most values.
const TOKEN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || matches!(c, b'-' | b'.' | b'!' | b'%' | b'*')
            || matches!(c, b'_' | b'+' | b'`' | b'\'' | b'~');
        b += 1;
    }
    t
};

pub(crate) fn is_token(b: u8) -> bool {
    TOKEN[usize::from(b)]
}

fn skip_ws(s: &str) -> &str {
    let n = s.bytes().take_while(|&b| b == b' ' || b == b'\t').count();
    &s[n..]
}

fn trim_ws(s: &str) -> &str {
    let s = skip_ws(s);
    let n = s
        .bytes()
        .rev()
        .take_while(|&b| b == b' ' || b == b'\t')
        .count();
    &s[..s.len() - n]
}

/// Position of the first octet of `s` in `set` (ASCII only).
pub(crate) fn find_any(s: &str, set: &[u8]) -> Option<usize> {
    s.bytes().position(|b| set.contains(&b))
}

/// The longest token at the start of `s`, and the rest.
fn take_token(s: &str) -> (&str, &str) {
    let end = s.bytes().position(|b| !is_token(b)).unwrap_or(s.len());
    s.split_at(end)
}

/// A quoted-string at the start of `s` (which begins with `"`), quotes included, and the
/// rest. RFC 3261 §25.1: a backslash escapes any following octet except CR and LF.
fn take_quoted(s: &str) -> Result<(&str, &str), &'static str> {
    let bytes = s.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return Ok(s.split_at(i + 1)),
            b'\\' if bytes.get(i + 1).is_some_and(|&b| b != b'\r' && b != b'\n') => i += 2,
            b'\r' | b'\n' | b'\\' => return Err("bad quoted-pair"),
            _ => i += 1,
        }
    }
    Err("unterminated quoted string")
}

/// The text of a quoted-string (`raw` with its quotes), quoted-pairs resolved.
pub fn unquote(raw: &str) -> Cow<'_, str> {
    let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) else {
        return Cow::Borrowed(raw);
    };
    if !inner.contains('\\') {
        return Cow::Borrowed(inner);
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        out.push(if c == '\\' {
            chars.next().unwrap_or('\\')
        } else {
            c
        });
    }
    Cow::Owned(out)
}

/// Elements of a comma-separated header value (RFC 3261 §7.3.1), trimmed, empty ones
/// included so that callers can refuse them. Commas inside quoted strings and `<...>` do
/// not separate.
pub fn list_elements(value: &str) -> ListElements<'_> {
    ListElements { rest: Some(value) }
}

pub struct ListElements<'a> {
    rest: Option<&'a str>,
}

impl<'a> Iterator for ListElements<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        let s = self.rest?;
        let (mut quoted, mut angle, mut escaped) = (false, false, false);
        for (i, b) in s.bytes().enumerate() {
            match b {
                _ if escaped => escaped = false,
                b'\\' if quoted => escaped = true,
                b'"' => quoted = !quoted,
                b'<' if !quoted => angle = true,
                b'>' if !quoted => angle = false,
                b',' if !quoted && !angle => {
                    self.rest = Some(&s[i + 1..]);
                    return Some(trim_ws(&s[..i]));
                }
                _ => {}
            }
        }
        self.rest = None;
        Some(trim_ws(s))
    }
}

/// Characters of an unquoted parameter value. RFC 3261 gen-value is token / host /
/// quoted-string; host adds `:`, `[` and `]` (IPv6, RFC 5118 §4.5 `received`). Anything
/// else printable but not a separator is tolerated.
fn is_value_char(b: u8) -> bool {
    b > b' ' && b != 0x7f && !b";,\"<>=".contains(&b)
}

/// Validated header parameters `*( SEMI generic-param )`, scanned again on each lookup
/// instead of being collected (they are few and short).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Params<'a> {
    raw: &'a str,
}

/// A parameter's name and value (as sent; `None` for a flag).
type Param<'a> = (&'a str, Option<&'a str>);

/// One `SEMI generic-param` at the start of `s` (which is not empty after SWS).
fn next_param(s: &str) -> Result<(Param<'_>, &str), &'static str> {
    let s = skip_ws(s)
        .strip_prefix(';')
        .ok_or("expected ';' before a parameter")?;
    let (name, rest) = take_token(skip_ws(s));
    if name.is_empty() {
        return Err("empty parameter");
    }
    let rest = skip_ws(rest);
    let Some(value) = rest.strip_prefix('=') else {
        return Ok(((name, None), rest));
    };
    let value = skip_ws(value);
    let (value, rest) = if value.starts_with('"') {
        take_quoted(value)?
    } else {
        let end = value
            .bytes()
            .position(|b| !is_value_char(b))
            .unwrap_or(value.len());
        value.split_at(end)
    };
    if value.is_empty() {
        return Err("empty parameter value");
    }
    Ok(((name, Some(value)), rest))
}

impl<'a> Params<'a> {
    /// Validate `s`, which must be empty or a run of `;name[=value]` with optional SWS.
    pub(crate) fn parse(s: &'a str) -> Result<Self, &'static str> {
        let mut rest = s;
        while !skip_ws(rest).is_empty() {
            rest = next_param(rest)?.1;
        }
        Ok(Params { raw: s })
    }

    /// `(name, value)` pairs; values as sent (quoted strings keep their quotes).
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, Option<&'a str>)> + use<'a> {
        let mut rest = self.raw;
        std::iter::from_fn(move || {
            if skip_ws(rest).is_empty() {
                return None;
            }
            let (param, next) = next_param(rest).ok()?;
            rest = next;
            Some(param)
        })
    }

    /// Parameter names are case-insensitive (RFC 3261 §7.3.1). `Some(None)` for a flag.
    pub fn get(&self, name: &str) -> Option<Option<&'a str>> {
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    pub fn as_str(&self) -> &'a str {
        self.raw
    }
}

/// A From, To, Contact, Route, Record-Route or Reply-To value (RFC 3261 §20.10):
/// `( name-addr / addr-spec ) *( SEMI param )`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameAddr<'a> {
    /// The display name as sent: a quoted-string (with quotes) or a run of tokens.
    pub display: Option<&'a str>,
    pub uri: Uri<'a>,
    /// Header parameters (after `>`, or after the addr-spec).
    pub params: Params<'a>,
    /// Written with `<...>` (then URI parameters belong to the URI, RFC 3261 §20.10).
    pub bracketed: bool,
}

impl<'a> NameAddr<'a> {
    pub fn parse(s: &'a str) -> Result<Self, &'static str> {
        let s = trim_ws(s);
        let (display, inner_and_rest) = if s.starts_with('"') {
            let (quoted, rest) = take_quoted(s)?;
            let rest = skip_ws(rest)
                .strip_prefix('<')
                .ok_or("expected '<' after the display name")?;
            (Some(quoted), Some(rest))
        } else {
            match find_any(s, b"<;\"") {
                Some(i) if s.as_bytes()[i] == b'<' => {
                    // RFC 3261 §25.1: display-name = *(token LWS) / quoted-string; an
                    // unquoted comma or period-space name is an error (RFC 4475 §3.1.2.15).
                    let name = trim_ws(&s[..i]);
                    if !name.bytes().all(|b| is_token(b) || b == b' ' || b == b'\t') {
                        return Err("unquoted display name with non-token characters");
                    }
                    ((!name.is_empty()).then_some(name), Some(&s[i + 1..]))
                }
                _ => (None, None),
            }
        };
        let (uri_text, params, bracketed) = match inner_and_rest {
            Some(inner) => {
                let close = inner.find('>').ok_or("missing '>'")?;
                (&inner[..close], &inner[close + 1..], true)
            }
            None => {
                // addr-spec form: header parameters start at the first ';', and the URI may
                // not hold ';', ',' or '?' (RFC 3261 §20.10, RFC 4475 §3.1.2.13).
                let end = s.find(';').unwrap_or(s.len());
                let uri_text = trim_ws(&s[..end]);
                if find_any(uri_text, b"?,").is_some() {
                    return Err("URI with '?' or ',' must be enclosed in <>");
                }
                (uri_text, &s[end..], false)
            }
        };
        // RFC 4475 §3.1.2.14: no whitespace inside <...>.
        let uri = Uri::parse(uri_text)?;
        Ok(NameAddr {
            display,
            uri,
            params: Params::parse(params)?,
            bracketed,
        })
    }

    /// The display name as text: quotes removed and quoted-pairs resolved.
    pub fn display_name(&self) -> Option<Cow<'a, str>> {
        self.display.map(|d| unquote(d))
    }

    pub fn tag(&self) -> Option<&'a str> {
        self.params.get("tag").flatten()
    }
}

/// One Via value (RFC 3261 §20.42): `sent-protocol LWS sent-by *( SEMI via-params )`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Via<'a> {
    pub protocol: &'a str,
    pub version: &'a str,
    pub transport: &'a str,
    pub host: Host<'a>,
    pub port: Option<u16>,
    pub params: Params<'a>,
}

impl<'a> Via<'a> {
    pub fn parse(s: &'a str) -> Result<Self, &'static str> {
        // sent-protocol = protocol-name SLASH protocol-version SLASH transport, where
        // SLASH = SWS "/" SWS (RFC 4475 §3.1.1.1 folds lines inside it).
        let (protocol, rest) = take_token(trim_ws(s));
        let slash = |r: &'a str| skip_ws(r).strip_prefix('/').map(skip_ws);
        let (version, rest) = take_token(slash(rest).ok_or("expected '/'")?);
        let (transport, rest) = take_token(slash(rest).ok_or("expected '/'")?);
        if protocol.is_empty() || version.is_empty() || transport.is_empty() {
            return Err("bad sent-protocol");
        }
        if !rest.starts_with([' ', '\t']) {
            return Err("expected whitespace before sent-by");
        }
        let (host, rest) = uri::parse_host(skip_ws(rest))?;
        // sent-by = host [ COLON port ], COLON = SWS ":" SWS
        let rest = skip_ws(rest);
        let (port, rest) = match rest.strip_prefix(':') {
            Some(p) => {
                let p = skip_ws(p);
                let end = p
                    .bytes()
                    .position(|b| !b.is_ascii_digit())
                    .unwrap_or(p.len());
                (Some(uri::parse_port(&p[..end])?), &p[end..])
            }
            None => (None, rest),
        };
        Ok(Via {
            protocol,
            version,
            transport,
            host,
            port,
            params: Params::parse(rest)?,
        })
    }

    pub fn branch(&self) -> Option<&'a str> {
        self.params.get("branch").flatten()
    }

    /// `received`, with or without brackets around an IPv6 address (RFC 5118 §4.5).
    pub fn received(&self) -> Option<IpAddr> {
        let v = self.params.get("received").flatten()?;
        v.trim_start_matches('[').trim_end_matches(']').parse().ok()
    }

    /// RFC 3581 `rport`: `Some(None)` when asked for, `Some(Some(port))` once filled in.
    pub fn rport(&self) -> Option<Option<&'a str>> {
        self.params.get("rport")
    }

    /// `host[:port]` as a header carries it.
    pub fn sent_by(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.host),
            None => self.host.to_string(),
        }
    }
}

/// CSeq (RFC 3261 §20.16): `1*DIGIT LWS Method`, the number below 2^32.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CSeq<'a> {
    pub seq: u32,
    pub method: &'a str,
}

impl<'a> CSeq<'a> {
    pub fn parse(s: &'a str) -> Result<Self, &'static str> {
        let s = trim_ws(s);
        let end = s
            .bytes()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(s.len());
        let (digits, rest) = s.split_at(end);
        if digits.is_empty() {
            return Err("no sequence number");
        }
        // Leading zeros are fine (RFC 4475 §3.1.1.1: 0009); 2^32 and above is not
        // (RFC 4475 §3.1.2.4).
        let seq = digits.parse().map_err(|_| "sequence number above 2^32-1")?;
        if !rest.starts_with([' ', '\t']) {
            return Err("expected whitespace before the method");
        }
        let (method, rest) = take_token(skip_ws(rest));
        if method.is_empty() || !rest.is_empty() {
            return Err("bad method");
        }
        Ok(CSeq { seq, method })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_addr_forms() {
        let n = NameAddr::parse(
            r#""J Rosenberg \\\""       <sip:jdrosen@example.com>   ;   tag = 98asjd8"#,
        )
        .unwrap();
        assert_eq!(n.display_name().unwrap(), r#"J Rosenberg \""#);
        assert_eq!(n.tag(), Some("98asjd8"));
        let n =
            NameAddr::parse("sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n").unwrap();
        assert_eq!(n.tag(), Some("1918181833n"));
        assert!(!n.bracketed);
        let n = NameAddr::parse("caller<sip:caller@example.com>;tag=323").unwrap();
        assert_eq!(n.display, Some("caller"));
        let n = NameAddr::parse("sip:+1972@gw1.example.net;unknownparam").unwrap();
        assert_eq!(n.uri.sip().unwrap().params.as_str(), "");
        assert_eq!(n.params.get("unknownparam"), Some(None));
        let n = NameAddr::parse("<sip:+1972@gw1.example.net;unknownparam>").unwrap();
        assert_eq!(n.uri.sip().unwrap().params.get("unknownparam"), Some(None));
        let n = NameAddr::parse("<http://www.example.com>;tag=3234233").unwrap();
        assert!(n.uri.sip().is_none());
        assert_eq!(n.tag(), Some("3234233"));
        let n = NameAddr::parse(r#""Caller" <sip:caller@[2001:db8::1]>"#).unwrap();
        assert_eq!(
            n.uri.sip().unwrap().host,
            Host::V6("2001:db8::1".parse().unwrap())
        );
    }

    #[test]
    fn name_addr_errors() {
        for bad in [
            r#""Mr. J. User <sip:j.user@example.com>"#,
            "Bell, Alexander <sip:a.g.bell@example.com>;tag=43",
            r#""Watson, Thomas" < sip:t.watson@example.org >"#,
            r#""Joe" <sip:joe@example.org>;;;;"#,
            "sip:user@example.com?Route=%3Csip:sip.example.com%3E",
            "<sip:a@b",
            "",
            "<>",
            "sip:a@b;tag=",
        ] {
            assert!(NameAddr::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn via_forms() {
        let v = Via::parse("SIP  /   2.0 /UDP 192.0.2.2;branch=390skdjuw").unwrap();
        assert_eq!((v.protocol, v.version, v.transport), ("SIP", "2.0", "UDP"));
        assert_eq!(v.branch(), Some("390skdjuw"));
        let v =
            Via::parse("SIP  / 2.0  / TCP     spindle.example.com   ;   branch  =   z9hG4bK9ikj8")
                .unwrap();
        assert_eq!(v.sent_by(), "spindle.example.com");
        assert_eq!(v.branch(), Some("z9hG4bK9ikj8"));
        let v = Via::parse("SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKas3-111;rport").unwrap();
        assert_eq!(v.sent_by(), "[2001:db8::9:1]:6050");
        assert_eq!(v.rport(), Some(None));
        for r in ["[2001:db8::9:255]", "2001:db8::9:255"] {
            let text = format!("SIP/2.0/UDP [2001:db8::9:1];received={r};branch=z9hG4bKas3");
            let v = Via::parse(&text).unwrap();
            assert_eq!(v.received(), Some("2001:db8::9:255".parse().unwrap()));
        }
        let v = Via::parse("SIP/2.0/UDP host : 5060 ;branch=z9hG4bKx").unwrap();
        assert_eq!(v.port, Some(5060));
        for bad in [
            "SIP/2.0/UDP 192.0.2.15;;",
            "SIP/2.0/UDP",
            "SIP/2.0 host",
            "SIP/2.0/UDPhost",
            "SIP/2.0/UDP host:70000",
            "SIP/2.0/UDP host junk",
        ] {
            assert!(Via::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cseq_and_lists() {
        assert_eq!(
            CSeq::parse("0009 INVITE"),
            Ok(CSeq {
                seq: 9,
                method: "INVITE"
            })
        );
        assert!(CSeq::parse("36893488147419103232 REGISTER").is_err());
        assert!(CSeq::parse("4294967296 INVITE").is_err());
        assert!(CSeq::parse("1INVITE").is_err());
        assert!(CSeq::parse("1 INVITE x").is_err());
        let v: Vec<_> = list_elements(r#"<sip:a;lr>, "x,y" <sip:b>,sip:c,,"#).collect();
        assert_eq!(v, ["<sip:a;lr>", r#""x,y" <sip:b>"#, "sip:c", "", ""]);
    }
}
