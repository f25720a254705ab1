//! P5: secrets are write-only everywhere. Every secret setting gets a value (over the
//! WebSocket, by an import and by provisioning); then every HTTP endpoint, the WebSocket's
//! snapshot and changes, the settings export, the import preview, the diagnostic archive
//! and the phone's log are searched for each value, and for the admin password.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::Message;

use deskphone_protocol::ProvisioningResult;
use deskphone_tests::prov_server::{ProvServer, Route};
use deskphone_tests::{
    ADMIN_PASSWORD, HttpRequest, PhoneOptions, TestPhone, secret_values, unpack_tar_gz, ws_command,
    ws_connect,
};

/// Where a secret was found, if anywhere.
fn leaks(place: &str, text: &str, secrets: &[(String, String)]) -> Vec<String> {
    secrets
        .iter()
        .filter(|(_, v)| text.contains(v.as_str()))
        .map(|(k, _)| format!("{k} in {place}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_leaves_the_phone() -> anyhow::Result<()> {
    let mut secrets = secret_values();
    // One more for each way in: an import and a provisioning file.
    let imported = ("user_pass[3]".to_owned(), "Imp0rted-Secret-99".to_owned());
    let provisioned = (
        "user_pass[4]".to_owned(),
        "Pr0visioned-Secret-77".to_owned(),
    );
    let server = ProvServer::http(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    server.set(
        "/s.xml",
        Route::File(
            format!(
                "<settings><phone-settings><user_pass idx=\"4\" perm=\"R\">{}</user_pass>\
                 </phone-settings></settings>",
                provisioned.1
            )
            .into_bytes(),
        ),
    );
    let mut phone = TestPhone::start_with(
        "secrets",
        PhoneOptions {
            user: "alice",
            display_name: "Alice",
            sim_input: "silence",
            display: false,
        },
        &[
            "--set",
            &format!("setting_server=http://{}/s.xml", server.addr),
        ],
    )
    .await?;
    phone
        .wait_for("provisioning", Duration::from_secs(20), |s| {
            matches!(
                s.provisioning.last.as_ref().map(|o| &o.result),
                Some(ProvisioningResult::Ok { .. })
            )
        })
        .await?;

    // The WebSocket sees the snapshot and the changes while the secrets are set.
    let mut ws = ws_connect(&phone).await?;
    let mut seen_on_ws = String::new();
    if let Some(Ok(Message::Text(t))) = ws.next().await {
        seen_on_ws.push_str(&t);
    }
    let values: serde_json::Map<String, serde_json::Value> = secrets
        .iter()
        .map(|(k, v)| (k.clone(), v.clone().into()))
        .collect();
    ws_command(
        &phone,
        serde_json::json!({ "type": "set_settings", "values": values }),
    )
    .await?;
    // `http_pass` is among them: from now on the admin logs in with its new value (the
    // change also ends open connections, so the socket reads what came before).
    let new_admin = secrets
        .iter()
        .find(|(k, _)| k == "http_pass")
        .map(|(_, v)| v.clone())
        .expect("http_pass is a secret setting");
    phone.client.set_credentials("admin", &new_admin);
    // Also a change that is not secret, so that `changes` surely come.
    ws_command(
        &phone,
        serde_json::json!({ "type": "set_settings", "values": {"user_realname[1]": "Alice Secretless"} }),
    )
    .await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while let Ok(Some(Ok(m))) = tokio::time::timeout_at(deadline, ws.next()).await {
        if let Message::Text(t) = m {
            seen_on_ws.push_str(&t);
        }
    }

    // An import that sets a secret: the preview and the answer do not echo it.
    let import = format!(
        "<settings><phone-settings><user_pass idx=\"3\">{}</user_pass>\
         </phone-settings></settings>",
        imported.1
    );
    let auth = phone.client.authorization().unwrap();
    let mut seen = Vec::new();
    for path in ["/api/settings/import?preview=1", "/api/settings/import"] {
        let r = phone
            .client
            .request(
                phone.http,
                &HttpRequest::post(path, "application/xml", import.clone())
                    .header("Authorization", &auth),
            )
            .await?;
        anyhow::ensure!(r.status == 200, "{path}: {} {}", r.status, r.text());
        seen.push((path.to_owned(), r.text()));
    }
    secrets.push(imported);
    secrets.push(provisioned);
    secrets.push((
        "http_pass (the admin password)".into(),
        ADMIN_PASSWORD.into(),
    ));
    // Both really arrived: their sources say so, their values are nowhere.
    let (_, state) = phone.state().await?;
    assert!(state.setting_sources.contains_key("user_pass[3]"));
    assert!(state.setting_sources.contains_key("user_pass[4]"));

    for path in [
        "/api/state",
        "/api/session",
        "/api/settings/export",
        "/screen.txt",
        "/command.htm?key=5",
        "/",
        "/phone",
        "/api/no-such-thing",
    ] {
        let (_, body) = phone.get(path).await?;
        seen.push((path.to_owned(), String::from_utf8_lossy(&body).into_owned()));
    }
    let (status, archive) = phone.get("/api/diagnostics").await?;
    assert_eq!(status, 200);
    for (name, text) in unpack_tar_gz(&archive)? {
        seen.push((format!("diagnostics/{name}"), text));
    }
    seen.push(("the WebSocket".into(), seen_on_ws));
    seen.push(("the log".into(), phone.log()));
    // The settings file holds secrets by design (0600, tested in auth.rs); it is read
    // here only to prove the values were set at all.
    let saved = std::fs::read_to_string(phone.data_dir.join("settings.json"))?;
    for (key, value) in &secrets {
        if !key.starts_with("http_pass") {
            assert!(saved.contains(value.as_str()), "{key} was never set");
        }
    }

    let found: Vec<String> = seen
        .iter()
        .flat_map(|(place, text)| leaks(place, text, &secrets))
        .collect();
    assert!(found.is_empty(), "secrets leaked: {found:?}");
    // The export is a real export, just without secrets.
    let export = &seen
        .iter()
        .find(|(p, _)| p == "/api/settings/export")
        .unwrap()
        .1;
    assert!(export.contains("Alice Secretless"), "{export}");
    Ok(())
}
