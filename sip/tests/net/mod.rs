//! Two user agents wired to each other in memory with a fake clock, shared by the flow
//! tests.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use deskphone_sip::sdp;
use deskphone_sip::{CallHandle, EndReason, Event, OutgoingCall, UaConfig, UserAgent};

pub const ALICE: usize = 0;
pub const BOB: usize = 1;

/// A datagram as seen on the wire.
#[derive(Debug, Clone)]
pub struct Wire {
    pub at: Duration,
    pub from: usize,
    pub text: String,
    pub dropped: bool,
}

impl Wire {
    pub fn first_line(&self) -> &str {
        self.text.lines().next().unwrap_or("")
    }
}

pub type DropRule = Box<dyn FnMut(usize, &str) -> bool>;

pub struct Net {
    pub t0: Instant,
    pub now: Instant,
    pub ua: [UserAgent; 2],
    pub addr: [SocketAddr; 2],
    pub events: [Vec<Event>; 2],
    pub wire: Vec<Wire>,
    /// Decides, per datagram (sender, text), whether the network loses it.
    pub drop: DropRule,
}

impl Net {
    pub fn new() -> Self {
        let addr: [SocketAddr; 2] = [
            "127.0.0.1:5061".parse().unwrap(),
            "127.0.0.1:5062".parse().unwrap(),
        ];
        let ua = addr.map(|local_addr| {
            UserAgent::new(UaConfig {
                local_addr,
                user_agent: "deskphone-test".into(),
                // One seed per phone, so their tags and Call-IDs differ.
                rng_seed: Some(u64::from(local_addr.port())),
            })
        });
        let t0 = Instant::now();
        Net {
            t0,
            now: t0,
            ua,
            addr,
            events: [Vec::new(), Vec::new()],
            wire: Vec::new(),
            drop: Box::new(|_, _| false),
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.now - self.t0
    }

    /// Deliver queued datagrams (and what they trigger) until both sides are quiet.
    pub fn settle(&mut self) {
        loop {
            let mut busy = false;
            for i in [ALICE, BOB] {
                while let Some(t) = self.ua[i].poll_transmit() {
                    busy = true;
                    let text = String::from_utf8(t.payload.clone()).expect("we only send UTF-8");
                    let head = text.split("\r\n\r\n").next().unwrap();
                    assert_eq!(
                        head.matches('\n').count(),
                        head.matches("\r\n").count(),
                        "CRLF line ends"
                    );
                    let dropped = (self.drop)(i, &text);
                    self.wire.push(Wire {
                        at: self.elapsed(),
                        from: i,
                        text,
                        dropped,
                    });
                    let to = self.addr.iter().position(|a| *a == t.dest);
                    if let (false, Some(to)) = (dropped, to) {
                        self.ua[to].handle_datagram(self.now, self.addr[i], &t.payload);
                    }
                }
                while let Some(e) = self.ua[i].poll_event() {
                    self.events[i].push(e);
                }
            }
            if !busy {
                break;
            }
        }
    }

    /// Let `d` pass, firing timers as they fall due.
    pub fn run_for(&mut self, d: Duration) {
        let end = self.now + d;
        self.settle();
        while let Some(t) = self
            .ua
            .iter()
            .filter_map(UserAgent::poll_timeout)
            .min()
            .filter(|t| *t <= end)
        {
            self.now = self.now.max(t);
            for ua in &mut self.ua {
                ua.handle_timeout(self.now);
            }
            self.settle();
        }
        self.now = end;
    }

    pub fn take_events(&mut self, who: usize) -> Vec<Event> {
        std::mem::take(&mut self.events[who])
    }

    /// Datagrams from `who` whose first line starts with `prefix`.
    pub fn sent(&self, who: usize, prefix: &str) -> Vec<Wire> {
        self.wire
            .iter()
            .filter(|w| w.from == who && w.first_line().starts_with(prefix))
            .cloned()
            .collect()
    }

    pub fn offer(&self) -> Vec<u8> {
        audio_sdp(self.addr[ALICE].ip(), 40000, 1).to_bytes()
    }

    pub fn call_bob(&mut self) -> CallHandle {
        let sdp = self.offer();
        let call = OutgoingCall {
            from_uri: "sip:alice@127.0.0.1:5061".into(),
            from_display: "Alice Liddell".into(),
            target_uri: "sip:bob@127.0.0.1:5062".into(),
            dest: self.addr[BOB],
            sdp,
        };
        let now = self.now;
        self.ua[ALICE].invite(now, call).unwrap()
    }

    /// Alice calls Bob; returns both handles once Bob saw the INVITE.
    pub fn incoming(&mut self) -> (CallHandle, CallHandle) {
        let a = self.call_bob();
        self.settle();
        let bob_call = match self.take_events(BOB).as_slice() {
            [Event::IncomingCall { call, .. }] => *call,
            other => panic!("expected one IncomingCall, got {other:?}"),
        };
        (a, bob_call)
    }

    /// A confirmed call between Alice and Bob.
    pub fn established(&mut self) -> (CallHandle, CallHandle) {
        let (a, b) = self.incoming();
        let now = self.now;
        self.ua[BOB].answer(now, b, b"v=0\r\n".to_vec()).unwrap();
        self.settle();
        assert!(
            matches!(self.take_events(ALICE).as_slice(), [Event::Established { call, .. }] if *call == a)
        );
        assert!(
            matches!(self.take_events(BOB).as_slice(), [Event::Established { call, sdp: None }] if *call == b)
        );
        (a, b)
    }
}

pub fn header<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.split("\r\n").find_map(|l| {
        l.split_once(':')
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    })
}

pub fn ended(events: &[Event]) -> Vec<EndReason> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Ended { reason, .. } => Some(*reason),
            _ => None,
        })
        .collect()
}

pub fn branch(text: &str) -> String {
    let via = header(text, "Via").unwrap();
    via.split(';')
        .find_map(|p| p.strip_prefix("branch="))
        .unwrap()
        .to_owned()
}

pub fn bob_answers(net: &mut Net, request: impl AsRef<[u8]>) -> Vec<String> {
    let from = net.addr[ALICE];
    net.ua[BOB].handle_datagram(net.now, from, request.as_ref());
    std::iter::from_fn(|| net.ua[BOB].poll_transmit())
        .map(|t| {
            assert_eq!(t.dest, from);
            String::from_utf8(t.payload).unwrap()
        })
        .collect()
}

pub fn request(method: &str, to_tag: &str, extra: &str) -> String {
    format!(
        "{method} sip:bob@127.0.0.1:5062 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK{}\r\n\
         Max-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1:5061>;tag=a1\r\nTo: <sip:bob@127.0.0.1:5062>{to_tag}\r\n\
         Call-ID: out-of-dialog\r\nCSeq: 1 {method}\r\n{extra}Content-Length: 0\r\n\r\n",
        fastrand::u32(..)
    )
}

/// A session description with one audio stream (PCMU, PCMA, telephone-event), as a
/// phone would offer it; which codecs is the media crate's business, not the SIP core's.
pub fn audio_sdp(ip: std::net::IpAddr, port: u16, session_id: u64) -> sdp::SessionDescription {
    let text = format!(
        "v=0\r\no=- {session_id} {session_id} IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n\
         m=audio {port} RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n"
    );
    sdp::SessionDescription::parse(text.as_bytes()).unwrap()
}

/// The answer to `offer` accepting its first audio stream with the formats `formats`,
/// in the direction `want` answers the offered one (RFC 3264 §6.1).
pub fn audio_answer(
    offer: &sdp::SessionDescription,
    ip: std::net::IpAddr,
    port: u16,
    session_id: u64,
    want: sdp::Direction,
) -> sdp::SessionDescription {
    let index = offer
        .media
        .iter()
        .position(|m| m.media == "audio" && m.port != 0)
        .unwrap();
    let line = sdp::MediaDescription {
        media: "audio".into(),
        port,
        proto: "RTP/AVP".into(),
        formats: vec![0],
        direction: Some(want.answering(offer.media_direction(index)).as_str().into()),
        ..sdp::MediaDescription::default()
    };
    sdp::SessionDescription::answer_to(offer, index, line, ip, session_id)
}
