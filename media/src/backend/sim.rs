//! Simulator backend: a synthetic or file-based microphone and a speaker that
//! records to WAV, so calls can be tested on machines without sound hardware.

use std::f64::consts::TAU;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{AudioBackend, AudioSink, AudioSource, AudioStreams};
use crate::MediaError;
use crate::analysis::{read_wav_f32, to_i16};
use crate::resample::resample_all;

/// What the simulated microphone produces.
#[derive(Clone, Debug, PartialEq)]
pub enum SimulatedInput {
    Silence,
    /// A continuous sine; `amplitude` is a fraction (0..1) of full scale.
    Tone {
        frequency_hz: f32,
        amplitude: f32,
    },
    /// A WAV file played in a loop; any rate/channel count is downmixed and
    /// resampled to the call's rate, mono, when a call opens.
    WavFile(PathBuf),
}

/// Simulated audio: input from [`SimulatedInput`], output recorded per call.
pub struct SimulatorBackend {
    input: SimulatedInput,
    recordings_dir: PathBuf,
}

impl SimulatorBackend {
    /// Records what each call receives to `<recordings_dir>/<label>.wav`
    /// (mono 16-bit at the call's rate); the header is valid after `finish()` or drop.
    pub fn new(input: SimulatedInput, recordings_dir: PathBuf) -> Self {
        SimulatorBackend {
            input,
            recordings_dir,
        }
    }

    /// Where the call named `label` is recorded. Characters that could escape
    /// the directory or upset a file system are replaced with `_`.
    pub fn recording_path(&self, label: &str) -> PathBuf {
        let safe: String = label
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let safe = if safe.is_empty() || safe.starts_with('.') {
            format!("_{safe}")
        } else {
            safe
        };
        self.recordings_dir.join(format!("{safe}.wav"))
    }
}

impl AudioBackend for SimulatorBackend {
    fn open(&self, label: &str, sample_rate: u32) -> Result<AudioStreams, MediaError> {
        let source = match &self.input {
            SimulatedInput::Silence => SimSource::Silence,
            &SimulatedInput::Tone {
                frequency_hz,
                amplitude,
            } => SimSource::Tone {
                phase: 0.0,
                step: TAU * f64::from(frequency_hz) / f64::from(sample_rate),
                amplitude: f64::from(amplitude.clamp(0.0, 1.0)),
            },
            SimulatedInput::WavFile(path) => {
                let (samples, rate) = read_wav_f32(path)?;
                if rate == 0 {
                    return Err(MediaError::Wav(format!(
                        "{}: sample rate 0",
                        path.display()
                    )));
                }
                let samples: Arc<[i16]> = resample_all(&samples, rate, sample_rate)
                    .into_iter()
                    .map(to_i16)
                    .collect();
                if samples.is_empty() {
                    tracing::warn!(path = %path.display(), "simulator WAV input is empty; sending silence");
                }
                SimSource::Looped {
                    samples,
                    position: 0,
                }
            }
        };
        std::fs::create_dir_all(&self.recordings_dir)?;
        let sink = WavRecorder::create(&self.recording_path(label), sample_rate)?;
        tracing::debug!(label, input = ?self.input, "simulator audio opened");
        Ok((Box::new(source), Box::new(sink)))
    }

    fn describe(&self) -> String {
        let input = match &self.input {
            SimulatedInput::Silence => "silence".to_owned(),
            SimulatedInput::Tone {
                frequency_hz,
                amplitude,
            } => {
                format!("{frequency_hz} Hz tone at {amplitude:.2} of full scale")
            }
            SimulatedInput::WavFile(path) => format!("looped {}", path.display()),
        };
        format!(
            "simulator (input: {input}; recordings in {})",
            self.recordings_dir.display()
        )
    }
}

enum SimSource {
    Silence,
    Tone {
        phase: f64,
        step: f64,
        amplitude: f64,
    },
    Looped {
        samples: Arc<[i16]>,
        position: usize,
    },
}

impl AudioSource for SimSource {
    fn read_frame(&mut self, frame: &mut [i16]) {
        match self {
            SimSource::Silence => frame.fill(0),
            SimSource::Tone {
                phase,
                step,
                amplitude,
            } => {
                for s in frame.iter_mut() {
                    *s = (*amplitude * phase.sin() * f64::from(i16::MAX)).round() as i16;
                    // Wrap so precision does not decay over long calls.
                    *phase = (*phase + *step) % TAU;
                }
            }
            SimSource::Looped { samples, position } => {
                if samples.is_empty() {
                    frame.fill(0);
                    return;
                }
                for s in frame.iter_mut() {
                    *s = samples[*position];
                    *position = (*position + 1) % samples.len();
                }
            }
        }
    }
}

/// Writes mono 16-bit WAV; finalised by `finish()` or on drop.
struct WavRecorder {
    writer: Option<hound::WavWriter<BufWriter<File>>>,
    path: PathBuf,
    frames_since_flush: u32,
}

/// Rewrite the header about once a second, so even a killed process leaves a
/// file that is readable up to the last second.
const FLUSH_EVERY_FRAMES: u32 = 50;

impl WavRecorder {
    fn create(path: &Path, sample_rate: u32) -> Result<Self, MediaError> {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        Ok(WavRecorder {
            writer: Some(hound::WavWriter::create(path, spec)?),
            path: path.to_owned(),
            frames_since_flush: 0,
        })
    }

    fn fail(&mut self, what: &str, e: hound::Error) {
        tracing::warn!(path = %self.path.display(), error = %e, "recording {what} failed; recording stopped");
        self.writer = None;
    }
}

impl AudioSink for WavRecorder {
    fn write_frame(&mut self, frame: &[i16]) {
        let Some(writer) = self.writer.as_mut() else {
            return;
        };
        let mut result = frame.iter().try_for_each(|&s| writer.write_sample(s));
        self.frames_since_flush += 1;
        if result.is_ok() && self.frames_since_flush >= FLUSH_EVERY_FRAMES {
            self.frames_since_flush = 0;
            result = writer.flush();
        }
        if let Err(e) = result {
            self.fail("write", e);
        }
    }

    fn finish(&mut self) {
        if let Some(writer) = self.writer.take()
            && let Err(e) = writer.finalize()
        {
            self.fail("finalise", e);
        }
    }
}

impl Drop for WavRecorder {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{goertzel_power, read_wav, tone_present};

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("deskphone-sim-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn read_frames(source: &mut dyn AudioSource, frames: usize) -> Vec<i16> {
        let mut out = Vec::new();
        let mut frame = [0; 160];
        for _ in 0..frames {
            source.read_frame(&mut frame);
            out.extend_from_slice(&frame);
        }
        out
    }

    #[test]
    fn tone_source_and_recording_round_trip() {
        let dir = temp_dir("tone");
        let backend = SimulatorBackend::new(
            SimulatedInput::Tone {
                frequency_hz: 1000.0,
                amplitude: 0.5,
            },
            dir.clone(),
        );
        assert!(backend.describe().contains("1000 Hz"));
        let (mut source, mut sink) = backend.open("call/../1", 8000).unwrap();
        let audio = read_frames(source.as_mut(), 25);
        assert!(tone_present(&audio, 1000.0, 8000, 0.2));
        for frame in audio.chunks(160) {
            sink.write_frame(frame);
        }
        drop(sink); // finalised by drop alone
        let path = backend.recording_path("call/../1");
        assert_eq!(
            path.parent(),
            Some(dir.as_path()),
            "label cannot escape the directory"
        );
        let (recorded, rate) = read_wav(&path).unwrap();
        assert_eq!((recorded.len(), rate), (audio.len(), 8000));
        assert_eq!(recorded, audio);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn wav_input_16k_stereo_is_downmixed_and_resampled() {
        let dir = temp_dir("wav16k");
        std::fs::create_dir_all(&dir).unwrap();
        let input = dir.join("input.wav");
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 16_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&input, spec).unwrap();
        // Left: 1 kHz at 0.6. Right: 6 kHz, which naive decimation to 8 kHz
        // would fold onto 2 kHz; a correct resampler removes it.
        for n in 0..8000 {
            let t = n as f64 / 16_000.0;
            w.write_sample((0.6 * (TAU * 1000.0 * t).sin() * 32767.0) as i16)
                .unwrap();
            w.write_sample((0.6 * (TAU * 6000.0 * t).sin() * 32767.0) as i16)
                .unwrap();
        }
        w.finalize().unwrap();

        let backend = SimulatorBackend::new(SimulatedInput::WavFile(input), dir.join("rec"));
        let (mut source, _sink) = backend.open("wav", 8000).unwrap();
        // 0.5 s of input = 4000 samples at 8 kHz = 25 frames; read 60 to loop.
        let audio = read_frames(source.as_mut(), 60);
        let first = &audio[200..3800];
        // Downmix halves the left channel: 0.3 amplitude → power 0.09.
        let power = goertzel_power(first, 1000.0, 8000);
        assert!((power - 0.09).abs() < 0.01, "1 kHz power {power}");
        assert!(tone_present(first, 1000.0, 8000, 0.05));
        assert!(
            goertzel_power(first, 2000.0, 8000) < 1e-4,
            "6 kHz aliased to 2 kHz"
        );
        // Looping: the second pass repeats the first.
        assert_eq!(&audio[4000 + 200..4000 + 3800], first);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn wideband_calls_get_16_khz_audio_and_recordings() {
        let dir = temp_dir("tone16k");
        let backend = SimulatorBackend::new(
            SimulatedInput::Tone {
                frequency_hz: 6000.0,
                amplitude: 0.5,
            },
            dir.clone(),
        );
        let (mut source, mut sink) = backend.open("wide", 16_000).unwrap();
        let mut frame = [0; 320];
        source.read_frame(&mut frame);
        // 6 kHz only exists above 8 kHz sampling: G.722's upper band.
        assert!(tone_present(&frame, 6000.0, 16_000, 0.2));
        sink.write_frame(&frame);
        sink.finish();
        let (recorded, rate) = read_wav(&backend.recording_path("wide")).unwrap();
        assert_eq!((recorded.len(), rate), (320, 16_000));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn silence_and_missing_file() {
        let dir = temp_dir("silence");
        let backend = SimulatorBackend::new(SimulatedInput::Silence, dir.clone());
        let (mut source, mut sink) = backend.open("s", 8000).unwrap();
        assert!(read_frames(source.as_mut(), 3).iter().all(|&s| s == 0));
        sink.finish();
        sink.finish(); // idempotent
        assert_eq!(read_wav(&backend.recording_path("s")).unwrap().0.len(), 0);

        let missing =
            SimulatorBackend::new(SimulatedInput::WavFile(dir.join("nope.wav")), dir.clone());
        assert!(missing.open("x", 8000).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
