//! The codec registry: every audio codec the phone can use is one entry here.
//!
//! A codec is one file implementing [`AudioCodec`] (its SDP descriptor and
//! factories for its stateful [`Encoder`] and [`Decoder`]) plus one line in
//! [`REGISTRY`]. SDP offer/answer (`crate::negotiate`) reads the descriptors,
//! the RTP session the factories; nothing else knows codec names or numbers.

use std::fmt;

/// How a codec appears in SDP (RFC 8866 §6.6 `a=rtpmap`, RFC 3551 §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SdpDescriptor {
    /// Encoding name in `a=rtpmap` (compared case-insensitively, RFC 8866 §6.6).
    pub encoding_name: &'static str,
    /// The static payload type (RFC 3551 table 4), or `None` for a dynamic one
    /// the offer assigns from 96–127.
    pub static_payload_type: Option<u8>,
    /// The RTP clock rate, which is what SDP and RTP timestamps count; not
    /// always the audio rate (G.722: 16 kHz audio, 8000 here, RFC 3551 §4.5.2).
    pub rtp_clock_rate: u32,
    pub channels: u8,
    /// Format parameters for `a=fmtp`, if the codec has any.
    pub fmtp: Option<&'static str>,
}

impl SdpDescriptor {
    /// `name/rate[/channels]` as in `a=rtpmap` (channels only when not 1).
    pub fn rtpmap(&self) -> String {
        if self.channels == 1 {
            format!("{}/{}", self.encoding_name, self.rtp_clock_rate)
        } else {
            format!(
                "{}/{}/{}",
                self.encoding_name, self.rtp_clock_rate, self.channels
            )
        }
    }

    /// Whether an `a=rtpmap` value (`name/rate[/channels]`) names this format.
    pub fn matches_rtpmap(&self, rtpmap: &str) -> bool {
        let mut parts = rtpmap.trim().split('/');
        let name = parts.next().unwrap_or("");
        let rate = parts.next().and_then(|r| r.trim().parse::<u32>().ok());
        // RFC 8866 §6.6: a missing channel count means one channel.
        let channels = match parts.next() {
            None => Some(1),
            Some(c) => c.trim().parse::<u8>().ok(),
        };
        name.eq_ignore_ascii_case(self.encoding_name)
            && rate == Some(self.rtp_clock_rate)
            && channels == Some(self.channels)
            && parts.next().is_none()
    }
}

/// What the peer's `a=fmtp` asks of our encoder (RFC 7587 §6.1 names; a codec
/// without such options ignores them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FormatParams {
    /// `useinbandfec=1`: the peer decodes in-band forward error correction.
    pub inband_fec: bool,
    /// `usedtx=1`: the peer prefers discontinuous transmission.
    pub dtx: bool,
    /// `maxaveragebitrate`, in bit/s.
    pub max_average_bitrate: Option<u32>,
}

impl FormatParams {
    /// Reads `name=value;name=value` (RFC 8866 §6.15 leaves the syntax to the format;
    /// RFC 7587 uses this one). Unknown names and bad values are ignored.
    pub fn parse(fmtp: &str) -> FormatParams {
        let mut params = FormatParams::default();
        for (name, value) in fmtp
            .split(';')
            .filter_map(|p| p.split_once('='))
            .map(|(n, v)| (n.trim(), v.trim()))
        {
            match name.to_ascii_lowercase().as_str() {
                "useinbandfec" => params.inband_fec = value == "1",
                "usedtx" => params.dtx = value == "1",
                "maxaveragebitrate" => params.max_average_bitrate = value.parse().ok(),
                _ => {}
            }
        }
        params
    }
}

/// Turns audio frames into payloads; holds whatever state the codec needs
/// from one frame to the next (ADPCM predictors, ...).
pub trait Encoder: Send {
    /// Appends the encoding of `pcm` (mono, at the codec's sample rate) to `out`.
    /// Appending nothing means nothing is to be sent for this frame (Opus DTX).
    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>);
}

/// Turns payloads into audio frames, keeping state between packets.
pub trait Decoder: Send {
    /// Appends the decoded samples of `payload` to `out`.
    fn decode(&mut self, payload: &[u8], out: &mut Vec<i16>);

    /// Appends `samples` for a packet that never came, when the codec can do better
    /// than the generic fade (`jitter::Concealer`); `next` is the packet after it if
    /// it is already here (Opus carries the lost one in it as FEC). False: not done.
    fn conceal(&mut self, next: Option<&[u8]>, samples: usize, out: &mut Vec<i16>) -> bool {
        let _ = (next, samples, out);
        false
    }
}

/// One codec: a registry entry.
pub trait AudioCodec: Sync {
    /// Its name in `codec_priority_list` (lower case, e.g. `pcmu`).
    fn id(&self) -> &'static str;
    fn sdp(&self) -> SdpDescriptor;
    /// The audio rate the encoder takes and the decoder gives.
    fn sample_rate(&self) -> u32;
    fn encoder(&self) -> Box<dyn Encoder>;
    /// An encoder set up as the peer's format parameters ask.
    fn encoder_for(&self, params: FormatParams) -> Box<dyn Encoder> {
        let _ = params;
        self.encoder()
    }
    fn decoder(&self) -> Box<dyn Decoder>;
}

/// Every codec the phone has. The order here is only the fallback order; the
/// setting `codec_priority_list` decides what is offered and in which order.
pub static REGISTRY: &[&dyn AudioCodec] = &[
    &crate::g711::Pcmu,
    &crate::g711::Pcma,
    &crate::g722::G722,
    &crate::opus::Opus,
];

/// A handle to a registered codec.
#[derive(Clone, Copy)]
pub struct Codec(&'static dyn AudioCodec);

impl PartialEq for Codec {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}
impl Eq for Codec {}

impl fmt::Debug for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name in `codec_priority_list` that no registered codec has.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown codec {0:?} in the codec priority list")]
pub struct UnknownCodec(pub String);

impl Codec {
    /// Every registered codec, in registry order.
    pub fn all() -> impl Iterator<Item = Codec> {
        REGISTRY.iter().map(|c| Codec(*c))
    }

    /// The codec named `id` in `codec_priority_list` (case-insensitive).
    pub fn by_id(id: &str) -> Option<Codec> {
        Codec::all().find(|c| c.id().eq_ignore_ascii_case(id.trim()))
    }

    /// The codec whose static payload type is `pt` (RFC 3551 table 4).
    pub fn from_static_payload_type(pt: u8) -> Option<Codec> {
        Codec::all().find(|c| c.sdp().static_payload_type == Some(pt))
    }

    /// The codec an `a=rtpmap` value names.
    pub fn from_rtpmap(rtpmap: &str) -> Option<Codec> {
        Codec::all().find(|c| c.sdp().matches_rtpmap(rtpmap))
    }

    /// Reads `codec_priority_list` (`pcmu,pcma,g722`): the codecs to offer and
    /// accept, best first. Duplicates count once; an empty list is refused, as
    /// a phone without a codec cannot call.
    pub fn priority_list(list: &str) -> Result<Vec<Codec>, UnknownCodec> {
        let mut out: Vec<Codec> = Vec::new();
        for id in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let codec = Codec::by_id(id).ok_or_else(|| UnknownCodec(id.to_owned()))?;
            if !out.contains(&codec) {
                out.push(codec);
            }
        }
        if out.is_empty() {
            return Err(UnknownCodec(list.to_owned()));
        }
        Ok(out)
    }

    pub fn id(self) -> &'static str {
        self.0.id()
    }

    /// The encoding name as SDP and the call state show it (`PCMU`, `G722`).
    pub fn name(self) -> &'static str {
        self.0.sdp().encoding_name
    }

    pub fn sdp(self) -> SdpDescriptor {
        self.0.sdp()
    }

    pub fn sample_rate(self) -> u32 {
        self.0.sample_rate()
    }

    /// Audio samples in one packet of `ptime_ms`.
    pub fn frame_samples(self, ptime_ms: u32) -> usize {
        (self.sample_rate() * ptime_ms / 1000) as usize
    }

    /// RTP timestamp units in one packet of `ptime_ms` (RFC 3550 §5.1: the
    /// timestamp counts at the RTP clock rate, not the audio rate).
    pub fn timestamp_step(self, ptime_ms: u32) -> u32 {
        self.sdp().rtp_clock_rate * ptime_ms / 1000
    }

    pub fn encoder(self) -> Box<dyn Encoder> {
        self.0.encoder()
    }

    pub fn encoder_for(self, params: FormatParams) -> Box<dyn Encoder> {
        self.0.encoder_for(params)
    }

    pub fn decoder(self) -> Box<dyn Decoder> {
        self.0.decoder()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_matches_rfc3551_assignments() {
        let pcmu = Codec::by_id("pcmu").unwrap();
        let pcma = Codec::by_id("PCMA").unwrap();
        let g722 = Codec::by_id("g722").unwrap();
        assert_eq!(pcmu.sdp().static_payload_type, Some(0));
        assert_eq!(pcma.sdp().static_payload_type, Some(8));
        assert_eq!(g722.sdp().static_payload_type, Some(9));
        assert_eq!(Codec::from_static_payload_type(8), Some(pcma));
        assert_eq!(Codec::from_static_payload_type(18), None);
        assert_eq!(pcmu.sdp().rtpmap(), "PCMU/8000");
        // RFC 3551 §4.5.2: G.722 samples at 16 kHz but its RTP clock says 8000.
        assert_eq!(g722.sdp().rtpmap(), "G722/8000");
        assert_eq!((g722.sample_rate(), g722.frame_samples(20)), (16_000, 320));
        assert_eq!(g722.timestamp_step(20), 160);
        assert_eq!(Codec::from_rtpmap("g722/8000/1"), Some(g722));
        assert_eq!(Codec::from_rtpmap("PCMU/16000"), None);
        assert_eq!(Codec::from_rtpmap("PCMU/8000/2"), None);
        // Ids are unique, so a priority list names each codec once.
        let mut ids: Vec<_> = Codec::all().map(Codec::id).collect();
        ids.dedup();
        assert_eq!(ids.len(), REGISTRY.len());
    }

    #[test]
    fn priority_list_parsing() {
        let ids = |l: &str| {
            Codec::priority_list(l).map(|v| v.into_iter().map(Codec::id).collect::<Vec<_>>())
        };
        assert_eq!(ids("pcmu,pcma,g722").unwrap(), ["pcmu", "pcma", "g722"]);
        assert_eq!(ids(" G722 , pcmu,g722").unwrap(), ["g722", "pcmu"]);
        assert_eq!(ids("pcmu,g729"), Err(UnknownCodec("g729".into())));
        assert!(ids(" , ").is_err());
    }

    #[test]
    fn encoders_and_decoders_keep_frame_sizes() {
        // The 64 kbit/s codecs; Opus has its own tests (variable rate).
        for codec in Codec::all().filter(|c| c.id() != "opus") {
            let n = codec.frame_samples(20);
            let mut bytes = Vec::new();
            codec.encoder().encode(&vec![0; n], &mut bytes);
            assert_eq!(
                bytes.len(),
                160,
                "{codec:?}: 64 kbit/s is 160 octets per 20 ms"
            );
            let mut pcm = vec![1, 2];
            codec.decoder().decode(&bytes, &mut pcm);
            assert_eq!(pcm.len(), n + 2, "{codec:?}: decode appends");
        }
    }
}
