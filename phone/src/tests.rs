//! Unit tests of the state machine: keys, calls, transfer, identities, the incoming
//! chain and the history. Property tests are in `tests/properties.rs`.

use deskphone_protocol::{CallPhase, EndReason, HistoryKind, Led, MenuState, TransferState};
use deskphone_settings::{SettingValues, keys};

use super::*;

fn phone_with(values: &[(&str, &str)]) -> Phone {
    let model = deskphone_settings::models::model("DP480C").unwrap();
    let mut settings = SettingValues::default();
    settings
        .apply(
            [
                (keys::user_name.wire(1).as_str(), "alice"),
                (keys::user_realname.wire(1).as_str(), "Alice"),
            ],
            "DP480C",
        )
        .unwrap();
    settings.apply(values.iter().copied(), "DP480C").unwrap();
    Phone::new(model, settings, "127.0.0.1:5061".into())
}

fn phone() -> Phone {
    phone_with(&[])
}

fn call_from(p: &mut Phone, uri: &str, now: u64) -> (CallId, Vec<Action>) {
    p.incoming(
        IncomingCall {
            remote_uri: uri.into(),
            request_uri: "sip:alice@127.0.0.1:5061".into(),
            ..IncomingCall::default()
        },
        now,
    )
}

fn dialled(actions: &[Action]) -> CallId {
    match actions {
        [Action::Dial { call, .. }] => *call,
        other => panic!("not a dial: {other:?}"),
    }
}

#[test]
fn digits_then_enter_dials_and_redial_opens_the_list_then_dials() {
    let mut p = phone();
    for k in ["1", "2"] {
        p.press(Key::parse(k, 12, 0).unwrap(), 0).unwrap();
    }
    assert_eq!(p.snapshot(0).dial_buffer, "12");
    // No registrar: a bare number has no host to go to.
    assert_eq!(
        p.press(Key::Enter, 0),
        Err(KeyError::BadTarget("12".into()))
    );
    p.press(Key::Cancel, 0).unwrap();
    let a = p.dial_number("bob@127.0.0.1:5062", None, 10).unwrap();
    let first = dialled(&a);
    assert_eq!(
        a,
        [Action::Dial {
            call: first,
            identity: 1,
            target: "sip:bob@127.0.0.1:5062".into()
        }]
    );
    p.connected(first, None, 20);
    p.press(Key::OnHook, 30).unwrap();
    p.ended(first, EndReason::LocalHangup, 30);
    // C5: the first F_REDIAL opens the dialled calls, the second dials the newest.
    assert_eq!(p.press(Key::Redial, 40).unwrap(), []);
    assert_eq!(
        p.snapshot(40).menu,
        Some(MenuState::History {
            kind: HistoryKind::Dialled,
            selected: 0
        })
    );
    let again = p.press(Key::Redial, 50).unwrap();
    assert!(
        matches!(&again[..], [Action::Dial { target, .. }] if target == "sip:bob@127.0.0.1:5062")
    );
    assert_eq!(p.snapshot(50).menu, None);
}

#[test]
fn incoming_call_answer_and_hang_up() {
    let mut p = phone();
    let (h, actions) = call_from(&mut p, "sip:bob@x", 0);
    assert_eq!(actions, [Action::Ring(h)]);
    assert_eq!(p.snapshot(0).calls[0].phase, CallPhase::Ringing);
    assert_eq!(p.press(Key::OffHook, 0).unwrap(), [Action::Answer(h)]);
    p.connected(h, Some("PCMU".into()), 2000);
    assert_eq!(p.press(Key::OnHook, 0).unwrap(), [Action::Hangup(h)]);
    p.ended(h, EndReason::LocalHangup, 5000);
    let s = p.snapshot(5000);
    assert!(s.calls.is_empty());
    let ended = s.last_ended_call.unwrap();
    assert_eq!(
        (ended.duration_ms, ended.reason),
        (3000, EndReason::LocalHangup)
    );
    let entry = &s.history.entries[0];
    assert_eq!(
        (entry.kind, entry.duration_ms, entry.id),
        (HistoryKind::Received, 3000, h.0)
    );
}

#[test]
fn call_waiting_rings_and_answering_holds_the_first_call() {
    let mut p = phone();
    let (a, _) = call_from(&mut p, "sip:bob@x", 0);
    p.press(Key::OffHook, 0).unwrap();
    p.connected(a, None, 0);
    let (b, actions) = call_from(&mut p, "sip:carol@x", 10);
    assert_eq!(actions, [Action::Ring(b)], "call waiting is on by default");
    // A third caller finds the phone busy.
    let (c, actions) = call_from(&mut p, "sip:dave@x", 20);
    assert_eq!(actions, [Action::Reject(c, BUSY_HERE)]);
    assert_eq!(
        p.press(Key::Enter, 30).unwrap(),
        [Action::Hold(a), Action::Answer(b)]
    );
    p.hold_result(a, true);
    p.connected(b, None, 40);
    // F_R swaps: b is held, a taken back.
    assert_eq!(
        p.press(Key::Hold, 50).unwrap(),
        [Action::Hold(b), Action::Resume(a)]
    );
    // Busy and missed: dave's call is in the history as missed.
    let s = p.snapshot(50);
    assert_eq!(s.history.missed_unseen, 1);
    assert_eq!(s.history.entries[0].remote_uri, "sip:dave@x");
    // With call waiting off, a second caller is busy.
    let mut p = phone_with(&[(keys::call_waiting.wire(), "off")]);
    let (a, _) = call_from(&mut p, "sip:bob@x", 0);
    p.press(Key::OffHook, 0).unwrap();
    p.connected(a, None, 0);
    let (b, actions) = call_from(&mut p, "sip:carol@x", 10);
    assert_eq!(actions, [Action::Reject(b, BUSY_HERE)]);
}

#[test]
fn soft_keys_do_what_their_labels_say() {
    let mut p = phone();
    let (h, _) = call_from(&mut p, "sip:bob@x", 0);
    // Incoming: F1 answers, F4 rejects; F2 is blank.
    assert_eq!(p.press(Key::Soft(2), 0).unwrap(), []);
    assert_eq!(p.press(Key::Soft(1), 0).unwrap(), [Action::Answer(h)]);
    p.connected(h, None, 0);
    // In a call: F4 hangs up.
    assert_eq!(p.press(Key::Soft(4), 0).unwrap(), [Action::Hangup(h)]);
    p.ended(h, EndReason::RemoteHangup, 0);
    // Dialling: F3 deletes, F4 cancels.
    for k in ["1", "2"] {
        p.press(Key::parse(k, 12, 0).unwrap(), 10_000).unwrap();
    }
    p.press(Key::Soft(3), 10_000).unwrap();
    assert_eq!(p.snapshot(10_000).dial_buffer, "1");
    p.press(Key::Soft(4), 10_000).unwrap();
    assert_eq!(p.snapshot(10_000).dial_buffer, "");
}

#[test]
fn hold_key_holds_and_resumes_once_the_other_side_agrees() {
    let mut p = phone();
    assert_eq!(
        p.press(Key::Hold, 0).unwrap(),
        [],
        "no call: nothing to hold"
    );
    let (h, _) = call_from(&mut p, "sip:bob@x", 0);
    assert_eq!(
        p.press(Key::Hold, 0).unwrap(),
        [],
        "a ringing call is not held"
    );
    p.press(Key::OffHook, 0).unwrap();
    p.connected(h, None, 0);
    assert_eq!(p.press(Key::Hold, 0).unwrap(), [Action::Hold(h)]);
    assert_eq!(p.press(Key::Hold, 0).unwrap(), [], "still being agreed");
    assert!(!p.snapshot(0).calls[0].held, "not held before the 2xx");
    // S4: a refused hold leaves the call as it was.
    p.hold_result(h, false);
    assert!(!p.snapshot(0).calls[0].held);
    assert_eq!(p.press(Key::Hold, 0).unwrap(), [Action::Hold(h)]);
    p.hold_result(h, true);
    let call = &p.snapshot(0).calls[0];
    assert!(call.held && call.phase == CallPhase::Connected);
    assert_eq!(p.press(Key::Hold, 0).unwrap(), [Action::Resume(h)]);
    assert!(
        p.snapshot(0).calls[0].held,
        "held until the resume is agreed"
    );
    p.hold_result(h, true);
    assert!(!p.snapshot(0).calls[0].held);
}

#[test]
fn alert_info_stays_with_its_call_and_answered_elsewhere_is_not_missed() {
    let mut p = phone();
    let (first, _) = p.incoming(
        IncomingCall {
            remote_uri: "sip:a@x".into(),
            alert_info: Some("<http://x/vip.wav>".into()),
            ..IncomingCall::default()
        },
        0,
    );
    assert_eq!(
        p.snapshot(0).calls[0].alert_info.as_deref(),
        Some("<http://x/vip.wav>")
    );
    p.ended(first, EndReason::AnsweredElsewhere, 0);
    // S10: the next call without Alert-Info has none.
    call_from(&mut p, "sip:b@x", 0);
    assert_eq!(p.snapshot(0).calls[0].alert_info, None);
    let s = p.snapshot(0);
    assert_eq!(
        s.last_ended_call.unwrap().reason,
        EndReason::AnsweredElsewhere
    );
    // S9: received (elsewhere), not missed; the counter stays at zero.
    let entry = &s.history.entries[0];
    assert_eq!(entry.kind, HistoryKind::Received);
    assert!(entry.answered_elsewhere);
    assert_eq!(s.history.missed_unseen, 0);
}

#[test]
fn cancel_rejects_a_ringing_call_and_it_is_missed() {
    let mut p = phone();
    let (h, _) = call_from(&mut p, "sip:bob@x", 0);
    assert_eq!(
        p.press(Key::Cancel, 0).unwrap(),
        [Action::Reject(h, DECLINE)]
    );
    p.ended(h, EndReason::Rejected, 0);
    let s = p.snapshot(0);
    assert_eq!(s.history.entries[0].kind, HistoryKind::Missed);
    assert_eq!(s.history.missed_unseen, 1);
    // DOWN on the idle screen opens the missed calls and clears the counter.
    p.press(Key::Down, 0).unwrap();
    assert_eq!(p.snapshot(0).history.missed_unseen, 0);
}

#[test]
fn transfer_key_blind_and_attended() {
    let mut p = phone();
    let (a, _) = call_from(&mut p, "sip:bob@x", 0);
    p.press(Key::OffHook, 0).unwrap();
    p.connected(a, None, 0);
    // Blind: TRANSFER, the target, ENTER.
    assert_eq!(p.press(Key::Transfer, 0).unwrap(), []);
    assert_eq!(p.snapshot(0).transfer, Some(TransferState::Dialling));
    p.dial_number("carol@127.0.0.1:5063", None, 0).unwrap();
    assert_eq!(
        p.press(Key::Enter, 0).unwrap(),
        [Action::Transfer {
            call: a,
            target: "sip:carol@127.0.0.1:5063".into()
        }]
    );
    p.transfer_progress(a, 603, true);
    assert_eq!(p.snapshot(0).transfer, Some(TransferState::Failed));
    // Attended: hold, consultation call, TRANSFER (twice unless `always`).
    assert_eq!(p.press(Key::Hold, 0).unwrap(), [Action::Hold(a)]);
    assert_eq!(p.snapshot(0).transfer, None, "any key clears the failure");
    p.hold_result(a, true);
    let dial = p.dial_number("carol@127.0.0.1:5063", None, 0).unwrap();
    let c = dialled(&dial);
    p.connected(c, None, 0);
    assert_eq!(p.press(Key::Transfer, 0).unwrap(), []);
    assert_eq!(p.snapshot(0).transfer, Some(TransferState::Confirming));
    let refer = [Action::TransferReplacing {
        call: a,
        consultation: c,
    }];
    assert_eq!(p.press(Key::Transfer, 0).unwrap(), refer);
    p.transfer_progress(a, 200, true);
    assert_eq!(p.snapshot(0).transfer, None);
    p.settings
        .apply([(keys::call_join_xfer.wire(), "always")], "DP480C")
        .unwrap();
    assert_eq!(p.press(Key::Transfer, 0).unwrap(), refer);
    // C1: the history names the transfer target of the transferred call.
    p.transfer_progress(a, 200, true);
    p.ended(a, EndReason::RemoteHangup, 10);
    let entry = &p.snapshot(10).history.entries[0];
    assert_eq!(entry.id, a.0);
    assert_eq!(
        entry.transferred_to.as_deref(),
        Some("sip:carol@127.0.0.1:5063")
    );
}

#[test]
fn digits_in_a_call_are_dtmf() {
    let mut p = phone();
    let (h, _) = call_from(&mut p, "sip:bob@x", 0);
    p.press(Key::OffHook, 0).unwrap();
    p.connected(h, None, 0);
    let dtmf = |digit, info, rtp| Action::Dtmf {
        call: h,
        digit,
        info,
        rtp,
    };
    assert_eq!(
        p.press(Key::Digit('5'), 0).unwrap(),
        [dtmf('5', false, true)]
    );
    p.settings
        .apply(
            [(keys::user_dtmf_info.wire(1).as_str(), "sip_info_only")],
            "DP480C",
        )
        .unwrap();
    assert_eq!(
        p.press(Key::Digit('5'), 0).unwrap(),
        [dtmf('5', true, false)]
    );
    // `key_dtmf=12#` sends every digit; a letter that is no DTMF event is refused.
    assert_eq!(
        p.send_dtmf("1#").unwrap(),
        [dtmf('1', true, false), dtmf('#', true, false)]
    );
    assert_eq!(p.send_dtmf("1x"), Err(KeyError::BadDigit('x')));
    p.dtmf_received(h, '#');
    assert_eq!(p.snapshot(0).calls[0].last_dtmf.as_deref(), Some("#"));
}

#[test]
fn registration_state_shows_per_identity() {
    let mut p = phone();
    assert_eq!(
        p.snapshot(0).identities[0].registration,
        RegistrationState::NotConfigured
    );
    p.set_registration(1, RegistrationState::Registered);
    assert_eq!(
        p.snapshot(0).identities[0].registration,
        RegistrationState::Registered
    );
    p.set_registration(1, RegistrationState::NotConfigured);
    assert_eq!(
        p.snapshot(0).identities[0].registration,
        RegistrationState::NotConfigured
    );
}

#[test]
fn identity_uri_uses_the_local_address_without_a_registrar() {
    let p = phone();
    assert_eq!(p.identity_uri(1), "sip:alice@127.0.0.1:5061");
}

#[test]
fn identities_are_selected_for_outgoing_calls_and_bound_for_incoming_ones() {
    let mut p = phone_with(&[
        (&keys::user_name.wire(2), "bob"),
        (&keys::user_host.wire(2), "pbx.example"),
        (&keys::user_name.wire(3), "carol"),
        (&keys::fkey.wire(1), "line"),
        (&keys::fkey.wire(2), "line"),
    ]);
    assert_eq!(p.outgoing_identity(), 1);
    // RIGHT on the idle screen steps to the next identity, P2 (the second line key)
    // selects identity 2.
    p.press(Key::Right, 0).unwrap();
    assert_eq!(p.outgoing_identity(), 2);
    p.press(Key::Right, 0).unwrap();
    p.press(Key::Right, 0).unwrap();
    assert_eq!(p.outgoing_identity(), 1, "wraps round");
    p.press(Key::Function(2), 0).unwrap();
    assert_eq!(p.snapshot(0).selected_identity, 2);
    for d in "100".chars() {
        p.press(Key::Digit(d), 0).unwrap();
    }
    let dial = p.press(Key::Enter, 0).unwrap();
    assert!(
        matches!(&dial[..], [Action::Dial { identity: 2, target, .. }] if target == "sip:100@pbx.example")
    );
    // `outgoing_uri` picks the identity by its address.
    assert_eq!(p.identity_by_uri("carol@127.0.0.1:5061"), Some(3));
    assert_eq!(p.identity_by_uri("sip:bob@pbx.example"), Some(2));
    assert_eq!(p.identity_by_uri("dave@pbx.example"), None);
    // An incoming call for carol is carol's and lights her line key... she has none;
    // bob's call blinks P2.
    let (c, _) = p.incoming(
        IncomingCall {
            remote_uri: "sip:x@y".into(),
            request_uri: "sip:bob@127.0.0.1:5061".into(),
            ..IncomingCall::default()
        },
        0,
    );
    let s = p.snapshot(0);
    let call = s.calls.iter().find(|x| x.id == c.0).unwrap();
    assert_eq!(call.identity, 2);
    assert_eq!(s.keys[1].led, Led::Blinking);
    assert_eq!(s.keys[0].led, Led::Off);
}

#[test]
fn dnd_turns_callers_away_and_mute_toggles_it_when_asked() {
    let mut p = phone();
    assert_eq!(p.press(Key::Dnd, 0).unwrap(), [Action::SaveSettings]);
    assert!(p.snapshot(0).dnd);
    let (h, actions) = call_from(&mut p, "sip:bob@x", 0);
    assert_eq!(actions, [Action::Reject(h, TEMPORARILY_UNAVAILABLE)]);
    assert_eq!(p.snapshot(0).history.entries[0].kind, HistoryKind::Missed);
    // Without `mute_is_dnd_in_idle`, mute on the idle screen leaves DND alone.
    assert_eq!(p.press(Key::Mute, 0).unwrap(), []);
    assert!(p.dnd());
    p.settings
        .apply([(keys::mute_is_dnd_in_idle.wire(), "on")], "DP480C")
        .unwrap();
    assert_eq!(p.press(Key::Mute, 0).unwrap(), [Action::SaveSettings]);
    assert!(!p.dnd());
}

#[test]
fn forwarding_always_busy_and_after_no_answer() {
    let mut p = phone_with(&[
        (keys::redirect_event.wire(), "all"),
        (keys::redirect_number.wire(), "carol@127.0.0.1:5070"),
    ]);
    let (h, actions) = call_from(&mut p, "sip:bob@x", 0);
    let to_carol = "sip:carol@127.0.0.1:5070".to_owned();
    assert_eq!(
        actions,
        [Action::Redirect {
            call: h,
            target: to_carol.clone()
        }]
    );
    let entry = &p.snapshot(0).history.entries[0];
    assert_eq!(entry.forwarded_to.as_deref(), Some(to_carol.as_str()));
    // redirect_ringing on: it rings here before it moves on.
    p.settings
        .apply([(keys::redirect_ringing.wire(), "on")], "DP480C")
        .unwrap();
    let (h, actions) = call_from(&mut p, "sip:bob@x", 0);
    assert_eq!(
        actions,
        [
            Action::Ring(h),
            Action::Redirect {
                call: h,
                target: to_carol.clone()
            }
        ]
    );
    // No answer within redirect_time: the timer forwards the ringing call.
    let mut p = phone_with(&[
        (keys::redirect_event.wire(), "busy_time"),
        (keys::redirect_time.wire(), "5"),
        (keys::redirect_time_number.wire(), "carol@127.0.0.1:5070"),
        (keys::redirect_busy.wire(), "dave@127.0.0.1:5071"),
    ]);
    let (h, actions) = call_from(&mut p, "sip:bob@x", 1000);
    assert_eq!(actions, [Action::Ring(h)]);
    assert_eq!(p.next_timer_ms(), Some(6000));
    assert_eq!(p.timer(5999), []);
    assert_eq!(
        p.timer(6000),
        [Action::Redirect {
            call: h,
            target: to_carol
        }]
    );
    assert_eq!(p.next_timer_ms(), None);
    p.ended(h, EndReason::Rejected, 6000);
    // Busy: CANCEL on a ringing call sends it to the busy target.
    let (h, _) = call_from(&mut p, "sip:bob@x", 7000);
    assert_eq!(
        p.press(Key::Cancel, 7000).unwrap(),
        [Action::Redirect {
            call: h,
            target: "sip:dave@127.0.0.1:5071".into()
        }]
    );
}

#[test]
fn long_cancel_blocks_the_caller_when_switched_on() {
    let mut p = phone();
    let (h, _) = call_from(&mut p, "sip:bob@x", 0);
    // Off by default: a long press is a plain CANCEL.
    assert_eq!(
        p.long_press(Key::Cancel, 0).unwrap(),
        [Action::Reject(h, DECLINE)]
    );
    p.ended(h, EndReason::Rejected, 0);
    assert!(p.deny_list().is_empty());
    p.settings
        .apply(
            [(keys::long_cancel_is_blocking_caller.wire(), "on")],
            "DP480C",
        )
        .unwrap();
    let (h, _) = call_from(&mut p, "\"Bob\" <sip:bob@X:5099>", 0);
    assert_eq!(
        p.long_press(Key::Cancel, 0).unwrap(),
        [Action::Reject(h, DECLINE)]
    );
    p.ended(h, EndReason::Rejected, 0);
    assert_eq!(p.deny_list(), ["bob@x"]);
    // The next call from bob is turned away before anything else, and leaves no trace.
    let history = p.snapshot(0).history.entries.len();
    let (h, actions) = call_from(&mut p, "sip:bob@x:5100", 0);
    assert_eq!(actions, [Action::Reject(h, DECLINE)]);
    assert_eq!(p.snapshot(0).history.entries.len(), history);
    assert!(p.unblock("bob@x"));
    let (h, actions) = call_from(&mut p, "sip:bob@x", 0);
    assert_eq!(actions, [Action::Ring(h)]);
}

#[test]
fn history_is_bounded_per_kind_and_ids_continue_after_a_restore() {
    let mut p = phone();
    for i in 0..(deskphone_protocol::MAX_HISTORY_PER_KIND as u64 + 5) {
        let (h, _) = call_from(&mut p, "sip:bob@x", i);
        p.ended(h, EndReason::Cancelled, i);
    }
    let dial = p.dial_number("sip:carol@y", None, 0).unwrap();
    let c = dialled(&dial);
    p.ended(c, EndReason::Failed, 1);
    let s = p.snapshot(0);
    let missed = s
        .history
        .entries
        .iter()
        .filter(|e| e.kind == HistoryKind::Missed)
        .count();
    assert_eq!(missed, deskphone_protocol::MAX_HISTORY_PER_KIND);
    assert_eq!(s.history.entries[0].kind, HistoryKind::Dialled);
    let mut q = phone();
    q.restore_history(s.history.clone());
    let (next, _) = call_from(&mut q, "sip:x@y", 0);
    assert!(next.0 > c.0, "ids continue above the saved ones");
}

#[test]
fn command_url_helpers() {
    let mut p = phone_with(&[
        (&keys::user_name.wire(2), "bob"),
        (&keys::user_active.wire(1), "on"),
        (&keys::user_active.wire(2), "on"),
    ]);
    assert_eq!(
        p.reregister(Some(2)).unwrap(),
        [Action::Reregister(Some(2))]
    );
    assert_eq!(p.reregister(Some(0)).unwrap(), [Action::Reregister(None)]);
    assert_eq!(p.reregister(Some(7)), Err(KeyError::NoSuchIdentity(7)));
    assert_eq!(p.log_off_all(), [Action::SaveSettings]);
    assert!(!p.settings.is_on_at(keys::user_active, 2));
    assert_eq!(p.log_off_all(), []);
    let (a, _) = call_from(&mut p, "sip:x@y", 0);
    let (b, _) = call_from(&mut p, "sip:z@y", 0);
    assert_eq!(
        p.release_all_calls(),
        [Action::Reject(a, BUSY_HERE)],
        "the second caller was already turned away: {b:?}"
    );
    assert_eq!(
        p.dial_number("sip:q@r", Some(9), 0),
        Err(KeyError::NoSuchIdentity(9))
    );
}
