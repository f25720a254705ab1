//! A check-sync NOTIFY with `reboot=true` reboots the phone (the simulator
//! starts its program anew, same process id, same data folder); without it
//! the phone only records the re-provisioning request (see messaging.rs).

use std::time::{Duration, Instant};

use deskphone_tests::{PhoneOptions, TestPhone};
use tokio::net::UdpSocket;

const STARTED: &str = "display engine off (--no-display)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_sync_with_reboot_restarts_the_phone() -> anyhow::Result<()> {
    let phone = TestPhone::start(
        "check-sync-reboot",
        PhoneOptions {
            user: "alice",
            display_name: "Alice",
            sim_input: "silence",
            display: false,
        },
    )
    .await?;
    assert_eq!(phone.log().matches(STARTED).count(), 1);

    let socket = UdpSocket::bind("127.0.0.1:0").await?;
    let me = socket.local_addr()?;
    let notify = format!(
        "NOTIFY sip:alice@{0} SIP/2.0\r\nVia: SIP/2.0/UDP {me};branch=z9hG4bK-cs1\r\n\
         From: <sip:pbx@{me}>;tag=cs1\r\nTo: <sip:alice@{0}>\r\nCall-ID: check-sync-1\r\n\
         CSeq: 1 NOTIFY\r\nMax-Forwards: 70\r\nEvent: check-sync;reboot=true\r\n\
         Subscription-State: active\r\nContent-Length: 0\r\n\r\n",
        phone.sip
    );
    socket.send_to(notify.as_bytes(), phone.sip).await?;
    let mut buf = vec![0u8; 4096];
    let (n, _) = tokio::time::timeout(Duration::from_secs(5), socket.recv_from(&mut buf)).await??;
    let answer = String::from_utf8_lossy(&buf[..n]);
    assert!(answer.starts_with("SIP/2.0 200"), "{answer}");

    // The program starts again: a second start-up in the same log, and the
    // web server and settings are back.
    let start = Instant::now();
    while phone.log().matches(STARTED).count() < 2 {
        anyhow::ensure!(
            start.elapsed() < Duration::from_secs(20),
            "the phone did not restart:\n{}",
            phone.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        phone
            .log()
            .contains("check-sync asked for a reboot: restarting")
    );
    let state = phone
        .wait_for(
            "the phone after the reboot",
            Duration::from_secs(20),
            |_| true,
        )
        .await?;
    assert!(
        !state.reboot_requested,
        "a fresh start has no pending reboot"
    );
    assert_eq!(state.settings["user_realname[1]"], "Alice");
    Ok(())
}
