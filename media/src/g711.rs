//! ITU-T G.711 µ-law (PCMU) and A-law (PCMA), written from the companding
//! rules in the Recommendation: 8 segments of 16 linear steps, each segment
//! doubling the step size. Inputs are 16-bit linear; G.711 itself works on
//! 14-bit (µ-law) and 13-bit (A-law) magnitudes, so the low bits are scaled.

use crate::codec::{AudioCodec, Decoder, Encoder, SdpDescriptor};

/// µ-law bias: G.711 adds 33 to the 14-bit magnitude so every segment starts
/// at a power of two; 33 << 2 = 132 in 16-bit units.
const ULAW_BIAS: u32 = 0x84;
/// Largest magnitude that still fits 15 bits after the bias is added.
const ULAW_CLIP: u32 = 32_767 - ULAW_BIAS;

/// Encodes one linear sample to µ-law.
pub fn ulaw_encode(sample: i16) -> u8 {
    let sign: u32 = if sample < 0 { 0x80 } else { 0 };
    let biased = u32::from(sample.unsigned_abs()).min(ULAW_CLIP) + ULAW_BIAS;
    // `biased` is in 132..=32767: its top bit (7..=14) picks the segment.
    let exponent = biased.ilog2() - 7;
    let mantissa = (biased >> (exponent + 3)) & 0x0F;
    // G.711 transmits µ-law with all bits inverted (so silence is 0xFF).
    !(sign | (exponent << 4) | mantissa) as u8
}

/// Decodes one µ-law code to a linear sample (the middle of its interval).
pub fn ulaw_decode(code: u8) -> i16 {
    let u = !code;
    let exponent = (u >> 4) & 0x07;
    let mantissa = i32::from(u & 0x0F);
    // Adding the bias back puts the result mid-interval: (16 + m) << 3 | 4.
    let magnitude = (((mantissa << 3) + ULAW_BIAS as i32) << exponent) - ULAW_BIAS as i32;
    (if u & 0x80 != 0 { -magnitude } else { magnitude }) as i16
}

/// Encodes one linear sample to A-law.
pub fn alaw_encode(sample: i16) -> u8 {
    // A-law quantises a 13-bit value; negative values use one's complement
    // magnitude so -1 lands in the code next to +0, as in G.711.
    let s = i32::from(sample) >> 3;
    let (magnitude, mask) = if s >= 0 { (s, 0xD5) } else { (-s - 1, 0x55) };
    let magnitude = magnitude as u32; // 0..=4095
    // Segments 0 and 1 share the same step; from there each doubles.
    let segment = (magnitude | 1).ilog2().saturating_sub(4);
    let mantissa = (magnitude >> segment.max(1)) & 0x0F;
    // Even bits are inverted on the line (G.711 §3), the sign bit set for positive.
    ((segment << 4) | mantissa) as u8 ^ mask
}

/// Decodes one A-law code to a linear sample (the middle of its interval).
pub fn alaw_decode(code: u8) -> i16 {
    let a = code ^ 0x55;
    let segment = (a >> 4) & 0x07;
    let mantissa = i32::from(a & 0x0F);
    let magnitude = match segment {
        0 => (mantissa << 4) + 8,
        s => ((mantissa << 4) + 0x108) << (s - 1),
    };
    (if a & 0x80 != 0 { magnitude } else { -magnitude }) as i16
}

/// G.711 µ-law, RTP payload type 0.
pub struct Pcmu;
/// G.711 A-law, RTP payload type 8.
pub struct Pcma;

/// G.711 is stateless: one octet per sample, each on its own.
struct Companding {
    encode: fn(i16) -> u8,
    decode: fn(u8) -> i16,
}

impl Encoder for Companding {
    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) {
        out.extend(pcm.iter().map(|&s| (self.encode)(s)));
    }
}

impl Decoder for Companding {
    fn decode(&mut self, payload: &[u8], out: &mut Vec<i16>) {
        out.extend(payload.iter().map(|&b| (self.decode)(b)));
    }
}

/// RFC 3551 §4.5.14: 8 kHz, one channel, static payload types 0 and 8.
fn g711_descriptor(name: &'static str, pt: u8) -> SdpDescriptor {
    SdpDescriptor {
        encoding_name: name,
        static_payload_type: Some(pt),
        rtp_clock_rate: 8000,
        channels: 1,
        fmtp: None,
    }
}

impl AudioCodec for Pcmu {
    fn id(&self) -> &'static str {
        "pcmu"
    }
    fn sdp(&self) -> SdpDescriptor {
        g711_descriptor("PCMU", 0)
    }
    fn sample_rate(&self) -> u32 {
        8000
    }
    fn encoder(&self) -> Box<dyn Encoder> {
        Box::new(Companding {
            encode: ulaw_encode,
            decode: ulaw_decode,
        })
    }
    fn decoder(&self) -> Box<dyn Decoder> {
        Box::new(Companding {
            encode: ulaw_encode,
            decode: ulaw_decode,
        })
    }
}

impl AudioCodec for Pcma {
    fn id(&self) -> &'static str {
        "pcma"
    }
    fn sdp(&self) -> SdpDescriptor {
        g711_descriptor("PCMA", 8)
    }
    fn sample_rate(&self) -> u32 {
        8000
    }
    fn encoder(&self) -> Box<dyn Encoder> {
        Box::new(Companding {
            encode: alaw_encode,
            decode: alaw_decode,
        })
    }
    fn decoder(&self) -> Box<dyn Decoder> {
        Box::new(Companding {
            encode: alaw_encode,
            decode: alaw_decode,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_code_points() {
        assert_eq!(ulaw_encode(0), 0xFF);
        assert_eq!(alaw_encode(0), 0xD5);
        assert_eq!(ulaw_encode(i16::MAX), 0x80);
        assert_eq!(ulaw_encode(i16::MIN), 0x00);
        assert_eq!(alaw_encode(i16::MAX), 0xAA);
        assert_eq!(alaw_encode(i16::MIN), 0x2A);
        assert_eq!(ulaw_decode(0xFF), 0);
        assert_eq!(ulaw_decode(0x80), 32_124);
        assert_eq!(ulaw_decode(0x00), -32_124);
        assert_eq!(alaw_decode(0xD5), 8);
        assert_eq!(alaw_decode(0x55), -8);
        assert_eq!(alaw_decode(0xAA), 32_256);
        assert_eq!(alaw_decode(0x2A), -32_256);
    }

    #[test]
    fn every_code_round_trips() {
        for code in 0..=255u8 {
            // 0x7F is µ-law's "negative zero": it decodes to 0, which encodes as 0xFF.
            if code != 0x7F {
                assert_eq!(ulaw_encode(ulaw_decode(code)), code, "µ-law {code:#04x}");
            }
            assert_eq!(alaw_encode(alaw_decode(code)), code, "A-law {code:#04x}");
        }
    }

    #[test]
    fn samples_round_trip_within_quantisation_error_and_monotonic() {
        type Pair = (fn(i16) -> u8, fn(u8) -> i16);
        let laws: [(&str, Pair); 2] = [
            ("µ-law", (ulaw_encode, ulaw_decode)),
            ("A-law", (alaw_encode, alaw_decode)),
        ];
        for (name, (enc, dec)) in laws {
            let mut previous = i16::MIN;
            for x in i16::MIN..=i16::MAX {
                let y = dec(enc(x));
                // Step size is ~1/16 of the magnitude in each segment, so the
                // mid-interval error stays below |x|/16 plus the smallest step.
                let bound = i32::from(x).abs() / 16 + 16;
                assert!(
                    (i32::from(y) - i32::from(x)).abs() <= bound,
                    "{name}: {x} -> {y}"
                );
                assert!(y >= previous, "{name} not monotonic at {x}");
                previous = y;
            }
        }
    }
}
