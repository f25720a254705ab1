//! Cross-site request checks: a request that changes something (and the WebSocket
//! upgrade) must come from a page of this phone, or from no page at all (a script).
//! Browsers say where a request comes from in `Sec-Fetch-Site` (Fetch Metadata), `Origin`
//! (RFC 6454 §7; every WebSocket upgrade, RFC 6455 §4.1) and `Referer`.

use axum::http::HeaderMap;
use axum::http::header::{HOST, ORIGIN, REFERER};

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CrossSite {
    #[error("cross-site request refused (Sec-Fetch-Site: {0})")]
    FetchSite(String),
    #[error("request from another site refused (Origin {0} is not this phone)")]
    Origin(String),
    #[error("request from another site refused (Referer names another host)")]
    Referer,
    #[error("request without Host refused")]
    NoHost,
    #[error("a browser's request without Origin refused")]
    NoOrigin,
}

/// The `host[:port]` of an absolute URL (`http://host:port/path`), lower-cased.
fn authority(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    // Drop any userinfo.
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    Some(authority.to_ascii_lowercase())
}

/// Refuses a request that a page of another site made. Requests without `Origin`,
/// `Referer` and `Sec-Fetch-Site` (scripts, curl) pass.
pub fn check(headers: &HeaderMap) -> Result<(), CrossSite> {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        let site = site.trim().to_ascii_lowercase();
        if site == "cross-site" || site == "same-site" {
            return Err(CrossSite::FetchSite(site));
        }
    }
    let origin = headers.get(ORIGIN).and_then(|v| v.to_str().ok());
    let referer = headers.get(REFERER).and_then(|v| v.to_str().ok());
    if origin.is_none() && referer.is_none() {
        return Ok(());
    }
    let host = headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .map(|h| h.trim().to_ascii_lowercase())
        .ok_or(CrossSite::NoHost)?;
    if let Some(origin) = origin {
        // `null` is an opaque origin (sandboxed frame, file:): never this phone.
        return match authority(origin) {
            Some(a) if a == host => Ok(()),
            _ => Err(CrossSite::Origin(origin.to_owned())),
        };
    }
    match referer.and_then(authority) {
        Some(a) if a == host => Ok(()),
        _ => Err(CrossSite::Referer),
    }
}

/// For a request a browser made on the strength of a session cookie: besides
/// [`check`], the `Origin` must be there (browsers send it on every WebSocket upgrade
/// and every POST).
pub fn check_browser(headers: &HeaderMap) -> Result<(), CrossSite> {
    if !headers.contains_key(ORIGIN) {
        return Err(CrossSite::NoOrigin);
    }
    check(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn scripts_and_same_origin_pages_pass() {
        assert_eq!(check(&headers(&[("host", "10.0.0.5")])), Ok(()));
        assert_eq!(
            check(&headers(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:8080"),
                ("sec-fetch-site", "same-origin"),
            ])),
            Ok(())
        );
        assert_eq!(
            check(&headers(&[
                ("host", "phone.local"),
                ("referer", "http://Phone.local/settings?x=1"),
            ])),
            Ok(())
        );
    }

    #[test]
    fn other_sites_are_refused() {
        assert!(matches!(
            check(&headers(&[
                ("host", "10.0.0.5"),
                ("sec-fetch-site", "cross-site")
            ])),
            Err(CrossSite::FetchSite(_))
        ));
        assert!(
            check(&headers(&[
                ("host", "10.0.0.5"),
                ("sec-fetch-site", "same-site")
            ]))
            .is_err()
        );
        assert!(matches!(
            check(&headers(&[
                ("host", "10.0.0.5"),
                ("origin", "http://evil.example")
            ])),
            Err(CrossSite::Origin(_))
        ));
        assert!(
            check(&headers(&[
                ("host", "10.0.0.5:80"),
                ("origin", "http://10.0.0.5:8080")
            ]))
            .is_err()
        );
        assert!(check(&headers(&[("host", "10.0.0.5"), ("origin", "null")])).is_err());
        assert_eq!(
            check(&headers(&[
                ("host", "10.0.0.5"),
                ("referer", "http://evil.example/x")
            ])),
            Err(CrossSite::Referer)
        );
        assert_eq!(
            check(&headers(&[
                ("host", "10.0.0.5"),
                ("referer", "http://10.0.0.5@evil.example/")
            ])),
            Err(CrossSite::Referer)
        );
        assert_eq!(
            check_browser(&headers(&[("host", "10.0.0.5")])),
            Err(CrossSite::NoOrigin)
        );
    }
}
