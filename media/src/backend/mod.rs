//! Where a call's audio comes from and goes to.

mod device;
mod sim;

pub use device::DeviceBackend;
pub use sim::{SimulatedInput, SimulatorBackend};

use crate::MediaError;

/// Microphone side: fills one frame each call (never blocks long; silence if
/// nothing is available). The frame's length is the packet time at the rate
/// the stream was opened with (320 samples for 20 ms at 16 kHz).
pub trait AudioSource: Send {
    fn read_frame(&mut self, frame: &mut [i16]);
}

/// Speaker side: takes one frame of received audio (normally 20 ms, but any
/// length the far end packetised is accepted).
pub trait AudioSink: Send {
    fn write_frame(&mut self, frame: &[i16]);
    /// Called once when the call's media stops, e.g. to finalise a recording.
    fn finish(&mut self) {}
}

/// One call's microphone and speaker.
pub type AudioStreams = (Box<dyn AudioSource>, Box<dyn AudioSink>);

/// Where a call's audio comes from and goes to.
pub trait AudioBackend: Send + Sync {
    /// Opens audio for one call at `sample_rate` (the codec's, mono);
    /// `label` names the call (e.g. "call-3") for files/logs.
    fn open(&self, label: &str, sample_rate: u32) -> Result<AudioStreams, MediaError>;
    /// One line for logs and the UI.
    fn describe(&self) -> String;
}
