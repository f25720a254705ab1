//! SDP (RFC 8866) parsing and serialisation, and the structure of RFC 3264 offers and
//! answers (m-lines by position, declined lines, directions). Which formats to offer or
//! accept is not decided here: that needs codec knowledge, which lives in the media
//! crate's registry and its `negotiate` module.
//!
//! The model keeps what a phone needs (origin, connection, media lines with rtpmap, fmtp,
//! ptime and direction); other attribute lines are kept verbatim so nothing is silently lost
//! when an offer is inspected and re-serialised. Session-level lines other than v/o/s/c/t/a
//! (i=, u=, e=, p=, b=, z=, k=) are dropped: a phone never needs to echo them.

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};

/// Why an SDP body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdpError {
    #[error("SDP body is not UTF-8")]
    NotUtf8,
    #[error("SDP must start with v=0")]
    MissingVersion,
    #[error("SDP has no o= line")]
    MissingOrigin,
    #[error("invalid SDP line {0:?}")]
    InvalidLine(String),
}

/// A session description (RFC 8866 §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDescription {
    /// o= username (`-` when there is none).
    pub origin_username: String,
    pub session_id: u64,
    pub session_version: u64,
    /// o= unicast address (an IP literal or a host name, as sent).
    pub origin_address: String,
    /// s= line (`-` when there is nothing to say, RFC 3264 §5).
    pub session_name: String,
    /// Session-level c= address; media-level addresses override it.
    pub connection: Option<IpAddr>,
    /// Session-level direction attribute (sendrecv, sendonly, recvonly, inactive).
    pub direction: Option<String>,
    /// Other session-level a= lines, verbatim without the `a=` prefix.
    pub attributes: Vec<String>,
    pub media: Vec<MediaDescription>,
}

/// One m= section (RFC 8866 §5.14).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MediaDescription {
    /// "audio", "video", ...
    pub media: String,
    /// 0 means the stream is declined or disabled (RFC 3264 §6).
    pub port: u16,
    /// "RTP/AVP", ...
    pub proto: String,
    /// Numeric RTP payload types in preference order.
    pub formats: Vec<u8>,
    /// Format tokens that are not RTP payload types (e.g. `*` or `t38`), kept for echoing.
    pub other_formats: Vec<String>,
    /// a=rtpmap values, e.g. `(0, "PCMU/8000")`.
    pub rtpmap: Vec<(u8, String)>,
    /// a=fmtp values, e.g. `(101, "0-16")`.
    pub fmtp: Vec<(u8, String)>,
    pub ptime: Option<u32>,
    /// sendrecv, sendonly, recvonly or inactive.
    pub direction: Option<String>,
    /// Media-level c= address.
    pub connection: Option<IpAddr>,
    /// Other a= lines, verbatim without the `a=` prefix.
    pub attributes: Vec<String>,
}

const DIRECTIONS: [&str; 4] = ["sendrecv", "sendonly", "recvonly", "inactive"];

/// A stream's direction attribute (RFC 3264 §5.1), from the point of view of the side that
/// wrote the description.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Direction {
    #[default]
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

impl Direction {
    pub fn parse(s: &str) -> Option<Direction> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "sendrecv" => Direction::SendRecv,
            "sendonly" => Direction::SendOnly,
            "recvonly" => Direction::RecvOnly,
            "inactive" => Direction::Inactive,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    pub fn sends(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::SendOnly)
    }

    pub fn receives(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::RecvOnly)
    }

    fn from_flags(send: bool, receive: bool) -> Direction {
        match (send, receive) {
            (true, true) => Direction::SendRecv,
            (true, false) => Direction::SendOnly,
            (false, true) => Direction::RecvOnly,
            (false, false) => Direction::Inactive,
        }
    }

    /// RFC 3264 §6.1: what an answerer that wants `self` may answer to an offered
    /// direction: it sends only if the offerer receives, and receives only if it sends
    /// (sendonly gets recvonly, recvonly gets sendonly, inactive gets inactive).
    pub fn answering(self, offered: Direction) -> Direction {
        Direction::from_flags(
            self.sends() && offered.receives(),
            self.receives() && offered.sends(),
        )
    }

    /// RFC 3264 §8.4: putting a stream on hold stops what we receive: sendrecv becomes
    /// sendonly, recvonly (the peer holds us) becomes inactive.
    pub fn held(self) -> Direction {
        Direction::from_flags(self.sends(), false)
    }

    /// Taking our hold back: receive again.
    pub fn resumed(self) -> Direction {
        Direction::from_flags(self.sends(), true)
    }
}

impl MediaDescription {
    /// The `a=rtpmap` value of payload type `pt`, if the description has one (static
    /// payload types may come without, RFC 3551 §6).
    pub fn encoding(&self, pt: u8) -> Option<&str> {
        self.rtpmap
            .iter()
            .find(|(p, _)| *p == pt)
            .map(|(_, e)| e.as_str())
    }

    /// The `a=fmtp` value of payload type `pt`.
    pub fn format_parameters(&self, pt: u8) -> Option<&str> {
        self.fmtp
            .iter()
            .find(|(p, _)| *p == pt)
            .map(|(_, f)| f.as_str())
    }
}

fn parse_connection(value: &str) -> Result<IpAddr, SdpError> {
    // "IN IP4 192.0.2.1[/ttl[/count]]" (RFC 8866 §5.7)
    let bad = || SdpError::InvalidLine(format!("c={value}"));
    let mut parts = value.split_ascii_whitespace();
    let (Some("IN"), Some(_), Some(addr)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    addr.split('/')
        .next()
        .unwrap_or(addr)
        .parse()
        .map_err(|_| bad())
}

fn parse_pt_value(value: &str) -> Option<(u8, String)> {
    let (pt, rest) = value.split_once(' ')?;
    Some((pt.trim().parse().ok()?, rest.trim().to_owned()))
}

fn addr_type(addr: &str) -> &'static str {
    if addr.parse::<std::net::Ipv6Addr>().is_ok() {
        "IP6"
    } else {
        "IP4"
    }
}

fn connection_line(out: &mut String, addr: IpAddr) {
    let kind = if addr.is_ipv6() { "IP6" } else { "IP4" };
    let _ = write!(out, "c=IN {kind} {addr}\r\n");
}

impl SessionDescription {
    /// Parse an SDP body. Accepts LF as well as CRLF line ends; unknown lines are tolerated.
    pub fn parse(data: &[u8]) -> Result<Self, SdpError> {
        let text = std::str::from_utf8(data).map_err(|_| SdpError::NotUtf8)?;
        let mut lines = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .filter(|l| !l.trim().is_empty());
        if lines.next().map(str::trim) != Some("v=0") {
            return Err(SdpError::MissingVersion);
        }
        let mut sd = SessionDescription {
            origin_username: String::new(),
            session_id: 0,
            session_version: 0,
            origin_address: String::new(),
            session_name: String::new(),
            connection: None,
            direction: None,
            attributes: Vec::new(),
            media: Vec::new(),
        };
        let mut have_origin = false;
        for line in lines {
            let bad = || SdpError::InvalidLine(line.to_owned());
            let (kind, value) = line.split_once('=').ok_or_else(bad)?;
            match (kind, sd.media.last_mut()) {
                ("o", None) => {
                    let f: Vec<&str> = value.split_ascii_whitespace().collect();
                    let [user, id, version, _net, _addr_type, addr] = f[..] else {
                        return Err(bad());
                    };
                    sd.origin_username = user.to_owned();
                    sd.session_id = id.parse().map_err(|_| bad())?;
                    sd.session_version = version.parse().map_err(|_| bad())?;
                    sd.origin_address = addr.to_owned();
                    have_origin = true;
                }
                ("s", None) => sd.session_name = value.to_owned(),
                ("c", None) => sd.connection = Some(parse_connection(value)?),
                ("c", Some(m)) => m.connection = Some(parse_connection(value)?),
                ("m", _) => {
                    let f: Vec<&str> = value.split_ascii_whitespace().collect();
                    let [media, port, proto, fmts @ ..] = &f[..] else {
                        return Err(bad());
                    };
                    // "port/count" (RFC 8866 §5.14): the count only matters for layered codings.
                    let port = port.split('/').next().unwrap_or(port);
                    let mut m = MediaDescription {
                        media: (*media).to_owned(),
                        port: port.parse().map_err(|_| bad())?,
                        proto: (*proto).to_owned(),
                        ..MediaDescription::default()
                    };
                    for f in fmts {
                        match f.parse::<u8>() {
                            Ok(pt) if proto.contains("RTP") => m.formats.push(pt),
                            _ => m.other_formats.push((*f).to_owned()),
                        }
                    }
                    sd.media.push(m);
                }
                ("a", media) => {
                    let (name, arg) = value.split_once(':').unwrap_or((value, ""));
                    let is_direction = DIRECTIONS.contains(&name);
                    match (name, media) {
                        (_, None) if is_direction => sd.direction = Some(name.to_owned()),
                        (_, None) => sd.attributes.push(value.to_owned()),
                        (_, Some(m)) if is_direction => m.direction = Some(name.to_owned()),
                        ("rtpmap", Some(m)) if parse_pt_value(arg).is_some() => {
                            m.rtpmap.extend(parse_pt_value(arg));
                        }
                        ("fmtp", Some(m)) if parse_pt_value(arg).is_some() => {
                            m.fmtp.extend(parse_pt_value(arg));
                        }
                        ("ptime", Some(m)) if arg.trim().parse::<u32>().is_ok() => {
                            m.ptime = arg.trim().parse().ok();
                        }
                        (_, Some(m)) => m.attributes.push(value.to_owned()),
                    }
                }
                // RFC 8866 §5: other lines are legal but carry nothing we act on.
                _ if kind.len() == 1 => {}
                _ => return Err(bad()),
            }
        }
        if !have_origin {
            return Err(SdpError::MissingOrigin);
        }
        Ok(sd)
    }

    /// Serialise with CRLF line ends (RFC 8866 §5).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut s = String::new();
        let user = if self.origin_username.is_empty() {
            "-"
        } else {
            &self.origin_username
        };
        let _ = write!(
            s,
            "v=0\r\no={user} {} {} IN {} {}\r\n",
            self.session_id,
            self.session_version,
            addr_type(&self.origin_address),
            self.origin_address
        );
        let name = if self.session_name.is_empty() {
            "-"
        } else {
            &self.session_name
        };
        let _ = write!(s, "s={name}\r\n");
        if let Some(c) = self.connection {
            connection_line(&mut s, c);
        }
        // RFC 3264 §5: the t= line SHOULD be "0 0" for offer/answer sessions.
        s.push_str("t=0 0\r\n");
        for a in self.direction.iter().chain(&self.attributes) {
            let _ = write!(s, "a={a}\r\n");
        }
        for m in &self.media {
            let _ = write!(s, "m={} {} {}", m.media, m.port, m.proto);
            for f in &m.formats {
                let _ = write!(s, " {f}");
            }
            for f in &m.other_formats {
                let _ = write!(s, " {f}");
            }
            s.push_str("\r\n");
            if let Some(c) = m.connection {
                connection_line(&mut s, c);
            }
            for (pt, enc) in &m.rtpmap {
                let _ = write!(s, "a=rtpmap:{pt} {enc}\r\n");
            }
            for (pt, params) in &m.fmtp {
                let _ = write!(s, "a=fmtp:{pt} {params}\r\n");
            }
            if let Some(p) = m.ptime {
                let _ = write!(s, "a=ptime:{p}\r\n");
            }
            for a in m.direction.iter().chain(&m.attributes) {
                let _ = write!(s, "a={a}\r\n");
            }
        }
        s.into_bytes()
    }

    /// The direction of the first audio stream with a non-zero port (media level, else
    /// session level, else sendrecv, RFC 3264 §5.1). A connection address of 0.0.0.0 is
    /// the RFC 2543 way of saying sendonly-or-inactive: nothing is to be sent there.
    pub fn audio_direction(&self) -> Direction {
        let Some(m) = self
            .media
            .iter()
            .find(|m| m.media == "audio" && m.port != 0)
        else {
            return Direction::Inactive;
        };
        let direction = m
            .direction
            .as_deref()
            .or(self.direction.as_deref())
            .and_then(Direction::parse)
            .unwrap_or_default();
        if m.connection
            .or(self.connection)
            .is_some_and(|a| a.is_unspecified())
        {
            return Direction::from_flags(direction.sends(), false);
        }
        direction
    }

    /// Set the direction of every audio stream that is not disabled.
    pub fn set_audio_direction(&mut self, direction: Direction) {
        self.direction = None;
        for m in self
            .media
            .iter_mut()
            .filter(|m| m.media == "audio" && m.port != 0)
        {
            m.direction = Some(direction.as_str().into());
        }
    }

    /// RFC 3264 §8: a later description of the same session keeps the o= line of the
    /// previous one (user, session id, address) with the version one higher.
    pub fn follow(&mut self, previous: &SessionDescription) {
        self.origin_username = previous.origin_username.clone();
        self.session_id = previous.session_id;
        self.origin_address = previous.origin_address.clone();
        self.session_version = previous.session_version.wrapping_add(1);
    }

    /// The RTP destination and formats an answer (`self`) accepts for our `offer`: m-lines
    /// correspond by position (RFC 3264 §6), so only the answer's line for an audio stream
    /// we offered counts, and a line with port 0 there is a declined stream, never used.
    pub fn answered_audio(&self, offer: &SessionDescription) -> Option<(SocketAddr, Vec<u8>)> {
        self.media
            .iter()
            .zip(&offer.media)
            .find(|(a, o)| o.media == "audio" && o.port != 0 && a.media == "audio" && a.port != 0)
            .and_then(|(m, _)| {
                let addr = m.connection.or(self.connection)?;
                Some((SocketAddr::new(addr, m.port), m.formats.clone()))
            })
    }

    /// The RTP destination and formats of the first audio stream with a non-zero port.
    /// A port-0 stream is declined (RFC 3264 §6) and never used. The address may be
    /// unspecified (0.0.0.0, the RFC 2543 way of putting a call on hold).
    pub fn remote_audio(&self) -> Option<(SocketAddr, Vec<u8>)> {
        let m = self
            .media
            .iter()
            .find(|m| m.media == "audio" && m.port != 0)?;
        let addr = m.connection.or(self.connection)?;
        Some((SocketAddr::new(addr, m.port), m.formats.clone()))
    }
}

impl SessionDescription {
    /// The direction the writer gave m-line `index`: media level, else session level, else
    /// sendrecv (RFC 3264 §5.1).
    pub fn media_direction(&self, index: usize) -> Direction {
        self.media
            .get(index)
            .and_then(|m| m.direction.as_deref())
            .or(self.direction.as_deref())
            .and_then(Direction::parse)
            .unwrap_or_default()
    }

    /// A new session description from `addr` with no media yet (RFC 3264 §5: `s=-`,
    /// version = id).
    pub fn new(addr: IpAddr, session_id: u64) -> SessionDescription {
        SessionDescription {
            origin_username: "-".into(),
            session_id,
            session_version: session_id,
            origin_address: addr.to_string(),
            session_name: "-".into(),
            connection: Some(addr),
            direction: None,
            attributes: Vec::new(),
            media: Vec::new(),
        }
    }

    /// The answer to `offer` (RFC 3264 §6) that accepts m-line `accepted` with `line` and
    /// declines every other one: a declined stream keeps its m-line, with port zero.
    pub fn answer_to(
        offer: &SessionDescription,
        accepted: usize,
        line: MediaDescription,
        addr: IpAddr,
        session_id: u64,
    ) -> SessionDescription {
        let mut sd = SessionDescription::new(addr, session_id);
        let mut line = Some(line);
        sd.media = offer
            .media
            .iter()
            .enumerate()
            .map(|(i, m)| match line.take_if(|_| i == accepted) {
                Some(line) => line,
                None => MediaDescription {
                    media: m.media.clone(),
                    port: 0,
                    proto: m.proto.clone(),
                    formats: m.formats.clone(),
                    other_formats: m.other_formats.clone(),
                    ..MediaDescription::default()
                },
            })
            .collect();
        sd
    }
}

/// One `a=crypto` line (RFC 4568 §9.1): `tag crypto-suite key-params [session-params]`.
/// The syntax only; which suites and keys are usable is the media crate's decision.
/// `Debug` never prints key material.
#[derive(Clone, PartialEq, Eq)]
pub struct Crypto {
    /// Identifies the line in offer and answer (1 to 9 digits).
    pub tag: u32,
    pub suite: String,
    /// One or more key parameters, `;`-separated on the line.
    pub keys: Vec<CryptoKey>,
    /// Session parameters (`KDR=`, `UNENCRYPTED_SRTP`, ...), verbatim.
    pub session_params: Vec<String>,
}

/// A key parameter of `a=crypto` (RFC 4568 §6.1, §9.2): `method:key-info`; for the
/// `inline` method `key||salt[|lifetime][|MKI:length]`.
#[derive(Clone, PartialEq, Eq)]
pub struct CryptoKey {
    pub method: String,
    /// Base64 of master key and salt (inline); secret.
    pub key_salt: String,
    /// `2^20` or a number of packets.
    pub lifetime: Option<String>,
    /// `value:length` of the master key identifier.
    pub mki: Option<String>,
}

impl std::fmt::Debug for Crypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crypto")
            .field("tag", &self.tag)
            .field("suite", &self.suite)
            .field("keys", &self.keys.len())
            .field("session_params", &self.session_params)
            .finish()
    }
}

impl std::fmt::Debug for CryptoKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CryptoKey")
            .field("method", &self.method)
            .field("key_salt", &"***")
            .field("lifetime", &self.lifetime)
            .field("mki", &self.mki)
            .finish()
    }
}

impl CryptoKey {
    /// An `inline` key without lifetime or MKI.
    pub fn inline(key_salt: String) -> CryptoKey {
        CryptoKey {
            method: "inline".into(),
            key_salt,
            lifetime: None,
            mki: None,
        }
    }

    fn parse(text: &str) -> Option<CryptoKey> {
        let (method, info) = text.split_once(':')?;
        let mut parts = info.split('|');
        let key_salt = parts.next()?.to_owned();
        let mut key = CryptoKey {
            method: method.to_owned(),
            key_salt,
            lifetime: None,
            mki: None,
        };
        for part in parts {
            // RFC 4568 §9.2: the MKI has a colon, the lifetime has none.
            if part.contains(':') {
                key.mki = Some(part.to_owned());
            } else {
                key.lifetime = Some(part.to_owned());
            }
        }
        (!key.method.is_empty() && !key.key_salt.is_empty()).then_some(key)
    }
}

impl Crypto {
    /// Parses the value of an `a=crypto` attribute (after `crypto:`); `None` for a line
    /// that does not follow RFC 4568 §9.1, which an answerer ignores (§7.1.1).
    pub fn parse(value: &str) -> Option<Crypto> {
        let mut fields = value.split_ascii_whitespace();
        let tag = fields.next()?;
        if tag.is_empty() || tag.len() > 9 || !tag.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let suite = fields.next()?.to_owned();
        let keys = fields
            .next()?
            .split(';')
            .map(CryptoKey::parse)
            .collect::<Option<Vec<_>>>()?;
        Some(Crypto {
            tag: tag.parse().ok()?,
            suite,
            keys,
            session_params: fields.map(str::to_owned).collect(),
        })
    }

    /// The attribute value, without `a=` (`crypto:1 AES_CM_128_HMAC_SHA1_80 inline:...`).
    pub fn to_attribute(&self) -> String {
        let mut s = format!("crypto:{} {} ", self.tag, self.suite);
        for (i, k) in self.keys.iter().enumerate() {
            if i > 0 {
                s.push(';');
            }
            let _ = write!(s, "{}:{}", k.method, k.key_salt);
            for extra in k.lifetime.iter().chain(&k.mki) {
                let _ = write!(s, "|{extra}");
            }
        }
        for p in &self.session_params {
            let _ = write!(s, " {p}");
        }
        s
    }
}

impl MediaDescription {
    /// Every well-formed `a=crypto` line of the stream, in the writer's order of
    /// preference (RFC 4568 §5.1).
    pub fn crypto(&self) -> Vec<Crypto> {
        self.attributes
            .iter()
            .filter_map(|a| a.strip_prefix("crypto:"))
            .filter_map(Crypto::parse)
            .collect()
    }

    /// Adds an `a=crypto` line.
    pub fn push_crypto(&mut self, crypto: &Crypto) {
        self.attributes.push(crypto.to_attribute());
    }

    /// Whether the transport is a secure RTP profile (`RTP/SAVP`, `RTP/SAVPF`, RFC 3711
    /// §12): then the stream is SRTP or nothing.
    pub fn is_secure_profile(&self) -> bool {
        self.proto.contains("SAVP")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFER: &str = "v=0\r\no=alice 2890844526 2890844527 IN IP4 198.51.100.1\r\ns=-\r\n\
        c=IN IP4 198.51.100.1\r\nt=0 0\r\nm=video 0 RTP/AVP 31\r\n\
        m=audio 49170 RTP/AVP 18 8 96 0\r\nc=IN IP4 198.51.100.7\r\n\
        a=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-15\r\na=sendonly\r\na=foo:bar\r\n\
        m=audio 49172 RTP/AVP 0\r\n";

    #[test]
    fn parse_fields_and_round_trip() {
        let sd = SessionDescription::parse(OFFER.as_bytes()).unwrap();
        assert_eq!(
            (sd.session_id, sd.session_version),
            (2890844526, 2890844527)
        );
        assert_eq!(sd.connection, Some("198.51.100.1".parse().unwrap()));
        assert_eq!(sd.media.len(), 3);
        let a = &sd.media[1];
        assert_eq!(
            (a.media.as_str(), a.port, a.proto.as_str()),
            ("audio", 49170, "RTP/AVP")
        );
        assert_eq!(a.formats, [18, 8, 96, 0]);
        assert_eq!(a.rtpmap, [(96, "telephone-event/8000".to_string())]);
        assert_eq!(a.direction.as_deref(), Some("sendonly"));
        assert_eq!(a.attributes, ["foo:bar"]);
        assert_eq!(a.encoding(96), Some("telephone-event/8000"));
        assert_eq!(
            a.encoding(8),
            None,
            "no rtpmap: the registry knows static types"
        );
        assert_eq!(a.format_parameters(96), Some("0-15"));
        let again = SessionDescription::parse(&sd.to_bytes()).unwrap();
        assert_eq!(again, sd);
    }

    #[test]
    fn remote_audio_skips_port_zero_and_uses_media_connection() {
        let sd = SessionDescription::parse(OFFER.as_bytes()).unwrap();
        let (dest, fmts) = sd.remote_audio().unwrap();
        assert_eq!(dest, "198.51.100.7:49170".parse().unwrap());
        assert_eq!(fmts, [18, 8, 96, 0]);
    }

    const OURS: &str = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n\
        t=0 0\r\nm=audio 5004 RTP/AVP 0 8\r\na=sendrecv\r\n";

    #[test]
    fn answer_to_declines_every_other_line_by_position() {
        let offer = SessionDescription::parse(OFFER.as_bytes()).unwrap();
        let me: IpAddr = "192.0.2.9".parse().unwrap();
        let line = MediaDescription {
            media: "audio".into(),
            port: 40000,
            proto: "RTP/AVP".into(),
            formats: vec![8],
            ..MediaDescription::default()
        };
        let ans = SessionDescription::answer_to(&offer, 1, line, me, 7);
        let ports: Vec<u16> = ans.media.iter().map(|m| m.port).collect();
        assert_eq!(
            ports,
            [0, 40000, 0],
            "RFC 3264 §6: one answer line per offered line"
        );
        assert_eq!(
            ans.media[2].formats,
            [0],
            "a declined line keeps its formats"
        );
        assert_eq!(offer.media_direction(1), Direction::SendOnly);
        assert_eq!(offer.media_direction(2), Direction::SendRecv);
        let (dest, _) = SessionDescription::parse(&ans.to_bytes())
            .unwrap()
            .remote_audio()
            .unwrap();
        assert_eq!(dest, SocketAddr::new(me, 40000));
    }

    const TWO_AUDIO: &str = "v=0\r\no=peer 1 1 IN IP4 198.51.100.1\r\ns=-\r\n\
        c=IN IP4 198.51.100.1\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\nm=audio 30000 RTP/AVP 8 0\r\n";

    #[test]
    fn a_disabled_first_audio_line_is_never_applied() {
        let offer = SessionDescription::parse(TWO_AUDIO.as_bytes()).unwrap();
        assert_eq!(
            offer.remote_audio().unwrap().0,
            "198.51.100.1:30000".parse().unwrap(),
            "the port-0 line is never applied"
        );
    }

    #[test]
    fn an_answer_declining_our_stream_is_not_applied() {
        let ours = SessionDescription::parse(OURS.as_bytes()).unwrap();
        let declined = SessionDescription::parse(
            b"v=0\r\no=- 2 2 IN IP4 198.51.100.1\r\ns=-\r\nc=IN IP4 198.51.100.1\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n",
        )
        .unwrap();
        assert_eq!(declined.answered_audio(&ours), None);
        // A malformed answer with an extra line cannot sneak a stream in either.
        let extra = SessionDescription::parse(TWO_AUDIO.as_bytes()).unwrap();
        assert_eq!(extra.answered_audio(&ours), None);
        let fine = SessionDescription::parse(
            b"v=0\r\no=- 2 2 IN IP4 198.51.100.1\r\ns=-\r\nc=IN IP4 198.51.100.1\r\nt=0 0\r\nm=audio 7000 RTP/AVP 0\r\n",
        )
        .unwrap();
        assert_eq!(
            fine.answered_audio(&ours).unwrap().0,
            "198.51.100.1:7000".parse().unwrap()
        );
    }

    #[test]
    fn hold_directions() {
        use Direction::*;
        // RFC 3264 §8.4: hold and its answers.
        assert_eq!(SendRecv.held(), SendOnly);
        assert_eq!(RecvOnly.held(), Inactive);
        assert_eq!(SendOnly.resumed(), SendRecv);
        assert_eq!(Inactive.resumed(), RecvOnly);
        assert_eq!(SendRecv.answering(SendOnly), RecvOnly);
        assert_eq!(SendRecv.answering(Inactive), Inactive);
        assert_eq!(SendOnly.answering(SendRecv), SendOnly, "we keep holding");
        assert_eq!(SendOnly.answering(SendOnly), Inactive);

        let mut ours = SessionDescription::parse(OURS.as_bytes()).unwrap();
        let mut hold = ours.clone();
        hold.set_audio_direction(SendOnly);
        hold.follow(&ours);
        assert_eq!((hold.session_id, hold.session_version), (1, 2));
        assert_eq!(hold.audio_direction(), SendOnly);
        // RFC 2543 hold: c=0.0.0.0 means nothing is to be sent there.
        ours.connection = Some("0.0.0.0".parse().unwrap());
        assert!(!ours.audio_direction().receives());
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(
            SessionDescription::parse(b"hello"),
            Err(SdpError::MissingVersion)
        );
        assert_eq!(
            SessionDescription::parse(b"v=0\r\ns=-\r\n"),
            Err(SdpError::MissingOrigin)
        );
        assert!(
            SessionDescription::parse(b"v=0\r\no=- 1 1 IN IP4 x\r\nm=audio x RTP/AVP 0").is_err()
        );
        assert!(SessionDescription::parse(b"v=0\r\nc=IN IP4 not-an-ip\r\n").is_err());
        assert!(SessionDescription::parse(&[b'v', b'=', b'0', b'\n', 0xff]).is_err());
    }

    #[test]
    fn crypto_lines_of_rfc4568() {
        let sd = SessionDescription::parse(
            b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n\
m=audio 49170 RTP/SAVP 0\r\n\
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32\r\n\
a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:32;inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:32 KDR=1\r\n\
a=crypto:x AES_CM_128_HMAC_SHA1_80 inline:broken\r\n\
a=crypto:3 F8_128_HMAC_SHA1_80\r\n",
        )
        .unwrap();
        let m = &sd.media[0];
        assert!(m.is_secure_profile());
        let c = m.crypto();
        assert_eq!(c.len(), 2, "malformed lines are left out: {c:?}");
        assert_eq!(
            (c[0].tag, c[0].suite.as_str()),
            (1, "AES_CM_128_HMAC_SHA1_80")
        );
        assert_eq!(c[0].keys[0].method, "inline");
        assert_eq!(
            c[0].keys[0].key_salt,
            "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"
        );
        assert_eq!(c[0].keys[0].lifetime.as_deref(), Some("2^20"));
        assert_eq!(c[0].keys[0].mki.as_deref(), Some("1:32"));
        assert_eq!(c[1].keys.len(), 2);
        assert_eq!(c[1].session_params, ["KDR=1"]);
        assert!(!format!("{c:?}").contains("PS1uQ"), "Debug hides keys");
        // Written back as read.
        assert_eq!(
            c[1].to_attribute(),
            "crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:32;inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:32 KDR=1"
        );
        let mut line = MediaDescription::default();
        line.push_crypto(&Crypto {
            tag: 7,
            suite: "AES_CM_128_HMAC_SHA1_32".into(),
            keys: vec![CryptoKey::inline("QUJD".into())],
            session_params: vec![],
        });
        assert_eq!(
            line.attributes,
            ["crypto:7 AES_CM_128_HMAC_SHA1_32 inline:QUJD"]
        );
        assert_eq!(line.crypto()[0].tag, 7);
        assert!(!line.is_secure_profile());
    }
}
