//! Registration (RFC 3261 §10) and Digest authentication (§22, RFC 7616) against a
//! scripted server, with a fake clock: the test plays registrar and proxy by reading what
//! the user agent sends and answering it.

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use deskphone_sip::{
    CallOptions, Credentials, EndReason, Event, OutgoingCall, Registration, RegistrationHandle,
    RegistrationState, UaConfig, UserAgent,
};
use md5::Md5;
use sha2::{Digest, Sha256};

const PASSWORD: &str = "s3cret-Pa55";
const RETRY: Duration = Duration::from_secs(10);

fn local() -> SocketAddr {
    "192.0.2.10:5070".parse().unwrap()
}

fn server() -> SocketAddr {
    "192.0.2.1:5060".parse().unwrap()
}

struct Rig {
    ua: UserAgent,
    t0: Instant,
    now: Instant,
    /// What the user agent sent, oldest first.
    sent: VecDeque<String>,
    events: Vec<Event>,
}

impl Rig {
    fn new() -> Self {
        let t0 = Instant::now();
        Rig {
            ua: UserAgent::new(UaConfig {
                local_addr: local(),
                user_agent: "deskphone-test".into(),
                rng_seed: Some(1),
            }),
            t0,
            now: t0,
            sent: VecDeque::new(),
            events: Vec::new(),
        }
    }

    fn pump(&mut self) {
        while let Some(t) = self.ua.poll_transmit() {
            assert_eq!(t.dest, server(), "everything goes to the server");
            self.sent.push_back(String::from_utf8(t.payload).unwrap());
        }
        while let Some(e) = self.ua.poll_event() {
            self.events.push(e);
        }
    }

    fn register(&mut self, aor_user: &str, expires: u32) -> RegistrationHandle {
        let handle = self
            .ua
            .register(
                self.now,
                Registration {
                    aor: format!("sip:{aor_user}@example.com"),
                    registrar: server(),
                    request_uri: "sip:example.com".into(),
                    contact_user: aor_user.into(),
                    credentials: Some(Credentials::new(aor_user, PASSWORD)),
                    expires,
                    outbound_proxy: None,
                    retry_after_failure: RETRY,
                    alternates: Vec::new(),
                },
            )
            .unwrap();
        self.pump();
        handle
    }

    fn next_request(&mut self) -> String {
        self.sent
            .pop_front()
            .unwrap_or_else(|| panic!("nothing sent at {:?}", self.now - self.t0))
    }

    /// Answer `req` with `code` and extra header lines.
    fn reply(&mut self, req: &str, code: u16, extra: &str) {
        let mut text = format!("SIP/2.0 {code} Whatever\r\n");
        for name in ["Via", "From", "Call-ID", "CSeq"] {
            text.push_str(&format!("{name}: {}\r\n", header(req, name).unwrap()));
        }
        let to = header(req, "To").unwrap();
        let tag = if to.contains(";tag=") { "" } else { ";tag=srv" };
        text.push_str(&format!(
            "To: {to}{tag}\r\n{extra}Content-Length: 0\r\n\r\n"
        ));
        let now = self.now;
        self.ua.handle_datagram(now, server(), text.as_bytes());
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

    /// Everything the user agent reported, as text: it must never hold a secret.
    fn all_events_text(&self) -> String {
        format!("{:?}", self.events)
    }
}

fn header<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    headers(text, name).into_iter().next()
}

fn headers<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    let head = text.split("\r\n\r\n").next().unwrap();
    head.split("\r\n")
        .filter_map(|l| {
            l.split_once(':')
                .filter(|(n, _)| n.trim().eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim())
        })
        .collect()
}

fn cseq(req: &str) -> u32 {
    header(req, "CSeq")
        .and_then(|c| c.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap()
}

fn tag(value: &str) -> &str {
    value.split(";tag=").nth(1).unwrap_or("")
}

/// The parameters of a Digest credentials value.
fn digest_params(value: &str) -> BTreeMap<String, String> {
    let rest = value.strip_prefix("Digest ").expect("a Digest value");
    let mut out = BTreeMap::new();
    let mut remaining = rest;
    while let Some((name, after)) = remaining.split_once('=') {
        let name = name.trim().trim_start_matches(',').trim().to_owned();
        let (v, next) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted.find('"').unwrap();
            (&quoted[..end], &quoted[end + 1..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        out.insert(name, v.to_owned());
        remaining = next;
    }
    out
}

/// The test's own RFC 7616 §3.4.1 computation, to check the user agent's.
fn hex<D: Digest>(data: &str) -> String {
    D::digest(data.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn expected_response(p: &BTreeMap<String, String>, method: &str, password: &str) -> String {
    let h = |s: &str| match p["algorithm"].as_str() {
        "SHA-256" => hex::<Sha256>(s),
        "MD5" => hex::<Md5>(s),
        other => panic!("unexpected algorithm {other}"),
    };
    let ha1 = h(&format!("{}:{}:{password}", p["username"], p["realm"]));
    let ha2 = h(&format!("{method}:{}", p["uri"]));
    match p.get("qop") {
        Some(qop) => h(&format!(
            "{ha1}:{}:{}:{}:{qop}:{ha2}",
            p["nonce"], p["nc"], p["cnonce"]
        )),
        None => h(&format!("{ha1}:{}:{ha2}", p["nonce"])),
    }
}

const SHA256_CHALLENGE: &str = "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"n-1\", \
     opaque=\"op\", algorithm=MD5, qop=\"auth\"\r\n\
     WWW-Authenticate: Digest realm=\"example.com\", nonce=\"n-1\", opaque=\"op\", \
     algorithm=SHA-256, qop=\"auth\"\r\n";

#[test]
fn registers_with_sha256_digest_and_refreshes_with_the_next_nonce_count() {
    let mut rig = Rig::new();
    rig.register("alice", 3600);
    assert_eq!(rig.states(), [RegistrationState::Registering]);

    let first = rig.next_request();
    assert!(
        first.starts_with("REGISTER sip:example.com SIP/2.0\r\n"),
        "{first}"
    );
    assert_eq!(header(&first, "To"), Some("<sip:alice@example.com>"));
    assert_eq!(
        header(&first, "Contact"),
        Some("<sip:alice@192.0.2.10:5070>")
    );
    assert_eq!(header(&first, "Expires"), Some("3600"));
    assert!(header(&first, "Authorization").is_none());

    // Two challenges for one realm: the stronger one is answered (RFC 8760 §2.4).
    rig.reply(&first, 401, SHA256_CHALLENGE);
    let second = rig.next_request();
    assert_eq!(cseq(&second), cseq(&first) + 1, "§22.2: CSeq + 1");
    assert_eq!(header(&second, "Call-ID"), header(&first, "Call-ID"));
    assert_eq!(
        tag(header(&second, "From").unwrap()),
        tag(header(&first, "From").unwrap())
    );
    let auth = digest_params(header(&second, "Authorization").unwrap());
    assert_eq!(auth["algorithm"], "SHA-256");
    assert_eq!(
        (
            auth["username"].as_str(),
            auth["realm"].as_str(),
            auth["uri"].as_str()
        ),
        ("alice", "example.com", "sip:example.com")
    );
    assert_eq!(
        (auth["qop"].as_str(), auth["nc"].as_str()),
        ("auth", "00000001")
    );
    assert_eq!(auth["opaque"], "op");
    assert_eq!(
        auth["response"],
        expected_response(&auth, "REGISTER", PASSWORD)
    );

    // The registrar grants less than asked: the refresh follows at half of it.
    rig.reply(
        &second,
        200,
        "Contact: <sip:alice@192.0.2.10:5070>;expires=120\r\n",
    );
    assert_eq!(
        rig.states(),
        [RegistrationState::Registered { expires: 120 }]
    );
    rig.advance(Duration::from_secs(59));
    assert!(rig.sent.is_empty(), "no refresh before half the time");
    rig.advance(Duration::from_secs(1));
    let refresh = rig.next_request();
    assert_eq!(header(&refresh, "Call-ID"), header(&first, "Call-ID"));
    assert_eq!(cseq(&refresh), cseq(&second) + 1);
    // §22.3: the cached challenge goes along at once, the nonce counted up.
    let auth = digest_params(header(&refresh, "Authorization").unwrap());
    assert_eq!(
        (auth["nonce"].as_str(), auth["nc"].as_str()),
        ("n-1", "00000002")
    );
    assert_eq!(
        auth["response"],
        expected_response(&auth, "REGISTER", PASSWORD)
    );
    rig.reply(&refresh, 200, "Expires: 120\r\n");
    assert_eq!(rig.states(), [], "still registered: no new event");
    assert!(!rig.all_events_text().contains(PASSWORD));
}

#[test]
fn a_200_granting_expires_0_fails_and_is_retried_after_the_setting() {
    let mut rig = Rig::new();
    rig.register("alice", 3600);
    let first = rig.next_request();
    rig.reply(
        &first,
        200,
        "Contact: <sip:alice@192.0.2.10:5070>;expires=0\r\n",
    );
    assert_eq!(
        rig.states(),
        [
            RegistrationState::Registering,
            RegistrationState::Failed {
                code: Some(200),
                retry_in: RETRY
            }
        ]
    );
    rig.advance(RETRY - Duration::from_millis(1));
    assert!(
        rig.sent.is_empty(),
        "S1: nothing before retry_after_failed_register"
    );
    rig.advance(Duration::from_millis(1));
    let again = rig.next_request();
    assert_eq!(header(&again, "Expires"), Some("3600"));
    assert_eq!(rig.states(), [RegistrationState::Registering]);
    // A plain Expires: 0 header counts the same.
    rig.reply(&again, 200, "Expires: 0\r\n");
    assert!(matches!(
        rig.states().as_slice(),
        [RegistrationState::Failed {
            code: Some(200),
            ..
        }]
    ));
}

#[test]
fn wrong_password_fails_and_retry_after_is_respected() {
    let mut rig = Rig::new();
    rig.register("alice", 600);
    let first = rig.next_request();
    let challenge = "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"a\"\r\n";
    rig.reply(&first, 401, challenge);
    let second = rig.next_request();
    let auth = digest_params(header(&second, "Authorization").unwrap());
    assert_eq!(auth["algorithm"], "MD5");
    assert!(!auth.contains_key("qop") && !auth.contains_key("nc"));
    assert_eq!(
        auth["response"],
        expected_response(&auth, "REGISTER", PASSWORD)
    );
    // A new challenge to fresh credentials: they are wrong; no third try now.
    rig.reply(&second, 401, &challenge.replace("\"a\"", "\"b\""));
    assert!(rig.sent.is_empty());
    assert_eq!(
        rig.states()[1..],
        [RegistrationState::Failed {
            code: Some(401),
            retry_in: RETRY
        }]
    );
    rig.advance(RETRY);
    let retry = rig.next_request();
    // The retry carries the cached credentials; the server is down for a while now.
    assert!(header(&retry, "Authorization").is_some());
    rig.reply(&retry, 503, "Retry-After: 45\r\n");
    assert_eq!(
        rig.states()[1..],
        [RegistrationState::Failed {
            code: Some(503),
            retry_in: Duration::from_secs(45)
        }]
    );
    rig.advance(Duration::from_secs(44));
    assert!(
        rig.sent.is_empty(),
        "Retry-After is longer than the setting"
    );
    rig.advance(Duration::from_secs(1));
    assert!(rig.next_request().starts_with("REGISTER "));
    assert!(!rig.all_events_text().contains(PASSWORD));
}

#[test]
fn no_answer_fails_after_timer_f_and_is_retried() {
    let mut rig = Rig::new();
    rig.register("alice", 600);
    rig.advance(Duration::from_secs(31));
    let sent = rig.sent.len();
    assert!(sent > 3, "retransmitted over UDP (Timer E), {sent} sent");
    assert_eq!(rig.states(), [RegistrationState::Registering]);
    rig.advance(Duration::from_secs(1));
    assert_eq!(
        rig.states(),
        [RegistrationState::Failed {
            code: None,
            retry_in: RETRY
        }]
    );
    rig.sent.clear();
    rig.advance(RETRY);
    assert!(rig.next_request().starts_with("REGISTER "));
    assert_eq!(rig.states(), [RegistrationState::Registering]);
}

#[test]
fn interval_too_brief_is_retried_with_min_expires() {
    let mut rig = Rig::new();
    rig.register("alice", 60);
    let first = rig.next_request();
    rig.reply(&first, 423, "Min-Expires: 300\r\n");
    let second = rig.next_request();
    assert_eq!(header(&second, "Expires"), Some("300"), "§10.2.8");
    assert_eq!(cseq(&second), cseq(&first) + 1);
    rig.reply(&second, 200, "Expires: 300\r\n");
    assert_eq!(
        rig.states()[1..],
        [RegistrationState::Registered { expires: 300 }]
    );
}

#[test]
fn unregister_sends_expires_0_with_credentials() {
    let mut rig = Rig::new();
    let handle = rig.register("alice", 600);
    let first = rig.next_request();
    rig.reply(&first, 401, SHA256_CHALLENGE);
    let second = rig.next_request();
    rig.reply(&second, 200, "Expires: 600\r\n");
    rig.states();

    let now = rig.now;
    rig.ua.unregister(now, handle).unwrap();
    rig.pump();
    let bye = rig.next_request();
    assert_eq!(header(&bye, "Expires"), Some("0"));
    assert_eq!(header(&bye, "Call-ID"), header(&first, "Call-ID"));
    assert!(
        header(&bye, "Authorization").is_some(),
        "cached credentials"
    );
    // The nonce went stale meanwhile: answered once more.
    rig.reply(
        &bye,
        401,
        "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"n-2\", stale=true, \
         algorithm=SHA-256, qop=\"auth\"\r\n",
    );
    let bye2 = rig.next_request();
    assert_eq!(header(&bye2, "Expires"), Some("0"));
    let auth = digest_params(header(&bye2, "Authorization").unwrap());
    assert_eq!(
        (auth["nonce"].as_str(), auth["nc"].as_str()),
        ("n-2", "00000001")
    );
    rig.reply(&bye2, 200, "");
    assert_eq!(
        rig.states(),
        [
            RegistrationState::Unregistering,
            RegistrationState::Unregistered
        ]
    );
    assert!(
        rig.ua
            .poll_timeout()
            .is_none_or(|t| t <= rig.now + Duration::from_secs(5)),
        "no refresh left, only lingering transactions"
    );
    assert!(
        rig.ua.unregister(rig.now, handle).is_err(),
        "the handle is dead"
    );
}

#[test]
fn several_identities_register_independently() {
    let mut rig = Rig::new();
    let a = rig.register("alice", 600);
    let b = rig.register("bob", 600);
    let ra = rig.next_request();
    let rb = rig.next_request();
    assert_ne!(header(&ra, "Call-ID"), header(&rb, "Call-ID"));
    rig.reply(&rb, 200, "Expires: 600\r\n");
    rig.reply(&ra, 403, "");
    let changes: Vec<(RegistrationHandle, RegistrationState)> = rig
        .events
        .drain(..)
        .filter_map(|e| match e {
            Event::RegistrationChanged {
                registration,
                state,
            } => Some((registration, state)),
            _ => None,
        })
        .collect();
    assert_eq!(
        changes,
        [
            (a, RegistrationState::Registering),
            (b, RegistrationState::Registering),
            (b, RegistrationState::Registered { expires: 600 }),
            (
                a,
                RegistrationState::Failed {
                    code: Some(403),
                    retry_in: RETRY
                }
            ),
        ]
    );
}

#[test]
fn register_refuses_bad_uris() {
    let mut rig = Rig::new();
    let bad = Registration {
        aor: "alice".into(),
        registrar: server(),
        request_uri: "sip:example.com".into(),
        contact_user: "alice".into(),
        credentials: None,
        expires: 600,
        outbound_proxy: None,
        retry_after_failure: RETRY,
        alternates: Vec::new(),
    };
    assert!(rig.ua.register(rig.now, bad.clone()).is_err());
    let bad_contact = Registration {
        aor: "sip:alice@example.com".into(),
        contact_user: "a>b".into(),
        ..bad.clone()
    };
    assert!(rig.ua.register(rig.now, bad_contact).is_err());
    let no_time = Registration {
        aor: "sip:alice@example.com".into(),
        expires: 0,
        ..bad
    };
    assert!(rig.ua.register(rig.now, no_time).is_err());
    rig.pump();
    assert!(rig.sent.is_empty() && rig.events.is_empty());
}

#[test]
fn outbound_proxy_gets_register_with_a_loose_route() {
    let mut rig = Rig::new();
    rig.ua
        .register(
            rig.now,
            Registration {
                aor: "sip:alice@example.com".into(),
                registrar: "192.0.2.99:5060".parse().unwrap(),
                request_uri: "sip:example.com".into(),
                contact_user: "alice".into(),
                credentials: None,
                expires: 600,
                outbound_proxy: Some(server()),
                retry_after_failure: RETRY,
                alternates: Vec::new(),
            },
        )
        .unwrap();
    rig.pump();
    let req = rig.next_request();
    assert_eq!(header(&req, "Route"), Some("<sip:192.0.2.1:5060;lr>"));
    // Without credentials a challenge is a failure.
    rig.reply(
        &req,
        401,
        "WWW-Authenticate: Digest realm=\"r\", nonce=\"x\"\r\n",
    );
    assert!(matches!(
        rig.states().as_slice(),
        [
            _,
            RegistrationState::Failed {
                code: Some(401),
                ..
            }
        ]
    ));
}

fn call(rig: &mut Rig, password: &str) -> deskphone_sip::CallHandle {
    let now = rig.now;
    let call = rig
        .ua
        .invite_with(
            now,
            OutgoingCall {
                from_uri: "sip:alice@example.com".into(),
                from_display: "Alice".into(),
                target_uri: "sip:bob@example.com".into(),
                dest: server(),
                sdp: b"v=0\r\n".to_vec(),
            },
            CallOptions {
                credentials: Some(Credentials::new("alice", password)),
                ..CallOptions::default()
            },
        )
        .unwrap();
    rig.pump();
    call
}

#[test]
fn invite_and_bye_answer_challenges() {
    let mut rig = Rig::new();
    let handle = call(&mut rig, PASSWORD);
    let invite = rig.next_request();
    rig.reply(&invite, 100, "");
    rig.reply(
        &invite,
        407,
        "Proxy-Authenticate: Digest realm=\"example.com\", nonce=\"p1\", algorithm=MD5\r\n",
    );
    let ack = rig.next_request();
    assert!(
        ack.starts_with("ACK "),
        "§17.1.1.3: the 407 is ACKed: {ack}"
    );
    let invite2 = rig.next_request();
    assert!(invite2.starts_with("INVITE sip:bob@example.com SIP/2.0"));
    assert_eq!(cseq(&invite2), cseq(&invite) + 1);
    assert_eq!(header(&invite2, "Call-ID"), header(&invite, "Call-ID"));
    assert_eq!(
        tag(header(&invite2, "From").unwrap()),
        tag(header(&invite, "From").unwrap())
    );
    assert_eq!(header(&invite2, "To"), Some("<sip:bob@example.com>"));
    assert!(invite2.ends_with("\r\n\r\nv=0\r\n"), "the offer goes again");
    let auth = digest_params(header(&invite2, "Proxy-Authorization").unwrap());
    assert_eq!(auth["uri"], "sip:bob@example.com");
    assert_eq!(
        auth["response"],
        expected_response(&auth, "INVITE", PASSWORD)
    );

    rig.reply(
        &invite2,
        200,
        "Contact: <sip:bob@192.0.2.1:5060>\r\nContent-Type: application/sdp\r\n",
    );
    let ack = rig.next_request();
    assert!(ack.starts_with("ACK sip:bob@192.0.2.1:5060 "), "{ack}");
    assert_eq!(cseq(&ack), cseq(&invite2));
    assert_eq!(
        header(&ack, "Proxy-Authorization"),
        header(&invite2, "Proxy-Authorization"),
        "§13.2.2.4: the ACK carries the INVITE's credentials"
    );
    assert!(
        rig.events
            .iter()
            .any(|e| matches!(e, Event::Established { call, .. } if *call == handle))
    );

    let now = rig.now;
    rig.ua.hangup(now, handle).unwrap();
    rig.pump();
    let bye = rig.next_request();
    assert!(bye.starts_with("BYE "));
    rig.reply(
        &bye,
        401,
        "WWW-Authenticate: Digest realm=\"bob\", nonce=\"b1\", qop=\"auth\", algorithm=SHA-256\r\n",
    );
    let bye2 = rig.next_request();
    assert!(bye2.starts_with("BYE "));
    assert_eq!(cseq(&bye2), cseq(&bye) + 1);
    let auth = digest_params(header(&bye2, "Authorization").unwrap());
    assert_eq!(auth["response"], expected_response(&auth, "BYE", PASSWORD));
    assert!(
        !rig.events.iter().any(|e| matches!(e, Event::Ended { .. })),
        "the call waits for the authenticated BYE"
    );
    rig.reply(&bye2, 200, "");
    assert!(rig.events.iter().any(
        |e| matches!(e, Event::Ended { call, reason: EndReason::LocalHangup } if *call == handle)
    ));
    let text = rig.all_events_text();
    assert!(!text.contains(PASSWORD), "{text}");
}

#[test]
fn invite_with_wrong_credentials_ends_rejected_without_leaking_them() {
    let mut rig = Rig::new();
    let handle = call(&mut rig, "wrong-password");
    let challenge = "Proxy-Authenticate: Digest realm=\"example.com\", nonce=\"p1\"\r\n";
    let invite = rig.next_request();
    rig.reply(&invite, 407, challenge);
    let _ack = rig.next_request();
    let invite2 = rig.next_request();
    let response =
        digest_params(header(&invite2, "Proxy-Authorization").unwrap())["response"].clone();
    rig.reply(&invite2, 407, &challenge.replace("p1", "p2"));
    let _ack = rig.next_request();
    assert!(rig.sent.is_empty(), "no third INVITE");
    assert!(rig.events.iter().any(
        |e| matches!(e, Event::Ended { call, reason: EndReason::Rejected(407) } if *call == handle)
    ));
    let text = rig.all_events_text();
    assert!(
        !text.contains("wrong-password") && !text.contains(&response),
        "{text}"
    );
}
