//! SIP over TCP (RFC 3261 §18) against a real server: kamailio listens on TCP as well as
//! UDP, two phones name `;transport=tcp` in `user_host`, register over TCP, and call each
//! other through kamailio, which reaches each phone at its TCP Contact (the phone's TCP
//! listener on its SIP port). The audio check is the one of tests/tests/kamailio.rs.

use deskphone_tests::{Kamailio, alice_calls_bob_by_name, registered_phone};

const ALICE_PASSWORD: &str = "alice-Tcp-4711";
const BOB_PASSWORD: &str = "bob-Tcp-0815";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_register_and_call_each_other_over_tcp() -> anyhow::Result<()> {
    let kamailio = Kamailio::start_with_tcp(
        "kamailio-tcp",
        "SHA-256",
        true,
        &[("alice", ALICE_PASSWORD), ("bob", BOB_PASSWORD)],
    )
    .await?;
    // `registered_phone` sets user_host to kamailio's address; a later --set wins.
    let host = format!(
        "--set=user_host[1]=127.0.0.1:{};transport=tcp",
        kamailio.port
    );
    let alice = registered_phone(
        ("alice", "Alice"),
        "alice",
        ALICE_PASSWORD,
        "tone:1000",
        &kamailio,
        &[host.as_str()],
    )
    .await?;
    let bob = registered_phone(
        ("bob", "Bob"),
        "bob",
        BOB_PASSWORD,
        "tone:440",
        &kamailio,
        &[host.as_str()],
    )
    .await?;
    for phone in [&alice, &bob] {
        kamailio.wait_registered(phone).await?;
    }
    // Kamailio relays an OPTIONS to each phone's registered Contact, over TCP.
    kamailio.wait_location("alice", 200).await?;
    kamailio.wait_location("bob", 200).await?;
    let server = kamailio.addr().to_string();
    for phone in [&alice, &bob] {
        let log = phone.log();
        assert!(
            log.contains(&format!("SIP over TCP: connected to {server}")),
            "the phone registered over TCP:\n{log}"
        );
        assert!(
            log.contains("SIP over TCP: accepted a connection from 127.0.0.1:"),
            "kamailio reached the phone at its TCP Contact:\n{log}"
        );
    }

    alice_calls_bob_by_name(&kamailio, &alice, &bob).await?;
    Ok(())
}
