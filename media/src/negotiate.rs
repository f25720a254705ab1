//! SDP offer/answer decisions (RFC 3264) for the phone's one audio stream, as pure
//! functions: what to offer, what to answer, and the media plan that follows from
//! an exchange (codec, payload types both ways, remote address, RFC 4733
//! telephone-events, packet time). The SDP syntax is `deskphone_sip::sdp`'s; the
//! codec knowledge is the registry's (`crate::codec`). Tested in microseconds,
//! without sockets.

use std::net::{IpAddr, SocketAddr};

use deskphone_sip::sdp::{Crypto, CryptoKey, Direction, MediaDescription, SessionDescription};

use crate::codec::{Codec, FormatParams, SdpDescriptor};
use crate::dtmf::TELEPHONE_EVENT;
use crate::session::RtpConfig;
use crate::srtp::{CryptoSuite, MasterKey, SrtpPlan};

/// The payload type we give telephone-events in our offers: a dynamic one
/// (RFC 3551 §3), the number most phones use.
pub const TELEPHONE_EVENT_PT: u8 = 101;
/// First dynamic payload type (RFC 3551 §3).
const FIRST_DYNAMIC_PT: u8 = 96;
/// Packet times we can send, in ms; an `a=ptime` outside these gets 20.
const PTIMES: [u32; 4] = [10, 20, 30, 40];
/// What we offer and prefer.
const DEFAULT_PTIME: u32 = crate::PTIME_MS;

/// What this side can do in a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalMedia {
    /// The codecs to offer and accept, best first (`codec_priority_list`).
    pub codecs: Vec<Codec>,
    /// Offer and accept RFC 4733 telephone-events (`user_dtmf_info` not
    /// `sip_info_only`).
    pub telephone_event: bool,
    /// SDES-keyed SRTP (RFC 4568) to offer and accept (`user_srtp`); `None`: plain RTP only.
    pub srtp: Option<SrtpOffer>,
}

/// What this side offers for SRTP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SrtpOffer {
    /// The suites to offer and accept, best first (`user_auth_tag` puts the 32-bit
    /// tag first).
    pub suites: Vec<CryptoSuite>,
    /// Our sending key for the session (RFC 4568 §6.1: the key in a description is
    /// the one its writer sends with).
    pub key: MasterKey,
    /// SRTP or nothing (`user_savp` mandatory): offers use RTP/SAVP (RFC 3711 §12) and
    /// an offer or answer without usable crypto is refused. Otherwise SRTP is offered
    /// on RTP/AVP and the call falls back to RTP if the peer has none (best effort,
    /// as most desk phones do).
    pub mandatory: bool,
}

/// What a call's RTP session needs, decided by an offer/answer exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MediaPlan {
    pub codec: Codec,
    /// The number the peer's description gave the codec: what we send with
    /// (RFC 3264 §5.1: a description lists the numbers its writer receives).
    pub send_payload_type: u8,
    /// The number our description gave it: what the peer sends with.
    pub receive_payload_type: u8,
    /// Where to send RTP (the address may be 0.0.0.0: RFC 2543 hold).
    pub remote: SocketAddr,
    /// Where to send RTCP when the peer says (`a=rtcp`, RFC 3605); else
    /// the RTP port plus one.
    pub remote_rtcp: Option<SocketAddr>,
    /// Telephone-event payload types (send, receive) if both sides have them.
    pub telephone_event: Option<(u8, u8)>,
    pub ptime_ms: u32,
    /// The direction the peer gave the stream (0.0.0.0 counts as not receiving).
    pub remote_direction: Direction,
    /// SRTP both ways (suite and keys) when SDES settled on it; `None` is plain RTP.
    pub crypto: Option<SrtpPlan>,
    /// What the peer's `a=fmtp` for the codec asks of our encoder (Opus FEC, DTX).
    pub send_params: FormatParams,
}

impl MediaPlan {
    /// The RTP session's configuration for this plan.
    pub fn rtp_config(&self) -> RtpConfig {
        RtpConfig {
            remote: self.remote,
            codec: self.codec,
            send_payload_type: self.send_payload_type,
            receive_payload_type: self.receive_payload_type,
            telephone_event: self.telephone_event,
            ptime_ms: self.ptime_ms,
            ssrc: None,
            remote_rtcp: self.remote_rtcp,
            rtcp_interval: crate::session::RTCP_INTERVAL,
            crypto: self.crypto,
            send_params: self.send_params,
        }
    }
}

/// Why an offer or answer gives no usable stream. Answering an offer this way
/// is 488 Not Acceptable Here (RFC 3261 §13.3.1.3, RFC 3264 §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NegotiationError {
    #[error("no audio stream with a non-zero port over RTP")]
    NoAudioStream,
    #[error("no codec in common")]
    NoCommonCodec,
    #[error("the audio stream has no connection address")]
    NoAddress,
    /// RTP/SAVP (or our `user_savp` mandatory) without an `a=crypto` both sides can use
    /// (RFC 4568 §7.1.2), or an RTP/SAVP offer to a phone without SRTP.
    #[error("no SRTP crypto suite and key in common")]
    NoCommonCrypto,
}

impl NegotiationError {
    /// The SIP status to refuse the offer with.
    pub fn status_code(self) -> u16 {
        488
    }
}

/// The format payload type `pt` stands for in `m`: its `a=rtpmap`, else the
/// static assignment (RFC 3551 §6 allows static types without rtpmap).
fn codec_of(m: &MediaDescription, pt: u8) -> Option<Codec> {
    match m.encoding(pt) {
        Some(rtpmap) => Codec::from_rtpmap(rtpmap),
        None => Codec::from_static_payload_type(pt),
    }
}

fn is_telephone_event(m: &MediaDescription, pt: u8) -> bool {
    m.encoding(pt)
        .is_some_and(|rtpmap| TELEPHONE_EVENT.matches_rtpmap(rtpmap))
}

fn push_format(m: &mut MediaDescription, pt: u8, descriptor: &SdpDescriptor) {
    m.formats.push(pt);
    m.rtpmap.push((pt, descriptor.rtpmap()));
    if let Some(fmtp) = descriptor.fmtp {
        m.fmtp.push((pt, fmtp.to_owned()));
    }
}

fn ptime_of(m: &MediaDescription) -> u32 {
    m.ptime
        .filter(|p| PTIMES.contains(p))
        .unwrap_or(DEFAULT_PTIME)
}

/// The direction the writer of `sd` gave m-line `index`; an unspecified
/// connection address (RFC 2543 hold) means it receives nothing.
fn direction_of(sd: &SessionDescription, index: usize, address: IpAddr) -> Direction {
    let d = sd.media_direction(index);
    if address.is_unspecified() {
        return d.held();
    }
    d
}

/// RFC 3605: `a=rtcp:PORT [IN IP4 ADDRESS]`; the address defaults to the
/// stream's.
fn rtcp_of(m: &MediaDescription, address: IpAddr) -> Option<SocketAddr> {
    let value = m.attributes.iter().find_map(|a| a.strip_prefix("rtcp:"))?;
    let mut parts = value.split_ascii_whitespace();
    let port = parts.next()?.parse().ok()?;
    let address = parts.nth(2).and_then(|a| a.parse().ok()).unwrap_or(address);
    Some(SocketAddr::new(address, port))
}

fn is_usable_audio(m: &MediaDescription) -> bool {
    m.media == "audio" && m.port != 0 && m.proto.contains("RTP")
}

/// The usable `a=crypto` lines of `m`: a suite we have, an inline key of the right
/// length, no MKI (RFC 4568 §6.1: an MKI would be carried in every packet, which this
/// phone does not do) and no session parameters that change the transform (§6.3);
/// other lines are skipped as §7.1.1 asks.
fn usable_crypto(m: &MediaDescription) -> Vec<(Crypto, CryptoSuite, MasterKey)> {
    m.crypto()
        .into_iter()
        .filter_map(|c| {
            let suite = CryptoSuite::from_name(&c.suite)?;
            let [key] = &c.keys[..] else { return None };
            if !key.method.eq_ignore_ascii_case("inline")
                || key.mki.is_some()
                || !c.session_params.is_empty()
            {
                return None;
            }
            let master = MasterKey::from_base64(&key.key_salt).ok()?;
            Some((c, suite, master))
        })
        .collect()
}

fn crypto_line(tag: u32, suite: CryptoSuite, key: &MasterKey) -> Crypto {
    Crypto {
        tag,
        suite: suite.name().to_owned(),
        keys: vec![CryptoKey::inline(key.to_base64())],
        session_params: Vec::new(),
    }
}

/// RFC 4568 §7.1.1: the answerer takes one offered line (here: the offered suite we
/// prefer most, the first line with it) and answers with the same tag and suite and
/// its own key. Plain RTP when there is nothing to agree on and neither side requires
/// SRTP.
fn answer_crypto(
    local: &LocalMedia,
    offered: &MediaDescription,
    line: &mut MediaDescription,
) -> Result<Option<SrtpPlan>, NegotiationError> {
    let required = offered.is_secure_profile() || local.srtp.as_ref().is_some_and(|s| s.mandatory);
    let Some(ours) = &local.srtp else {
        return if required {
            Err(NegotiationError::NoCommonCrypto)
        } else {
            Ok(None)
        };
    };
    let usable = usable_crypto(offered);
    let chosen = ours
        .suites
        .iter()
        .find_map(|want| usable.iter().find(|(_, suite, _)| suite == want));
    match chosen {
        Some((c, suite, theirs)) => {
            line.push_crypto(&crypto_line(c.tag, *suite, &ours.key));
            Ok(Some(SrtpPlan {
                suite: *suite,
                tag: c.tag,
                send_key: ours.key,
                receive_key: *theirs,
            }))
        }
        None if required => Err(NegotiationError::NoCommonCrypto),
        None => Ok(None),
    }
}

/// RFC 4568 §7.1.3 (the offerer's side): the answer's line must carry a tag we offered
/// with the same suite; our key is the one in our offer's line of that tag.
fn answered_crypto(
    ours: &MediaDescription,
    answer: &MediaDescription,
) -> Result<Option<SrtpPlan>, NegotiationError> {
    let offered = usable_crypto(ours);
    if offered.is_empty() {
        return Ok(None);
    }
    let agreed = usable_crypto(answer)
        .into_iter()
        .find_map(|(c, suite, theirs)| {
            offered
                .iter()
                .find(|(o, s, _)| o.tag == c.tag && *s == suite)
                .map(|(_, _, key)| SrtpPlan {
                    suite,
                    tag: c.tag,
                    send_key: *key,
                    receive_key: theirs,
                })
        });
    match agreed {
        Some(plan) => Ok(Some(plan)),
        None if ours.is_secure_profile() || answer.is_secure_profile() => {
            Err(NegotiationError::NoCommonCrypto)
        }
        None => Ok(None),
    }
}

/// Our offer (RFC 3264 §5): one audio stream with the codecs in priority
/// order (static payload types where the codec has one, dynamic ones from 96
/// otherwise), telephone-event at 101 and 20 ms packets.
pub fn offer(
    local: &LocalMedia,
    addr: IpAddr,
    rtp_port: u16,
    session_id: u64,
) -> SessionDescription {
    let secure = local.srtp.as_ref().is_some_and(|s| s.mandatory);
    let mut m = MediaDescription {
        media: "audio".into(),
        port: rtp_port,
        proto: if secure { "RTP/SAVP" } else { "RTP/AVP" }.into(),
        ptime: Some(DEFAULT_PTIME),
        direction: Some(Direction::SendRecv.as_str().into()),
        ..MediaDescription::default()
    };
    let mut dynamic = (FIRST_DYNAMIC_PT..=127).filter(|pt| *pt != TELEPHONE_EVENT_PT);
    for codec in &local.codecs {
        let descriptor = codec.sdp();
        let pt = match descriptor.static_payload_type {
            Some(pt) => pt,
            None => match dynamic.next() {
                Some(pt) => pt,
                None => break,
            },
        };
        push_format(&mut m, pt, &descriptor);
    }
    if local.telephone_event {
        push_format(&mut m, TELEPHONE_EVENT_PT, &TELEPHONE_EVENT);
    }
    if let Some(srtp) = &local.srtp {
        for (tag, suite) in (1..).zip(&srtp.suites) {
            m.push_crypto(&crypto_line(tag, *suite, &srtp.key));
        }
    }
    let mut sd = SessionDescription::new(addr, session_id);
    sd.media.push(m);
    sd
}

/// Answers `offer` (RFC 3264 §6): accepts the first audio m-line with a
/// non-zero port, with our most preferred codec the offer has (keeping the
/// offerer's payload type numbers, §6.1) and telephone-event when both sides
/// have it; every other m-line is declined with port 0. `want` is the
/// direction we want (sendonly while we hold the call).
pub fn answer(
    local: &LocalMedia,
    offer: &SessionDescription,
    addr: IpAddr,
    rtp_port: u16,
    session_id: u64,
    want: Direction,
) -> Result<(SessionDescription, MediaPlan), NegotiationError> {
    let index = offer
        .media
        .iter()
        .position(is_usable_audio)
        .ok_or(NegotiationError::NoAudioStream)?;
    let om = &offer.media[index];
    let (codec, pt) = local
        .codecs
        .iter()
        .find_map(|&c| {
            om.formats
                .iter()
                .find(|&&pt| codec_of(om, pt) == Some(c))
                .map(|&pt| (c, pt))
        })
        .ok_or(NegotiationError::NoCommonCodec)?;
    let dtmf = om
        .formats
        .iter()
        .copied()
        .find(|&pt| local.telephone_event && is_telephone_event(om, pt));
    let address = om
        .connection
        .or(offer.connection)
        .ok_or(NegotiationError::NoAddress)?;
    let ptime_ms = ptime_of(om);
    let offered = offer.media_direction(index);

    let mut line = MediaDescription {
        media: om.media.clone(),
        port: rtp_port,
        proto: om.proto.clone(),
        ptime: Some(ptime_ms),
        // RFC 3264 §6.1: mirror the offered direction, within what we want.
        direction: Some(want.answering(offered).as_str().into()),
        ..MediaDescription::default()
    };
    push_format(&mut line, pt, &codec.sdp());
    if let Some(dtmf) = dtmf {
        // The offerer's fmtp says which events it takes; echo it (§6.1).
        line.formats.push(dtmf);
        line.rtpmap.push((dtmf, TELEPHONE_EVENT.rtpmap()));
        if let Some(f) = om.format_parameters(dtmf) {
            line.fmtp.push((dtmf, f.to_owned()));
        }
    }
    let crypto = answer_crypto(local, om, &mut line)?;
    let answer = SessionDescription::answer_to(offer, index, line, addr, session_id);
    let plan = MediaPlan {
        codec,
        send_payload_type: pt,
        receive_payload_type: pt,
        remote: SocketAddr::new(address, om.port),
        remote_rtcp: rtcp_of(om, address),
        telephone_event: dtmf.map(|pt| (pt, pt)),
        ptime_ms,
        remote_direction: direction_of(offer, index, address),
        crypto,
        send_params: om
            .format_parameters(pt)
            .map(FormatParams::parse)
            .unwrap_or_default(),
    };
    Ok((answer, plan))
}

/// The plan from the peer's answer to `ours` (or its early-media SDP): m-lines
/// correspond by position (RFC 3264 §6), so only the answer's line for an
/// audio stream we offered counts, and a port-0 line is declined. We send
/// with the answer's numbers and receive with ours, so a peer that renumbers
/// a dynamic payload type still works.
pub fn answered(
    local: &LocalMedia,
    ours: &SessionDescription,
    answer: &SessionDescription,
) -> Result<MediaPlan, NegotiationError> {
    let (index, am) = answer
        .media
        .iter()
        .enumerate()
        .zip(&ours.media)
        .find(|((_, a), o)| is_usable_audio(o) && is_usable_audio(a))
        .map(|(a, _)| a)
        .ok_or(NegotiationError::NoAudioStream)?;
    let om = &ours.media[index];
    let (codec, send) = am
        .formats
        .iter()
        .find_map(|&pt| {
            codec_of(am, pt)
                .filter(|c| local.codecs.contains(c))
                .map(|c| (c, pt))
        })
        .ok_or(NegotiationError::NoCommonCodec)?;
    let receive = om
        .formats
        .iter()
        .copied()
        .find(|&pt| codec_of(om, pt) == Some(codec))
        .unwrap_or(send);
    let their_dtmf = am
        .formats
        .iter()
        .copied()
        .find(|&pt| is_telephone_event(am, pt));
    let our_dtmf = om
        .formats
        .iter()
        .copied()
        .find(|&pt| is_telephone_event(om, pt));
    let telephone_event = match (local.telephone_event, their_dtmf, our_dtmf) {
        (true, Some(send), Some(receive)) => Some((send, receive)),
        _ => None,
    };
    let address = am
        .connection
        .or(answer.connection)
        .ok_or(NegotiationError::NoAddress)?;
    let crypto = answered_crypto(om, am)?;
    Ok(MediaPlan {
        codec,
        send_payload_type: send,
        receive_payload_type: receive,
        remote: SocketAddr::new(address, am.port),
        remote_rtcp: rtcp_of(am, address),
        telephone_event,
        ptime_ms: ptime_of(am),
        remote_direction: direction_of(answer, index, address),
        crypto,
        send_params: am
            .format_parameters(send)
            .map(FormatParams::parse)
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(ids: &str) -> LocalMedia {
        LocalMedia {
            codecs: Codec::priority_list(ids).unwrap(),
            telephone_event: true,
            srtp: None,
        }
    }

    fn me() -> IpAddr {
        "192.0.2.9".parse().unwrap()
    }

    fn sdp(text: &str) -> SessionDescription {
        SessionDescription::parse(text.replace('\n', "\r\n").as_bytes()).unwrap()
    }

    fn codec(id: &str) -> Codec {
        Codec::by_id(id).unwrap()
    }

    #[test]
    fn offer_lists_the_priority_list_and_telephone_event() {
        let o = offer(&local("g722,pcmu,pcma"), me(), 5004, 42);
        let text = String::from_utf8(o.to_bytes()).unwrap();
        for line in [
            "o=- 42 42 IN IP4 192.0.2.9\r\n",
            "m=audio 5004 RTP/AVP 9 0 8 101\r\n",
            "a=rtpmap:9 G722/8000\r\n",
            "a=rtpmap:0 PCMU/8000\r\n",
            "a=rtpmap:101 telephone-event/8000\r\n",
            "a=fmtp:101 0-16\r\n",
            "a=ptime:20\r\n",
            "a=sendrecv\r\n",
        ] {
            assert!(text.contains(line), "{line:?} missing in {text}");
        }
        let quiet = LocalMedia {
            telephone_event: false,
            ..local("pcma")
        };
        assert_eq!(offer(&quiet, me(), 5004, 1).media[0].formats, [8]);
    }

    const MANY: &str = "v=0
o=alice 1 1 IN IP4 198.51.100.1
s=-
c=IN IP4 198.51.100.1
t=0 0
m=video 0 RTP/AVP 31
m=audio 49170 RTP/AVP 18 9 8 0 96
c=IN IP4 198.51.100.7
a=rtpmap:96 telephone-event/8000
a=fmtp:96 0-15
a=ptime:30
a=sendonly
m=audio 49172 RTP/AVP 0
";

    #[test]
    fn answer_picks_our_most_preferred_codec_and_keeps_offered_numbers() {
        let offer = sdp(MANY);
        let (ans, plan) = answer(
            &local("pcma,g722"),
            &offer,
            me(),
            40000,
            7,
            Direction::SendRecv,
        )
        .unwrap();
        assert_eq!(
            plan.codec,
            codec("pcma"),
            "our priority list decides, G.729 unknown"
        );
        assert_eq!((plan.send_payload_type, plan.receive_payload_type), (8, 8));
        assert_eq!(plan.telephone_event, Some((96, 96)), "the offerer's number");
        assert_eq!(plan.remote, "198.51.100.7:49170".parse().unwrap());
        assert_eq!(plan.remote_rtcp, None, "no a=rtcp: the next port");
        assert_eq!(plan.ptime_ms, 30);
        assert_eq!(plan.remote_direction, Direction::SendOnly);
        let ports: Vec<u16> = ans.media.iter().map(|m| m.port).collect();
        assert_eq!(
            ports,
            [0, 40000, 0],
            "port 0 lines and extra lines declined"
        );
        let m = &ans.media[1];
        assert_eq!(m.formats, [8, 96]);
        assert_eq!(m.fmtp, [(96, "0-15".to_string())]);
        assert_eq!(m.direction.as_deref(), Some("recvonly"));

        let (_, plan) = answer(
            &local("g722,pcmu"),
            &offer,
            me(),
            40000,
            7,
            Direction::SendOnly,
        )
        .unwrap();
        assert_eq!(
            (plan.codec, plan.send_payload_type),
            (codec("g722"), 9),
            "static type without rtpmap"
        );
    }

    #[test]
    fn renumbered_and_dynamic_payload_types() {
        // A peer that maps G.722 to a dynamic number and telephone-event to 100.
        let offer = sdp("v=0
o=- 1 1 IN IP4 198.51.100.1
s=-
c=IN IP4 198.51.100.1
t=0 0
m=audio 7000 RTP/AVP 112 100
a=rtpmap:112 g722/8000
a=rtpmap:100 TELEPHONE-EVENT/8000
");
        let (ans, plan) =
            answer(&local("g722"), &offer, me(), 40000, 1, Direction::SendRecv).unwrap();
        assert_eq!((plan.codec, plan.send_payload_type), (codec("g722"), 112));
        assert_eq!(plan.telephone_event, Some((100, 100)));
        assert_eq!(ans.media[0].rtpmap[0], (112, "G722/8000".to_string()));
        assert_eq!(ans.media[0].direction.as_deref(), Some("sendrecv"));

        // Our offer said 9 and 101; the answer says 9 and 96: we send 96, receive 101.
        let ours = offer_of("pcmu,g722");
        let theirs = sdp("v=0
o=- 2 2 IN IP4 198.51.100.2
s=-
c=IN IP4 198.51.100.2
t=0 0
m=audio 9000 RTP/AVP 9 96
a=rtpmap:96 telephone-event/8000
a=rtcp:9005 IN IP4 198.51.100.3
");
        let plan = answered(&local("pcmu,g722"), &ours, &theirs).unwrap();
        assert_eq!(plan.codec, codec("g722"), "the answer's choice counts");
        assert_eq!((plan.send_payload_type, plan.receive_payload_type), (9, 9));
        assert_eq!(plan.telephone_event, Some((96, 101)));
        assert_eq!(plan.remote, "198.51.100.2:9000".parse().unwrap());
        assert_eq!(plan.remote_rtcp, Some("198.51.100.3:9005".parse().unwrap()));
        assert_eq!(plan.remote_direction, Direction::SendRecv);
    }

    fn offer_of(ids: &str) -> SessionDescription {
        offer(&local(ids), "192.0.2.1".parse().unwrap(), 5004, 1)
    }

    #[test]
    fn no_common_codec_is_488() {
        let offer = sdp("v=0
o=- 1 1 IN IP4 198.51.100.1
s=-
c=IN IP4 198.51.100.1
t=0 0
m=audio 7000 RTP/AVP 18 101
a=rtpmap:101 telephone-event/8000
");
        let e = answer(
            &local("pcmu,pcma,g722"),
            &offer,
            me(),
            1,
            1,
            Direction::SendRecv,
        )
        .unwrap_err();
        assert_eq!(e, NegotiationError::NoCommonCodec);
        assert_eq!(e.status_code(), 488);
        // Telephone-event alone is no codec either; PCMU exists but is not in the list.
        let offer = sdp("v=0
o=- 1 1 IN IP4 198.51.100.1
s=-
c=IN IP4 198.51.100.1
t=0 0
m=audio 7000 RTP/AVP 0
");
        assert_eq!(
            answer(&local("g722"), &offer, me(), 1, 1, Direction::SendRecv).unwrap_err(),
            NegotiationError::NoCommonCodec
        );
    }

    #[test]
    fn port_zero_lines_are_ignored_both_ways() {
        let offer = sdp("v=0
o=- 1 1 IN IP4 198.51.100.1
s=-
c=IN IP4 198.51.100.1
t=0 0
m=audio 0 RTP/AVP 0
m=audio 30000 RTP/AVP 8 0
");
        let (ans, plan) = answer(
            &local("pcmu,pcma"),
            &offer,
            me(),
            40000,
            3,
            Direction::SendRecv,
        )
        .unwrap();
        assert_eq!(plan.remote.port(), 30000, "the disabled line is never used");
        assert_eq!(plan.codec, codec("pcmu"));
        let ports: Vec<u16> = ans.media.iter().map(|m| m.port).collect();
        assert_eq!(ports, [0, 40000]);
        let all_off = sdp("v=0
o=- 1 1 IN IP4 198.51.100.1
s=-
c=IN IP4 198.51.100.1
t=0 0
m=audio 0 RTP/AVP 0
");
        assert_eq!(
            answer(&local("pcmu"), &all_off, me(), 1, 1, Direction::SendRecv).unwrap_err(),
            NegotiationError::NoAudioStream
        );
        // An answer declining our stream, or one with an extra line, starts nothing.
        let ours = offer_of("pcmu");
        assert_eq!(
            answered(&local("pcmu"), &ours, &all_off),
            Err(NegotiationError::NoAudioStream)
        );
        assert_eq!(
            answered(&local("pcmu"), &ours, &offer),
            Err(NegotiationError::NoAudioStream)
        );
    }

    #[test]
    fn rfc2543_hold_address_and_telephone_event_off() {
        let held = sdp("v=0
o=- 1 1 IN IP4 198.51.100.1
s=-
c=IN IP4 0.0.0.0
t=0 0
m=audio 30000 RTP/AVP 0 101
a=rtpmap:101 telephone-event/8000
");
        let quiet = LocalMedia {
            telephone_event: false,
            ..local("pcmu")
        };
        let (ans, plan) = answer(&quiet, &held, me(), 1, 1, Direction::SendRecv).unwrap();
        assert!(
            !plan.remote_direction.receives(),
            "0.0.0.0 receives nothing"
        );
        assert_eq!(plan.telephone_event, None);
        assert_eq!(ans.media[0].formats, [0]);
    }

    fn secure(ids: &str, suites: &[CryptoSuite], mandatory: bool, key: u8) -> LocalMedia {
        LocalMedia {
            srtp: Some(SrtpOffer {
                suites: suites.to_vec(),
                key: MasterKey::from_bytes([key; 30]),
                mandatory,
            }),
            ..local(ids)
        }
    }

    const B80: CryptoSuite = CryptoSuite::AesCm128HmacSha1_80;
    const B32: CryptoSuite = CryptoSuite::AesCm128HmacSha1_32;

    #[test]
    fn sdes_offer_answer_both_ways() {
        // Best effort: RTP/AVP with both suites, our preference first.
        let alice = secure("pcmu", &[B32, B80], false, 1);
        let o = offer(&alice, me(), 5004, 1);
        let text = String::from_utf8(o.to_bytes()).unwrap();
        let k1 = MasterKey::from_bytes([1; 30]).to_base64();
        assert!(text.contains("m=audio 5004 RTP/AVP 0 101\r\n"), "{text}");
        assert!(text.contains(&format!(
            "a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:{k1}\r\n"
        )));
        assert!(text.contains(&format!(
            "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:{k1}\r\n"
        )));

        // Bob prefers the 80-bit tag: he picks tag 2 and answers with his key.
        let bob = secure("pcmu", &[B80, B32], false, 2);
        let (ans, plan) = answer(&bob, &o, me(), 6000, 2, Direction::SendRecv).unwrap();
        let c = plan.crypto.unwrap();
        assert_eq!((c.suite, c.tag), (B80, 2));
        assert_eq!(c.send_key, MasterKey::from_bytes([2; 30]));
        assert_eq!(c.receive_key, MasterKey::from_bytes([1; 30]));
        assert_eq!(ans.media[0].crypto().len(), 1);
        assert_eq!(ans.media[0].proto, "RTP/AVP", "the offered profile is kept");

        // Alice reads the answer: the keys mirror Bob's.
        let plan = answered(&alice, &o, &ans).unwrap();
        let c = plan.crypto.unwrap();
        assert_eq!((c.suite, c.tag), (B80, 2));
        assert_eq!(c.send_key, MasterKey::from_bytes([1; 30]));
        assert_eq!(c.receive_key, MasterKey::from_bytes([2; 30]));

        // A plain answer to a best-effort offer is plain RTP; a phone without SRTP
        // answers a best-effort offer without crypto.
        let (plain_ans, plain) =
            answer(&local("pcmu"), &o, me(), 6000, 2, Direction::SendRecv).unwrap();
        assert_eq!(plain.crypto, None);
        assert!(plain_ans.media[0].crypto().is_empty());
        assert_eq!(answered(&alice, &o, &plain_ans).unwrap().crypto, None);
    }

    #[test]
    fn savp_is_srtp_or_nothing() {
        let mandatory = secure("pcmu", &[B80], true, 3);
        let o = offer(&mandatory, me(), 5004, 1);
        assert_eq!(o.media[0].proto, "RTP/SAVP");
        // A phone without SRTP refuses it (488); one with only the other suite too.
        assert_eq!(
            answer(&local("pcmu"), &o, me(), 1, 1, Direction::SendRecv).unwrap_err(),
            NegotiationError::NoCommonCrypto
        );
        assert_eq!(
            answer(
                &secure("pcmu", &[B32], false, 4),
                &o,
                me(),
                1,
                1,
                Direction::SendRecv
            )
            .unwrap_err(),
            NegotiationError::NoCommonCrypto
        );
        // Mandatory on our side refuses a plain offer.
        let plain = offer(&local("pcmu"), me(), 5004, 1);
        assert_eq!(
            answer(&mandatory, &plain, me(), 1, 1, Direction::SendRecv).unwrap_err(),
            NegotiationError::NoCommonCrypto
        );
        // An answer that drops crypto from our SAVP offer starts nothing.
        let mut stripped = answer(
            &secure("pcmu", &[B80], false, 5),
            &o,
            me(),
            1,
            1,
            Direction::SendRecv,
        )
        .unwrap()
        .0;
        stripped.media[0]
            .attributes
            .retain(|a| !a.starts_with("crypto:"));
        assert_eq!(
            answered(&mandatory, &o, &stripped),
            Err(NegotiationError::NoCommonCrypto)
        );
    }

    #[test]
    fn unusable_crypto_lines_are_skipped() {
        let k = MasterKey::from_bytes([9; 30]).to_base64();
        let offer = sdp(&format!(
            "v=0
o=- 1 1 IN IP4 198.51.100.1
s=-
c=IN IP4 198.51.100.1
t=0 0
m=audio 7000 RTP/AVP 0
a=crypto:1 AEAD_AES_256_GCM inline:{k}
a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:{k}|2^20|1:4
a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:QUJD
a=crypto:4 AES_CM_128_HMAC_SHA1_80 inline:{k} UNENCRYPTED_SRTP
a=crypto:5 AES_CM_128_HMAC_SHA1_32 inline:{k}|2^31
"
        ));
        let (_, plan) = answer(
            &secure("pcmu", &[B80, B32], false, 1),
            &offer,
            me(),
            1,
            1,
            Direction::SendRecv,
        )
        .unwrap();
        let c = plan.crypto.unwrap();
        assert_eq!(
            (c.tag, c.suite),
            (5, B32),
            "GCM, MKI, short key and session parameters skipped"
        );
        assert_eq!(c.receive_key, MasterKey::from_bytes([9; 30]));
    }
}
