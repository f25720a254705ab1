//! Media for the desk phone: G.711 over RTP in 20 ms packets, audio backends
//! (a cpal sound-card backend and a file/tone simulator) and tone analysis.
//!
//! Audio inside the crate is always 8 kHz mono `i16`, moved in 20 ms frames of
//! [`FRAME_SAMPLES`] samples; backends convert to and from whatever the outside
//! world uses.

pub mod analysis;
pub mod backend;
pub mod codec;
pub mod g711;
mod resample;
pub mod rtp;
pub mod session;

pub use backend::{
    AudioBackend, AudioSink, AudioSource, AudioStreams, DeviceBackend, SimulatedInput,
    SimulatorBackend,
};
pub use codec::{AudioCodec, Codec, SUPPORTED_PAYLOAD_TYPES};
pub use session::{RtpConfig, RtpSession, RtpStats};

/// Samples per 20 ms frame at 8 kHz (the G.711 packet time used everywhere here).
pub const FRAME_SAMPLES: usize = 160;
/// The crate's internal sample rate: G.711's native rate (ITU-T G.711, RFC 3551 §4.5.14).
pub const SAMPLE_RATE: u32 = 8000;

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
