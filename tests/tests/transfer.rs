//! Call transfer between three real phones on loopback (direct IP): blind (REFER, RFC 3515)
//! and attended (REFER with Replaces, RFC 3891), driven through `/command.htm` as C1 and R1
//! describe. Afterwards the transferee and the target talk and the transferor has no call.

use std::time::Duration;

use deskphone_media::analysis::{read_wav, tone_present};
use deskphone_protocol::{CallPhase, PhoneState};
use deskphone_tests::{PhoneOptions, TestPhone};

const SIGNAL: Duration = Duration::from_secs(15);

async fn phone(
    name: &'static str,
    display_name: &'static str,
    tone: &'static str,
) -> anyhow::Result<TestPhone> {
    TestPhone::start(
        name,
        PhoneOptions {
            user: name,
            display_name,
            sim_input: tone,
            display: false,
        },
    )
    .await
}

fn connected_to(s: &PhoneState, user: &str) -> bool {
    s.calls
        .iter()
        .any(|c| c.phase == CallPhase::Connected && c.remote_uri.contains(user) && !c.held)
}

/// `from` calls `to`, which answers.
async fn connect(
    from: &TestPhone,
    to: &TestPhone,
    to_user: &str,
    from_user: &str,
) -> anyhow::Result<()> {
    from.dial(&to.sip_uri(to_user)).await?;
    to.wait_for("the incoming call", SIGNAL, |s| {
        s.calls.iter().any(|c| c.phase == CallPhase::Ringing)
    })
    .await?;
    to.key("OFFHOOK").await?;
    from.wait_for("the connected call", SIGNAL, |s| connected_to(s, to_user))
        .await?;
    to.wait_for("the connected call", SIGNAL, |s| connected_to(s, from_user))
        .await?;
    Ok(())
}

/// Carol's recording of her call with Alice carries Alice's 1 kHz tone.
fn carol_hears_alice(carol: &TestPhone) -> anyhow::Result<()> {
    let dir = carol.data_dir.join("recordings");
    let mut heard = false;
    for wav in std::fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
    {
        if wav.extension().is_none_or(|e| e != "wav") {
            continue;
        }
        let (samples, rate) = read_wav(&wav)?;
        let start = samples.len().saturating_sub(rate as usize * 3 / 2);
        let end = samples.len().saturating_sub(rate as usize / 2);
        if end > start && tone_present(&samples[start..end], 1000.0, rate, 0.01) {
            heard = true;
        }
    }
    anyhow::ensure!(
        heard,
        "carol never heard alice's 1 kHz tone in {}",
        dir.display()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blind_transfer_connects_alice_with_carol() -> anyhow::Result<()> {
    let alice = phone("xfer-blind-alice", "Alice", "tone:1000").await?;
    let bob = phone("xfer-blind-bob", "Bob", "tone:440").await?;
    let carol = phone("xfer-blind-carol", "Carol", "tone:700").await?;
    connect(&alice, &bob, "xfer-blind-bob", "xfer-blind-alice").await?;

    // Bob: TRANSFER, Carol's URI, ENTER.
    bob.key("TRANSFER").await?;
    bob.wait_for("the transfer prompt", SIGNAL, |s| s.transfer.is_some())
        .await?;
    bob.dial(&carol.sip_uri("xfer-blind-carol")).await?;
    bob.key("ENTER").await?;

    carol
        .wait_for("alice's transferred call", SIGNAL, |s| {
            s.calls
                .iter()
                .any(|c| c.phase == CallPhase::Ringing && c.remote_name == "Alice")
        })
        .await?;
    carol.key("OFFHOOK").await?;
    alice
        .wait_for("alice talks to carol only", SIGNAL, |s| {
            s.calls.len() == 1 && connected_to(s, "xfer-blind-carol")
        })
        .await?;
    bob.wait_for("bob has no call", SIGNAL, |s| s.calls.is_empty())
        .await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    carol.key("ONHOOK").await?;
    alice
        .wait_for("the call to end", SIGNAL, |s| s.calls.is_empty())
        .await?;
    carol_hears_alice(&carol)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attended_transfer_replaces_the_consultation_call() -> anyhow::Result<()> {
    let alice = phone("xfer-att-alice", "Alice", "tone:1000").await?;
    let bob = phone("xfer-att-bob", "Bob", "tone:440").await?;
    let carol = phone("xfer-att-carol", "Carol", "tone:700").await?;
    connect(&alice, &bob, "xfer-att-bob", "xfer-att-alice").await?;

    // Bob holds Alice and consults Carol.
    bob.key("F_R").await?;
    bob.wait_for("alice held", SIGNAL, |s| s.calls.iter().any(|c| c.held))
        .await?;
    connect(&bob, &carol, "xfer-att-carol", "xfer-att-bob").await?;

    // TRANSFER shows the held call as destination; the second press transfers
    // (`call_join_xfer` is `off` by default, `always` would transfer at once).
    bob.key("TRANSFER").await?;
    bob.key("TRANSFER").await?;

    carol
        .wait_for("carol talks to alice only", SIGNAL, |s| {
            s.calls.len() == 1 && connected_to(s, "xfer-att-alice")
        })
        .await?;
    alice
        .wait_for("alice talks to carol only", SIGNAL, |s| {
            s.calls.len() == 1 && connected_to(s, "xfer-att-carol")
        })
        .await?;
    bob.wait_for("bob is idle", SIGNAL, |s| s.calls.is_empty())
        .await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    alice.key("ONHOOK").await?;
    carol
        .wait_for("the call to end", SIGNAL, |s| s.calls.is_empty())
        .await?;
    carol_hears_alice(&carol)
}
