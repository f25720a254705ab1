//! The engine's media glue that is not call control: what a call's identity offers
//! beyond codecs (SRTP with SDES keys, M3) and the call state's lock, which follows the
//! running media's protection.

use deskphone_media::MediaPlan;
use deskphone_media::negotiate::{LocalMedia, SrtpOffer};
use deskphone_media::srtp::{CryptoSuite, MasterKey};
use deskphone_settings::keys;
use deskphone_sip::CallHandle;
use deskphone_sip::sdp::SessionDescription;

use super::{CallMedia, Engine};

impl Engine {
    /// SRTP for calls of `identity`: offered and accepted when `user_srtp` is on or
    /// `user_savp` is mandatory (then SRTP or nothing); `user_auth_tag` puts the 32-bit
    /// tag first. The sending key is the one in `current` (our last description in this
    /// call) so that re-offers and answers to re-offers keep it (RFC 4568 §7.1.4 allows
    /// either); a new call gets a fresh random key.
    fn srtp_offer(&self, identity: u16, current: Option<&SessionDescription>) -> Option<SrtpOffer> {
        let settings = &self.phone.settings;
        let mandatory = settings.value_at(keys::user_savp, identity) == "mandatory";
        if !settings.is_on_at(keys::user_srtp, identity) && !mandatory {
            return None;
        }
        let mut suites = CryptoSuite::ALL.to_vec();
        if settings.is_on_at(keys::user_auth_tag, identity) {
            suites.reverse();
        }
        let kept = current
            .and_then(|sd| sd.media.iter().find(|m| m.media == "audio" && m.port != 0))
            .and_then(|m| m.crypto().into_iter().next())
            .and_then(|c| MasterKey::from_base64(&c.keys.first()?.key_salt).ok());
        let key = match kept.map_or_else(MasterKey::random, Ok) {
            Ok(key) => key,
            Err(e) => {
                tracing::warn!("identity {identity}: no SRTP key ({e}); offering plain RTP");
                return None;
            }
        };
        Some(SrtpOffer {
            suites,
            key,
            mandatory,
        })
    }

    /// What a new call of `identity` offers.
    pub(super) fn local_media_of(&self, identity: u16) -> LocalMedia {
        LocalMedia {
            srtp: self.srtp_offer(identity, None),
            ..self.local_media()
        }
    }

    /// What `call` offers and accepts now (its identity's settings, its SRTP key).
    pub(super) fn call_media(&self, call: CallHandle) -> LocalMedia {
        let identity = self
            .ids
            .id(call)
            .and_then(|id| self.phone.call_identity(id))
            .unwrap_or(1);
        let current = self.local_sdp.get(&call).map(|l| &l.current);
        LocalMedia {
            srtp: self.srtp_offer(identity, current),
            ..self.local_media()
        }
    }

    /// The running media of `call` takes up the plan's protection, and the call state
    /// says whether it is encrypted both ways: set and cleared with the plan, so a
    /// fallback to RTP in either direction clears the lock at once.
    pub(super) fn apply_protection(&mut self, call: CallHandle, plan: &MediaPlan) {
        let encrypted = match self.media.get(&call) {
            Some(CallMedia::Running(session)) => {
                session.set_crypto(plan.crypto);
                session.encrypted()
            }
            _ => false,
        };
        match plan.crypto {
            Some(c) => tracing::info!("call {}: SRTP {} (tag {})", call.0, c.suite.name(), c.tag),
            None => tracing::info!("call {}: plain RTP", call.0),
        }
        if let Some(id) = self.ids.id(call) {
            self.phone.media_encrypted(id, encrypted);
        }
    }
}
