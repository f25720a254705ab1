//! Call transfer through a real SIP proxy: kamailio 5.6 (tests/kamailio/kamailio.cfg) as
//! registrar and record-routing proxy with Digest authentication. Alice, Bob and Carol
//! register; Alice calls `bob` by user name; Bob transfers the call to `carol`, once blind
//! (REFER, RFC 3515) and once attended (REFER with Replaces, RFC 3891). Every request goes
//! through kamailio: the Refer-To names Carol's address-of-record at the registrar (RFC 5589
//! §7.1), the REFER, its NOTIFYs and the BYEs follow the dialogs' route sets (RFC 3261
//! §12.2.1.1, loose routing), and the INVITE with Replaces finds Carol through kamailio's
//! location service. Afterwards Alice and Carol hear each other and Bob has no call.

use std::time::Duration;

use anyhow::Context;
use deskphone_protocol::{CallPhase, PhoneState};
use deskphone_tests::{Kamailio, TestPhone, assert_newest_recording_hears, registered_phone};

const SIGNAL: Duration = Duration::from_secs(15);
const USERS: [(&str, &str, &str, &str); 3] = [
    ("alice", "Alice", "alice-Xfer-4711", "tone:1000"),
    ("bob", "Bob", "bob-Xfer-0815", "tone:440"),
    ("carol", "Carol", "carol-Xfer-2342", "tone:700"),
];

/// Kamailio and the three registered phones, in `USERS` order.
async fn setup(name: &str) -> anyhow::Result<(Kamailio, [TestPhone; 3])> {
    let passwords: Vec<(&str, &str)> = USERS.iter().map(|(u, _, pw, _)| (*u, *pw)).collect();
    let kamailio = Kamailio::start(name, "MD5", true, &passwords).await?;
    let mut phones = Vec::new();
    for (user, display_name, password, tone) in USERS {
        let phone_name = format!("{name}-{user}");
        let phone = registered_phone(
            (&phone_name, display_name),
            user,
            password,
            tone,
            &kamailio,
            &[],
        )
        .await?;
        kamailio.wait_registered(&phone).await?;
        kamailio.wait_location(user, 200).await?;
        phones.push(phone);
    }
    let phones: [TestPhone; 3] = phones
        .try_into()
        .map_err(|_| anyhow::anyhow!("three phones"))?;
    Ok((kamailio, phones))
}

/// A connected call, not held, whose peer URI names `user` (an AOR at kamailio).
fn connected_to(s: &PhoneState, user: &str) -> bool {
    s.calls.iter().any(|c| {
        c.phase == CallPhase::Connected && c.remote_uri.contains(&format!("{user}@")) && !c.held
    })
}

/// `from` dials `to_user` by user name (through kamailio); `to` answers.
async fn connect(
    kamailio: &Kamailio,
    (from, from_user): (&TestPhone, &str),
    (to, to_user): (&TestPhone, &str),
) -> anyhow::Result<()> {
    from.dial(to_user).await?;
    to.wait_for("the incoming call", SIGNAL, |s| {
        s.calls.iter().any(|c| c.phase == CallPhase::Ringing)
    })
    .await
    .with_context(|| format!("--- kamailio ---\n{}", kamailio.log()))?;
    to.key("OFFHOOK").await?;
    from.wait_for("the connected call", SIGNAL, |s| connected_to(s, to_user))
        .await?;
    to.wait_for("the connected call", SIGNAL, |s| connected_to(s, from_user))
        .await?;
    Ok(())
}

/// Alice and Carol talk (each hears the other's tone), Bob has no call; Carol hangs up.
async fn alice_talks_to_carol(
    kamailio: &Kamailio,
    [alice, bob, carol]: &[TestPhone; 3],
) -> anyhow::Result<()> {
    alice
        .wait_for("alice talks to carol only", SIGNAL, |s| {
            s.calls.len() == 1 && connected_to(s, "carol")
        })
        .await
        .with_context(|| format!("--- kamailio ---\n{}", kamailio.log()))?;
    carol
        .wait_for("carol talks to alice only", SIGNAL, |s| {
            s.calls.len() == 1 && connected_to(s, "alice")
        })
        .await?;
    bob.wait_for("bob has no call", SIGNAL, |s| s.calls.is_empty())
        .await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    carol.key("ONHOOK").await?;
    alice
        .wait_for("the call to end", SIGNAL, |s| s.calls.is_empty())
        .await
        .with_context(|| format!("--- kamailio ---\n{}", kamailio.log()))?;
    assert_newest_recording_hears(carol, 1000.0, 700.0)?;
    assert_newest_recording_hears(alice, 700.0, 1000.0)?;
    Ok(())
}

/// Bob's REFER, Alice's NOTIFYs and Bob's BYE went through kamailio, and the Refer-To names
/// Carol's address-of-record at kamailio, not her phone's own address (which only works
/// where the transferee can reach it directly). Returns the Refer-To kamailio saw.
fn routed_through_kamailio(kamailio: &Kamailio, carol: &TestPhone) -> anyhow::Result<String> {
    let log = kamailio.log();
    for needle in [
        "request REFER user=bob",
        "request NOTIFY user=alice",
        "request BYE user=bob",
    ] {
        anyhow::ensure!(
            log.contains(needle),
            "`{needle}` not in kamailio's log:\n{log}"
        );
    }
    let refer_to = log
        .lines()
        .find_map(|l| {
            l.split_once("refer from=bob refer-to=")
                .map(|(_, v)| v.to_owned())
        })
        .with_context(|| format!("kamailio logged no Refer-To:\n{log}"))?;
    let aor = format!("sip:carol@127.0.0.1:{}", kamailio.port);
    anyhow::ensure!(
        refer_to.starts_with(&format!("<{aor}")),
        "the Refer-To is not carol's AOR {aor}: {refer_to}"
    );
    anyhow::ensure!(
        !refer_to.contains(&carol.sip.to_string()),
        "the Refer-To names carol's phone directly: {refer_to}"
    );
    Ok(refer_to)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blind_transfer_through_kamailio() -> anyhow::Result<()> {
    let (kamailio, phones) = setup("kam-xfer-blind").await?;
    let [alice, bob, carol] = &phones;
    connect(&kamailio, (alice, "alice"), (bob, "bob")).await?;

    // Bob: TRANSFER, Carol's user name (completed with the registrar's domain), ENTER.
    bob.key("TRANSFER").await?;
    bob.wait_for("the transfer prompt", SIGNAL, |s| s.transfer.is_some())
        .await?;
    bob.dial("carol").await?;
    bob.key("ENTER").await?;

    carol
        .wait_for("alice's transferred call", SIGNAL, |s| {
            s.calls
                .iter()
                .any(|c| c.phase == CallPhase::Ringing && c.remote_name == "Alice")
        })
        .await
        .with_context(|| format!("--- kamailio ---\n{}", kamailio.log()))?;
    carol.key("OFFHOOK").await?;
    alice_talks_to_carol(&kamailio, &phones).await?;
    let refer_to = routed_through_kamailio(&kamailio, carol)?;
    anyhow::ensure!(
        !refer_to.contains("Replaces"),
        "a blind transfer replaces nothing: {refer_to}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attended_transfer_through_kamailio() -> anyhow::Result<()> {
    let (kamailio, phones) = setup("kam-xfer-att").await?;
    let [alice, bob, carol] = &phones;
    connect(&kamailio, (alice, "alice"), (bob, "bob")).await?;

    // Bob holds Alice and consults Carol.
    bob.key("F_R").await?;
    bob.wait_for("alice held", SIGNAL, |s| s.calls.iter().any(|c| c.held))
        .await
        .with_context(|| format!("--- kamailio ---\n{}", kamailio.log()))?;
    connect(&kamailio, (bob, "bob"), (carol, "carol")).await?;

    // TRANSFER shows the held call as destination; the second press transfers
    // (`call_join_xfer` is `off` by default).
    bob.key("TRANSFER").await?;
    bob.key("TRANSFER").await?;
    alice_talks_to_carol(&kamailio, &phones).await?;
    let refer_to = routed_through_kamailio(&kamailio, carol)?;
    anyhow::ensure!(
        refer_to.contains("?Replaces="),
        "an attended transfer names the consultation dialog: {refer_to}"
    );
    // Alice's INVITE with Replaces found Carol through kamailio.
    let log = kamailio.log();
    anyhow::ensure!(
        log.contains("replacing invite from=alice to=carol"),
        "the INVITE with Replaces went through kamailio:\n{log}"
    );
    Ok(())
}
