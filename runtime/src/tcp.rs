//! SIP over TCP (RFC 3261 §18): a listener on the address and port of the UDP socket, and
//! a table of connections keyed by the peer's address, accepted or opened by us. Each
//! connection is one task that writes what the engine sends and reads, frames
//! ([`deskphone_sip::frame`], Content-Length is mandatory on streams, §18.3) and hands
//! whole messages back to the engine, which gives them to the core.
//!
//! SIP over TLS (RFC 3261 §26.3.1) is the same table without a listener
//! ([`Tcp::tls`]): the phone opens connections to its servers, which reach it back over
//! them (RFC 5923 `alias`, see `deskphone_sip::message`). The certificate must name the
//! host of the server's URI (RFC 5922 §7.2); wildcard certificates are accepted.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use deskphone_sip::{Framed, frame};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until, timeout};
use tokio_rustls::TlsConnector;

/// §18.3: at most one message of [`deskphone_sip::parse::MAX_MESSAGE`] is buffered; a
/// peer that sends more without a message boundary loses its connection.
const MAX_BUFFER: usize = 64 * 1024;
/// A connection without traffic for 64*T1 (the longest a transaction waits, §17.1.1.2)
/// plus a margin closes: no transaction can still need it.
pub const IDLE: Duration = Duration::from_secs(32 + 10);
/// How long opening a connection may take before the peer counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Messages queued for one connection before further ones are dropped (like datagrams).
const QUEUE: usize = 64;

/// How many connections peers may open to us: from one address, and in all. Beyond
/// either, an accepted connection is closed at once, so a flood of connects can neither
/// exhaust file descriptors and memory nor crowd out the servers the phone talks to (a
/// registrar behind one address needs one connection, RFC 5923 reuses it both ways).
/// Connections the phone opens are not counted: their number follows our own requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpLimits {
    pub per_peer: usize,
    pub total: usize,
}

impl Default for TcpLimits {
    fn default() -> Self {
        TcpLimits {
            per_peer: 8,
            total: 64,
        }
    }
}

/// What the connections report to the engine.
#[derive(Debug)]
pub enum TcpEvent {
    /// One framed SIP message from `peer`.
    Message(SocketAddr, Vec<u8>),
    /// The connection with `peer` closed (idle, by the peer, or unframeable input).
    Closed(SocketAddr),
    /// No connection to `peer` could be opened or a write failed: a transport error
    /// (§18.1.1 → §17.1.4).
    Failed(SocketAddr),
}

/// The TLS side of a table: how to connect, and the name each server must have.
struct TlsClient {
    connector: TlsConnector,
    names: HashMap<SocketAddr, ServerName<'static>>,
}

struct Conn {
    queue: mpsc::Sender<Vec<u8>>,
    /// Tells a closed connection's report from that of its successor.
    id: u64,
}

/// The listener and the connection table.
pub struct Tcp {
    listener: Option<TcpListener>,
    /// Set for SIP over TLS: connections are TLS clients.
    tls: Option<TlsClient>,
    conns: HashMap<SocketAddr, Conn>,
    /// Accepted connections still running, by id, with the peer's address.
    inbound: HashMap<u64, IpAddr>,
    limits: TcpLimits,
    /// Connections closed at once because of `limits`.
    refused: u64,
    next_id: u64,
    events_tx: mpsc::Sender<(u64, TcpEvent)>,
    events_rx: mpsc::Receiver<(u64, TcpEvent)>,
}

impl Tcp {
    /// Listens on `local` (the UDP socket's address); without a listener (the port is
    /// taken for TCP) outgoing connections still work, so that is only a warning.
    pub fn bind(local: SocketAddr) -> Tcp {
        let listener = std::net::TcpListener::bind(local)
            .and_then(|l| {
                l.set_nonblocking(true)?;
                TcpListener::from_std(l)
            })
            .inspect_err(|e| tracing::warn!("SIP over TCP: cannot listen on {local}: {e}"))
            .ok();
        let (events_tx, events_rx) = mpsc::channel(256);
        Tcp {
            listener,
            tls: None,
            conns: HashMap::new(),
            inbound: HashMap::new(),
            limits: TcpLimits::default(),
            refused: 0,
            next_id: 1,
            events_tx,
            events_rx,
        }
    }

    /// SIP over TLS: outgoing connections only, checked with `connector`.
    pub fn tls(connector: TlsConnector) -> Tcp {
        let (events_tx, events_rx) = mpsc::channel(256);
        Tcp {
            listener: None,
            tls: Some(TlsClient {
                connector,
                names: HashMap::new(),
            }),
            conns: HashMap::new(),
            inbound: HashMap::new(),
            limits: TcpLimits::default(),
            refused: 0,
            next_id: 1,
            events_tx,
            events_rx,
        }
    }

    pub fn set_limits(&mut self, limits: TcpLimits) {
        self.limits = limits;
    }

    /// Whether a connection from `peer` fits the limits; counts and logs a refusal.
    fn admit(&mut self, peer: SocketAddr) -> bool {
        let from_peer = self.inbound.values().filter(|ip| **ip == peer.ip()).count();
        if from_peer < self.limits.per_peer && self.inbound.len() < self.limits.total {
            return true;
        }
        self.refused += 1;
        // A flood would flood the log too: the first refusal and then every power of two.
        if self.refused.is_power_of_two() {
            tracing::warn!(
                "SIP over TCP: closing connections beyond the limits ({from_peer} from {}, \
                 {} in all); {} refused so far",
                peer.ip(),
                self.inbound.len(),
                self.refused
            );
        }
        false
    }

    /// TLS: the host name `peer`'s certificate must name (RFC 5922 §7.2: the host of the
    /// server's URI, not what DNS made of it). Without one, the peer's IP address.
    pub fn set_server_name(&mut self, peer: SocketAddr, name: &str) {
        let Some(tls) = &mut self.tls else { return };
        match ServerName::try_from(name.to_owned()) {
            Ok(n) => {
                tls.names.insert(peer, n);
            }
            Err(e) => tracing::warn!("SIP over TLS: {name} is no valid server name: {e}"),
        }
    }

    fn label(&self) -> &'static str {
        if self.tls.is_some() { "TLS" } else { "TCP" }
    }

    /// Sends one message to `peer` over its connection, opening one if there is none
    /// (§18.1.1: reuse an open connection to the same destination).
    pub fn send(&mut self, peer: SocketAddr, payload: Vec<u8>) {
        let label = self.label();
        if let Some(conn) = self.conns.get(&peer) {
            match conn.queue.try_send(payload) {
                Ok(()) => return,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tracing::warn!("SIP over {label}: queue to {peer} full, message dropped");
                    return;
                }
                // The connection just closed (its report is on the way): open a new one.
                Err(mpsc::error::TrySendError::Closed(p)) => {
                    self.conns.remove(&peer);
                    return self.send(peer, p);
                }
            }
        }
        let (queue, rx) = mpsc::channel(QUEUE);
        let _ = queue.try_send(payload);
        let id = self.add(peer, queue);
        let events = self.events_tx.clone();
        let tls = self.tls.as_ref().map(|t| {
            let name = t
                .names
                .get(&peer)
                .cloned()
                .unwrap_or_else(|| ServerName::IpAddress(peer.ip().into()));
            (t.connector.clone(), name)
        });
        tokio::spawn(async move {
            let stream = match timeout(CONNECT_TIMEOUT, TcpStream::connect(peer)).await {
                Ok(Ok(stream)) => stream,
                Ok(Err(e)) => {
                    tracing::info!("SIP over {label}: cannot connect to {peer}: {e}");
                    let _ = events.send((id, TcpEvent::Failed(peer))).await;
                    return;
                }
                Err(_) => {
                    tracing::info!("SIP over {label}: connecting to {peer} timed out");
                    let _ = events.send((id, TcpEvent::Failed(peer))).await;
                    return;
                }
            };
            let _ = stream.set_nodelay(true);
            let Some((connector, name)) = tls else {
                tracing::info!("SIP over TCP: connected to {peer}");
                return run(id, peer, label, stream, rx, events).await;
            };
            let shown = name.to_str().into_owned();
            match timeout(CONNECT_TIMEOUT, connector.connect(name, stream)).await {
                Ok(Ok(stream)) => {
                    tracing::info!("SIP over TLS: connected to {peer} ({shown})");
                    run(id, peer, label, stream, rx, events).await
                }
                Ok(Err(e)) => {
                    // E.g. "invalid peer certificate: UnknownIssuer" or "…NotValidForName".
                    tracing::warn!("SIP over TLS: handshake with {peer} ({shown}) failed: {e}");
                    let _ = events.send((id, TcpEvent::Failed(peer))).await;
                }
                Err(_) => {
                    tracing::info!("SIP over TLS: handshake with {peer} timed out");
                    let _ = events.send((id, TcpEvent::Failed(peer))).await;
                }
            }
        });
    }

    fn add(&mut self, peer: SocketAddr, queue: mpsc::Sender<Vec<u8>>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.conns.insert(peer, Conn { queue, id });
        id
    }

    /// The next thing for the engine: accepted connections are set up here meanwhile.
    /// Cancel-safe, so it can be one branch of the engine's `select!`.
    pub async fn next(&mut self) -> TcpEvent {
        loop {
            let accepted = async {
                match &self.listener {
                    Some(l) => l.accept().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                accepted = accepted => match accepted {
                    Ok((stream, peer)) => {
                        if !self.admit(peer) {
                            // Dropping the stream closes it; the peer sees its connection end.
                            drop(stream);
                            continue;
                        }
                        tracing::info!("SIP over TCP: accepted a connection from {peer}");
                        let (queue, rx) = mpsc::channel(QUEUE);
                        // A newer connection from the same address replaces the old one
                        // for sending; the old one still reads until it closes.
                        let id = self.add(peer, queue);
                        self.inbound.insert(id, peer.ip());
                        let _ = stream.set_nodelay(true);
                        tokio::spawn(run(id, peer, "TCP", stream, rx, self.events_tx.clone()));
                    }
                    Err(e) => tracing::debug!("SIP over TCP: accept: {e}"),
                },
                Some((id, event)) = self.events_rx.recv() => {
                    if let TcpEvent::Closed(peer) | TcpEvent::Failed(peer) = &event {
                        // Every connection task reports its end exactly once.
                        self.inbound.remove(&id);
                        // Only the connection in the table is forgotten, not a successor.
                        if self.conns.get(peer).is_some_and(|c| c.id == id) {
                            self.conns.remove(peer);
                        } else if matches!(event, TcpEvent::Closed(_)) {
                            continue;
                        }
                    }
                    return event;
                }
            }
        }
    }
}

/// One connection: writes queued messages, reads and frames incoming ones, closes when
/// idle for [`IDLE`], on EOF, or when the input cannot be framed within [`MAX_BUFFER`].
async fn run<S: AsyncRead + AsyncWrite + Unpin>(
    id: u64,
    peer: SocketAddr,
    label: &'static str,
    mut stream: S,
    mut queue: mpsc::Receiver<Vec<u8>>,
    events: mpsc::Sender<(u64, TcpEvent)>,
) {
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut chunk = vec![0u8; 16 * 1024];
    let mut idle_at = Instant::now() + IDLE;
    let outcome = loop {
        tokio::select! {
            read = stream.read(&mut chunk) => match read {
                Ok(0) => break TcpEvent::Closed(peer),
                Ok(n) => {
                    idle_at = Instant::now() + IDLE;
                    buf.extend_from_slice(&chunk[..n]);
                    if !deliver(id, peer, &mut buf, &events).await {
                        tracing::info!("SIP over {label}: unframeable input from {peer}; closing");
                        break TcpEvent::Closed(peer);
                    }
                }
                Err(e) => {
                    tracing::debug!("SIP over {label}: read from {peer}: {e}");
                    break TcpEvent::Closed(peer);
                }
            },
            message = queue.recv() => match message {
                Some(payload) => {
                    idle_at = Instant::now() + IDLE;
                    if let Err(e) = stream.write_all(&payload).await {
                        tracing::info!("SIP over {label}: write to {peer}: {e}");
                        break TcpEvent::Failed(peer);
                    }
                }
                None => break TcpEvent::Closed(peer),
            },
            () = sleep_until(idle_at) => break TcpEvent::Closed(peer),
        }
    };
    let _ = stream.shutdown().await;
    let _ = events.send((id, outcome)).await;
}

/// Hands every complete message in `buf` to the engine; false when the stream cannot be
/// framed (no Content-Length, too large, or more than [`MAX_BUFFER`] without an end).
async fn deliver(
    id: u64,
    peer: SocketAddr,
    buf: &mut Vec<u8>,
    events: &mpsc::Sender<(u64, TcpEvent)>,
) -> bool {
    loop {
        match frame(buf) {
            Framed::Complete(len) => {
                let message: Vec<u8> = buf.drain(..len).collect();
                // A lone keep-alive (RFC 5626 §3.5.1) carries no message.
                if message.iter().any(|b| *b != b'\r' && *b != b'\n') {
                    let _ = events.send((id, TcpEvent::Message(peer, message))).await;
                }
            }
            Framed::Incomplete => return buf.len() <= MAX_BUFFER,
            Framed::Invalid => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIONS: &[u8] = b"OPTIONS sip:b@127.0.0.1 SIP/2.0\r\nContent-Length: 2\r\n\r\nhi";

    #[tokio::test]
    async fn accepts_frames_and_answers_on_the_same_connection() {
        let mut tcp = Tcp::bind("127.0.0.1:0".parse().unwrap());
        let local = tcp.listener.as_ref().unwrap().local_addr().unwrap();
        let mut client = TcpStream::connect(local).await.unwrap();
        let me = client.local_addr().unwrap();
        // Two messages, the second split across writes.
        client
            .write_all(&[OPTIONS, &OPTIONS[..10]].concat())
            .await
            .unwrap();
        let TcpEvent::Message(from, m) = tcp.next().await else {
            panic!("a message")
        };
        assert_eq!((from, m.as_slice()), (me, OPTIONS));
        client.write_all(&OPTIONS[10..]).await.unwrap();
        let TcpEvent::Message(_, m) = tcp.next().await else {
            panic!("a message")
        };
        assert_eq!(m, OPTIONS);
        tcp.send(me, b"SIP/2.0 200 OK\r\n\r\n".to_vec());
        let mut back = [0u8; 18];
        client.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"SIP/2.0 200 OK\r\n\r\n");
        assert_eq!(tcp.conns.len(), 1, "reused, not a second connection");
        // No Content-Length: the stream cannot be framed, the connection closes.
        client
            .write_all(b"OPTIONS sip:b@h SIP/2.0\r\n\r\n")
            .await
            .unwrap();
        assert!(matches!(tcp.next().await, TcpEvent::Closed(p) if p == me));
        assert!(tcp.conns.is_empty());
    }

    /// Reads until the peer closes (true) or 2 s pass (false).
    async fn closed_by_peer(client: &mut TcpStream) -> bool {
        let mut b = [0u8; 64];
        matches!(
            timeout(Duration::from_secs(2), client.read(&mut b)).await,
            Ok(Ok(0) | Err(_))
        )
    }

    async fn connect_from(ip: &str, to: SocketAddr) -> TcpStream {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(format!("{ip}:0").parse().unwrap()).unwrap();
        socket.connect(to).await.unwrap()
    }

    #[tokio::test]
    async fn connections_beyond_the_limits_are_closed_and_a_freed_place_is_taken_again() {
        let mut tcp = Tcp::bind("127.0.0.1:0".parse().unwrap());
        tcp.set_limits(TcpLimits {
            per_peer: 2,
            total: 3,
        });
        let local = tcp.listener.as_ref().unwrap().local_addr().unwrap();
        // The table works only while the engine drives `next`.
        let (to_engine, mut from_tcp) = mpsc::channel(16);
        let driver = tokio::spawn(async move {
            loop {
                let event = tcp.next().await;
                if to_engine.send(event).await.is_err() {
                    return tcp;
                }
            }
        });
        let mut a1 = connect_from("127.0.0.1", local).await;
        let mut a2 = connect_from("127.0.0.1", local).await;
        let mut a3 = connect_from("127.0.0.1", local).await;
        assert!(closed_by_peer(&mut a3).await, "a third from one address");
        let mut b1 = connect_from("127.0.0.2", local).await;
        let mut c1 = connect_from("127.0.0.3", local).await;
        assert!(closed_by_peer(&mut c1).await, "a fourth in all");
        // The admitted ones work.
        for c in [&mut a1, &mut a2, &mut b1] {
            c.write_all(OPTIONS).await.unwrap();
            assert!(matches!(from_tcp.recv().await, Some(TcpEvent::Message(_, m)) if m == OPTIONS));
        }
        // One closes; its place is free again.
        drop(a1);
        assert!(matches!(from_tcp.recv().await, Some(TcpEvent::Closed(_))));
        let mut a4 = connect_from("127.0.0.1", local).await;
        a4.write_all(OPTIONS).await.unwrap();
        assert!(matches!(from_tcp.recv().await, Some(TcpEvent::Message(_, m)) if m == OPTIONS));
        drop(from_tcp);
        a2.write_all(OPTIONS).await.unwrap();
        let tcp = driver.await.unwrap();
        assert_eq!(tcp.refused, 2);
        assert_eq!(tcp.inbound.len(), 3);
    }

    #[tokio::test]
    async fn refused_connection_is_a_transport_error() {
        let unused = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let peer = unused.local_addr().unwrap();
        drop(unused);
        let mut tcp = Tcp::bind("127.0.0.1:0".parse().unwrap());
        tcp.send(peer, OPTIONS.to_vec());
        assert!(matches!(tcp.next().await, TcpEvent::Failed(p) if p == peer));
    }
}
