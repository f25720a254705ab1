//! Opus (RFC 6716) in RTP (RFC 7587) through Debian's libopus (`libopus0`, bound by
//! `audiopus`). One registry entry: `opus/48000/2` in SDP whatever is sent (RFC 7587
//! §7), mono at 48 kHz inside the phone, 20 ms frames. The peer's `a=fmtp` says what it
//! wants from our encoder: `useinbandfec=1` turns on in-band forward error correction,
//! `usedtx=1` discontinuous transmission, `maxaveragebitrate` caps the rate (§6.1).
//! On a lost packet the decoder first tries the FEC data carried in the next packet,
//! then libopus's own concealment.

use audiopus::coder::{Decoder as OpusDecoder, Encoder as OpusEncoder};
use audiopus::packet::Packet;
use audiopus::{Application, Bitrate, Channels, MutSignals, SampleRate};

use crate::codec::{AudioCodec, Decoder, Encoder, FormatParams, SdpDescriptor};

/// Opus, dynamic payload type, 48 kHz clock (RFC 7587 §4.1).
pub struct Opus;

const RATE: u32 = 48_000;
/// The largest packet libopus writes for one frame (RFC 6716 §3.4: 1275 octets per
/// frame); a datagram stays below the MTU anyway.
const MAX_PACKET: usize = 1275;
/// 120 ms at 48 kHz: the longest a packet can decode to (RFC 6716 §2.1.4).
const MAX_FRAME: usize = 5760;
/// The loss the encoder plans FEC for when the peer asked for FEC: libopus adds no
/// redundancy at 0 %, and 10 % keeps the cost to a few kbit/s.
const FEC_LOSS_PERCENT: u8 = 10;

impl AudioCodec for Opus {
    fn id(&self) -> &'static str {
        "opus"
    }

    fn sdp(&self) -> SdpDescriptor {
        SdpDescriptor {
            encoding_name: "opus",
            static_payload_type: None,
            rtp_clock_rate: RATE,
            // RFC 7587 §7: always two in the rtpmap; `stereo=0` (the default) says we
            // prefer to receive mono.
            channels: 2,
            // We decode in-band FEC, so the peer may send it (§6.1).
            fmtp: Some("useinbandfec=1"),
        }
    }

    fn sample_rate(&self) -> u32 {
        RATE
    }

    fn encoder(&self) -> Box<dyn Encoder> {
        self.encoder_for(FormatParams::default())
    }

    fn encoder_for(&self, params: FormatParams) -> Box<dyn Encoder> {
        match OpusEncoder::new(SampleRate::Hz48000, Channels::Mono, Application::Voip) {
            Ok(mut encoder) => {
                let mut set = || -> audiopus::Result<()> {
                    encoder.set_inband_fec(params.inband_fec)?;
                    if params.inband_fec {
                        encoder.set_packet_loss_perc(FEC_LOSS_PERCENT)?;
                    }
                    encoder.set_dtx(params.dtx)?;
                    if let Some(max) = params.max_average_bitrate {
                        // RFC 7587 §6.1: 6000 to 510000 bit/s.
                        let rate = max.clamp(6_000, 510_000) as i32;
                        encoder.set_bitrate(Bitrate::BitsPerSecond(rate))?;
                    }
                    Ok(())
                };
                if let Err(e) = set() {
                    tracing::warn!(error = %e, "Opus encoder settings refused");
                }
                Box::new(OpusSender {
                    encoder: Some(encoder),
                    dtx: params.dtx,
                    buffer: vec![0; MAX_PACKET],
                })
            }
            Err(e) => {
                tracing::warn!(error = %e, "no Opus encoder; sending nothing");
                Box::new(OpusSender {
                    encoder: None,
                    dtx: false,
                    buffer: Vec::new(),
                })
            }
        }
    }

    fn decoder(&self) -> Box<dyn Decoder> {
        let decoder = OpusDecoder::new(SampleRate::Hz48000, Channels::Mono)
            .map_err(|e| tracing::warn!(error = %e, "no Opus decoder; playing silence"))
            .ok();
        Box::new(OpusReceiver {
            decoder,
            buffer: vec![0; MAX_FRAME],
            last_len: crate::frame_samples(RATE),
        })
    }
}

struct OpusSender {
    encoder: Option<OpusEncoder>,
    dtx: bool,
    buffer: Vec<u8>,
}

impl Encoder for OpusSender {
    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) {
        let Some(encoder) = &self.encoder else { return };
        match encoder.encode(pcm, &mut self.buffer) {
            // RFC 7587 §3.1.3 and libopus: with DTX, a packet of two octets or less is
            // silence that need not be sent; the payload stays empty and nothing goes out.
            Ok(len) if self.dtx && len <= 2 => {}
            Ok(len) => out.extend_from_slice(&self.buffer[..len]),
            Err(e) => tracing::debug!(error = %e, "Opus frame not encoded"),
        }
    }
}

struct OpusReceiver {
    decoder: Option<OpusDecoder>,
    buffer: Vec<i16>,
    /// Samples of the last decoded frame: what a broken packet is replaced with.
    last_len: usize,
}

impl OpusReceiver {
    fn run(
        &mut self,
        packet: Option<&[u8]>,
        samples: usize,
        fec: bool,
        out: &mut Vec<i16>,
    ) -> bool {
        let Some(decoder) = self.decoder.as_mut() else {
            return false;
        };
        let samples = samples.clamp(1, MAX_FRAME);
        let input = match packet.map(Packet::try_from) {
            None => None,
            Some(Ok(p)) => Some(p),
            Some(Err(_)) => return false,
        };
        let Ok(signals) = MutSignals::try_from(&mut self.buffer[..samples]) else {
            return false;
        };
        match decoder.decode(input, signals, fec) {
            Ok(n) => {
                out.extend_from_slice(&self.buffer[..n.min(samples)]);
                true
            }
            Err(e) => {
                tracing::debug!(error = %e, "Opus packet not decoded");
                false
            }
        }
    }
}

impl Decoder for OpusReceiver {
    fn decode(&mut self, payload: &[u8], out: &mut Vec<i16>) {
        let before = out.len();
        if self.run(Some(payload), MAX_FRAME, false, out) {
            self.last_len = out.len() - before;
        } else {
            // A packet libopus refuses: its concealment fills the frame's time.
            let len = self.last_len;
            if !self.run(None, len, false, out) {
                out.resize(before + len, 0);
            }
        }
    }

    fn conceal(&mut self, next: Option<&[u8]>, samples: usize, out: &mut Vec<i16>) -> bool {
        // RFC 6716 §2.1.7 / RFC 7587 §3.2: the next packet may carry this one at a lower
        // rate (LBRR); decode that, else let libopus extrapolate.
        (next.is_some() && self.run(next, samples, true, out))
            || self.run(None, samples, false, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tone_present;
    use crate::codec::Codec;

    fn tone(n: usize, hz: f32, start: usize) -> Vec<i16> {
        (start..start + n)
            .map(|i| (8000.0 * (std::f32::consts::TAU * hz * i as f32 / RATE as f32).sin()) as i16)
            .collect()
    }

    #[test]
    fn registry_entry_follows_rfc7587() {
        let opus = Codec::by_id("opus").unwrap();
        assert_eq!(opus.sdp().rtpmap(), "opus/48000/2");
        assert_eq!(opus.sdp().static_payload_type, None);
        assert_eq!(Codec::from_rtpmap("OPUS/48000/2"), Some(opus));
        assert_eq!(
            (opus.frame_samples(20), opus.timestamp_step(20)),
            (960, 960)
        );
    }

    #[test]
    fn a_tone_survives_encoding_fec_and_concealment() {
        let mut enc = Opus.encoder_for(FormatParams {
            inband_fec: true,
            ..FormatParams::default()
        });
        let mut dec = Opus.decoder();
        let mut packets = Vec::new();
        for f in 0..50 {
            let mut p = Vec::new();
            enc.encode(&tone(960, 1000.0, f * 960), &mut p);
            assert!(
                !p.is_empty() && p.len() < 400,
                "frame {f}: {} octets",
                p.len()
            );
            packets.push(p);
        }
        let mut pcm = Vec::new();
        for (i, p) in packets.iter().enumerate() {
            if i == 30 {
                // Lost: recovered from the next packet's FEC data.
                assert!(dec.conceal(Some(&packets[31]), 960, &mut pcm));
            } else if i == 40 {
                assert!(dec.conceal(None, 960, &mut pcm), "libopus PLC");
            } else {
                dec.decode(p, &mut pcm);
            }
        }
        assert_eq!(pcm.len(), 50 * 960);
        // After the codec's start-up, every 20 ms frame carries the tone, the
        // concealed ones included (the frame after libopus's PLC fades back in from
        // the extrapolation and is left out).
        for f in (5..50).filter(|&f| f != 41) {
            let frame = &pcm[f * 960..(f + 1) * 960];
            assert!(tone_present(frame, 1000.0, RATE, 0.01), "frame {f}");
        }
        // Garbage decodes to a frame of concealment, never a panic.
        let before = pcm.len();
        dec.decode(&[0xFF; 3], &mut pcm);
        dec.decode(&[], &mut pcm);
        assert_eq!(pcm.len(), before + 2 * 960);
    }

    #[test]
    fn dtx_sends_nothing_in_silence() {
        let mut enc = Opus.encoder_for(FormatParams {
            dtx: true,
            ..FormatParams::default()
        });
        let mut sent = 0;
        for _ in 0..100 {
            let mut p = Vec::new();
            enc.encode(&[0; 960], &mut p);
            sent += usize::from(!p.is_empty());
        }
        assert!(sent < 30, "{sent} of 100 silent frames sent with DTX");
        let mut plain = Opus.encoder();
        let mut p = Vec::new();
        plain.encode(&[0; 960], &mut p);
        assert!(!p.is_empty(), "without DTX every frame goes out");
    }
}
