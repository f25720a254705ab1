//! Event subscriptions (RFC 6665) with a fake clock: the test plays the notifier, reading
//! the SUBSCRIBEs the user agent sends and answering them, and sends NOTIFYs of the
//! dialog (RFC 4235), message-summary (RFC 3842) and check-sync packages.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use deskphone_sip::{
    DialogState, Event, Notification, Subscription, SubscriptionHandle, SubscriptionState,
    UaConfig, UserAgent,
};

const RETRY: Duration = Duration::from_secs(20);

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
    sent: VecDeque<String>,
    events: Vec<Event>,
}

/// The value of the first header `name` (case-insensitive) in a message's text.
fn header<'a>(msg: &'a str, name: &str) -> &'a str {
    msg.lines()
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then_some(v.trim())
        })
        .unwrap_or_else(|| panic!("no {name} in\n{msg}"))
}

fn tag_of(value: &str) -> Option<&str> {
    value
        .split(";tag=")
        .nth(1)
        .map(|t| t.split(';').next().unwrap())
}

/// A response to `req` as the notifier gives it, with our tag `srv` in To.
fn respond(req: &str, code: u16, extra: &str) -> String {
    let to = header(req, "To");
    let to = if tag_of(to).is_some() {
        to.to_owned()
    } else {
        format!("{to};tag=srv")
    };
    format!(
        "SIP/2.0 {code} Whatever\r\nVia: {}\r\nFrom: {}\r\nTo: {to}\r\nCall-ID: {}\r\n\
         CSeq: {}\r\nContact: <sip:notifier@192.0.2.1>\r\n{extra}Content-Length: 0\r\n\r\n",
        header(req, "Via"),
        header(req, "From"),
        header(req, "Call-ID"),
        header(req, "CSeq"),
    )
}

/// A NOTIFY in the dialog a SUBSCRIBE made (or unsolicited when `sub` is `None`).
fn notify(
    sub: Option<&str>,
    event: &str,
    state: &str,
    ctype: &str,
    body: &str,
    cseq: u32,
) -> String {
    let (from, to, call_id) = match sub {
        Some(s) => (
            format!("{};tag=srv", header(s, "To").split(";tag=").next().unwrap()),
            header(s, "From").to_owned(),
            header(s, "Call-ID").to_owned(),
        ),
        None => (
            "<sip:vm@192.0.2.1>;tag=u1".to_owned(),
            "<sip:alice@192.0.2.10>".to_owned(),
            "unsolicited-1".to_owned(),
        ),
    };
    let ct = if ctype.is_empty() {
        String::new()
    } else {
        format!("Content-Type: {ctype}\r\n")
    };
    format!(
        "NOTIFY sip:alice@192.0.2.10:5070 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKn{cseq}\r\n\
         From: {from}\r\nTo: {to}\r\nCall-ID: {call_id}\r\nCSeq: {cseq} NOTIFY\r\n\
         Contact: <sip:notifier@192.0.2.1>\r\nEvent: {event}\r\nSubscription-State: {state}\r\n\
         Max-Forwards: 70\r\n{ct}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

fn dialog_xml(state: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\" \
         version=\"1\" state=\"full\" entity=\"sip:bob@192.0.2.1\">\n<dialog id=\"d1\" \
         direction=\"recipient\"><state>{state}</state></dialog>\n</dialog-info>\n"
    )
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
            self.sent.push_back(String::from_utf8(t.payload).unwrap());
        }
        while let Some(e) = self.ua.poll_event() {
            self.events.push(e);
        }
    }

    fn subscribe(&mut self, expires: u32) -> SubscriptionHandle {
        let h = self
            .ua
            .subscribe(
                self.now,
                Subscription {
                    event: "dialog".into(),
                    accept: "application/dialog-info+xml".into(),
                    from_uri: "sip:alice@192.0.2.10".into(),
                    from_display: "Alice".into(),
                    target_uri: "sip:bob@192.0.2.1".into(),
                    contact_user: "alice".into(),
                    dest: server(),
                    outbound_proxy: None,
                    expires,
                    credentials: None,
                    retry_after_failure: RETRY,
                },
            )
            .unwrap();
        self.pump();
        h
    }

    fn next_sent(&mut self) -> String {
        self.sent
            .pop_front()
            .expect("the user agent should have sent something")
    }

    fn receive(&mut self, text: &str) {
        self.ua.handle_datagram(self.now, server(), text.as_bytes());
        self.pump();
    }

    /// Advance the fake clock to `at` (from t0), firing every timer on the way.
    fn run_until(&mut self, at: Duration) {
        let end = self.t0 + at;
        while let Some(t) = self.ua.poll_timeout().filter(|t| *t <= end) {
            self.now = self.now.max(t);
            self.ua.handle_timeout(self.now);
            self.pump();
        }
        self.now = end;
    }

    fn states(&self, h: SubscriptionHandle) -> Vec<SubscriptionState> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::SubscriptionChanged {
                    subscription,
                    state,
                } if *subscription == h => Some(state.clone()),
                _ => None,
            })
            .collect()
    }

    fn notifications(&self) -> Vec<&Notification> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Notify { notification, .. } => Some(notification),
                _ => None,
            })
            .collect()
    }
}

#[test]
fn subscribe_notify_and_refresh_before_expiry() {
    let mut rig = Rig::new();
    let h = rig.subscribe(30);
    let sub = rig.next_sent();
    assert!(
        sub.starts_with("SUBSCRIBE sip:bob@192.0.2.1 SIP/2.0"),
        "{sub}"
    );
    assert_eq!(header(&sub, "Event"), "dialog");
    assert_eq!(header(&sub, "Expires"), "30");
    assert_eq!(header(&sub, "Accept"), "application/dialog-info+xml");
    assert!(tag_of(header(&sub, "To")).is_none());
    rig.receive(&respond(&sub, 200, "Expires: 30\r\n"));
    assert_eq!(
        rig.states(h).last(),
        Some(&SubscriptionState::Active { expires: 30 })
    );

    for (n, state) in ["early", "confirmed", "terminated"].iter().enumerate() {
        let body = dialog_xml(state);
        rig.receive(&notify(
            Some(&sub),
            "dialog",
            "active;expires=30",
            "application/dialog-info+xml",
            &body,
            n as u32 + 1,
        ));
        let ok = rig.next_sent();
        assert!(ok.starts_with("SIP/2.0 200"), "{ok}");
    }
    let seen: Vec<DialogState> = rig
        .notifications()
        .iter()
        .map(|n| match n {
            Notification::Dialog(info) => info.dialogs[0].state,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        seen,
        [
            DialogState::Early,
            DialogState::Confirmed,
            DialogState::Terminated
        ]
    );

    // Refreshed at half the granted time, in the same dialog (same Call-ID, To tag).
    rig.run_until(Duration::from_secs(14));
    assert!(rig.sent.is_empty(), "no refresh before 15 s");
    rig.run_until(Duration::from_secs(15));
    let refresh = rig.next_sent();
    assert!(
        refresh.starts_with("SUBSCRIBE sip:notifier@192.0.2.1"),
        "{refresh}"
    );
    assert_eq!(header(&refresh, "Call-ID"), header(&sub, "Call-ID"));
    assert_eq!(tag_of(header(&refresh, "To")), Some("srv"));
    rig.receive(&respond(&refresh, 200, "Expires: 30\r\n"));
    rig.run_until(Duration::from_secs(29));
    assert!(rig.sent.is_empty());
    rig.run_until(Duration::from_secs(30));
    assert!(
        rig.next_sent().starts_with("SUBSCRIBE"),
        "second refresh at 15 + 15 s"
    );
}

#[test]
fn a_481_to_a_refresh_makes_a_new_subscription() {
    let mut rig = Rig::new();
    let h = rig.subscribe(60);
    let sub = rig.next_sent();
    rig.receive(&respond(&sub, 200, "Expires: 60\r\n"));
    rig.run_until(Duration::from_secs(30));
    let refresh = rig.next_sent();
    rig.receive(&respond(&refresh, 481, ""));
    rig.run_until(Duration::from_secs(30));
    let again = rig.next_sent();
    assert!(again.starts_with("SUBSCRIBE sip:bob@192.0.2.1"), "{again}");
    assert_ne!(
        header(&again, "Call-ID"),
        header(&sub, "Call-ID"),
        "a new dialog"
    );
    assert!(tag_of(header(&again, "To")).is_none());
    rig.receive(&respond(&again, 200, "Expires: 60\r\n"));
    assert_eq!(
        rig.states(h).last(),
        Some(&SubscriptionState::Active { expires: 60 })
    );
}

#[test]
fn failures_and_terminated_notify_retry_after_a_delay() {
    let mut rig = Rig::new();
    let h = rig.subscribe(60);
    let sub = rig.next_sent();
    rig.receive(&respond(&sub, 404, ""));
    assert_eq!(
        rig.states(h).last(),
        Some(&SubscriptionState::Failed {
            code: Some(404),
            retry_in: RETRY
        })
    );
    rig.run_until(RETRY - Duration::from_secs(1));
    assert!(rig.sent.is_empty());
    rig.run_until(RETRY);
    let sub = rig.next_sent();
    rig.receive(&respond(&sub, 200, "Expires: 60\r\n"));
    // The notifier ends it with probation: our 200 goes first, the new SUBSCRIBE after
    // retry-after.
    rig.receive(&notify(
        Some(&sub),
        "dialog",
        "terminated;reason=probation;retry-after=5",
        "",
        "",
        9,
    ));
    assert!(rig.next_sent().starts_with("SIP/2.0 200"));
    assert!(rig.sent.is_empty());
    rig.run_until(RETRY + Duration::from_secs(5));
    let again = rig.next_sent();
    assert!(again.starts_with("SUBSCRIBE sip:bob@"), "{again}");
    assert_ne!(header(&again, "Call-ID"), header(&sub, "Call-ID"));
    // Rejected for good: no more attempts.
    rig.receive(&respond(&again, 200, ""));
    rig.receive(&notify(
        Some(&again),
        "dialog",
        "terminated;reason=rejected",
        "",
        "",
        1,
    ));
    assert_eq!(rig.states(h).last(), Some(&SubscriptionState::Terminated));
    rig.sent.clear();
    rig.run_until(Duration::from_secs(600));
    assert!(rig.sent.is_empty());
}

#[test]
fn no_answer_is_a_failure_then_retried() {
    let mut rig = Rig::new();
    let h = rig.subscribe(60);
    rig.run_until(Duration::from_secs(33));
    assert!(matches!(
        rig.states(h).last(),
        Some(SubscriptionState::Failed { code: None, .. })
    ));
    rig.sent.clear();
    rig.run_until(Duration::from_secs(33) + RETRY);
    assert!(rig.next_sent().starts_with("SUBSCRIBE"));
}

#[test]
fn unsubscribe_sends_expires_zero_in_the_dialog() {
    let mut rig = Rig::new();
    let h = rig.subscribe(60);
    let sub = rig.next_sent();
    rig.receive(&respond(&sub, 200, "Expires: 60\r\n"));
    rig.ua.unsubscribe(rig.now, h).unwrap();
    rig.pump();
    let bye = rig.next_sent();
    assert!(bye.starts_with("SUBSCRIBE"));
    assert_eq!(header(&bye, "Expires"), "0");
    assert_eq!(header(&bye, "Call-ID"), header(&sub, "Call-ID"));
    assert_eq!(tag_of(header(&bye, "To")), Some("srv"));
    rig.receive(&respond(&bye, 200, "Expires: 0\r\n"));
    assert_eq!(rig.states(h).last(), Some(&SubscriptionState::Terminated));
    // A late NOTIFY for it is no longer ours.
    rig.receive(&notify(Some(&sub), "dialog", "terminated", "", "", 5));
    assert!(rig.next_sent().starts_with("SIP/2.0 481"));
}

#[test]
fn unsolicited_message_summary_and_check_sync() {
    let mut rig = Rig::new();
    rig.receive(&notify(
        None,
        "message-summary",
        "active",
        "application/simple-message-summary",
        "Messages-Waiting: yes\r\nVoice-Message: 3/7 (1/0)\r\n",
        1,
    ));
    assert!(rig.next_sent().starts_with("SIP/2.0 200"));
    rig.receive(&notify(None, "check-sync;reboot=true", "active", "", "", 2));
    assert!(rig.next_sent().starts_with("SIP/2.0 200"));
    rig.receive(&notify(None, "presence", "active", "", "", 3));
    assert!(rig.next_sent().starts_with("SIP/2.0 489"));
    let n = rig.notifications();
    match n[0] {
        Notification::MessageSummary(s) => {
            assert!(s.waiting);
            assert_eq!((s.new, s.old), (3, 7));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(n[1], &Notification::CheckSync { reboot: true });
    assert!(rig.events.iter().any(|e| matches!(
        e,
        Event::Notify { subscription: None, to_uri, .. } if to_uri == "sip:alice@192.0.2.10"
    )));
}
