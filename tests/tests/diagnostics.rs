//! The support page's diagnostic archive (`GET /api/diagnostics`) from a real phone
//! registered with kamailio (Digest authentication with `user_pass[1]`): the four members are there, the
//! state and info name this phone, the log is the phone's own, and no secret value set
//! on the phone appears in any member.

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use deskphone_tests::{
    Kamailio, registered_phone, secret_values as secrets, unpack_tar_gz as unpack, ws_command,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostic_archive_has_the_members_and_no_secret() -> anyhow::Result<()> {
    let secrets = secrets();
    assert!(!secrets.is_empty(), "the schema has no secret settings");
    let password = secrets
        .iter()
        .find(|(k, _)| k == "user_pass[1]")
        .map(|(_, v)| v.clone())
        .context("user_pass is no secret?")?;
    // Identity 1 registers with Digest authentication, so that the code that uses
    // the password runs (and logs, SIP at debug level) before the archive is made.
    let kamailio =
        Kamailio::start("diagnostics-kamailio", "MD5", true, &[("alice", &password)]).await?;
    let (first, later): (Vec<_>, Vec<_>) = secrets
        .iter()
        .filter(|(k, _)| k != "user_pass[1]")
        .partition(|(k, _)| !k.contains("[2]"));
    let set_args: Vec<String> = first
        .iter()
        .map(|(k, v)| format!("--set={k}={v}"))
        .collect();
    let extra: Vec<&str> = set_args.iter().map(String::as_str).collect();
    let phone = registered_phone(
        ("diagnostics", "Alice"),
        "alice",
        &password,
        "silence",
        &kamailio,
        &extra,
    )
    .await?;
    kamailio.wait_registered(&phone).await?;
    let values: serde_json::Map<String, serde_json::Value> = later
        .iter()
        .map(|(k, v)| (k.clone(), v.clone().into()))
        .chain([("user_realname[2]".to_owned(), "Bob".into())])
        .collect();
    ws_command(
        &phone,
        serde_json::json!({ "type": "set_settings", "values": values }),
    )
    .await?;
    let state = phone
        .wait_for(
            "the second identity's name",
            std::time::Duration::from_secs(20),
            |s| s.settings.get("user_realname[2]").map(String::as_str) == Some("Bob"),
        )
        .await?;

    let (status, body) = phone.get("/api/diagnostics").await?;
    if status != 200 {
        bail!(
            "/api/diagnostics: HTTP {status}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    let members = unpack(&body)?;
    let names: Vec<&str> = members.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["info.txt", "log.txt", "settings.json", "state.json"]
    );

    for (name, text) in &members {
        for (key, value) in &secrets {
            assert!(
                !text.contains(value.as_str()),
                "{name} holds the value of {key}"
            );
        }
    }

    let mac = std::fs::read_to_string(phone.data_dir.join("mac"))?;
    let mac = mac.trim();
    assert_eq!(state.device.mac, mac);
    assert_eq!(state.device.http_address, phone.http.to_string());
    assert_eq!(state.device.sip_address, phone.sip.to_string());
    assert_eq!(state.device.firmware_version, env!("CARGO_PKG_VERSION"));
    assert!(state.device.started_at_ms > 0 && state.device.started_at_ms <= state.time_ms);

    let archived: serde_json::Value = serde_json::from_str(&members["state.json"])?;
    assert_eq!(archived["state"]["device"]["mac"], mac);
    assert_eq!(archived["state"]["settings"]["user_realname[2]"], "Bob");
    assert!(archived["seq"].as_u64().is_some());
    let settings: BTreeMap<String, String> = serde_json::from_str(&members["settings.json"])?;
    assert_eq!(settings["user_realname[1]"], "Alice");
    for (key, _) in &secrets {
        assert!(!settings.contains_key(key), "settings.json names {key}");
    }
    let info = &members["info.txt"];
    assert!(info.contains(&format!("mac: {mac}")), "{info}");
    assert!(
        info.contains(&format!("model: {}", state.model.name)),
        "{info}"
    );
    assert!(info.contains("uptime_s: "), "{info}");
    // The phone's own log, as it went to stderr.
    let log = &members["log.txt"];
    assert!(log.contains("display engine off (--no-display)"), "{log}");
    assert!(phone.log().contains("display engine off (--no-display)"));
    assert!(log.contains("identity 1: registration Registered"), "{log}");
    Ok(())
}
