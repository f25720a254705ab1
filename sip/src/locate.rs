//! Locating SIP servers (RFC 3263): which DNS questions to ask for a URI and
//! in which order to try the answers. Pure: the runtime asks DNS and feeds
//! the records in; this module decides.

use std::net::IpAddr;

use crate::Error;

/// A transport this phone can use towards a server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    Udp,
    Tcp,
    Tls,
}

impl Transport {
    /// The NAPTR service field for this transport (RFC 3263 §4.1).
    pub fn naptr_service(self) -> &'static str {
        match self {
            Transport::Udp => "SIP+D2U",
            Transport::Tcp => "SIP+D2T",
            Transport::Tls => "SIPS+D2T",
        }
    }

    /// The SRV owner name prefix (RFC 3263 §4.1 fallback when no NAPTR).
    pub fn srv_prefix(self) -> &'static str {
        match self {
            Transport::Udp => "_sip._udp",
            Transport::Tcp => "_sip._tcp",
            Transport::Tls => "_sips._tcp",
        }
    }

    /// The port when neither the URI nor SRV names one (RFC 3261 §19.1.2).
    pub fn default_port(self) -> u16 {
        match self {
            Transport::Tls => 5061,
            Transport::Udp | Transport::Tcp => 5060,
        }
    }
}

/// The transport a URI's `transport` parameter names (RFC 3261 §19.1.1, used as RFC 3263
/// §4.1 says: an explicit parameter wins over DNS); a `sips:` URI means TLS. `None`: the
/// URI leaves it to DNS (or UDP for a numeric host).
pub fn uri_transport(uri: &str) -> Option<Transport> {
    let parsed = crate::parse::Uri::parse(uri.trim()).ok()?;
    let sip = parsed.sip()?;
    let named = sip
        .params
        .get("transport")
        .flatten()
        .map(str::to_ascii_lowercase);
    match named.as_deref() {
        Some("tcp") if !sip.secure => Some(Transport::Tcp),
        Some("tls") => Some(Transport::Tls),
        Some("tcp") => Some(Transport::Tls),
        Some("udp") => Some(Transport::Udp),
        _ if sip.secure => Some(Transport::Tls),
        _ => None,
    }
}

/// What to ask DNS for a URI's host part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    /// A numeric address: no DNS at all (RFC 3263 §4.2).
    Address(IpAddr, u16),
    /// A name with an explicit port: A/AAAA only (RFC 3263 §4.2).
    Name(String, u16),
    /// A name without a port: NAPTR, then SRV, then A/AAAA (RFC 3263 §4.1).
    Domain(String),
}

/// Decides how to locate the server of `uri`.
pub fn plan(uri: &str) -> Result<Plan, Error> {
    let lower = uri.trim_start().to_ascii_lowercase();
    if !(lower.starts_with("sip:") || lower.starts_with("sips:")) {
        return Err(Error::InvalidUri(format!("{uri}: not a sip: or sips: URI")));
    }
    let parsed = rsip::Uri::try_from(uri).map_err(|e| Error::InvalidUri(format!("{uri}: {e}")))?;
    let host = parsed.host_with_port.host.to_string();
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = parsed.host_with_port.port.map(|p| *p.value());
    if let Ok(ip) = host.parse::<IpAddr>() {
        // §19.1.2: 5061 for TLS (`sips:` or `;transport=tls`), else 5060.
        let default = uri_transport(uri).unwrap_or(Transport::Udp).default_port();
        return Ok(Plan::Address(ip, port.unwrap_or(default)));
    }
    Ok(match port {
        Some(port) => Plan::Name(host, port),
        None => Plan::Domain(host),
    })
}

/// A NAPTR record as DNS returned it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NaptrRecord {
    pub order: u16,
    pub preference: u16,
    pub flags: String,
    pub services: String,
    /// The SRV name to look up next (flag `s`).
    pub replacement: String,
}

/// An SRV record as DNS returned it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SrvRecord {
    pub priority: u16,
    pub weight: u16,
    pub port: u16,
    pub target: String,
}

/// The SRV names to query, in order, from a domain's NAPTR records: only
/// terminal `s` records for services this phone supports, lowest order
/// first, then lowest preference (RFC 3263 §4.1, RFC 3403 §4.1).
pub fn select_naptr(records: &[NaptrRecord], supported: &[Transport]) -> Vec<(Transport, String)> {
    let mut usable: Vec<(&NaptrRecord, Transport)> = records
        .iter()
        .filter(|r| r.flags.eq_ignore_ascii_case("s"))
        .filter_map(|r| {
            supported
                .iter()
                .find(|t| r.services.eq_ignore_ascii_case(t.naptr_service()))
                .map(|t| (r, *t))
        })
        .collect();
    usable.sort_by_key(|(r, _)| (r.order, r.preference));
    usable
        .into_iter()
        .map(|(r, t)| (t, r.replacement.trim_end_matches('.').to_owned()))
        .collect()
}

/// The order to try SRV targets in (RFC 2782): lowest priority first;
/// within a priority, a weighted random draw, repeated until none is left.
/// A target of "." means the service is not offered there.
pub fn order_srv(records: &[SrvRecord], rng: &mut fastrand::Rng) -> Vec<SrvRecord> {
    let mut left: Vec<SrvRecord> = records
        .iter()
        .filter(|r| r.target != "." && !r.target.is_empty())
        .cloned()
        .map(|mut r| {
            r.target = r.target.trim_end_matches('.').to_owned();
            r
        })
        .collect();
    left.sort_by_key(|r| r.priority);
    let mut out = Vec::with_capacity(left.len());
    while let Some(priority) = left.first().map(|r| r.priority) {
        let mut group: Vec<SrvRecord> = Vec::new();
        while left.first().is_some_and(|r| r.priority == priority) {
            group.push(left.remove(0));
        }
        // RFC 2782: zero-weight records first so that they get a small
        // chance, then pick by running sum.
        group.sort_by_key(|r| r.weight != 0);
        while !group.is_empty() {
            let total: u32 = group.iter().map(|r| u32::from(r.weight)).sum();
            let pick = if total == 0 {
                0
            } else {
                let draw = rng.u32(0..=total);
                let mut sum = 0;
                group
                    .iter()
                    .position(|r| {
                        sum += u32::from(r.weight);
                        sum >= draw
                    })
                    .unwrap_or(0)
            };
            out.push(group.remove(pick));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn srv(priority: u16, weight: u16, target: &str) -> SrvRecord {
        SrvRecord {
            priority,
            weight,
            port: 5060,
            target: target.into(),
        }
    }

    #[test]
    fn transport_parameter() {
        assert_eq!(
            uri_transport("sip:127.0.0.1:5080;transport=tcp"),
            Some(Transport::Tcp)
        );
        assert_eq!(
            uri_transport("sip:bob@example.com;Transport=TCP"),
            Some(Transport::Tcp)
        );
        assert_eq!(
            uri_transport("sip:example.com;transport=udp"),
            Some(Transport::Udp)
        );
        assert_eq!(uri_transport("sips:example.com"), Some(Transport::Tls));
        assert_eq!(uri_transport("sip:example.com"), None);
        assert_eq!(uri_transport("sip:example.com;lr"), None);
    }

    #[test]
    fn tls_defaults_to_port_5061() {
        let ip = IpAddr::from([192, 0, 2, 1]);
        assert_eq!(plan("sips:192.0.2.1"), Ok(Plan::Address(ip, 5061)));
        assert_eq!(
            plan("sip:192.0.2.1;transport=tls"),
            Ok(Plan::Address(ip, 5061))
        );
        assert_eq!(plan("sip:192.0.2.1"), Ok(Plan::Address(ip, 5060)));
    }

    #[test]
    fn plans() {
        assert_eq!(
            plan("sip:bob@127.0.0.1:5062").unwrap(),
            Plan::Address("127.0.0.1".parse().unwrap(), 5062)
        );
        assert_eq!(
            plan("sip:127.0.0.1").unwrap(),
            Plan::Address("127.0.0.1".parse().unwrap(), 5060)
        );
        assert_eq!(
            plan("sip:bob@pbx.example.com:5080").unwrap(),
            Plan::Name("pbx.example.com".into(), 5080)
        );
        assert_eq!(
            plan("sip:bob@example.com").unwrap(),
            Plan::Domain("example.com".into())
        );
        assert!(plan("bob").is_err());
    }

    #[test]
    fn naptr_keeps_supported_terminal_records_in_order() {
        let r = |order, preference, flags: &str, services: &str, to: &str| NaptrRecord {
            order,
            preference,
            flags: flags.into(),
            services: services.into(),
            replacement: to.into(),
        };
        let records = [
            r(20, 10, "s", "SIP+D2U", "_sip._udp.b.example."),
            r(10, 20, "s", "SIP+D2T", "_sip._tcp.a.example."),
            r(10, 10, "s", "SIP+D2U", "_sip._udp.a.example."),
            r(5, 10, "u", "SIP+D2U", "!^.*$!sip:x@y!"),
            r(1, 10, "s", "SIP+D2X", "_sip._sctp.a.example."),
        ];
        assert_eq!(
            select_naptr(&records, &[Transport::Udp]),
            [
                (Transport::Udp, "_sip._udp.a.example".to_owned()),
                (Transport::Udp, "_sip._udp.b.example".to_owned())
            ]
        );
        assert_eq!(
            select_naptr(&records, &[Transport::Udp, Transport::Tcp]).len(),
            3
        );
    }

    #[test]
    fn srv_priority_first_weight_within() {
        let mut rng = fastrand::Rng::with_seed(7);
        let records = [
            srv(20, 0, "c."),
            srv(10, 60, "a."),
            srv(10, 40, "b."),
            srv(5, 0, "."),
        ];
        let mut first_a = 0;
        for _ in 0..1000 {
            let order = order_srv(&records, &mut rng);
            let names: Vec<&str> = order.iter().map(|r| r.target.as_str()).collect();
            assert_eq!(names.len(), 3, "the '.' target is dropped");
            assert_eq!(names[2], "c", "priority 20 comes last");
            first_a += usize::from(names[0] == "a");
        }
        // Weight 60 against 40: "a" leads about 60% of the time.
        assert!((500..700).contains(&first_a), "{first_a}");
    }
}
