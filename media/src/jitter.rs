//! The adaptive jitter buffer: received RTP payloads in, one frame per packet
//! time out, as pure logic (times in milliseconds are inputs; no clock, no IO).
//!
//! - Packets are kept by extended sequence number, so reordering within the
//!   buffer is undone and duplicates are dropped.
//! - The interarrival jitter is estimated as RFC 3550 §6.4.1 / A.8 says; the
//!   target delay is the packet time plus three times that jitter, within
//!   [`JitterConfig::min_delay_ms`, `JitterConfig::max_delay_ms`].
//! - Playout starts once the target is buffered. When the buffer runs dry the
//!   frame is concealed and playout waits for the missing packet (the delay
//!   grows by a frame, which is how a late network lifts it); when more than
//!   the target plus a frame is buffered, one frame is skipped (the delay
//!   shrinks). A missing packet with later ones buffered is lost: concealed.
//! - A packet whose time has passed (sequence number before the next to
//!   play) is late: discarded and counted.
//! - A new SSRC (early media, then the answered call from another source,
//!   M2) restarts the sequence space at once, without waiting to refill.

use std::collections::BTreeMap;

use crate::rtcp::ReceptionCounts;

/// Bounds of the adaptive delay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JitterConfig {
    pub ptime_ms: u32,
    /// The RTP clock rate (for the jitter estimate in timestamp units).
    pub clock_rate: u32,
    pub min_delay_ms: u32,
    pub max_delay_ms: u32,
}

impl JitterConfig {
    /// 20 ms to 200 ms: one packet of cushion at least, and no more delay
    /// than ITU-T G.114 leaves room for on a LAN call.
    pub fn new(ptime_ms: u32, clock_rate: u32) -> Self {
        JitterConfig {
            ptime_ms: ptime_ms.max(1),
            clock_rate: clock_rate.max(1),
            min_delay_ms: ptime_ms.max(1),
            max_delay_ms: 200,
        }
    }
}

/// What the buffer gives for one packet time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Playout {
    /// Not started yet (nothing received, or filling to the target): play nothing.
    Waiting,
    /// The payload to decode.
    Frame(Vec<u8>),
    /// Nothing to play: conceal this frame.
    Conceal,
}

/// Counters since the buffer started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JitterStats {
    pub received: u64,
    pub played: u64,
    /// Frames concealed (lost packets and underruns).
    pub concealed: u64,
    /// Packets that arrived after their time, discarded.
    pub late: u64,
    pub duplicates: u64,
    /// Frames skipped to bring the delay down.
    pub skipped: u64,
    /// Sequence restarts (new SSRC or a jump).
    pub resets: u64,
}

/// A sequence number this far from the expected one is a restart, not a
/// late or early packet (cf. MAX_DROPOUT/MAX_MISORDER, RFC 3550 A.1).
const MAX_JUMP: i64 = 3000;
/// Packet times the buffer must stay above its target before a frame is
/// skipped (200 ms at 20 ms): bursts drain by themselves.
const SHRINK_AFTER: u32 = 10;
/// Underrun concealment frames after which the stream is taken as stopped
/// (e.g. the peer holds): playout waits to refill instead of growing the delay.
const MAX_STALL: u32 = 10;

#[derive(Debug)]
pub struct JitterBuffer {
    config: JitterConfig,
    ssrc: Option<u32>,
    /// Extended sequence number to play next.
    next: Option<u64>,
    /// Extended sequence number → (arrival ms, payload).
    packets: BTreeMap<u64, (u64, Vec<u8>)>,
    playing: bool,
    /// Consecutive underruns.
    stalled: u32,
    /// Consecutive packet times with more than the target plus a frame buffered.
    excess: u32,
    /// RFC 3550 A.8 state: the last transit time and the jitter estimate, in
    /// timestamp units (the estimate scaled by 16 as in A.8).
    last_transit: Option<i64>,
    jitter_q4: i64,
    stats: JitterStats,
    /// RFC 3550 A.3 counts of the current source, for receiver reports.
    counts: ReceptionCounts,
    /// Sum and count of the buffering delay of played frames (arrival → playout).
    delay_sum_ms: u64,
}

impl JitterBuffer {
    pub fn new(config: JitterConfig) -> Self {
        JitterBuffer {
            config,
            ssrc: None,
            next: None,
            packets: BTreeMap::new(),
            playing: false,
            stalled: 0,
            excess: 0,
            last_transit: None,
            jitter_q4: 0,
            stats: JitterStats::default(),
            counts: ReceptionCounts::default(),
            delay_sum_ms: 0,
        }
    }

    pub fn stats(&self) -> JitterStats {
        self.stats
    }

    /// The source being received and its A.3 counts.
    pub fn reception(&self) -> Option<(u32, ReceptionCounts)> {
        self.ssrc.map(|ssrc| (ssrc, self.counts))
    }

    /// The interarrival jitter in RTP timestamp units (RFC 3550 §6.4.1), as
    /// receiver reports carry it.
    pub fn jitter(&self) -> u32 {
        u32::try_from(self.jitter_q4 >> 4).unwrap_or(u32::MAX)
    }

    pub fn jitter_ms(&self) -> f64 {
        (self.jitter_q4 as f64 / 16.0) * 1000.0 / f64::from(self.config.clock_rate)
    }

    /// The delay the buffer aims for now, in ms.
    pub fn target_delay_ms(&self) -> u32 {
        let wanted = f64::from(self.config.ptime_ms) + 3.0 * self.jitter_ms();
        (wanted.ceil() as u32).clamp(self.config.min_delay_ms, self.config.max_delay_ms)
    }

    fn target_frames(&self) -> u64 {
        u64::from(self.target_delay_ms().div_ceil(self.config.ptime_ms)).max(1)
    }

    /// Mean time played frames spent in the buffer, in ms.
    pub fn mean_delay_ms(&self) -> f64 {
        if self.stats.played == 0 {
            return 0.0;
        }
        self.delay_sum_ms as f64 / self.stats.played as f64
    }

    /// Frames buffered from the next one to play to the newest.
    pub fn depth(&self) -> u64 {
        match (self.next, self.packets.last_key_value()) {
            (Some(next), Some((&last, _))) if last >= next => last - next + 1,
            _ => 0,
        }
    }

    /// The extended form of `seq` nearest to the reference point.
    fn extend(&self, seq: u16, reference: u64) -> u64 {
        let delta = i64::from(seq.wrapping_sub(reference as u16) as i16);
        (reference as i64 + delta).max(0) as u64
    }

    /// A packet arrived at `now_ms`.
    pub fn push(&mut self, now_ms: u64, ssrc: u32, seq: u16, timestamp: u32, payload: &[u8]) {
        self.stats.received += 1;
        if self.ssrc != Some(ssrc) {
            self.restart(ssrc);
        }
        // RFC 3550 A.8: transit = arrival (in timestamp units) - timestamp;
        // J += (|D| - J) / 16, kept scaled by 16.
        let arrival = (u128::from(now_ms) * u128::from(self.config.clock_rate) / 1000) as i64;
        let transit = arrival.wrapping_sub(i64::from(timestamp));
        if let Some(last) = self.last_transit {
            let d = (transit - last).abs().min(i64::from(u32::MAX));
            self.jitter_q4 += d - ((self.jitter_q4 + 8) >> 4);
        }
        self.last_transit = Some(transit);

        // Extended numbers start high so that early reordering cannot go below zero.
        let reference = self.next.unwrap_or(1 << 20);
        let ext = self.extend(seq, reference);
        if self.next.is_none() {
            self.next = Some(ext);
        }
        let next = self.next.unwrap_or(ext);
        if (ext as i64 - next as i64).abs() > MAX_JUMP {
            // The sender restarted its numbering: start over from here.
            self.stats.resets += 1;
            self.packets.clear();
            self.next = Some(ext);
            self.counts = ReceptionCounts::default();
        }
        self.count(ext);
        if ext < self.next.unwrap_or(ext) {
            self.stats.late += 1;
            return;
        }
        if self
            .packets
            .insert(ext, (now_ms, payload.to_vec()))
            .is_some()
        {
            self.stats.duplicates += 1;
            self.counts.received -= 1;
        }
    }

    /// RFC 3550 A.3: a late packet still counts as received; a duplicate
    /// is taken back by the caller.
    fn count(&mut self, ext: u64) {
        let c = &mut self.counts;
        if c.received == 0 {
            c.base = ext;
            c.highest = ext;
        }
        c.base = c.base.min(ext);
        c.highest = c.highest.max(ext);
        c.received += 1;
    }

    /// A packet that holds a place in the sequence but no audio (an RFC 4733
    /// event, which replaces audio, §2.5.1): played as silence, kept out of
    /// the jitter estimate (its timestamps are the event's start, not now).
    pub fn push_filler(&mut self, now_ms: u64, ssrc: u32, seq: u16) {
        if self.ssrc != Some(ssrc) {
            return;
        }
        let Some(next) = self.next else { return };
        let ext = self.extend(seq, next);
        if ext >= next && ext - next < MAX_JUMP as u64 && !self.packets.contains_key(&ext) {
            self.count(ext);
            self.packets.insert(ext, (now_ms, Vec::new()));
        }
    }

    /// A new source: its own sequence space and jitter (RFC 3550 §8.2). The
    /// old source's packets go (they were early media); a buffer that was
    /// playing goes on playing the new source's first packet next, so the
    /// switch leaves no gap.
    fn restart(&mut self, ssrc: u32) {
        if self.ssrc.is_some() {
            self.stats.resets += 1;
        }
        self.ssrc = Some(ssrc);
        self.packets.clear();
        self.next = None;
        self.last_transit = None;
        self.stalled = 0;
        self.counts = ReceptionCounts::default();
    }

    /// The payload of the packet due next, if it is here already (after a loss, the
    /// one that follows the lost packet: Opus FEC decodes the lost one from it).
    pub fn peek_next(&self) -> Option<&[u8]> {
        let next = self.next?;
        self.packets
            .get(&next)
            .map(|(_, payload)| payload.as_slice())
            .filter(|p| !p.is_empty())
    }

    /// The frame for the packet time at `now_ms`.
    pub fn pop(&mut self, now_ms: u64) -> Playout {
        let Some(next) = self.next else {
            return Playout::Waiting;
        };
        if !self.playing {
            if self.depth() < self.target_frames() {
                return Playout::Waiting;
            }
            self.playing = true;
        }
        // Too much buffered for a while (a burst alone is not enough): skip
        // the oldest frame to bring the delay down.
        if self.depth() > self.target_frames() + 1 {
            self.excess += 1;
        } else {
            self.excess = 0;
        }
        if self.excess >= SHRINK_AFTER && self.packets.contains_key(&(next + 1)) {
            self.excess = 0;
            self.packets.remove(&next);
            self.next = Some(next + 1);
            self.stats.skipped += 1;
        }
        let next = self.next.unwrap_or(next);
        match self.packets.remove(&next) {
            Some((arrived, payload)) => {
                self.next = Some(next + 1);
                self.stalled = 0;
                self.stats.played += 1;
                self.delay_sum_ms += now_ms.saturating_sub(arrived);
                Playout::Frame(payload)
            }
            None if self.packets.is_empty() => {
                // Underrun: conceal and wait for the packet (the delay grows).
                self.stats.concealed += 1;
                self.stalled += 1;
                if self.stalled >= MAX_STALL {
                    // The stream stopped (hold, a dead peer): refill before playing again.
                    self.playing = false;
                    self.next = None;
                    self.stalled = 0;
                }
                Playout::Conceal
            }
            None => {
                // Lost: later packets are here, so this one is given up.
                self.next = Some(next + 1);
                self.stats.concealed += 1;
                Playout::Conceal
            }
        }
    }
}

/// Packet-loss concealment by repeating the last frame with a fading gain:
/// each concealed frame fades linearly from where the last one ended, so
/// there is no step (click) at either end; after a few frames it is silence.
#[derive(Debug, Default)]
pub struct Concealer {
    last: Vec<i16>,
    /// Gain at the end of the last frame played (1 after a real frame).
    gain: f32,
}

/// Gain lost per concealed frame: silence after four (80 ms at 20 ms).
const FADE_PER_FRAME: f32 = 0.25;

impl Concealer {
    /// Remembers a decoded frame (played as it is).
    pub fn played(&mut self, frame: &[i16]) {
        self.last.clear();
        self.last.extend_from_slice(frame);
        self.gain = 1.0;
    }

    /// Fills `out` with the concealment for one lost frame of `len` samples.
    pub fn conceal(&mut self, len: usize, out: &mut Vec<i16>) {
        let start = self.gain;
        let end = (start - FADE_PER_FRAME).max(0.0);
        let n = len.max(1) as f32;
        for i in 0..len {
            let g = start + (end - start) * (i as f32 + 1.0) / n;
            let s = self.last.get(i).copied().unwrap_or(0);
            out.push((f32::from(s) * g).round() as i16);
        }
        self.gain = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> JitterConfig {
        JitterConfig::new(20, 8000)
    }

    /// Payloads carry their sequence number so the tests see what played.
    fn payload(seq: u16) -> Vec<u8> {
        seq.to_be_bytes().to_vec()
    }

    fn played(p: &Playout) -> Option<u16> {
        match p {
            Playout::Frame(b) => Some(u16::from_be_bytes([b[0], b[1]])),
            _ => None,
        }
    }

    #[test]
    fn prefills_plays_in_order_and_undoes_reordering() {
        let mut jb = JitterBuffer::new(config());
        assert_eq!(jb.pop(0), Playout::Waiting);
        // Packets 0, 2, 1, 3 arrive at once (a reordered burst).
        for seq in [0u16, 2, 1, 3] {
            jb.push(0, 7, seq, u32::from(seq) * 160, &payload(seq));
        }
        let out: Vec<Option<u16>> = (0..4).map(|i| played(&jb.pop(20 * i))).collect();
        assert_eq!(out, [Some(0), Some(1), Some(2), Some(3)]);
        // A duplicate and a late packet change nothing.
        jb.push(80, 7, 3, 480, &payload(3));
        jb.push(80, 7, 2, 320, &payload(2));
        assert_eq!(jb.stats().late, 2, "both are before the next to play");
        assert_eq!(jb.pop(80), Playout::Conceal, "underrun");
    }

    #[test]
    fn a_lost_packet_is_concealed_and_a_late_one_discarded() {
        let mut jb = JitterBuffer::new(config());
        for seq in [10u16, 12, 13] {
            jb.push(0, 1, seq, u32::from(seq) * 160, &payload(seq));
        }
        assert_eq!(played(&jb.pop(0)), Some(10));
        assert_eq!(
            jb.pop(20),
            Playout::Conceal,
            "11 is lost: 12 is already here"
        );
        jb.push(30, 1, 11, 11 * 160, &payload(11));
        assert_eq!(jb.stats().late, 1);
        assert_eq!(played(&jb.pop(40)), Some(12));
        assert_eq!(jb.stats().concealed, 1);
    }

    #[test]
    fn sequence_numbers_wrap() {
        let mut jb = JitterBuffer::new(config());
        for seq in [65_534u16, 65_535, 0, 1] {
            jb.push(
                0,
                1,
                seq,
                u32::from(seq.wrapping_sub(65_534)) * 160,
                &payload(seq),
            );
        }
        let out: Vec<Option<u16>> = (0..4).map(|i| played(&jb.pop(i * 20))).collect();
        assert_eq!(out, [Some(65_534), Some(65_535), Some(0), Some(1)]);
    }

    #[test]
    fn a_new_ssrc_plays_at_once_without_refilling() {
        let mut jb = JitterBuffer::new(config());
        jb.push(0, 1, 100, 0, &payload(100));
        assert_eq!(played(&jb.pop(0)), Some(100));
        // The answered call comes from another source with other numbers.
        jb.push(20, 2, 5000, 777, &payload(5000));
        assert_eq!(played(&jb.pop(20)), Some(5000), "no gap at the switch");
        assert_eq!(jb.stats().resets, 1);
        assert_eq!(jb.stats().concealed, 0);
    }

    /// A sender every 20 ms through a network with a fixed seed: base delay
    /// 30 ms plus random jitter up to `spread_ms`, `loss` per mille dropped;
    /// the receiver plays one frame per 20 ms. Returns the buffer afterwards
    /// and the number of packets the network dropped.
    fn run_schedule(seed: u64, spread_ms: u64, loss: u32, packets: u16) -> (JitterBuffer, u64) {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut arrivals: Vec<(u64, u16)> = Vec::new();
        let mut dropped = 0;
        for seq in 0..packets {
            if rng.u32(0..1000) < loss {
                dropped += 1;
                continue;
            }
            let sent = u64::from(seq) * 20;
            arrivals.push((sent + 30 + rng.u64(0..=spread_ms), seq));
        }
        // Delivery order is arrival order: jitter larger than 20 ms reorders.
        arrivals.sort();
        let mut jb = JitterBuffer::new(config());
        let mut arrivals = arrivals.into_iter().peekable();
        // Played until the last packet is out (the stream's end is no underrun).
        let mut now = 0;
        while arrivals.peek().is_some() || jb.depth() > 0 {
            while let Some(&(t, seq)) = arrivals.peek() {
                if t > now {
                    break;
                }
                jb.push(t, 9, seq, u32::from(seq) * 160, &payload(seq));
                arrivals.next();
            }
            jb.pop(now);
            now += 20;
        }
        (jb, dropped)
    }

    #[test]
    fn delay_follows_jitter_and_losses_are_concealed() {
        // A quiet LAN: 0-4 ms of jitter. The target stays at its floor and
        // nearly nothing is concealed beyond what the network dropped.
        let (calm, dropped) = run_schedule(1, 4, 0, 1500);
        let s = calm.stats();
        assert_eq!(dropped, 0);
        assert!(
            calm.target_delay_ms() <= 30,
            "calm target {}",
            calm.target_delay_ms()
        );
        assert!(
            calm.mean_delay_ms() < 45.0,
            "calm delay {:.1}",
            calm.mean_delay_ms()
        );
        assert!(s.concealed <= 3 && s.late == 0, "{s:?}");

        // A bad Wi-Fi: 0-80 ms of jitter (packets overtake each other) and
        // 3 % loss. The delay rises to cover the jitter, late packets stay
        // few, and concealment stays close to the loss.
        let (rough, dropped) = run_schedule(2, 80, 30, 1500);
        let s = rough.stats();
        eprintln!(
            "rough: jitter {:.1} ms, target {} ms, mean delay {:.1} ms, {dropped} dropped, {s:?}",
            rough.jitter_ms(),
            rough.target_delay_ms(),
            rough.mean_delay_ms()
        );
        assert!(rough.jitter_ms() > 10.0, "jitter {:.1}", rough.jitter_ms());
        assert!(
            rough.target_delay_ms() >= 60,
            "target {}",
            rough.target_delay_ms()
        );
        assert!(rough.target_delay_ms() <= 200);
        assert!(rough.mean_delay_ms() > calm.mean_delay_ms() + 20.0);
        assert!(s.late < 1500 / 50, "late {} of 1500", s.late);
        assert!(
            s.concealed >= dropped && s.concealed <= dropped + 60,
            "concealed {} for {dropped} dropped",
            s.concealed
        );
        assert_eq!(
            s.played + s.skipped + s.late + dropped,
            1500,
            "every packet accounted for"
        );
        // RFC 3550 A.3: what receiver reports would say.
        let (_, counts) = rough.reception().unwrap();
        assert_eq!(counts.received, 1460);
        assert_eq!(counts.lost(), 40, "late packets are received, not lost");
    }

    #[test]
    fn concealment_fades_without_steps() {
        let mut c = Concealer::default();
        c.played(&[1000; 160]);
        let mut out = Vec::new();
        for _ in 0..5 {
            c.conceal(160, &mut out);
        }
        assert_eq!(out.len(), 800);
        // The first concealed sample is close to the last real one, steps
        // between samples stay small and the end is silence.
        assert!(out[0] > 990);
        assert!(out.windows(2).all(|w| (w[0] - w[1]).abs() <= 2));
        assert!(out[640..].iter().all(|&s| s == 0));
    }
}
