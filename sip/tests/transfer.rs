//! Call transfer (RFC 3515 REFER, RFC 3892 Referred-By, RFC 3891 Replaces, RFC 5589 flows)
//! and DTMF over INFO, with three user agents wired in memory and a fake clock.

use std::net::SocketAddr;
use std::time::Instant;

use deskphone_sip::{CallHandle, CallOptions, Event, OutgoingCall, UaConfig, UserAgent};

const ALICE: usize = 0;
const BOB: usize = 1;
const CAROL: usize = 2;
const NAMES: [&str; 3] = ["alice", "bob", "carol"];

struct Net3 {
    now: Instant,
    ua: Vec<UserAgent>,
    addr: Vec<SocketAddr>,
    events: Vec<Vec<Event>>,
    /// (sender, text) of every datagram.
    wire: Vec<(usize, String)>,
}

impl Net3 {
    fn new() -> Self {
        let addr: Vec<SocketAddr> = (0..3)
            .map(|i| format!("127.0.0.1:{}", 5061 + i).parse().unwrap())
            .collect();
        let ua = addr
            .iter()
            .map(|a| {
                UserAgent::new(UaConfig {
                    local_addr: *a,
                    user_agent: "deskphone-test".into(),
                    // One seed per phone, so their tags and Call-IDs differ.
                    rng_seed: Some(u64::from(a.port())),
                })
            })
            .collect();
        Net3 {
            now: Instant::now(),
            ua,
            addr,
            events: vec![Vec::new(); 3],
            wire: Vec::new(),
        }
    }

    fn uri(&self, who: usize) -> String {
        format!("sip:{}@{}", NAMES[who], self.addr[who])
    }

    fn settle(&mut self) {
        loop {
            let mut busy = false;
            for i in 0..3 {
                while let Some(t) = self.ua[i].poll_transmit() {
                    busy = true;
                    self.wire
                        .push((i, String::from_utf8(t.payload.clone()).unwrap()));
                    if let Some(to) = self.addr.iter().position(|a| *a == t.dest) {
                        let from = self.addr[i];
                        self.ua[to].handle_datagram(self.now, from, &t.payload);
                    }
                }
                while let Some(e) = self.ua[i].poll_event() {
                    self.events[i].push(e);
                }
            }
            if !busy {
                break;
            }
        }
    }

    fn take(&mut self, who: usize) -> Vec<Event> {
        std::mem::take(&mut self.events[who])
    }

    fn sent(&self, who: usize, prefix: &str) -> Vec<String> {
        self.wire
            .iter()
            .filter(|(w, t)| *w == who && t.starts_with(prefix))
            .map(|(_, t)| t.clone())
            .collect()
    }

    fn dial(&mut self, from: usize, to: usize, options: CallOptions) -> CallHandle {
        let call = OutgoingCall {
            from_uri: self.uri(from),
            from_display: String::new(),
            target_uri: self.uri(to),
            dest: self.addr[to],
            sdp: b"v=0\r\n".to_vec(),
        };
        let now = self.now;
        self.ua[from].invite_with(now, call, options).unwrap()
    }

    /// The handle of the call `who` was just offered (IncomingCall or Replacing).
    fn offered(&mut self, who: usize) -> (CallHandle, Option<CallHandle>) {
        let events = self.take(who);
        events
            .iter()
            .find_map(|e| match e {
                Event::IncomingCall { call, .. } => Some((*call, None)),
                Event::Replacing { call, replaced, .. } => Some((*call, Some(*replaced))),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no incoming call at {}: {events:?}", NAMES[who]))
    }

    /// `from` calls `to`, `to` answers: both handles.
    fn connect(&mut self, from: usize, to: usize) -> (CallHandle, CallHandle) {
        let a = self.dial(from, to, CallOptions::default());
        self.settle();
        let (b, _) = self.offered(to);
        let now = self.now;
        self.ua[to].answer(now, b, b"v=0\r\n".to_vec()).unwrap();
        self.settle();
        self.take(from);
        self.take(to);
        (a, b)
    }
}

fn header<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.split("\r\n").find_map(|l| {
        l.split_once(':')
            .filter(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    })
}

fn progress(events: &[Event]) -> Vec<(u16, bool)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::TransferProgress { code, done, .. } => Some((*code, *done)),
            _ => None,
        })
        .collect()
}

fn ended(events: &[Event], call: CallHandle) -> bool {
    events
        .iter()
        .any(|e| matches!(e, Event::Ended { call: c, .. } if *c == call))
}

/// The transferee's side of a REFER as the runtime does it: place the call.
fn follow_referral(net: &mut Net3, who: usize) -> CallHandle {
    let events = net.take(who);
    let referral = events
        .iter()
        .find_map(|e| match e {
            Event::TransferRequested(r) => Some(r.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no TransferRequested: {events:?}"));
    let to = net
        .addr
        .iter()
        .position(|a| referral.target.contains(&a.to_string()));
    let to = to.expect("a target on the test net");
    net.dial(
        who,
        to,
        CallOptions {
            referral: Some(referral),
            ..CallOptions::default()
        },
    )
}

#[test]
fn blind_transfer_from_both_roles() {
    let mut net = Net3::new();
    let (a, b) = net.connect(ALICE, BOB);
    // Bob (transferor) refers Alice to Carol.
    let now = net.now;
    let carol = net.uri(CAROL);
    net.ua[BOB].refer(now, b, &carol).unwrap();
    net.settle();
    let refer = &net.sent(BOB, "REFER ")[0];
    assert_eq!(
        header(refer, "Refer-To"),
        Some(format!("<{carol}>").as_str())
    );
    assert_eq!(
        header(refer, "Referred-By"),
        Some(format!("<{}>", net.uri(BOB)).as_str())
    );
    assert!(
        header(refer, "Contact").is_some(),
        "RFC 3515: REFER has a Contact"
    );
    assert!(net.sent(ALICE, "SIP/2.0 202").len() == 1);
    // RFC 3515 §2.4.4: the first NOTIFY follows at once with 100 Trying.
    let first_notify = &net.sent(ALICE, "NOTIFY ")[0];
    assert!(first_notify.ends_with("SIP/2.0 100 Trying\r\n"));
    assert_eq!(
        header(first_notify, "Event"),
        Some("refer;id=".to_owned() + header(refer, "CSeq").unwrap().split(' ').next().unwrap())
            .as_deref()
    );
    assert_eq!(progress(&net.take(BOB)), [(202, false), (100, false)]);

    // Alice (transferee) places the call; Carol sees Referred-By.
    let ac = follow_referral(&mut net, ALICE);
    net.settle();
    let invite = net.sent(ALICE, "INVITE ").pop().unwrap();
    assert_eq!(
        header(&invite, "Referred-By"),
        Some(format!("<{}>", net.uri(BOB)).as_str())
    );
    let (c, replaced) = net.offered(CAROL);
    assert_eq!(replaced, None);
    let now = net.now;
    net.ua[CAROL].ring(now, c).unwrap();
    net.settle();
    assert_eq!(progress(&net.take(BOB)), [(180, false)]);
    net.ua[CAROL].answer(now, c, b"v=0\r\n".to_vec()).unwrap();
    net.settle();
    // The 200 sipfrag ends the subscription and Bob's call to Alice.
    let last_notify = net.sent(ALICE, "NOTIFY ").pop().unwrap();
    assert!(last_notify.contains("Subscription-State: terminated"));
    assert!(last_notify.ends_with("SIP/2.0 200 OK\r\n"));
    let bob = net.take(BOB);
    assert_eq!(progress(&bob), [(200, true)]);
    assert!(ended(&bob, b), "the transferor hangs up: {bob:?}");
    let alice = net.take(ALICE);
    assert!(ended(&alice, a) && !ended(&alice, ac), "{alice:?}");
    assert!(net.sent(BOB, "BYE ").len() == 1);
}

#[test]
fn attended_transfer_replaces_the_consultation_call() {
    let mut net = Net3::new();
    let (a, b) = net.connect(ALICE, BOB);
    // Bob consults Carol (the hold re-INVITE is not needed by the core).
    let (bc, cb) = net.connect(BOB, CAROL);
    let now = net.now;
    net.ua[BOB].refer_replacing(now, b, bc).unwrap();
    net.settle();
    let refer = &net.sent(BOB, "REFER ")[0];
    let refer_to = header(refer, "Refer-To").unwrap();
    assert!(
        refer_to.starts_with(&format!("<{}?Replaces=", net.uri(CAROL))),
        "{refer_to}"
    );
    let ac = follow_referral(&mut net, ALICE);
    net.settle();
    let invite = net.sent(ALICE, "INVITE ").pop().unwrap();
    let replaces = header(&invite, "Replaces").unwrap();
    assert!(replaces.contains("to-tag=") && replaces.contains("from-tag="));
    assert_eq!(header(&invite, "Require"), Some("replaces"));
    // Carol: the INVITE matches her call with Bob; she answers it and ends the old one.
    let (c, replaced) = net.offered(CAROL);
    assert_eq!(replaced, Some(cb));
    let now = net.now;
    net.ua[CAROL].answer(now, c, b"v=0\r\n".to_vec()).unwrap();
    net.ua[CAROL].hangup(now, cb).unwrap();
    net.settle();
    let bob = net.take(BOB);
    assert!(
        ended(&bob, b) && ended(&bob, bc),
        "Bob has no call left: {bob:?}"
    );
    let alice = net.take(ALICE);
    assert!(ended(&alice, a) && !ended(&alice, ac), "{alice:?}");
    assert!(
        alice
            .iter()
            .any(|e| matches!(e, Event::Established { call, .. } if *call == ac))
    );
}

#[test]
fn replaces_without_a_matching_dialog_gets_481() {
    let mut net = Net3::new();
    let (_, _) = net.connect(BOB, CAROL);
    let invite = "INVITE sip:carol@127.0.0.1:5063 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bKr1\r\n\
         Max-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1:5061>;tag=a1\r\nTo: <sip:carol@127.0.0.1:5063>\r\n\
         Call-ID: replace-1\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@127.0.0.1:5061>\r\n\
         Replaces: nosuchcall;to-tag=1;from-tag=2\r\nRequire: replaces\r\nContent-Length: 0\r\n\r\n";
    let now = net.now;
    let from = net.addr[ALICE];
    net.ua[CAROL].handle_datagram(now, from, invite.as_bytes());
    let answer = String::from_utf8(net.ua[CAROL].poll_transmit().unwrap().payload).unwrap();
    assert!(answer.starts_with("SIP/2.0 481"), "{answer}");
    assert!(net.ua[CAROL].poll_event().is_none(), "no call is offered");
}

#[test]
fn a_failed_referral_is_reported_and_the_call_stays() {
    let mut net = Net3::new();
    let (_, b) = net.connect(ALICE, BOB);
    let now = net.now;
    let carol = net.uri(CAROL);
    net.ua[BOB].refer(now, b, &carol).unwrap();
    net.settle();
    let ac = follow_referral(&mut net, ALICE);
    net.settle();
    let (c, _) = net.offered(CAROL);
    let now = net.now;
    net.ua[CAROL].reject(now, c, 486).unwrap();
    net.settle();
    let bob = net.take(BOB);
    assert_eq!(progress(&bob).last(), Some(&(486, true)));
    assert!(!ended(&bob, b), "a failed transfer keeps the call: {bob:?}");
    assert!(ended(&net.take(ALICE), ac));
    // The last NOTIFY carries the failure (RFC 3515 §2.4.5).
    assert!(
        net.sent(ALICE, "NOTIFY ")
            .last()
            .unwrap()
            .ends_with("486 Busy Here\r\n")
    );
}

#[test]
fn dtmf_in_info_both_ways() {
    let mut net = Net3::new();
    let (a, b) = net.connect(ALICE, BOB);
    let now = net.now;
    net.ua[ALICE].send_dtmf(now, a, '5', 160).unwrap();
    net.settle();
    let info = &net.sent(ALICE, "INFO ")[0];
    assert_eq!(header(info, "Content-Type"), Some("application/dtmf-relay"));
    assert!(info.ends_with("Signal=5\r\nDuration=160\r\n"));
    assert_eq!(
        net.sent(BOB, "SIP/2.0 200").len(),
        2,
        "200 to INVITE and INFO"
    );
    let bob = net.take(BOB);
    assert!(bob.iter().any(|e| matches!(
        e,
        Event::Dtmf { call, digit: '5', duration_ms: 160 } if *call == b
    )));
    assert!(net.ua[ALICE].send_dtmf(now, a, 'x', 160).is_err());
}
