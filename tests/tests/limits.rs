//! Bounds under a flood (issue "Call control and keys", robustness): thousands of INVITEs
//! from a raw socket fill the phone's transaction table, beyond which every new request is
//! answered 503 with Retry-After and nothing is kept; a flood of TCP connects is closed
//! beyond the per-peer limit. Meanwhile the phone keeps working: its registration refresh
//! goes through while the table is full, and once the flood is over a normal call through
//! kamailio connects with audio both ways.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use deskphone_tests::{Kamailio, alice_calls_bob_by_name, registered_phone};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpSocket, TcpStream, UdpSocket};

const ALICE_PASSWORD: &str = "alice-Flood-31";
const BOB_PASSWORD: &str = "bob-Flood-47";
/// More than the core's default `Limits::max_transactions` (1024).
const BURST: usize = 1600;
/// `TcpLimits::default().per_peer`.
const TCP_PER_PEER: usize = 8;

/// One flooding INVITE and what came back for it.
struct Sent {
    n: usize,
    /// The final response's code and To header (with the phone's tag), or the 1xx seen.
    last: Option<(u16, String)>,
    /// Anything came back for it, a 503 included.
    answered: bool,
}

fn invite(n: usize, me: SocketAddr, phone: SocketAddr) -> String {
    format!(
        "INVITE sip:bob@{phone} SIP/2.0\r\nVia: SIP/2.0/UDP {me};branch=z9hG4bK-fl{n}\r\n\
         Max-Forwards: 70\r\nFrom: <sip:flood@{me}>;tag=f{n}\r\nTo: <sip:bob@{phone}>\r\n\
         Call-ID: flood-{n}@{me}\r\nCSeq: 1 INVITE\r\nContact: <sip:flood@{me}>\r\n\
         Content-Length: 0\r\n\r\n"
    )
}

/// ACK for a non-2xx final response (RFC 3261 §17.1.1.3: same branch, the response's To)
/// or CANCEL for an unanswered INVITE (§9.1).
fn end_of(n: usize, me: SocketAddr, phone: SocketAddr, last: Option<&(u16, String)>) -> String {
    let (method, to) = match last {
        Some((code, to)) if *code >= 300 => ("ACK", to.clone()),
        _ => ("CANCEL", format!("<sip:bob@{phone}>")),
    };
    format!(
        "{method} sip:bob@{phone} SIP/2.0\r\nVia: SIP/2.0/UDP {me};branch=z9hG4bK-fl{n}\r\n\
         Max-Forwards: 70\r\nFrom: <sip:flood@{me}>;tag=f{n}\r\nTo: {to}\r\n\
         Call-ID: flood-{n}@{me}\r\nCSeq: 1 {method}\r\nContent-Length: 0\r\n\r\n"
    )
}

fn header<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.split("\r\n").find_map(|l| {
        l.split_once(':')
            .filter(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    })
}

#[derive(Default)]
struct Tally {
    /// Responses by code (retransmissions included).
    codes: HashMap<u16, usize>,
    /// 503s without a Retry-After.
    bare_503: usize,
}

/// Waits (at most 2 s) until all but `ahead` of the INVITEs sent were answered: a flood as
/// fast as the phone takes it, not faster (beyond that the kernel drops datagrams and
/// the phone never sees them).
async fn keep_pace(sock: &UdpSocket, sent: &mut [Sent], tally: &mut Tally, ahead: usize) {
    let start = Instant::now();
    while sent.iter().filter(|s| !s.answered).count() > ahead
        && start.elapsed() < Duration::from_secs(2)
    {
        drain(sock, sent, tally, Duration::from_millis(20)).await;
    }
}

/// Reads what the phone sent back for `wait`, recording each INVITE's latest response.
async fn drain(sock: &UdpSocket, sent: &mut [Sent], tally: &mut Tally, wait: Duration) {
    let mut buf = vec![0u8; 65536];
    while let Ok(Ok((len, _))) = tokio::time::timeout(wait, sock.recv_from(&mut buf)).await {
        let text = String::from_utf8_lossy(&buf[..len]).into_owned();
        let Some(code) = text.get(8..11).and_then(|c| c.parse::<u16>().ok()) else {
            continue;
        };
        *tally.codes.entry(code).or_default() += 1;
        if code == 503 && header(&text, "Retry-After").is_none() {
            tally.bare_503 += 1;
        }
        let n = header(&text, "Call-ID")
            .and_then(|c| c.strip_prefix("flood-"))
            .and_then(|c| c.split('@').next())
            .and_then(|n| n.parse::<usize>().ok());
        let is_invite = header(&text, "CSeq").is_some_and(|c| c.ends_with("INVITE"));
        if let (Some(n), true) = (n, is_invite)
            && let Some(s) = sent.get_mut(n)
        {
            s.answered = true;
        }
        if let (Some(n), true) = (n, is_invite)
            && let Some(s) = sent.get_mut(n)
            && code != 503
            && s.last.as_ref().is_none_or(|(c, _)| *c < 200)
        {
            s.last = Some((code, header(&text, "To").unwrap_or_default().to_owned()));
        }
    }
}

async fn connect_from(ip: &str, to: SocketAddr) -> anyhow::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(format!("{ip}:0").parse()?)?;
    Ok(socket.connect(to).await?)
}

/// Whether the phone closed the connection within `wait`.
async fn closed_by_phone(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut b = [0u8; 256];
    matches!(
        tokio::time::timeout(wait, stream.read(&mut b)).await,
        Ok(Ok(0) | Err(_))
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn floods_are_refused_and_the_phone_keeps_working() -> anyhow::Result<()> {
    let kamailio = Kamailio::start(
        "limits-kamailio",
        "MD5",
        true,
        &[("alice", ALICE_PASSWORD), ("bob", BOB_PASSWORD)],
    )
    .await?;
    let alice = registered_phone(
        ("limits-alice", "Alice"),
        "alice",
        ALICE_PASSWORD,
        "tone:1000",
        &kamailio,
        &[],
    )
    .await?;
    // The shortest binding kamailio grants: the refresh comes 30 s later (half of it),
    // in the middle of the flood.
    let bob = registered_phone(
        ("limits-bob", "Bob"),
        "bob",
        BOB_PASSWORD,
        "tone:440",
        &kamailio,
        &["--set=user_expiry[1]=60"],
    )
    .await?;
    for phone in [&alice, &bob] {
        kamailio.wait_registered(phone).await?;
    }
    let registered_at = Instant::now();
    let bindings_before = kamailio.count("registered user=bob");

    // The burst: more INVITEs than the phone keeps transactions for, 50 at a time.
    let flooder = UdpSocket::bind("127.0.0.1:0").await?;
    let me = flooder.local_addr()?;
    let mut sent: Vec<Sent> = Vec::new();
    let mut tally = Tally::default();
    while sent.len() < BURST {
        for _ in 0..50 {
            let n = sent.len();
            flooder
                .send_to(invite(n, me, bob.sip).as_bytes(), bob.sip)
                .await?;
            sent.push(Sent {
                n,
                last: None,
                answered: false,
            });
        }
        keep_pace(&flooder, &mut sent, &mut tally, 10).await;
    }
    drain(&flooder, &mut sent, &mut tally, Duration::from_millis(500)).await;
    let refused_in_burst = tally.codes.get(&503).copied().unwrap_or(0);
    let admitted = sent.iter().filter(|s| s.last.is_some()).count();
    println!("burst: {BURST} INVITEs, {admitted} taken on, {refused_in_burst} refused 503");
    let unanswered = sent.iter().filter(|s| !s.answered).count();
    assert!(unanswered < 20, "{unanswered} INVITEs got no answer");
    assert!(
        refused_in_burst >= BURST - 1024 - unanswered,
        "beyond the transaction limit INVITEs are refused: {:?}",
        tally.codes
    );
    assert!(
        admitted <= 1024,
        "no more than the limit taken on: {admitted}"
    );
    assert_eq!(tally.bare_503, 0, "every 503 names a Retry-After");

    // Connects from one address beyond the per-peer limit are closed at once; the first
    // ones stay open.
    let mut conns = Vec::new();
    for _ in 0..40 {
        conns.push(connect_from("127.0.0.9", bob.sip).await?);
    }
    let mut closed = 0;
    for c in &mut conns {
        if closed_by_phone(c, Duration::from_millis(300)).await {
            closed += 1;
        }
    }
    println!("TCP: 40 connects, {closed} closed by the phone");
    assert_eq!(
        closed,
        40 - TCP_PER_PEER,
        "connections beyond the limit close"
    );
    drop(conns);

    // Keep the table full past the registration refresh (30 s after registering) with a
    // trickle of new INVITEs, which are refused too. On a loaded machine the burst can
    // itself outlast the refresh; the trickle then still runs for a second (the admitted
    // transactions wait 64*T1 for ACKs that never come, so the table is still full).
    let mut trickle = 0usize;
    let trickle_refused_before = tally.codes.get(&503).copied().unwrap_or(0);
    while registered_at.elapsed() < Duration::from_secs(34) || trickle < 50 {
        for _ in 0..5 {
            let n = sent.len();
            flooder
                .send_to(invite(n, me, bob.sip).as_bytes(), bob.sip)
                .await?;
            sent.push(Sent {
                n,
                last: None,
                answered: false,
            });
            trickle += 1;
        }
        drain(&flooder, &mut sent, &mut tally, Duration::from_millis(100)).await;
    }
    let trickle_refused = tally.codes.get(&503).copied().unwrap_or(0) - trickle_refused_before;
    println!("trickle: {trickle} INVITEs, {trickle_refused} refused 503");
    assert!(trickle_refused > 0, "the table was still full");
    // The refresh went through all the same: REGISTER transactions are the
    // registration's own, not the table's.
    kamailio.wait_registered(&bob).await?;
    assert!(
        kamailio.count("registered user=bob") > bindings_before,
        "bob's binding was refreshed during the flood:\n{}",
        kamailio.log()
    );

    // End the flood's calls: ACK the final responses, CANCEL what only rang.
    for s in &sent {
        if s.last.is_some() {
            let end = end_of(s.n, me, bob.sip, s.last.as_ref());
            flooder.send_to(end.as_bytes(), bob.sip).await?;
        }
    }
    drain(&flooder, &mut sent, &mut tally, Duration::from_millis(300)).await;
    bob.wait_for(
        "no call left from the flood",
        Duration::from_secs(40),
        |s| s.calls.is_empty(),
    )
    .await?;
    // The table empties as its transactions end (Timer H/I/J); then a normal call
    // through kamailio connects, with audio both ways.
    tokio::time::sleep(Duration::from_secs(6)).await;
    kamailio.wait_location("bob", 200).await?;
    alice_calls_bob_by_name(&kamailio, &alice, &bob).await?;
    Ok(())
}
