//! M3: the lock follows the media. SIPp calls the phone (`user_srtp` on) offering SRTP
//! with an SDES key, falls back to plain RTP with a re-INVITE mid-call (as a PBX does
//! for unencrypted music on hold), then offers SRTP again (tests/sipp/uac_srtp_fallback.xml
//! checks the phone's answers). `/api/state` must say `encrypted` exactly while the
//! agreed media is SRTP both ways, and the phone's screen shows the lock from it.

use std::time::{Duration, Instant};

use deskphone_protocol::CallPhase;
use deskphone_tests::{PhoneOptions, Sipp, TestPhone, scenario};

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reinvite_to_plain_rtp_clears_the_lock_and_srtp_sets_it_again() -> anyhow::Result<()> {
    let phone = TestPhone::start_with(
        "srtp-fallback",
        PhoneOptions {
            user: "alice",
            display_name: "Alice",
            sim_input: "tone:1000",
            display: true,
        },
        &["--set", "user_srtp[1]=on"],
    )
    .await?;
    let file = scenario("uac_srtp_fallback.xml");
    let sipp = Sipp::start(
        &phone.data_dir,
        &["-sf", &file, "-s", "alice", &phone.sip.to_string()],
    )
    .await?;
    phone
        .wait_for("the call to ring", WAIT, |s| {
            s.calls.iter().any(|c| c.phase == CallPhase::Ringing)
        })
        .await?;
    let (_, ringing) = phone.state().await?;
    assert!(!ringing.calls[0].encrypted, "no media yet, no lock");
    phone.key("OFFHOOK").await?;
    let answered = Instant::now();
    phone
        .wait_for("the encrypted call", WAIT, |s| {
            s.calls
                .iter()
                .any(|c| c.phase == CallPhase::Connected && c.encrypted)
        })
        .await?;
    // The screen shows the lock from that state.
    phone
        .wait_for_screen("the lock", WAIT, |text| text.contains("Encrypted"))
        .await?;
    // SIPp re-INVITEs with plain RTP 3 s after its ACK: the lock must go with it, and
    // not before.
    let plain = phone
        .wait_for("the fallback to RTP", WAIT, |s| {
            s.calls
                .iter()
                .any(|c| c.phase == CallPhase::Connected && !c.encrypted)
        })
        .await?;
    assert!(
        answered.elapsed() >= Duration::from_millis(2500),
        "the lock went before the re-INVITE ({:?})",
        answered.elapsed()
    );
    assert_eq!(plain.calls[0].codec.as_deref(), Some("PCMU"));
    phone
        .wait_for_screen("the lock to go", WAIT, |text| {
            text.contains("PCMU") && !text.contains("Encrypted")
        })
        .await?;
    phone
        .wait_for("SRTP again", WAIT, |s| {
            s.calls
                .iter()
                .any(|c| c.phase == CallPhase::Connected && c.encrypted)
        })
        .await?;
    phone
        .wait_for("SIPp to hang up", WAIT, |s| s.calls.is_empty())
        .await?;
    let (_, after) = phone.state().await?;
    assert!(after.calls.is_empty());
    sipp.finish(&phone).await
}
