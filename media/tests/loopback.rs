//! Two RTP sessions talking over loopback with simulated audio.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use deskphone_media::analysis::{read_wav, tone_present};
use deskphone_media::{
    AudioBackend, CallQuality, Codec, MediaEvent, RTCP_INTERVAL, RtpConfig, RtpSession,
    SimulatedInput, SimulatorBackend,
};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

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
    start_with_events(
        backend,
        label,
        socket,
        remote,
        codec,
        mpsc::unbounded_channel().0,
    )
}

fn start_with_events(
    backend: &SimulatorBackend,
    label: &str,
    socket: UdpSocket,
    remote: SocketAddr,
    codec: Codec,
    events: mpsc::UnboundedSender<MediaEvent>,
) -> RtpSession {
    let (source, sink) = backend.open(label, codec.sample_rate()).unwrap();
    let pt = codec.sdp().static_payload_type.unwrap();
    RtpSession::start(
        socket,
        None,
        RtpConfig {
            remote,
            codec,
            send_payload_type: pt,
            receive_payload_type: pt,
            telephone_event: Some((101, 101)),
            ptime_ms: 20,
            ssrc: None,
            crypto: None,
            send_params: Default::default(),
            remote_rtcp: None,
            rtcp_interval: RTCP_INTERVAL,
        },
        source,
        sink,
        Box::new(move |e| {
            let _ = events.send(e);
        }),
    )
}

#[tokio::test]
async fn tone_crosses_loopback_and_is_recorded() {
    // G.722 carries a 6 kHz tone, which only wideband audio can.
    for (id, hz, absent) in [
        ("pcmu", 1000.0, 2000.0),
        ("pcma", 1000.0, 2000.0),
        ("g722", 6000.0, 2000.0),
    ] {
        let codec = Codec::by_id(id).unwrap();
        let rate = codec.sample_rate();
        let dir = temp_dir(codec.name());
        let caller = SimulatorBackend::new(
            SimulatedInput::Tone {
                frequency_hz: hz,
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
        let (heard, recorded_rate) = read_wav(&callee.recording_path("call-b")).unwrap();
        assert_eq!(recorded_rate, rate);
        assert!(
            heard.len() >= 20 * codec.frame_samples(20),
            "{codec:?}: only {} samples",
            heard.len()
        );
        assert!(
            tone_present(&heard, hz, rate, 0.1),
            "{codec:?}: {hz} Hz missing"
        );
        assert!(
            !tone_present(&heard, absent, rate, 0.01),
            "{codec:?}: {absent} Hz present"
        );
        let (back, _) = read_wav(&caller.recording_path("call-a")).unwrap();
        assert!(!back.is_empty() && !tone_present(&back, hz, rate, 0.01));
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
    let pcmu = Codec::by_id("pcmu").unwrap();
    let a = start(&caller, "early", sock_a, addr_parking, pcmu);
    let b = start(&callee, "late", sock_b, addr_a, pcmu);
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
    assert!(tone_present(&heard, 700.0, 8000, 0.05));
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn dtmf_digits_cross_loopback_as_rfc4733_events() {
    let dir = temp_dir("dtmf");
    let backend = SimulatorBackend::new(SimulatedInput::Silence, dir.clone());
    let ((sock_a, addr_a), (sock_b, addr_b)) = (bind().await, bind().await);
    let g722 = Codec::by_id("g722").unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut a = start(&backend, "dtmf-a", sock_a, addr_b, g722);
    let mut b = start_with_events(&backend, "dtmf-b", sock_b, addr_a, g722, tx);
    for digit in ['1', '#', '1', 'D'] {
        assert!(a.send_dtmf(digit));
    }
    assert!(!a.send_dtmf('x'), "not a DTMF digit");
    let mut got = Vec::new();
    while got.len() < 4 {
        match tokio::time::timeout(Duration::from_secs(3), rx.recv()).await {
            Ok(Some(MediaEvent::Dtmf(d))) => got.push(d),
            other => panic!("after {got:?}: {other:?}"),
        }
    }
    assert_eq!(got, ['1', '#', '1', 'D'], "each digit once, repeats too");
    a.stop().await;
    b.stop().await;
    std::fs::remove_dir_all(dir).unwrap();
}

/// RTP and RTCP on neighbouring ports, as RFC 3550 §11 pairs them.
async fn bind_pair() -> (UdpSocket, UdpSocket, SocketAddr) {
    loop {
        let rtp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = rtp.local_addr().unwrap();
        if addr.port() % 2 == 0
            && let Ok(rtcp) = UdpSocket::bind(("127.0.0.1", addr.port() + 1)).await
        {
            return (rtp, rtcp, addr);
        }
    }
}

#[tokio::test]
async fn rtcp_reports_give_both_sides_loss_jitter_and_round_trip() {
    let dir = temp_dir("rtcp");
    let backend = SimulatorBackend::new(SimulatedInput::Silence, dir.clone());
    let pcmu = Codec::by_id("pcmu").unwrap();
    let ((rtp_a, rtcp_a, addr_a), (rtp_b, rtcp_b, addr_b)) = (bind_pair().await, bind_pair().await);
    let start = |label: &str, rtp, rtcp, remote, tx: mpsc::UnboundedSender<MediaEvent>| {
        let (source, sink) = backend.open(label, 8000).unwrap();
        RtpSession::start(
            rtp,
            Some(rtcp),
            RtpConfig {
                remote,
                codec: pcmu,
                send_payload_type: 0,
                receive_payload_type: 0,
                telephone_event: None,
                ptime_ms: 20,
                ssrc: None,
                crypto: None,
                send_params: Default::default(),
                remote_rtcp: None,
                // Fast reports so the test does not wait for 5 s intervals.
                rtcp_interval: Duration::from_millis(200),
            },
            source,
            sink,
            Box::new(move |e| {
                let _ = tx.send(e);
            }),
        )
    };
    let (tx_a, mut rx_a) = mpsc::unbounded_channel();
    let (tx_b, _rx_b) = mpsc::unbounded_channel();
    let mut a = start("rtcp-a", rtp_a, rtcp_a, addr_b, tx_a);
    let mut b = start("rtcp-b", rtp_b, rtcp_b, addr_a, tx_b);
    // A lying compound packet to A's RTCP port is dropped and counted.
    let (stranger, _) = bind().await;
    let rtcp_port_a = SocketAddr::new(addr_a.ip(), addr_a.port() + 1);
    stranger
        .send_to(&[0x81, 201, 0, 9, 0, 0, 0, 1], rtcp_port_a)
        .await
        .unwrap();

    let mut last = CallQuality::default();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while last.round_trip_ms.is_none() {
        match tokio::time::timeout_at(deadline, rx_a.recv()).await {
            Ok(Some(MediaEvent::Quality(q))) => last = q,
            Ok(Some(_)) => {}
            other => panic!("no round trip in time: {other:?}, last {last:?}"),
        }
    }
    assert!(last.round_trip_ms.unwrap() < 50, "{last:?}");
    assert_eq!(last.loss_sent_permille, Some(0), "{last:?}");
    assert_eq!(last.loss_received_permille, 0, "{last:?}");
    let stats = a.stats();
    assert!(
        stats.rtcp_sent >= 1 && stats.rtcp_received >= 1,
        "{stats:?}"
    );
    assert_eq!(stats.rtcp_invalid, 1, "{stats:?}");
    a.stop().await;
    b.stop().await;
    std::fs::remove_dir_all(dir).unwrap();
}

/// Bad input on a running session: every kind is dropped and counted, and
/// the audio goes on (the tone still arrives after the flood).
#[tokio::test]
async fn malformed_rtp_is_counted_and_the_audio_goes_on() {
    let dir = temp_dir("bad");
    let caller = SimulatorBackend::new(
        SimulatedInput::Tone {
            frequency_hz: 1000.0,
            amplitude: 0.5,
        },
        dir.clone(),
    );
    let callee = SimulatorBackend::new(SimulatedInput::Silence, dir.clone());
    let pcmu = Codec::by_id("pcmu").unwrap();
    let ((sock_a, addr_a), (sock_b, addr_b)) = (bind().await, bind().await);
    let mut a = start(&caller, "bad-a", sock_a, addr_b, pcmu);
    let mut b = start(&callee, "bad-b", sock_b, addr_a, pcmu);
    let header = |first: u8, pt: u8| vec![first, pt, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9];
    let bad: Vec<Vec<u8>> = vec![
        // Version 1.
        [header(0x40, 0), vec![0xFF; 160]].concat(),
        // Padding count beyond the packet.
        [header(0xA0, 0), vec![0xFF; 10], vec![200]].concat(),
        // CSRC count 15 with no CSRCs.
        [header(0x8F, 0), vec![0xFF; 8]].concat(),
        // An extension header claiming 65535 words.
        [header(0x90, 0), vec![0xBE, 0xDE, 0xFF, 0xFF], vec![0; 16]].concat(),
        // A payload type nobody negotiated.
        [header(0x80, 77), vec![0xFF; 160]].concat(),
    ];
    let (stranger, _) = bind().await;
    for _ in 0..20 {
        for datagram in &bad {
            stranger.send_to(datagram, addr_b).await.unwrap();
        }
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    a.stop().await;
    b.stop().await;
    let stats = b.stats();
    assert_eq!(stats.packets_invalid, 100, "{stats:?}");
    assert!(stats.packets_received >= 20, "{stats:?}");
    let (heard, _) = read_wav(&callee.recording_path("bad-b")).unwrap();
    assert!(tone_present(&heard, 1000.0, 8000, 0.1));
    std::fs::remove_dir_all(dir).unwrap();
}

/// M3: SRTP between two sessions: a tone crosses encrypted; plain RTP and forged
/// packets are dropped and counted (replays: `srtp` unit tests); switching both sides to plain RTP mid-call
/// (a re-INVITE without crypto) keeps the audio going.
#[tokio::test]
async fn srtp_carries_audio_drops_forgeries_and_falls_back_to_rtp() {
    use deskphone_media::srtp::{CryptoSuite, MasterKey, SrtpPlan};
    let codec = Codec::by_id("pcmu").unwrap();
    let dir = temp_dir("srtp");
    let caller = SimulatorBackend::new(
        SimulatedInput::Tone {
            frequency_hz: 1000.0,
            amplitude: 0.5,
        },
        dir.clone(),
    );
    let callee = SimulatorBackend::new(SimulatedInput::Silence, dir.clone());
    let ((sock_a, addr_a), (sock_b, addr_b)) = (bind().await, bind().await);
    let (ka, kb) = (MasterKey::random().unwrap(), MasterKey::random().unwrap());
    let plan_a = SrtpPlan {
        suite: CryptoSuite::AesCm128HmacSha1_32,
        tag: 1,
        send_key: ka,
        receive_key: kb,
    };
    let plan_b = SrtpPlan {
        send_key: kb,
        receive_key: ka,
        ..plan_a
    };
    let a = start(&caller, "srtp-a", sock_a, addr_b, codec);
    let mut b = start(&callee, "srtp-b", sock_b, addr_a, codec);
    a.set_crypto(Some(plan_a));
    b.set_crypto(Some(plan_b));
    assert!(a.encrypted() && b.encrypted());

    // A stranger's plain RTP, and the same with a made-up tag.
    let (stranger, _) = bind().await;
    let mut plain = vec![0x80, 0, 0, 1, 0, 0, 0, 160, 0, 0, 0, 7];
    plain.extend_from_slice(&[0xFF; 160]);
    stranger.send_to(&plain, addr_b).await.unwrap();
    plain.extend_from_slice(&[1, 2, 3, 4]);
    stranger.send_to(&plain, addr_b).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let during = b.stats();
    assert!(during.packets_received >= 15, "{during:?}");
    assert_eq!(during.srtp_auth_failed, 2, "{during:?}");

    // Fall back to RTP on both sides: the audio goes on, nothing more fails.
    a.set_crypto(None);
    b.set_crypto(None);
    assert!(!b.encrypted());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut a = a;
    a.stop().await;
    b.stop().await;
    let after = b.stats();
    assert!(
        after.packets_received >= during.packets_received + 10,
        "{after:?}"
    );
    assert!(
        after.srtp_auth_failed <= during.srtp_auth_failed + 2,
        "{after:?}"
    );
    let (heard, rate) = read_wav(&callee.recording_path("srtp-b")).unwrap();
    // Frame by frame: SRTP packets in flight at the switch play as one noisy frame.
    let frames: Vec<&[i16]> = heard.chunks_exact(160).collect();
    let toned = frames
        .iter()
        .filter(|f| tone_present(f, 1000.0, rate, 0.1))
        .count();
    assert!(
        toned * 10 >= frames.len() * 8,
        "{toned} of {} frames carry the tone",
        frames.len()
    );
}

/// M1: without telephone-event, digits go in-band as dual tones through G.711 and the
/// other side's detector reports each once.
#[tokio::test]
async fn inband_dtmf_crosses_g711_without_telephone_event() {
    let codec = Codec::by_id("pcma").unwrap();
    let dir = temp_dir("inband");
    let backend = SimulatorBackend::new(SimulatedInput::Silence, dir.clone());
    let ((sock_a, addr_a), (sock_b, addr_b)) = (bind().await, bind().await);
    let config = |remote| RtpConfig {
        remote,
        codec,
        send_payload_type: 8,
        receive_payload_type: 8,
        telephone_event: None,
        ptime_ms: 20,
        ssrc: None,
        crypto: None,
        send_params: Default::default(),
        remote_rtcp: None,
        rtcp_interval: RTCP_INTERVAL,
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (source, sink) = backend.open("inband-a", 8000).unwrap();
    let mut a = RtpSession::start(sock_a, None, config(addr_b), source, sink, Box::new(|_| {}));
    let (source, sink) = backend.open("inband-b", 8000).unwrap();
    let mut b = RtpSession::start(
        sock_b,
        None,
        config(addr_a),
        source,
        sink,
        Box::new(move |e| {
            let _ = tx.send(e);
        }),
    );
    for digit in ['1', '#', '9', 'D'] {
        assert!(a.send_dtmf(digit), "{digit} goes in-band");
    }
    assert!(!a.send_dtmf('x'));
    tokio::time::sleep(Duration::from_millis(1200)).await;
    a.stop().await;
    b.stop().await;
    let mut heard = String::new();
    while let Ok(e) = rx.try_recv() {
        if let MediaEvent::Dtmf(d) = e {
            heard.push(d);
        }
    }
    assert_eq!(heard, "1#9D");
}
