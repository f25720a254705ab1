//! Tone analysis for tests and diagnostics: Goertzel power at one frequency
//! and a "does this tone dominate" check, plus a small WAV reader.

use std::f64::consts::PI;
use std::path::Path;

use crate::MediaError;

/// Goertzel power of `frequency_hz` in `samples` at `sample_rate`, normalised
/// so a full-scale sine gives ~1.0 and silence ~0 (so a sine of amplitude
/// `a` of full scale gives ~`a²`).
///
/// A Hann window keeps a strong tone from leaking into neighbouring
/// frequencies when the block is not a whole number of periods.
pub fn goertzel_power(samples: &[i16], frequency_hz: f32, sample_rate: u32) -> f32 {
    let n = samples.len();
    if n == 0 || sample_rate == 0 {
        return 0.0;
    }
    let omega = 2.0 * PI * f64::from(frequency_hz) / f64::from(sample_rate);
    let coeff = 2.0 * omega.cos();
    let (mut s1, mut s2, mut window_sum) = (0.0f64, 0.0f64, 0.0f64);
    for (i, &x) in samples.iter().enumerate() {
        let w = if n > 1 {
            0.5 - 0.5 * (2.0 * PI * i as f64 / (n - 1) as f64).cos()
        } else {
            1.0
        };
        window_sum += w;
        let s0 = w * f64::from(x) / 32768.0 + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let magnitude_sq = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    // A sine of amplitude a gives |X| ≈ a·Σw/2, hence the 2/Σw scaling.
    if window_sum == 0.0 {
        return 0.0;
    }
    (magnitude_sq * 4.0 / (window_sum * window_sum)) as f32
}

/// How far above the off-frequency powers the tone must be (10 dB).
const DOMINANCE: f32 = 10.0;

/// True if the tone dominates: its power is at least `min_power` and at least
/// 10 dB above the power at a few nearby off-frequencies (which rules out
/// broadband noise and a louder tone elsewhere leaking in).
pub fn tone_present(samples: &[i16], frequency_hz: f32, sample_rate: u32, min_power: f32) -> bool {
    let power = goertzel_power(samples, frequency_hz, sample_rate);
    if power < min_power || samples.is_empty() {
        return false;
    }
    // Stay outside the Hann main lobe (±2 bins) so the tone itself does not
    // count as "off-frequency" for short blocks or low tones.
    let bin = sample_rate as f32 / samples.len() as f32;
    let offset = (0.25 * frequency_hz).max(4.0 * bin);
    let nyquist = sample_rate as f32 / 2.0;
    [
        frequency_hz - offset,
        frequency_hz + offset,
        frequency_hz + 2.0 * offset,
    ]
    .into_iter()
    .filter(|&f| f > 0.0 && f < nyquist)
    .all(|f| power >= DOMINANCE * goertzel_power(samples, f, sample_rate))
}

/// Reads a WAV (integer up to 32-bit, or float) into i16 samples plus its
/// sample rate; more than one channel is downmixed to mono by averaging.
pub fn read_wav(path: &Path) -> Result<(Vec<i16>, u32), MediaError> {
    let (samples, rate) = read_wav_f32(path)?;
    Ok((samples.iter().map(|&x| to_i16(x)).collect(), rate))
}

/// Mono samples in -1.0..1.0 and the file's rate.
pub(crate) fn read_wav_f32(path: &Path) -> Result<(Vec<f32>, u32), MediaError> {
    let reader = hound::WavReader::open(path)?;
    let spec = reader.spec();
    let channels = usize::from(spec.channels.max(1));
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Int => {
            if spec.bits_per_sample == 0 || spec.bits_per_sample > 32 {
                return Err(MediaError::Wav(format!(
                    "unsupported {}-bit WAV",
                    spec.bits_per_sample
                )));
            }
            let scale = 1.0 / (1u64 << (spec.bits_per_sample - 1)) as f32;
            reader
                .into_samples::<i32>()
                .map(|s| s.map(|v| v as f32 * scale))
                .collect::<Result<_, _>>()?
        }
        hound::SampleFormat::Float => reader.into_samples::<f32>().collect::<Result<_, _>>()?,
    };
    let mono = interleaved
        .chunks_exact(channels)
        .map(|frame| frame.iter().sum::<f32>() / channels as f32)
        .collect();
    Ok((mono, spec.sample_rate))
}

/// Float (-1.0..1.0) to i16 with clipping.
pub(crate) fn to_i16(x: f32) -> i16 {
    (x * 32768.0).round().clamp(-32768.0, 32767.0) as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(freq: f32, amplitude: f32, len: usize) -> Vec<i16> {
        (0..len)
            .map(|n| {
                to_i16(amplitude * (2.0 * std::f32::consts::PI * freq * n as f32 / 8000.0).sin())
            })
            .collect()
    }

    #[test]
    fn power_is_normalised() {
        let full = goertzel_power(&tone(1000.0, 1.0, 8000), 1000.0, 8000);
        assert!((full - 1.0).abs() < 0.02, "full scale gave {full}");
        let half = goertzel_power(&tone(1000.0, 0.5, 160), 1000.0, 8000);
        assert!((half - 0.25).abs() < 0.02, "half scale gave {half}");
        assert!(goertzel_power(&[0; 800], 1000.0, 8000) < 1e-9);
        assert_eq!(goertzel_power(&[], 1000.0, 8000), 0.0);
    }

    #[test]
    fn detects_the_right_tone_only() {
        let t = tone(1000.0, 0.5, 1600);
        assert!(tone_present(&t, 1000.0, 8000, 0.1));
        assert!(!tone_present(&t, 2000.0, 8000, 0.1));
        assert!(!tone_present(&t, 1000.0, 8000, 0.5), "below min_power");
        let mut rng = fastrand::Rng::with_seed(711);
        let noise: Vec<i16> = (0..1600).map(|_| rng.i16(-16000..16000)).collect();
        assert!(!tone_present(&noise, 1000.0, 8000, 0.001));
        // Two tones: each one is still present.
        let both: Vec<i16> = t
            .iter()
            .zip(tone(440.0, 0.3, 1600))
            .map(|(a, b)| a + b)
            .collect();
        assert!(tone_present(&both, 1000.0, 8000, 0.05));
        assert!(tone_present(&both, 440.0, 8000, 0.05));
    }
}
