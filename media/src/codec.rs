//! Codec trait and the registry that turns implementations into [`Codec`].
//!
//! Adding a codec = one new file implementing [`AudioCodec`] plus one line in
//! the `codec_registry!` invocation at the bottom of this file; the macro
//! generates the `Codec` variant, its dispatch and `SUPPORTED_PAYLOAD_TYPES`.

/// One audio codec working on 8 kHz mono `i16` PCM.
///
/// Static (no `self`) so implementations are zero-sized and the registry can
/// read the payload type in a `const` context.
pub trait AudioCodec {
    /// RTP payload type (static assignments: RFC 3551 §6, table 4).
    const PAYLOAD_TYPE: u8;
    /// Encoding name as used in SDP `a=rtpmap` (RFC 3551 table 4).
    const NAME: &'static str;
    /// Appends the encoding of `pcm` to `out`.
    fn encode(pcm: &[i16], out: &mut Vec<u8>);
    /// Appends the decoded samples of `data` to `out`.
    fn decode(data: &[u8], out: &mut Vec<i16>);
}

macro_rules! codec_registry {
    ($($(#[$doc:meta])* $variant:ident => $imp:ty),+ $(,)?) => {
        /// A codec the phone can send and receive.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Codec { $($(#[$doc])* $variant),+ }

        /// Payload types of every registered codec, in preference order.
        pub const SUPPORTED_PAYLOAD_TYPES: &[u8] = &[$(<$imp as AudioCodec>::PAYLOAD_TYPE),+];

        impl Codec {
            /// Every registered codec, in preference order.
            pub const ALL: &'static [Codec] = &[$(Codec::$variant),+];

            pub fn payload_type(self) -> u8 {
                match self { $(Codec::$variant => <$imp as AudioCodec>::PAYLOAD_TYPE),+ }
            }

            pub fn name(self) -> &'static str {
                match self { $(Codec::$variant => <$imp as AudioCodec>::NAME),+ }
            }

            pub fn encode(self, pcm: &[i16], out: &mut Vec<u8>) {
                match self { $(Codec::$variant => <$imp as AudioCodec>::encode(pcm, out)),+ }
            }

            pub fn decode(self, data: &[u8], out: &mut Vec<i16>) {
                match self { $(Codec::$variant => <$imp as AudioCodec>::decode(data, out)),+ }
            }
        }
    };
}

impl Codec {
    pub fn from_payload_type(pt: u8) -> Option<Codec> {
        Codec::ALL.iter().copied().find(|c| c.payload_type() == pt)
    }
}

codec_registry! {
    /// G.711 µ-law, payload type 0.
    Pcmu => crate::g711::Pcmu,
    /// G.711 A-law, payload type 8.
    Pcma => crate::g711::Pcma,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_matches_rfc3551_assignments() {
        assert_eq!(SUPPORTED_PAYLOAD_TYPES, &[0, 8]);
        assert_eq!(Codec::Pcmu.payload_type(), 0);
        assert_eq!(Codec::Pcma.payload_type(), 8);
        assert_eq!(Codec::Pcmu.name(), "PCMU");
        assert_eq!(Codec::Pcma.name(), "PCMA");
        assert_eq!(Codec::from_payload_type(0), Some(Codec::Pcmu));
        assert_eq!(Codec::from_payload_type(8), Some(Codec::Pcma));
        assert_eq!(Codec::from_payload_type(18), None);
    }

    #[test]
    fn encode_decode_lengths() {
        for &codec in Codec::ALL {
            let mut bytes = Vec::new();
            codec.encode(&[0; 160], &mut bytes);
            assert_eq!(bytes.len(), 160);
            let mut pcm = vec![1, 2];
            codec.decode(&bytes, &mut pcm);
            assert_eq!(pcm.len(), 162, "decode appends");
        }
    }
}
