//! Finding the addresses of a SIP server through DNS (RFC 3263): NAPTR,
//! then SRV, then A/AAAA. The decisions (what to ask, which order) are in
//! `deskphone_sip::locate`; this is the asking.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

pub use deskphone_sip::locate::Transport;
use deskphone_sip::locate::{self, NaptrRecord, Plan, SrvRecord};
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::{Resolver, TokioResolver};

/// Transports this phone speaks today, in order of preference when DNS offers several
/// (RFC 3263 §4.1 leaves the order to the client).
const SUPPORTED: &[Transport] = &[Transport::Udp, Transport::Tcp, Transport::Tls];

/// Answers where to send requests for a SIP URI.
#[derive(Clone)]
pub struct Locator {
    resolver: TokioResolver,
}

impl Locator {
    /// Uses the system's DNS configuration (`/etc/resolv.conf`).
    pub fn system() -> Result<Locator, String> {
        let builder = Resolver::builder_tokio().map_err(|e| format!("DNS configuration: {e}"))?;
        let resolver = builder
            .with_options(options())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Locator { resolver })
    }

    /// No DNS server at all: numeric addresses only.
    pub fn without_dns() -> Result<Locator, String> {
        let resolver = Resolver::builder_with_config(
            ResolverConfig::from_name_servers(Vec::new()),
            TokioRuntimeProvider::default(),
        )
        .build()
        .map_err(|e| e.to_string())?;
        Ok(Locator { resolver })
    }

    /// Uses one DNS server, e.g. a test server on loopback.
    pub fn with_server(server: SocketAddr) -> Result<Locator, String> {
        let mut udp = ConnectionConfig::udp();
        udp.port = server.port();
        let mut tcp = ConnectionConfig::tcp();
        tcp.port = server.port();
        let ns = NameServerConfig::new(server.ip(), true, vec![udp, tcp]);
        let resolver = Resolver::builder_with_config(
            ResolverConfig::from_name_servers(vec![ns]),
            TokioRuntimeProvider::default(),
        )
        .with_options(options())
        .build()
        .map_err(|e| e.to_string())?;
        Ok(Locator { resolver })
    }

    /// Every address to try for `uri`, best first (later ones are for
    /// failover). Errors only when nothing at all was found.
    pub async fn locate(&self, uri: &str) -> Result<Vec<SocketAddr>, String> {
        self.locate_with_transport(uri)
            .await
            .map(|(found, _)| found)
    }

    /// [`locate`](Self::locate) with the transport to use: the URI's `transport`
    /// parameter, else the one DNS (NAPTR, SRV) named, else UDP (RFC 3263 §4.1).
    pub async fn locate_with_transport(
        &self,
        uri: &str,
    ) -> Result<(Vec<SocketAddr>, Transport), String> {
        let explicit = locate::uri_transport(uri);
        let plan = locate::plan(uri).map_err(|e| e.to_string())?;
        let (found, transport) = match plan {
            Plan::Address(ip, port) => (
                vec![SocketAddr::new(ip, port)],
                explicit.unwrap_or(Transport::Udp),
            ),
            Plan::Name(host, port) => (
                self.addresses(&host, port).await,
                explicit.unwrap_or(Transport::Udp),
            ),
            Plan::Domain(domain) => self.domain(&domain, explicit).await,
        };
        let mut unique = Vec::with_capacity(found.len());
        for a in found {
            if !unique.contains(&a) {
                unique.push(a);
            }
        }
        if unique.is_empty() {
            return Err(format!("no address found for {uri}"));
        }
        Ok((unique, transport))
    }

    /// RFC 3263 §4.1: NAPTR, else SRV per transport; an explicit transport limits both to
    /// it. Addresses (kept for failover) are those of the first transport that has SRV
    /// records, since the core sends to all of a server's addresses the same way.
    async fn domain(
        &self,
        domain: &str,
        explicit: Option<Transport>,
    ) -> (Vec<SocketAddr>, Transport) {
        let supported = match &explicit {
            Some(t) => std::slice::from_ref(t),
            None => SUPPORTED,
        };
        let naptr = self.naptr(domain).await;
        let srv_names: Vec<(Transport, String)> = if naptr.is_empty() {
            // RFC 3263 §4.1: no NAPTR, so query SRV for each transport.
            supported
                .iter()
                .map(|t| (*t, format!("{}.{domain}", t.srv_prefix())))
                .collect()
        } else {
            locate::select_naptr(&naptr, supported)
        };
        let mut rng = fastrand::Rng::new();
        let mut out = Vec::new();
        let mut chosen: Option<Transport> = None;
        for (transport, name) in srv_names {
            if chosen.is_some_and(|c| c != transport) {
                continue;
            }
            let records = self.srv(&name).await;
            if records.is_empty() {
                continue;
            }
            chosen = Some(transport);
            for target in locate::order_srv(&records, &mut rng) {
                out.extend(self.addresses(&target.target, target.port).await);
            }
        }
        match chosen {
            Some(transport) => (out, transport),
            // RFC 3263 §4.2: no SRV either: the name's own addresses.
            None => {
                let transport = explicit.unwrap_or(Transport::Udp);
                let port = transport.default_port();
                (self.addresses(domain, port).await, transport)
            }
        }
    }

    async fn naptr(&self, domain: &str) -> Vec<NaptrRecord> {
        match self.resolver.lookup(fqdn(domain), RecordType::NAPTR).await {
            Ok(lookup) => lookup
                .answers()
                .iter()
                .filter_map(|r| match &r.data {
                    RData::NAPTR(n) => Some(NaptrRecord {
                        order: n.order,
                        preference: n.preference,
                        flags: String::from_utf8_lossy(&n.flags).into_owned(),
                        services: String::from_utf8_lossy(&n.services).into_owned(),
                        replacement: n.replacement.to_string(),
                    }),
                    _ => None,
                })
                .collect(),
            Err(e) => {
                tracing::debug!("NAPTR {domain}: {e}");
                Vec::new()
            }
        }
    }

    async fn srv(&self, name: &str) -> Vec<SrvRecord> {
        match self.resolver.lookup(fqdn(name), RecordType::SRV).await {
            Ok(lookup) => lookup
                .answers()
                .iter()
                .filter_map(|r| match &r.data {
                    RData::SRV(s) => Some(SrvRecord {
                        priority: s.priority,
                        weight: s.weight,
                        port: s.port,
                        target: s.target.to_string(),
                    }),
                    _ => None,
                })
                .collect(),
            Err(e) => {
                tracing::debug!("SRV {name}: {e}");
                Vec::new()
            }
        }
    }

    /// The A/AAAA addresses of `host` (or the address itself), in the order DNS gave
    /// them; empty when nothing was found.
    pub async fn addresses(&self, host: &str, port: u16) -> Vec<SocketAddr> {
        if let Ok(ip) = host.parse::<IpAddr>() {
            return vec![SocketAddr::new(ip, port)];
        }
        match self.resolver.lookup_ip(fqdn(host)).await {
            Ok(ips) => ips.iter().map(|ip| SocketAddr::new(ip, port)).collect(),
            Err(e) => {
                tracing::debug!("A/AAAA {host}: {e}");
                Vec::new()
            }
        }
    }
}

/// The host of `uri` (a name or an IP address): what a TLS server's certificate must
/// name (RFC 5922 §7.2).
pub fn server_name(uri: &str) -> Option<String> {
    match locate::plan(uri).ok()? {
        Plan::Address(ip, _) => Some(ip.to_string()),
        Plan::Name(host, _) | Plan::Domain(host) => Some(host),
    }
}

fn options() -> ResolverOpts {
    let mut opts = ResolverOpts::default();
    // A phone must not hang on DNS: a lookup that takes longer than this
    // is a failure, and the next server is tried.
    opts.timeout = Duration::from_secs(2);
    opts.attempts = 2;
    opts
}

/// Names from settings are absolute; a trailing dot stops search-domain
/// expansion (and its extra queries).
fn fqdn(name: &str) -> String {
    if name.ends_with('.') {
        name.to_owned()
    } else {
        format!("{name}.")
    }
}
