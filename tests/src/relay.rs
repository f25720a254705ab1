//! A test relay between a phone and a SIP peer on loopback: a stateless SIP proxy on
//! UDP that puts itself into the media path of every SDP it carries, and an RTP
//! forwarder that delays, reorders and drops packets by a seeded profile, so that a
//! run is the same every time.
//!
//! SIP: requests from the phone go to the target with our Via on top (RFC 3261
//! §16.6) and the Request-URI pointed at the target; responses lose our Via and go to
//! the next one (§16.7). ACK and BYE go end to end (no Record-Route): only the offer
//! and the answer need to pass, and they do. Every SDP body gets the relay's media
//! port in its audio m-line (and its `a=rtcp` removed): RTP from the phone reaches the
//! target through the relay and back. RTCP is not relayed.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use tokio::net::UdpSocket;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// What the relay does to each RTP packet, in each direction.
#[derive(Clone, Copy, Debug)]
pub struct Impairment {
    /// The random generator's seed: the same seed, the same drops and delays.
    pub seed: u64,
    /// Probability that a packet is dropped.
    pub drop: f64,
    /// Delay every packet gets.
    pub base_delay: Duration,
    /// On top, a delay drawn uniformly from zero to this; above the 20 ms packet
    /// spacing it reorders packets.
    pub jitter: Duration,
}

impl Impairment {
    /// Passes packets at once, in order, all of them.
    pub const NONE: Impairment = Impairment {
        seed: 1,
        drop: 0.0,
        base_delay: Duration::ZERO,
        jitter: Duration::ZERO,
    };
}

/// What the relay did to the RTP it carried (both directions).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RelayStats {
    pub forwarded: u64,
    pub dropped: u64,
    /// Packets sent after one with a higher sequence number.
    pub reordered: u64,
    /// SDP bodies rewritten.
    pub sdp_rewritten: u64,
}

#[derive(Default)]
struct Counters {
    forwarded: AtomicU64,
    dropped: AtomicU64,
    reordered: AtomicU64,
    sdp_rewritten: AtomicU64,
}

/// Where each side receives RTP, learnt from its SDP.
#[derive(Default)]
struct Peers {
    phone: Option<SocketAddr>,
    target: Option<SocketAddr>,
}

/// A running relay; its tasks end when it is dropped.
pub struct Relay {
    pub sip: SocketAddr,
    counters: Arc<Counters>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Relay {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Relay {
    /// Starts relaying SIP from any phone to `target` (the peer's SIP address) with
    /// `impairment` on the RTP in both directions.
    pub async fn start(target: SocketAddr, impairment: Impairment) -> anyhow::Result<Relay> {
        let sip = Arc::new(UdpSocket::bind("127.0.0.1:0").await?);
        // Media: the phone sends to `phone_side`, the target to `target_side`.
        let phone_side = Arc::new(UdpSocket::bind("127.0.0.1:0").await?);
        let target_side = Arc::new(UdpSocket::bind("127.0.0.1:0").await?);
        let peers = Arc::new(Mutex::new(Peers::default()));
        let counters = Arc::new(Counters::default());
        let sip_addr = sip.local_addr()?;
        let ports = (
            phone_side.local_addr()?.port(),
            target_side.local_addr()?.port(),
        );
        let tasks = vec![
            tokio::spawn(sip_loop(
                sip,
                target,
                ports,
                peers.clone(),
                counters.clone(),
            )),
            // Phone → target: in at `phone_side`, out of `target_side`.
            tokio::spawn(media_loop(
                phone_side.clone(),
                target_side.clone(),
                peers.clone(),
                false,
                impairment,
                counters.clone(),
            )),
            tokio::spawn(media_loop(
                target_side,
                phone_side,
                peers,
                true,
                Impairment {
                    seed: impairment.seed.wrapping_add(1),
                    ..impairment
                },
                counters.clone(),
            )),
        ];
        Ok(Relay {
            sip: sip_addr,
            counters,
            tasks,
        })
    }

    /// The URI that reaches `user` at the target through the relay.
    pub fn uri(&self, user: &str) -> String {
        format!("sip:{user}@{}", self.sip)
    }

    pub fn stats(&self) -> RelayStats {
        RelayStats {
            forwarded: self.counters.forwarded.load(Ordering::Relaxed),
            dropped: self.counters.dropped.load(Ordering::Relaxed),
            reordered: self.counters.reordered.load(Ordering::Relaxed),
            sdp_rewritten: self.counters.sdp_rewritten.load(Ordering::Relaxed),
        }
    }
}

async fn sip_loop(
    socket: Arc<UdpSocket>,
    target: SocketAddr,
    (phone_port, target_port): (u16, u16),
    peers: Arc<Mutex<Peers>>,
    counters: Arc<Counters>,
) {
    let me = match socket.local_addr() {
        Ok(a) => a,
        Err(_) => return,
    };
    let mut buf = vec![0u8; 65_536];
    let mut branch = 0u64;
    loop {
        let Ok((len, from)) = socket.recv_from(&mut buf).await else {
            continue;
        };
        let Ok(text) = std::str::from_utf8(&buf[..len]) else {
            continue;
        };
        let from_target = from == target;
        // SDP from the phone advertises the port the target is to send to, and the
        // other way round.
        let (port, learnt) = if from_target {
            (phone_port, Side::Target)
        } else {
            (target_port, Side::Phone)
        };
        let Some((message, rtp)) = rewrite_sdp(text, port) else {
            continue;
        };
        if let Some(rtp) = rtp {
            counters.sdp_rewritten.fetch_add(1, Ordering::Relaxed);
            let mut p = peers
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match learnt {
                Side::Phone => p.phone = Some(rtp),
                Side::Target => p.target = Some(rtp),
            }
        }
        let forward = if message.starts_with("SIP/2.0") {
            pop_via(&message, me)
        } else if !from_target {
            branch += 1;
            Some((push_via(&message, me, target, branch), target))
        } else {
            // Requests from the target go to the phone's Contact directly.
            None
        };
        if let Some((out, to)) = forward {
            let _ = socket.send_to(out.as_bytes(), to).await;
        }
    }
}

enum Side {
    Phone,
    Target,
}

/// Splits a SIP message into its head and body.
fn split(message: &str) -> (&str, &str) {
    message.split_once("\r\n\r\n").unwrap_or((message, ""))
}

/// Points the audio m-line of an SDP body at `port` and fixes Content-Length; returns
/// the new message and where the SDP's writer receives RTP (None without SDP).
fn rewrite_sdp(message: &str, port: u16) -> Option<(String, Option<SocketAddr>)> {
    let (head, body) = split(message);
    if !body.starts_with("v=0") {
        return Some((message.to_owned(), None));
    }
    let mut address = None;
    let mut rtp_port = None;
    let mut lines = Vec::new();
    for line in body.split("\r\n") {
        if let Some(c) = line.strip_prefix("c=IN IP4 ") {
            address = c.trim().parse::<std::net::IpAddr>().ok().or(address);
        }
        if let Some(rest) = line.strip_prefix("m=audio ") {
            let (p, tail) = rest.split_once(' ')?;
            rtp_port = p.parse::<u16>().ok();
            lines.push(format!("m=audio {port} {tail}"));
            continue;
        }
        if line.starts_with("a=rtcp:") {
            continue;
        }
        lines.push(line.to_owned());
    }
    let body = lines.join("\r\n");
    let head: Vec<String> = head
        .split("\r\n")
        .map(|h| {
            let name = h.split(':').next().unwrap_or("").trim();
            if name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("l") {
                format!("Content-Length: {}", body.len())
            } else {
                h.to_owned()
            }
        })
        .collect();
    let rtp = address.zip(rtp_port).map(|(a, p)| SocketAddr::new(a, p));
    Some((format!("{}\r\n\r\n{body}", head.join("\r\n")), rtp))
}

/// A request with our Via on top and the Request-URI's host pointed at `target`.
fn push_via(message: &str, me: SocketAddr, target: SocketAddr, branch: u64) -> String {
    let (first, rest) = message.split_once("\r\n").unwrap_or((message, ""));
    let mut parts = first.splitn(3, ' ');
    let (method, uri, version) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or("SIP/2.0"),
    );
    let user = uri
        .strip_prefix("sip:")
        .and_then(|u| u.split_once('@'))
        .map(|(user, _)| user);
    let uri = match user {
        Some(user) => format!("sip:{user}@{target}"),
        None => uri.to_owned(),
    };
    format!(
        "{method} {uri} {version}\r\nVia: SIP/2.0/UDP {me};branch=z9hG4bK-relay-{branch}\r\n{rest}"
    )
}

/// A response without our (top) Via, and where the next Via says to send it.
fn pop_via(message: &str, me: SocketAddr) -> Option<(String, SocketAddr)> {
    let ours = format!("SIP/2.0/UDP {me};branch=z9hG4bK-relay-");
    let (head, body) = split(message);
    let mut out = Vec::new();
    let mut popped = false;
    let mut next = None;
    for line in head.split("\r\n") {
        let is_via = line
            .split(':')
            .next()
            .is_some_and(|n| n.trim().eq_ignore_ascii_case("via") || n.trim() == "v");
        if is_via && !popped && line.contains(&ours) {
            popped = true;
            continue;
        }
        if is_via && popped && next.is_none() {
            next = via_destination(line);
        }
        out.push(line);
    }
    Some((format!("{}\r\n\r\n{body}", out.join("\r\n")), next?))
}

/// `Via: SIP/2.0/UDP host:port;received=..;rport=..` → where the response goes
/// (RFC 3261 §18.2.2, RFC 3581).
fn via_destination(line: &str) -> Option<SocketAddr> {
    let value = line.split_once(':')?.1.trim();
    let value = value.split(',').next()?;
    let (_, rest) = value.split_once(' ')?;
    let mut params = rest.split(';');
    let sent_by = params.next()?.trim();
    let mut addr: SocketAddr = sent_by.parse().ok()?;
    for p in params {
        match p.trim().split_once('=') {
            Some(("received", ip)) => addr.set_ip(ip.parse().ok()?),
            Some(("rport", port)) => addr.set_port(port.parse().ok()?),
            _ => {}
        }
    }
    Some(addr)
}

/// Forwards RTP arriving at `inbound` out of `outbound` to the other side, impaired.
async fn media_loop(
    inbound: Arc<UdpSocket>,
    outbound: Arc<UdpSocket>,
    peers: Arc<Mutex<Peers>>,
    to_phone: bool,
    impairment: Impairment,
    counters: Arc<Counters>,
) {
    let mut rng = fastrand::Rng::with_seed(impairment.seed);
    let highest = Arc::new(Mutex::new(None::<u16>));
    let mut buf = vec![0u8; 2048];
    loop {
        let Ok((len, _)) = inbound.recv_from(&mut buf).await else {
            continue;
        };
        let to = {
            let p = peers
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if to_phone { p.phone } else { p.target }
        };
        let Some(to) = to else { continue };
        // The draws happen for every packet, in arrival order: the same seed gives the
        // same fate to the same packet.
        let lost = rng.f64() < impairment.drop;
        let delay = impairment.base_delay + impairment.jitter.mul_f64(rng.f64());
        if lost {
            counters.dropped.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        let packet = buf[..len].to_vec();
        let outbound = outbound.clone();
        let counters = counters.clone();
        let highest = highest.clone();
        let at = Instant::now() + delay;
        tokio::spawn(async move {
            tokio::time::sleep_until(at).await;
            if packet.len() >= 4 {
                let seq = u16::from_be_bytes([packet[2], packet[3]]);
                let mut h = highest
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                match *h {
                    Some(top) if (seq.wrapping_sub(top) as i16) < 0 => {
                        counters.reordered.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => *h = Some(seq),
                }
            }
            if outbound.send_to(&packet, to).await.is_ok() {
                counters.forwarded.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
}

/// The relay's address as a string for failure messages.
pub fn describe(relay: &Relay) -> String {
    format!("relay {} {:?}", relay.sip, relay.stats())
}

/// Checks a relay is carrying media (for tests that want to fail with a reason).
pub fn expect_media(relay: &Relay) -> anyhow::Result<()> {
    let s = relay.stats();
    (s.sdp_rewritten >= 2 && s.forwarded > 0)
        .then_some(())
        .with_context(|| format!("no media through the {}", describe(relay)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdp_and_via_rewriting() {
        let invite = "INVITE sip:only@127.0.0.1:7000 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKa;rport\r\nContent-Length: 60\r\n\r\nv=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\na=rtcp:4001\r\n";
        let (out, rtp) = rewrite_sdp(invite, 9000).unwrap();
        assert_eq!(rtp, Some("127.0.0.1:4000".parse().unwrap()));
        assert!(out.contains("m=audio 9000 RTP/AVP 0"));
        assert!(!out.contains("a=rtcp"));
        let body = out.split_once("\r\n\r\n").unwrap().1;
        assert!(out.contains(&format!("Content-Length: {}", body.len())));
        let me: SocketAddr = "127.0.0.1:7000".parse().unwrap();
        let target: SocketAddr = "127.0.0.1:8000".parse().unwrap();
        let req = push_via(&out, me, target, 1);
        assert!(req.starts_with("INVITE sip:only@127.0.0.1:8000 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:7000;branch=z9hG4bK-relay-1\r\n"));
        let resp = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:7000;branch=z9hG4bK-relay-1\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKa;rport=5062;received=127.0.0.1\r\n\r\n";
        let (back, to) = pop_via(resp, me).unwrap();
        assert_eq!(to, "127.0.0.1:5062".parse().unwrap());
        assert!(!back.contains("relay"));
    }
}
