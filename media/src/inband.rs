//! In-band DTMF (ITU-T Q.23 frequencies, Q.24 timing): digits as dual tones in the
//! audio itself, for peers without RFC 4733 telephone-events. The detector runs on
//! every decoded 20 ms frame when no telephone-event was negotiated; the generator
//! replaces the microphone's frames while a digit is sent.

use crate::analysis::goertzel_power;

/// Q.23 row and column frequencies.
const ROWS: [f32; 4] = [697.0, 770.0, 852.0, 941.0];
const COLUMNS: [f32; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
const KEYS: [[char; 4]; 4] = [
    ['1', '2', '3', 'A'],
    ['4', '5', '6', 'B'],
    ['7', '8', '9', 'C'],
    ['*', '0', '#', 'D'],
];
/// Each tone at −7 dBm0-ish: 0.25 of full scale, the pair 0.5 at most.
const AMPLITUDE: f32 = 0.25;
/// Frames of tone and of silence after it: 100 ms on, 60 ms off (Q.24 wants at
/// least 40 ms of each).
pub const TONE_FRAMES: u32 = 5;
pub const GAP_FRAMES: u32 = 3;
/// Weakest tone the detector takes: about −30 dBm0.
const MIN_POWER: f32 = 1e-4;
/// The two tones together must carry this share of the frame's energy (speech
/// spreads its energy; a dual tone does not).
const MIN_SHARE: f32 = 0.6;
/// Twist: the two tones within 8 dB of each other (Q.24 allows 4–8 dB).
const MAX_TWIST: f32 = 6.3;
/// Frames a digit must last before it is reported: 40 ms (Q.24 minimum).
const MIN_FRAMES: u32 = 2;

fn key(digit: char) -> Option<(f32, f32)> {
    let d = digit.to_ascii_uppercase();
    KEYS.iter().enumerate().find_map(|(r, row)| {
        row.iter()
            .position(|&k| k == d)
            .map(|c| (ROWS[r], COLUMNS[c]))
    })
}

/// Sends one digit as tone frames, then silence.
#[derive(Debug)]
pub struct ToneSender {
    low: f32,
    high: f32,
    frame: u32,
    /// Samples sent so far, for a continuous phase across frames.
    n: u64,
}

impl ToneSender {
    /// `None` for a character that is no DTMF digit.
    pub fn new(digit: char) -> Option<ToneSender> {
        let (low, high) = key(digit)?;
        Some(ToneSender {
            low,
            high,
            frame: 0,
            n: 0,
        })
    }

    /// Fills `frame` (at `rate`) with the next 20 ms; false once the digit is done.
    pub fn next_frame(&mut self, frame: &mut [i16], rate: u32) -> bool {
        if self.frame >= TONE_FRAMES + GAP_FRAMES {
            return false;
        }
        if self.frame < TONE_FRAMES {
            for s in frame.iter_mut() {
                let t = self.n as f32 / rate as f32;
                let x = (std::f32::consts::TAU * self.low * t).sin()
                    + (std::f32::consts::TAU * self.high * t).sin();
                *s = (AMPLITUDE * 32767.0 * x) as i16;
                self.n += 1;
            }
        } else {
            frame.fill(0);
        }
        self.frame += 1;
        true
    }
}

/// Finds digits in decoded audio, one report per key press.
#[derive(Debug, Default)]
pub struct Detector {
    current: Option<char>,
    frames: u32,
    reported: bool,
}

impl Detector {
    /// One decoded frame at `rate`; the digit when one has just lasted long enough.
    pub fn frame(&mut self, pcm: &[i16], rate: u32) -> Option<char> {
        let seen = classify(pcm, rate);
        if seen != self.current {
            self.current = seen;
            self.frames = 0;
            self.reported = false;
        }
        let digit = self.current?;
        self.frames += 1;
        if self.frames >= MIN_FRAMES && !self.reported {
            self.reported = true;
            return Some(digit);
        }
        None
    }
}

/// The digit a frame holds, if it is a clean dual tone.
fn classify(pcm: &[i16], rate: u32) -> Option<char> {
    if pcm.is_empty() {
        return None;
    }
    // Mean square, normalised like `goertzel_power` (a full-scale sine gives ~1 there,
    // 0.5 here).
    let energy = pcm
        .iter()
        .map(|&s| (f32::from(s) / 32768.0).powi(2))
        .sum::<f32>()
        / pcm.len() as f32;
    let strongest = |freqs: &[f32; 4]| {
        let powers: Vec<f32> = freqs
            .iter()
            .map(|&f| goertzel_power(pcm, f, rate))
            .collect();
        let (i, &p) = powers
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))?;
        // The others in the group well below (6 dB).
        let clean = powers
            .iter()
            .enumerate()
            .all(|(j, &q)| j == i || q * 4.0 < p);
        clean.then_some((i, p))
    };
    let (r, pr) = strongest(&ROWS)?;
    let (c, pc) = strongest(&COLUMNS)?;
    let twist_ok = pr.max(pc) <= pc.min(pr) * MAX_TWIST;
    // A sine of power p (in goertzel terms) has a mean square of p/2.
    let share = (pr + pc) / 2.0 / energy.max(f32::MIN_POSITIVE);
    (pr >= MIN_POWER && pc >= MIN_POWER && twist_ok && share >= MIN_SHARE).then(|| KEYS[r][c])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send(digit: char, rate: u32) -> Vec<Vec<i16>> {
        let mut sender = ToneSender::new(digit).unwrap();
        let mut frames = Vec::new();
        let mut f = vec![0i16; crate::frame_samples(rate)];
        while sender.next_frame(&mut f, rate) {
            frames.push(f.clone());
        }
        frames
    }

    #[test]
    fn every_digit_round_trips_once_at_every_rate() {
        for rate in [8000, 16_000, 48_000] {
            let mut detector = Detector::default();
            let mut heard = String::new();
            for digit in "0123456789*#ABCD".chars() {
                let frames = send(digit, rate);
                assert_eq!(frames.len() as u32, TONE_FRAMES + GAP_FRAMES);
                heard.extend(frames.iter().filter_map(|f| detector.frame(f, rate)));
            }
            assert_eq!(heard, "0123456789*#ABCD", "at {rate} Hz");
        }
        assert!(ToneSender::new('x').is_none());
    }

    #[test]
    fn speech_like_sound_and_single_tones_are_no_digits() {
        let mut detector = Detector::default();
        let rate = 8000;
        for f in 0..50 {
            // A voiced sound: 150 Hz with many harmonics, its loudness moving.
            let frame: Vec<i16> = (0..160)
                .map(|i| {
                    let t = (f * 160 + i) as f32 / rate as f32;
                    let x: f32 = (1..20)
                        .map(|h| (std::f32::consts::TAU * 150.0 * h as f32 * t).sin() / h as f32)
                        .sum();
                    (3000.0 * x * (1.0 + (t * 4.0).sin())) as i16
                })
                .collect();
            assert_eq!(detector.frame(&frame, rate), None, "frame {f}");
            // One tone alone (a dial tone's 440 Hz or a row frequency) is no digit.
            let single: Vec<i16> = (0..160)
                .map(|i| {
                    (8000.0 * (std::f32::consts::TAU * 770.0 * i as f32 / 8000.0).sin()) as i16
                })
                .collect();
            assert_eq!(detector.frame(&single, rate), None);
        }
        assert_eq!(detector.frame(&[], rate), None);
    }
}
