//! Software update end to end (F1, F2): a real phone, a real HTTP server on loopback
//! serving signed images made here with the firmware crate and the development key,
//! the A/B slots and the launcher.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use deskphone_firmware::ed25519_dalek::SigningKey;
use deskphone_firmware::semver::Version;
use deskphone_firmware::{Release, build_image, signing_key_from_hex};
use deskphone_protocol::{UpdatePhase, UpdateStatus};
use deskphone_tests::prov_server::{ProvServer, Route, Silent};
use deskphone_tests::{HttpRequest, PhoneOptions, TestPhone, workspace_root};

const REALNAME: &str = "Update Tester";
const FACTORY: &str = env!("CARGO_PKG_VERSION");

fn options() -> PhoneOptions<'static> {
    PhoneOptions {
        user: "upd",
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

fn release(model: &str, version: &str, minimum: &str, intermediate: Option<&str>) -> Release {
    Release {
        model: model.into(),
        version: Version::parse(version).unwrap(),
        minimum: Version::parse(minimum).unwrap(),
        intermediate: intermediate.map(|v| Version::parse(v).unwrap()),
        intermediate_url: None,
        addons: Vec::new(),
    }
}

/// A slot's payload: `deskphone` (a program's bytes) and `ui/` (the UI bundle).
fn payload(program: &[u8], ui: &Path) -> anyhow::Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(program.len() as u64);
    header.set_mode(0o755);
    header.set_cksum();
    tar.append_data(&mut header, "deskphone", program)?;
    tar.append_dir_all("ui", ui)?;
    Ok(tar.into_inner()?)
}

/// The running phone program and UI as a payload: installs and runs.
fn good_payload() -> anyhow::Result<Vec<u8>> {
    payload(
        &std::fs::read(deskphone_tests::deskphone_bin()?)?,
        &deskphone_tests::ui_dir()?,
    )
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

async fn update_status(phone: &TestPhone) -> anyhow::Result<UpdateStatus> {
    Ok(phone.state().await?.1.update)
}

/// Waits until the update state satisfies `done` (the phone may restart meanwhile).
async fn wait_update(
    phone: &TestPhone,
    within: Duration,
    done: impl Fn(&UpdateStatus) -> bool,
) -> anyhow::Result<UpdateStatus> {
    let start = Instant::now();
    let mut last = None;
    while start.elapsed() < within {
        if let Ok(status) = update_status(phone).await {
            if done(&status) {
                return Ok(status);
            }
            last = Some(status);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!(
        "{}: the update did not get there; last {last:?}\n--- log ---\n{}",
        phone.name,
        phone.log()
    )
}

/// Serves `image`, starts the update and waits for its refusal; returns the message.
async fn refused(
    phone: &TestPhone,
    server: &ProvServer,
    path: &str,
    route: Route,
) -> anyhow::Result<String> {
    server.set(path, route);
    let before = update_status(phone).await?.last;
    let (status, text) = post_update(phone, &format!("http://{}{path}", server.addr)).await?;
    assert_eq!(status, 202, "{text}");
    let after = wait_update(phone, Duration::from_secs(30), |s| {
        s.state == UpdatePhase::Idle && s.last != before
    })
    .await?;
    let last = after.last.context("no outcome")?;
    assert!(!last.ok, "{last:?}");
    // The running slot stays as it was.
    assert_eq!(
        (after.slot.as_str(), after.version.as_str()),
        ("a", FACTORY)
    );
    Ok(last.message)
}

/// The peak resident set of a process (`VmHWM`), KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn settings_intact(state: &deskphone_protocol::PhoneState) -> bool {
    state.settings.values().any(|v| v == REALNAME)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_image_installs_restarts_into_slot_b_and_refuses_a_downgrade_below_minimum()
-> anyhow::Result<()> {
    let phone = TestPhone::start("update-good", options()).await?;
    let server = ProvServer::http("127.0.0.1:0".parse()?).await?;
    let key = key()?;
    let before = update_status(&phone).await?;
    assert_eq!(
        (before.slot.as_str(), before.version.as_str()),
        ("a", FACTORY)
    );

    // 0.3.0 may be installed over 0.1.0 and later, and a phone running it may not go
    // below 0.1.0 (installing 0.1.0 first if it must).
    let (_, image) = build_image(
        &release("DP480C", "0.3.0", FACTORY, Some(FACTORY)),
        &good_payload()?,
        &key,
    );
    let size = image.len();
    server.set("/fw/dp480c-0.3.0.img", Route::File(image));
    let url = format!("http://{}/fw/dp480c-0.3.0.img", server.addr);
    let started = Instant::now();
    let (status, text) = post_update(&phone, &url).await?;
    assert_eq!(status, 202, "{text}");
    // A second request while the first runs is refused.
    let (status, text) = post_update(&phone, &url).await?;
    assert_eq!(status, 409, "{text}");
    wait_update(&phone, Duration::from_secs(120), |s| {
        matches!(s.state, UpdatePhase::Installing | UpdatePhase::Rebooting)
    })
    .await?;
    let verified = started.elapsed();
    println!(
        "update figure: {:.1} MB image downloaded and verified in {:.2} s ({:.1} MB/s, debug build, loopback)",
        size as f64 / 1e6,
        verified.as_secs_f64(),
        size as f64 / 1e6 / verified.as_secs_f64()
    );
    let after = wait_update(&phone, Duration::from_secs(120), |s| {
        s.slot == "b" && s.last.as_ref().is_some_and(|l| l.ok)
    })
    .await?;
    assert_eq!(after.version, "0.3.0");
    assert!(
        after.last.unwrap().message.contains("0.3.0"),
        "the outcome names the version"
    );
    let state = phone.state().await?.1;
    assert_eq!(state.device.firmware_version, "0.3.0");
    assert!(settings_intact(&state), "settings survive the update");

    // A downgrade below what 0.3.0 allows is refused, naming the version to install first.
    let (_, old) = build_image(&release("DP480C", "0.0.9", "0.0.0", None), b"old", &key);
    server.set("/fw/old.img", Route::File(old));
    let (status, text) = post_update(&phone, &format!("http://{}/fw/old.img", server.addr)).await?;
    assert_eq!(status, 202, "{text}");
    let refused = wait_update(&phone, Duration::from_secs(30), |s| {
        s.last.as_ref().is_some_and(|l| !l.ok)
    })
    .await?;
    let message = refused.last.unwrap().message;
    assert!(
        message.contains("0.0.9") && message.contains(&format!("install {FACTORY} first")),
        "{message}"
    );
    assert_eq!(
        (refused.slot.as_str(), refused.version.as_str()),
        ("b", "0.3.0")
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_images_are_refused_with_a_clear_message_and_the_slot_stays() -> anyhow::Result<()> {
    let phone = TestPhone::start("update-bad", options()).await?;
    let server = ProvServer::http("127.0.0.1:0".parse()?).await?;
    let key = key()?;
    let payload = payload(b"#!/bin/sh\nexit 0\n", &deskphone_tests::ui_dir()?)?;
    let good = release("DP480C", "0.3.0", "0.0.0", None);

    // The payload (30 MB) differs from what the signed manifest names: it is
    // downloaded and hashed in full before the refusal, which gives the figure of
    // download + verify, and the phone's peak RSS must not grow with the image.
    let mut big = vec![0u8; 30_000_000];
    for (i, b) in big.iter_mut().enumerate() {
        *b = (i * 31 % 251) as u8;
    }
    let (_, mut image) = build_image(&good, &big, &key);
    drop(big);
    let last = image.len() - 1;
    image[last] ^= 0x55;
    let size = image.len();
    let rss_before = peak_rss_kib(phone.pid());
    let started = Instant::now();
    let message = refused(&phone, &server, "/sha.img", Route::File(image)).await?;
    let took = started.elapsed();
    let rss_after = peak_rss_kib(phone.pid());
    assert!(message.contains("SHA256"), "{message}");
    println!(
        "update figure: {:.1} MB image downloaded and verified in {:.2} s ({:.1} MB/s, debug build, loopback); phone peak RSS {} KiB before, {} KiB after",
        size as f64 / 1e6,
        took.as_secs_f64(),
        size as f64 / 1e6 / took.as_secs_f64(),
        rss_before,
        rss_after
    );
    assert!(
        rss_after < rss_before + 20 * 1024,
        "the download streams: peak RSS grew from {rss_before} to {rss_after} KiB for a 30 MB image"
    );

    let (_, image) = build_image(&good, &payload, &key);
    let message = refused(
        &phone,
        &server,
        "/cut.img",
        Route::File(image[..image.len() / 2].to_vec()),
    )
    .await?;
    assert!(message.contains("truncated"), "{message}");

    let other_key = SigningKey::from_bytes(&[9; 32]);
    let (_, image) = build_image(&good, &payload, &other_key);
    let message = refused(&phone, &server, "/sig.img", Route::File(image)).await?;
    assert!(message.contains("signature does not verify"), "{message}");

    let (_, image) = build_image(&release("DP128M", "0.3.0", "0.0.0", None), &payload, &key);
    let message = refused(&phone, &server, "/model.img", Route::File(image)).await?;
    assert!(message.contains("for the DP128M"), "{message}");

    // Needs a newer running version: the intermediate is named.
    let (_, image) = build_image(
        &release("DP480C", "2.0.0", "1.0.0", Some("1.4.0")),
        &payload,
        &key,
    );
    let message = refused(&phone, &server, "/new.img", Route::File(image)).await?;
    assert!(message.contains("install 1.4.0 first"), "{message}");

    // Not an image at all.
    let message = refused(
        &phone,
        &server,
        "/page.html",
        Route::File(b"<html>hello</html>".to_vec()),
    )
    .await?;
    assert!(message.contains("not a firmware image"), "{message}");

    // A server that stops sending in the middle of the payload.
    let (_, image) = build_image(&good, &payload, &key);
    let message = refused(
        &phone,
        &server,
        "/stall.img",
        Route::StallAfter(image[..image.len() / 2].to_vec()),
    )
    .await?;
    assert!(message.contains("sent nothing"), "{message}");

    // A server that never answers at all.
    let silent = Silent::start("127.0.0.1:0".parse()?).await?;
    let before = update_status(&phone).await?.last;
    let (status, _) = post_update(&phone, &format!("http://{}/fw.img", silent.addr)).await?;
    assert_eq!(status, 202);
    let after = wait_update(&phone, Duration::from_secs(30), |s| {
        s.state == UpdatePhase::Idle && s.last != before
    })
    .await?;
    assert!(after.last.unwrap().message.contains("sent nothing"));

    // Neither a URL nor a request from a user who may not.
    let (status, text) = post_update(&phone, "ftp://x/y").await?;
    assert_eq!(status, 400, "{text}");
    let state = phone.state().await?.1;
    assert_eq!(
        (state.update.slot.as_str(), state.update.version.as_str()),
        ("a", FACTORY)
    );
    assert!(settings_intact(&state));
    assert!(
        !phone.data_dir.join("slots/b/manifest.json").exists(),
        "nothing was installed"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slot_that_never_reports_healthy_falls_back_to_the_previous_one() -> anyhow::Result<()> {
    let phone = TestPhone::start("update-unhealthy", options()).await?;
    let server = ProvServer::http("127.0.0.1:0".parse()?).await?;
    // A program that ends at once: the new slot never reports healthy.
    let payload = payload(b"#!/bin/sh\nexit 3\n", &deskphone_tests::ui_dir()?)?;
    let (_, image) = build_image(
        &release("DP480C", "0.4.0", "0.0.0", None),
        &payload,
        &key()?,
    );
    server.set("/broken.img", Route::File(image));
    let (status, text) = post_update(&phone, &format!("http://{}/broken.img", server.addr)).await?;
    assert_eq!(status, 202, "{text}");
    let after = wait_update(&phone, Duration::from_secs(60), |s| {
        s.last
            .as_ref()
            .is_some_and(|l| !l.ok && l.message.contains("did not report healthy"))
    })
    .await?;
    assert_eq!(
        (after.slot.as_str(), after.version.as_str()),
        ("a", FACTORY)
    );
    assert!(settings_intact(&phone.state().await?.1));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn power_loss_at_random_points_of_an_update_leaves_a_bootable_phone() -> anyhow::Result<()> {
    // 20 by default; `DESKPHONE_POWER_LOSS_POINTS=200` for the longer run.
    let points: usize = std::env::var("DESKPHONE_POWER_LOSS_POINTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let mut phone = TestPhone::start("update-power", options()).await?;
    let server = ProvServer::http("127.0.0.1:0".parse()?).await?;
    let (_, image) = build_image(
        &release("DP480C", "0.3.0", "0.0.0", None),
        &good_payload()?,
        &key()?,
    );
    server.set("/fw.img", Route::File(image));
    let url = format!("http://{}/fw.img", server.addr);
    // How long one update takes, download to restart, bounds the kill points.
    let span = Duration::from_secs(8);
    let mut good_starts = 0;
    let mut seen_slots = std::collections::BTreeSet::new();
    for point in 0..points {
        // A phone on trial refuses updates for a few seconds: wait until it takes one.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (status, text) = post_update(&phone, &url).await?;
            if status == 202 {
                break;
            }
            if Instant::now() > deadline {
                bail!("point {point}: update not accepted: {status} {text}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let at = Duration::from_millis(fastrand::u64(0..span.as_millis() as u64));
        tokio::time::sleep(at).await;
        // SIGKILL of the whole process group, then a fresh start: a power cut. A slot
        // on trial is the launcher's child: its sockets are free only once it is gone.
        let leader = phone.pid();
        deskphone_tests::kill_group(leader);
        let gone = Instant::now();
        while live_in_group(leader) > 0 && gone.elapsed() < Duration::from_secs(10) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        phone.restart().await?;
        let state = phone.state().await?.1;
        let update = &state.update;
        // The version is that of the slot's installed manifest, or the installed
        // program's when slot a is empty.
        let manifest = phone
            .data_dir
            .join(format!("slots/{}/manifest.json", update.slot));
        let expected = match std::fs::read(&manifest) {
            Ok(bytes) => serde_json::from_slice::<deskphone_firmware::Manifest>(&bytes)?
                .version
                .to_string(),
            Err(_) => FACTORY.to_owned(),
        };
        assert_eq!(
            update.version, expected,
            "point {point} ({at:?}): {update:?}"
        );
        assert_eq!(update.state, UpdatePhase::Idle, "point {point}");
        assert!(settings_intact(&state), "point {point}: settings lost");
        seen_slots.insert(update.slot.clone());
        good_starts += 1;
    }
    println!(
        "update figure: power loss at {points} random points of an update: {good_starts} good starts (slots seen: {seen_slots:?})"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_software_update_page_starts_an_update_and_follows_it_in_a_browser()
-> anyhow::Result<()> {
    use deskphone_tests::{ADMIN_PASSWORD, ADMIN_USER, TestBrowser, log_in, wait_js};
    let phone = TestPhone::start("update-page", options()).await?;
    let server = ProvServer::http("127.0.0.1:0".parse()?).await?;
    let payload = payload(b"#!/bin/sh\nexit 0\n", &deskphone_tests::ui_dir()?)?;
    let (_, image) = build_image(
        &release("DP480C", "0.3.0", "0.0.0", None),
        &payload,
        &key()?,
    );
    // Half the image, then silence: the bar stays in the download long enough to see.
    server.set(
        "/half.img",
        Route::StallAfter(image[..image.len() / 2].to_vec()),
    );
    let url = format!("http://{}/half.img", server.addr);

    let browser = TestBrowser::launch("update-page-browser", 1024, 768).await?;
    let page = browser.open(&phone, "/#software-update").await?;
    log_in(&page, ADMIN_USER, ADMIN_PASSWORD).await?;
    wait_js(
        &page,
        "the running version",
        &format!("document.querySelector('#update-version')?.innerText === '{FACTORY}'"),
    )
    .await?;
    let input = page.find_element("#update-url").await?;
    input.click().await?;
    input.type_str(&url).await?;
    page.find_element("#update-load").await?.click().await?;
    wait_js(
        &page,
        "the progress bar in the download",
        "(() => { const p = document.querySelector('#update-progress'); \
         return p?.dataset.phase === 'downloading' && p.value > 0; })()",
    )
    .await?;
    wait_js(
        &page,
        "the outcome of the stalled download",
        "document.querySelector('#update-outcome')?.dataset.ok === 'false' \
         && document.querySelector('#update-outcome').innerText.includes('sent nothing')",
    )
    .await?;
    let slot = page
        .evaluate("document.querySelector('#update-slot').innerText")
        .await?
        .into_value::<String>()?;
    assert_eq!(slot, "A");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_the_launcher_stops_a_slot_on_trial() -> anyhow::Result<()> {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    let phone = TestPhone::start("update-stop", options()).await?;
    let server = ProvServer::http("127.0.0.1:0".parse()?).await?;
    // A slot that runs but never reports healthy: the launcher waits for it.
    let payload = payload(b"#!/bin/sh\nexec sleep 300\n", &deskphone_tests::ui_dir()?)?;
    let (_, image) = build_image(
        &release("DP480C", "0.4.0", "0.0.0", None),
        &payload,
        &key()?,
    );
    server.set("/sleepy.img", Route::File(image));
    let (status, text) = post_update(&phone, &format!("http://{}/sleepy.img", server.addr)).await?;
    assert_eq!(status, 202, "{text}");
    // The launcher (the phone's process) now waits for the slot on trial.
    let state_file = phone.data_dir.join("slots/state.json");
    let start = Instant::now();
    while !std::fs::read_to_string(&state_file).is_ok_and(|s| s.contains("\"boot_attempts\": 1")) {
        if start.elapsed() > Duration::from_secs(60) {
            bail!("the slot was not started on trial\n{}", phone.log());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(live_in_group(phone.pid()) >= 2, "launcher and slot run");
    kill(Pid::from_raw(phone.pid() as i32), Signal::SIGTERM)?;
    let start = Instant::now();
    // Every process of the phone's group ends: the slot's program with its launcher.
    while live_in_group(phone.pid()) > 0 {
        if start.elapsed() > Duration::from_secs(10) {
            bail!("a process of the phone outlived SIGTERM to its launcher");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// Processes of a process group that have not ended (zombies do not count).
fn live_in_group(group: u32) -> usize {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path().join("stat")).ok())
        .filter(|stat| {
            // After the command name in parentheses: state, ppid, pgrp.
            let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
                return false;
            };
            let fields: Vec<&str> = rest.split_whitespace().collect();
            fields.len() > 2 && fields[0] != "Z" && fields[2] == group.to_string()
        })
        .count()
}
