//! Two RTP sessions talking over loopback with simulated audio.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use deskphone_media::analysis::{read_wav, tone_present};
use deskphone_media::{
    AudioBackend, Codec, RtpConfig, RtpSession, SAMPLE_RATE, SimulatedInput, SimulatorBackend,
};
use tokio::net::UdpSocket;

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("deskphone-loopback-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

async fn bind() -> (UdpSocket, SocketAddr) {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    (socket, addr)
}

fn start(
    backend: &SimulatorBackend,
    label: &str,
    socket: UdpSocket,
    remote: SocketAddr,
    codec: Codec,
) -> RtpSession {
    let (source, sink) = backend.open(label).unwrap();
    RtpSession::start(
        socket,
        RtpConfig {
            remote,
            codec,
            ssrc: None,
        },
        source,
        sink,
    )
}

#[tokio::test]
async fn tone_crosses_loopback_and_is_recorded() {
    for codec in [Codec::Pcmu, Codec::Pcma] {
        let dir = temp_dir(codec.name());
        let caller = SimulatorBackend::new(
            SimulatedInput::Tone {
                frequency_hz: 1000.0,
                amplitude: 0.5,
            },
            dir.clone(),
        );
        let callee = SimulatorBackend::new(SimulatedInput::Silence, dir.clone());
        let ((sock_a, addr_a), (sock_b, addr_b)) = (bind().await, bind().await);
        let mut a = start(&caller, "call-a", sock_a, addr_b, codec);
        let mut b = start(&callee, "call-b", sock_b, addr_a, codec);

        // Garbage and a foreign payload type must be counted and ignored.
        let (stranger, _) = bind().await;
        stranger
            .send_to(b"definitely not RTP", addr_b)
            .await
            .unwrap();
        stranger
            .send_to(&[0x80, 101, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xAA], addr_b)
            .await
            .unwrap();

        tokio::time::sleep(Duration::from_millis(600)).await;
        a.stop().await;
        b.stop().await;
        b.stop().await; // idempotent

        let (sa, sb) = (a.stats(), b.stats());
        assert!(sa.packets_sent >= 20, "{codec:?}: {sa:?}");
        assert!(sb.packets_received >= 20, "{codec:?}: {sb:?}");
        assert_eq!(sb.packets_invalid, 2, "{codec:?}: {sb:?}");

        // stop() finalised both recordings.
        let (heard, rate) = read_wav(&callee.recording_path("call-b")).unwrap();
        assert_eq!(rate, SAMPLE_RATE);
        assert!(
            heard.len() >= 20 * 160,
            "{codec:?}: only {} samples",
            heard.len()
        );
        assert!(
            tone_present(&heard, 1000.0, SAMPLE_RATE, 0.1),
            "{codec:?}: 1 kHz missing"
        );
        assert!(
            !tone_present(&heard, 2000.0, SAMPLE_RATE, 0.01),
            "{codec:?}: 2 kHz present"
        );
        let (back, _) = read_wav(&caller.recording_path("call-a")).unwrap();
        assert!(!back.is_empty() && !tone_present(&back, 1000.0, SAMPLE_RATE, 0.01));
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[tokio::test]
async fn set_remote_redirects_and_drop_finalises() {
    let dir = temp_dir("redirect");
    let caller = SimulatorBackend::new(
        SimulatedInput::Tone {
            frequency_hz: 700.0,
            amplitude: 0.3,
        },
        dir.clone(),
    );
    let callee = SimulatorBackend::new(SimulatedInput::Silence, dir.clone());
    let ((sock_a, addr_a), (sock_b, addr_b), (parking, addr_parking)) =
        (bind().await, bind().await, bind().await);
    // Start by sending to a socket nobody reads, as before an answer arrives.
    let a = start(&caller, "early", sock_a, addr_parking, Codec::Pcmu);
    let b = start(&callee, "late", sock_b, addr_a, Codec::Pcmu);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(b.stats().packets_received, 0);
    a.set_remote(addr_b);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(b.stats().packets_received >= 5, "{:?}", b.stats());
    drop(parking);
    // Dropping stops the sessions; the tasks finish their sinks on their own.
    drop(a);
    drop(b);
    let path = callee.recording_path("late");
    let mut heard = Vec::new();
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if let Ok((samples, _)) = read_wav(&path)
            && !samples.is_empty()
        {
            heard = samples;
            break;
        }
    }
    assert!(tone_present(&heard, 700.0, SAMPLE_RATE, 0.05));
    std::fs::remove_dir_all(dir).unwrap();
}
