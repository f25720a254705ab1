//! P8: removing an identity removes every reference to it. A function key bound to
//! identity 2 (`fkey_context`) is cleared with it; a key bound to another identity and
//! the other identities stay.

use deskphone_tests::{PhoneOptions, TestPhone, ws_command};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_an_identity_clears_its_function_keys() -> anyhow::Result<()> {
    let phone = TestPhone::start(
        "identities-remove",
        PhoneOptions {
            user: "alice",
            display_name: "Alice",
            sim_input: "silence",
            display: false,
        },
    )
    .await?;
    ws_command(
        &phone,
        serde_json::json!({ "type": "set_settings", "values": {
            "user_name[2]": "bob", "user_realname[2]": "Bob", "user_active[2]": "on",
            "fkey[1]": "blf sip:carol@127.0.0.1", "fkey_context[1]": "2", "fkey_label[1]": "Carol",
            "fkey[2]": "speed 100", "fkey_context[2]": "1", "fkey_label[2]": "Voicemail",
        }}),
    )
    .await?;
    ws_command(
        &phone,
        serde_json::json!({ "type": "remove_identity", "identity": 2 }),
    )
    .await?;
    let (_, state) = phone.state().await?;
    let s = |k: &str| state.settings.get(k).cloned().unwrap_or_default();
    assert_eq!(s("user_name[2]"), "");
    assert_eq!(s("user_active[2]"), "off");
    assert_eq!(s("fkey[1]"), "");
    assert_eq!(s("fkey_context[1]"), "active");
    assert_eq!(s("fkey_label[1]"), "");
    // Identity 1 and its key stay.
    assert_eq!(s("user_name[1]"), "alice");
    assert_eq!(s("fkey[2]"), "speed 100");
    assert_eq!(s("fkey_label[2]"), "Voicemail");
    // An identity that does not exist is an error that changes nothing.
    let refused = ws_command(
        &phone,
        serde_json::json!({ "type": "remove_identity", "identity": 13 }),
    )
    .await;
    assert!(refused.is_err());
    Ok(())
}
