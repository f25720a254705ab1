//! RTP packet parsing and serialisation (RFC 3550 §5.1).
//!
//! Parsing never trusts a length field: every header field that implies more
//! bytes (CSRC count, extension length, padding count) is checked against the
//! datagram, so garbage yields an error rather than a panic.

/// The only RTP version in use (RFC 3550 §5.1).
pub const RTP_VERSION: u8 = 2;
/// Fixed header size without CSRCs.
pub const HEADER_LEN: usize = 12;

/// A parsed (or to-be-sent) RTP packet borrowing its payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtpPacket<'a> {
    pub marker: bool,
    pub payload_type: u8,
    pub sequence: u16,
    pub timestamp: u32,
    pub ssrc: u32,
    /// Payload with CSRCs, header extension and padding removed.
    pub payload: &'a [u8],
}

/// Why a datagram is not a usable RTP packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RtpError {
    #[error("datagram shorter than the RTP header it announces")]
    Truncated,
    #[error("RTP version {0}, expected 2")]
    BadVersion(u8),
    #[error("RTP padding count is zero or exceeds the payload")]
    BadPadding,
}

impl<'a> RtpPacket<'a> {
    /// Parses one datagram.
    pub fn parse(buf: &'a [u8]) -> Result<Self, RtpError> {
        if buf.len() < HEADER_LEN {
            return Err(RtpError::Truncated);
        }
        let version = buf[0] >> 6;
        if version != RTP_VERSION {
            return Err(RtpError::BadVersion(version));
        }
        let has_padding = buf[0] & 0x20 != 0;
        let has_extension = buf[0] & 0x10 != 0;
        let csrc_count = usize::from(buf[0] & 0x0F);

        let mut offset = HEADER_LEN + 4 * csrc_count;
        if has_extension {
            // §5.3.1: 16-bit profile id, 16-bit length in 32-bit words, then data.
            let len_field = buf.get(offset + 2..offset + 4).ok_or(RtpError::Truncated)?;
            offset += 4 + 4 * usize::from(u16::from_be_bytes([len_field[0], len_field[1]]));
        }
        if offset > buf.len() {
            return Err(RtpError::Truncated);
        }
        let mut end = buf.len();
        if has_padding {
            // The last octet counts the padding, itself included (§5.1).
            let pad = usize::from(buf[end - 1]);
            if pad == 0 || pad > end - offset {
                return Err(RtpError::BadPadding);
            }
            end -= pad;
        }
        Ok(RtpPacket {
            marker: buf[1] & 0x80 != 0,
            payload_type: buf[1] & 0x7F,
            sequence: u16::from_be_bytes([buf[2], buf[3]]),
            timestamp: u32::from_be_bytes([buf[4], buf[5], buf[6], buf[7]]),
            ssrc: u32::from_be_bytes([buf[8], buf[9], buf[10], buf[11]]),
            payload: &buf[offset..end],
        })
    }

    /// Appends the packet to `out`: V=2, no padding, extension or CSRCs (we
    /// are a single source and never need them).
    pub fn write(&self, out: &mut Vec<u8>) {
        out.push(RTP_VERSION << 6);
        out.push(u8::from(self.marker) << 7 | (self.payload_type & 0x7F));
        out.extend_from_slice(&self.sequence.to_be_bytes());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        out.extend_from_slice(self.payload);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> RtpPacket<'static> {
        RtpPacket {
            marker: true,
            payload_type: 8,
            sequence: 0xBEEF,
            timestamp: 0x0102_0304,
            ssrc: 0xDEAD_BEEF,
            payload: &[1, 2, 3, 4, 5],
        }
    }

    #[test]
    fn round_trip() {
        let mut buf = Vec::new();
        sample().write(&mut buf);
        assert_eq!(buf.len(), HEADER_LEN + 5);
        assert_eq!(buf[0], 0x80);
        assert_eq!(buf[1], 0x88);
        assert_eq!(RtpPacket::parse(&buf), Ok(sample()));
    }

    #[test]
    fn skips_csrcs_extension_and_padding() {
        let mut buf = vec![0x80 | 0x20 | 0x10 | 2, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3];
        buf.extend_from_slice(&[0xAA; 8]); // two CSRCs
        buf.extend_from_slice(&[0xBE, 0xDE, 0, 1, 9, 9, 9, 9]); // one-word extension
        buf.extend_from_slice(&[7, 7, 7]); // payload
        buf.extend_from_slice(&[0, 0, 3]); // three octets of padding
        let p = RtpPacket::parse(&buf).unwrap();
        assert_eq!((p.sequence, p.timestamp, p.ssrc), (1, 2, 3));
        assert_eq!(p.payload, &[7, 7, 7]);
    }

    #[test]
    fn rejects_truncated_and_malformed() {
        let mut good = Vec::new();
        sample().write(&mut good);
        for len in 0..HEADER_LEN {
            assert_eq!(RtpPacket::parse(&good[..len]), Err(RtpError::Truncated));
        }
        let mut v1 = good.clone();
        v1[0] = 0x40;
        assert_eq!(RtpPacket::parse(&v1), Err(RtpError::BadVersion(1)));
        // CSRC count pointing past the end.
        let mut csrc = good.clone();
        csrc[0] |= 0x0F;
        assert_eq!(RtpPacket::parse(&csrc), Err(RtpError::Truncated));
        // Extension flag with the header cut off, and with a huge length.
        let mut ext = good[..HEADER_LEN].to_vec();
        ext[0] |= 0x10;
        assert_eq!(RtpPacket::parse(&ext), Err(RtpError::Truncated));
        ext.extend_from_slice(&[0, 0, 0xFF, 0xFF]);
        assert_eq!(RtpPacket::parse(&ext), Err(RtpError::Truncated));
        // Padding larger than the payload, and a zero padding count.
        let mut pad = good.clone();
        pad[0] |= 0x20;
        *pad.last_mut().unwrap() = 200;
        assert_eq!(RtpPacket::parse(&pad), Err(RtpError::BadPadding));
        *pad.last_mut().unwrap() = 0;
        assert_eq!(RtpPacket::parse(&pad), Err(RtpError::BadPadding));
    }

    #[test]
    fn random_garbage_never_panics() {
        let mut rng = fastrand::Rng::with_seed(3550);
        for _ in 0..20_000 {
            let len = rng.usize(0..64);
            let mut buf: Vec<u8> = (0..len).map(|_| rng.u8(..)).collect();
            if rng.bool() && !buf.is_empty() {
                buf[0] = (buf[0] & 0x3F) | 0x80; // make version 2 so deeper checks run
            }
            if let Ok(p) = RtpPacket::parse(&buf) {
                assert!(p.payload.len() <= buf.len() - HEADER_LEN);
            }
        }
    }
}
