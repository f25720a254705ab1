//! SIP over TLS (RFC 3261 §26.3.1) against a real server: kamailio listens on TLS with a
//! certificate for 127.0.0.1 (IP SAN) and `localhost` from a CA made here with the
//! `openssl` CLI. Two phones trusting that CA (`--trust-ca`) name `;transport=tls` in
//! `user_host`, register over TLS and call each other through kamailio, which reaches
//! each phone over the connection the phone opened (RFC 5923 `alias` in the Via). A phone
//! that does not trust the CA fails to register and says why.

use std::time::Duration;

use deskphone_protocol::RegistrationState;
use deskphone_tests::{
    Kamailio, alice_calls_bob_by_name, make_certificates, registered_phone, registration,
    scratch_dir,
};

const ALICE_PASSWORD: &str = "alice-Tls-4711";
const BOB_PASSWORD: &str = "bob-Tls-0815";

async fn kamailio_with_tls(name: &str) -> anyhow::Result<(Kamailio, std::path::PathBuf)> {
    let certs = scratch_dir(&format!("{name}-certs"));
    make_certificates(&certs, "IP:127.0.0.1,DNS:localhost")?;
    let kamailio = Kamailio::start_with_tls(
        name,
        "SHA-256",
        true,
        &[("alice", ALICE_PASSWORD), ("bob", BOB_PASSWORD)],
        &certs.join("server.pem"),
        &certs.join("server.key"),
    )
    .await?;
    Ok((kamailio, certs.join("ca.pem")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_register_and_call_each_other_over_tls() -> anyhow::Result<()> {
    let (kamailio, ca) = kamailio_with_tls("kamailio-tls").await?;
    // `registered_phone` sets user_host to kamailio's UDP address; a later --set wins.
    let host = format!(
        "--set=user_host[1]=127.0.0.1:{};transport=tls",
        kamailio.tls_port
    );
    let trust = format!("--trust-ca={}", ca.display());
    let extra = [host.as_str(), trust.as_str()];
    let alice = registered_phone(
        ("alice", "Alice"),
        "alice",
        ALICE_PASSWORD,
        "tone:1000",
        &kamailio,
        &extra,
    )
    .await?;
    let bob = registered_phone(
        ("bob", "Bob"),
        "bob",
        BOB_PASSWORD,
        "tone:440",
        &kamailio,
        &extra,
    )
    .await?;
    for phone in [&alice, &bob] {
        kamailio.wait_registered(phone).await?;
    }
    let server = format!("127.0.0.1:{}", kamailio.tls_port);
    for phone in [&alice, &bob] {
        let log = phone.log();
        assert!(
            log.contains(&format!("SIP over TLS: connected to {server} (127.0.0.1)")),
            "the phone registered over TLS:\n{log}"
        );
    }

    alice_calls_bob_by_name(&kamailio, &alice, &bob).await?;
    // Every message went over the phones' own connections: no TLS listener on a phone.
    for phone in [&alice, &bob] {
        assert!(!phone.log().contains("SIP over TCP: accepted"));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_that_does_not_trust_the_ca_fails_to_register() -> anyhow::Result<()> {
    let (kamailio, _ca) = kamailio_with_tls("kamailio-tls-untrusted").await?;
    let host = format!(
        "--set=user_host[1]=127.0.0.1:{};transport=tls",
        kamailio.tls_port
    );
    let alice = registered_phone(
        ("alice-untrusting", "Alice"),
        "alice",
        ALICE_PASSWORD,
        "silence",
        &kamailio,
        &[host.as_str()],
    )
    .await?;
    alice
        .wait_for("the failed registration", Duration::from_secs(40), |s| {
            registration(s) == RegistrationState::Failed
        })
        .await?;
    let log = alice.log();
    assert!(
        log.contains("SIP over TLS: handshake with") && log.contains("invalid peer certificate"),
        "the log names the certificate problem:\n{log}"
    );
    Ok(())
}
