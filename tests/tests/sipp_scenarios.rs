//! SIPp scenarios written for this project (tests/sipp/*.xml) against a real phone: the
//! call features of RFC 3262 (100rel), RFC 4028 (session timers with hold), early media in a
//! 181 and SDP with disabled m-lines, plus SIPp's built-in `uas`. Every scenario must end
//! with no failed call (SIPp's exit code 0).

use std::time::Duration;

use anyhow::Context;
use deskphone_protocol::{CallPhase, PhoneState};
use deskphone_tests::{PhoneOptions, Sipp, TestPhone, scenario};

async fn phone(name: &str, display: bool) -> anyhow::Result<TestPhone> {
    TestPhone::start(
        name,
        PhoneOptions {
            user: "alice",
            display_name: "Alice",
            sim_input: "tone:1000",
            display,
        },
    )
    .await
}

fn connected(s: &PhoneState) -> bool {
    s.calls.iter().any(|c| c.phase == CallPhase::Connected)
}

const WAIT: Duration = Duration::from_secs(20);

/// SIPp's built-in `uas`: the phone calls, SIPp rings and answers, the phone hangs up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn builtin_uas_answers_the_phone() -> anyhow::Result<()> {
    let phone = phone("sipp-builtin-uas", false).await?;
    let sipp = Sipp::start(&phone.data_dir, &["-sn", "uas"]).await?;
    phone.dial(&sipp.uri()).await?;
    phone
        .wait_for("the call to connect", WAIT, connected)
        .await?;
    hang_up_and_finish(&phone, sipp).await
}

/// (a) S3: a retransmitted reliable 180 is PRACKed exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reliable_180_retransmitted_is_pracked_once() -> anyhow::Result<()> {
    let phone = phone("sipp-100rel", false).await?;
    let file = scenario("uas_100rel_retransmitted_180.xml");
    let sipp = Sipp::start(&phone.data_dir, &["-sf", &file]).await?;
    phone.dial(&sipp.uri()).await?;
    phone
        .wait_for("ringback", WAIT, |s| {
            s.calls.iter().any(|c| c.phase == CallPhase::Ringback)
        })
        .await?;
    phone
        .wait_for("the call to connect", WAIT, connected)
        .await?;
    hang_up_and_finish(&phone, sipp).await
}

/// (b) S4: hold by F_R gets 422; the retry with the Min-SE succeeds, the screen says "On
/// hold", and F_HOLD resumes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hold_refused_with_422_is_retried_and_held() -> anyhow::Result<()> {
    let phone = phone("sipp-hold-422", true).await?;
    let file = scenario("uas_hold_422.xml");
    let sipp = Sipp::start(&phone.data_dir, &["-sf", &file]).await?;
    phone.dial(&sipp.uri()).await?;
    phone
        .wait_for("the call to connect", WAIT, connected)
        .await?;
    phone.key("F_R").await?;
    let held = phone
        .wait_for("the hold to be agreed", WAIT, |s| {
            s.calls.iter().any(|c| c.held)
        })
        .await?;
    assert_eq!(held.calls[0].phase, CallPhase::Connected);
    phone
        .wait_for_screen("\"On hold\"", WAIT, |text| {
            text.to_lowercase().contains("on hold")
        })
        .await?;
    phone.key("F_HOLD").await?;
    phone
        .wait_for("the resume to be agreed", WAIT, |s| {
            s.calls
                .iter()
                .any(|c| c.phase == CallPhase::Connected && !c.held)
        })
        .await?;
    hang_up_and_finish(&phone, sipp).await
}

/// (c) S5: SDP in a 181 starts early media: the phone shows ringback with a codec, and its
/// RTP reaches the address of the 181's SDP before the call is answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn early_media_from_a_181() -> anyhow::Result<()> {
    let phone = phone("sipp-181", false).await?;
    let rtp = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
    let rtp_port = rtp.local_addr()?.port().to_string();
    let file = scenario("uas_181_early_media.xml");
    let sipp = Sipp::start(
        &phone.data_dir,
        &[
            "-sf",
            &file,
            "-key",
            "rtp_ip",
            "127.0.0.1",
            "-key",
            "rtp_port",
            &rtp_port,
        ],
    )
    .await?;
    phone.dial(&sipp.uri()).await?;
    let early = phone
        .wait_for("early media", WAIT, |s| {
            s.calls
                .iter()
                .any(|c| c.phase == CallPhase::Ringback && c.codec.is_some())
        })
        .await?;
    assert_eq!(early.calls[0].codec.as_deref(), Some("PCMU"));
    let mut buf = [0u8; 2048];
    let (n, _) = tokio::time::timeout(Duration::from_secs(2), rtp.recv_from(&mut buf))
        .await
        .context("no early media RTP")??;
    assert!(n >= 12 && buf[0] >> 6 == 2, "an RTP packet");
    assert_eq!(buf[1] & 0x7f, 0, "PCMU");
    let (_, state) = phone.state().await?;
    assert!(
        state.calls.iter().all(|c| c.phase == CallPhase::Ringback),
        "still early: {state:?}"
    );
    phone
        .wait_for("the call to connect", WAIT, connected)
        .await?;
    hang_up_and_finish(&phone, sipp).await
}

/// (d) S6: an offer whose first audio m-line is disabled is answered line by line (SIPp
/// checks the 200's body).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offer_with_disabled_first_audio_line() -> anyhow::Result<()> {
    let phone = phone("sipp-two-mlines", false).await?;
    let file = scenario("uac_two_mlines.xml");
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
    phone.key("OFFHOOK").await?;
    let state = phone
        .wait_for("the call to connect", WAIT, connected)
        .await?;
    assert!(state.calls[0].codec.is_some(), "media on the second line");
    phone
        .wait_for("SIPp to hang up", WAIT, |s| s.calls.is_empty())
        .await?;
    sipp.finish(&phone).await
}

/// (e) S6: an answer that declines our audio stream (port 0) is never applied; the call
/// still works and ends normally.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answer_with_a_port_zero_line() -> anyhow::Result<()> {
    let phone = phone("sipp-answer-port0", false).await?;
    let file = scenario("uas_answer_port0.xml");
    let sipp = Sipp::start(&phone.data_dir, &["-sf", &file]).await?;
    phone.dial(&sipp.uri()).await?;
    let state = phone
        .wait_for("the call to connect", WAIT, connected)
        .await?;
    assert_eq!(
        state.calls[0].codec, None,
        "the declined stream is not used"
    );
    phone
        .wait_for("SIPp to hang up", WAIT, |s| s.calls.is_empty())
        .await?;
    let (_, state) = phone.state().await?;
    assert_eq!(
        state.last_ended_call.map(|e| e.reason),
        Some(deskphone_protocol::EndReason::RemoteHangup)
    );
    sipp.finish(&phone).await
}

/// M1: DTMF in a SIP INFO (`application/dtmf-relay`) from the other side is answered 200
/// (SIPp checks it) and shown in the call's state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dtmf_in_sip_info_is_received() -> anyhow::Result<()> {
    let phone = phone("sipp-info-dtmf", false).await?;
    let file = scenario("uas_info_dtmf.xml");
    let sipp = Sipp::start(&phone.data_dir, &["-sf", &file, "-mp", "0"]).await?;
    phone.dial(&sipp.uri()).await?;
    phone
        .wait_for("the digit from the INFO", WAIT, |s| {
            s.calls.iter().any(|c| c.last_dtmf.as_deref() == Some("5"))
        })
        .await?;
    hang_up_and_finish(&phone, sipp).await
}

/// The phone hangs up, the call ends, and SIPp must have passed its scenario.
async fn hang_up_and_finish(phone: &TestPhone, sipp: Sipp) -> anyhow::Result<()> {
    phone.key("ONHOOK").await?;
    phone
        .wait_for("the call to end", WAIT, |s| s.calls.is_empty())
        .await?;
    sipp.finish(phone).await
}
