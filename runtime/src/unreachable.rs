//! Which SIP destinations the network reported unreachable (S2: immediate failover).
//!
//! An ICMP error (port or host unreachable) answering a datagram from an *unconnected* UDP
//! socket is dropped by Linux unless the socket sets `IP_RECVERR` (ip(7)). With it, the
//! kernel queues the error on the socket's error queue: `recvmsg(MSG_ERRQUEUE)` returns it
//! with a `sock_extended_err` and, as the message's address, the destination of the
//! datagram that failed (the ICMP payload's IP destination and UDP port). The socket
//! polls as "error" (EPOLLERR) while the queue is not empty, which tokio reports as
//! [`Interest::ERROR`] readiness. nix wraps all of it without unsafe code.
//!
//! RFC 3261 §18.4: an ICMP error for a request is a transport error, which the SIP core
//! turns into failover to the server's next address (or the end of the transaction).

use std::io;
use std::net::SocketAddr;

use tokio::io::Interest;
use tokio::net::UdpSocket;

/// Asks the kernel to report ICMP errors for datagrams sent from `socket`.
#[cfg(target_os = "linux")]
pub fn watch(socket: &UdpSocket) -> io::Result<()> {
    use nix::sys::socket::{setsockopt, sockopt};
    if socket.local_addr()?.is_ipv4() {
        setsockopt(socket, sockopt::Ipv4RecvErr, &true)?;
    } else {
        setsockopt(socket, sockopt::Ipv6RecvErr, &true)?;
    }
    Ok(())
}

/// Elsewhere ICMP errors are not reported; the transaction timers still end the requests.
#[cfg(not(target_os = "linux"))]
pub fn watch(_socket: &UdpSocket) -> io::Result<()> {
    Ok(())
}

/// Reads what is queued now, without waiting: the destinations reported
/// unreachable since the last read (empty when nothing is queued).
pub fn drain(socket: &UdpSocket) -> io::Result<Vec<SocketAddr>> {
    read_queue(socket)
}

/// Waits for ICMP errors on `socket` and returns the destinations they were about.
pub async fn next(socket: &UdpSocket) -> io::Result<Vec<SocketAddr>> {
    socket
        .async_io(Interest::ERROR, || {
            let found = read_queue(socket)?;
            if found.is_empty() {
                // Also clears tokio's readiness, so the next wait really waits.
                return Err(io::ErrorKind::WouldBlock.into());
            }
            Ok(found)
        })
        .await
}

/// Drains the error queue: the destinations of datagrams an ICMP error came back for.
#[cfg(target_os = "linux")]
fn read_queue(socket: &UdpSocket) -> io::Result<Vec<SocketAddr>> {
    use std::io::IoSliceMut;
    use std::os::fd::AsRawFd;

    use nix::errno::Errno;
    use nix::libc;
    use nix::sys::socket::{ControlMessageOwned, MsgFlags, SockaddrStorage, recvmsg};

    let mut found = Vec::new();
    loop {
        // The queued datagram (our request) is not needed; its address and the error are.
        let mut data = [0u8; 64];
        let mut iov = [IoSliceMut::new(&mut data)];
        let mut control = nix::cmsg_space!(libc::sock_extended_err, libc::sockaddr_in6);
        let msg = match recvmsg::<SockaddrStorage>(
            socket.as_raw_fd(),
            &mut iov,
            Some(&mut control),
            MsgFlags::MSG_ERRQUEUE | MsgFlags::MSG_DONTWAIT,
        ) {
            Ok(msg) => msg,
            Err(Errno::EAGAIN) => return Ok(found),
            Err(e) => return Err(e.into()),
        };
        let icmp = msg.cmsgs().into_iter().flatten().any(|c| match c {
            ControlMessageOwned::Ipv4RecvErr(e, _) => {
                e.ee_origin == libc::SO_EE_ORIGIN_ICMP && unreachable_errno(e.ee_errno)
            }
            ControlMessageOwned::Ipv6RecvErr(e, _) => {
                e.ee_origin == libc::SO_EE_ORIGIN_ICMP6 && unreachable_errno(e.ee_errno)
            }
            _ => false,
        });
        let dest = msg.address.and_then(|a| {
            a.as_sockaddr_in()
                .map(|v4| SocketAddr::from(*v4))
                .or_else(|| a.as_sockaddr_in6().map(|v6| SocketAddr::from(*v6)))
        });
        if let (true, Some(dest)) = (icmp, dest)
            && !found.contains(&dest)
        {
            found.push(dest);
        }
    }
}

/// The errors ICMP destination unreachable maps to (port, host, network, prohibited).
#[cfg(target_os = "linux")]
fn unreachable_errno(errno: u32) -> bool {
    use nix::libc;
    [
        libc::ECONNREFUSED,
        libc::EHOSTUNREACH,
        libc::ENETUNREACH,
        libc::EHOSTDOWN,
        libc::EACCES,
    ]
    .iter()
    .any(|e| u32::try_from(*e) == Ok(errno))
}

#[cfg(not(target_os = "linux"))]
fn read_queue(_socket: &UdpSocket) -> io::Result<Vec<SocketAddr>> {
    Ok(Vec::new())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_closed_port_on_loopback_is_reported_with_its_address() {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        watch(&socket).unwrap();
        // A port that was just free: nobody listens, so loopback answers port unreachable.
        let closed = {
            let probe = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap()
        };
        socket.send_to(b"REGISTER", closed).await.unwrap();
        let found = tokio::time::timeout(Duration::from_secs(2), next(&socket))
            .await
            .expect("the ICMP error within 2 s")
            .unwrap();
        assert_eq!(found, [closed]);
        // The queue is drained: nothing more comes.
        let again = tokio::time::timeout(Duration::from_millis(200), next(&socket)).await;
        assert!(again.is_err(), "{again:?}");
    }
}
