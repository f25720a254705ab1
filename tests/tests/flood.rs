//! A flood of SIP requests and garbage at a phone in a call is answered or
//! dropped without starving the established call: its audio keeps flowing
//! without gaps and the call ends normally afterwards.

use std::time::{Duration, Instant};

use deskphone_media::analysis::{read_wav, tone_present};
use deskphone_protocol::CallPhase;
use deskphone_tests::{PhoneOptions, TestPhone};
use tokio::net::UdpSocket;

const SIGNAL: Duration = Duration::from_secs(15);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_does_not_starve_a_call() -> anyhow::Result<()> {
    let alice = TestPhone::start(
        "flood-alice",
        PhoneOptions {
            user: "alice",
            display_name: "Alice",
            sim_input: "tone:1000",
            display: false,
        },
    )
    .await?;
    let bob = TestPhone::start(
        "flood-bob",
        PhoneOptions {
            user: "bob",
            display_name: "Bob",
            sim_input: "tone:440",
            display: false,
        },
    )
    .await?;
    alice.dial(&bob.sip_uri("bob")).await?;
    bob.wait_for("the incoming call", SIGNAL, |s| {
        s.calls.iter().any(|c| c.phase == CallPhase::Ringing)
    })
    .await?;
    bob.key("OFFHOOK").await?;
    for p in [&alice, &bob] {
        p.wait_for("the call", SIGNAL, |s| {
            s.calls.iter().any(|c| c.phase == CallPhase::Connected)
        })
        .await?;
    }
    let call_started = Instant::now();

    // Three seconds of flood at bob's SIP port: well-formed OPTIONS that
    // need an answer, and garbage that needs none.
    let flooder = UdpSocket::bind("127.0.0.1:0").await?;
    let me = flooder.local_addr()?;
    let flood_start = Instant::now();
    let mut sent = 0u64;
    let mut answered = 0u64;
    let mut buf = vec![0u8; 65536];
    while flood_start.elapsed() < Duration::from_secs(3) {
        for i in 0..50 {
            let msg = if i % 2 == 0 {
                format!(
                    "OPTIONS sip:bob@{0} SIP/2.0\r\nVia: SIP/2.0/UDP {me};branch=z9hG4bK-flood{sent}\r\n\
                     Max-Forwards: 70\r\nFrom: <sip:flood@{me}>;tag=f{sent}\r\nTo: <sip:bob@{0}>\r\n\
                     Call-ID: flood-{sent}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
                    bob.sip
                )
            } else {
                format!("\x01\x02garbage {sent} \r\n\r\n")
            };
            flooder.send_to(msg.as_bytes(), bob.sip).await?;
            sent += 1;
        }
        while let Ok(Ok(_)) =
            tokio::time::timeout(Duration::from_millis(1), flooder.recv_from(&mut buf)).await
        {
            answered += 1;
        }
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(200), flooder.recv_from(&mut buf)).await {
            Ok(Ok(_)) => answered += 1,
            _ => break,
        }
    }
    let flood_ended = call_started.elapsed();
    println!("flood: {sent} datagrams sent, {answered} answered");
    assert!(answered > 0, "the OPTIONS were answered");

    // The call is still up on both sides and ends normally.
    for p in [&alice, &bob] {
        let (_, s) = p.state().await?;
        assert!(
            s.calls.iter().any(|c| c.phase == CallPhase::Connected),
            "{} lost the call during the flood",
            p.name
        );
    }
    bob.key("ONHOOK").await?;
    for p in [&alice, &bob] {
        p.wait_for("the call to end", SIGNAL, |s| s.calls.is_empty())
            .await?;
    }

    // Bob heard alice's tone all through the flood: every 100 ms slice of
    // the recording from the start of the flood to its end carries it.
    let wav = std::fs::read_dir(bob.data_dir.join("recordings"))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "wav"))
        .expect("bob's recording");
    let (samples, rate) = read_wav(&wav)?;
    let slice = rate as usize / 10;
    let end = ((flood_ended.as_secs_f64() * f64::from(rate)) as usize).min(samples.len());
    // Skip the first half second (the stream starting).
    let start = rate as usize / 2;
    assert!(
        end > start + slice * 10,
        "recording too short: {} samples",
        samples.len()
    );
    let gaps: Vec<usize> = (start..end - slice)
        .step_by(slice)
        .filter(|&i| !tone_present(&samples[i..i + slice], 1000.0, rate, 0.01))
        .map(|i| i * 1000 / rate as usize)
        .collect();
    assert!(
        gaps.is_empty(),
        "audio gaps at these ms of the call during the flood: {gaps:?}"
    );
    Ok(())
}
