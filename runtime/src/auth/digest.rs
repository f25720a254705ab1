//! HTTP Digest (RFC 7616) as the server: challenges for SHA-256 and MD5 with
//! `qop=auth`, server nonces that expire (then `stale=true`, §3.3), and a nonce-count
//! check against replays (§3.4: each `nc` of a nonce must be larger than the last).
//! What `curl --digest` and existing phone scripts send.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use deskphone_settings::web_access::{Role, WebCredentials};
use md5::Md5;
use sha2::{Digest as _, Sha256};

use super::credentials::{CredentialError, hex, random_token, secrets_equal};

/// The protection space (RFC 7616 §3.3 `realm`).
pub const REALM: &str = "deskphone";
/// A nonce is good this long; then the client is told `stale=true` and retries.
pub const NONCE_LIFETIME: Duration = Duration::from_secs(300);
/// Nonces remembered at most; the oldest goes first.
const MAX_NONCES: usize = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    Md5,
    Sha256,
}

impl Algorithm {
    fn parse(value: &str) -> Option<Algorithm> {
        match value.to_ascii_lowercase().as_str() {
            "md5" => Some(Algorithm::Md5),
            "sha-256" => Some(Algorithm::Sha256),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Sha256 => "SHA-256",
        }
    }

    /// H(data) of RFC 7616 §3.4 over the parts joined by `:`, lower-case hex.
    fn hash(self, parts: &[&str]) -> String {
        let joined = parts.join(":");
        match self {
            Algorithm::Md5 => hex(&Md5::digest(joined.as_bytes())),
            Algorithm::Sha256 => hex(&Sha256::digest(joined.as_bytes())),
        }
    }
}

/// How a Digest `Authorization` turned out.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Valid {
        role: Role,
        user: String,
    },
    /// The nonce expired or is not ours (e.g. from before a restart): not a wrong
    /// password; the client retries with the fresh nonce of a `stale=true` challenge.
    Stale,
    /// Wrong user or password, or a replayed nonce count.
    Wrong,
    /// Not a Digest answer we take (missing fields, other qop or algorithm, wrong
    /// realm or URI).
    Malformed(&'static str),
}

struct Nonce {
    issued: Instant,
    /// The highest nonce count seen with it.
    last_nc: u32,
}

pub struct DigestAuth {
    opaque: String,
    nonces: Mutex<HashMap<String, Nonce>>,
}

impl DigestAuth {
    pub fn new() -> Result<DigestAuth, CredentialError> {
        Ok(DigestAuth {
            opaque: random_token(16)?,
            nonces: Mutex::new(HashMap::new()),
        })
    }

    /// `WWW-Authenticate` values, strongest first (RFC 7616 §3.7: a server offering
    /// several algorithms lists them in order of preference).
    pub fn challenges(&self, stale: bool, now: Instant) -> Result<Vec<String>, CredentialError> {
        let mut out = Vec::new();
        for algorithm in [Algorithm::Sha256, Algorithm::Md5] {
            let nonce = self.new_nonce(now)?;
            out.push(format!(
                "Digest realm=\"{REALM}\", qop=\"auth\", algorithm={}, nonce=\"{nonce}\", opaque=\"{}\"{}",
                algorithm.name(),
                self.opaque,
                if stale { ", stale=true" } else { "" },
            ));
        }
        Ok(out)
    }

    fn new_nonce(&self, now: Instant) -> Result<String, CredentialError> {
        let nonce = random_token(16)?;
        let mut nonces = self.nonces.lock().unwrap_or_else(|e| e.into_inner());
        nonces.retain(|_, n| now.duration_since(n.issued) < NONCE_LIFETIME);
        if nonces.len() >= MAX_NONCES
            && let Some(oldest) = nonces
                .iter()
                .min_by_key(|(_, n)| n.issued)
                .map(|(k, _)| k.clone())
        {
            nonces.remove(&oldest);
        }
        nonces.insert(
            nonce.clone(),
            Nonce {
                issued: now,
                last_nc: 0,
            },
        );
        Ok(nonce)
    }

    /// Forgets every nonce (the credentials changed).
    pub fn clear(&self) {
        self.nonces
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Checks the parameters of a Digest `Authorization` (after the scheme) of a request
    /// with `method` and request-target `uri`.
    pub fn verify(
        &self,
        params: &str,
        method: &str,
        uri: &str,
        credentials: &WebCredentials,
        now: Instant,
    ) -> Outcome {
        let Some(p) = parse_params(params) else {
            return Outcome::Malformed("unreadable Digest parameters");
        };
        let get = |name: &str| p.get(name).map(String::as_str);
        let (Some(user), Some(realm), Some(nonce), Some(digest_uri), Some(response)) = (
            get("username"),
            get("realm"),
            get("nonce"),
            get("uri"),
            get("response"),
        ) else {
            return Outcome::Malformed("a Digest field is missing");
        };
        let algorithm = match get("algorithm") {
            None => Algorithm::Md5,
            Some(a) => match Algorithm::parse(a) {
                Some(a) => a,
                None => return Outcome::Malformed("unsupported Digest algorithm"),
            },
        };
        if realm != REALM {
            return Outcome::Malformed("wrong realm");
        }
        if !get("qop").is_some_and(|q| q.eq_ignore_ascii_case("auth")) {
            return Outcome::Malformed("qop=auth is required");
        }
        // RFC 7616 §3.4.6: the digest covers this request, not another URI.
        if digest_uri != uri {
            return Outcome::Malformed("the Digest uri is not the request's");
        }
        if get("opaque").is_some_and(|o| o != self.opaque) {
            return Outcome::Stale;
        }
        let (Some(nc_text), Some(cnonce)) = (get("nc"), get("cnonce")) else {
            return Outcome::Malformed("qop=auth needs nc and cnonce");
        };
        let Ok(nc) = u32::from_str_radix(nc_text, 16) else {
            return Outcome::Malformed("nc is not 8 hex digits");
        };
        // The password is checked before the nonce count is consumed, so that a wrong
        // guess cannot use up counts of a client's nonce.
        let (role, password) = match credentials.account(user) {
            Some((role, password)) => (Some(role), password),
            // Same work for an unknown user as for a known one.
            None => (None, ""),
        };
        let ha1 = algorithm.hash(&[user, REALM, password]);
        let ha2 = algorithm.hash(&[method, digest_uri]);
        let expected = algorithm.hash(&[&ha1, nonce, nc_text, cnonce, "auth", &ha2]);
        let matches = secrets_equal(
            expected.as_bytes(),
            response.to_ascii_lowercase().as_bytes(),
        );
        let mut nonces = self.nonces.lock().unwrap_or_else(|e| e.into_inner());
        let Some(entry) = nonces.get_mut(nonce) else {
            return Outcome::Stale;
        };
        if now.duration_since(entry.issued) >= NONCE_LIFETIME {
            nonces.remove(nonce);
            return Outcome::Stale;
        }
        match role {
            Some(role) if matches => {
                if nc <= entry.last_nc {
                    return Outcome::Wrong;
                }
                entry.last_nc = nc;
                Outcome::Valid {
                    role,
                    user: user.to_owned(),
                }
            }
            _ => Outcome::Wrong,
        }
    }
}

/// `name=value, name="quoted \"value\""` (RFC 7616 §3.4, RFC 9110 §11.2 auth-param).
fn parse_params(s: &str) -> Option<HashMap<String, String>> {
    let mut out = HashMap::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let eq = rest.find('=')?;
        let name = rest[..eq].trim().to_ascii_lowercase();
        if name.is_empty() || name.contains([' ', ',', '"']) {
            return None;
        }
        rest = rest[eq + 1..].trim_start();
        let value;
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut v = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => v.push(chars.next()?.1),
                    '"' => {
                        end = Some(i);
                        break;
                    }
                    c => v.push(c),
                }
            }
            value = v;
            rest = &quoted[end? + 1..];
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            value = rest[..end].trim().to_owned();
            // A token has no whitespace (RFC 9110 §5.6.2).
            if value.is_empty() || value.contains(char::is_whitespace) {
                return None;
            }
            rest = &rest[end..];
        }
        out.insert(name, value);
        rest = rest.trim_start();
        match rest.strip_prefix(',') {
            Some(r) => rest = r.trim_start(),
            None if rest.is_empty() => {}
            None => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> WebCredentials {
        WebCredentials {
            admin_user: "admin".into(),
            admin_password: "Circle Of Life".into(),
            user_user: "user".into(),
            user_password: String::new(),
        }
    }

    /// Answers a challenge as a client would (the test's own RFC 7616 §3.4.1 client).
    fn answer(challenge: &str, algorithm: Algorithm, password: &str, nc: u32, uri: &str) -> String {
        let p = parse_params(challenge.strip_prefix("Digest ").unwrap()).unwrap();
        let nonce = &p["nonce"];
        let nc = format!("{nc:08x}");
        let ha1 = algorithm.hash(&["admin", REALM, password]);
        let ha2 = algorithm.hash(&["GET", uri]);
        let response = algorithm.hash(&[&ha1, nonce, &nc, "0a4f113b", "auth", &ha2]);
        format!(
            "username=\"admin\", realm=\"{REALM}\", nonce=\"{nonce}\", uri=\"{uri}\", \
             algorithm={}, qop=auth, nc={nc}, cnonce=\"0a4f113b\", response=\"{response}\", \
             opaque=\"{}\"",
            algorithm.name(),
            p["opaque"]
        )
    }

    #[test]
    fn rfc_7616_md5_example_hashes() {
        // RFC 7616 §3.9.1 with the example's values.
        let ha1 = Algorithm::Md5.hash(&["Mufasa", "http-auth@example.org", "Circle of Life"]);
        let ha2 = Algorithm::Md5.hash(&["GET", "/dir/index.html"]);
        let response = Algorithm::Md5.hash(&[
            &ha1,
            "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            "00000001",
            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
            "auth",
            &ha2,
        ]);
        assert_eq!(response, "8ca523f5e9506fed4657c9700eebdbec");
        let ha1 = Algorithm::Sha256.hash(&["Mufasa", "http-auth@example.org", "Circle of Life"]);
        let ha2 = Algorithm::Sha256.hash(&["GET", "/dir/index.html"]);
        let response = Algorithm::Sha256.hash(&[
            &ha1,
            "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            "00000001",
            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
            "auth",
            &ha2,
        ]);
        assert_eq!(
            response,
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
        );
    }

    #[test]
    fn both_algorithms_verify_and_replays_are_refused() {
        let digest = DigestAuth::new().unwrap();
        let now = Instant::now();
        let challenges = digest.challenges(false, now).unwrap();
        assert!(challenges[0].contains("algorithm=SHA-256"));
        assert!(challenges[1].contains("algorithm=MD5"));
        for (challenge, algorithm) in challenges.iter().zip([Algorithm::Sha256, Algorithm::Md5]) {
            let uri = "/command.htm?key=5";
            let a1 = answer(challenge, algorithm, "Circle Of Life", 1, uri);
            assert!(matches!(
                digest.verify(&a1, "GET", uri, &creds(), now),
                Outcome::Valid {
                    role: Role::Admin,
                    ..
                }
            ));
            // The same count again is a replay.
            assert_eq!(
                digest.verify(&a1, "GET", uri, &creds(), now),
                Outcome::Wrong
            );
            let a2 = answer(challenge, algorithm, "Circle Of Life", 2, uri);
            assert!(matches!(
                digest.verify(&a2, "GET", uri, &creds(), now),
                Outcome::Valid { .. }
            ));
            let wrong = answer(challenge, algorithm, "circle of life", 3, uri);
            assert_eq!(
                digest.verify(&wrong, "GET", uri, &creds(), now),
                Outcome::Wrong
            );
            // Another URI than the request's.
            let a4 = answer(challenge, algorithm, "Circle Of Life", 4, "/screen.png");
            assert!(matches!(
                digest.verify(&a4, "GET", uri, &creds(), now),
                Outcome::Malformed(_)
            ));
        }
    }

    #[test]
    fn expired_and_unknown_nonces_are_stale() {
        let digest = DigestAuth::new().unwrap();
        let now = Instant::now();
        let challenge = &digest.challenges(false, now).unwrap()[0];
        let a = answer(challenge, Algorithm::Sha256, "Circle Of Life", 1, "/x");
        let later = now + NONCE_LIFETIME;
        assert_eq!(
            digest.verify(&a, "GET", "/x", &creds(), later),
            Outcome::Stale
        );
        let other = DigestAuth::new().unwrap();
        assert_eq!(other.verify(&a, "GET", "/x", &creds(), now), Outcome::Stale);
        assert!(digest.challenges(true, now).unwrap()[0].ends_with("stale=true"));
    }

    #[test]
    fn parameters_with_quotes_and_escapes_parse() {
        let p = parse_params(r#"username="a\"b", qop=auth, nc=00000001 ,uri="/a,b""#).unwrap();
        assert_eq!(p["username"], "a\"b");
        assert_eq!(p["qop"], "auth");
        assert_eq!(p["nc"], "00000001");
        assert_eq!(p["uri"], "/a,b");
        assert!(parse_params("username=\"unterminated").is_none());
        assert!(parse_params("a=1 b=2").is_none());
    }
}
