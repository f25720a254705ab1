//! Call control against real peers: SIPp calls the phone and reads what it answers with
//! forwarding (C2: always, with `redirect_ringing`, after no answer), do-not-disturb
//! (C6) and blocking (C3: the deny list, a long CANCEL with
//! `long_cancel_is_blocking_caller`); the call history (S9) and the deny list survive a
//! restart. Then every `/command.htm` command of R1 through HTTP, between two phones
//! registered at kamailio.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use deskphone_protocol::{CallPhase, HistoryKind, MenuState, RegistrationState};
use deskphone_tests::{
    ADMIN_PASSWORD, ADMIN_USER, Kamailio, PhoneOptions, Sipp, TestBrowser, TestPhone, log_in,
    registered_phone, registration, scenario, scratch_dir, urlencode, wait_js, ws_command,
};

const WAIT: Duration = Duration::from_secs(20);

async fn set_settings(phone: &TestPhone, values: &[(&str, &str)]) -> anyhow::Result<()> {
    let values: serde_json::Map<String, serde_json::Value> = values
        .iter()
        .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
        .collect();
    ws_command(
        phone,
        serde_json::json!({"type": "set_settings", "values": values}),
    )
    .await
}

/// The responses SIPp received (status codes in order) and its whole message trace.
fn received(dir: &Path) -> anyhow::Result<(Vec<u16>, String)> {
    let mut trace = String::new();
    for entry in std::fs::read_dir(dir)?.flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .ends_with("_messages.log")
        {
            trace += &std::fs::read_to_string(entry.path())?;
        }
    }
    let codes = trace
        .lines()
        .filter_map(|l| l.trim().strip_prefix("SIP/2.0 "))
        .filter_map(|l| l.get(..3)?.parse().ok())
        .filter(|c| *c != 100)
        .collect();
    Ok((codes, trace))
}

/// SIPp, as `caller`, calls the phone with `uac_expect_final.xml`.
async fn start_call(
    phone: &TestPhone,
    name: &str,
    caller: &str,
) -> anyhow::Result<(Sipp, std::path::PathBuf)> {
    let dir = scratch_dir(name);
    let sip = phone.sip.to_string();
    let sipp = Sipp::start(
        &dir,
        &[
            "-sf",
            &scenario("uac_expect_final.xml"),
            "-s",
            "alice",
            "-key",
            "caller",
            caller,
            &sip,
        ],
    )
    .await?;
    Ok((sipp, dir))
}

/// A whole call from `caller` that the phone turns away by itself; the codes SIPp got.
async fn call(phone: &TestPhone, name: &str, caller: &str) -> anyhow::Result<(Vec<u16>, String)> {
    let (sipp, dir) = start_call(phone, name, caller).await?;
    sipp.finish(phone).await?;
    received(&dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarding_dnd_and_blocking_answer_as_configured_and_history_survives()
-> anyhow::Result<()> {
    let mut phone = TestPhone::start(
        "cc-turned-away",
        PhoneOptions {
            user: "alice",
            display_name: "Alice",
            sim_input: "silence",
            display: false,
        },
    )
    .await?;

    // C2: forwarding of every call: 302 with the target as Contact, no ringing here.
    set_settings(
        &phone,
        &[
            ("redirect_event", "all"),
            ("redirect_number", "carol@127.0.0.1:5099"),
        ],
    )
    .await?;
    let (codes, trace) = call(&phone, "cc-fwd-always", "bob").await?;
    assert_eq!(codes, [302], "{trace}");
    assert!(
        trace.contains("Contact: <sip:carol@127.0.0.1:5099>"),
        "{trace}"
    );
    // redirect_ringing on: a 180 first.
    set_settings(&phone, &[("redirect_ringing", "on")]).await?;
    let (codes, trace) = call(&phone, "cc-fwd-ringing", "bob").await?;
    assert_eq!(codes, [180, 302], "{trace}");

    // C6: DND (the key through command.htm) turns callers away with 480.
    set_settings(
        &phone,
        &[("redirect_event", "none"), ("redirect_ringing", "off")],
    )
    .await?;
    phone.key("DND").await?;
    assert!(phone.state().await?.1.dnd);
    let (codes, trace) = call(&phone, "cc-dnd", "bob").await?;
    assert_eq!(codes, [480], "{trace}");
    phone.key("DND").await?;

    // C3: a long CANCEL on the ringing call blocks the caller (603), and the next call
    // from there is turned away before it rings.
    set_settings(&phone, &[("long_cancel_is_blocking_caller", "on")]).await?;
    let (sipp, dir) = start_call(&phone, "cc-long-cancel", "mallory").await?;
    phone
        .wait_for("the ringing call", WAIT, |s| {
            s.calls.iter().any(|c| c.phase == CallPhase::Ringing)
        })
        .await?;
    ws_command(
        &phone,
        serde_json::json!({"type": "long_key", "key": "CANCEL"}),
    )
    .await?;
    sipp.finish(&phone).await?;
    let (codes, trace) = received(&dir)?;
    assert_eq!(codes, [180, 603], "{trace}");
    assert_eq!(phone.state().await?.1.deny_list, ["mallory@127.0.0.1"]);
    let (codes, trace) = call(&phone, "cc-blocked", "mallory").await?;
    assert_eq!(codes, [603], "{trace}");

    // C2: no answer within redirect_time: it rang, then went to the no-answer target.
    set_settings(
        &phone,
        &[
            ("redirect_event", "time"),
            ("redirect_time", "1"),
            ("redirect_time_number", "dave@127.0.0.1:5098"),
        ],
    )
    .await?;
    let (codes, trace) = call(&phone, "cc-fwd-no-answer", "erin").await?;
    assert_eq!(codes, [180, 302], "{trace}");
    assert!(
        trace.contains("Contact: <sip:dave@127.0.0.1:5098>"),
        "{trace}"
    );

    // The history: every call that reached the phone once, blocked callers not at all.
    let history = |s: &deskphone_protocol::PhoneState| {
        s.history
            .entries
            .iter()
            .map(|e| {
                (
                    e.kind,
                    e.remote_name.clone(),
                    e.forwarded_to.clone().unwrap_or_default(),
                )
            })
            .collect::<Vec<_>>()
    };
    let (_, before) = phone.state().await?;
    let missed = |name: &str, to: &str| (HistoryKind::Missed, name.to_owned(), to.to_owned());
    assert_eq!(
        history(&before),
        [
            missed("erin", "sip:dave@127.0.0.1:5098"),
            missed("bob", ""),
            missed("bob", "sip:carol@127.0.0.1:5099"),
            missed("bob", "sip:carol@127.0.0.1:5099"),
        ]
    );
    assert_eq!(before.history.missed_unseen, 4);

    // Both survive a restart.
    phone.restart().await?;
    let (_, after) = phone.state().await?;
    assert_eq!(after.history, before.history);
    assert_eq!(after.deny_list, ["mallory@127.0.0.1"]);
    // DOWN on the idle screen opens the missed calls and clears the counter.
    phone.key("DOWN").await?;
    let (_, s) = phone.state().await?;
    assert_eq!(s.history.missed_unseen, 0);
    assert_eq!(
        s.menu,
        Some(MenuState::History {
            kind: HistoryKind::Missed,
            selected: 0
        })
    );

    // The web UI's history page shows the same, and lets the blocked caller through.
    let browser = TestBrowser::launch("cc-history-browser", 1024, 768).await?;
    let page = browser.open(&phone, "/#history").await?;
    log_in(&page, ADMIN_USER, ADMIN_PASSWORD).await?;
    wait_js(
        &page,
        "four missed calls",
        "document.querySelectorAll('#history-missed tr.history-entry').length === 4",
    )
    .await?;
    let first_note: String = page
        .evaluate(
            "document.querySelector('#history-missed tr.history-entry .history-note').textContent",
        )
        .await?
        .into_value()?;
    assert!(
        first_note.contains("sip:dave@127.0.0.1:5098"),
        "{first_note}"
    );
    wait_js(
        &page,
        "the blocked caller",
        "document.querySelector('#history-blocked .blocked-entry')?.textContent.includes('mallory@127.0.0.1')",
    )
    .await?;
    page.find_element("#history-blocked .blocked-entry button")
        .await?
        .click()
        .await?;
    phone
        .wait_for("an empty deny list", WAIT, |s| s.deny_list.is_empty())
        .await?;
    Ok(())
}

/// `/command.htm?…` through HTTP; the status.
async fn command(phone: &TestPhone, query: &str) -> anyhow::Result<u16> {
    Ok(phone.get(&format!("/command.htm?{query}")).await?.0)
}

async fn expect(phone: &TestPhone, query: &str, status: u16) -> anyhow::Result<()> {
    let (got, body) = phone.get(&format!("/command.htm?{query}")).await?;
    if got != status {
        bail!(
            "{query}: HTTP {got}, expected {status}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_htm_command_of_r1_works_over_http() -> anyhow::Result<()> {
    const ALICE_PASSWORD: &str = "alice-Pw-r1";
    const BOB_PASSWORD: &str = "bob-Pw-r1";
    let kamailio = Kamailio::start(
        "cc-r1",
        "MD5",
        true,
        &[("alice", ALICE_PASSWORD), ("bob", BOB_PASSWORD)],
    )
    .await?;
    let alice = registered_phone(
        ("cc-r1-alice", "Alice"),
        "alice",
        ALICE_PASSWORD,
        "tone:1000",
        &kamailio,
        &[],
    )
    .await?;
    let bob = registered_phone(
        ("cc-r1-bob", "Bob"),
        "bob",
        BOB_PASSWORD,
        "tone:800",
        &kamailio,
        &[],
    )
    .await?;
    for phone in [&alice, &bob] {
        kamailio.wait_registered(phone).await?;
    }

    // Every key name on the idle phone answers 200, and the keys do what they say.
    for key in [
        "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#", "LEFT",
    ] {
        expect(&alice, &format!("key={}", urlencode(key)), 200).await?;
    }
    assert_eq!(alice.state().await?.1.dial_buffer, "1234567890*");
    for key in [
        "CANCEL",
        "ENTER",
        "OFFHOOK",
        "ONHOOK",
        "SPEAKER",
        "CANCEL",
        "HEADSET",
        "DISCONNECT",
        "MUTE",
        "TRANSFER",
        "F_R",
        "F_HOLD",
        "RIGHT",
    ] {
        expect(&alice, &format!("key={key}"), 200).await?;
    }
    let volume = alice.state().await?.1.volume;
    expect(&alice, "key=VOLUME_UP", 200).await?;
    assert_eq!(alice.state().await?.1.volume, volume + 1);
    expect(&alice, "key=VOLUME_DOWN", 200).await?;
    assert_eq!(alice.state().await?.1.volume, volume);
    expect(&alice, "key=DND", 200).await?;
    assert!(alice.state().await?.1.dnd);
    expect(&alice, "key=DND", 200).await?;
    assert!(!alice.state().await?.1.dnd);
    for (open, kind) in [("UP", HistoryKind::Received), ("DOWN", HistoryKind::Missed)] {
        expect(&alice, &format!("key={open}"), 200).await?;
        assert_eq!(
            alice.state().await?.1.menu,
            Some(MenuState::History { kind, selected: 0 })
        );
        expect(&alice, "key=CANCEL", 200).await?;
    }
    // F_REDIAL with nothing dialled yet: the (empty) list opens; dialling from it has
    // nothing to dial.
    expect(&alice, "key=F_REDIAL", 200).await?;
    expect(&alice, "key=F_REDIAL", 400).await?;
    expect(&alice, "key=CANCEL", 200).await?;
    for key in ["F1", "F2", "F3", "F4", "CANCEL"] {
        expect(&alice, &format!("key={key}"), 200).await?;
    }
    for n in 1..=12 {
        expect(&alice, &format!("key=P{n}"), 200).await?;
        expect(&alice, "key=CANCEL", 200).await?;
    }
    // Keys this model does not have: 400, not 501.
    for key in ["P13", "EK0", "EK5", "F5", "FLY", "10"] {
        expect(&alice, &format!("key={key}"), 400).await?;
    }
    assert!(alice.state().await?.1.calls.is_empty());

    // ?number=N&outgoing_uri=URI dials from the identity with that address.
    let aor = format!("alice@127.0.0.1:{}", kamailio.port);
    expect(
        &alice,
        &format!(
            "number=nobody&outgoing_uri={}",
            urlencode("carol@example.org")
        ),
        400,
    )
    .await?;
    expect(
        &alice,
        &format!("number=bob&outgoing_uri={}", urlencode(&aor)),
        200,
    )
    .await?;
    bob.wait_for("alice's call", WAIT, |s| {
        s.calls
            .iter()
            .any(|c| c.phase == CallPhase::Ringing && c.remote_name == "Alice")
    })
    .await?;
    bob.key("OFFHOOK").await?;
    for phone in [&alice, &bob] {
        phone
            .wait_for("the connected call", WAIT, |s| {
                s.calls.iter().any(|c| c.phase == CallPhase::Connected)
            })
            .await?;
    }
    // ?key_dtmf=DIGITS: bob receives the digits.
    expect(&alice, "key_dtmf=12%23", 200).await?;
    bob.wait_for("the last digit", WAIT, |s| {
        s.calls.iter().any(|c| c.last_dtmf.as_deref() == Some("#"))
    })
    .await?;
    expect(&alice, "key_dtmf=1x", 400).await?;
    // ?RELEASE_ALL_CALLS ends it on both sides.
    expect(&alice, "RELEASE_ALL_CALLS", 200).await?;
    for phone in [&alice, &bob] {
        phone
            .wait_for("no call", WAIT, |s| s.calls.is_empty())
            .await?;
    }
    expect(&alice, "key_dtmf=1", 409).await?;

    // C5: F_REDIAL opens the dialled calls (bob, newest first); the second press dials.
    expect(&alice, "key=F_REDIAL", 200).await?;
    let (_, s) = alice.state().await?;
    assert_eq!(
        s.menu,
        Some(MenuState::History {
            kind: HistoryKind::Dialled,
            selected: 0
        })
    );
    assert!(s.history.entries[0].remote_uri.starts_with("sip:bob@"));
    expect(&alice, "key=REDIAL", 200).await?;
    bob.wait_for("alice's second call", WAIT, |s| {
        s.calls.iter().any(|c| c.phase == CallPhase::Ringing)
    })
    .await?;
    expect(&alice, "RELEASE_ALL_CALLS", 200).await?;
    for phone in [&alice, &bob] {
        phone
            .wait_for("no call", WAIT, |s| s.calls.is_empty())
            .await?;
    }
    // Bob's history: the first call received (answered), the second missed.
    let (_, s) = bob.state().await?;
    let kinds: Vec<_> = s.history.entries.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [HistoryKind::Missed, HistoryKind::Received]);

    // ?REREGISTER=n registers identity n anew; an identity that does not exist is 400.
    let registers = kamailio.count("request REGISTER user=alice");
    expect(&alice, "REREGISTER=1", 200).await?;
    let start = std::time::Instant::now();
    while kamailio.count("request REGISTER user=alice") <= registers {
        if start.elapsed() > WAIT {
            bail!("no new REGISTER\n{}", kamailio.log());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    alice
        .wait_for("registered again", WAIT, |s| {
            registration(s) == RegistrationState::Registered
        })
        .await?;
    expect(&alice, "REREGISTER=9", 400).await?;
    expect(&alice, "REREGISTER=x", 400).await?;
    expect(&alice, "REREGISTER", 200).await?;

    // ?LOGOFFALL: every identity logs off and unregisters (and stays off).
    expect(&alice, "LOGOFFALL", 200).await?;
    let s = alice
        .wait_for("logged off", WAIT, |s| {
            registration(s) == RegistrationState::NotConfigured
        })
        .await?;
    assert_eq!(s.settings["user_active[1]"], "off");
    kamailio
        .wait_location("alice", 404)
        .await
        .context("alice's binding is gone")?;
    // A command.htm without a known command is 400.
    assert_eq!(command(&alice, "FLY=1").await?, 400);
    Ok(())
}

/// C7: action URLs are requested from a real HTTP server, with their variables filled in
/// and encoded; a `$` word that names a setting (here the password) stays as written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_urls_reach_a_server_with_their_variables() -> anyhow::Result<()> {
    use deskphone_tests::prov_server::{ProvServer, Route};
    let server = ProvServer::http(std::net::SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    for path in ["/incoming", "/missed", "/dnd"] {
        server.set(path, Route::Status(200));
    }
    let base = format!("http://{}", server.addr);
    let phone = TestPhone::start(
        "cc-action-urls",
        PhoneOptions {
            user: "alice",
            display_name: "Alice",
            sim_input: "silence",
            display: false,
        },
    )
    .await?;
    let incoming = format!(
        "{base}/incoming?remote=$remote&name=$display_remote&local=$local&id=$call-id&user=$active_user&pw=$user_pass"
    );
    let missed = format!("{base}/missed?remote=$remote");
    let dnd = format!("{base}/dnd?user=$active_user");
    set_settings(
        &phone,
        &[
            ("user_pass[1]", "Secret-4711"),
            ("action_incoming_url", &incoming),
            ("action_missed_url", &missed),
            ("action_dnd_on_url", &dnd),
        ],
    )
    .await?;
    let (sipp, dir) = start_call(&phone, "cc-action-urls-call", "bob").await?;
    let ringing = phone
        .wait_for("the ringing call", WAIT, |s| {
            s.calls.iter().any(|c| c.phase == CallPhase::Ringing)
        })
        .await?;
    let id = ringing.calls[0].id;
    phone.key("CANCEL").await?;
    sipp.finish(&phone).await?;
    assert_eq!(received(&dir)?.0, [180, 603]);
    phone.key("DND").await?;
    let start = std::time::Instant::now();
    while server.hits().len() < 3 {
        if start.elapsed() > WAIT {
            bail!(
                "action URLs requested: {:?}\n{}",
                server.hits(),
                phone.log()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let hits = server.hits();
    let local = urlencode(&format!("sip:alice@{}", phone.sip));
    let remote = |h: &str| h.contains("remote=sip%3Abob%40127.0.0.1%3A");
    assert!(
        hits.iter().any(|h| h.starts_with("/incoming?")
            && remote(h)
            && h.contains("&name=bob&")
            && h.contains(&format!("&local={local}&"))
            && h.contains(&format!("&id={id}&"))
            && h.contains("&user=alice&")
            && h.ends_with("&pw=$user_pass")),
        "{hits:?}"
    );
    assert!(
        hits.iter().any(|h| h.starts_with("/missed?") && remote(h)),
        "{hits:?}"
    );
    assert!(hits.iter().any(|h| h == "/dnd?user=alice"), "{hits:?}");
    assert!(!hits.iter().any(|h| h.contains("Secret-4711")), "{hits:?}");
    Ok(())
}

/// Call waiting with three real phones: while alice talks to bob, carol's call rings as a
/// second call; ENTER answers it and holds bob (re-INVITE agreed by bob's phone); F_R
/// swaps back; every line lamp and call agrees with what the other phones see.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_waiting_answer_holds_the_first_call_and_f_r_swaps() -> anyhow::Result<()> {
    let start = |name: &'static str, user: &'static str| async move {
        TestPhone::start(
            name,
            PhoneOptions {
                user,
                display_name: user,
                sim_input: "silence",
                display: false,
            },
        )
        .await
    };
    let alice = start("cc-cw-alice", "alice").await?;
    let bob = start("cc-cw-bob", "bob").await?;
    let carol = start("cc-cw-carol", "carol").await?;
    let connected_with = |who: &'static str| {
        move |s: &deskphone_protocol::PhoneState| {
            s.calls
                .iter()
                .any(|c| c.phase == CallPhase::Connected && !c.held && c.remote_uri.contains(who))
        }
    };
    bob.dial(&alice.sip_uri("alice")).await?;
    alice
        .wait_for("bob's call", WAIT, |s| {
            s.calls.iter().any(|c| c.phase == CallPhase::Ringing)
        })
        .await?;
    alice.key("OFFHOOK").await?;
    alice
        .wait_for("talking to bob", WAIT, connected_with("bob"))
        .await?;

    carol.dial(&alice.sip_uri("alice")).await?;
    let waiting = alice
        .wait_for("carol waiting", WAIT, |s| {
            s.calls.len() == 2 && s.calls.iter().any(|c| c.phase == CallPhase::Ringing)
        })
        .await?;
    assert!(
        connected_with("bob")(&waiting),
        "bob's call goes on while carol waits"
    );
    carol
        .wait_for("ringback", WAIT, |s| {
            s.calls.iter().any(|c| c.phase == CallPhase::Ringback)
        })
        .await?;
    // ENTER answers the waiting call and holds bob.
    alice.key("ENTER").await?;
    let s = alice
        .wait_for("talking to carol, bob held", WAIT, |s| {
            connected_with("carol")(s)
                && s.calls
                    .iter()
                    .any(|c| c.held && c.remote_uri.contains("bob"))
        })
        .await?;
    assert_eq!(s.calls.len(), 2);
    // P1, alice's line key, blinks: a call of hers is held.
    assert_eq!(s.keys[0].led, deskphone_protocol::Led::Blinking);
    carol
        .wait_for("connected", WAIT, connected_with("alice"))
        .await?;
    // F_R swaps: carol is held, bob taken back.
    alice.key("F_R").await?;
    alice
        .wait_for("talking to bob, carol held", WAIT, |s| {
            connected_with("bob")(s)
                && s.calls
                    .iter()
                    .any(|c| c.held && c.remote_uri.contains("carol"))
        })
        .await?;
    // Alice hangs up on bob; carol stays held until taken back.
    alice.key("ONHOOK").await?;
    bob.wait_for("the call to end", WAIT, |s| s.calls.is_empty())
        .await?;
    alice.key("F_R").await?;
    alice
        .wait_for("talking to carol again", WAIT, connected_with("carol"))
        .await?;
    alice.key("ONHOOK").await?;
    for phone in [&alice, &carol] {
        phone
            .wait_for("no call", WAIT, |s| s.calls.is_empty())
            .await?;
    }
    // Alice's history: both calls received.
    let (_, s) = alice.state().await?;
    let kinds: Vec<_> = s.history.entries.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [HistoryKind::Received, HistoryKind::Received]);
    Ok(())
}
