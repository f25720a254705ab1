//! Interop with a real SIP server: kamailio 5.6 (Debian `kamailio`) as registrar and proxy
//! with Digest authentication (tests/kamailio/kamailio.cfg). Two phones register, find each
//! other through kamailio's location service by user name and talk; deactivation and
//! shutdown remove their bindings. A wrong password and a registrar that grants no time
//! (requirement S1) end in Failed and are retried after `retry_after_failed_register`.

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use deskphone_protocol::RegistrationState;
use deskphone_tests::{
    Kamailio, TestPhone, alice_calls_bob_by_name, registered_phone, registration, ws_command,
};

const SIGNAL: Duration = Duration::from_secs(15);
const ALICE_PASSWORD: &str = "alice-Pw-4711";
const BOB_PASSWORD: &str = "bob-Pw-0815";

/// Changes settings over the WebSocket API, as the web UI does.
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

/// The secrets must never reach a log (requirement P5).
fn assert_no_secret(log: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!log.contains(secret), "a password is in the log:\n{log}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_register_and_call_each_other_through_kamailio() -> anyhow::Result<()> {
    let kamailio = Kamailio::start(
        "kamailio-call",
        "SHA-256",
        true,
        &[("alice", ALICE_PASSWORD), ("bob", BOB_PASSWORD)],
    )
    .await?;
    let alice = registered_phone(
        ("alice", "Alice"),
        "alice",
        ALICE_PASSWORD,
        "tone:1000",
        &kamailio,
        &[],
    )
    .await?;
    let bob = registered_phone(
        ("bob", "Bob"),
        "bob",
        BOB_PASSWORD,
        "tone:440",
        &kamailio,
        &[],
    )
    .await?;

    for phone in [&alice, &bob] {
        kamailio.wait_registered(phone).await?;
    }
    // Kamailio's side: both are in its location service and reachable through it.
    kamailio.wait_location("alice", 200).await?;
    kamailio.wait_location("bob", 200).await?;

    // Alice dials bob's user name; the call goes through kamailio, which challenges it.
    alice_calls_bob_by_name(&kamailio, &alice, &bob).await?;
    assert!(
        kamailio.log().contains("request INVITE user=alice"),
        "the INVITE went through kamailio"
    );
    assert!(
        kamailio.count("request INVITE user=alice") >= 2,
        "the first INVITE was challenged (407) and sent again with credentials:\n{}",
        kamailio.log()
    );

    // Deactivating bob's identity removes his binding.
    set_settings(&bob, &[("user_active[1]", "off")]).await?;
    bob.wait_for("no registration", SIGNAL, |s| {
        registration(s) == RegistrationState::NotConfigured
    })
    .await?;
    kamailio.wait_location("bob", 404).await?;

    // Shutting alice down (SIGTERM) removes hers.
    let status = Command::new("kill")
        .args(["-TERM", &alice.pid().to_string()])
        .status()?;
    assert!(status.success());
    kamailio.wait_location("alice", 404).await?;

    for phone in [&alice, &bob] {
        assert_no_secret(&phone.log(), &[ALICE_PASSWORD, BOB_PASSWORD]);
    }
    Ok(())
}

/// Waits until `needle` has appeared `n` times in kamailio's log; returns the times.
async fn wait_count(kamailio: &Kamailio, needle: &str, n: usize) -> anyhow::Result<Vec<f64>> {
    let start = Instant::now();
    loop {
        let times = kamailio.times(needle);
        if times.len() >= n {
            return Ok(times);
        }
        if start.elapsed() > Duration::from_secs(40) {
            bail!(
                "`{needle}` seen {} times, not {n}\n--- kamailio ---\n{}",
                kamailio.count(needle),
                kamailio.log()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_registrations_are_retried_after_retry_after_failed_register() -> anyhow::Result<()>
{
    const RIGHT: &str = "mallory-Right-1";
    const WRONG: &str = "mallory-Wrong-2";
    const RETRY_SECS: u64 = 10;
    let kamailio = Kamailio::start("kamailio-fail", "MD5", false, &[("mallory", RIGHT)]).await?;
    let retry = format!("--set=retry_after_failed_register={RETRY_SECS}");
    let mallory = registered_phone(
        ("mallory", "Mallory"),
        "mallory",
        WRONG,
        "silence",
        &kamailio,
        &[retry.as_str()],
    )
    .await?;
    // This registrar answers `zero` with 200 and Expires: 0 (S1).
    let zero = registered_phone(
        ("zero", "Zero"),
        "zero",
        "any",
        "silence",
        &kamailio,
        &[retry.as_str()],
    )
    .await?;
    for phone in [&mallory, &zero] {
        phone
            .wait_for("the failed registration", SIGNAL, |s| {
                registration(s) == RegistrationState::Failed
            })
            .await
            .with_context(|| format!("--- kamailio ---\n{}", kamailio.log()))?;
    }

    // Mallory's first attempt is two REGISTERs (the challenge, then the wrong answer);
    // zero's is one. The next attempt comes retry_after_failed_register after the last.
    let mallory_times = wait_count(&kamailio, "request REGISTER user=mallory", 3).await?;
    let zero_times = wait_count(&kamailio, "request REGISTER user=zero", 2).await?;
    for (who, waited) in [
        ("mallory", mallory_times[2] - mallory_times[1]),
        ("zero", zero_times[1] - zero_times[0]),
    ] {
        let expected = RETRY_SECS as f64;
        assert!(
            (expected - 0.5..=expected + 2.0).contains(&waited),
            "{who} retried after {waited:.2} s, not {RETRY_SECS} s\n--- kamailio ---\n{}",
            kamailio.log()
        );
    }
    assert_eq!(
        kamailio.count("registered user=mallory"),
        0,
        "the wrong password never registers"
    );
    for phone in [&mallory, &zero] {
        phone
            .wait_for("failed again", SIGNAL, |s| {
                registration(s) == RegistrationState::Failed
            })
            .await?;
    }
    kamailio.wait_location("mallory", 404).await?;

    // The right password (a settings change) registers at once.
    set_settings(&mallory, &[("user_pass[1]", RIGHT)]).await?;
    mallory
        .wait_for("the registration", Duration::from_secs(5), |s| {
            registration(s) == RegistrationState::Registered
        })
        .await
        .with_context(|| format!("--- kamailio ---\n{}", kamailio.log()))?;
    kamailio.wait_location("mallory", 200).await?;
    assert_no_secret(&mallory.log(), &[RIGHT, WRONG]);
    Ok(())
}
