//! Header fields of the SIP extensions the call core implements, read from rsip's header
//! list: option tags (RFC 3261 §19.2), reliable provisional responses (RFC 3262 RSeq/RAck),
//! session timers (RFC 4028 Session-Expires/Min-SE), the Reason header (RFC 3326) and
//! Alert-Info (RFC 3261 §20.4). rsip keeps most of these as `Header::Other`.

use rsip::headers::UntypedHeader;
use rsip::{Header, Headers, Method};

use crate::message;

/// Option tag of RFC 3262 (reliable provisional responses).
pub(crate) const TAG_100REL: &str = "100rel";
/// Option tag of RFC 4028 (session timers).
pub(crate) const TAG_TIMER: &str = "timer";
/// The extensions we implement; anything else in a Require gets 420 (RFC 3261 §8.2.2.3).
pub(crate) const SUPPORTED: &str = "100rel, timer, replaces";
/// Option tag of RFC 3891 (an INVITE that replaces a dialog).
pub(crate) const TAG_REPLACES: &str = "replaces";

/// The value of the first header called `name` (or its compact form) that rsip did not
/// type, e.g. RSeq or Session-Expires.
fn other<'a>(headers: &'a Headers, names: &[&str]) -> Option<&'a str> {
    headers.iter().find_map(|h| match h {
        Header::Other(n, v) if names.iter().any(|x| n.trim().eq_ignore_ascii_case(x)) => {
            Some(v.as_str())
        }
        _ => None,
    })
}

fn option_tags(headers: &Headers, pick: fn(&Header) -> Option<&str>) -> Vec<String> {
    message::list_values(headers, pick)
        .into_iter()
        .map(|t| t.trim().to_ascii_lowercase())
        .collect()
}

/// Option tags listed in Require.
pub(crate) fn required(headers: &Headers) -> Vec<String> {
    option_tags(headers, |h| match h {
        Header::Require(r) => Some(r.value()),
        _ => None,
    })
}

pub(crate) fn requires(headers: &Headers, tag: &str) -> bool {
    required(headers).iter().any(|t| t == tag)
}

pub(crate) fn supports(headers: &Headers, tag: &str) -> bool {
    option_tags(headers, |h| match h {
        Header::Supported(s) => Some(s.value()),
        _ => None,
    })
    .iter()
    .any(|t| t == tag)
}

/// Required option tags we do not implement (RFC 3261 §8.2.2.3: answered 420 Unsupported).
pub(crate) fn unsupported(headers: &Headers) -> Vec<String> {
    required(headers)
        .into_iter()
        .filter(|t| t != TAG_100REL && t != TAG_TIMER && t != TAG_REPLACES)
        .collect()
}

/// Whether the Allow header lists `method`; `None` without an Allow header.
pub(crate) fn allows(headers: &Headers, method: Method) -> Option<bool> {
    let mut found = false;
    let mut allows = false;
    for h in headers.iter() {
        if let Header::Allow(a) = h {
            found = true;
            allows |= message::split_list(a.value())
                .iter()
                .any(|m| m.eq_ignore_ascii_case(&method.to_string()));
        }
    }
    found.then_some(allows)
}

/// RFC 3262 §7.1: `RSeq: 1*DIGIT`, 1 to 2^32-1.
pub(crate) fn rseq(headers: &Headers) -> Option<u32> {
    other(headers, &["RSeq"])?
        .trim()
        .parse()
        .ok()
        .filter(|n| *n > 0)
}

/// RFC 3262 §7.2: `RAck: response-num CSeq-num Method`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RAck {
    pub rseq: u32,
    pub cseq: u32,
    pub method: String,
}

pub(crate) fn rack(headers: &Headers) -> Option<RAck> {
    let mut parts = other(headers, &["RAck"])?.split_ascii_whitespace();
    let rack = RAck {
        rseq: parts.next()?.parse().ok()?,
        cseq: parts.next()?.parse().ok()?,
        method: parts.next()?.to_ascii_uppercase(),
    };
    parts.next().is_none().then_some(rack)
}

/// Who refreshes the session (RFC 4028 §4 `refresher` parameter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refresher {
    Uac,
    Uas,
}

impl Refresher {
    pub fn as_str(self) -> &'static str {
        match self {
            Refresher::Uac => "uac",
            Refresher::Uas => "uas",
        }
    }
}

/// RFC 4028 §4: `Session-Expires: delta-seconds *(;se-params)` (compact form `x`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SessionExpires {
    pub interval: u32,
    pub refresher: Option<Refresher>,
}

pub(crate) fn session_expires(headers: &Headers) -> Option<SessionExpires> {
    let value = other(headers, &["Session-Expires", "x"])?;
    let mut parts = value.split(';');
    let interval = parts.next()?.trim().parse().ok()?;
    let refresher = parts.find_map(|p| {
        let (name, value) = p.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("refresher") {
            return None;
        }
        match value.trim().to_ascii_lowercase().as_str() {
            "uac" => Some(Refresher::Uac),
            "uas" => Some(Refresher::Uas),
            _ => None,
        }
    });
    Some(SessionExpires {
        interval,
        refresher,
    })
}

/// RFC 4028 §5: `Min-SE: delta-seconds *(;generic-param)`.
pub(crate) fn min_se(headers: &Headers) -> Option<u32> {
    other(headers, &["Min-SE"])?
        .split(';')
        .next()?
        .trim()
        .parse()
        .ok()
}

pub(crate) fn session_expires_header(interval: u32, refresher: Option<Refresher>) -> Header {
    let value = match refresher {
        Some(r) => format!("{interval};refresher={}", r.as_str()),
        None => interval.to_string(),
    };
    Header::Other("Session-Expires".into(), value)
}

pub(crate) fn min_se_header(seconds: u32) -> Header {
    Header::Other("Min-SE".into(), seconds.to_string())
}

/// RFC 3326 §2: does a Reason header say the call was completed elsewhere, i.e.
/// `SIP;cause=200` (as a forking proxy sends on the CANCEL to the other branches)?
pub(crate) fn completed_elsewhere(headers: &Headers) -> bool {
    let values = message::list_values(headers, |h| match h {
        Header::Other(n, v) if n.trim().eq_ignore_ascii_case("Reason") => Some(v.as_str()),
        _ => None,
    });
    values.iter().any(|v| {
        let mut parts = v.split(';');
        let protocol = parts.next().unwrap_or("").trim();
        protocol.eq_ignore_ascii_case("SIP")
            && parts.any(|p| {
                p.split_once('=').is_some_and(|(n, v)| {
                    n.trim().eq_ignore_ascii_case("cause") && v.trim() == "200"
                })
            })
    })
}

/// The Alert-Info header (RFC 3261 §20.4) as sent, e.g. `<http://x/ring.wav>;info=alert-group`.
pub(crate) fn alert_info(headers: &Headers) -> Option<String> {
    let values = message::list_values(headers, |h| match h {
        Header::AlertInfo(a) => Some(a.value()),
        _ => None,
    });
    (!values.is_empty()).then(|| values.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(lines: &[(&str, &str)]) -> Headers {
        let mut h = Headers::default();
        for (n, v) in lines {
            let header = match *n {
                "Require" => rsip::headers::Require::new(*v).into(),
                "Supported" => rsip::headers::Supported::new(*v).into(),
                "Alert-Info" => rsip::headers::AlertInfo::new(*v).into(),
                "Allow" => rsip::headers::Allow::new(*v).into(),
                _ => Header::Other((*n).into(), (*v).into()),
            };
            h.push(header);
        }
        h
    }

    #[test]
    fn option_tags() {
        let h = headers(&[("Require", "100rel, Timer"), ("Supported", "replaces")]);
        assert!(requires(&h, TAG_100REL) && requires(&h, TAG_TIMER));
        assert!(supports(&h, "replaces") && !supports(&h, TAG_100REL));
        assert!(unsupported(&h).is_empty());
        let h = headers(&[("Require", "100rel, foo")]);
        assert_eq!(unsupported(&h), ["foo"]);
        let h = headers(&[("Allow", "INVITE, ACK, update")]);
        assert_eq!(allows(&h, Method::Update), Some(true));
        assert_eq!(allows(&h, Method::PRack), Some(false));
        assert_eq!(allows(&Headers::default(), Method::Update), None);
    }

    #[test]
    fn rseq_and_rack() {
        let h = headers(&[("RSeq", " 988789 "), ("RAck", "776656 1 invite")]);
        assert_eq!(rseq(&h), Some(988789));
        assert_eq!(
            rack(&h),
            Some(RAck {
                rseq: 776656,
                cseq: 1,
                method: "INVITE".into()
            })
        );
        assert_eq!(rseq(&headers(&[("RSeq", "0")])), None);
        assert_eq!(rack(&headers(&[("RAck", "1 2")])), None);
    }

    #[test]
    fn session_timer_headers() {
        let h = headers(&[
            ("Session-Expires", "4000;refresher=UAS"),
            ("Min-SE", "3600"),
        ]);
        assert_eq!(
            session_expires(&h),
            Some(SessionExpires {
                interval: 4000,
                refresher: Some(Refresher::Uas)
            })
        );
        assert_eq!(min_se(&h), Some(3600));
        let compact = headers(&[("x", "1800")]);
        assert_eq!(session_expires(&compact).map(|s| s.interval), Some(1800));
        assert_eq!(
            session_expires_header(90, Some(Refresher::Uac)).to_string(),
            "Session-Expires: 90;refresher=uac"
        );
    }

    #[test]
    fn reason_and_alert_info() {
        let h = headers(&[(
            "Reason",
            "SIP ;cause=200 ;text=\"Call completed elsewhere\"",
        )]);
        assert!(completed_elsewhere(&h));
        assert!(!completed_elsewhere(&headers(&[(
            "Reason",
            "Q.850;cause=16"
        )])));
        assert!(!completed_elsewhere(&headers(&[(
            "Reason",
            "SIP;cause=487"
        )])));
        assert_eq!(alert_info(&Headers::default()), None);
        assert_eq!(
            alert_info(&headers(&[("Alert-Info", "<http://x/a.wav>")])).as_deref(),
            Some("<http://x/a.wav>")
        );
    }
}
