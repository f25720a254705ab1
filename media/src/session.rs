//! One call's RTP stream: audio out every packet time, audio in to the speaker,
//! and RFC 4733 telephone-events both ways.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use crate::backend::{AudioSink, AudioSource};
use crate::codec::{Codec, Decoder, Encoder};
use crate::dtmf::{self, DtmfEvent};
use crate::jitter::{Concealer, JitterBuffer, JitterConfig, JitterStats, Playout};
use crate::rtp::RtpPacket;

/// Longest sending backlog caught up in a burst (five packets).
const MAX_CATCH_UP: Duration = Duration::from_millis(100);
/// Largest datagram we accept; RTP over Ethernet stays below 1500.
const MAX_DATAGRAM: usize = 2048;

/// Where and how to send and what to accept: the media plan of a call.
#[derive(Clone, Copy, Debug)]
pub struct RtpConfig {
    pub remote: SocketAddr,
    pub codec: Codec,
    /// The payload type we put on our packets (the number the peer's
    /// description gave the codec, RFC 3264 §5.1).
    pub send_payload_type: u8,
    /// The payload type the peer's audio arrives with (our description's number).
    pub receive_payload_type: u8,
    /// RFC 4733 telephone-event payload types (send, receive), if negotiated.
    pub telephone_event: Option<(u8, u8)>,
    /// Packet time in milliseconds.
    pub ptime_ms: u32,
    /// Our synchronisation source; random if `None` (RFC 3550 §8.1).
    pub ssrc: Option<u32>,
}

/// What the media task reports to its owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaEvent {
    /// A DTMF digit arrived as an RFC 4733 event (reported once per event).
    Dtmf(char),
}

/// Counters since the session started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RtpStats {
    pub packets_sent: u64,
    /// Valid packets of a negotiated payload type (duplicates included).
    pub packets_received: u64,
    /// Datagrams that were not RTP or carried a payload type not negotiated.
    pub packets_invalid: u64,
}

/// State shared between the handle and its task.
struct Shared {
    remote: Mutex<SocketAddr>,
    /// False while the negotiated direction does not let us send (hold, RFC 3264 §8.4):
    /// frames are still read, so the clock runs on, but not sent.
    sending: AtomicBool,
    /// Digits waiting to go out as RFC 4733 events.
    dtmf: Mutex<VecDeque<char>>,
    sent: AtomicU64,
    received: AtomicU64,
    invalid: AtomicU64,
    /// The jitter buffer's view, refreshed every packet time.
    reception: Mutex<Reception>,
}

/// What the receiving side measured.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Reception {
    pub jitter: JitterStats,
    /// Interarrival jitter in ms (RFC 3550 §6.4.1).
    pub jitter_ms: f64,
    /// The jitter buffer's current target delay in ms.
    pub target_delay_ms: u32,
}

/// Called by the media task for each [`MediaEvent`].
pub type EventHandler = Box<dyn FnMut(MediaEvent) + Send>;

/// A running RTP session. Stopping it (explicitly with [`RtpSession::stop`],
/// or by dropping it) ends the task, which then calls `sink.finish()`.
pub struct RtpSession {
    shared: Arc<Shared>,
    telephone_event: bool,
    /// Dropping this wakes the task and makes it stop.
    stop_tx: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RtpSession {
    /// Spawns the media task on the current tokio runtime; `socket` is already
    /// bound by the caller and is used for both directions (symmetric RTP,
    /// RFC 4961), which is what NATs and most phones expect. `source` and
    /// `sink` work at the codec's sample rate.
    pub fn start(
        socket: UdpSocket,
        config: RtpConfig,
        source: Box<dyn AudioSource>,
        sink: Box<dyn AudioSink>,
        events: EventHandler,
    ) -> RtpSession {
        let shared = Arc::new(Shared {
            remote: Mutex::new(config.remote),
            sending: AtomicBool::new(true),
            dtmf: Mutex::new(VecDeque::new()),
            sent: AtomicU64::new(0),
            received: AtomicU64::new(0),
            invalid: AtomicU64::new(0),
            reception: Mutex::new(Reception::default()),
        });
        let (stop_tx, stop_rx) = oneshot::channel();
        let ssrc = config.ssrc.unwrap_or_else(|| fastrand::u32(..));
        tracing::debug!(local = ?socket.local_addr().ok(), remote = %config.remote,
            codec = config.codec.name(), ssrc, "RTP session starting");
        let task = tokio::spawn(run(
            socket,
            Packetiser::new(&config, ssrc),
            Depacketiser::new(&config),
            source,
            sink,
            events,
            shared.clone(),
            stop_rx,
            Duration::from_millis(u64::from(config.ptime_ms)),
        ));
        RtpSession {
            shared,
            telephone_event: config.telephone_event.is_some(),
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

    /// Queues a digit to go out as an RFC 4733 event. False (and nothing
    /// queued) when telephone-event was not negotiated or `digit` is not DTMF.
    pub fn send_dtmf(&self, digit: char) -> bool {
        if !self.telephone_event || dtmf::event_code(digit).is_none() {
            return false;
        }
        self.shared
            .dtmf
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back(digit);
        true
    }

    /// The jitter buffer's counters and estimates.
    pub fn reception(&self) -> Reception {
        *self
            .shared
            .reception
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
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

#[allow(clippy::too_many_arguments)] // one task, spawned from one place
async fn run(
    socket: UdpSocket,
    mut packetiser: Packetiser,
    mut depacketiser: Depacketiser,
    mut source: Box<dyn AudioSource>,
    mut sink: Box<dyn AudioSink>,
    mut events: EventHandler,
    shared: Arc<Shared>,
    mut stop: oneshot::Receiver<()>,
    ptime: Duration,
) {
    let mut ticker = tokio::time::interval(ptime);
    // Burst: the microphone keeps producing samples whatever the scheduler
    // does, and the far end plays out at that rate. After a stall, sending
    // the missed frames at once keeps our packet clock equal to the audio
    // clock; Delay would shift the schedule for good, so the capture buffer
    // would overflow and the RTP timestamps would lag real time. The burst is
    // capped below so a suspended laptop does not flood the network with
    // minutes of audio on resume.
    ticker.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let mut datagram = vec![0u8; MAX_DATAGRAM];
    let mut out = Vec::with_capacity(4);
    let start = tokio::time::Instant::now();
    let now_ms = || start.elapsed().as_millis() as u64;
    loop {
        tokio::select! {
            biased;
            _ = &mut stop => break,
            scheduled = ticker.tick() => {
                if scheduled.elapsed() > MAX_CATCH_UP {
                    tracing::debug!(late = ?scheduled.elapsed(), "RTP sender stalled; skipping the backlog");
                    ticker.reset();
                }
                // The send clock is also the playout clock: one frame each way.
                depacketiser.playout(now_ms(), sink.as_mut());
                *shared.reception.lock().unwrap_or_else(PoisonError::into_inner) =
                    depacketiser.reception();
                if packetiser.idle() {
                    let next = shared.dtmf.lock().unwrap_or_else(PoisonError::into_inner).pop_front();
                    if let Some(digit) = next {
                        packetiser.start_dtmf(digit);
                    }
                }
                out.clear();
                packetiser.next_packets(source.as_mut(), &mut out);
                if !shared.sending.load(Ordering::Relaxed) {
                    continue;
                }
                let to = *shared.remote.lock().unwrap_or_else(PoisonError::into_inner);
                for packet in &out {
                    match socket.send_to(packet, to).await {
                        Ok(_) => { shared.sent.fetch_add(1, Ordering::Relaxed); }
                        // Transient (no route yet, ICMP feedback): the next packet may work.
                        Err(e) => tracing::debug!(%to, error = %e, "RTP send failed"),
                    }
                }
            }
            received = socket.recv_from(&mut datagram) => match received {
                Ok((len, _from)) => {
                    // The source address is not checked: with NAT or a changed
                    // answer it legitimately differs from `remote`.
                    let counter = match depacketiser.handle(&datagram[..len], now_ms()) {
                        Received::Audio => &shared.received,
                        Received::Dtmf(digit) => {
                            events(MediaEvent::Dtmf(digit));
                            &shared.received
                        }
                        Received::Nothing => &shared.received,
                        Received::Invalid => &shared.invalid,
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                // E.g. ICMP port unreachable surfacing on Linux; keep going.
                Err(e) => tracing::debug!(error = %e, "RTP receive failed"),
            },
        }
    }
    sink.finish();
    tracing::debug!("RTP session stopped");
}

/// Builds outgoing packets (RFC 3550 §5.1): audio, or RFC 4733 events while
/// a digit is being sent.
struct Packetiser {
    encoder: Box<dyn Encoder>,
    payload_type: u8,
    telephone_event: Option<u8>,
    timestamp_step: u32,
    ssrc: u32,
    sequence: u16,
    timestamp: u32,
    first: bool,
    /// The digit being sent, if any.
    event: Option<dtmf::Sender>,
    frame: Vec<i16>,
    payload: Vec<u8>,
}

impl Packetiser {
    fn new(config: &RtpConfig, ssrc: u32) -> Self {
        let samples_per_packet = config.codec.frame_samples(config.ptime_ms);
        Packetiser {
            encoder: config.codec.encoder(),
            payload_type: config.send_payload_type,
            telephone_event: config.telephone_event.map(|(send, _)| send),
            timestamp_step: config.codec.timestamp_step(config.ptime_ms),
            ssrc,
            // Random initial values make known-plaintext attacks on encrypted
            // streams harder (RFC 3550 §5.1).
            sequence: fastrand::u16(..),
            timestamp: fastrand::u32(..),
            first: true,
            event: None,
            frame: vec![0; samples_per_packet],
            payload: Vec::with_capacity(samples_per_packet),
        }
    }

    /// No digit is being sent.
    fn idle(&self) -> bool {
        self.event.is_none()
    }

    fn start_dtmf(&mut self, digit: char) {
        if self.telephone_event.is_some() {
            self.event = dtmf::Sender::new(digit, self.timestamp, self.timestamp_step);
        }
    }

    /// Reads one frame and appends the datagrams for this packet time to `out`
    /// (one, or up to three at the end of an event). The counters advance
    /// even if the send later fails: the receiver sees a lost packet.
    fn next_packets(&mut self, source: &mut dyn AudioSource, out: &mut Vec<Vec<u8>>) {
        source.read_frame(&mut self.frame);
        if let (Some(sender), Some(pt)) = (self.event.as_mut(), self.telephone_event) {
            // RFC 4733 §2.5.1: while an event lasts, its packets replace the
            // audio; the microphone is still read so the clock runs on.
            let start = sender.start_timestamp();
            let (marker, event, done) = sender.next_packet();
            let mut payload = [0u8; 4];
            event.write(&mut payload);
            if done {
                self.event = None;
            }
            out.push(self.datagram(pt, marker, start, &payload));
        } else {
            self.payload.clear();
            self.encoder.encode(&self.frame, &mut self.payload);
            // Marks the start of a talkspurt; we send continuously, so only the
            // first packet starts one (RFC 3551 §4.1).
            let marker = self.first;
            let payload = std::mem::take(&mut self.payload);
            out.push(self.datagram(self.payload_type, marker, self.timestamp, &payload));
            self.payload = payload;
            self.first = false;
        }
        // The timestamp counts at the RTP clock rate (RFC 3550 §5.1), which
        // for G.722 is half the audio rate (RFC 3551 §4.5.2).
        self.timestamp = self.timestamp.wrapping_add(self.timestamp_step);
    }

    fn datagram(
        &mut self,
        payload_type: u8,
        marker: bool,
        timestamp: u32,
        payload: &[u8],
    ) -> Vec<u8> {
        let mut datagram = Vec::with_capacity(12 + payload.len());
        RtpPacket {
            marker,
            payload_type,
            sequence: self.sequence,
            timestamp,
            ssrc: self.ssrc,
            payload,
        }
        .write(&mut datagram);
        self.sequence = self.sequence.wrapping_add(1);
        datagram
    }
}

/// What one incoming datagram was.
#[derive(Debug, PartialEq, Eq)]
enum Received {
    Audio,
    /// The first packet of a new telephone-event.
    Dtmf(char),
    /// A valid packet that changes nothing (a repeated event packet, a duplicate).
    Nothing,
    Invalid,
}

/// Turns incoming datagrams into audio for the sink through the jitter
/// buffer: packets go in as they arrive, one frame comes out per packet time
/// (decoded, or concealed when its packet is missing).
struct Depacketiser {
    decoder: Box<dyn Decoder>,
    payload_type: u8,
    telephone_event: Option<u8>,
    dtmf: dtmf::Receiver,
    jitter: JitterBuffer,
    concealer: Concealer,
    frame_samples: usize,
    pcm: Vec<i16>,
}

impl Depacketiser {
    fn new(config: &RtpConfig) -> Self {
        Depacketiser {
            decoder: config.codec.decoder(),
            payload_type: config.receive_payload_type,
            telephone_event: config.telephone_event.map(|(_, receive)| receive),
            dtmf: dtmf::Receiver::default(),
            jitter: JitterBuffer::new(JitterConfig::new(
                config.ptime_ms,
                config.codec.sdp().rtp_clock_rate,
            )),
            concealer: Concealer::default(),
            frame_samples: config.codec.frame_samples(config.ptime_ms),
            pcm: Vec::new(),
        }
    }

    /// A datagram arrived at `now_ms`.
    fn handle(&mut self, datagram: &[u8], now_ms: u64) -> Received {
        let Ok(packet) = RtpPacket::parse(datagram) else {
            return Received::Invalid;
        };
        if Some(packet.payload_type) == self.telephone_event {
            let Some(event) = DtmfEvent::parse(packet.payload) else {
                return Received::Invalid;
            };
            // Events share the audio's sequence space and replace its packets
            // (RFC 4733 §2.1, §2.5.1): their places play as silence.
            self.jitter
                .push_filler(now_ms, packet.ssrc, packet.sequence);
            return match self.dtmf.receive(packet.ssrc, packet.timestamp, &event) {
                Some(digit) => Received::Dtmf(digit),
                None => Received::Nothing,
            };
        }
        if packet.payload_type != self.payload_type {
            return Received::Invalid;
        }
        let before = self.jitter.stats();
        self.jitter.push(
            now_ms,
            packet.ssrc,
            packet.sequence,
            packet.timestamp,
            packet.payload,
        );
        let after = self.jitter.stats();
        if after.late > before.late || after.duplicates > before.duplicates {
            Received::Nothing
        } else {
            Received::Audio
        }
    }

    /// One packet time: plays the next frame, conceals a missing one, or
    /// plays nothing while the buffer fills.
    fn playout(&mut self, now_ms: u64, sink: &mut dyn AudioSink) {
        self.pcm.clear();
        match self.jitter.pop(now_ms) {
            Playout::Waiting => return,
            Playout::Frame(payload) if payload.is_empty() => {
                self.pcm.resize(self.frame_samples, 0);
                self.concealer.played(&self.pcm);
            }
            Playout::Frame(payload) => {
                self.decoder.decode(&payload, &mut self.pcm);
                self.concealer.played(&self.pcm);
            }
            Playout::Conceal => self.concealer.conceal(self.frame_samples, &mut self.pcm),
        }
        if !self.pcm.is_empty() {
            sink.write_frame(&self.pcm);
        }
    }

    fn reception(&self) -> Reception {
        Reception {
            jitter: self.jitter.stats(),
            jitter_ms: self.jitter.jitter_ms(),
            target_delay_ms: self.jitter.target_delay_ms(),
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

    fn config(codec: &str, pt: u8) -> RtpConfig {
        RtpConfig {
            remote: "127.0.0.1:9".parse().unwrap(),
            codec: Codec::by_id(codec).unwrap(),
            send_payload_type: pt,
            receive_payload_type: pt,
            telephone_event: Some((101, 96)),
            ptime_ms: 20,
            ssrc: None,
        }
    }

    /// Feeds packets with these sequence numbers at once, then plays until
    /// the buffer is empty; returns what played (`None`: concealed).
    fn run_sequence(seqs: &[u16]) -> Vec<Option<u16>> {
        let mut d = Depacketiser::new(&config("pcmu", 0));
        let mut sink = Lengths::default();
        for &s in seqs {
            assert_ne!(d.handle(&datagram(s, 7, 0), 0), Received::Invalid);
        }
        let mut now = 0;
        while d.jitter.depth() > 0 {
            d.playout(now, &mut sink);
            now += 20;
        }
        sink.0
            .iter()
            .map(|&len| {
                seqs.iter()
                    .copied()
                    .find(|s| usize::from(s % 1000) + 1 == len)
            })
            .collect()
    }

    #[test]
    fn in_order_duplicates_and_reordering() {
        let all = |v: &[u16]| v.iter().map(|&s| Some(s)).collect::<Vec<_>>();
        assert_eq!(run_sequence(&[1, 2, 3, 4]), all(&[1, 2, 3, 4]));
        assert_eq!(
            run_sequence(&[1, 2, 2, 3, 1]),
            all(&[1, 2, 3]),
            "duplicates dropped"
        );
        assert_eq!(
            run_sequence(&[1, 3, 2, 4]),
            all(&[1, 2, 3, 4]),
            "swap is undone"
        );
        assert_eq!(
            run_sequence(&[1, 3, 4]),
            [Some(1), None, Some(3), Some(4)],
            "a lost packet is concealed"
        );
        assert_eq!(
            run_sequence(&[65_534, 65_535, 0, 1]),
            all(&[65_534, 65_535, 0, 1]),
            "wraps"
        );
        assert_eq!(
            run_sequence(&[500, 501, 40_000, 40_001]),
            all(&[40_000, 40_001]),
            "a jump is a restart"
        );
    }

    #[test]
    fn rejects_other_payload_types_and_garbage() {
        let mut d = Depacketiser::new(&config("pcmu", 0));
        let mut sink = Lengths::default();
        assert_eq!(d.handle(&datagram(1, 7, 8), 0), Received::Invalid);
        assert_eq!(d.handle(b"not rtp at all", 0), Received::Invalid);
        assert_eq!(d.handle(&[], 0), Received::Invalid);
        // A telephone-event payload too short for an event.
        assert_eq!(d.handle(&datagram(999, 7, 96)[..14], 0), Received::Invalid);
        d.playout(0, &mut sink);
        assert!(sink.0.is_empty());
    }

    #[test]
    fn packetiser_follows_rfc3550() {
        struct Ramp(i16);
        impl AudioSource for Ramp {
            fn read_frame(&mut self, frame: &mut [i16]) {
                frame.fill(self.0);
                self.0 += 1000;
            }
        }
        let mut p = Packetiser::new(&config("pcma", 8), 0x1234_5678);
        let mut source = Ramp(0);
        let mut out = Vec::new();
        p.next_packets(&mut source, &mut out);
        p.next_packets(&mut source, &mut out);
        let [first, second] = &out[..] else {
            panic!("{out:?}")
        };
        let (a, b) = (
            RtpPacket::parse(first).unwrap(),
            RtpPacket::parse(second).unwrap(),
        );
        assert!(a.marker && !b.marker);
        assert_eq!(
            (a.payload_type, a.ssrc, a.payload.len()),
            (8, 0x1234_5678, 160)
        );
        assert_eq!(b.sequence, a.sequence.wrapping_add(1));
        assert_eq!(b.timestamp, a.timestamp.wrapping_add(160));
        assert_eq!(a.payload[0], crate::g711::alaw_encode(0));
        assert_eq!(b.payload[0], crate::g711::alaw_encode(1000));
    }

    #[test]
    fn g722_packets_count_time_at_8000_and_carry_320_samples() {
        let mut p = Packetiser::new(&config("g722", 9), 1);
        let mut d = Depacketiser::new(&config("g722", 9));
        struct Silence;
        impl AudioSource for Silence {
            fn read_frame(&mut self, frame: &mut [i16]) {
                assert_eq!(frame.len(), 320, "20 ms at 16 kHz");
                frame.fill(0);
            }
        }
        let mut out = Vec::new();
        p.next_packets(&mut Silence, &mut out);
        p.next_packets(&mut Silence, &mut out);
        let (a, b) = (
            RtpPacket::parse(&out[0]).unwrap(),
            RtpPacket::parse(&out[1]).unwrap(),
        );
        assert_eq!(a.payload.len(), 160);
        // RFC 3551 §4.5.2: the RTP clock of G.722 runs at 8000 Hz.
        assert_eq!(b.timestamp.wrapping_sub(a.timestamp), 160);
        let mut sink = Lengths::default();
        d.handle(&out[0], 0);
        d.playout(0, &mut sink);
        assert_eq!(sink.0, [320]);
    }

    #[test]
    fn dtmf_goes_out_as_rfc4733_events_and_comes_back_as_one_digit() {
        struct Zeros;
        impl AudioSource for Zeros {
            fn read_frame(&mut self, frame: &mut [i16]) {
                frame.fill(0);
            }
        }
        let mut p = Packetiser::new(&config("pcmu", 0), 5);
        let mut out = Vec::new();
        p.next_packets(&mut Zeros, &mut out);
        p.start_dtmf('#');
        assert!(!p.idle());
        let mut ticks = 0;
        while !p.idle() {
            p.next_packets(&mut Zeros, &mut out);
            ticks += 1;
        }
        p.next_packets(&mut Zeros, &mut out);
        assert_eq!(ticks, 7, "5 event packets and 2 repeats of the end");
        let packets: Vec<RtpPacket<'_>> =
            out.iter().map(|d| RtpPacket::parse(d).unwrap()).collect();
        let events = &packets[1..8];
        assert!(events.iter().all(|e| e.payload_type == 101));
        assert!(events.iter().all(|e| e.timestamp == events[0].timestamp));
        assert_eq!(events[0].timestamp, packets[0].timestamp.wrapping_add(160));
        assert!(events[0].marker && !events[1].marker);
        for w in packets.windows(2) {
            assert_eq!(
                w[1].sequence,
                w[0].sequence.wrapping_add(1),
                "one sequence space"
            );
        }
        assert_eq!(packets[8].payload_type, 0, "audio resumes");
        assert_eq!(
            packets[8].timestamp,
            packets[0].timestamp.wrapping_add(8 * 160),
            "the clock ran on during the event"
        );

        // The far end receives the same datagrams with its own numbers: 101 → 96.
        let mut d = Depacketiser::new(&config("pcmu", 0));
        let mut sink = Lengths::default();
        let mut digits = Vec::new();
        for datagram in &out {
            let mut bytes = datagram.clone();
            if bytes[1] & 0x7F == 101 {
                bytes[1] = (bytes[1] & 0x80) | 96;
            }
            if let Received::Dtmf(digit) = d.handle(&bytes, 0) {
                digits.push(digit);
            }
        }
        assert_eq!(digits, ['#'], "seven packets, one digit");
        let mut now = 0;
        while d.jitter.depth() > 0 {
            d.playout(now, &mut sink);
            now += 20;
        }
        assert_eq!(
            sink.0, [160; 9],
            "audio, the event's places as silence, audio: no concealment"
        );
        assert_eq!(d.jitter.stats().concealed, 0);
    }

    #[test]
    fn random_datagrams_never_panic_and_are_counted_invalid() {
        let mut rng = fastrand::Rng::with_seed(4733);
        let mut d = Depacketiser::new(&config("g722", 9));
        let mut sink = Lengths::default();
        let mut invalid = 0;
        for _ in 0..20_000 {
            let len = rng.usize(0..80);
            let mut buf: Vec<u8> = (0..len).map(|_| rng.u8(..)).collect();
            if !buf.is_empty() && rng.bool() {
                buf[0] = (buf[0] & 0x3F) | 0x80;
            }
            if d.handle(&buf, 0) == Received::Invalid {
                invalid += 1;
            }
            d.playout(0, &mut sink);
        }
        assert!(invalid > 15_000, "{invalid}");
    }
}
