//! Server failover (S2, RFC 3263 §4.3) with a fake clock: a server name stands for three
//! addresses; the test plays the servers and checks where REGISTER and INVITE go after a
//! timeout, a transport error (ICMP) and the configured failover responses.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use deskphone_sip::{
    CallOptions, EndReason, Event, FailoverPolicy, FailoverResponse, FailoverResponses,
    OutgoingCall, Registration, RegistrationState, UaConfig, UserAgent,
};

const RETRY: Duration = Duration::from_secs(10);

fn server(n: u8) -> SocketAddr {
    SocketAddr::from(([192, 0, 2, n], 5060))
}

struct Rig {
    ua: UserAgent,
    now: Instant,
    /// What the user agent sent, with its destination, oldest first.
    sent: VecDeque<(SocketAddr, String)>,
    events: Vec<Event>,
}

fn responses(list: &[(u16, Option<&str>)]) -> FailoverResponses {
    FailoverResponses(
        list.iter()
            .map(|(code, reason)| FailoverResponse {
                code: *code,
                reason: reason.map(str::to_owned),
            })
            .collect(),
    )
}

impl Rig {
    fn new() -> Self {
        let mut ua = UserAgent::new(UaConfig {
            local_addr: "192.0.2.10:5070".parse().unwrap(),
            user_agent: "deskphone-test".into(),
            rng_seed: Some(1),
        });
        ua.set_failover(FailoverPolicy {
            responses: responses(&[(503, None), (500, Some("Server Internal Error"))]),
            register_responses: responses(&[(503, None), (480, Some("Try Elsewhere"))]),
        });
        Rig {
            ua,
            now: Instant::now(),
            sent: VecDeque::new(),
            events: Vec::new(),
        }
    }

    fn pump(&mut self) {
        while let Some(t) = self.ua.poll_transmit() {
            self.sent
                .push_back((t.dest, String::from_utf8(t.payload).unwrap()));
        }
        while let Some(e) = self.ua.poll_event() {
            self.events.push(e);
        }
    }

    fn register(&mut self) {
        self.ua
            .register(
                self.now,
                Registration {
                    aor: "sip:alice@example.com".into(),
                    registrar: server(1),
                    request_uri: "sip:example.com".into(),
                    contact_user: "alice".into(),
                    credentials: None,
                    expires: 600,
                    outbound_proxy: None,
                    retry_after_failure: RETRY,
                    alternates: vec![server(2), server(3)],
                },
            )
            .unwrap();
        self.pump();
    }

    fn invite(&mut self) {
        self.ua
            .invite_with(
                self.now,
                OutgoingCall {
                    from_uri: "sip:alice@example.com".into(),
                    from_display: String::new(),
                    target_uri: "sip:bob@example.com".into(),
                    dest: server(1),
                    sdp: b"v=0\r\n".to_vec(),
                },
                CallOptions {
                    alternates: vec![server(2), server(3)],
                    ..CallOptions::default()
                },
            )
            .unwrap();
        self.pump();
    }

    /// The next request sent, skipping retransmissions, ACKs and other requests it is not.
    fn next(&mut self, method: &str) -> (SocketAddr, String) {
        let mut seen = Vec::new();
        while let Some((dest, text)) = self.sent.pop_front() {
            if text.starts_with(&format!("{method} ")) && !seen.contains(&text) {
                return (dest, text);
            }
            seen.push(text);
        }
        panic!("no {method} sent");
    }

    /// Answer `req` from `from` with `code` and reason phrase `reason`.
    fn reply(&mut self, from: SocketAddr, req: &str, code: u16, reason: &str, extra: &str) {
        let mut text = format!("SIP/2.0 {code} {reason}\r\n");
        for name in ["Via", "From", "Call-ID", "CSeq"] {
            text.push_str(&format!("{name}: {}\r\n", header(req, name)));
        }
        text.push_str(&format!(
            "To: {};tag=srv\r\n{extra}Content-Length: 0\r\n\r\n",
            header(req, "To")
        ));
        let now = self.now;
        self.ua.handle_datagram(now, from, text.as_bytes());
        self.pump();
    }

    /// Let `d` pass, firing timers as they fall due.
    fn advance(&mut self, d: Duration) {
        let end = self.now + d;
        while let Some(t) = self.ua.poll_timeout().filter(|t| *t <= end) {
            self.now = self.now.max(t);
            let now = self.now;
            self.ua.handle_timeout(now);
            self.pump();
        }
        self.now = end;
    }

    fn states(&mut self) -> Vec<RegistrationState> {
        std::mem::take(&mut self.events)
            .into_iter()
            .filter_map(|e| match e {
                Event::RegistrationChanged { state, .. } => Some(state),
                _ => None,
            })
            .collect()
    }

    fn ended(&self) -> Option<EndReason> {
        self.events.iter().find_map(|e| match e {
            Event::Ended { reason, .. } => Some(*reason),
            _ => None,
        })
    }
}

fn header<'a>(text: &'a str, name: &str) -> &'a str {
    let head = text.split("\r\n\r\n").next().unwrap();
    head.split("\r\n")
        .find_map(|l| {
            l.split_once(':')
                .filter(|(n, _)| n.trim().eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim())
        })
        .unwrap_or_else(|| panic!("no {name} in {text}"))
}

fn cseq(req: &str) -> u32 {
    header(req, "CSeq")
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

fn branch(req: &str) -> &str {
    header(req, "Via").split(";branch=").nth(1).unwrap()
}

/// RFC 3261 §10.2.4 with S2: the next address gets a new transaction of the same
/// registration (same Call-ID, next CSeq).
fn assert_same_registration(first: &str, next: &str) {
    assert_eq!(header(first, "Call-ID"), header(next, "Call-ID"));
    assert_eq!(cseq(next), cseq(first) + 1);
    assert_ne!(branch(first), branch(next));
}

#[test]
fn register_times_out_then_the_next_address_answers_and_refreshes_stay_there() {
    let mut rig = Rig::new();
    rig.register();
    let (dest, first) = rig.next("REGISTER");
    assert_eq!(dest, server(1));
    // Timer F (64*T1) ends the transaction; the next address follows at once.
    rig.advance(Duration::from_millis(31_900));
    assert!(rig.sent.iter().all(|(d, _)| *d == server(1)));
    rig.sent.clear();
    rig.advance(Duration::from_millis(200));
    let (dest, second) = rig.next("REGISTER");
    assert_eq!(dest, server(2));
    assert_same_registration(&first, &second);
    rig.reply(server(2), &second, 200, "OK", "Expires: 600\r\n");
    assert_eq!(
        rig.states(),
        [
            RegistrationState::Registering,
            RegistrationState::Registered { expires: 600 }
        ]
    );
    // The refresh (half of 600 s) stays on the working address.
    rig.sent.clear();
    rig.advance(Duration::from_secs(301));
    let (dest, refresh) = rig.next("REGISTER");
    assert_eq!(dest, server(2));
    assert_eq!(cseq(&refresh), cseq(&second) + 1);
}

#[test]
fn register_fails_over_at_once_on_a_transport_error() {
    let mut rig = Rig::new();
    rig.register();
    let (_, first) = rig.next("REGISTER");
    rig.advance(Duration::from_millis(10));
    let now = rig.now;
    rig.ua.handle_transport_error(now, server(1));
    rig.pump();
    let (dest, second) = rig.next("REGISTER");
    assert_eq!(dest, server(2));
    assert_same_registration(&first, &second);
    // An error for an address not in use changes nothing.
    rig.ua.handle_transport_error(now, server(3));
    rig.pump();
    assert!(rig.sent.is_empty());
    rig.reply(server(2), &second, 200, "OK", "");
    assert!(
        rig.states()
            .contains(&RegistrationState::Registered { expires: 600 })
    );
}

#[test]
fn register_fails_over_on_listed_responses_only() {
    let mut rig = Rig::new();
    rig.register();
    let (_, first) = rig.next("REGISTER");
    rig.reply(server(1), &first, 503, "Service Unavailable", "");
    let (dest, second) = rig.next("REGISTER");
    assert_eq!(dest, server(2));
    assert_same_registration(&first, &second);
    // 480 counts only with the reason phrase the setting names.
    rig.reply(server(2), &second, 480, "try elsewhere", "");
    let (dest, third) = rig.next("REGISTER");
    assert_eq!(dest, server(3));
    assert_same_registration(&second, &third);
    rig.reply(server(3), &third, 480, "Temporarily Unavailable", "");
    assert!(rig.sent.is_empty(), "480 with another reason is final");
    assert_eq!(
        rig.states().last(),
        Some(&RegistrationState::Failed {
            code: Some(480),
            retry_in: RETRY
        })
    );
    // The retry starts with the best address again.
    rig.advance(RETRY);
    let (dest, _) = rig.next("REGISTER");
    assert_eq!(dest, server(1));
}

#[test]
fn register_fails_when_every_address_failed() {
    let mut rig = Rig::new();
    rig.register();
    for n in 1..=3 {
        let (dest, req) = rig.next("REGISTER");
        assert_eq!(dest, server(n));
        rig.reply(dest, &req, 503, "Service Unavailable", "");
    }
    assert!(rig.sent.is_empty());
    assert_eq!(
        rig.states().last(),
        Some(&RegistrationState::Failed {
            code: Some(503),
            retry_in: RETRY
        })
    );
}

#[test]
fn register_response_list_is_separate_from_the_invite_list() {
    let mut rig = Rig::new();
    rig.register();
    let (_, first) = rig.next("REGISTER");
    // 500 Server Internal Error is listed for INVITE, not for REGISTER.
    rig.reply(server(1), &first, 500, "Server Internal Error", "");
    assert!(rig.sent.is_empty());
    assert!(matches!(
        rig.states().last(),
        Some(RegistrationState::Failed {
            code: Some(500),
            ..
        })
    ));
}

#[test]
fn invite_times_out_then_goes_to_the_next_address() {
    let mut rig = Rig::new();
    rig.invite();
    let (dest, first) = rig.next("INVITE");
    assert_eq!(dest, server(1));
    // Timer B (64*T1): retransmissions to the first address until then.
    rig.advance(Duration::from_millis(31_900));
    assert!(rig.sent.iter().all(|(d, _)| *d == server(1)));
    rig.sent.clear();
    rig.advance(Duration::from_millis(200));
    let (dest, second) = rig.next("INVITE");
    assert_eq!(dest, server(2));
    assert_eq!(header(&first, "Call-ID"), header(&second, "Call-ID"));
    assert_eq!(cseq(&second), cseq(&first) + 1);
    assert_ne!(branch(&first), branch(&second));
    assert_eq!(rig.ended(), None);
    // The call goes on with the server that answers; its ACK goes there too.
    rig.reply(
        server(2),
        &second,
        200,
        "OK",
        "Contact: <sip:bob@192.0.2.2>\r\n",
    );
    assert!(
        rig.events
            .iter()
            .any(|e| matches!(e, Event::Established { .. }))
    );
    let (dest, _) = rig.next("ACK");
    assert_eq!(dest, server(2));
}

#[test]
fn invite_fails_over_at_once_on_a_transport_error() {
    let mut rig = Rig::new();
    rig.invite();
    let (_, first) = rig.next("INVITE");
    let now = rig.now;
    rig.ua.handle_transport_error(now, server(1));
    rig.pump();
    let (dest, second) = rig.next("INVITE");
    assert_eq!(dest, server(2));
    assert_eq!(cseq(&second), cseq(&first) + 1);
    assert_eq!(rig.ended(), None);
}

#[test]
fn invite_fails_over_on_listed_codes_and_reasons() {
    let mut rig = Rig::new();
    rig.invite();
    let (_, first) = rig.next("INVITE");
    rig.reply(server(1), &first, 500, "Server Internal Error", "");
    let (dest, second) = rig.next("INVITE");
    assert_eq!(dest, server(2));
    rig.reply(server(2), &second, 503, "Service Unavailable", "");
    let (dest, third) = rig.next("INVITE");
    assert_eq!(dest, server(3));
    // 500 with another reason phrase is the callee's answer: the call ends.
    rig.reply(server(3), &third, 500, "Database Down", "");
    assert_eq!(rig.ended(), Some(EndReason::Rejected(500)));
}

#[test]
fn invite_ends_when_every_address_failed() {
    let mut rig = Rig::new();
    rig.invite();
    for n in 1..=3 {
        let (dest, req) = rig.next("INVITE");
        assert_eq!(dest, server(n));
        let now = rig.now;
        rig.ua.handle_transport_error(now, dest);
        rig.pump();
        let _ = req;
    }
    assert_eq!(rig.ended(), Some(EndReason::TransportError));
}

#[test]
fn an_unlisted_rejection_ends_the_call_without_failover() {
    let mut rig = Rig::new();
    rig.invite();
    let (_, first) = rig.next("INVITE");
    rig.reply(server(1), &first, 486, "Busy Here", "");
    assert_eq!(rig.ended(), Some(EndReason::Rejected(486)));
    assert!(rig.sent.iter().all(|(_, t)| !t.starts_with("INVITE ")));
}
