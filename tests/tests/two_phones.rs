//! Two real phones on loopback call each other: dial through
//! `/command.htm`, the callee's screen shows the call, audio flows both
//! ways, both screens return to idle.

use std::time::Duration;

use deskphone_protocol::{CallPhase, EndReason};
use deskphone_tests::{PhoneOptions, TestPhone, assert_newest_recording_hears, decode_png};

const SCREEN: Duration = Duration::from_secs(60);
const SIGNAL: Duration = Duration::from_secs(15);

fn screen_is(text: &str, name: &str) -> bool {
    text.lines().nth(1) == Some(&format!("screen {name}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alice_calls_bob_and_each_hears_the_other() -> anyhow::Result<()> {
    let alice = TestPhone::start(
        "alice",
        PhoneOptions {
            user: "alice",
            display_name: "Alice",
            sim_input: "tone:1000",
            display: true,
        },
    )
    .await?;
    let bob = TestPhone::start(
        "bob",
        PhoneOptions {
            user: "bob",
            display_name: "Bob",
            sim_input: "tone:440",
            display: true,
        },
    )
    .await?;

    let idle = bob
        .wait_for_screen("idle", SCREEN, |t| {
            screen_is(t, "idle") && t.contains("Bob")
        })
        .await?;
    alice
        .wait_for_screen("idle", SCREEN, |t| {
            screen_is(t, "idle") && t.contains("Alice")
        })
        .await?;
    let (_, idle_png) = bob.get("/screen.png").await?;
    let (w, h, idle_pixels) = decode_png(&idle_png)?;
    assert_eq!((w, h), (480, 272), "the frame has the model's resolution");
    assert!(!idle.contains("Alice"), "bob's idle screen: {idle}");

    alice.dial(&bob.sip_uri("bob")).await?;
    bob.wait_for("the incoming call", SIGNAL, |s| {
        s.calls
            .iter()
            .any(|c| c.phase == CallPhase::Ringing && c.remote_name == "Alice")
    })
    .await?;
    alice
        .wait_for("ringback", SIGNAL, |s| {
            s.calls.iter().any(|c| c.phase == CallPhase::Ringback)
        })
        .await?;
    bob.wait_for_screen("the incoming call", SIGNAL, |t| {
        screen_is(t, "incoming") && t.contains("Alice")
    })
    .await?;
    let (_, ringing_png) = bob.get("/screen.png").await?;
    let (_, _, ringing_pixels) = decode_png(&ringing_png)?;
    assert_ne!(
        idle_pixels, ringing_pixels,
        "the frame changed for the incoming call"
    );

    bob.key("OFFHOOK").await?;
    for phone in [&alice, &bob] {
        phone
            .wait_for("the connected call", SIGNAL, |s| {
                s.calls
                    .iter()
                    .any(|c| c.phase == CallPhase::Connected && c.codec.is_some())
            })
            .await?;
    }
    bob.wait_for_screen("the call", SIGNAL, |t| screen_is(t, "in-call"))
        .await?;
    tokio::time::sleep(Duration::from_secs(2)).await;

    bob.key("ONHOOK").await?;
    let alice_after = alice
        .wait_for("the call to end", SIGNAL, |s| s.calls.is_empty())
        .await?;
    assert_eq!(
        alice_after.last_ended_call.map(|c| c.reason),
        Some(EndReason::RemoteHangup)
    );
    bob.wait_for("the call to end", SIGNAL, |s| s.calls.is_empty())
        .await?;
    for phone in [&alice, &bob] {
        phone
            .wait_for_screen("idle again", SCREEN, |t| screen_is(t, "idle"))
            .await?;
    }

    // What each phone received is in its recording: bob heard alice's
    // 1 kHz tone, alice heard bob's 440 Hz.
    assert_newest_recording_hears(&bob, 1000.0, 440.0)?;
    assert_newest_recording_hears(&alice, 440.0, 1000.0)?;
    Ok(())
}
