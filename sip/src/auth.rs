//! Digest authentication of our requests (RFC 3261 §22): reading the challenges of a 401
//! (WWW-Authenticate) or 407 (Proxy-Authenticate), choosing one per realm, and answering it
//! with MD5, SHA-256 or SHA-512/256 (RFC 7616 §3.4, RFC 8760 §2), with `qop=auth`,
//! `qop=auth-int` or without qop (the RFC 2069 form RFC 3261 still allows).
//!
//! Secrets: the password and every value derived from it (HA1, the `response`) only ever go
//! into the header of the request being authorised. [`Credentials`] prints its password as
//! `<secret>`, and nothing here logs or reports a header it built.

use std::fmt;

use md5::Md5;
use rsip::headers::{self, UntypedHeader};
use rsip::{Header, Request, Response};
use sha2::{Digest, Sha256, Sha512_256};

use crate::message;

/// A user name and password for one identity's service provider.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The authentication user name (often the same as the user part of the address).
    pub user: String,
    pub password: String,
}

impl Credentials {
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        Credentials {
            user: user.into(),
            password: password.into(),
        }
    }
}

/// Never shows the password (requirement P5: secrets are never logged).
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &"<secret>")
            .finish()
    }
}

/// Hash algorithms we answer, weakest first: the derived order is the preference order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Algorithm {
    Md5,
    Sha256,
    /// RFC 7616 §3.2 "SHA-512-256": SHA-512/256 (FIPS 180-4), not a truncated SHA-512.
    Sha512_256,
}

impl Algorithm {
    /// The `algorithm` parameter (RFC 7616 §3.3, case-insensitive): the algorithm and
    /// whether it is the `-sess` variant.
    fn parse(value: &str) -> Option<(Algorithm, bool)> {
        let lower = value.to_ascii_lowercase();
        let (name, sess) = match lower.strip_suffix("-sess") {
            Some(name) => (name, true),
            None => (lower.as_str(), false),
        };
        let algorithm = match name {
            "md5" => Algorithm::Md5,
            "sha-256" => Algorithm::Sha256,
            "sha-512-256" => Algorithm::Sha512_256,
            _ => return None,
        };
        Some((algorithm, sess))
    }

    fn name(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha512_256 => "SHA-512-256",
        }
    }

    /// Lower-case hex of the hash of the parts joined by `:` (RFC 7616 §3.4: H(data)).
    fn hash(self, parts: &[&[u8]]) -> String {
        fn hex_of<D: Digest>(parts: &[&[u8]]) -> String {
            let mut d = D::new();
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    d.update(b":");
                }
                d.update(part);
            }
            d.finalize().iter().map(|b| format!("{b:02x}")).collect()
        }
        match self {
            Algorithm::Md5 => hex_of::<Md5>(parts),
            Algorithm::Sha256 => hex_of::<Sha256>(parts),
            Algorithm::Sha512_256 => hex_of::<Sha512_256>(parts),
        }
    }
}

/// Quality of protection we use for a challenge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Qop {
    /// The challenge offered no qop: RFC 2069 compatible response (RFC 3261 §22.4).
    None,
    Auth,
    /// Also covers the body (RFC 7616 §3.4.3); used only when `auth` is not offered.
    AuthInt,
}

/// One Digest challenge we can answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Challenge {
    /// From Proxy-Authenticate (answered in Proxy-Authorization), else WWW-Authenticate.
    pub proxy: bool,
    pub realm: String,
    pub nonce: String,
    pub opaque: Option<String>,
    pub algorithm: Algorithm,
    pub sess: bool,
    pub qop: Qop,
    /// RFC 7616 §3.3: the previous nonce was merely too old; the credentials were right.
    pub stale: bool,
    /// RFC 7616 §3.4.4: the server wants the user name hashed.
    pub userhash: bool,
}

/// A `name=value` list item; values may be quoted strings (RFC 3261 §25.1).
fn param(item: &str) -> Option<(String, String)> {
    let (name, value) = item.split_once('=')?;
    let value = value.trim();
    let value = match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(quoted) => {
            let mut out = String::with_capacity(quoted.len());
            let mut chars = quoted.chars();
            while let Some(c) = chars.next() {
                out.push(if c == '\\' {
                    chars.next().unwrap_or('\\')
                } else {
                    c
                });
            }
            out
        }
        None => value.to_owned(),
    };
    Some((name.trim().to_ascii_lowercase(), value))
}

/// The challenges of one header value. A value may hold several (`Digest a=1, Digest b=2`,
/// or other schemes): an item whose first word has no `=` starts a new challenge.
fn parse_header(value: &str, proxy: bool) -> Vec<Challenge> {
    let mut groups: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for item in message::split_list(value) {
        let first_word_is_scheme = item
            .split_once(|c: char| c.is_ascii_whitespace())
            .filter(|(word, rest)| !word.contains('=') && !rest.trim_start().starts_with('='));
        match first_word_is_scheme {
            Some((scheme, rest)) => groups.push((
                scheme.to_ascii_lowercase(),
                param(rest).into_iter().collect(),
            )),
            None => {
                if let (Some((_, params)), Some(p)) = (groups.last_mut(), param(item)) {
                    params.push(p);
                }
            }
        }
    }
    groups
        .into_iter()
        .filter(|(scheme, _)| scheme == "digest")
        .filter_map(|(_, params)| challenge(&params, proxy))
        .collect()
}

fn challenge(params: &[(String, String)], proxy: bool) -> Option<Challenge> {
    let get = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    // RFC 3261 §22.4 / RFC 7616 §3.3: no algorithm means MD5.
    let (algorithm, sess) = Algorithm::parse(get("algorithm").unwrap_or("MD5"))?;
    let qop = match get("qop") {
        None => Qop::None,
        Some(list) => {
            let offered: Vec<String> = list
                .split(',')
                .map(|q| q.trim().to_ascii_lowercase())
                .collect();
            if offered.iter().any(|q| q == "auth") {
                Qop::Auth
            } else if offered.iter().any(|q| q == "auth-int") {
                Qop::AuthInt
            } else {
                // Only qop values we do not know: we cannot answer this one.
                return None;
            }
        }
    };
    let flag = |name| get(name).is_some_and(|v| v.eq_ignore_ascii_case("true"));
    Some(Challenge {
        proxy,
        realm: get("realm")?.to_owned(),
        nonce: get("nonce")?.to_owned(),
        opaque: get("opaque").map(str::to_owned),
        algorithm,
        sess,
        qop,
        stale: flag("stale"),
        userhash: flag("userhash"),
    })
}

/// The challenges of a 401/407 that we will answer: for each realm (and header kind) the
/// strongest algorithm we support, in the order the realms first appear.
///
/// RFC 8760 §2.4 asks a UAC to take the topmost supported challenge of a realm "unless a
/// local policy dictates otherwise"; ours is to take the strongest, so that a middlebox
/// reordering the headers cannot talk the phone down to MD5.
pub(crate) fn challenges(resp: &Response) -> Vec<Challenge> {
    let mut chosen: Vec<Challenge> = Vec::new();
    for header in resp.headers.iter() {
        let (value, proxy) = match header {
            Header::WwwAuthenticate(h) => (h.value(), false),
            Header::ProxyAuthenticate(h) => (h.value(), true),
            _ => continue,
        };
        for c in parse_header(value, proxy) {
            match chosen
                .iter_mut()
                .find(|k| k.proxy == c.proxy && k.realm == c.realm)
            {
                Some(known) if c.algorithm > known.algorithm => *known = c,
                Some(_) => {}
                None => chosen.push(c),
            }
        }
    }
    chosen
}

/// Everything the response hash depends on besides the challenge and the credentials.
pub(crate) struct Answer<'a> {
    pub method: &'a str,
    pub uri: &'a str,
    pub body: &'a [u8],
    pub cnonce: &'a str,
    pub nc: u32,
}

/// RFC 7616 §3.4.1 (and RFC 3261 §22.4 for the form without qop): the `response` value.
pub(crate) fn response(c: &Challenge, creds: &Credentials, a: &Answer) -> String {
    let h = |parts: &[&[u8]]| c.algorithm.hash(parts);
    let mut ha1 = h(&[
        creds.user.as_bytes(),
        c.realm.as_bytes(),
        creds.password.as_bytes(),
    ]);
    if c.sess {
        // RFC 7616 §3.4.2: the -sess variants fold in both nonces.
        ha1 = h(&[ha1.as_bytes(), c.nonce.as_bytes(), a.cnonce.as_bytes()]);
    }
    let ha2 = match c.qop {
        Qop::AuthInt => h(&[
            a.method.as_bytes(),
            a.uri.as_bytes(),
            h(&[a.body]).as_bytes(),
        ]),
        Qop::None | Qop::Auth => h(&[a.method.as_bytes(), a.uri.as_bytes()]),
    };
    match c.qop {
        Qop::None => h(&[ha1.as_bytes(), c.nonce.as_bytes(), ha2.as_bytes()]),
        Qop::Auth | Qop::AuthInt => {
            let qop: &[u8] = if c.qop == Qop::Auth {
                b"auth"
            } else {
                b"auth-int"
            };
            h(&[
                ha1.as_bytes(),
                c.nonce.as_bytes(),
                format!("{:08x}", a.nc).as_bytes(),
                a.cnonce.as_bytes(),
                qop,
                ha2.as_bytes(),
            ])
        }
    }
}

/// A quoted-string (RFC 3261 §25.1), escaping `"` and `\`.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The Authorization / Proxy-Authorization value answering `c` (RFC 3261 §22.2, §22.3;
/// RFC 7616 §3.4).
pub(crate) fn credentials_value(c: &Challenge, creds: &Credentials, a: &Answer) -> String {
    let username = if c.userhash {
        c.algorithm
            .hash(&[creds.user.as_bytes(), c.realm.as_bytes()])
    } else {
        creds.user.clone()
    };
    let mut v = format!(
        "Digest username={}, realm={}, nonce={}, uri={}, response={}, algorithm={}{}",
        quoted(&username),
        quoted(&c.realm),
        quoted(&c.nonce),
        quoted(a.uri),
        quoted(&response(c, creds, a)),
        c.algorithm.name(),
        if c.sess { "-sess" } else { "" },
    );
    if let Some(opaque) = &c.opaque {
        v.push_str(&format!(", opaque={}", quoted(opaque)));
    }
    match c.qop {
        Qop::None => {}
        Qop::Auth | Qop::AuthInt => {
            let qop = if c.qop == Qop::Auth {
                "auth"
            } else {
                "auth-int"
            };
            v.push_str(&format!(
                ", qop={qop}, nc={:08x}, cnonce={}",
                a.nc,
                quoted(a.cnonce)
            ));
        }
    }
    if c.userhash {
        v.push_str(", userhash=true");
    }
    v
}

/// Why a challenge is not answered (again).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No Digest challenge with an algorithm and qop we support.
    Unsupported,
    /// The server challenged the credentials we had just computed from its own fresh
    /// challenge: the user name or password is wrong (RFC 3261 §22.2, §22.3).
    Rejected,
}

/// RFC 3261 §22: give up after this many resends of one request, whatever the server says,
/// so that a server answering every request with a new stale nonce cannot loop us forever.
const MAX_RETRIES: u8 = 3;

#[derive(Clone, Debug)]
struct Cached {
    challenge: Challenge,
    /// Last nonce count used with this challenge's nonce (RFC 7616 §3.4: counts up per nonce).
    nc: u32,
}

/// Authentication state of one sequence of requests (a registration, a call): the
/// credentials and the challenges last answered, cached so that the next request can carry
/// them at once (RFC 3261 §22.3 recommends caching per realm).
#[derive(Clone, Debug)]
pub(crate) struct Authenticator {
    credentials: Credentials,
    cached: Vec<Cached>,
    /// The credentials of the last request answered the challenge of the response just
    /// before it, so another challenge for the same realm means they were wrong.
    fresh: bool,
    retries: u8,
}

impl Authenticator {
    pub fn new(credentials: Credentials) -> Self {
        Authenticator {
            credentials,
            cached: Vec::new(),
            fresh: false,
            retries: 0,
        }
    }

    /// A new request (not a resend): cached credentials may go out again, and a challenge
    /// to them is answered once more.
    pub fn start(&mut self) {
        self.fresh = false;
        self.retries = 0;
    }

    /// Whether any challenge is cached (the next request can be authorised at once).
    pub fn has_cached(&self) -> bool {
        !self.cached.is_empty()
    }

    /// Takes the challenges of a 401/407 to the last request; `Ok` means: resend it with
    /// [`authorize`](Self::authorize) and CSeq + 1.
    pub fn on_challenge(&mut self, resp: &Response) -> Result<(), Refusal> {
        let offered = challenges(resp);
        if offered.is_empty() {
            return Err(Refusal::Unsupported);
        }
        let known = |c: &Challenge| {
            self.cached
                .iter()
                .any(|k| k.challenge.proxy == c.proxy && k.challenge.realm == c.realm)
        };
        // A realm we had not answered yet (another proxy on the path, §22.3) or a stale
        // nonce deserves another try; the same realm again after fresh credentials does not.
        let worth_retry = !self.fresh || offered.iter().any(|c| c.stale || !known(c));
        if !worth_retry || self.retries >= MAX_RETRIES {
            return Err(Refusal::Rejected);
        }
        for c in offered {
            match self
                .cached
                .iter_mut()
                .find(|k| k.challenge.proxy == c.proxy && k.challenge.realm == c.realm)
            {
                Some(k) if k.challenge.nonce == c.nonce => k.challenge = c,
                Some(k) => {
                    *k = Cached {
                        challenge: c,
                        nc: 0,
                    }
                }
                None => self.cached.push(Cached {
                    challenge: c,
                    nc: 0,
                }),
            }
        }
        self.fresh = true;
        self.retries += 1;
        Ok(())
    }

    /// Replaces the request's Authorization and Proxy-Authorization headers with answers to
    /// the cached challenges, counting each nonce's use up.
    pub fn authorize(&mut self, req: &mut Request, rng: &mut crate::random::Random) {
        remove_credentials(req);
        let uri = req.uri.to_string();
        let method = req.method.to_string();
        for k in &mut self.cached {
            k.nc = k.nc.wrapping_add(1).max(1);
            let cnonce = message::token(rng, 16);
            let value = credentials_value(
                &k.challenge,
                &self.credentials,
                &Answer {
                    method: &method,
                    uri: &uri,
                    body: &req.body,
                    cnonce: &cnonce,
                    nc: k.nc,
                },
            );
            req.headers.push(if k.challenge.proxy {
                headers::ProxyAuthorization::new(value).into()
            } else {
                headers::Authorization::new(value).into()
            });
        }
    }
}

fn remove_credentials(req: &mut Request) {
    req.headers
        .retain(|h| !matches!(h, Header::Authorization(_) | Header::ProxyAuthorization(_)));
}

/// The same request again as a new transaction (RFC 3261 §22.2): new branch, CSeq + 1, the
/// rest (Call-ID, From tag, To, body) unchanged. Returns the new CSeq number.
pub(crate) fn resend(req: &Request, local: std::net::SocketAddr, branch: &str) -> (Request, u32) {
    let mut out = req.clone();
    let mut seq = 0;
    let mut via_done = false;
    let headers: Vec<Header> = std::mem::take(&mut out.headers)
        .into_iter()
        .filter_map(|h| match h {
            Header::Via(_) if via_done => None,
            Header::Via(_) => {
                via_done = true;
                Some(message::via(local, branch))
            }
            Header::CSeq(c) => {
                let old = c
                    .value()
                    .split_whitespace()
                    .next()
                    .and_then(|n| n.parse::<u32>().ok())
                    .unwrap_or(0);
                seq = old.wrapping_add(1);
                Some(headers::CSeq::new(format!("{seq} {}", req.method)).into())
            }
            other => Some(other),
        })
        .collect();
    out.headers = headers.into();
    (out, seq)
}

/// RFC 3261 §13.2.2.4: the ACK of a 2xx carries the same credentials as its INVITE.
pub(crate) fn copy_credentials(from: &Request, to: &mut Request) {
    for h in from.headers.iter() {
        if matches!(h, Header::Authorization(_) | Header::ProxyAuthorization(_)) {
            to.headers.push(h.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc7616_challenge(algorithm: Algorithm) -> Challenge {
        Challenge {
            proxy: false,
            realm: "http-auth@example.org".into(),
            nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v".into(),
            opaque: Some("FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS".into()),
            algorithm,
            sess: false,
            qop: Qop::Auth,
            stale: false,
            userhash: false,
        }
    }

    fn rfc7616_answer() -> Answer<'static> {
        Answer {
            method: "GET",
            uri: "/dir/index.html",
            body: b"",
            cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
            nc: 1,
        }
    }

    /// RFC 7616 §3.9.1: the same request answered with MD5 and with SHA-256.
    #[test]
    fn rfc7616_examples() {
        let creds = Credentials::new("Mufasa", "Circle of Life");
        let a = rfc7616_answer();
        assert_eq!(
            response(&rfc7616_challenge(Algorithm::Md5), &creds, &a),
            "8ca523f5e9506fed4657c9700eebdbec"
        );
        assert_eq!(
            response(&rfc7616_challenge(Algorithm::Sha256), &creds, &a),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
        );
        let header = credentials_value(&rfc7616_challenge(Algorithm::Sha256), &creds, &a);
        assert_eq!(
            header,
            "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", \
             nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", uri=\"/dir/index.html\", \
             response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", \
             algorithm=SHA-256, opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\", \
             qop=auth, nc=00000001, cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\""
        );
    }

    /// RFC 2617 §3.5, the MD5 example its successor kept (password spelt differently).
    #[test]
    fn rfc2617_example() {
        let c = Challenge {
            realm: "testrealm@host.com".into(),
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093".into(),
            opaque: Some("5ccc069c403ebaf9f0171e9517f40e41".into()),
            ..rfc7616_challenge(Algorithm::Md5)
        };
        let a = Answer {
            cnonce: "0a4f113b",
            ..rfc7616_answer()
        };
        assert_eq!(
            response(&c, &Credentials::new("Mufasa", "Circle Of Life"), &a),
            "6629fae49393a05397450978507c4ef1"
        );
    }

    /// Without qop (RFC 2069 form): H(HA1:nonce:HA2), and no cnonce/nc in the header.
    #[test]
    fn without_qop() {
        let c = Challenge {
            qop: Qop::None,
            opaque: None,
            ..rfc7616_challenge(Algorithm::Md5)
        };
        let creds = Credentials::new("Mufasa", "Circle of Life");
        let a = rfc7616_answer();
        let ha1 = Algorithm::Md5.hash(&[b"Mufasa", b"http-auth@example.org", b"Circle of Life"]);
        let ha2 = Algorithm::Md5.hash(&[b"GET", b"/dir/index.html"]);
        let expected = Algorithm::Md5.hash(&[
            ha1.as_bytes(),
            b"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            ha2.as_bytes(),
        ]);
        assert_eq!(response(&c, &creds, &a), expected);
        let header = credentials_value(&c, &creds, &a);
        assert!(
            !header.contains("cnonce") && !header.contains("nc="),
            "{header}"
        );
        assert!(!header.contains("Circle"), "the password never goes out");
    }

    fn response_with(headers: &str) -> Response {
        let text = format!(
            "SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n\
             From: <sip:a@x>;tag=1\r\nTo: <sip:a@x>;tag=2\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n\
             {headers}Content-Length: 0\r\n\r\n"
        );
        Response::try_from(text.as_str()).unwrap()
    }

    #[test]
    fn strongest_supported_challenge_per_realm() {
        let resp = response_with(
            "WWW-Authenticate: Digest realm=\"r\", nonce=\"n1\", algorithm=MD5, qop=\"auth\"\r\n\
             WWW-Authenticate: Digest realm=\"r\", nonce=\"n2\", algorithm=SHA-256, qop=\"auth,auth-int\"\r\n\
             WWW-Authenticate: Digest realm=\"r\", nonce=\"n3\", algorithm=SHA-512, qop=\"auth\"\r\n\
             WWW-Authenticate: Digest realm=\"other\", nonce=\"n4\"\r\n\
             WWW-Authenticate: Basic realm=\"r\"\r\n",
        );
        let c = challenges(&resp);
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(
            (c[0].realm.as_str(), c[0].algorithm, c[0].qop),
            ("r", Algorithm::Sha256, Qop::Auth)
        );
        assert_eq!(
            (c[1].realm.as_str(), c[1].algorithm, c[1].qop),
            ("other", Algorithm::Md5, Qop::None),
            "no algorithm means MD5, no qop means the RFC 2069 form"
        );
    }

    #[test]
    fn several_challenges_in_one_header_value_and_sess_and_userhash() {
        let resp = response_with(
            "Proxy-Authenticate: Digest realm=\"p\", nonce=\"a\", algorithm=MD5-sess, \
             Digest realm=\"p\", nonce=\"b\", algorithm=SHA-512-256-sess, userhash=true, \
             stale=TRUE, qop=\"auth-int\"\r\n",
        );
        let c = challenges(&resp);
        assert_eq!(c.len(), 1, "{c:?}");
        let c = &c[0];
        assert!(c.proxy && c.sess && c.userhash && c.stale);
        assert_eq!((c.algorithm, c.qop), (Algorithm::Sha512_256, Qop::AuthInt));
        let creds = Credentials::new("u", "pw");
        let value = credentials_value(c, &creds, &rfc7616_answer());
        assert!(value.contains("algorithm=SHA-512-256-sess"), "{value}");
        assert!(value.contains("qop=auth-int"), "{value}");
        let hashed = Algorithm::Sha512_256.hash(&[b"u", b"p"]);
        assert!(
            value.starts_with(&format!("Digest username=\"{hashed}\"")),
            "{value}"
        );
    }

    #[test]
    fn unsupported_challenges_are_refused() {
        let mut a = Authenticator::new(Credentials::new("u", "p"));
        let resp = response_with(
            "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\", algorithm=AKAv1-MD5\r\n\
             WWW-Authenticate: Digest realm=\"r\", nonce=\"n\", qop=\"auth-conf\"\r\n",
        );
        assert_eq!(a.on_challenge(&resp), Err(Refusal::Unsupported));
    }

    fn register() -> Request {
        Request::try_from(
            "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKold\r\n\
             From: <sip:a@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\nCall-ID: c\r\n\
             CSeq: 7 REGISTER\r\nContent-Length: 0\r\n\r\n",
        )
        .unwrap()
    }

    fn header_values(req: &Request) -> Vec<String> {
        req.headers
            .iter()
            .filter_map(|h| match h {
                Header::Authorization(a) => Some(a.value().to_owned()),
                Header::ProxyAuthorization(a) => Some(format!("proxy: {}", a.value())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn nonce_count_rises_per_nonce_and_resets_with_a_new_nonce() {
        let mut rng = crate::random::Random::seeded(7);
        let mut a = Authenticator::new(Credentials::new("alice", "secret"));
        a.start();
        let first = response_with(
            "WWW-Authenticate: Digest realm=\"r\", nonce=\"n1\", qop=\"auth\", algorithm=SHA-256\r\n",
        );
        assert_eq!(a.on_challenge(&first), Ok(()));
        let mut req = register();
        a.authorize(&mut req, &mut rng);
        let v = header_values(&req);
        assert_eq!(v.len(), 1);
        assert!(v[0].contains("nc=00000001") && v[0].contains("nonce=\"n1\""));
        // The next request (a refresh) reuses the cached nonce with the next count.
        a.start();
        a.authorize(&mut req, &mut rng);
        let v = header_values(&req);
        assert_eq!(v.len(), 1, "old credentials are replaced, not added to");
        assert!(v[0].contains("nc=00000002"), "{v:?}");
        // The server wants a new nonce: stale, so we try again, counting from 1.
        let stale = response_with(
            "WWW-Authenticate: Digest realm=\"r\", nonce=\"n2\", qop=\"auth\", stale=true\r\n",
        );
        assert_eq!(a.on_challenge(&stale), Ok(()));
        a.authorize(&mut req, &mut rng);
        let v = header_values(&req);
        assert!(
            v[0].contains("nc=00000001") && v[0].contains("nonce=\"n2\""),
            "{v:?}"
        );
        assert!(v.iter().all(|h| !h.contains("secret")));
    }

    #[test]
    fn a_second_challenge_to_fresh_credentials_means_they_are_wrong() {
        let mut a = Authenticator::new(Credentials::new("alice", "wrong"));
        a.start();
        let challenge = response_with("WWW-Authenticate: Digest realm=\"r\", nonce=\"n1\"\r\n");
        assert_eq!(a.on_challenge(&challenge), Ok(()));
        let again = response_with("WWW-Authenticate: Digest realm=\"r\", nonce=\"n2\"\r\n");
        assert_eq!(a.on_challenge(&again), Err(Refusal::Rejected));
        // A later request may try its cached credentials once more...
        a.start();
        assert_eq!(a.on_challenge(&again), Ok(()));
        // ...and another proxy's realm on the way is always answered.
        let proxy = response_with("Proxy-Authenticate: Digest realm=\"p\", nonce=\"n3\"\r\n");
        assert_eq!(a.on_challenge(&proxy), Ok(()));
        let mut req = register();
        a.authorize(&mut req, &mut crate::random::Random::seeded(1));
        assert_eq!(header_values(&req).len(), 2, "both realms are answered");
    }

    #[test]
    fn resend_bumps_cseq_and_branch_only() {
        let req = register();
        let (again, seq) = resend(&req, "192.0.2.1:5060".parse().unwrap(), "z9hG4bKnew");
        assert_eq!(seq, 8);
        let text = String::from_utf8(message::encode_request(&again)).unwrap();
        assert!(text.contains("CSeq: 8 REGISTER\r\n"), "{text}");
        assert!(text.contains("branch=z9hG4bKnew"), "{text}");
        assert!(!text.contains("z9hG4bKold"), "{text}");
        assert!(text.contains("From: <sip:a@example.com>;tag=1\r\n"));
        assert!(text.contains("Call-ID: c\r\n"));
    }

    #[test]
    fn debug_never_shows_the_password() {
        let creds = Credentials::new("alice", "hunter2");
        let shown = format!("{creds:?} {:?}", Authenticator::new(creds.clone()));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("alice"));
    }
}
