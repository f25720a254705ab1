//! RFC 4733 telephone-events: DTMF digits carried in RTP.
//!
//! The payload format and the sending and receiving rules; the RTP session
//! puts them on the wire. Negotiated as `telephone-event/8000` with the
//! events 0-16 (RFC 4733 §7.1.1).

use crate::codec::SdpDescriptor;

/// The SDP form of telephone-events: dynamic payload type, 8000 Hz clock
/// (right for every codec here: G.711 and G.722 both count 8000 per second),
/// DTMF digits 0-9, *, #, A-D and flash (RFC 4733 §3.2, §7.1.1).
pub const TELEPHONE_EVENT: SdpDescriptor = SdpDescriptor {
    encoding_name: "telephone-event",
    static_payload_type: None,
    rtp_clock_rate: 8000,
    channels: 1,
    fmtp: Some("0-16"),
};

/// Packets that carry a growing duration before the end packet: 5 × 20 ms,
/// a 100 ms digit like the SIP INFO path sends (ITU-T Q.24 wants ≥ 40 ms).
const EVENT_PACKETS: u32 = 5;
/// RFC 4733 §2.5.1.4: the end packet is sent three times.
const END_REPEATS: u32 = 3;
/// Power of the tone the receiver may generate: −10 dBm0 (RFC 4733 §2.3.4).
const VOLUME: u8 = 10;

/// The event code of a DTMF digit (RFC 4733 §3.2, table 1).
pub fn event_code(digit: char) -> Option<u8> {
    Some(match digit.to_ascii_uppercase() {
        d @ '0'..='9' => d as u8 - b'0',
        '*' => 10,
        '#' => 11,
        d @ 'A'..='D' => d as u8 - b'A' + 12,
        _ => return None,
    })
}

/// The digit of an event code; `None` for flash (16) and other events.
pub fn digit(code: u8) -> Option<char> {
    Some(match code {
        0..=9 => char::from(b'0' + code),
        10 => '*',
        11 => '#',
        12..=15 => char::from(b'A' + code - 12),
        _ => return None,
    })
}

/// One telephone-event payload (RFC 4733 §2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DtmfEvent {
    pub event: u8,
    /// E bit: the last packets of the event.
    pub end: bool,
    /// Power level in −dBm0 (0-63).
    pub volume: u8,
    /// Duration so far in RTP timestamp units.
    pub duration: u16,
}

impl DtmfEvent {
    /// Reads the first event of a payload; `None` when it is shorter than
    /// the 4 octets an event needs. Extra octets (RFC 2198 redundancy a
    /// sender did not negotiate) are ignored.
    pub fn parse(payload: &[u8]) -> Option<DtmfEvent> {
        let [event, flags, d0, d1, ..] = *payload else {
            return None;
        };
        Some(DtmfEvent {
            event,
            end: flags & 0x80 != 0,
            volume: flags & 0x3F,
            duration: u16::from_be_bytes([d0, d1]),
        })
    }

    /// Writes the 4 octets; the R bit stays 0 (§2.3.3).
    pub fn write(&self, out: &mut [u8; 4]) {
        out[0] = self.event;
        out[1] = u8::from(self.end) << 7 | (self.volume & 0x3F);
        out[2..].copy_from_slice(&self.duration.to_be_bytes());
    }
}

/// Sends one digit: packets every packet time with the event's start as
/// their timestamp and the duration so far, the marker on the first
/// (RFC 4733 §2.5.1.2-3), then the end packet three times with the final
/// duration (§2.5.1.4).
#[derive(Clone, Debug)]
pub struct Sender {
    code: u8,
    start: u32,
    step: u32,
    sent: u32,
}

impl Sender {
    /// Starts `digit` at RTP timestamp `start`; `step` is the timestamp
    /// units per packet. `None` if `digit` is not DTMF.
    pub fn new(digit: char, start: u32, step: u32) -> Option<Sender> {
        Some(Sender {
            code: event_code(digit)?,
            start,
            step,
            sent: 0,
        })
    }

    pub fn start_timestamp(&self) -> u32 {
        self.start
    }

    /// The next packet: (marker, event, whether this was the last one).
    pub fn next_packet(&mut self) -> (bool, DtmfEvent, bool) {
        self.sent += 1;
        let n = self.sent.min(EVENT_PACKETS);
        let duration = u16::try_from(n * self.step).unwrap_or(u16::MAX);
        let event = DtmfEvent {
            event: self.code,
            end: self.sent >= EVENT_PACKETS,
            volume: VOLUME,
            duration,
        };
        (
            self.sent == 1,
            event,
            self.sent >= EVENT_PACKETS + END_REPEATS - 1,
        )
    }
}

/// Reports each received event once: packets of one event share the
/// timestamp of its start (RFC 4733 §2.5.2.1), so a new (SSRC, timestamp)
/// is a new event and repeats and end retransmissions are not.
#[derive(Clone, Debug, Default)]
pub struct Receiver {
    last: Option<(u32, u32)>,
}

impl Receiver {
    /// The digit of a new event, or `None` for a packet of an event already
    /// reported or an event that is not a digit.
    pub fn receive(&mut self, ssrc: u32, timestamp: u32, event: &DtmfEvent) -> Option<char> {
        if self.last == Some((ssrc, timestamp)) {
            return None;
        }
        self.last = Some((ssrc, timestamp));
        digit(event.event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_of_rfc4733_table_1() {
        let digits = "0123456789*#ABCD";
        for (code, d) in digits.chars().enumerate() {
            assert_eq!(event_code(d), Some(code as u8));
            assert_eq!(digit(code as u8), Some(d));
        }
        assert_eq!(event_code('a'), Some(12));
        assert_eq!(event_code('x'), None);
        assert_eq!(digit(16), None, "flash is not a digit");
    }

    #[test]
    fn payload_round_trip_and_short_payloads() {
        let e = DtmfEvent {
            event: 11,
            end: true,
            volume: 10,
            duration: 800,
        };
        let mut buf = [0; 4];
        e.write(&mut buf);
        assert_eq!(buf, [11, 0x80 | 10, 0x03, 0x20]);
        assert_eq!(DtmfEvent::parse(&buf), Some(e));
        for len in 0..4 {
            assert_eq!(DtmfEvent::parse(&buf[..len]), None);
        }
    }

    #[test]
    fn sender_follows_rfc4733_section_2_5_1() {
        let mut s = Sender::new('5', 1000, 160).unwrap();
        let packets: Vec<_> = std::iter::from_fn(|| {
            let p = s.next_packet();
            Some(p)
        })
        .take_while({
            let mut done = false;
            move |p| !std::mem::replace(&mut done, p.2)
        })
        .collect();
        assert_eq!(packets.len(), 7, "5 packets, the end one sent 3 times");
        assert!(packets[0].0, "marker on the first packet");
        assert!(packets[1..].iter().all(|p| !p.0));
        let durations: Vec<u16> = packets.iter().map(|p| p.1.duration).collect();
        assert_eq!(durations, [160, 320, 480, 640, 800, 800, 800]);
        let ends: Vec<bool> = packets.iter().map(|p| p.1.end).collect();
        assert_eq!(ends, [false, false, false, false, true, true, true]);
        assert!(packets.iter().all(|p| p.1.event == 5 && p.1.volume == 10));
        assert_eq!(s.start_timestamp(), 1000);
    }

    #[test]
    fn receiver_reports_each_event_once() {
        let mut r = Receiver::default();
        let ev = |event| DtmfEvent {
            event,
            end: false,
            volume: 10,
            duration: 160,
        };
        assert_eq!(r.receive(7, 100, &ev(1)), Some('1'));
        assert_eq!(r.receive(7, 100, &ev(1)), None, "same event");
        assert_eq!(r.receive(7, 900, &ev(1)), Some('1'), "same digit again");
        assert_eq!(r.receive(8, 900, &ev(11)), Some('#'), "another source");
        assert_eq!(r.receive(8, 1700, &ev(16)), None, "flash is not a digit");
    }
}
