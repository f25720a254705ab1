//! URIs as SIP carries them (RFC 3261 §19.1, §25.1), with IPv6 references (RFC 5118).
//!
//! A SIP or SIPS URI is split into its parts without copying; the parts stay escaped as on
//! the wire (a proxy or a dialog must re-send them unchanged) and are unescaped on demand.
//! Any other scheme (`tel:`, `http:`, `isbn:` ...) is kept opaque: the UA never routes on it,
//! it only has to parse past it (RFC 4475 §3.3.2 and §3.3.4).

use std::borrow::Cow;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// A URI in a Request-Line or inside a name-addr.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Uri<'a> {
    Sip(SipUri<'a>),
    /// `scheme ":" rest` of a scheme we do not interpret (RFC 3261 §19.1 absoluteURI).
    Other {
        scheme: &'a str,
        rest: &'a str,
    },
}

/// The parts of a `sip:` / `sips:` URI (RFC 3261 §19.1.1), still escaped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SipUri<'a> {
    /// `sips:` rather than `sip:`.
    pub secure: bool,
    /// User part as sent; may hold `;` and `?` (RFC 3261 §25.1 user-unreserved, RFC 4475
    /// §3.1.1.9) and %HH escapes.
    pub user: Option<&'a str>,
    pub password: Option<&'a str>,
    pub host: Host<'a>,
    pub port: Option<u16>,
    /// `;name[=value]` URI parameters, escaped.
    pub params: UriParams<'a>,
    /// `?h=v&...` URI headers (without the `?`), escaped.
    pub headers: Option<&'a str>,
}

/// The host of a URI or Via sent-by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Host<'a> {
    /// A domain name, as sent (compare case-insensitively, RFC 3261 §19.1.4).
    Name(&'a str),
    V4(Ipv4Addr),
    /// Written `[addr]` in SIP (RFC 3261 §25.1 IPv6reference, RFC 5118 §4.1).
    V6(Ipv6Addr),
}

impl fmt::Display for Host<'_> {
    /// The form a SIP header carries: IPv6 in brackets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Name(n) => f.write_str(n),
            Host::V4(ip) => write!(f, "{ip}"),
            Host::V6(ip) => write!(f, "[{ip}]"),
        }
    }
}

impl Host<'_> {
    pub fn ip(&self) -> Option<std::net::IpAddr> {
        match *self {
            Host::Name(_) => None,
            Host::V4(ip) => Some(ip.into()),
            Host::V6(ip) => Some(ip.into()),
        }
    }
}

/// Validated `;name[=value]` URI parameters, iterated on demand (no allocation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UriParams<'a> {
    /// Everything from the first `;` on (empty when there are none).
    raw: &'a str,
}

impl<'a> UriParams<'a> {
    pub fn as_str(&self) -> &'a str {
        self.raw
    }

    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// `(name, value)` pairs, escaped as sent.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, Option<&'a str>)> + use<'a> {
        self.raw
            .split(';')
            .skip(1)
            .map(|p| match p.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (p, None),
            })
    }

    /// The parameter whose unescaped name equals `name` case-insensitively (RFC 3261
    /// §19.1.4): `Some(None)` for a flag like `lr`, `Some(Some(v))` with the escaped value.
    pub fn get(&self, name: &str) -> Option<Option<&'a str>> {
        self.iter()
            .find(|(n, _)| escaped_eq_ignore_case(n, name))
            .map(|(_, v)| v)
    }
}

/// Compare an escaped token with a plain one without allocating (RFC 3261 §19.1.4: `%6C%72`
/// and `lr` are the same parameter name).
fn escaped_eq_ignore_case(escaped: &str, plain: &str) -> bool {
    let mut plain = plain.bytes();
    let mut bytes = Unescape::new(escaped.as_bytes());
    loop {
        match (bytes.next(), plain.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a.eq_ignore_ascii_case(&b) => {}
            _ => return false,
        }
    }
}

/// Iterator decoding %HH escapes once (RFC 3261 §19.1.2; RFC 4475 §3.1.1.3: `%25%34%31`
/// becomes `%41`, not `A`). A `%` not followed by two hex digits stays literal.
struct Unescape<'a> {
    rest: &'a [u8],
}

impl<'a> Unescape<'a> {
    fn new(rest: &'a [u8]) -> Self {
        Unescape { rest }
    }
}

impl Iterator for Unescape<'_> {
    type Item = u8;
    fn next(&mut self) -> Option<u8> {
        match *self.rest {
            [b'%', h, l, ref rest @ ..] if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                self.rest = rest;
                Some(hex(h) << 4 | hex(l))
            }
            [b, ref rest @ ..] => {
                self.rest = rest;
                Some(b)
            }
            [] => None,
        }
    }
}

fn hex(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0, // callers only pass hex digits
    }
}

/// Decode %HH escapes once. The result may hold any octet, NUL included (RFC 4475 §3.1.1.4:
/// a user name is not cut at `%00`).
pub fn unescape(s: &str) -> Cow<'_, [u8]> {
    if s.contains('%') {
        Cow::Owned(Unescape::new(s.as_bytes()).collect())
    } else {
        Cow::Borrowed(s.as_bytes())
    }
}

/// [`unescape`] as text; octets that are not UTF-8 become U+FFFD.
pub fn unescape_str(s: &str) -> Cow<'_, str> {
    match unescape(s) {
        Cow::Borrowed(_) => Cow::Borrowed(s),
        Cow::Owned(bytes) => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
    }
}

impl<'a> Uri<'a> {
    /// Parse a URI that has no surrounding whitespace or brackets. Only the SIP(S) grammar
    /// is checked in depth; other schemes just need `scheme ":" 1*non-space`.
    pub fn parse(s: &'a str) -> Result<Self, &'static str> {
        let (scheme, rest) = s.split_once(':').ok_or("no URI scheme")?;
        // RFC 3261 §25.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
        let mut chars = scheme.bytes();
        if !chars.next().is_some_and(|b| b.is_ascii_alphabetic())
            || !chars.all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        {
            return Err("bad URI scheme");
        }
        if rest.is_empty() || rest.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err("empty URI or whitespace in it");
        }
        if scheme.eq_ignore_ascii_case("sip") {
            SipUri::parse_rest(false, rest).map(Uri::Sip)
        } else if scheme.eq_ignore_ascii_case("sips") {
            SipUri::parse_rest(true, rest).map(Uri::Sip)
        } else {
            Ok(Uri::Other { scheme, rest })
        }
    }

    pub fn sip(&self) -> Option<&SipUri<'a>> {
        match self {
            Uri::Sip(u) => Some(u),
            Uri::Other { .. } => None,
        }
    }
}

/// Host name characters. RFC 3261 §25.1 allows alphanumerics, `-` and `.`; `_` is accepted
/// too because deployed devices use it in host names.
fn is_host_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_'
}

/// An IPv6 address inside `[...]`. RFC 5118 §4.10: the original RFC 3261 ABNF allowed
/// `2001:db8:::192.0.2.1` (three colons), and receivers should take it as the two-colon form.
fn parse_ipv6(s: &str) -> Option<Ipv6Addr> {
    s.parse().ok().or_else(|| {
        let (a, b) = s.split_once(":::")?;
        if b.contains("::") || a.contains("::") {
            return None;
        }
        format!("{a}::{b}").parse().ok()
    })
}

/// `host` at the start of `s` (a name, IPv4 address or `[IPv6]`), and the rest.
pub(crate) fn parse_host(s: &str) -> Result<(Host<'_>, &str), &'static str> {
    if let Some(inner) = s.strip_prefix('[') {
        let close = inner.find(']').ok_or("unterminated IPv6 reference")?;
        let ip = parse_ipv6(&inner[..close]).ok_or("bad IPv6 address")?;
        return Ok((Host::V6(ip), &inner[close + 1..]));
    }
    let end = s.bytes().position(|b| !is_host_char(b)).unwrap_or(s.len());
    let name = &s[..end];
    if name.is_empty() {
        return Err("empty host");
    }
    // A name made only of digits and dots must be an IPv4 address (a top label starts with
    // a letter, RFC 3261 §25.1).
    let host = if name.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        Host::V4(name.parse().map_err(|_| "bad IPv4 address")?)
    } else {
        Host::Name(name)
    };
    Ok((host, &s[end..]))
}

/// `1*DIGIT` as a port number.
pub(crate) fn parse_port(s: &str) -> Result<u16, &'static str> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err("bad port");
    }
    s.parse().map_err(|_| "port out of range")
}

impl<'a> SipUri<'a> {
    /// The part after `sip:` / `sips:`.
    fn parse_rest(secure: bool, rest: &'a str) -> Result<Self, &'static str> {
        // userinfo ends at the first '@': neither user, password, host, params nor headers
        // may hold an unescaped '@' (RFC 3261 §25.1), while the user part may hold '?' and
        // ';' (RFC 4475 §3.1.1.2 and §3.1.1.9), so '@' is the only safe delimiter.
        let (userinfo, hostport) = match rest.split_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        let (user, password) = match userinfo {
            None => (None, None),
            Some(u) => {
                let (user, password) = match u.split_once(':') {
                    Some((user, pw)) => (user, Some(pw)),
                    None => (u, None),
                };
                if user.is_empty() {
                    return Err("empty user part");
                }
                (Some(user), password)
            }
        };
        let (host, after) = parse_host(hostport)?;
        let (port, after) = match after.strip_prefix(':') {
            Some(p) => {
                let end = super::header::find_any(p, b";?").unwrap_or(p.len());
                (Some(parse_port(&p[..end])?), &p[end..])
            }
            None => (None, after),
        };
        let (params, headers) = match after.split_once('?') {
            Some((params, headers)) => (params, Some(headers)),
            None => (after, None),
        };
        if !params.is_empty() {
            if !params.starts_with(';') {
                return Err("junk after the host");
            }
            // RFC 3261 §25.1 uri-parameter: pname is 1*paramchar.
            if params
                .split(';')
                .skip(1)
                .any(|p| p.is_empty() || p.starts_with('='))
            {
                return Err("empty URI parameter");
            }
        }
        Ok(SipUri {
            secure,
            user,
            password,
            host,
            port,
            params: UriParams { raw: params },
            headers,
        })
    }

    /// The user part with escapes decoded once.
    pub fn user_unescaped(&self) -> Option<Cow<'a, [u8]>> {
        self.user.map(unescape)
    }
}

impl fmt::Display for SipUri<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.secure { "sips:" } else { "sip:" })?;
        if let Some(user) = self.user {
            f.write_str(user)?;
            if let Some(pw) = self.password {
                write!(f, ":{pw}")?;
            }
            f.write_str("@")?;
        }
        write!(f, "{}", self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        f.write_str(self.params.raw)?;
        if let Some(h) = self.headers {
            write!(f, "?{h}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Uri<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Uri::Sip(u) => write!(f, "{u}"),
            Uri::Other { scheme, rest } => write!(f, "{scheme}:{rest}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sip(s: &str) -> SipUri<'_> {
        match Uri::parse(s) {
            Ok(Uri::Sip(u)) => u,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn parts_and_escapes() {
        let u = sip("sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31");
        assert_eq!(u.user_unescaped().unwrap().as_ref(), b"caller");
        assert_eq!(u.params.get("lr"), Some(None));
        assert_eq!(
            u.params.get("name").flatten().map(unescape_str).unwrap(),
            "value%41"
        );
        let u = sip("sip:user;par=u%40example.net@example.com");
        assert_eq!(u.user, Some("user;par=u%40example.net"));
        assert_eq!(u.host, Host::Name("example.com"));
        assert!(u.params.is_empty());
        let u = sip("sips:alice:secret@192.0.2.1:5061;transport=tls?subject=hi");
        assert!(u.secure);
        assert_eq!((u.user, u.password), (Some("alice"), Some("secret")));
        assert_eq!(
            (u.host, u.port),
            (Host::V4(Ipv4Addr::new(192, 0, 2, 1)), Some(5061))
        );
        assert_eq!(u.headers, Some("subject=hi"));
        assert_eq!(
            u.to_string(),
            "sips:alice:secret@192.0.2.1:5061;transport=tls?subject=hi"
        );
        assert_eq!(unescape("null-%00-null").as_ref(), b"null-\0-null");
        assert_eq!(unescape("100%").as_ref(), b"100%");
    }

    #[test]
    fn ipv6_references() {
        let u = sip("sip:[2001:db8::10]:5070");
        assert_eq!(u.host, Host::V6("2001:db8::10".parse().unwrap()));
        assert_eq!(u.port, Some(5070));
        // RFC 5118 §4.3: no port hidden inside the brackets.
        let u = sip("sip:[2001:db8::10:5070]");
        assert_eq!(u.host, Host::V6("2001:db8::10:5070".parse().unwrap()));
        assert_eq!(u.port, None);
        // RFC 5118 §4.10
        assert_eq!(
            sip("sip:u@[2001:db8:::192.0.2.1]").host,
            sip("sip:u@[2001:db8::192.0.2.1]").host
        );
        assert_eq!(sip("sip:[::1]").to_string(), "sip:[::1]");
        // RFC 5118 §4.2: no brackets.
        assert!(Uri::parse("sip:2001:db8::10").is_err());
        assert!(Uri::parse("sip:[2001:db8::10").is_err());
        assert!(Uri::parse("sip:[::1]x").is_err());
    }

    #[test]
    fn rejects() {
        for bad in [
            "sip:",
            "sip:@host",
            "sip:host:",
            "sip:host:99999",
            "sip:host;;a",
            "sip:ho st",
            "<sip:a@b>",
            "1x:foo",
            "sip:256.1.1.1",
            "sip:a@b c",
        ] {
            assert!(Uri::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Uri::parse("nobodyKnowsThisScheme:totallyopaquecontent"),
            Ok(Uri::Other {
                scheme: "nobodyKnowsThisScheme",
                rest: "totallyopaquecontent"
            })
        );
    }
}
