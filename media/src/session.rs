//! One call's RTP stream: G.711 out every 20 ms, G.711 in to the speaker.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use crate::FRAME_SAMPLES;
use crate::backend::{AudioSink, AudioSource};
use crate::codec::Codec;
use crate::rtp::RtpPacket;

/// Packet time: 20 ms, the RFC 3551 §4.5.14 default for G.711.
const PTIME: Duration = Duration::from_millis(20);
/// Longest sending backlog caught up in a burst (five packets).
const MAX_CATCH_UP: Duration = Duration::from_millis(100);
/// Largest datagram we accept; RTP over Ethernet stays below 1500.
const MAX_DATAGRAM: usize = 2048;
/// Packets held back while a sequence number is missing. Three (60 ms) fixes
/// the usual one- or two-packet swap; when nothing is missing packets pass
/// straight through, so it adds no delay in the normal case.
const REORDER_WINDOW: usize = 3;
/// A sequence number this far behind means the sender restarted its
/// numbering rather than a late packet (cf. MAX_MISORDER, RFC 3550 A.1).
const MAX_MISORDER: i16 = 100;

/// Where and how to send.
#[derive(Clone, Copy, Debug)]
pub struct RtpConfig {
    pub remote: SocketAddr,
    pub codec: Codec,
    /// Our synchronisation source; random if `None` (RFC 3550 §8.1).
    pub ssrc: Option<u32>,
}

/// Counters since the session started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RtpStats {
    pub packets_sent: u64,
    /// Valid packets of our payload type (duplicates included).
    pub packets_received: u64,
    /// Datagrams that were not RTP or carried another payload type.
    pub packets_invalid: u64,
}

/// State shared between the handle and its task.
struct Shared {
    remote: Mutex<SocketAddr>,
    /// False while the negotiated direction does not let us send (hold, RFC 3264 §8.4):
    /// frames are still read, so the clock runs on, but not sent.
    sending: AtomicBool,
    sent: AtomicU64,
    received: AtomicU64,
    invalid: AtomicU64,
}

/// A running RTP session. Stopping it (explicitly with [`RtpSession::stop`],
/// or by dropping it) ends the task, which then calls `sink.finish()`.
pub struct RtpSession {
    shared: Arc<Shared>,
    /// Dropping this wakes the task and makes it stop.
    stop_tx: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RtpSession {
    /// Spawns the media task on the current tokio runtime; `socket` is already
    /// bound by the caller and is used for both directions (symmetric RTP,
    /// RFC 4961), which is what NATs and most phones expect.
    pub fn start(
        socket: UdpSocket,
        config: RtpConfig,
        source: Box<dyn AudioSource>,
        sink: Box<dyn AudioSink>,
    ) -> RtpSession {
        let shared = Arc::new(Shared {
            remote: Mutex::new(config.remote),
            sending: AtomicBool::new(true),
            sent: AtomicU64::new(0),
            received: AtomicU64::new(0),
            invalid: AtomicU64::new(0),
        });
        let (stop_tx, stop_rx) = oneshot::channel();
        let ssrc = config.ssrc.unwrap_or_else(|| fastrand::u32(..));
        tracing::debug!(local = ?socket.local_addr().ok(), remote = %config.remote,
            codec = config.codec.name(), ssrc, "RTP session starting");
        let task = tokio::spawn(run(
            socket,
            Packetiser::new(config.codec, ssrc),
            Depacketiser::new(config.codec),
            source,
            sink,
            shared.clone(),
            stop_rx,
        ));
        RtpSession {
            shared,
            stop_tx: Some(stop_tx),
            task: Some(task),
        }
    }

    /// Changes where we send (e.g. after an answer with a new address).
    pub fn set_remote(&self, remote: SocketAddr) {
        *self
            .shared
            .remote
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = remote;
    }

    /// Sends our audio or stops sending it (the stream is held or inactive); receiving
    /// goes on either way.
    pub fn set_sending(&self, sending: bool) {
        self.shared.sending.store(sending, Ordering::Relaxed);
    }

    pub fn stats(&self) -> RtpStats {
        RtpStats {
            packets_sent: self.shared.sent.load(Ordering::Relaxed),
            packets_received: self.shared.received.load(Ordering::Relaxed),
            packets_invalid: self.shared.invalid.load(Ordering::Relaxed),
        }
    }

    /// Stops the task, which calls `sink.finish()`, and waits for it. Idempotent.
    pub async fn stop(&mut self) {
        self.stop_tx.take();
        if let Some(task) = self.task.take()
            && let Err(e) = task.await
        {
            tracing::warn!(error = %e, "RTP task ended abnormally");
        }
    }
}

async fn run(
    socket: UdpSocket,
    mut packetiser: Packetiser,
    mut depacketiser: Depacketiser,
    mut source: Box<dyn AudioSource>,
    mut sink: Box<dyn AudioSink>,
    shared: Arc<Shared>,
    mut stop: oneshot::Receiver<()>,
) {
    let mut ticker = tokio::time::interval(PTIME);
    // Burst: the microphone keeps producing 8000 samples/s whatever the
    // scheduler does, and the far end plays out at that rate. After a stall,
    // sending the missed frames at once keeps our packet clock equal to the
    // audio clock; Delay would shift the schedule for good, so the capture
    // buffer would overflow and the RTP timestamps would lag real time.
    // The burst is capped below so a suspended laptop does not flood the
    // network with minutes of audio on resume.
    ticker.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let mut datagram = vec![0u8; MAX_DATAGRAM];
    loop {
        tokio::select! {
            biased;
            _ = &mut stop => break,
            scheduled = ticker.tick() => {
                if scheduled.elapsed() > MAX_CATCH_UP {
                    tracing::debug!(late = ?scheduled.elapsed(), "RTP sender stalled; skipping the backlog");
                    ticker.reset();
                }
                let packet = packetiser.next_packet(source.as_mut());
                if !shared.sending.load(Ordering::Relaxed) {
                    continue;
                }
                let to = *shared.remote.lock().unwrap_or_else(PoisonError::into_inner);
                match socket.send_to(packet, to).await {
                    Ok(_) => { shared.sent.fetch_add(1, Ordering::Relaxed); }
                    // Transient (no route yet, ICMP feedback): the next packet may work.
                    Err(e) => tracing::debug!(%to, error = %e, "RTP send failed"),
                }
            }
            received = socket.recv_from(&mut datagram) => match received {
                Ok((len, _from)) => {
                    // The source address is not checked: with NAT or a changed
                    // answer it legitimately differs from `remote`.
                    let counter = if depacketiser.handle(&datagram[..len], sink.as_mut()) {
                        &shared.received
                    } else {
                        &shared.invalid
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                // E.g. ICMP port unreachable surfacing on Linux; keep going.
                Err(e) => tracing::debug!(error = %e, "RTP receive failed"),
            },
        }
    }
    depacketiser.flush(sink.as_mut());
    sink.finish();
    tracing::debug!("RTP session stopped");
}

/// Builds outgoing packets (RFC 3550 §5.1).
struct Packetiser {
    codec: Codec,
    ssrc: u32,
    sequence: u16,
    timestamp: u32,
    first: bool,
    frame: [i16; FRAME_SAMPLES],
    payload: Vec<u8>,
    datagram: Vec<u8>,
}

impl Packetiser {
    fn new(codec: Codec, ssrc: u32) -> Self {
        Packetiser {
            codec,
            ssrc,
            // Random initial values make known-plaintext attacks on encrypted
            // streams harder (RFC 3550 §5.1).
            sequence: fastrand::u16(..),
            timestamp: fastrand::u32(..),
            first: true,
            frame: [0; FRAME_SAMPLES],
            payload: Vec::with_capacity(FRAME_SAMPLES),
            datagram: Vec::with_capacity(FRAME_SAMPLES + 12),
        }
    }

    /// Reads one frame and returns the datagram carrying it. The counters
    /// advance even if the send later fails: the receiver sees a lost packet.
    fn next_packet(&mut self, source: &mut dyn AudioSource) -> &[u8] {
        source.read_frame(&mut self.frame);
        self.payload.clear();
        self.codec.encode(&self.frame, &mut self.payload);
        self.datagram.clear();
        RtpPacket {
            // Marks the start of a talkspurt; we send continuously, so only the
            // first packet starts one (RFC 3551 §4.1).
            marker: self.first,
            payload_type: self.codec.payload_type(),
            sequence: self.sequence,
            timestamp: self.timestamp,
            ssrc: self.ssrc,
            payload: &self.payload,
        }
        .write(&mut self.datagram);
        self.first = false;
        self.sequence = self.sequence.wrapping_add(1);
        // The timestamp counts samples at the 8 kHz RTP clock (RFC 3551 §4.5.14).
        self.timestamp = self.timestamp.wrapping_add(FRAME_SAMPLES as u32);
        &self.datagram
    }
}

/// Turns incoming datagrams into audio for the sink: drops duplicates and
/// late packets, and undoes small reorderings.
struct Depacketiser {
    codec: Codec,
    ssrc: Option<u32>,
    /// Sequence number expected next; `None` before the first packet.
    next: Option<u16>,
    /// Packets that arrived ahead of a missing one.
    held: Vec<(u16, Vec<u8>)>,
    pcm: Vec<i16>,
}

impl Depacketiser {
    fn new(codec: Codec) -> Self {
        Depacketiser {
            codec,
            ssrc: None,
            next: None,
            held: Vec::new(),
            pcm: Vec::new(),
        }
    }

    /// Returns false if the datagram is not a valid packet of our payload type.
    fn handle(&mut self, datagram: &[u8], sink: &mut dyn AudioSink) -> bool {
        let packet = match RtpPacket::parse(datagram) {
            Ok(p) if p.payload_type == self.codec.payload_type() => p,
            _ => return false,
        };
        if self.ssrc != Some(packet.ssrc) {
            // A new source has its own sequence space (RFC 3550 §8.2): play what
            // the old one left and start over.
            self.flush(sink);
            self.ssrc = Some(packet.ssrc);
            self.next = None;
        }
        let seq = packet.sequence;
        let Some(next) = self.next else {
            self.play(seq, packet.payload, sink);
            return true;
        };
        let ahead = seq.wrapping_sub(next) as i16;
        if ahead < -MAX_MISORDER {
            self.flush(sink);
            self.play(seq, packet.payload, sink);
        } else if ahead < 0 || self.held.iter().any(|(s, _)| *s == seq) {
            tracing::trace!(seq, "duplicate or late RTP packet dropped");
        } else if ahead == 0 {
            self.play(seq, packet.payload, sink);
            self.play_contiguous(sink);
        } else {
            self.held.push((seq, packet.payload.to_vec()));
            if self.held.len() > REORDER_WINDOW {
                // The missing packet is presumed lost: carry on from the oldest held.
                self.play_oldest(sink);
                self.play_contiguous(sink);
            }
        }
        true
    }

    /// Plays everything held, in sequence order (used when stopping).
    fn flush(&mut self, sink: &mut dyn AudioSink) {
        while !self.held.is_empty() {
            self.play_oldest(sink);
        }
    }

    fn play_oldest(&mut self, sink: &mut dyn AudioSink) {
        let next = self.next.unwrap_or(0);
        let oldest = (0..self.held.len()).min_by_key(|&i| self.held[i].0.wrapping_sub(next));
        if let Some(i) = oldest {
            let (seq, payload) = self.held.swap_remove(i);
            self.play(seq, &payload, sink);
        }
    }

    fn play_contiguous(&mut self, sink: &mut dyn AudioSink) {
        while let Some(i) = self.held.iter().position(|(s, _)| Some(*s) == self.next) {
            let (seq, payload) = self.held.swap_remove(i);
            self.play(seq, &payload, sink);
        }
    }

    fn play(&mut self, seq: u16, payload: &[u8], sink: &mut dyn AudioSink) {
        self.next = Some(seq.wrapping_add(1));
        self.pcm.clear();
        self.codec.decode(payload, &mut self.pcm);
        if !self.pcm.is_empty() {
            sink.write_frame(&self.pcm);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records the length of each frame: the tests tag packets by payload length.
    #[derive(Default)]
    struct Lengths(Vec<usize>);
    impl AudioSink for Lengths {
        fn write_frame(&mut self, frame: &[i16]) {
            self.0.push(frame.len());
        }
    }

    /// A packet whose payload is `seq % 1000 + 1` bytes long.
    fn datagram(seq: u16, ssrc: u32, pt: u8) -> Vec<u8> {
        let payload = vec![0xFF; usize::from(seq % 1000) + 1];
        let mut out = Vec::new();
        RtpPacket {
            marker: false,
            payload_type: pt,
            sequence: seq,
            timestamp: 0,
            ssrc,
            payload: &payload,
        }
        .write(&mut out);
        out
    }

    /// Feeds packets with these sequence numbers; returns the order played.
    fn run_sequence(seqs: &[u16]) -> Vec<u16> {
        let mut d = Depacketiser::new(Codec::Pcmu);
        let mut sink = Lengths::default();
        for &s in seqs {
            assert!(d.handle(&datagram(s, 7, 0), &mut sink));
        }
        d.flush(&mut sink);
        sink.0
            .iter()
            .map(|&len| {
                seqs.iter()
                    .copied()
                    .find(|s| usize::from(s % 1000) + 1 == len)
                    .unwrap()
            })
            .collect()
    }

    #[test]
    fn in_order_duplicates_and_reordering() {
        assert_eq!(run_sequence(&[1, 2, 3, 4]), [1, 2, 3, 4]);
        assert_eq!(
            run_sequence(&[1, 2, 2, 3, 1]),
            [1, 2, 3],
            "duplicates and late packets dropped"
        );
        assert_eq!(run_sequence(&[1, 3, 2, 4]), [1, 2, 3, 4], "swap is undone");
        assert_eq!(
            run_sequence(&[1, 3, 4, 5, 6, 7]),
            [1, 3, 4, 5, 6, 7],
            "loss gives up after the window"
        );
        assert_eq!(
            run_sequence(&[1, 3, 3, 2]),
            [1, 2, 3],
            "duplicate of a held packet"
        );
        assert_eq!(
            run_sequence(&[65_534, 65_535, 0, 1]),
            [65_534, 65_535, 0, 1],
            "wraps"
        );
        assert_eq!(
            run_sequence(&[500, 501, 5, 6]),
            [500, 501, 5, 6],
            "far behind = restart"
        );
    }

    #[test]
    fn rejects_other_payload_types_and_garbage() {
        let mut d = Depacketiser::new(Codec::Pcmu);
        let mut sink = Lengths::default();
        assert!(!d.handle(&datagram(1, 7, 8), &mut sink));
        assert!(!d.handle(b"not rtp at all", &mut sink));
        assert!(!d.handle(&[], &mut sink));
        assert!(sink.0.is_empty());
    }

    #[test]
    fn packetiser_follows_rfc3550() {
        struct Ramp(i16);
        impl AudioSource for Ramp {
            fn read_frame(&mut self, frame: &mut [i16; FRAME_SAMPLES]) {
                frame.fill(self.0);
                self.0 += 1000;
            }
        }
        let mut p = Packetiser::new(Codec::Pcma, 0x1234_5678);
        let mut source = Ramp(0);
        let first = p.next_packet(&mut source).to_vec();
        let second = p.next_packet(&mut source).to_vec();
        let (a, b) = (
            RtpPacket::parse(&first).unwrap(),
            RtpPacket::parse(&second).unwrap(),
        );
        assert!(a.marker && !b.marker);
        assert_eq!(
            (a.payload_type, a.ssrc, a.payload.len()),
            (8, 0x1234_5678, FRAME_SAMPLES)
        );
        assert_eq!(b.sequence, a.sequence.wrapping_add(1));
        assert_eq!(b.timestamp, a.timestamp.wrapping_add(160));
        assert_eq!(a.payload[0], crate::g711::alaw_encode(0));
        assert_eq!(b.payload[0], crate::g711::alaw_encode(1000));
    }
}
