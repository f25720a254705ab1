//! Media for the desk phone: the codec registry (G.711, G.722), SDP
//! offer/answer decisions (`negotiate`), RTP in 20 ms packets with RFC 4733
//! telephone-events, audio backends (a cpal sound-card backend and a
//! file/tone simulator) and tone analysis.
//!
//! Audio inside the crate is mono `i16` at the negotiated codec's rate (8 kHz
//! for G.711, 16 kHz for G.722), moved in 20 ms frames; backends convert to
//! and from whatever the outside world uses.

pub mod analysis;
pub mod backend;
pub mod codec;
pub mod dtmf;
pub mod g711;
pub mod g722;
pub mod inband;
pub mod jitter;
pub mod negotiate;
pub mod opus;
mod resample;
pub mod rtcp;
pub mod rtp;
pub mod session;
pub mod srtp;

pub use backend::{
    AudioBackend, AudioSink, AudioSource, AudioStreams, DeviceBackend, SimulatedInput,
    SimulatorBackend,
};
pub use codec::{AudioCodec, Codec};
pub use negotiate::{MediaPlan, NegotiationError};
pub use session::{
    CallQuality, MediaEvent, RTCP_INTERVAL, Reception, RtpConfig, RtpSession, RtpStats,
};

/// The packet time used here: 20 ms, the RFC 3551 §4.5.14 default for G.711
/// and the usual one for G.722.
pub const PTIME_MS: u32 = 20;

/// Samples in one 20 ms frame at `sample_rate`.
pub fn frame_samples(sample_rate: u32) -> usize {
    (sample_rate * PTIME_MS / 1000) as usize
}

/// Everything that can go wrong opening or running audio.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// No usable sound device (none present, or the default one cannot be opened).
    #[error("no audio device: {0}")]
    NoDevice(String),
    /// The device exists but failed (unsupported format, stream error, ...).
    #[error("audio device error: {0}")]
    Device(String),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A WAV file could not be read or written.
    #[error("WAV error: {0}")]
    Wav(String),
}

impl From<hound::Error> for MediaError {
    fn from(e: hound::Error) -> Self {
        match e {
            hound::Error::IoError(io) => MediaError::Io(io),
            other => MediaError::Wav(other.to_string()),
        }
    }
}
