//! Update paths end to end (F2): an upgrade and a downgrade through an intermediate
//! version that the signed manifests name, installed by the phone by itself, and
//! network recovery when the active slot cannot start. A real phone, the A/B slots
//! and the launcher, and a real HTTP server on loopback serving signed images.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use deskphone_firmware::ed25519_dalek::SigningKey;
use deskphone_firmware::semver::Version;
use deskphone_firmware::{Release, build_image, signing_key_from_hex};
use deskphone_protocol::{UpdatePhase, UpdateStatus};
use deskphone_tests::prov_server::{ProvServer, Route};
use deskphone_tests::{HttpRequest, PhoneOptions, TestPhone, workspace_root};

const REALNAME: &str = "Paths Tester";

fn options() -> PhoneOptions<'static> {
    PhoneOptions {
        user: "paths",
        display_name: REALNAME,
        sim_input: "silence",
        display: false,
    }
}

fn key() -> anyhow::Result<SigningKey> {
    let text =
        std::fs::read_to_string(workspace_root().join("tests/keys/dev-firmware-signing.key"))?;
    Ok(signing_key_from_hex(&text)?)
}

fn release(version: &str, minimum: &str, intermediate: Option<(&str, &str)>) -> Release {
    Release {
        model: "DP480C".into(),
        version: Version::parse(version).unwrap(),
        minimum: Version::parse(minimum).unwrap(),
        intermediate: intermediate.map(|(v, _)| Version::parse(v).unwrap()),
        intermediate_url: intermediate.map(|(_, url)| url.to_owned()),
        addons: Vec::new(),
    }
}

/// The running phone program and UI bundle as a slot's payload.
fn payload(ui: &Path) -> anyhow::Result<Vec<u8>> {
    let program = std::fs::read(deskphone_tests::deskphone_bin()?)?;
    let mut tar = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(program.len() as u64);
    header.set_mode(0o755);
    header.set_cksum();
    tar.append_data(&mut header, "deskphone", program.as_slice())?;
    tar.append_dir_all("ui", ui)?;
    Ok(tar.into_inner()?)
}

async fn post_update(phone: &TestPhone, url: &str) -> anyhow::Result<(u16, String)> {
    let request = HttpRequest::post(
        "/api/update",
        "application/json",
        serde_json::json!({ "url": url }).to_string(),
    )
    .header(
        "Authorization",
        &phone.client.authorization().context("no credentials")?,
    );
    let response = phone.client.request(phone.http, &request).await?;
    Ok((response.status, response.text()))
}

/// Waits until the update state satisfies `done`, through restarts; returns it and
/// every distinct version seen on the way.
async fn wait_update(
    phone: &TestPhone,
    within: Duration,
    done: impl Fn(&UpdateStatus) -> bool,
) -> anyhow::Result<(UpdateStatus, Vec<String>)> {
    let start = Instant::now();
    let mut last = None;
    let mut versions: Vec<String> = Vec::new();
    while start.elapsed() < within {
        if let Ok((_, state)) = phone.state().await {
            let status = state.update;
            if versions.last() != Some(&status.version) {
                versions.push(status.version.clone());
            }
            if done(&status) {
                return Ok((status, versions));
            }
            last = Some(status);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!(
        "{}: the update did not get there; last {last:?}, versions {versions:?}\n--- log ---\n{}",
        phone.name,
        phone.log()
    )
}

fn settings_intact(state: &deskphone_protocol::PhoneState) -> bool {
    state.settings.values().any(|v| v == REALNAME)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrade_and_downgrade_go_through_the_named_intermediate_by_themselves()
-> anyhow::Result<()> {
    let phone = TestPhone::start("update-paths", options()).await?;
    let server = ProvServer::http("127.0.0.1:0".parse()?).await?;
    let key = key()?;
    let payload = payload(&deskphone_tests::ui_dir()?)?;
    // 0.5.0 fits every version; 1.0.0 needs 0.5.0 running and says where it is; a
    // phone on 1.0.0 may not go below 0.5.0 and goes through it.
    let images = [
        ("0.5.0.img", release("0.5.0", "0.0.0", None)),
        (
            "1.0.0.img",
            release("1.0.0", "0.5.0", Some(("0.5.0", "0.5.0.img"))),
        ),
        ("0.4.0.img", release("0.4.0", "0.0.0", None)),
    ];
    for (name, release) in &images {
        let (_, image) = build_image(release, &payload, &key);
        server.set(&format!("/fw/{name}"), Route::File(image));
    }
    let base = format!("http://{}/fw", server.addr);

    // Upgrade 0.1.0 → 1.0.0: refused as such, installed through 0.5.0 by itself.
    let (status, text) = post_update(&phone, &format!("{base}/1.0.0.img")).await?;
    assert_eq!(status, 202, "{text}");
    let (during, _) = wait_update(&phone, Duration::from_secs(60), |s| s.then.is_some()).await?;
    assert_eq!(
        during.then.as_deref(),
        Some("1.0.0"),
        "the state names where it goes"
    );
    let (after, versions) = wait_update(&phone, Duration::from_secs(180), |s| {
        s.version == "1.0.0"
            && s.state == UpdatePhase::Idle
            && s.last
                .as_ref()
                .is_some_and(|l| l.ok && l.message.contains("1.0.0"))
    })
    .await?;
    println!("upgrade: versions seen {versions:?}, slot {}", after.slot);
    assert!(
        versions.contains(&"0.5.0".to_owned()),
        "through 0.5.0: {versions:?}"
    );
    assert_eq!(after.then, None);
    let state = phone.state().await?.1;
    assert_eq!(state.device.firmware_version, "1.0.0");
    assert!(settings_intact(&state), "settings survive both steps");

    // Downgrade 1.0.0 → 0.4.0: below 1.0.0's minimum, so through 0.5.0 again.
    let (status, text) = post_update(&phone, &format!("{base}/0.4.0.img")).await?;
    assert_eq!(status, 202, "{text}");
    let (after, versions) = wait_update(&phone, Duration::from_secs(180), |s| {
        s.version == "0.4.0"
            && s.state == UpdatePhase::Idle
            && s.last
                .as_ref()
                .is_some_and(|l| l.ok && l.message.contains("0.4.0"))
    })
    .await?;
    println!("downgrade: versions seen {versions:?}, slot {}", after.slot);
    assert!(
        versions.contains(&"0.5.0".to_owned()),
        "through 0.5.0: {versions:?}"
    );
    assert!(settings_intact(&phone.state().await?.1));
    let log = phone.log();
    assert!(
        log.contains("needs version 0.5.0 first: installing it from"),
        "the log says why it went through 0.5.0"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_recovery_installs_the_known_good_image_when_the_active_slot_cannot_start()
-> anyhow::Result<()> {
    let server = ProvServer::http("127.0.0.1:0".parse()?).await?;
    let key = key()?;
    let payload = payload(&deskphone_tests::ui_dir()?)?;
    let (_, good) = build_image(&release("0.3.0", "0.1.0", None), &payload, &key);
    // The recovery image is older than what breaks, and below its minimum: recovery
    // does not apply the version rules of a firmware that cannot run.
    let (_, known_good) = build_image(&release("0.0.5", "0.0.0", None), &payload, &key);
    server.set("/fw/0.3.0.img", Route::File(good));
    server.set("/fw/recovery.img", Route::File(known_good));
    let recovery_url = format!("http://{}/fw/recovery.img", server.addr);
    let mut phone = TestPhone::start_with(
        "update-recovery",
        options(),
        &["--set", &format!("firmware_recovery_url={recovery_url}")],
    )
    .await?;

    let (status, text) =
        post_update(&phone, &format!("http://{}/fw/0.3.0.img", server.addr)).await?;
    assert_eq!(status, 202, "{text}");
    let (after, _) = wait_update(&phone, Duration::from_secs(120), |s| {
        s.version == "0.3.0"
            && s.slot == "b"
            && s.last
                .as_ref()
                .is_some_and(|l| l.ok && l.message.contains("0.3.0"))
    })
    .await?;
    assert!(!after.recovery);

    // The flash of the active slot gets damaged: its program is no longer a program.
    let program = phone.data_dir.join("slots/b/deskphone");
    // (A new file: the running program's own file cannot be written.)
    std::fs::remove_file(&program)?;
    std::fs::write(&program, b"\x7fELF damaged beyond use")?;
    let hits_before = server
        .hits()
        .iter()
        .filter(|h| h.contains("recovery"))
        .count();
    phone.restart().await?;
    let (recovering, _) = wait_update(&phone, Duration::from_secs(60), |s| s.recovery).await?;
    println!("recovery: {recovering:?}");
    let (recovered, versions) = wait_update(&phone, Duration::from_secs(180), |s| {
        !s.recovery
            && s.version == "0.0.5"
            && s.last
                .as_ref()
                .is_some_and(|l| l.ok && l.message.contains("0.0.5"))
    })
    .await?;
    println!(
        "recovery: versions seen {versions:?}, now slot {}",
        recovered.slot
    );
    assert_eq!(
        recovered.slot, "b",
        "the known-good image went into the broken slot"
    );
    assert!(
        server
            .hits()
            .iter()
            .filter(|h| h.contains("recovery"))
            .count()
            > hits_before,
        "the recovery image was fetched"
    );
    let state = phone.state().await?.1;
    assert!(settings_intact(&state), "settings survive recovery");
    assert!(
        phone.log().contains("network recovery"),
        "the log says what happened"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provisioning_names_the_firmware_and_update_policy_decides() -> anyhow::Result<()> {
    let server = ProvServer::http("127.0.0.1:0".parse()?).await?;
    let key = key()?;
    let payload = payload(&deskphone_tests::ui_dir()?)?;
    let (_, image) = build_image(&release("0.3.0", "0.0.0", None), &payload, &key);
    server.set("/fw/0.3.0.img", Route::File(image));
    // The established firmware settings file; the image's address is relative to it.
    server.set(
        "/fw/status.xml",
        Route::File(
            br#"<firmware-settings><firmware perm="">0.3.0.img</firmware></firmware-settings>"#
                .to_vec(),
        ),
    );
    let base = format!("http://{}", server.addr);
    let settings = |policy: &str| {
        Route::File(
            format!(
                r#"<settings><phone-settings>
<firmware_status perm="RW">{base}/fw/status.xml</firmware_status>
<update_policy perm="RW">{policy}</update_policy>
</phone-settings></settings>"#
            )
            .into_bytes(),
        )
    };
    server.set("/phone.xml", settings("ask_for_update"));
    let mut phone = TestPhone::start_with(
        "update-provisioned",
        options(),
        &["--set", &format!("setting_server={base}/phone.xml")],
    )
    .await?;
    let image_url = format!("{base}/fw/0.3.0.img");
    // ask_for_update: offered, not installed.
    let (offered, _) =
        wait_update(&phone, Duration::from_secs(30), |s| s.offered.is_some()).await?;
    assert_eq!(offered.offered.as_deref(), Some(image_url.as_str()));
    tokio::time::sleep(Duration::from_secs(2)).await;
    let now = phone.state().await?.1.update;
    assert_eq!(
        (now.version.as_str(), now.state),
        ("0.1.0", UpdatePhase::Idle)
    );

    // auto_update: installed by itself; the next run finds it running and stops after
    // the header.
    server.set("/phone.xml", settings("auto_update"));
    phone.restart().await?;
    let (after, _) = wait_update(&phone, Duration::from_secs(180), |s| {
        s.version == "0.3.0"
            && s.last
                .as_ref()
                .is_some_and(|l| l.ok && l.message.contains("0.3.0"))
    })
    .await?;
    assert_eq!(after.offered, None);
    let start = Instant::now();
    while !phone.log().contains("is version 0.3.0, which already runs") {
        if start.elapsed() > Duration::from_secs(30) {
            bail!("the running version was fetched again:\n{}", phone.log());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let now = phone.state().await?.1.update;
    assert_eq!(
        (now.version.as_str(), now.slot.as_str(), now.state),
        ("0.3.0", after.slot.as_str(), UpdatePhase::Idle)
    );
    assert!(settings_intact(&phone.state().await?.1));
    Ok(())
}
