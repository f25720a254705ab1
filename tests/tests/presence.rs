//! Presence keys (RFC 3856, PIDF RFC 3863) end to end: a real `deskphone` whose function
//! key is set to `presence <sip:bob@…>` subscribes to SIPp as bob's presence server
//! (tests/sipp/uas_presence_notifier.xml); the key's lamp and label in /api/state follow
//! the PIDF documents, and the subscription goes when the key is set to something else.

use std::time::Duration;

use deskphone_protocol::{Led, PhoneState};
use deskphone_tests::{PhoneOptions, Sipp, TestPhone, scenario, ws_command};

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_key_follows_the_notifier() -> anyhow::Result<()> {
    let phone = TestPhone::start(
        "presence-sipp",
        PhoneOptions {
            user: "alice",
            display_name: "alice",
            sim_input: "tone:1000",
            display: false,
        },
    )
    .await?;
    let dir = phone.data_dir.join("sipp");
    let sipp = Sipp::start(&dir, &["-sf", &scenario("uas_presence_notifier.xml")]).await?;
    let set_key = |value: String| {
        ws_command(
            &phone,
            serde_json::json!({"type": "set_settings", "values": {"fkey[1]": value}}),
        )
    };
    set_key(format!("presence <sip:bob@127.0.0.1:{}>", sipp.port)).await?;
    let key = |s: &PhoneState| s.keys.first().map(|k| (k.label.clone(), k.led));
    phone
        .wait_for("the lamp on (open)", WAIT, |s| {
            key(s) == Some(("bob".into(), Led::On))
        })
        .await?;
    phone
        .wait_for("the lamp off with the note (closed)", WAIT, |s| {
            key(s) == Some(("Gone home".into(), Led::Off))
        })
        .await?;
    // A key of another type no longer watches bob: SIPp passes only on `Expires: 0`.
    set_key("line".into()).await?;
    sipp.finish(&phone).await?;
    let (_, state) = phone.state().await?;
    assert_eq!(state.keys[0].led, Led::Off);
    Ok(())
}
