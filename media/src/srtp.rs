//! SRTP (RFC 3711) keyed by SDES (RFC 4568 `a=crypto`): the crypto suites the
//! phone speaks, their master keys, and the per-direction contexts that
//! protect what we send and check what we receive.
//!
//! The cipher work is `webrtc-srtp`'s (pure Rust, RustCrypto's AES-CM and
//! HMAC-SHA1; ARCHITECTURE.md says why it and not libsrtp2); this module only
//! decides which suite and key go where, and keeps key bytes out of logs.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use webrtc_srtp::context::Context;
use webrtc_srtp::option::{srtcp_replay_protection, srtp_replay_protection};
use webrtc_srtp::protection_profile::ProtectionProfile;

/// Master key (16 octets) and master salt (14 octets) of the AES-CM suites
/// (RFC 4568 §6.2.1: the inline key-salt is their concatenation).
pub const MASTER_LEN: usize = 30;
const KEY_LEN: usize = 16;
/// RFC 3711 §3.3.2: a replay list of at least 64 packets.
const REPLAY_WINDOW: usize = 128;

/// The SDES crypto suites the phone offers and accepts (RFC 4568 §6.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CryptoSuite {
    /// 80-bit authentication tag on RTP and RTCP.
    AesCm128HmacSha1_80,
    /// 32-bit tag on RTP (less overhead for 20 ms voice), still 80 bits on
    /// RTCP (RFC 4568 §6.2.2).
    AesCm128HmacSha1_32,
}

impl CryptoSuite {
    /// Every suite, in the order offered by default (stronger tag first).
    pub const ALL: [CryptoSuite; 2] = [
        CryptoSuite::AesCm128HmacSha1_80,
        CryptoSuite::AesCm128HmacSha1_32,
    ];

    /// The name in `a=crypto`.
    pub fn name(self) -> &'static str {
        match self {
            CryptoSuite::AesCm128HmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
            CryptoSuite::AesCm128HmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
        }
    }

    /// The suite an `a=crypto` line names (RFC 4568 §9.2: names are case-sensitive;
    /// some phones write them in lower case, so compare without case).
    pub fn from_name(name: &str) -> Option<CryptoSuite> {
        CryptoSuite::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(name))
    }

    /// Octets of RTP authentication tag.
    pub fn rtp_tag_len(self) -> usize {
        self.profile().rtp_auth_tag_len()
    }

    fn profile(self) -> ProtectionProfile {
        match self {
            CryptoSuite::AesCm128HmacSha1_80 => ProtectionProfile::Aes128CmHmacSha1_80,
            CryptoSuite::AesCm128HmacSha1_32 => ProtectionProfile::Aes128CmHmacSha1_32,
        }
    }
}

/// A master key and salt. `Debug` never shows the octets.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct MasterKey([u8; MASTER_LEN]);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(***)")
    }
}

/// Why a key from the peer's `a=crypto` cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the key is not base64")]
    NotBase64,
    #[error("the key and salt are {0} octets, not 30")]
    Length(usize),
    #[error("the operating system gave no random octets")]
    NoRandom,
}

impl MasterKey {
    /// A fresh key from the operating system's CSPRNG (RFC 4568 §6.1: keys are
    /// random, one per direction and session).
    pub fn random() -> Result<MasterKey, KeyError> {
        let mut bytes = [0u8; MASTER_LEN];
        getrandom::fill(&mut bytes).map_err(|_| KeyError::NoRandom)?;
        Ok(MasterKey(bytes))
    }

    pub fn from_bytes(bytes: [u8; MASTER_LEN]) -> MasterKey {
        MasterKey(bytes)
    }

    /// The key of an `inline:` key parameter (RFC 4568 §6.1): base64 of key
    /// and salt; RFC 4568 allows the padding to be left out.
    pub fn from_base64(text: &str) -> Result<MasterKey, KeyError> {
        let text = text.trim().trim_end_matches('=');
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(text)
            .map_err(|_| KeyError::NotBase64)?;
        let array: [u8; MASTER_LEN] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::Length(bytes.len()))?;
        Ok(MasterKey(array))
    }

    /// The base64 for an `inline:` key parameter.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }
}

/// What SDES settled for a call's stream: one suite, our key for what we send
/// (in our `a=crypto`) and the peer's for what it sends (in its own, RFC 4568
/// §6.1: each side's line carries the key of the media it sends).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SrtpPlan {
    pub suite: CryptoSuite,
    /// The tag of the accepted `a=crypto` line (RFC 4568 §9.1).
    pub tag: u32,
    pub send_key: MasterKey,
    pub receive_key: MasterKey,
}

/// Why a datagram was not accepted by SRTP.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SrtpError {
    /// The authentication tag did not verify, or the packet is too short to
    /// carry one: forged, corrupted, plain RTP, or another key (RFC 3711 §3.3).
    #[error("SRTP authentication failed: {0}")]
    Authentication(String),
    /// A packet index seen before (RFC 3711 §3.3.2).
    #[error("replayed SRTP packet")]
    Replayed,
    #[error("SRTP context: {0}")]
    Context(String),
}

fn srtp_error(e: webrtc_srtp::Error) -> SrtpError {
    match e {
        webrtc_srtp::Error::ErrDuplicated => SrtpError::Replayed,
        webrtc_srtp::Error::SrtpSsrcDuplicated(_, _) => SrtpError::Replayed,
        webrtc_srtp::Error::SrtcpSsrcDuplicated(_, _) => SrtpError::Replayed,
        other => SrtpError::Authentication(other.to_string()),
    }
}

/// The SSRC at `offset` (8 in RTP, 4 in RTCP); the caller checked the length.
fn ssrc_at(datagram: &[u8], offset: usize) -> u32 {
    datagram
        .get(offset..offset + 4)
        .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn context(suite: CryptoSuite, key: &MasterKey) -> Result<Context, SrtpError> {
    let (master_key, master_salt) = key.0.split_at(KEY_LEN);
    Context::new(
        master_key,
        master_salt,
        suite.profile(),
        Some(srtp_replay_protection(REPLAY_WINDOW)),
        Some(srtcp_replay_protection(REPLAY_WINDOW)),
    )
    .map_err(|e| SrtpError::Context(e.to_string()))
}

/// Unauthenticated datagrams with a source not seen to authenticate after which the
/// inbound context is made anew: `webrtc-srtp` keeps state for every SSRC it is shown,
/// authenticated or not, so forged packets with random SSRCs would grow it without
/// bound (M6). A real stream only loses its rollover count, which matters after
/// 65,536 packets (22 minutes at 20 ms).
const MAX_UNKNOWN_FAILURES: u32 = 4096;

/// Both directions of one stream: protects what goes out, checks and
/// decrypts what comes in (RTP and RTCP alike, RFC 3711 §3.4).
pub struct Srtp {
    plan: SrtpPlan,
    outbound: Context,
    inbound: Context,
    /// Sources whose packets authenticated.
    known: Vec<u32>,
    unknown_failures: u32,
}

impl fmt::Debug for Srtp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Srtp").field("plan", &self.plan).finish()
    }
}

impl Srtp {
    pub fn new(plan: SrtpPlan) -> Result<Srtp, SrtpError> {
        Ok(Srtp {
            plan,
            outbound: context(plan.suite, &plan.send_key)?,
            inbound: context(plan.suite, &plan.receive_key)?,
            known: Vec::new(),
            unknown_failures: 0,
        })
    }

    pub fn plan(&self) -> &SrtpPlan {
        &self.plan
    }

    /// An RTP packet as SRTP: encrypted payload, authentication tag appended.
    pub fn protect_rtp(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpError> {
        self.outbound
            .encrypt_rtp(packet)
            .map(|b| b.to_vec())
            .map_err(srtp_error)
    }

    /// The RTP packet inside an SRTP one, if its tag verifies and it is new.
    pub fn unprotect_rtp(&mut self, datagram: &[u8]) -> Result<Vec<u8>, SrtpError> {
        // The tag must be there before anything else is looked at.
        if datagram.len() < crate::rtp::HEADER_LEN + self.plan.suite.rtp_tag_len() {
            return Err(SrtpError::Authentication("too short".into()));
        }
        let result = self.inbound.decrypt_rtp(datagram);
        self.account(ssrc_at(datagram, 8), result.is_ok())?;
        result.map(|b| b.to_vec()).map_err(srtp_error)
    }

    /// Remembers who authenticated; makes the inbound context anew after too many
    /// failures from sources that never did (see [`MAX_UNKNOWN_FAILURES`]).
    fn account(&mut self, ssrc: u32, authenticated: bool) -> Result<(), SrtpError> {
        if authenticated {
            if !self.known.contains(&ssrc) && self.known.len() < 16 {
                self.known.push(ssrc);
            }
        } else if !self.known.contains(&ssrc) {
            self.unknown_failures += 1;
            if self.unknown_failures >= MAX_UNKNOWN_FAILURES {
                tracing::warn!("many unauthenticated SRTP sources; inbound SRTP state reset");
                self.inbound = context(self.plan.suite, &self.plan.receive_key)?;
                self.unknown_failures = 0;
            }
        }
        Ok(())
    }

    /// A compound RTCP packet as SRTCP (E flag, index, 80-bit tag).
    pub fn protect_rtcp(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpError> {
        self.outbound
            .encrypt_rtcp(packet)
            .map(|b| b.to_vec())
            .map_err(srtp_error)
    }

    /// The RTCP inside an SRTCP packet, if its tag verifies.
    pub fn unprotect_rtcp(&mut self, datagram: &[u8]) -> Result<Vec<u8>, SrtpError> {
        // Header (8), SRTCP index (4) and the 80-bit tag at least.
        if datagram.len() < 8 + 4 + 10 {
            return Err(SrtpError::Authentication("too short".into()));
        }
        // RFC 3711 §3.4: SRTCP is always authenticated, and we never agree to leave it
        // unencrypted (UNENCRYPTED_SRTCP, RFC 4568 §6.3.2). `webrtc-srtp` hands back a
        // packet whose E flag is clear without checking its tag, so such packets are
        // refused here, before it sees them.
        let e_flag = datagram[datagram.len() - 10 - 4] & 0x80;
        if e_flag == 0 {
            return Err(SrtpError::Authentication("SRTCP E flag clear".into()));
        }
        let result = self.inbound.decrypt_rtcp(datagram);
        self.account(ssrc_at(datagram, 4), result.is_ok())?;
        result.map(|b| b.to_vec()).map_err(srtp_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtp::RtpPacket;

    fn plan(suite: CryptoSuite) -> (SrtpPlan, SrtpPlan) {
        let a = MasterKey::random().unwrap();
        let b = MasterKey::random().unwrap();
        let ours = SrtpPlan {
            suite,
            tag: 1,
            send_key: a,
            receive_key: b,
        };
        let theirs = SrtpPlan {
            send_key: b,
            receive_key: a,
            ..ours
        };
        (ours, theirs)
    }

    fn packet(seq: u16) -> Vec<u8> {
        let mut out = Vec::new();
        RtpPacket {
            marker: false,
            payload_type: 0,
            sequence: seq,
            timestamp: u32::from(seq) * 160,
            ssrc: 0x1234_5678,
            payload: &[0x55; 160],
        }
        .write(&mut out);
        out
    }

    #[test]
    fn suites_and_keys_in_sdes_form() {
        assert_eq!(
            CryptoSuite::from_name("aes_cm_128_hmac_sha1_32"),
            Some(CryptoSuite::AesCm128HmacSha1_32)
        );
        assert_eq!(CryptoSuite::from_name("AEAD_AES_128_GCM"), None);
        // RFC 4568 §6.1's example key, with and without padding.
        let k = MasterKey::from_base64("WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz").unwrap();
        assert_eq!(k.to_base64(), "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz");
        assert_eq!(
            MasterKey::from_base64("AAAA"),
            Err(KeyError::Length(3)),
            "too short"
        );
        assert_eq!(MasterKey::from_base64("!!!!"), Err(KeyError::NotBase64));
        assert_eq!(format!("{k:?}"), "MasterKey(***)", "never printed");
        assert!(!format!("{:?}", plan(CryptoSuite::AesCm128HmacSha1_80).0).contains("WVN"));
    }

    #[test]
    fn both_tag_lengths_round_trip_and_reject_forgeries() {
        for suite in CryptoSuite::ALL {
            let (ours, theirs) = plan(suite);
            let mut me = Srtp::new(ours).unwrap();
            let mut peer = Srtp::new(theirs).unwrap();
            let plain = packet(7);
            let sealed = me.protect_rtp(&plain).unwrap();
            assert_eq!(sealed.len(), plain.len() + suite.rtp_tag_len(), "{suite:?}");
            assert_ne!(&sealed[12..plain.len()], &plain[12..], "payload encrypted");
            assert_eq!(peer.unprotect_rtp(&sealed).unwrap(), plain);
            // The same packet again is a replay.
            assert_eq!(peer.unprotect_rtp(&sealed), Err(SrtpError::Replayed));
            // A flipped bit anywhere fails authentication.
            let mut forged = me.protect_rtp(&packet(8)).unwrap();
            forged[20] ^= 1;
            assert!(matches!(
                peer.unprotect_rtp(&forged),
                Err(SrtpError::Authentication(_))
            ));
            // Plain RTP is no SRTP.
            assert!(peer.unprotect_rtp(&packet(9)).is_err());
            // RTCP: an RR with our SSRC, through SRTCP with its 80-bit tag.
            let mut rr = Vec::new();
            crate::rtcp::write_report(&mut rr, 0x1234_5678, None, None, "a@b");
            let sealed = me.protect_rtcp(&rr).unwrap();
            assert_eq!(sealed.len(), rr.len() + 4 + 10);
            assert_eq!(peer.unprotect_rtcp(&sealed).unwrap(), rr);
            // An SRTCP packet claiming to be unencrypted (E clear) with a made-up tag.
            let mut fake = rr.clone();
            fake.extend_from_slice(&[0, 0, 0, 9]);
            fake.extend_from_slice(&[0xAB; 10]);
            assert!(peer.unprotect_rtcp(&fake).is_err(), "E=0 is not a bypass");
        }
    }

    #[test]
    fn garbage_never_panics() {
        let (ours, _) = plan(CryptoSuite::AesCm128HmacSha1_32);
        let mut me = Srtp::new(ours).unwrap();
        let mut rng = fastrand::Rng::with_seed(3711);
        for _ in 0..20_000 {
            let len = rng.usize(0..80);
            let mut buf: Vec<u8> = (0..len).map(|_| rng.u8(..)).collect();
            if !buf.is_empty() {
                buf[0] = (buf[0] & 0x3F) | 0x80;
            }
            assert!(me.unprotect_rtp(&buf).is_err());
            assert!(me.unprotect_rtcp(&buf).is_err());
        }
    }
}
