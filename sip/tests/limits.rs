//! Bounds of the user agent (`Limits`): calls beyond the limit are refused 486 Busy Here,
//! transactions beyond it 503 with Retry-After, and the calls that run keep working.

mod net;

use std::time::Duration;

use deskphone_sip::{EndReason, Error, Event, Limits, OutgoingCall};
use net::*;

fn limits(max_calls: usize, max_transactions: usize) -> Limits {
    Limits {
        max_calls,
        max_transactions,
        retry_after: 7,
    }
}

#[test]
fn an_invite_beyond_the_call_limit_is_486_and_a_freed_place_is_taken_again() {
    let mut net = Net::new();
    net.ua[BOB].set_limits(limits(2, 100));
    let (a1, _) = net.established();
    let _ = net.incoming();
    net.call_bob();
    net.settle();
    assert!(
        net.sent(BOB, "SIP/2.0 486 Busy Here").len() == 1,
        "the third INVITE is refused"
    );
    assert_eq!(ended(&net.take_events(ALICE)), [EndReason::Rejected(486)]);
    assert!(
        net.take_events(BOB)
            .iter()
            .all(|e| matches!(e, Event::Diagnostic(_))),
        "no IncomingCall for the refused one"
    );
    // The first call still works: a hangup ends it on both sides, and frees a place.
    let now = net.now;
    net.ua[ALICE].hangup(now, a1).unwrap();
    net.settle();
    assert_eq!(ended(&net.take_events(BOB)), [EndReason::RemoteHangup]);
    net.call_bob();
    net.settle();
    assert!(
        net.take_events(BOB)
            .iter()
            .any(|e| matches!(e, Event::IncomingCall { .. }))
    );
}

#[test]
fn placing_a_call_beyond_the_limit_fails_at_once() {
    let mut net = Net::new();
    net.ua[ALICE].set_limits(limits(1, 100));
    net.call_bob();
    let call = OutgoingCall {
        from_uri: "sip:alice@127.0.0.1:5061".into(),
        from_display: String::new(),
        target_uri: "sip:bob@127.0.0.1:5062".into(),
        dest: net.addr[BOB],
        sdp: Vec::new(),
    };
    let now = net.now;
    assert_eq!(net.ua[ALICE].invite(now, call), Err(Error::TooManyCalls));
}

#[test]
fn requests_beyond_the_transaction_limit_get_503_with_retry_after_and_calls_go_on() {
    let mut net = Net::new();
    net.ua[BOB].set_limits(limits(4, 6));
    let (a, _) = net.established();
    // Each OPTIONS leaves a server transaction behind (Timer J, §17.2.2).
    let mut codes = Vec::new();
    for _ in 0..20 {
        let answers = bob_answers(&mut net, request("OPTIONS", "", ""));
        assert_eq!(answers.len(), 1, "{answers:?}");
        codes.push(answers[0][8..11].to_owned());
        if answers[0].starts_with("SIP/2.0 503") {
            assert_eq!(header(&answers[0], "Retry-After"), Some("7"));
        }
    }
    let ok = codes.iter().filter(|c| *c == "200").count();
    assert!((1..6).contains(&ok), "{codes:?}");
    assert!(codes[ok..].iter().all(|c| c == "503"), "{codes:?}");
    // A new call is refused the same way while the table is full...
    net.call_bob();
    net.settle();
    assert!(!net.sent(BOB, "SIP/2.0 503 Service Unavailable").is_empty());
    net.take_events(ALICE);
    net.take_events(BOB);
    // ...but the established call still ends normally: its BYE belongs to a dialog.
    let now = net.now;
    net.ua[ALICE].hangup(now, a).unwrap();
    net.settle();
    assert_eq!(ended(&net.take_events(ALICE)), [EndReason::LocalHangup]);
    assert_eq!(ended(&net.take_events(BOB)), [EndReason::RemoteHangup]);
    // Once the transactions are gone (Timer J, 64*T1), requests are served again.
    net.run_for(Duration::from_secs(40));
    let answers = bob_answers(&mut net, request("OPTIONS", "", ""));
    assert!(answers[0].starts_with("SIP/2.0 200 OK"), "{answers:?}");
}

#[test]
fn a_cancel_reaches_its_invite_when_the_table_is_full_and_a_stray_one_is_503() {
    let mut net = Net::new();
    net.ua[BOB].set_limits(limits(4, 2));
    let (a, _) = net.incoming();
    for _ in 0..3 {
        bob_answers(&mut net, request("OPTIONS", "", ""));
    }
    let stray = bob_answers(&mut net, request("CANCEL", "", ""));
    assert!(stray[0].starts_with("SIP/2.0 503 "), "{stray:?}");
    // Alice's CANCEL belongs to the ringing call: 200, then 487 for the INVITE.
    let now = net.now;
    net.ua[ALICE].hangup(now, a).unwrap();
    net.settle();
    assert_eq!(net.sent(BOB, "SIP/2.0 487 ").len(), 1);
    assert_eq!(ended(&net.take_events(BOB)), [EndReason::Cancelled]);
}
