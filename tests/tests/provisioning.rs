//! Provisioning end to end (P2–P4, P6, P7): a phone fetches its settings from real HTTP
//! and HTTPS servers on loopback at start, on check-sync and by polling; `{mac}` and
//! `{model}` are filled in, a chunked redirect is followed, `<setting-files>` chain to an
//! HTTPS server; a bad file of any kind changes nothing and says why in the state.

use std::net::SocketAddr;
use std::time::Duration;

use deskphone_protocol::{PhoneState, ProvisioningResult};
use deskphone_tests::prov_server::{ProvServer, Route, Silent};
use deskphone_tests::{
    PhoneOptions, TestPhone, free_tcp_port, make_certificates, scratch_dir, ws_command,
};
use tokio::net::UdpSocket;

fn options() -> PhoneOptions<'static> {
    PhoneOptions {
        user: "alice",
        display_name: "Alice",
        sim_input: "silence",
        display: false,
    }
}

/// The outcome of the run that finished after `after_ms`.
async fn outcome_after(
    phone: &TestPhone,
    after_ms: u64,
) -> anyhow::Result<(PhoneState, ProvisioningResult)> {
    let state = phone
        .wait_for("a provisioning outcome", Duration::from_secs(30), |s| {
            s.provisioning
                .last
                .as_ref()
                .is_some_and(|o| o.finished_at_ms > after_ms)
        })
        .await?;
    let result = state.provisioning.last.clone().unwrap().result;
    Ok((state, result))
}

async fn check_sync(phone: &TestPhone, n: u32) -> anyhow::Result<()> {
    let socket = UdpSocket::bind("127.0.0.1:0").await?;
    let me = socket.local_addr()?;
    let notify = format!(
        "NOTIFY sip:alice@{0} SIP/2.0\r\nVia: SIP/2.0/UDP {me};branch=z9hG4bK-prov{n}\r\n\
         From: <sip:pbx@{me}>;tag=p{n}\r\nTo: <sip:alice@{0}>\r\nCall-ID: prov-check-sync-{n}\r\n\
         CSeq: 1 NOTIFY\r\nMax-Forwards: 70\r\nEvent: check-sync\r\n\
         Subscription-State: active\r\nContent-Length: 0\r\n\r\n",
        phone.sip
    );
    socket.send_to(notify.as_bytes(), phone.sip).await?;
    let mut buf = vec![0u8; 4096];
    let (n, _) = tokio::time::timeout(Duration::from_secs(5), socket.recv_from(&mut buf)).await??;
    anyhow::ensure!(buf[..n].starts_with(b"SIP/2.0 200"));
    Ok(())
}

fn setting<'a>(state: &'a PhoneState, key: &str) -> &'a str {
    state.settings.get(key).map_or("", String::as_str)
}

const MAIN_FILE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<settings>
  <phone-settings e="2">
    <user_realname idx="1" perm="RW">Grüße 你好 &amp; Co</user_realname>
    <user_pass idx="1" perm="R">provisioned-Secret-77</user_pass>
    <call_join_xfer perm="!">always</call_join_xfer>
  </phone-settings>
  <functionKeys e="2">
    <fkey idx="0" perm="RW">blf sip:bob@127.0.0.1</fkey>
  </functionKeys>
  <uploads>
    <file url="http://127.0.0.1/lang/fr.xml" type="gui_lang"/>
  </uploads>
  <setting-files>
    <file url="SECOND_URL"/>
  </setting-files>
</settings>
"#;

const SECOND_FILE: &str = "user_name2$: carol\nuser_realname2&: Carol Ø\n";

/// The settings file for `{mac}`/`{model}`, behind a chunked redirect, naming a second
/// file on an HTTPS server with a wildcard certificate; then a change by check-sync; then
/// bad files of every kind, each refused as a whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_provisions_itself_and_refuses_bad_files() -> anyhow::Result<()> {
    let http = ProvServer::http(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let certs = scratch_dir("prov-e2e-certs");
    make_certificates(&certs, "IP:127.0.0.1,DNS:*.prov.test")?;
    let https = ProvServer::https(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        &certs.join("server.pem"),
        &certs.join("server.key"),
    )
    .await?;
    let second = format!("https://127.0.0.1:{}/second.cfg", https.addr.port());
    https.set("/second.cfg", Route::File(SECOND_FILE.as_bytes().to_vec()));
    http.set(
        "/start/DP480C.xml",
        Route::ChunkedRedirect("/files/main.xml".into()),
    );
    http.set(
        "/files/main.xml",
        Route::File(MAIN_FILE.replace("SECOND_URL", &second).into_bytes()),
    );
    let server = format!(
        "http://127.0.0.1:{}/start/{{model}}.xml?mac={{mac}}",
        http.addr.port()
    );
    let ca = certs.join("ca.pem");
    let phone = TestPhone::start_with(
        "prov-e2e",
        options(),
        &[
            "--set",
            &format!("setting_server={server}"),
            "--trust-ca",
            ca.to_str().unwrap(),
            "--set",
            "swupd_curl_timeouts=3",
        ],
    )
    .await?;

    let (state, result) = outcome_after(&phone, 0).await?;
    let ProvisioningResult::Ok { files, changed, .. } = &result else {
        panic!("{result:?}\n{}", phone.log());
    };
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(*changed >= 5, "{result:?}");
    let mac = state.device.mac.replace(':', "");
    assert_eq!(
        http.hits(),
        [
            format!("/start/DP480C.xml?mac={mac}"),
            "/files/main.xml".to_owned()
        ]
    );
    assert_eq!(https.hits(), ["/second.cfg"]);
    assert_eq!(setting(&state, "user_realname[1]"), "Grüße 你好 & Co");
    assert_eq!(setting(&state, "call_join_xfer"), "always");
    assert_eq!(setting(&state, "fkey[1]"), "blf sip:bob@127.0.0.1");
    assert_eq!(setting(&state, "user_name[2]"), "carol");
    assert_eq!(setting(&state, "user_realname[2]"), "Carol Ø");
    assert!(!state.settings.contains_key("user_pass[1]"));
    // `<uploads>` are parsed and queued for the customisation work.
    assert_eq!(state.provisioning.queued_uploads.len(), 1);
    assert_eq!(
        state.provisioning.queued_uploads[0].url,
        "http://127.0.0.1/lang/fr.xml"
    );

    // Check-sync fetches again: the new file's values arrive.
    let t = state.provisioning.last.as_ref().unwrap().finished_at_ms;
    http.set(
        "/files/main.xml",
        Route::File(
            MAIN_FILE
                .replace("SECOND_URL", &second)
                .replace("Grüße 你好 &amp; Co", "Ünïcödé ✓")
                .into_bytes(),
        ),
    );
    check_sync(&phone, 1).await?;
    let (state, result) = outcome_after(&phone, t).await?;
    assert!(
        matches!(result, ProvisioningResult::Ok { .. }),
        "{result:?}"
    );
    assert_eq!(setting(&state, "user_realname[1]"), "Ünïcödé ✓");

    // Bad files: each one refused whole, the settings stay, the error says why.
    let good = state.settings.clone();
    let mut big = String::from("<settings><phone-settings>\n");
    for i in 1..=998 {
        let line = if i == 899 {
            "<vlan_id perm=\"RW\">5000</vlan_id>\n".to_owned()
        } else {
            format!(
                "<user_realname idx=\"{}\">Bulk {i}</user_realname>\n",
                i % 12 + 1
            )
        };
        big.push_str(&line);
    }
    big.push_str("</phone-settings></settings>\n");
    let bomb = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<settings><phone-settings><user_realname idx="1">&lol3;</user_realname></phone-settings></settings>
"#;
    let silent = Silent::start(SocketAddr::from(([127, 0, 0, 1], free_tcp_port()))).await?;
    let cases: Vec<(&str, Route, &str)> = vec![
        (
            "an invalid value in line 900",
            Route::File(big.into_bytes()),
            "vlan_id",
        ),
        (
            "malformed XML",
            Route::File(
                b"<settings><phone-settings><user_realname idx=\"1\">x</phone-settings>".to_vec(),
            ),
            "line",
        ),
        (
            "an entity bomb",
            Route::File(bomb.as_bytes().to_vec()),
            "line",
        ),
        ("a 50 MB file", Route::Huge(50 * 1024 * 1024), "larger than"),
        (
            "a redirect loop",
            Route::ChunkedRedirect("/start/DP480C.xml".into()),
            "loop",
        ),
        (
            "a server that stalls",
            Route::Redirect(format!("http://{}/stalled.xml", silent.addr)),
            "no answer",
        ),
    ];
    let mut n = 1;
    for (what, route, needle) in cases {
        let t = phone
            .state()
            .await?
            .1
            .provisioning
            .last
            .unwrap()
            .finished_at_ms;
        http.set("/files/main.xml", route);
        n += 1;
        check_sync(&phone, n).await?;
        let (state, result) = outcome_after(&phone, t).await?;
        let ProvisioningResult::Error {
            line,
            setting,
            reason,
            ..
        } = &result
        else {
            panic!("{what}: accepted: {result:?}");
        };
        assert!(reason.contains(needle), "{what}: {result:?}");
        if what.contains("line 900") {
            assert_eq!(*line, Some(900), "{what}: {result:?}");
            assert_eq!(setting.as_deref(), Some("vlan_id"), "{what}: {result:?}");
        }
        assert_eq!(state.settings, good, "{what} changed settings");
    }
    Ok(())
}

/// `!` keeps a value the user changed; `$` (RW) overwrites it; a setting provisioned
/// read-only cannot be changed locally (P2 perm).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn perm_decides_between_provisioning_and_local_changes() -> anyhow::Result<()> {
    let http = ProvServer::http(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let file = |remain: &str, rw: &str| {
        format!(
            "<settings><phone-settings>\
             <user_realname idx=\"3\" perm=\"!\">{remain}</user_realname>\
             <user_realname idx=\"4\" perm=\"$\">{rw}</user_realname>\
             <user_name idx=\"5\" perm=\"R\">locked</user_name>\
             </phone-settings></settings>"
        )
        .into_bytes()
    };
    http.set("/p.xml", Route::File(file("Prov Three", "Prov Four")));
    let phone = TestPhone::start_with(
        "prov-perm",
        options(),
        &[
            "--set",
            &format!("setting_server=http://{}/p.xml", http.addr),
        ],
    )
    .await?;
    let (state, _) = outcome_after(&phone, 0).await?;
    assert_eq!(setting(&state, "user_realname[3]"), "Prov Three");
    let t = state.provisioning.last.unwrap().finished_at_ms;

    ws_command(
        &phone,
        serde_json::json!({"type": "set_settings", "values": {
            "user_realname[3]": "Mine Three", "user_realname[4]": "Mine Four"}}),
    )
    .await?;
    let locked = ws_command(
        &phone,
        serde_json::json!({"type": "set_settings", "values": {"user_name[5]": "mine"}}),
    )
    .await;
    assert!(locked.is_err(), "a read-only setting changed locally");

    http.set(
        "/p.xml",
        Route::File(file("Prov Three again", "Prov Four again")),
    );
    check_sync(&phone, 1).await?;
    let (state, result) = outcome_after(&phone, t).await?;
    let ProvisioningResult::Ok { kept, .. } = result else {
        panic!("{result:?}");
    };
    assert_eq!(kept, 1);
    assert_eq!(setting(&state, "user_realname[3]"), "Mine Three");
    assert_eq!(setting(&state, "user_realname[4]"), "Prov Four again");
    assert_eq!(setting(&state, "user_name[5]"), "locked");
    Ok(())
}

/// P4: with polling on, the phone fetches again by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_fetches_again() -> anyhow::Result<()> {
    let http = ProvServer::http(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    http.set(
        "/poll.xml",
        Route::File(b"<settings><phone-settings><user_realname idx=\"1\">One</user_realname></phone-settings></settings>".to_vec()),
    );
    let phone = TestPhone::start_with(
        "prov-poll",
        options(),
        &[
            "--set",
            &format!("setting_server=http://{}/poll.xml", http.addr),
            "--set",
            "prov_polling_enabled=on",
            "--set",
            "prov_polling_mode=rel",
            "--set",
            "prov_polling_period=10",
        ],
    )
    .await?;
    let (state, _) = outcome_after(&phone, 0).await?;
    let next = state
        .provisioning
        .next_poll_at_ms
        .expect("a next poll time");
    let first = state.provisioning.last.unwrap().finished_at_ms;
    assert!(
        next >= first + 9_000 && next <= first + 11_000,
        "{next} {first}"
    );
    http.set(
        "/poll.xml",
        Route::File(b"<settings><phone-settings><user_realname idx=\"1\">Two</user_realname></phone-settings></settings>".to_vec()),
    );
    let (state, _) = outcome_after(&phone, first).await?;
    assert_eq!(setting(&state, "user_realname[1]"), "Two");
    assert_eq!(http.hits().len(), 2);
    Ok(())
}
