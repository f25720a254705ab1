//! Text messages (S8, RFC 3428) and event subscriptions (S7, RFC 6665) end to end: real
//! `deskphone` processes against SIPp scenarios in tests/sipp/ (a MESSAGE shown on the idle
//! screen, a BLF notifier whose subscription must be refreshed, unsolicited message
//! summary and check-sync), and two phones, one sending the other a message over the
//! WebSocket API.

use std::time::Duration;

use deskphone_protocol::Led;
use deskphone_tests::{PhoneOptions, Sipp, TestPhone, scenario, ws_command};

const WAIT: Duration = Duration::from_secs(20);

async fn phone(name: &str, user: &str, display: bool) -> anyhow::Result<TestPhone> {
    TestPhone::start(
        name,
        PhoneOptions {
            user,
            display_name: user,
            sim_input: "tone:1000",
            display,
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_from_sipp_shows_on_the_idle_screen() -> anyhow::Result<()> {
    let phone = phone("msg-sipp-message", "alice", true).await?;
    let dir = phone.data_dir.join("sipp");
    let sipp = Sipp::start(
        &dir,
        &["-sf", &scenario("uac_message.xml"), &phone.sip.to_string()],
    )
    .await?;
    sipp.finish(&phone).await?;
    let state = phone
        .wait_for("the message in the state", WAIT, |s| !s.messages.is_empty())
        .await?;
    assert_eq!(state.messages.len(), 1, "the 415 one is not kept");
    let m = &state.messages[0];
    assert_eq!(m.text.trim(), "Lunch at noon?");
    assert_eq!(m.from_name, "Bob");
    assert!(!m.read);
    phone
        .wait_for_screen("the message on the idle screen", WAIT, |t| {
            // The label line is styled in capitals.
            t.contains("Lunch at noon?") && t.to_lowercase().contains("message from bob")
        })
        .await?;
    // CANCEL on the idle screen dismisses it.
    phone.key("CANCEL").await?;
    phone
        .wait_for("the message read", WAIT, |s| {
            s.messages.iter().all(|m| m.read)
        })
        .await?;
    phone
        .wait_for_screen("the idle screen without the message", WAIT, |t| {
            !t.contains("Lunch at noon?")
        })
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blf_key_follows_the_notifier_and_is_refreshed() -> anyhow::Result<()> {
    let phone = phone("msg-sipp-blf", "alice", false).await?;
    let dir = phone.data_dir.join("sipp");
    let sipp = Sipp::start(&dir, &["-sf", &scenario("uas_blf_notifier.xml")]).await?;
    // The key comes from a settings change, as from the web UI or provisioning (S7: not
    // only keys known at start get their subscription).
    let value = format!("blf <sip:bob@127.0.0.1:{}>", sipp.port);
    ws_command(
        &phone,
        serde_json::json!({"type": "set_settings", "values": {"fkey[1]": value}}),
    )
    .await?;
    let key_led = |s: &deskphone_protocol::PhoneState| s.keys.first().map(|k| k.led);
    let state = phone
        .wait_for("the lamp blinking (early)", WAIT, |s| {
            key_led(s) == Some(Led::Blinking)
        })
        .await?;
    assert_eq!(state.keys[0].label, "bob");
    phone
        .wait_for("the lamp on (confirmed)", WAIT, |s| {
            key_led(s) == Some(Led::On)
        })
        .await?;
    phone
        .wait_for("the lamp off (terminated)", WAIT, |s| {
            key_led(s) == Some(Led::Off)
        })
        .await?;
    // SIPp passes only if the refresh SUBSCRIBE came within 25 s of the 30 s granted.
    sipp.finish(&phone).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsolicited_message_summary_and_check_sync() -> anyhow::Result<()> {
    let phone = phone("msg-sipp-notify", "alice", false).await?;
    let dir = phone.data_dir.join("sipp");
    let sipp = Sipp::start(
        &dir,
        &[
            "-sf",
            &scenario("uac_notify_unsolicited.xml"),
            &phone.sip.to_string(),
        ],
    )
    .await?;
    sipp.finish(&phone).await?;
    let state = phone
        .wait_for("message waiting and check-sync", WAIT, |s| {
            s.identities[0].mwi.waiting && s.provisioning_requested_at_ms.is_some()
        })
        .await?;
    assert_eq!(
        (state.identities[0].mwi.new, state.identities[0].mwi.old),
        (2, 5)
    );
    assert!(!state.reboot_requested, "reboot=false");
    assert!(
        !phone.log().contains("restarting"),
        "reboot=false must not restart the phone"
    );
    assert!(phone.log().contains("re-provisioning requested"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alice_sends_bob_a_message_over_the_websocket() -> anyhow::Result<()> {
    let alice = phone("msg-two-alice", "alice", false).await?;
    let bob = phone("msg-two-bob", "bob", true).await?;
    ws_command(
        &alice,
        serde_json::json!({"type": "send_message", "to": bob.sip_uri("bob"), "text": "Hello Bob ✓"}),
    )
    .await?;
    let state = bob
        .wait_for("the message at bob", WAIT, |s| !s.messages.is_empty())
        .await?;
    assert_eq!(state.messages[0].text, "Hello Bob ✓");
    assert_eq!(state.messages[0].from_name, "alice");
    bob.wait_for_screen("the message on bob's idle screen", WAIT, |t| {
        t.contains("Hello Bob ✓")
    })
    .await?;
    Ok(())
}
