//! Sound-card backend on cpal's default input and output devices.
//!
//! cpal delivers audio on its own threads in device-sized chunks at the
//! device rate (typically 44.1/48 kHz, often stereo). The callbacks convert
//! to/from mono at the call's rate (the codec's: 8 or 16 kHz) and exchange
//! audio with the 20 ms frame API through two
//! small ring buffers. The ring buffers are bounded so a stalled reader or a
//! clock mismatch between the far end and our sound card drops old audio
//! instead of letting latency grow without limit.

use std::collections::VecDeque;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, Sample, SampleFormat, SizedSample, StreamConfig, SupportedStreamConfig};

use super::{AudioBackend, AudioSink, AudioSource, AudioStreams};
use crate::analysis::to_i16;
use crate::resample::Resampler;
use crate::{MediaError, frame_samples};

/// Most microphone audio kept waiting for the call, in 20 ms frames (160 ms).
const CAPTURE_MAX_FRAMES: usize = 8;
/// Most received audio queued for the speaker, in frames (200 ms).
const PLAYBACK_MAX_FRAMES: usize = 10;
/// Audio buffered before playout starts (or restarts after running dry):
/// a 40 ms cushion against network jitter.
const PLAYBACK_PRIME_FRAMES: usize = 2;

/// cpal's default input and output devices.
///
/// `open` waits while the host opens the device (typically tens of ms), so
/// async callers may prefer `spawn_blocking`. With no usable device it
/// returns [`MediaError::NoDevice`].
#[derive(Clone, Copy, Debug, Default)]
pub struct DeviceBackend;

impl DeviceBackend {
    pub fn new() -> Self {
        DeviceBackend
    }
}

impl AudioBackend for DeviceBackend {
    fn open(&self, label: &str, sample_rate: u32) -> Result<AudioStreams, MediaError> {
        let frame = frame_samples(sample_rate);
        let capture = Arc::new(Mutex::new(VecDeque::new()));
        let playback = Arc::new(Mutex::new(PlaybackRing::new(frame)));
        let (ready_tx, ready_rx) = mpsc::sync_channel(1);
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        let (c, p) = (capture.clone(), playback.clone());
        // cpal streams are not `Send` on every platform, so they live on a
        // thread of their own until the call's source and sink are dropped.
        std::thread::Builder::new()
            .name(format!("audio-{label}"))
            .spawn(move || {
                match open_streams(c, p, sample_rate) {
                    Ok(streams) => {
                        let _ = ready_tx.send(Ok(()));
                        // Returns once every `stop_tx` clone is gone.
                        let _ = stop_rx.recv();
                        drop(streams);
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            })?;
        // A panic inside cpal drops `ready_tx`; report it rather than propagate.
        ready_rx
            .recv()
            .map_err(|_| MediaError::Device("audio thread ended while opening".into()))??;
        tracing::info!(label, "sound card opened");
        let guard = Arc::new(stop_tx);
        Ok((
            Box::new(DeviceSource {
                ring: capture,
                _guard: guard.clone(),
            }),
            Box::new(DeviceSink {
                ring: playback,
                max: PLAYBACK_MAX_FRAMES * frame,
                _guard: guard,
            }),
        ))
    }

    fn describe(&self) -> String {
        format!(
            "sound card ({} default input/output)",
            cpal::default_host().id().name()
        )
    }
}

fn open_streams(
    capture: Arc<Mutex<VecDeque<i16>>>,
    playback: Arc<Mutex<PlaybackRing>>,
    rate: u32,
) -> Result<(cpal::Stream, cpal::Stream), MediaError> {
    let host = cpal::default_host();
    let input = host
        .default_input_device()
        .ok_or_else(|| MediaError::NoDevice("no default input device".into()))?;
    let output = host
        .default_output_device()
        .ok_or_else(|| MediaError::NoDevice("no default output device".into()))?;
    // Some hosts (ALSA) always name a "default" device even with no card, so
    // a default device whose configuration cannot be read counts as absent.
    let in_config = input
        .default_input_config()
        .map_err(|e| MediaError::NoDevice(format!("input device unusable: {e}")))?;
    let out_config = output
        .default_output_config()
        .map_err(|e| MediaError::NoDevice(format!("output device unusable: {e}")))?;
    let in_stream = build_input(&input, in_config, capture, rate)?;
    let out_stream = build_output(&output, out_config, playback, rate)?;
    in_stream
        .play()
        .map_err(|e| MediaError::Device(e.to_string()))?;
    out_stream
        .play()
        .map_err(|e| MediaError::Device(e.to_string()))?;
    Ok((in_stream, out_stream))
}

/// Instantiates `$build::<T>` for the device's sample format.
macro_rules! for_sample_format {
    ($format:expr, $build:ident($($arg:expr),*)) => {
        match $format {
            SampleFormat::I8 => $build::<i8>($($arg),*),
            SampleFormat::I16 => $build::<i16>($($arg),*),
            SampleFormat::I32 => $build::<i32>($($arg),*),
            SampleFormat::U8 => $build::<u8>($($arg),*),
            SampleFormat::U16 => $build::<u16>($($arg),*),
            SampleFormat::U32 => $build::<u32>($($arg),*),
            SampleFormat::F32 => $build::<f32>($($arg),*),
            SampleFormat::F64 => $build::<f64>($($arg),*),
            other => Err(MediaError::Device(format!("unsupported sample format {other}"))),
        }
    };
}

fn build_input(
    device: &cpal::Device,
    config: SupportedStreamConfig,
    ring: Arc<Mutex<VecDeque<i16>>>,
    rate: u32,
) -> Result<cpal::Stream, MediaError> {
    fn build<T: SizedSample>(
        device: &cpal::Device,
        config: &StreamConfig,
        ring: Arc<Mutex<VecDeque<i16>>>,
        rate: u32,
    ) -> Result<cpal::Stream, MediaError>
    where
        f32: FromSample<T>,
    {
        let mut capture = Capture::new(config.sample_rate.0, config.channels, rate);
        device
            .build_input_stream(
                config,
                move |data: &[T], _: &cpal::InputCallbackInfo| capture.push(data, &ring),
                |e| tracing::warn!(error = %e, "audio input stream error"),
                None,
            )
            .map_err(|e| MediaError::Device(format!("input stream: {e}")))
    }
    for_sample_format!(
        config.sample_format(),
        build(device, &config.config(), ring, rate)
    )
}

fn build_output(
    device: &cpal::Device,
    config: SupportedStreamConfig,
    ring: Arc<Mutex<PlaybackRing>>,
    rate: u32,
) -> Result<cpal::Stream, MediaError> {
    fn build<T: SizedSample + FromSample<f32>>(
        device: &cpal::Device,
        config: &StreamConfig,
        ring: Arc<Mutex<PlaybackRing>>,
        rate: u32,
    ) -> Result<cpal::Stream, MediaError> {
        let mut playout = Playout::new(config.sample_rate.0, config.channels, rate);
        device
            .build_output_stream(
                config,
                move |data: &mut [T], _: &cpal::OutputCallbackInfo| playout.fill(data, &ring),
                |e| tracing::warn!(error = %e, "audio output stream error"),
                None,
            )
            .map_err(|e| MediaError::Device(format!("output stream: {e}")))
    }
    for_sample_format!(
        config.sample_format(),
        build(device, &config.config(), ring, rate)
    )
}

/// A panic elsewhere must not silence the call: keep using the data.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Appends samples, then drops the oldest beyond `max`.
fn push_capped(ring: &mut VecDeque<i16>, samples: impl IntoIterator<Item = i16>, max: usize) {
    ring.extend(samples);
    let excess = ring.len().saturating_sub(max);
    ring.drain(..excess);
}

/// Microphone callback state: device frames → mono → call rate → ring.
struct Capture {
    channels: usize,
    max: usize,
    resampler: Resampler,
    mono: Vec<f32>,
    resampled: Vec<f32>,
}

impl Capture {
    fn new(device_rate: u32, channels: u16, rate: u32) -> Self {
        Capture {
            channels: usize::from(channels.max(1)),
            max: CAPTURE_MAX_FRAMES * frame_samples(rate),
            resampler: Resampler::new(device_rate, rate),
            mono: Vec::new(),
            resampled: Vec::new(),
        }
    }

    fn push<T: Sample>(&mut self, data: &[T], ring: &Mutex<VecDeque<i16>>)
    where
        f32: FromSample<T>,
    {
        // Buffers are reused so the audio thread does not allocate per call.
        self.mono.clear();
        self.resampled.clear();
        let n = self.channels as f32;
        self.mono.extend(
            data.chunks_exact(self.channels)
                .map(|frame| frame.iter().map(|s| s.to_sample::<f32>()).sum::<f32>() / n),
        );
        self.resampler.process(&self.mono, &mut self.resampled);
        push_capped(
            &mut lock(ring),
            self.resampled.iter().map(|&x| to_i16(x)),
            self.max,
        );
    }
}

/// Received audio waiting for the speaker, at the call's rate.
struct PlaybackRing {
    samples: VecDeque<i16>,
    /// Playing (true) or refilling the jitter cushion (false).
    primed: bool,
    prime: usize,
}

impl PlaybackRing {
    fn new(frame: usize) -> Self {
        PlaybackRing {
            samples: VecDeque::new(),
            primed: false,
            prime: PLAYBACK_PRIME_FRAMES * frame,
        }
    }

    /// Fills `out` with audio, or silence while the cushion is refilling.
    fn pull(&mut self, out: &mut [f32]) {
        if !self.primed && self.samples.len() >= self.prime {
            self.primed = true;
        }
        for o in out {
            let sample = if self.primed {
                self.samples.pop_front()
            } else {
                None
            };
            *o = match sample {
                Some(s) => f32::from(s) / 32768.0,
                None => {
                    self.primed = false;
                    0.0
                }
            };
        }
    }
}

/// Speaker callback state: ring → call rate → device rate → every channel.
struct Playout {
    channels: usize,
    resampler: Resampler,
    staged: VecDeque<f32>,
    /// Pulled from the ring 10 ms at a time.
    chunk: Vec<f32>,
    resampled: Vec<f32>,
}

impl Playout {
    fn new(device_rate: u32, channels: u16, rate: u32) -> Self {
        Playout {
            channels: usize::from(channels.max(1)),
            resampler: Resampler::new(rate, device_rate),
            staged: VecDeque::new(),
            chunk: vec![0.0; frame_samples(rate) / 2],
            resampled: Vec::new(),
        }
    }

    fn fill<T: Sample + FromSample<f32>>(&mut self, data: &mut [T], ring: &Mutex<PlaybackRing>) {
        let frames = data.len() / self.channels;
        while self.staged.len() < frames {
            lock(ring).pull(&mut self.chunk);
            self.resampled.clear();
            self.resampler.process(&self.chunk, &mut self.resampled);
            self.staged.extend(&self.resampled);
        }
        for frame in data.chunks_mut(self.channels) {
            frame.fill(T::from_sample(self.staged.pop_front().unwrap_or(0.0)));
        }
    }
}

struct DeviceSource {
    ring: Arc<Mutex<VecDeque<i16>>>,
    /// Keeps the stream thread alive while the call uses the device.
    _guard: Arc<mpsc::Sender<()>>,
}

impl AudioSource for DeviceSource {
    fn read_frame(&mut self, frame: &mut [i16]) {
        let mut ring = lock(&self.ring);
        let n = frame.len();
        // A partial frame padded with zeros would click; wait for a whole one
        // (the cap above bounds the latency this can add).
        if ring.len() >= n {
            for (dst, src) in frame.iter_mut().zip(ring.drain(..n)) {
                *dst = src;
            }
        } else {
            frame.fill(0);
        }
    }
}

struct DeviceSink {
    ring: Arc<Mutex<PlaybackRing>>,
    max: usize,
    _guard: Arc<mpsc::Sender<()>>,
}

impl AudioSink for DeviceSink {
    fn write_frame(&mut self, frame: &[i16]) {
        push_capped(
            &mut lock(&self.ring).samples,
            frame.iter().copied(),
            self.max,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tone_present;
    use std::f32::consts::TAU;

    #[test]
    fn open_without_sound_card_is_an_error_not_a_panic() {
        let backend = DeviceBackend::new();
        assert!(!backend.describe().is_empty());
        match backend.open("call-test", 8000) {
            Ok((mut source, mut sink)) => {
                // A real machine: the frame API must still work.
                let mut frame = [0; 160];
                source.read_frame(&mut frame);
                sink.write_frame(&frame);
                sink.finish();
            }
            Err(e @ (MediaError::NoDevice(_) | MediaError::Device(_) | MediaError::Io(_))) => {
                assert!(!e.to_string().is_empty());
            }
            Err(e) => panic!("unexpected error kind: {e}"),
        }
    }

    #[test]
    fn capture_downmixes_resamples_and_caps() {
        let ring = Mutex::new(VecDeque::new());
        let mut capture = Capture::new(48_000, 2, 8000);
        // 100 ms of 48 kHz stereo in 10 ms callbacks: 1 kHz left, silence right.
        for block in 0..10 {
            let data: Vec<f32> = (0..480)
                .flat_map(|i| {
                    let t = (block * 480 + i) as f32 / 48_000.0;
                    [0.8 * (TAU * 1000.0 * t).sin(), 0.0]
                })
                .collect();
            capture.push(&data, &ring);
        }
        let samples: Vec<i16> = lock(&ring).iter().copied().collect();
        assert!(
            (790..=800).contains(&samples.len()),
            "got {}",
            samples.len()
        );
        assert!(tone_present(&samples[100..], 1000.0, 8000, 0.12));

        let mut source = DeviceSource {
            ring: Arc::new(ring),
            _guard: Arc::new(mpsc::channel().0),
        };
        let mut frame = [1; 160];
        for _ in 0..4 {
            source.read_frame(&mut frame);
        }
        source.read_frame(&mut frame);
        assert!(
            frame.iter().all(|&s| s == 0),
            "partial frame is returned as silence"
        );

        let mut ring = VecDeque::new();
        push_capped(&mut ring, 0..5000, 1280);
        assert_eq!(ring.len(), 1280);
        assert_eq!(ring.back(), Some(&4999), "oldest audio is the one dropped");
    }

    #[test]
    fn playout_primes_then_plays_at_device_rate() {
        let ring = Mutex::new(PlaybackRing::new(160));
        let mut playout = Playout::new(48_000, 2, 8000);
        let mut out = vec![0.5f32; 960]; // 10 ms stereo
        // One frame is below the cushion: silence, and the frame stays queued.
        lock(&ring).samples.extend([8000i16; 160]);
        playout.fill(&mut out, &ring);
        assert!(out.iter().all(|&s| s == 0.0));
        assert_eq!(lock(&ring).samples.len(), 160);

        let tone: Vec<i16> = (0..8000)
            .map(|n| (8000.0 * (TAU * 500.0 * n as f32 / 8000.0).sin()) as i16)
            .collect();
        lock(&ring).samples.extend(&tone[..1000]);
        let mut played = Vec::new();
        for _ in 0..10 {
            playout.fill(&mut out, &ring);
            assert!(
                out.chunks(2).all(|f| f[0] == f[1]),
                "same audio on every channel"
            );
            played.extend(out.iter().step_by(2).map(|&x| to_i16(x)));
        }
        assert!(played.iter().any(|&s| s != 0));
        assert!(tone_present(&played[2000..4000], 500.0, 48_000, 0.001));
    }
}
