//! Call flows between two user agents wired to each other in memory with a fake clock.

mod net;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use deskphone_sip::sdp::{self, SessionDescription};
use deskphone_sip::{EndReason, Event, OutgoingCall, UaConfig, UserAgent};
use net::*;

#[test]
fn call_answered_then_caller_hangs_up() {
    let mut net = Net::new();
    let a = net.call_bob();
    net.settle();

    let invite = &net.sent(ALICE, "INVITE sip:bob@127.0.0.1:5062 SIP/2.0")[0].text;
    assert!(branch(invite).starts_with("z9hG4bK"));
    assert_eq!(header(invite, "Max-Forwards"), Some("70"));
    let from = header(invite, "From").unwrap();
    assert!(
        from.starts_with("\"Alice Liddell\" <sip:alice@127.0.0.1:5061>;tag="),
        "{from}"
    );
    assert_eq!(header(invite, "To"), Some("<sip:bob@127.0.0.1:5062>"));
    assert!(header(invite, "CSeq").unwrap().ends_with(" INVITE"));
    assert!(header(invite, "Call-ID").is_some_and(|c| !c.is_empty()));
    assert_eq!(
        header(invite, "Contact"),
        Some("<sip:alice@127.0.0.1:5061>")
    );
    assert_eq!(header(invite, "Content-Type"), Some("application/sdp"));
    assert_eq!(header(invite, "User-Agent"), Some("deskphone-test"));
    assert!(header(invite, "Allow").unwrap().contains("BYE"));
    let body = invite.split_once("\r\n\r\n").unwrap().1;
    assert_eq!(
        header(invite, "Content-Length"),
        Some(body.len().to_string().as_str())
    );
    assert_eq!(
        net.sent(BOB, "SIP/2.0 100 Trying").len(),
        1,
        "100 Trying at once"
    );

    let events = net.take_events(BOB);
    let [
        Event::IncomingCall {
            call: b,
            from_uri,
            from_display,
            request_uri,
            sdp: Some(offer),
            alert_info: None,
        },
    ] = events.as_slice()
    else {
        panic!("{events:?}");
    };
    assert_eq!(
        (from_uri.as_str(), from_display.as_str()),
        ("sip:alice@127.0.0.1:5061", "Alice Liddell")
    );
    assert_eq!(request_uri, "sip:bob@127.0.0.1:5062");
    let b = *b;

    // Bob rings, then answers with an SDP answer to Alice's offer.
    let now = net.now;
    net.ua[BOB].ring(now, b).unwrap();
    net.settle();
    assert_eq!(
        net.take_events(ALICE),
        [Event::Progress {
            call: a,
            code: 180,
            sdp: None
        }]
    );
    let offer = SessionDescription::parse(offer).unwrap();
    let answer = audio_answer(
        &offer,
        net.addr[BOB].ip(),
        50000,
        2,
        sdp::Direction::SendRecv,
    );
    net.ua[BOB].answer(now, b, answer.to_bytes()).unwrap();
    net.settle();
    let events = net.take_events(ALICE);
    let [
        Event::Established {
            call,
            sdp: Some(sdp),
        },
    ] = events.as_slice()
    else {
        panic!("{events:?}");
    };
    assert_eq!(*call, a);
    let (rtp, _) = SessionDescription::parse(sdp)
        .unwrap()
        .remote_audio()
        .unwrap();
    assert_eq!(rtp, "127.0.0.1:50000".parse().unwrap());
    assert_eq!(
        net.take_events(BOB),
        [Event::Established { call: b, sdp: None }]
    );

    // The ACK stops the 2xx retransmissions (and is its own transaction, §13.2.2.4).
    let ack = &net.sent(ALICE, "ACK ")[0].text;
    assert_ne!(branch(ack), branch(invite));
    net.run_for(Duration::from_secs(10));
    assert_eq!(net.sent(BOB, "SIP/2.0 200 OK").len(), 1);

    let now = net.now;
    net.ua[ALICE].hangup(now, a).unwrap();
    net.settle();
    assert_eq!(
        net.take_events(BOB),
        [Event::Ended {
            call: b,
            reason: EndReason::RemoteHangup
        }]
    );
    assert_eq!(
        net.take_events(ALICE),
        [Event::Ended {
            call: a,
            reason: EndReason::LocalHangup
        }]
    );
    assert!(net.ua[ALICE].hangup(now, a).is_err(), "the handle is dead");

    // Everything winds down: no timers left once the transactions linger out.
    net.run_for(Duration::from_secs(60));
    assert!(net.ua.iter().all(|u| u.poll_timeout().is_none()));
    assert!(net.events.iter().all(Vec::is_empty));
}

#[test]
fn callee_hangs_up() {
    let mut net = Net::new();
    let (a, b) = net.established();
    let now = net.now;
    net.ua[BOB].hangup(now, b).unwrap();
    net.settle();
    assert_eq!(
        net.take_events(ALICE),
        [Event::Ended {
            call: a,
            reason: EndReason::RemoteHangup
        }]
    );
    assert_eq!(
        net.take_events(BOB),
        [Event::Ended {
            call: b,
            reason: EndReason::LocalHangup
        }]
    );
    let bye = &net.sent(BOB, "BYE ")[0].text;
    assert_eq!(
        bye.lines().next(),
        Some("BYE sip:alice@127.0.0.1:5061 SIP/2.0"),
        "sent to the remote target"
    );
    assert!(header(bye, "To").unwrap().contains("tag="));
}

#[test]
fn lost_bye_is_retransmitted_and_unanswered_bye_still_ends_the_call() {
    let mut net = Net::new();
    let (a, b) = net.established();
    net.drop = Box::new(|from, text| {
        from == BOB && text.starts_with("SIP/2.0 200 OK") && text.contains(" BYE\r\n")
    });
    let now = net.now;
    net.ua[ALICE].hangup(now, a).unwrap();
    net.settle();
    assert_eq!(ended(&net.take_events(BOB)), [EndReason::RemoteHangup]);
    assert!(
        net.take_events(ALICE).is_empty(),
        "waiting for the BYE response"
    );
    net.run_for(Duration::from_secs(40));
    assert_eq!(
        net.take_events(ALICE),
        [Event::Ended {
            call: a,
            reason: EndReason::LocalHangup
        }]
    );
    // Timer E retransmissions were absorbed by Bob's server transaction with the same 200.
    assert!(net.sent(ALICE, "BYE ").len() > 5);
    assert_eq!(
        net.sent(BOB, "SIP/2.0 200 OK").len(),
        1 + net.sent(ALICE, "BYE ").len()
    );
    let _ = b;
}

#[test]
fn caller_cancels_before_answer() {
    let mut net = Net::new();
    let (a, b) = net.incoming();
    let now = net.now;
    net.ua[BOB].ring(now, b).unwrap();
    net.settle();
    net.take_events(ALICE);
    net.ua[ALICE].hangup(now, a).unwrap();
    net.settle();
    assert_eq!(
        net.take_events(BOB),
        [Event::Ended {
            call: b,
            reason: EndReason::Cancelled
        }]
    );
    assert_eq!(
        net.take_events(ALICE),
        [Event::Ended {
            call: a,
            reason: EndReason::LocalHangup
        }]
    );
    let invite = net.sent(ALICE, "INVITE ")[0].text.clone();
    let cancel = net.sent(ALICE, "CANCEL ")[0].text.clone();
    assert_eq!(
        branch(&cancel),
        branch(&invite),
        "§9.1: same branch as the INVITE"
    );
    assert_eq!(header(&cancel, "To"), header(&invite, "To"));
    assert_eq!(net.sent(BOB, "SIP/2.0 487 ").len(), 1);
    assert_eq!(
        net.sent(BOB, "SIP/2.0 200 OK").len(),
        1,
        "200 to the CANCEL"
    );
    let ack = net.sent(ALICE, "ACK ")[0].text.clone();
    assert_eq!(
        branch(&ack),
        branch(&invite),
        "§17.1.1.3: non-2xx ACK shares the branch"
    );
    assert!(net.ua[BOB].answer(now, b, Vec::new()).is_err());
    net.run_for(Duration::from_secs(40));
    assert_eq!(
        net.sent(BOB, "SIP/2.0 487 ").len(),
        1,
        "ACK stopped Timer G"
    );
    assert!(net.events.iter().all(Vec::is_empty));
}

#[test]
fn cancel_waits_for_a_provisional_response() {
    let mut net = Net::new();
    // Bob's 100 Trying is lost, so Alice has no provisional response yet.
    net.drop = Box::new(|from, text| from == BOB && text.starts_with("SIP/2.0 100"));
    let a = net.call_bob();
    net.ua[ALICE].hangup(net.now, a).unwrap();
    net.settle();
    assert!(
        net.sent(ALICE, "CANCEL").is_empty(),
        "§9.1: no CANCEL before a provisional"
    );
    let b = match net.take_events(BOB).as_slice() {
        [Event::IncomingCall { call, .. }] => *call,
        other => panic!("{other:?}"),
    };
    net.ua[BOB].ring(net.now, b).unwrap();
    net.settle();
    assert_eq!(net.sent(ALICE, "CANCEL").len(), 1);
    assert_eq!(
        net.take_events(ALICE),
        [Event::Ended {
            call: a,
            reason: EndReason::LocalHangup
        }],
        "no Progress after hangup"
    );
    assert_eq!(
        net.take_events(BOB),
        [Event::Ended {
            call: b,
            reason: EndReason::Cancelled
        }]
    );
}

#[test]
fn answer_racing_cancel_is_acked_then_byed() {
    let mut net = Net::new();
    let (a, b) = net.incoming();
    let now = net.now;
    net.ua[ALICE].hangup(now, a).unwrap(); // CANCEL queued (100 Trying already came)
    net.ua[BOB].answer(now, b, b"v=0\r\n".to_vec()).unwrap(); // 200 queued: they cross
    net.settle();
    assert_eq!(net.sent(ALICE, "ACK ").len(), 1);
    assert_eq!(net.sent(ALICE, "BYE ").len(), 1);
    assert_eq!(
        net.take_events(ALICE),
        [Event::Ended {
            call: a,
            reason: EndReason::LocalHangup
        }]
    );
    assert_eq!(ended(&net.take_events(BOB)), [EndReason::RemoteHangup]);
}

#[test]
fn reject_486() {
    let mut net = Net::new();
    let (a, b) = net.incoming();
    net.ua[BOB].reject(net.now, b, 486).unwrap();
    net.settle();
    assert_eq!(
        net.take_events(ALICE),
        [Event::Ended {
            call: a,
            reason: EndReason::Rejected(486)
        }]
    );
    assert_eq!(
        net.take_events(BOB),
        [Event::Ended {
            call: b,
            reason: EndReason::Rejected(486)
        }]
    );
    let busy = net.sent(BOB, "SIP/2.0 486 Busy Here")[0].text.clone();
    assert!(header(&busy, "To").unwrap().contains(";tag="));
    assert_eq!(
        branch(&net.sent(ALICE, "ACK ")[0].text),
        branch(&net.sent(ALICE, "INVITE ")[0].text)
    );
    assert_eq!(
        net.ua[BOB].reject(net.now, b, 486),
        Err(deskphone_sip::Error::UnknownCall)
    );
}

#[test]
fn hangup_while_ringing_rejects_and_bad_codes_are_refused() {
    let mut net = Net::new();
    let (a, b) = net.incoming();
    assert!(net.ua[BOB].reject(net.now, b, 200).is_err());
    assert!(
        net.ua[ALICE].answer(net.now, a, Vec::new()).is_err(),
        "cannot answer our own call"
    );
    net.ua[BOB].hangup(net.now, b).unwrap();
    net.settle();
    assert_eq!(ended(&net.take_events(ALICE)), [EndReason::Rejected(486)]);
}

#[test]
fn invite_retransmitted_under_loss_with_timer_a_doubling() {
    let mut net = Net::new();
    let mut lost = 0;
    net.drop = Box::new(move |from, _| {
        let drop = from == ALICE && lost < 2;
        lost += usize::from(drop);
        drop
    });
    net.call_bob();
    net.run_for(Duration::from_secs(3));
    let invites: Vec<Duration> = net.sent(ALICE, "INVITE ").iter().map(|w| w.at).collect();
    assert_eq!(
        invites,
        [
            Duration::ZERO,
            Duration::from_millis(500),
            Duration::from_millis(1500)
        ]
    );
    assert_eq!(net.wire.iter().filter(|w| w.dropped).count(), 2);
    assert!(matches!(
        net.take_events(BOB).as_slice(),
        [Event::IncomingCall { .. }]
    ));
    // The 100 Trying stopped Timer A.
    net.run_for(Duration::from_secs(30));
    assert_eq!(net.sent(ALICE, "INVITE ").len(), 3);
}

#[test]
fn retransmitted_invite_gets_the_last_response_again() {
    let mut net = Net::new();
    let mut lost = 0;
    net.drop = Box::new(move |from, text| {
        let drop = from == BOB && text.starts_with("SIP/2.0 100") && lost < 1;
        lost += usize::from(drop);
        drop
    });
    net.incoming();
    net.run_for(Duration::from_secs(1));
    assert_eq!(net.sent(ALICE, "INVITE ").len(), 2);
    assert_eq!(
        net.sent(BOB, "SIP/2.0 100").len(),
        2,
        "the retransmission got the 100 again"
    );
    assert!(net.take_events(BOB).is_empty(), "no second IncomingCall");
    net.run_for(Duration::from_secs(30));
    assert_eq!(
        net.sent(ALICE, "INVITE ").len(),
        2,
        "the second 100 stopped Timer A"
    );
}

#[test]
fn timer_b_times_out_an_unanswered_invite() {
    let mut net = Net::new();
    let call = OutgoingCall {
        from_uri: "sip:alice@127.0.0.1:5061".into(),
        from_display: String::new(),
        target_uri: "sip:nobody@127.0.0.1:5999".into(),
        dest: "127.0.0.1:5999".parse().unwrap(),
        sdp: Vec::new(),
    };
    let a = net.ua[ALICE].invite(net.now, call).unwrap();
    net.settle();
    let invite = &net.sent(ALICE, "INVITE ")[0].text;
    assert_eq!(
        header(invite, "From").map(|f| f.starts_with("<sip:alice@")),
        Some(true)
    );
    assert_eq!(header(invite, "Content-Length"), Some("0"));
    assert!(header(invite, "Content-Type").is_none());
    net.run_for(Duration::from_millis(31_999));
    assert!(net.take_events(ALICE).is_empty());
    net.run_for(Duration::from_millis(1));
    assert_eq!(
        net.take_events(ALICE),
        [Event::Ended {
            call: a,
            reason: EndReason::Timeout
        }]
    );
    let times: Vec<u128> = net
        .sent(ALICE, "INVITE ")
        .iter()
        .map(|w| w.at.as_millis())
        .collect();
    assert_eq!(times, [0, 500, 1500, 3500, 7500, 15500, 31500]);
}

#[test]
fn ok_retransmitted_until_ack() {
    let mut net = Net::new();
    let mut lost = 0;
    net.drop = Box::new(move |from, text| {
        let drop = from == ALICE && text.starts_with("ACK ") && lost < 2;
        lost += usize::from(drop);
        drop
    });
    let (a, b) = net.incoming();
    let t_answer = net.elapsed();
    net.ua[BOB].answer(net.now, b, b"v=0\r\n".to_vec()).unwrap();
    net.run_for(Duration::from_secs(10));
    let oks: Vec<Duration> = net
        .sent(BOB, "SIP/2.0 200 OK")
        .iter()
        .map(|w| w.at - t_answer)
        .collect();
    assert_eq!(
        oks,
        [
            Duration::ZERO,
            Duration::from_millis(500),
            Duration::from_millis(1500)
        ]
    );
    assert_eq!(net.sent(ALICE, "ACK ").len(), 3, "each 2xx is ACKed");
    assert_eq!(
        net.take_events(ALICE),
        [Event::Established {
            call: a,
            sdp: Some(b"v=0\r\n".to_vec())
        }]
    );
    assert_eq!(
        net.take_events(BOB),
        [Event::Established { call: b, sdp: None }]
    );
}

#[test]
fn no_ack_means_bye_and_timeout() {
    let mut net = Net::new();
    net.drop = Box::new(|from, text| from == ALICE && text.starts_with("ACK "));
    let (a, b) = net.incoming();
    net.ua[BOB].answer(net.now, b, b"v=0\r\n".to_vec()).unwrap();
    net.run_for(Duration::from_secs(40));
    let oks: Vec<u128> = net
        .sent(BOB, "SIP/2.0 200 OK")
        .iter()
        .filter(|w| w.text.contains(" INVITE\r\n"))
        .map(|w| w.at.as_millis())
        .collect();
    assert_eq!(
        &oks[..6],
        [0, 500, 1500, 3500, 7500, 11500],
        "T1 doubling capped at T2"
    );
    assert_eq!(
        net.take_events(BOB),
        [Event::Ended {
            call: b,
            reason: EndReason::Timeout
        }]
    );
    assert_eq!(net.sent(BOB, "BYE ").len(), 1);
    let alice = net.take_events(ALICE);
    assert_eq!(
        alice.first(),
        Some(&Event::Established {
            call: a,
            sdp: Some(b"v=0\r\n".to_vec())
        })
    );
    assert_eq!(ended(&alice), [EndReason::RemoteHangup]);
}

#[test]
fn hangup_before_ack_waits_for_it() {
    let mut net = Net::new();
    let mut lost = 0;
    net.drop = Box::new(move |from, text| {
        let drop = from == ALICE && text.starts_with("ACK ") && lost < 1;
        lost += usize::from(drop);
        drop
    });
    let (_, b) = net.incoming();
    net.ua[BOB].answer(net.now, b, b"v=0\r\n".to_vec()).unwrap();
    net.settle();
    net.ua[BOB].hangup(net.now, b).unwrap();
    net.settle();
    assert!(
        net.sent(BOB, "BYE ").is_empty(),
        "§15: no BYE before the ACK"
    );
    net.run_for(Duration::from_secs(2));
    assert_eq!(net.sent(BOB, "BYE ").len(), 1);
    assert_eq!(
        net.take_events(BOB),
        [Event::Ended {
            call: b,
            reason: EndReason::LocalHangup
        }]
    );
    assert_eq!(ended(&net.take_events(ALICE)), [EndReason::RemoteHangup]);
}

#[test]
fn requests_outside_calls() {
    let mut net = Net::new();
    let options = bob_answers(&mut net, request("OPTIONS", "", ""));
    assert!(options[0].starts_with("SIP/2.0 200 OK\r\n"));
    assert!(header(&options[0], "Allow").unwrap().contains("INVITE"));
    assert_eq!(header(&options[0], "Accept"), Some("application/sdp"));
    assert!(
        bob_answers(&mut net, request("REGISTER", "", ""))[0]
            .starts_with("SIP/2.0 405 Method Not Allowed\r\n")
    );
    let bye = bob_answers(&mut net, request("BYE", ";tag=nope", ""));
    assert!(bye[0].starts_with("SIP/2.0 481 "), "{}", bye[0]);
    let foo = bob_answers(&mut net, request("FOO", "", ""));
    assert!(
        foo[0].starts_with("SIP/2.0 501 Not Implemented\r\n"),
        "{}",
        foo[0]
    );
    let required = bob_answers(
        &mut net,
        request(
            "INVITE",
            "",
            "Contact: <sip:a@127.0.0.1:5061>\r\nRequire: 100rel, foo, timer\r\n",
        ),
    );
    assert!(required[0].starts_with("SIP/2.0 420 "));
    assert_eq!(
        header(&required[0], "Unsupported"),
        Some("foo"),
        "100rel and timer are ours (RFC 3262, RFC 4028)"
    );
    let no_contact = bob_answers(&mut net, request("INVITE", "", ""));
    assert!(no_contact[0].starts_with("SIP/2.0 400 "));
    // Retransmissions of a request are answered from the transaction, identically.
    let msg = request("OPTIONS", "", "");
    assert_eq!(bob_answers(&mut net, &msg), bob_answers(&mut net, &msg));
    let events: Vec<Event> = std::iter::from_fn(|| net.ua[BOB].poll_event()).collect();
    assert!(
        events.iter().all(|e| matches!(e, Event::Diagnostic(_))),
        "{events:?}"
    );
}

#[test]
fn malformed_datagrams_get_400_or_are_dropped() {
    let mut net = Net::new();
    // A request with the headers a response needs but a lying Content-Length: 400.
    let bad_length = request("INVITE", "", "Contact: <sip:a@127.0.0.1:5061>\r\n")
        .replace("Content-Length: 0", "Content-Length: 99");
    let out = bob_answers(&mut net, &bad_length);
    assert!(
        out[0].starts_with("SIP/2.0 400 Bad Request\r\n"),
        "{}",
        out[0]
    );
    assert_eq!(header(&out[0], "Call-ID"), Some("out-of-dialog"));
    // Unparsable header values: 400 too.
    let bad_cseq = request("OPTIONS", "", "").replace("CSeq: 1 OPTIONS", "CSeq: one OPTIONS");
    assert!(bob_answers(&mut net, &bad_cseq)[0].starts_with("SIP/2.0 400 "));
    let bad_from =
        request("OPTIONS", "", "").replace("From: <sip:alice@127.0.0.1:5061>;tag=a1", "From: <<<");
    assert!(bob_answers(&mut net, &bad_from)[0].starts_with("SIP/2.0 400 "));
    // Without Call-ID: still 400 (RFC 4475 §3.3.1), copying the headers that are there.
    let no_call_id = request("OPTIONS", "", "").replace("Call-ID: out-of-dialog\r\n", "");
    assert!(bob_answers(&mut net, &no_call_id)[0].starts_with("SIP/2.0 400 "));
    assert!(bob_answers(&mut net, b"\x16\x03\x01\x02\x00 not SIP at all").is_empty());
    // Responses are never answered.
    assert!(bob_answers(&mut net, "SIP/2.0 200 OK\r\nContent-Length: 5\r\n\r\n").is_empty());
    let events: Vec<Event> = std::iter::from_fn(|| net.ua[BOB].poll_event()).collect();
    assert_eq!(events.len(), 6, "{events:?}");
    assert!(events.iter().all(|e| matches!(e, Event::Diagnostic(_))));
}

#[test]
fn random_and_truncated_bytes_never_panic() {
    let mut rng = fastrand::Rng::with_seed(0x5eed);
    let mut ua = UserAgent::new(UaConfig {
        local_addr: "127.0.0.1:5062".parse().unwrap(),
        user_agent: "fuzz".into(),
        rng_seed: Some(1),
    });
    let now = Instant::now();
    let from: SocketAddr = "127.0.0.1:5061".parse().unwrap();
    let valid = request(
        "INVITE",
        "",
        "Contact: <sip:a@127.0.0.1:5061>\r\nContent-Type: application/sdp\r\n",
    )
    .replace("Content-Length: 0", "Content-Length: 5")
        + "v=0\r\n";
    let valid = valid.as_bytes();
    let feed = |ua: &mut UserAgent, data: &[u8]| {
        ua.handle_datagram(now, from, data);
        while ua.poll_transmit().is_some() {}
        while ua.poll_event().is_some() {}
    };
    for len in 0..=valid.len() {
        feed(&mut ua, &valid[..len]);
    }
    for _ in 0..3000 {
        let mut data = valid.to_vec();
        for _ in 0..rng.usize(1..8) {
            if data.is_empty() {
                break;
            }
            let i = rng.usize(..data.len());
            match rng.u8(..4) {
                0 => data[i] = rng.u8(..),
                1 => data[i] = *b"\r\n:;<>\" ,=@".get(rng.usize(..11)).unwrap(),
                2 => drop(data.drain(i..(i + rng.usize(..20)).min(data.len()))),
                _ => data.insert(i, rng.u8(..)),
            }
        }
        feed(&mut ua, &data);
    }
    for _ in 0..3000 {
        let data: Vec<u8> = (0..rng.usize(..600)).map(|_| rng.u8(..)).collect();
        feed(&mut ua, &data);
    }
    // Still fully working afterwards.
    ua.handle_timeout(now + Duration::from_secs(120));
    feed(&mut ua, valid);
}

#[test]
fn a_2xx_from_another_fork_is_acked_and_byed() {
    let mut net = Net::new();
    let (a, _) = net.established();
    let ok = net.sent(BOB, "SIP/2.0 200 OK")[0].text.clone();
    let to = header(&ok, "To").unwrap();
    let forked = ok.replace(to, "<sip:bob@127.0.0.1:5062>;tag=otherfork");
    net.ua[ALICE].handle_datagram(net.now, net.addr[BOB], forked.as_bytes());
    let out: Vec<String> = std::iter::from_fn(|| net.ua[ALICE].poll_transmit())
        .map(|t| String::from_utf8(t.payload).unwrap())
        .collect();
    assert_eq!(out.len(), 2, "{out:?}");
    assert!(out[0].starts_with("ACK ") && out[1].starts_with("BYE "));
    assert!(
        out.iter()
            .all(|m| header(m, "To").unwrap().ends_with(";tag=otherfork"))
    );
    let events: Vec<Event> = std::iter::from_fn(|| net.ua[ALICE].poll_event()).collect();
    assert!(
        matches!(events.as_slice(), [Event::Diagnostic(_)]),
        "{events:?}"
    );
    // The original 2xx retransmitted: just ACKed again, the call lives on.
    net.ua[ALICE].handle_datagram(net.now, net.addr[BOB], ok.as_bytes());
    assert!(
        net.ua[ALICE]
            .poll_transmit()
            .is_some_and(|t| t.payload.starts_with(b"ACK "))
    );
    assert!(net.ua[ALICE].hangup(net.now, a).is_ok());
}

#[test]
fn transport_error_ends_the_call() {
    let mut net = Net::new();
    let a = net.call_bob();
    net.ua[ALICE].handle_transport_error(net.now, net.addr[BOB]);
    assert_eq!(
        net.ua[ALICE].poll_event(),
        Some(Event::Ended {
            call: a,
            reason: EndReason::TransportError
        })
    );
    assert!(net.ua[ALICE].poll_timeout().is_none());
}

#[test]
fn invalid_uris_are_refused() {
    let mut net = Net::new();
    for (from, target) in [
        ("sip:alice@127.0.0.1", "bob"),
        ("sip:alice@127.0.0.1", "tel:+123"),
        ("sip:alice@127.0.0.1", "sip:bob@h\r\nX-Evil: 1"),
        ("alice", "sip:bob@127.0.0.1"),
    ] {
        let call = OutgoingCall {
            from_uri: from.into(),
            from_display: String::new(),
            target_uri: target.into(),
            dest: net.addr[BOB],
            sdp: Vec::new(),
        };
        assert!(
            matches!(
                net.ua[ALICE].invite(net.now, call),
                Err(deskphone_sip::Error::InvalidUri(_))
            ),
            "{target}"
        );
    }
    assert!(net.ua[ALICE].poll_transmit().is_none());
}

/// RFC 3261 §19.3: tags, Call-IDs and branches are random (ChaCha20); a fixed seed in the
/// configuration repeats them exactly, another seed or the OS seed does not.
#[test]
fn the_configured_seed_fixes_tags_call_ids_and_branches() {
    let invite_from = |seed: Option<u64>| {
        let mut ua = UserAgent::new(UaConfig {
            local_addr: "127.0.0.1:5061".parse().unwrap(),
            user_agent: "seed".into(),
            rng_seed: seed,
        });
        let now = Instant::now();
        ua.invite(
            now,
            OutgoingCall {
                from_uri: "sip:alice@127.0.0.1:5061".into(),
                from_display: String::new(),
                target_uri: "sip:bob@127.0.0.1:5062".into(),
                dest: "127.0.0.1:5062".parse().unwrap(),
                sdp: Vec::new(),
            },
        )
        .unwrap();
        String::from_utf8(ua.poll_transmit().unwrap().payload).unwrap()
    };
    let ids = |invite: &str| {
        (
            branch(invite).to_owned(),
            header(invite, "From").unwrap().to_owned(),
            header(invite, "Call-ID").unwrap().to_owned(),
        )
    };
    assert_eq!(invite_from(Some(7)), invite_from(Some(7)));
    let (b7, f7, c7) = ids(&invite_from(Some(7)));
    let (b8, f8, c8) = ids(&invite_from(Some(8)));
    let (bo, fo, co) = ids(&invite_from(None));
    assert!(b7 != b8 && f7 != f8 && c7 != c8);
    assert!(b7 != bo && f7 != fo && c7 != co);
}
