//! Streaming sample-rate conversion with a Hann-windowed sinc kernel.
//!
//! Used both for sound cards (usually 44.1/48 kHz) and for simulator WAV
//! input. Downsampling must low-pass first or everything above 4 kHz folds
//! back into the voice band, so plain linear interpolation is not enough.

use std::collections::VecDeque;
use std::f64::consts::PI;

/// Kernel half-width in zero crossings: 8 gives ~40 dB stop-band, plenty for
/// telephone audio, at ~16 taps per output sample when upsampling.
const ZERO_CROSSINGS: f64 = 8.0;
/// Cutoff as a fraction of the lower Nyquist frequency, leaving room for the
/// transition band so little aliases just below Nyquist.
const CUTOFF: f64 = 0.95;

pub(crate) struct Resampler {
    from: u64,
    to: u64,
    /// Cutoff relative to the input Nyquist frequency (≤ 1).
    cutoff: f64,
    /// Kernel half-width in input samples.
    half_width: f64,
    input: VecDeque<f32>,
    /// Absolute index of `input[0]` in the input stream.
    base: u64,
    /// Output samples produced so far; output n sits at input time n·from/to.
    produced: u64,
}

impl Resampler {
    pub(crate) fn new(from: u32, to: u32) -> Self {
        assert!(from > 0 && to > 0, "sample rates must be non-zero");
        let cutoff = CUTOFF * (f64::from(to) / f64::from(from)).min(1.0);
        Resampler {
            from: u64::from(from),
            to: u64::from(to),
            cutoff,
            half_width: ZERO_CROSSINGS / cutoff,
            input: VecDeque::new(),
            base: 0,
            produced: 0,
        }
    }

    /// Feeds input samples and appends every output sample they complete.
    /// Output lags input by the kernel half-width (about 1 ms).
    pub(crate) fn process(&mut self, samples: &[f32], out: &mut Vec<f32>) {
        self.input.extend(samples);
        let available = self.base + self.input.len() as u64;
        loop {
            // Exact rational position so long calls never drift.
            let num = self.produced * self.from;
            let t = (num / self.to) as f64 + (num % self.to) as f64 / self.to as f64;
            let last = (t + self.half_width).floor() as u64;
            if last >= available {
                break;
            }
            let first = ((t - self.half_width).ceil().max(0.0) as u64).max(self.base);
            let acc: f64 = (first..=last)
                .map(|k| {
                    f64::from(self.input[(k - self.base) as usize]) * self.kernel(t - k as f64)
                })
                .sum();
            out.push(acc as f32);
            self.produced += 1;
        }
        // Forget input that no future output sample can reach.
        let next_t = (self.produced * self.from / self.to) as f64;
        let keep_from = (next_t - self.half_width).floor().max(0.0) as u64;
        let drop = keep_from
            .saturating_sub(self.base)
            .min(self.input.len() as u64);
        self.input.drain(..drop as usize);
        self.base += drop;
    }

    fn kernel(&self, x: f64) -> f64 {
        if x.abs() >= self.half_width {
            return 0.0;
        }
        let u = self.cutoff * x;
        let sinc = if u.abs() < 1e-9 {
            1.0
        } else {
            (PI * u).sin() / (PI * u)
        };
        let window = 0.5 * (1.0 + (PI * x / self.half_width).cos());
        self.cutoff * sinc * window
    }
}

/// Converts a whole signal; output length is `len · to / from` (rounded up).
pub(crate) fn resample_all(samples: &[f32], from: u32, to: u32) -> Vec<f32> {
    if from == to {
        return samples.to_vec();
    }
    let mut r = Resampler::new(from, to);
    let expected = (samples.len() as u64 * u64::from(to)).div_ceil(u64::from(from)) as usize;
    let mut out = Vec::with_capacity(expected + 1);
    r.process(samples, &mut out);
    // Zero tail flushes the last samples still waiting for future context.
    r.process(&vec![0.0; r.half_width.ceil() as usize + 2], &mut out);
    out.truncate(expected);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f64, rate: u32, len: usize) -> Vec<f32> {
        (0..len)
            .map(|n| (2.0 * PI * freq * n as f64 / f64::from(rate)).sin() as f32 * 0.5)
            .collect()
    }

    fn rms(x: &[f32]) -> f32 {
        (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt()
    }

    #[test]
    fn keeps_passband_and_removes_aliases() {
        for (from, to) in [
            (48_000, 8000),
            (44_100, 8000),
            (16_000, 8000),
            (8000, 48_000),
        ] {
            let out = resample_all(&sine(1000.0, from, from as usize), from, to);
            assert_eq!(out.len(), to as usize);
            let reference = sine(1000.0, to, to as usize);
            // Ignore the edges, where the kernel sees the zero padding.
            let (a, b) = (
                &out[100..out.len() - 100],
                &reference[100..reference.len() - 100],
            );
            let err: Vec<f32> = a.iter().zip(b).map(|(x, y)| x - y).collect();
            assert!(rms(&err) < 0.02, "{from}->{to}: error rms {}", rms(&err));
        }
        // 6 kHz at 16 kHz would alias to 2 kHz at 8 kHz: it must be filtered out.
        let out = resample_all(&sine(6000.0, 16_000, 16_000), 16_000, 8000);
        assert!(rms(&out[100..7900]) < 0.01);
    }

    #[test]
    fn streaming_in_chunks_matches_one_shot() {
        let input = sine(440.0, 48_000, 4800);
        let mut r = Resampler::new(48_000, 8000);
        let mut chunked = Vec::new();
        for chunk in input.chunks(37) {
            r.process(chunk, &mut chunked);
        }
        let mut r = Resampler::new(48_000, 8000);
        let mut whole = Vec::new();
        r.process(&input, &mut whole);
        assert_eq!(chunked, whole);
        assert!(r.input.len() < 200, "history must stay bounded");
    }
}
