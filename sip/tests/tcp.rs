//! SIP over TCP (RFC 3261 §18) with a fake clock and a fake stream: the test plays the
//! peer at the other end of a connection, feeding framed messages in with
//! `handle_stream_message` and reading what comes out.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use deskphone_sip::{
    CallHandle, Event, Framed, OutgoingCall, Transmit, Transport, UaConfig, UserAgent, frame,
};

fn local() -> SocketAddr {
    "192.0.2.10:5070".parse().unwrap()
}

fn peer() -> SocketAddr {
    "192.0.2.1:5060".parse().unwrap()
}

fn ua() -> UserAgent {
    UserAgent::new(UaConfig {
        local_addr: local(),
        user_agent: "deskphone-test".into(),
        rng_seed: Some(1),
    })
}

fn drain(ua: &mut UserAgent) -> Vec<Transmit> {
    std::iter::from_fn(|| ua.poll_transmit()).collect()
}

fn text(t: &Transmit) -> String {
    String::from_utf8(t.payload.clone()).unwrap()
}

/// Runs the user agent's timers from `t0` for `span`, returning what it sent meanwhile.
fn run(ua: &mut UserAgent, t0: Instant, span: Duration) -> (Vec<Transmit>, Vec<Event>) {
    let (mut sent, mut events) = (Vec::new(), Vec::new());
    while let Some(at) = ua.poll_timeout().filter(|at| *at <= t0 + span) {
        ua.handle_timeout(at);
        sent.extend(drain(ua));
        events.extend(std::iter::from_fn(|| ua.poll_event()));
    }
    (sent, events)
}

fn header<'a>(message: &'a str, name: &str) -> &'a str {
    message
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
        .unwrap_or_default()
}

#[test]
fn invite_over_tcp_names_tcp_and_is_not_retransmitted() {
    let t0 = Instant::now();
    let mut ua = ua();
    ua.set_transport(peer(), Transport::Tcp);
    let call = ua
        .invite(
            t0,
            OutgoingCall {
                from_uri: "sip:alice@192.0.2.10".into(),
                from_display: String::new(),
                target_uri: "sip:bob@192.0.2.1;transport=tcp".into(),
                dest: peer(),
                sdp: Vec::new(),
            },
        )
        .unwrap();
    let sent = drain(&mut ua);
    assert_eq!(sent.len(), 1);
    let invite = text(&sent[0]);
    assert_eq!(sent[0].transport, Transport::Tcp);
    assert_eq!(
        frame(&sent[0].payload),
        Framed::Complete(sent[0].payload.len())
    );
    assert!(
        header(&invite, "Via").starts_with("SIP/2.0/TCP 192.0.2.10:5070;"),
        "{invite}"
    );
    assert!(
        header(&invite, "Contact").contains(";transport=tcp>"),
        "{invite}"
    );
    // §17.1.1.2: no Timer A on a reliable transport; Timer B still ends the call.
    let (sent, events) = run(&mut ua, t0, Duration::from_secs(40));
    assert!(
        sent.iter().all(|t| !text(t).starts_with("INVITE")),
        "{sent:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Ended { call: c, .. } if *c == call)),
        "{events:?}"
    );
}

#[test]
fn response_goes_back_over_the_connection_without_retransmissions() {
    let t0 = Instant::now();
    let mut ua = ua();
    // The peer connected from an ephemeral port; its Via names its listening port, and no
    // rport: over UDP the response would go to 5060, over TCP it goes back on the
    // connection (§18.2.2).
    let from: SocketAddr = "192.0.2.1:40123".parse().unwrap();
    let invite = "INVITE sip:alice@192.0.2.10:5070;transport=tcp SIP/2.0\r\n\
        Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKtcp1\r\n\
        Max-Forwards: 70\r\nFrom: <sip:bob@192.0.2.1>;tag=b1\r\n\
        To: <sip:alice@192.0.2.10>\r\nCall-ID: tcp-call-1\r\nCSeq: 1 INVITE\r\n\
        Contact: <sip:bob@192.0.2.1:5060;transport=tcp>\r\nContent-Length: 0\r\n\r\n";
    ua.handle_stream_message(t0, Transport::Tcp, from, invite.as_bytes());
    let trying = drain(&mut ua);
    assert_eq!(trying.len(), 1);
    assert_eq!(
        (trying[0].dest, trying[0].transport),
        (from, Transport::Tcp)
    );
    assert!(text(&trying[0]).starts_with("SIP/2.0 100 "));
    let call: CallHandle = std::iter::from_fn(|| ua.poll_event())
        .find_map(|e| match e {
            Event::IncomingCall { call, .. } => Some(call),
            _ => None,
        })
        .expect("incoming call");
    ua.reject(t0, call, 486).unwrap();
    let busy = drain(&mut ua);
    assert_eq!(busy.len(), 1);
    assert_eq!((busy[0].dest, busy[0].transport), (from, Transport::Tcp));
    assert!(header(&text(&busy[0]), "Via").starts_with("SIP/2.0/TCP 192.0.2.1:5060;"));
    // §17.2.1: Timer G only on unreliable transports; Timer H still runs out.
    let (sent, _) = run(&mut ua, t0, Duration::from_secs(40));
    assert!(sent.is_empty(), "no retransmissions over TCP: {sent:?}");

    // Once the connection closed, the peer is a UDP peer again.
    ua.handle_stream_closed(from);
    let options = "OPTIONS sip:alice@192.0.2.10:5070 SIP/2.0\r\n\
        Via: SIP/2.0/UDP 192.0.2.1:40123;branch=z9hG4bKudp1;rport\r\n\
        Max-Forwards: 70\r\nFrom: <sip:bob@192.0.2.1>;tag=b2\r\n\
        To: <sip:alice@192.0.2.10>\r\nCall-ID: udp-1\r\nCSeq: 1 OPTIONS\r\n\r\n";
    ua.handle_datagram(t0, from, options.as_bytes());
    let ok = drain(&mut ua);
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0].transport, Transport::Udp);
}
