//! Streaming sample-rate conversion, on rubato's asynchronous sinc resampler.
//!
//! Used for sound cards (usually 44.1/48 kHz) against the call's rate (8 or
//! 16 kHz), and for simulator WAV input. Downsampling must low-pass first or
//! everything above the new Nyquist frequency folds back into the voice
//! band, so plain interpolation is not enough; rubato's band-limited sinc
//! interpolation does this (see ARCHITECTURE.md for why rubato).

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{
    Async, FixedAsync, Resampler as _, SincInterpolationParameters, SincInterpolationType,
    WindowFunction,
};

/// Input frames per rubato call: 10 ms at 8 kHz, 1.7 ms at 48 kHz. Small, so
/// the sound card callbacks (often 10 ms) are not held back by a chunk.
const CHUNK: usize = 80;
/// Sinc length: 64 taps keep the stop band well below telephone noise at a
/// delay of ~32 input samples (under 1 ms at 48 kHz, 4 ms at 8 kHz).
const SINC_LEN: usize = 64;

pub(crate) struct Resampler {
    /// `None` when the rates are equal: samples pass through.
    inner: Option<Async<f32>>,
    /// Input waiting for a whole chunk.
    pending: Vec<f32>,
    /// rubato's output buffer, reused.
    scratch: Vec<f32>,
}

impl Resampler {
    pub(crate) fn new(from: u32, to: u32) -> Self {
        assert!(from > 0 && to > 0, "sample rates must be non-zero");
        let inner = (from != to).then(|| {
            let window = WindowFunction::BlackmanHarris2;
            let parameters = SincInterpolationParameters {
                sinc_len: SINC_LEN,
                f_cutoff: Some(rubato::calculate_cutoff(SINC_LEN, window)),
                oversampling_factor: 128,
                interpolation: SincInterpolationType::Linear,
                window,
            };
            Async::new_sinc(
                f64::from(to) / f64::from(from),
                1.0,
                &parameters,
                CHUNK,
                1,
                FixedAsync::Input,
            )
            // Only a non-finite or non-positive ratio or a zero chunk fails,
            // and the assertion above rules those out.
            .expect("resampler parameters are valid")
        });
        Resampler {
            inner,
            pending: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// Feeds input samples and appends every output sample they complete.
    /// Output lags input by the resampler's delay (about half the sinc).
    pub(crate) fn process(&mut self, samples: &[f32], out: &mut Vec<f32>) {
        let Some(inner) = self.inner.as_mut() else {
            out.extend_from_slice(samples);
            return;
        };
        self.pending.extend_from_slice(samples);
        let mut used_total = 0;
        loop {
            let need = inner.input_frames_next();
            let available = &self.pending[used_total..];
            if available.len() < need {
                break;
            }
            self.scratch.resize(inner.output_frames_max(), 0.0);
            let frames = self.scratch.len();
            let result = InterleavedSlice::new(&available[..need], 1, need)
                .ok()
                .zip(InterleavedSlice::new_mut(&mut self.scratch, 1, frames).ok())
                .map(|(input, mut output)| inner.process_into_buffer(&input, &mut output, None));
            match result {
                Some(Ok((used, made))) => {
                    out.extend_from_slice(&self.scratch[..made]);
                    used_total += used;
                }
                // The buffers are sized as rubato asks, so this does not
                // happen; if it did, drop the chunk rather than stall.
                other => {
                    tracing::warn!(?other, "resampling failed; chunk dropped");
                    used_total += need;
                }
            }
        }
        self.pending.drain(..used_total);
    }

    /// Output samples the resampler delays its output by.
    fn delay(&self) -> usize {
        self.inner.as_ref().map_or(0, |r| r.output_delay())
    }
}

/// Converts a whole signal; output length is `len · to / from` (rounded up),
/// aligned with the input (the resampler's delay removed).
pub(crate) fn resample_all(samples: &[f32], from: u32, to: u32) -> Vec<f32> {
    if from == to {
        return samples.to_vec();
    }
    let mut r = Resampler::new(from, to);
    let expected = (samples.len() as u64 * u64::from(to)).div_ceil(u64::from(from)) as usize;
    let delay = r.delay();
    let mut out = Vec::with_capacity(expected + delay + CHUNK);
    r.process(samples, &mut out);
    // A zero tail flushes the samples still inside the filter.
    let tail = (delay + 1) * from as usize / to as usize + 2 * CHUNK;
    r.process(&vec![0.0; tail], &mut out);
    out.drain(..delay.min(out.len()));
    out.truncate(expected);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn sine(freq: f64, rate: u32, len: usize) -> Vec<f32> {
        (0..len)
            .map(|n| (2.0 * PI * freq * n as f64 / f64::from(rate)).sin() as f32 * 0.5)
            .collect()
    }

    fn rms(x: &[f32]) -> f32 {
        (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt()
    }

    /// Goertzel power of `hz` in `x` (f32 in, as the analysis module takes i16).
    fn power(x: &[f32], hz: f32, rate: u32) -> f32 {
        let pcm: Vec<i16> = x.iter().map(|&v| crate::analysis::to_i16(v)).collect();
        crate::analysis::goertzel_power(&pcm, hz, rate)
    }

    #[test]
    fn keeps_passband_and_removes_aliases() {
        for (from, to) in [
            (48_000, 8000),
            (44_100, 8000),
            (16_000, 8000),
            (8000, 16_000),
            (8000, 48_000),
            (48_000, 16_000),
        ] {
            let out = resample_all(&sine(1000.0, from, from as usize), from, to);
            assert_eq!(out.len(), to as usize, "{from}->{to}");
            // Ignore the edges, where the filter sees the zero padding. A
            // sine of amplitude 0.5 has power 0.25; within 1 dB passes.
            let middle = &out[to as usize / 10..to as usize * 9 / 10];
            let p = power(middle, 1000.0, to);
            assert!((0.2..0.3).contains(&p), "{from}->{to}: 1 kHz power {p}");
            assert!(power(middle, 1500.0, to) < 1e-4, "{from}->{to}: leakage");
            assert!(
                (rms(middle) - 0.5 / 2f32.sqrt()).abs() < 0.02,
                "{from}->{to}: level"
            );
        }
        // 6 kHz at 16 kHz would alias to 2 kHz at 8 kHz: it must be filtered out.
        let out = resample_all(&sine(6000.0, 16_000, 16_000), 16_000, 8000);
        assert!(rms(&out[100..7900]) < 0.01);
    }

    #[test]
    fn equal_rates_pass_through() {
        let input = sine(440.0, 8000, 100);
        let mut r = Resampler::new(8000, 8000);
        let mut out = Vec::new();
        r.process(&input, &mut out);
        assert_eq!(out, input);
        assert_eq!(resample_all(&input, 16_000, 16_000), input);
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
        assert!(r.pending.len() < CHUNK, "history must stay bounded");
    }
}
