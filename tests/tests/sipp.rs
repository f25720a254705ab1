//! SIPp (Debian's sip-tester) runs its built-in `uac` scenario against a
//! phone: INVITE, the phone rings, the user answers, SIPp hangs up.
//! Every call must complete.

use std::process::Stdio;
use std::time::Duration;

use deskphone_protocol::CallPhase;
use deskphone_tests::{PhoneOptions, TestPhone, free_udp_port, require_tool};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sipp_uac_calls_complete() -> anyhow::Result<()> {
    let sipp = require_tool("sipp", "sip-tester")?;
    let phone = TestPhone::start(
        "sipp-uas",
        PhoneOptions {
            user: "service",
            display_name: "Service",
            sim_input: "tone:1000",
            display: false,
        },
    )
    .await?;
    const CALLS: usize = 3;
    let sipp = tokio::process::Command::new(sipp)
        .process_group(0)
        .args(["-sn", "uac", "-s", "service", "-i", "127.0.0.1"])
        .args(["-p", &free_udp_port().to_string()])
        .args(["-m", &CALLS.to_string(), "-l", "1", "-r", "1"])
        .args(["-timeout", "60s", "-timeout_error", "-nostdin"])
        .arg(phone.sip.to_string())
        .current_dir(&phone.data_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    for call in 0..CALLS {
        phone
            .wait_for(
                &format!("call {call} to ring"),
                Duration::from_secs(20),
                |s| s.calls.iter().any(|c| c.phase == CallPhase::Ringing),
            )
            .await?;
        phone.key("OFFHOOK").await?;
        phone
            .wait_for(
                &format!("call {call} to end"),
                Duration::from_secs(20),
                |s| s.calls.is_empty(),
            )
            .await?;
    }
    let out = tokio::time::timeout(Duration::from_secs(60), sipp.wait_with_output()).await??;
    assert!(
        out.status.success(),
        "sipp failed ({}): {}\n--- phone log ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        phone.log()
    );
    Ok(())
}
