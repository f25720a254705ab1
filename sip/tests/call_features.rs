//! Call features beyond the basic call, with a fake clock: re-INVITE and UPDATE with
//! offer/answer (hold and resume), reliable provisionals (RFC 3262), session timers
//! (RFC 4028), early media, Reason on CANCEL (RFC 3326) and Alert-Info.

mod net;

use std::net::IpAddr;
use std::time::Duration;

use deskphone_sip::sdp::{Direction, SessionDescription};
use deskphone_sip::{CallHandle, EndReason, Event};
use net::*;

/// Our SDP for one side of the call.
fn local_sdp(net: &Net, who: usize, port: u16) -> SessionDescription {
    audio_sdp(net.addr[who].ip(), port, 100 + who as u64)
}

/// A call where Alice offered and Bob answered real SDP; returns the handles and both
/// sides' session descriptions.
fn call_with_media(net: &mut Net) -> (CallHandle, CallHandle) {
    let (a, b) = net.incoming();
    let offer = SessionDescription::parse(&net.offer()).unwrap();
    let ip: IpAddr = net.addr[BOB].ip();
    let answer = audio_answer(&offer, ip, 50000, 200, Direction::SendRecv);
    net.ua[BOB].answer(net.now, b, answer.to_bytes()).unwrap();
    net.settle();
    assert!(matches!(
        net.take_events(ALICE).as_slice(),
        [Event::Established { .. }]
    ));
    assert!(matches!(
        net.take_events(BOB).as_slice(),
        [Event::Established { .. }]
    ));
    (a, b)
}

fn reoffers(events: &[Event]) -> Vec<(CallHandle, Option<Vec<u8>>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Reoffer { call, sdp } => Some((*call, sdp.clone())),
            _ => None,
        })
        .collect()
}

/// Answer every pending re-offer of `who` the way the runtime does (sendrecv wanted).
fn answer_reoffers(net: &mut Net, who: usize, port: u16) -> usize {
    let events = net.take_events(who);
    let offers = reoffers(&events);
    for (call, offer) in &offers {
        let offer = SessionDescription::parse(offer.as_deref().unwrap()).unwrap();
        let ip = net.addr[who].ip();
        let mut answer = audio_answer(&offer, ip, port, 1, Direction::SendRecv);
        answer.follow(&local_sdp(net, who, port));
        let now = net.now;
        net.ua[who]
            .answer_reoffer(now, *call, answer.to_bytes())
            .unwrap();
    }
    net.events[who].extend(
        events
            .into_iter()
            .filter(|e| !matches!(e, Event::Reoffer { .. })),
    );
    offers.len()
}

fn hold_offer(net: &Net, who: usize, port: u16, direction: Direction) -> Vec<u8> {
    let base = local_sdp(net, who, port);
    let mut offer = base.clone();
    offer.set_audio_direction(direction);
    offer.follow(&base);
    offer.to_bytes()
}

fn modified_sdp(events: &[Event], call: CallHandle) -> SessionDescription {
    match events {
        [
            Event::Modified {
                call: c,
                sdp: Some(sdp),
            },
        ] if *c == call => SessionDescription::parse(sdp).unwrap(),
        other => panic!("expected Modified, got {other:?}"),
    }
}

/// A response to the request in `req` (as sent on the wire), written by hand the way a
/// peer we do not control would send it.
fn respond_to(req: &str, status: &str, to_tag: &str, extra: &str, body: &str) -> String {
    let mut out = format!("SIP/2.0 {status}\r\n");
    for name in ["Via", "From", "Call-ID", "CSeq"] {
        out += &format!("{name}: {}\r\n", header(req, name).unwrap());
    }
    let to = header(req, "To").unwrap();
    if to.contains(";tag=") || to_tag.is_empty() {
        out += &format!("To: {to}\r\n");
    } else {
        out += &format!("To: {to};tag={to_tag}\r\n");
    }
    out += extra;
    if !body.is_empty() {
        out += "Content-Type: application/sdp\r\n";
    }
    out + &format!("Content-Length: {}\r\n\r\n{body}", body.len())
}

fn cseq_number(text: &str) -> u32 {
    header(text, "CSeq")
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

fn early_sdp() -> String {
    "v=0\r\no=- 9 9 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n"
        .to_owned()
}

#[test]
fn hold_and_resume_by_reinvite_in_both_directions() {
    let mut net = Net::new();
    let (a, b) = call_with_media(&mut net);

    // Alice holds: a=sendonly (RFC 3264 §8.4).
    let hold = hold_offer(&net, ALICE, 40000, Direction::SendOnly);
    net.ua[ALICE].reinvite(net.now, a, hold).unwrap();
    assert!(
        net.ua[ALICE].reinvite(net.now, a, Vec::new()).is_err(),
        "§14.1: one INVITE transaction at a time"
    );
    net.settle();
    let reinvite = net.sent(ALICE, "INVITE ").last().unwrap().text.clone();
    assert_eq!(net.sent(ALICE, "INVITE ").len(), 2);
    assert!(
        header(&reinvite, "To").unwrap().contains(";tag="),
        "in the dialog"
    );
    assert_eq!(
        header(&reinvite, "Contact"),
        Some("<sip:alice@127.0.0.1:5061>")
    );
    assert!(header(&reinvite, "Supported").unwrap().contains("timer"));
    let first = net.sent(ALICE, "INVITE ")[0].text.clone();
    assert_eq!(cseq_number(&reinvite), cseq_number(&first) + 1);
    let offers = reoffers(&net.events[BOB]);
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0].0, b);
    assert_eq!(
        SessionDescription::parse(offers[0].1.as_deref().unwrap())
            .unwrap()
            .audio_direction(),
        Direction::SendOnly
    );
    answer_reoffers(&mut net, BOB, 50000);
    net.settle();
    let answer = modified_sdp(&net.take_events(ALICE), a);
    assert_eq!(answer.audio_direction(), Direction::RecvOnly);
    // The ACK of the re-INVITE's 2xx has its CSeq and stops Bob's retransmissions.
    let ack = net.sent(ALICE, "ACK ").last().unwrap().text.clone();
    assert_eq!(cseq_number(&ack), cseq_number(&reinvite));
    net.run_for(Duration::from_secs(5));
    let oks = net
        .sent(BOB, "SIP/2.0 200 OK")
        .iter()
        .filter(|w| w.text.contains(" INVITE\r\n"))
        .count();
    assert_eq!(oks, 2, "one 2xx for each INVITE, none retransmitted");

    // Alice resumes.
    let resume = hold_offer(&net, ALICE, 40000, Direction::SendRecv);
    net.ua[ALICE].reinvite(net.now, a, resume).unwrap();
    net.settle();
    answer_reoffers(&mut net, BOB, 50000);
    net.settle();
    assert_eq!(
        modified_sdp(&net.take_events(ALICE), a).audio_direction(),
        Direction::SendRecv
    );

    // Bob holds Alice: the other direction works the same.
    let hold = hold_offer(&net, BOB, 50000, Direction::SendOnly);
    net.ua[BOB].reinvite(net.now, b, hold).unwrap();
    net.settle();
    assert_eq!(answer_reoffers(&mut net, ALICE, 40000), 1);
    net.settle();
    assert_eq!(
        modified_sdp(&net.take_events(BOB), b).audio_direction(),
        Direction::RecvOnly
    );
    let bob_reinvite = net.sent(BOB, "INVITE ").last().unwrap().text.clone();
    assert!(bob_reinvite.starts_with("INVITE sip:alice@127.0.0.1:5061 SIP/2.0\r\n"));
    assert!(net.events.iter().all(Vec::is_empty), "{:?}", net.events);
}

#[test]
fn a_refused_reoffer_leaves_the_session_and_reports_the_failure() {
    let mut net = Net::new();
    let (a, b) = call_with_media(&mut net);
    let hold = hold_offer(&net, ALICE, 40000, Direction::SendOnly);
    net.ua[ALICE].reinvite(net.now, a, hold).unwrap();
    net.settle();
    assert_eq!(reoffers(&net.take_events(BOB)).len(), 1);
    net.ua[BOB].reject_reoffer(net.now, b, 488).unwrap();
    net.settle();
    assert_eq!(
        net.take_events(ALICE),
        [Event::ModifyFailed { call: a, code: 488 }]
    );
    // §14.1: the call goes on; a BYE still ends it normally.
    net.ua[ALICE].hangup(net.now, a).unwrap();
    net.settle();
    assert_eq!(ended(&net.take_events(ALICE)), [EndReason::LocalHangup]);
    assert_eq!(ended(&net.take_events(BOB)), [EndReason::RemoteHangup]);
}

#[test]
fn crossing_reinvites_get_491_and_are_retried() {
    let mut net = Net::new();
    let (a, b) = call_with_media(&mut net);
    let hold_a = hold_offer(&net, ALICE, 40000, Direction::SendOnly);
    let hold_b = hold_offer(&net, BOB, 50000, Direction::SendOnly);
    net.ua[ALICE].reinvite(net.now, a, hold_a).unwrap();
    net.ua[BOB].reinvite(net.now, b, hold_b).unwrap();
    net.settle();
    assert_eq!(net.sent(ALICE, "SIP/2.0 491 ").len(), 1);
    assert_eq!(net.sent(BOB, "SIP/2.0 491 ").len(), 1);
    assert!(reoffers(&net.events[ALICE]).is_empty());
    // §14.1: Bob (not the Call-ID owner) retries within 2 s, Alice after 2.1 s; each
    // side's re-INVITE then succeeds.
    let mut done = [false, false];
    for _ in 0..80 {
        net.run_for(Duration::from_millis(100));
        answer_reoffers(&mut net, ALICE, 40000);
        answer_reoffers(&mut net, BOB, 50000);
        net.settle();
        for (who, call) in [(ALICE, a), (BOB, b)] {
            let events = net.take_events(who);
            assert!(
                events
                    .iter()
                    .all(|e| matches!(e, Event::Modified { call: c, .. } if *c == call)),
                "{events:?}"
            );
            done[who] |= !events.is_empty();
        }
    }
    assert_eq!(done, [true, true]);
    let retry_at = net.sent(BOB, "INVITE ").last().unwrap().at;
    assert!(retry_at <= Duration::from_secs(2), "{retry_at:?}");
}

#[test]
fn a_422_to_a_hold_is_retried_with_the_min_se_and_the_hold_completes() {
    let mut net = Net::new();
    let (a, _) = call_with_media(&mut net);
    // The first re-INVITE never reaches Bob: a proxy with a larger minimum answers 422.
    let mut first = true;
    net.drop = Box::new(move |from, text| {
        let drop = from == ALICE && text.starts_with("INVITE ") && first;
        first &= !drop;
        drop
    });
    let hold = hold_offer(&net, ALICE, 40000, Direction::SendOnly);
    net.ua[ALICE].reinvite(net.now, a, hold.clone()).unwrap();
    net.settle();
    let reinvite = net.sent(ALICE, "INVITE ").last().unwrap().text.clone();
    assert!(
        header(&reinvite, "Session-Expires")
            .unwrap()
            .starts_with("1800")
    );
    let too_small = respond_to(
        &reinvite,
        "422 Session Interval Too Small",
        "",
        "Min-SE: 3600\r\n",
        "",
    );
    net.ua[ALICE].handle_datagram(net.now, net.addr[BOB], too_small.as_bytes());
    net.settle();
    assert!(
        net.take_events(ALICE).is_empty(),
        "no failure reported for the 422"
    );
    let invites = net.sent(ALICE, "INVITE ");
    assert_eq!(invites.len(), 3, "initial, refused, retried");
    let retry = &invites[2].text;
    let se: u32 = header(retry, "Session-Expires")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(se >= 3600, "RFC 4028 §7.4: {se}");
    assert_eq!(header(retry, "Min-SE"), Some("3600"));
    assert_eq!(cseq_number(retry), cseq_number(&reinvite) + 1);
    assert_ne!(branch(retry), branch(&reinvite));
    assert_eq!(
        retry.split_once("\r\n\r\n").unwrap().1.as_bytes(),
        hold.as_slice()
    );
    assert_eq!(net.sent(ALICE, "ACK ").len(), 2, "the 422 was ACKed too");
    answer_reoffers(&mut net, BOB, 50000);
    net.settle();
    assert_eq!(
        modified_sdp(&net.take_events(ALICE), a).audio_direction(),
        Direction::RecvOnly
    );
}

#[test]
fn session_timer_refreshes_by_update_and_expires_without_refresh() {
    let mut net = Net::new();
    let (a, b) = call_with_media(&mut net);
    let ok = net.sent(BOB, "SIP/2.0 200 OK")[0].text.clone();
    // RFC 4028 §9: Bob accepts the interval Alice asked for and lets her refresh.
    assert_eq!(header(&ok, "Session-Expires"), Some("1800;refresher=uac"));
    assert_eq!(header(&ok, "Require"), Some("timer"));
    assert!(header(&ok, "Allow").unwrap().contains("UPDATE"));

    net.run_for(Duration::from_secs(899));
    assert!(net.sent(ALICE, "UPDATE ").is_empty());
    net.run_for(Duration::from_secs(2));
    let updates = net.sent(ALICE, "UPDATE ");
    assert_eq!(
        updates.len(),
        1,
        "RFC 4028 §10: refresh at half the interval"
    );
    assert_eq!(
        header(&updates[0].text, "Session-Expires"),
        Some("1800;refresher=uac")
    );
    assert!(
        net.events.iter().all(Vec::is_empty),
        "a refresh is silent: {:?}",
        net.events
    );

    // Alice goes silent: Bob ends the session before it expires (interval less 32 s).
    net.drop = Box::new(|from, _| from == ALICE);
    let refreshed = updates[0].at;
    let until = refreshed + Duration::from_secs(1767) - net.elapsed();
    net.run_for(until);
    assert!(net.take_events(BOB).is_empty());
    net.run_for(Duration::from_secs(2));
    assert_eq!(ended(&net.take_events(BOB)), [EndReason::Timeout]);
    let bye = net.sent(BOB, "BYE ");
    assert!(!bye.is_empty());
    assert!(bye[0].at - refreshed >= Duration::from_secs(1768));
    let _ = (a, b);
}

#[test]
fn too_small_session_interval_gets_422_and_update_is_answered_in_both_dialog_states() {
    let mut net = Net::new();
    let contact = "Contact: <sip:a@127.0.0.1:5061>\r\n";
    let small = bob_answers(
        &mut net,
        request(
            "INVITE",
            "",
            &format!("{contact}Supported: timer\r\nSession-Expires: 60\r\n"),
        ),
    );
    assert!(small[0].starts_with("SIP/2.0 422 "), "{}", small[0]);
    assert_eq!(header(&small[0], "Min-SE"), Some("90"));

    // An early dialog: Alice's INVITE rings at Bob.
    let (_, b) = net.incoming();
    net.ua[BOB].ring(net.now, b).unwrap();
    net.settle();
    net.take_events(ALICE);
    let invite = net.sent(ALICE, "INVITE ")[0].text.clone();
    let ringing = net.sent(BOB, "SIP/2.0 180 ")[0].text.clone();
    let update = |seq: u32, body: &str| {
        let mut text = format!(
            "UPDATE sip:bob@127.0.0.1:5062 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bKup{seq}\r\n\
             Max-Forwards: 70\r\nFrom: {}\r\nTo: {}\r\nCall-ID: {}\r\nCSeq: {seq} UPDATE\r\n{contact}",
            header(&invite, "From").unwrap(),
            header(&ringing, "To").unwrap(),
            header(&invite, "Call-ID").unwrap(),
        );
        if !body.is_empty() {
            text += "Content-Type: application/sdp\r\n";
        }
        text + &format!("Content-Length: {}\r\n\r\n{body}", body.len())
    };
    let seq = cseq_number(&invite);
    // RFC 3311 §5.2: no offer: answered at once; an offer while Bob still owes the answer
    // to the INVITE's: 500 with Retry-After.
    let plain = bob_answers(&mut net, update(seq + 1, ""));
    assert!(plain[0].starts_with("SIP/2.0 200 OK\r\n"), "{}", plain[0]);
    assert!(header(&plain[0], "Contact").is_some());
    let crossing = bob_answers(&mut net, update(seq + 2, &early_sdp()));
    assert!(crossing[0].starts_with("SIP/2.0 500 "), "{}", crossing[0]);
    assert!(header(&crossing[0], "Retry-After").is_some());
    assert!(reoffers(&net.take_events(BOB)).is_empty());

    // Confirmed: an UPDATE with an offer goes to the runtime, the answer goes back.
    let answer = local_sdp(&net, BOB, 50000).to_bytes();
    net.ua[BOB].answer(net.now, b, answer).unwrap();
    net.settle();
    net.take_events(BOB);
    net.take_events(ALICE);
    assert!(bob_answers(&mut net, update(seq + 3, &early_sdp())).is_empty());
    net.settle();
    let offers = reoffers(&net.take_events(BOB));
    assert_eq!(offers, [(b, Some(early_sdp().into_bytes()))]);
    let mut held = local_sdp(&net, BOB, 50000);
    held.set_audio_direction(Direction::RecvOnly);
    net.ua[BOB]
        .answer_reoffer(net.now, b, held.to_bytes())
        .unwrap();
    let ok = std::iter::from_fn(|| net.ua[BOB].poll_transmit())
        .map(|t| String::from_utf8(t.payload).unwrap())
        .find(|t| t.contains(" UPDATE\r\n"))
        .unwrap();
    assert!(ok.starts_with("SIP/2.0 200 OK\r\n"));
    assert!(ok.ends_with(&String::from_utf8(held.to_bytes()).unwrap()));
}

#[test]
fn reliable_provisionals_are_pracked_once() {
    let mut net = Net::new();
    // Bob's UA stays silent; a peer we script answers Alice's INVITE.
    net.drop = Box::new(|from, _| from == BOB);
    let a = net.call_bob();
    net.settle();
    let invite = net.sent(ALICE, "INVITE ")[0].text.clone();
    assert!(header(&invite, "Supported").unwrap().contains("100rel"));
    let contact = "Contact: <sip:bob@127.0.0.1:5062>\r\nRequire: 100rel\r\n";
    let ringing = |rseq: u32, code: &str, body: &str| {
        respond_to(
            &invite,
            code,
            "peer1",
            &format!("{contact}RSeq: {rseq}\r\n"),
            body,
        )
    };
    let feed = |net: &mut Net, text: &str| {
        let from = net.addr[BOB];
        let now = net.now;
        net.ua[ALICE].handle_datagram(now, from, text.as_bytes());
        net.settle();
    };
    feed(&mut net, &ringing(7, "180 Ringing", ""));
    let pracks = net.sent(ALICE, "PRACK ");
    assert_eq!(pracks.len(), 1);
    let prack = &pracks[0].text;
    assert!(prack.starts_with("PRACK sip:bob@127.0.0.1:5062 SIP/2.0\r\n"));
    assert_eq!(
        header(prack, "RAck").map(str::to_owned),
        Some(format!("7 {} INVITE", cseq_number(&invite)))
    );
    assert_eq!(cseq_number(prack), cseq_number(&invite) + 1);
    assert!(header(prack, "To").unwrap().ends_with(";tag=peer1"));
    assert_eq!(
        net.take_events(ALICE),
        [Event::Progress {
            call: a,
            code: 180,
            sdp: None
        }]
    );
    // The peer did not see the PRACK yet and retransmits the 180 (same RSeq): RFC 3262 §4,
    // no second PRACK with a new CSeq and no second Progress (the S3 fix).
    feed(&mut net, &ringing(7, "180 Ringing", ""));
    assert_eq!(net.sent(ALICE, "PRACK ").len(), 1);
    assert!(
        net.take_events(ALICE)
            .iter()
            .all(|e| matches!(e, Event::Diagnostic(_)))
    );
    // The PRACK transaction itself retransmits until its 200 (Timer E).
    net.run_for(Duration::from_millis(600));
    let pracks = net.sent(ALICE, "PRACK ");
    assert_eq!(pracks.len(), 2);
    assert_eq!(
        pracks[1].text, pracks[0].text,
        "same transaction, same CSeq"
    );
    let ok = respond_to(&pracks[0].text, "200 OK", "", "", "");
    feed(&mut net, &ok);
    net.run_for(Duration::from_secs(5));
    assert_eq!(net.sent(ALICE, "PRACK ").len(), 2);
    // The next reliable provisional (RSeq + 1, with early media) gets its own PRACK;
    // one out of order gets none.
    feed(&mut net, &ringing(9, "183 Session Progress", &early_sdp()));
    assert_eq!(net.sent(ALICE, "PRACK ").len(), 2);
    feed(&mut net, &ringing(8, "183 Session Progress", &early_sdp()));
    let pracks = net.sent(ALICE, "PRACK ");
    assert_eq!(pracks.len(), 3);
    assert_eq!(cseq_number(&pracks[2].text), cseq_number(&invite) + 2);
    let events: Vec<Event> = net
        .take_events(ALICE)
        .into_iter()
        .filter(|e| !matches!(e, Event::Diagnostic(_)))
        .collect();
    assert_eq!(
        events,
        [Event::Progress {
            call: a,
            code: 183,
            sdp: Some(early_sdp().into_bytes())
        }]
    );
    // The 2xx is ACKed with the INVITE's CSeq, not the PRACK's (§13.2.2.4).
    feed(
        &mut net,
        &respond_to(
            &invite,
            "200 OK",
            "peer1",
            "Contact: <sip:bob@127.0.0.1:5062>\r\n",
            &early_sdp(),
        ),
    );
    let ack = net.sent(ALICE, "ACK ")[0].text.clone();
    assert_eq!(cseq_number(&ack), cseq_number(&invite));
    assert!(matches!(
        net.take_events(ALICE).as_slice(),
        [Event::Established { .. }]
    ));
}

#[test]
fn a_required_100rel_makes_our_180_reliable_until_pracked() {
    let mut net = Net::new();
    let invite = request(
        "INVITE",
        "",
        "Contact: <sip:a@127.0.0.1:5061>\r\nSupported: 100rel\r\nRequire: 100rel\r\n",
    );
    bob_answers(&mut net, &invite);
    let b = match net.ua[BOB].poll_event() {
        Some(Event::IncomingCall { call, .. }) => call,
        other => panic!("{other:?}"),
    };
    net.ua[BOB].ring(net.now, b).unwrap();
    let ringing = String::from_utf8(net.ua[BOB].poll_transmit().unwrap().payload).unwrap();
    assert!(ringing.starts_with("SIP/2.0 180 Ringing\r\n"));
    assert_eq!(header(&ringing, "Require"), Some("100rel"));
    let rseq: u32 = header(&ringing, "RSeq").unwrap().parse().unwrap();
    assert!(
        net.ua[BOB].ring(net.now, b).is_err(),
        "RFC 3262 §3: one at a time"
    );
    // Retransmitted from T1, doubling.
    let t0 = net.now;
    let mut sent = Vec::new();
    for ms in (0..=3600).step_by(100) {
        let now = t0 + Duration::from_millis(ms);
        net.ua[BOB].handle_timeout(now);
        while let Some(t) = net.ua[BOB].poll_transmit() {
            assert_eq!(String::from_utf8(t.payload).unwrap(), ringing);
            sent.push(ms);
        }
    }
    assert_eq!(sent, [500, 1500, 3500]);
    let to = header(&ringing, "To").unwrap();
    let prack = |rseq: u32| {
        request("PRACK", "", &format!("RAck: {rseq} 1 INVITE\r\n"))
            .replace("To: <sip:bob@127.0.0.1:5062>", &format!("To: {to}"))
            .replace("CSeq: 1 PRACK", "CSeq: 2 PRACK")
    };
    let wrong = bob_answers(&mut net, prack(rseq + 5));
    assert!(wrong[0].starts_with("SIP/2.0 481 "), "{}", wrong[0]);
    let right = bob_answers(&mut net, prack(rseq));
    assert!(right[0].starts_with("SIP/2.0 200 OK\r\n"), "{}", right[0]);
    net.ua[BOB].handle_timeout(t0 + Duration::from_secs(10));
    assert!(
        net.ua[BOB].poll_transmit().is_none(),
        "the PRACK stopped them"
    );
}

#[test]
fn early_media_in_180_181_and_183() {
    for code in [
        "180 Ringing",
        "181 Call Is Being Forwarded",
        "183 Session Progress",
    ] {
        let mut net = Net::new();
        net.drop = Box::new(|from, _| from == BOB);
        let a = net.call_bob();
        net.settle();
        let invite = net.sent(ALICE, "INVITE ")[0].text.clone();
        let progress = respond_to(
            &invite,
            code,
            "peer",
            "Contact: <sip:bob@127.0.0.1:5062>\r\n",
            &early_sdp(),
        );
        net.ua[ALICE].handle_datagram(net.now, net.addr[BOB], progress.as_bytes());
        net.settle();
        let number: u16 = code[..3].parse().unwrap();
        assert_eq!(
            net.take_events(ALICE),
            [Event::Progress {
                call: a,
                code: number,
                sdp: Some(early_sdp().into_bytes())
            }],
            "S5: {code}"
        );
        assert!(
            net.sent(ALICE, "PRACK ").is_empty(),
            "not reliable: no PRACK"
        );
    }
}

#[test]
fn cancel_with_reason_answered_elsewhere_is_not_a_missed_call() {
    let mut net = Net::new();
    for (reason, expected) in [
        (
            "Reason: SIP;cause=200;text=\"Call completed elsewhere\"\r\n",
            EndReason::AnsweredElsewhere,
        ),
        ("Reason: SIP;cause=487\r\n", EndReason::Cancelled),
    ] {
        // A forking proxy cancels our branch once another phone took the call.
        net.drop = Box::new(|from, text| from == ALICE && text.starts_with("CANCEL "));
        let (a, b) = net.incoming();
        net.ua[BOB].ring(net.now, b).unwrap();
        net.settle();
        net.ua[ALICE].hangup(net.now, a).unwrap();
        net.settle();
        let cancel = net.sent(ALICE, "CANCEL ").last().unwrap().text.clone();
        let with_reason = cancel.replacen("Content-Length", &format!("{reason}Content-Length"), 1);
        net.ua[BOB].handle_datagram(net.now, net.addr[ALICE], with_reason.as_bytes());
        net.drop = Box::new(|_, _| false);
        net.settle();
        assert_eq!(
            net.take_events(BOB),
            [Event::Ended {
                call: b,
                reason: expected
            }]
        );
        net.run_for(Duration::from_secs(40));
        net.take_events(ALICE);
    }
}

#[test]
fn alert_info_belongs_to_its_call_only() {
    let mut net = Net::new();
    let contact = "Contact: <sip:a@127.0.0.1:5061>\r\n";
    let first = request(
        "INVITE",
        "",
        &format!("{contact}Alert-Info: <http://127.0.0.1/ring2.wav>;info=alert-external\r\n"),
    );
    bob_answers(&mut net, first);
    let second = request("INVITE", "", contact).replace("Call-ID: out-of-dialog", "Call-ID: two");
    bob_answers(&mut net, second);
    let alerts: Vec<Option<String>> = std::iter::from_fn(|| net.ua[BOB].poll_event())
        .filter_map(|e| match e {
            Event::IncomingCall { alert_info, .. } => Some(alert_info),
            _ => None,
        })
        .collect();
    assert_eq!(
        alerts,
        [
            Some("<http://127.0.0.1/ring2.wav>;info=alert-external".to_owned()),
            None
        ]
    );
}
