//! SIP MESSAGE (RFC 3428) with a fake clock: received outside and inside a call's
//! dialog, 415 for what the phone cannot show, and sent with its final answer reported.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use deskphone_sip::{CallOptions, Event, MessageHandle, OutgoingMessage, UaConfig, UserAgent};

fn local() -> SocketAddr {
    "192.0.2.10:5070".parse().unwrap()
}

fn peer() -> SocketAddr {
    "192.0.2.2:5060".parse().unwrap()
}

fn ua() -> UserAgent {
    UserAgent::new(UaConfig {
        local_addr: local(),
        user_agent: "deskphone-test".into(),
        rng_seed: Some(1),
    })
}

fn drain(ua: &mut UserAgent) -> (Vec<String>, Vec<Event>) {
    let mut sent = Vec::new();
    while let Some(t) = ua.poll_transmit() {
        sent.push(String::from_utf8(t.payload).unwrap());
    }
    let mut events = Vec::new();
    while let Some(e) = ua.poll_event() {
        events.push(e);
    }
    (sent, events)
}

fn header<'a>(msg: &'a str, name: &str) -> &'a str {
    msg.lines()
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then_some(v.trim())
        })
        .unwrap_or_else(|| panic!("no {name} in\n{msg}"))
}

fn message(to_tag: &str, call_id: &str, ctype: &str, body: &str) -> String {
    format!(
        "MESSAGE sip:alice@192.0.2.10:5070 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bKm{call_id}\r\n\
         From: \"Bob\" <sip:bob@192.0.2.2>;tag=b1\r\nTo: <sip:alice@192.0.2.10>{to_tag}\r\n\
         Call-ID: {call_id}\r\nCSeq: 5 MESSAGE\r\nMax-Forwards: 70\r\nContent-Type: {ctype}\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn text_outside_a_dialog_is_answered_200_and_reported() {
    let mut ua = ua();
    let now = Instant::now();
    let text = message("", "m1", "text/plain;charset=UTF-8", "Lunch? Ä");
    ua.handle_datagram(now, peer(), text.as_bytes());
    let (sent, events) = drain(&mut ua);
    assert!(sent[0].starts_with("SIP/2.0 200"), "{}", sent[0]);
    assert_eq!(
        events,
        [Event::Message {
            from_uri: "sip:bob@192.0.2.2".into(),
            from_display: "Bob".into(),
            content_type: "text/plain;charset=UTF-8".into(),
            body: "Lunch? Ä".into(),
            call: None,
        }]
    );
    // A retransmission is absorbed by the transaction: answered again, not reported again.
    ua.handle_datagram(now, peer(), text.as_bytes());
    let (sent, events) = drain(&mut ua);
    assert!(sent[0].starts_with("SIP/2.0 200"));
    assert!(events.is_empty());
}

#[test]
fn other_content_types_get_415_with_accept() {
    let mut ua = ua();
    let text = message("", "m2", "application/im-iscomposing+xml", "<x/>");
    ua.handle_datagram(Instant::now(), peer(), text.as_bytes());
    let (sent, events) = drain(&mut ua);
    assert!(sent[0].starts_with("SIP/2.0 415"), "{}", sent[0]);
    assert_eq!(header(&sent[0], "Accept"), "text/plain");
    assert!(events.is_empty());
}

#[test]
fn inside_a_call_the_message_names_the_call() {
    let mut ua = ua();
    let now = Instant::now();
    let invite = "INVITE sip:alice@192.0.2.10:5070 SIP/2.0\r\n\
        Via: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bKinv\r\nFrom: <sip:bob@192.0.2.2>;tag=b1\r\n\
        To: <sip:alice@192.0.2.10>\r\nCall-ID: call-1\r\nCSeq: 1 INVITE\r\n\
        Contact: <sip:bob@192.0.2.2>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
    ua.handle_datagram(now, peer(), invite.as_bytes());
    let (_, events) = drain(&mut ua);
    let Some(Event::IncomingCall { call, .. }) = events.first().cloned() else {
        panic!("{events:?}");
    };
    ua.answer(now, call, Vec::new()).unwrap();
    let (sent, _) = drain(&mut ua);
    let ok = sent.iter().find(|s| s.starts_with("SIP/2.0 200")).unwrap();
    let tag = header(ok, "To").split(";tag=").nth(1).unwrap().to_owned();
    let text = message(&format!(";tag={tag}"), "call-1", "text/plain", "in call");
    ua.handle_datagram(now, peer(), text.as_bytes());
    let (sent, events) = drain(&mut ua);
    assert!(sent[0].starts_with("SIP/2.0 200"), "{}", sent[0]);
    assert!(matches!(
        &events[..],
        [Event::Message { call: Some(c), body, .. }] if *c == call && body == "in call"
    ));
    // And we send one in the dialog: same Call-ID and tags, to the remote target.
    let h = ua
        .send_message_in_call(now, call, "text/plain", b"hi back".to_vec())
        .unwrap();
    let (sent, _) = drain(&mut ua);
    assert!(
        sent[0].starts_with("MESSAGE sip:bob@192.0.2.2 SIP/2.0"),
        "{}",
        sent[0]
    );
    assert_eq!(header(&sent[0], "Call-ID"), "call-1");
    assert!(header(&sent[0], "To").contains("tag=b1"));
    assert!(sent[0].ends_with("hi back"));
    let resp = format!(
        "SIP/2.0 200 OK\r\nVia: {}\r\nFrom: {}\r\nTo: {}\r\nCall-ID: call-1\r\nCSeq: {}\r\n\
         Content-Length: 0\r\n\r\n",
        header(&sent[0], "Via"),
        header(&sent[0], "From"),
        header(&sent[0], "To"),
        header(&sent[0], "CSeq")
    );
    ua.handle_datagram(now, peer(), resp.as_bytes());
    let (_, events) = drain(&mut ua);
    assert_eq!(
        events,
        [Event::MessageSent {
            message: h,
            code: Some(200)
        }]
    );
}

fn send(ua: &mut UserAgent, now: Instant) -> (MessageHandle, String) {
    let h = ua
        .send_message(
            now,
            OutgoingMessage {
                from_uri: "sip:alice@192.0.2.10".into(),
                from_display: "Alice".into(),
                target_uri: "sip:bob@192.0.2.2".into(),
                dest: peer(),
                content_type: "text/plain;charset=UTF-8".into(),
                body: b"hello".to_vec(),
            },
            CallOptions::default(),
        )
        .unwrap();
    let (sent, _) = drain(ua);
    (h, sent.into_iter().next().unwrap())
}

#[test]
fn sent_outside_a_dialog_and_answered() {
    let mut ua = ua();
    let now = Instant::now();
    let (h, req) = send(&mut ua, now);
    assert!(
        req.starts_with("MESSAGE sip:bob@192.0.2.2 SIP/2.0"),
        "{req}"
    );
    assert_eq!(header(&req, "Content-Type"), "text/plain;charset=UTF-8");
    assert!(!req.contains("\r\nContact:"), "RFC 3428 §4: no Contact");
    assert!(!header(&req, "To").contains("tag="));
    let resp = format!(
        "SIP/2.0 202 Accepted\r\nVia: {}\r\nFrom: {}\r\nTo: {};tag=x\r\nCall-ID: {}\r\n\
         CSeq: {}\r\nContent-Length: 0\r\n\r\n",
        header(&req, "Via"),
        header(&req, "From"),
        header(&req, "To"),
        header(&req, "Call-ID"),
        header(&req, "CSeq")
    );
    ua.handle_datagram(now, peer(), resp.as_bytes());
    let (_, events) = drain(&mut ua);
    assert_eq!(
        events,
        [Event::MessageSent {
            message: h,
            code: Some(202)
        }]
    );
}

#[test]
fn unanswered_message_reports_no_code() {
    let mut ua = ua();
    let t0 = Instant::now();
    let (h, _) = send(&mut ua, t0);
    let mut events = Vec::new();
    while let Some(t) = ua.poll_timeout() {
        if t > t0 + Duration::from_secs(40) {
            break;
        }
        ua.handle_timeout(t);
        events.extend(drain(&mut ua).1);
    }
    assert_eq!(
        events,
        [Event::MessageSent {
            message: h,
            code: None
        }]
    );
}
