//! RTCP (RFC 3550 §6): sender and receiver reports with SDES CNAME out,
//! compound packets in, and the figures they give: loss and jitter both
//! ways and the round trip (§6.4.1).
//!
//! Parsing follows the validity checks of RFC 3550 A.2 and never trusts a
//! length field: a compound packet whose lengths do not add up to the
//! datagram, whose first packet is not SR or RR, or that pads anything but
//! its last packet is refused whole.

use std::time::Duration;

pub const SENDER_REPORT: u8 = 200;
pub const RECEIVER_REPORT: u8 = 201;
pub const SOURCE_DESCRIPTION: u8 = 202;
pub const GOODBYE: u8 = 203;

/// Why a datagram is not a valid RTCP compound packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RtcpError {
    #[error("RTCP packet shorter than its header or its length field")]
    Truncated,
    #[error("RTCP version {0}, expected 2")]
    BadVersion(u8),
    #[error("a compound RTCP packet must start with SR or RR")]
    NotAReport,
    #[error("RTCP padding on a packet that is not the last, or beyond the packet")]
    BadPadding,
    #[error("RTCP report count does not fit the packet length")]
    BadCount,
}

/// One report block (§6.4.1): what a receiver saw of one source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReportBlock {
    pub ssrc: u32,
    /// Lost since the previous report, as a fraction of 256.
    pub fraction_lost: u8,
    /// Lost since the start (24-bit signed: duplicates can make it negative).
    pub cumulative_lost: i32,
    pub highest_sequence: u32,
    /// Interarrival jitter in timestamp units.
    pub jitter: u32,
    /// Middle 32 bits of the NTP time of the last SR from that source.
    pub last_sr: u32,
    /// Delay since that SR, in 1/65536 s.
    pub delay_since_last_sr: u32,
}

/// The sender info of an SR (§6.4.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SenderInfo {
    pub ntp: u64,
    pub rtp_timestamp: u32,
    pub packets: u32,
    pub octets: u32,
}

/// One packet of a compound packet, as far as a phone cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RtcpPacket {
    SenderReport {
        ssrc: u32,
        info: SenderInfo,
        reports: Vec<ReportBlock>,
    },
    ReceiverReport {
        ssrc: u32,
        reports: Vec<ReportBlock>,
    },
    Goodbye {
        sources: Vec<u32>,
    },
    /// SDES, APP, feedback, XR, ...: valid, not used here.
    Other(u8),
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

fn report_blocks(body: &[u8], count: usize) -> Result<Vec<ReportBlock>, RtcpError> {
    if body.len() < count * 24 {
        return Err(RtcpError::BadCount);
    }
    Ok((0..count)
        .map(|k| {
            let b = &body[k * 24..k * 24 + 24];
            let lost = u32_at(b, 4) & 0x00FF_FFFF;
            // Sign-extend the 24-bit cumulative count.
            let cumulative_lost = ((lost << 8) as i32) >> 8;
            ReportBlock {
                ssrc: u32_at(b, 0),
                fraction_lost: b[4],
                cumulative_lost,
                highest_sequence: u32_at(b, 8),
                jitter: u32_at(b, 12),
                last_sr: u32_at(b, 16),
                delay_since_last_sr: u32_at(b, 20),
            }
        })
        .collect())
}

/// Parses a compound packet (RFC 3550 §6.1, A.2).
pub fn parse_compound(buf: &[u8]) -> Result<Vec<RtcpPacket>, RtcpError> {
    let mut packets = Vec::new();
    let mut rest = buf;
    while !rest.is_empty() {
        if rest.len() < 4 {
            return Err(RtcpError::Truncated);
        }
        let version = rest[0] >> 6;
        if version != 2 {
            return Err(RtcpError::BadVersion(version));
        }
        let padding = rest[0] & 0x20 != 0;
        let count = usize::from(rest[0] & 0x1F);
        let pt = rest[1];
        let len = (usize::from(u16::from_be_bytes([rest[2], rest[3]])) + 1) * 4;
        if len > rest.len() {
            return Err(RtcpError::Truncated);
        }
        let (packet, tail) = rest.split_at(len);
        if packets.is_empty() && pt != SENDER_REPORT && pt != RECEIVER_REPORT {
            return Err(RtcpError::NotAReport);
        }
        let mut end = len;
        if padding {
            // Only the last packet may be padded (A.2); the last octet counts.
            let pad = usize::from(packet[len - 1]);
            if !tail.is_empty() || pad == 0 || pad > len - 4 {
                return Err(RtcpError::BadPadding);
            }
            end -= pad;
        }
        let body = &packet[4..end];
        packets.push(match pt {
            SENDER_REPORT => {
                if body.len() < 24 {
                    return Err(RtcpError::Truncated);
                }
                RtcpPacket::SenderReport {
                    ssrc: u32_at(body, 0),
                    info: SenderInfo {
                        ntp: u64::from(u32_at(body, 4)) << 32 | u64::from(u32_at(body, 8)),
                        rtp_timestamp: u32_at(body, 12),
                        packets: u32_at(body, 16),
                        octets: u32_at(body, 20),
                    },
                    reports: report_blocks(&body[24..], count)?,
                }
            }
            RECEIVER_REPORT => {
                if body.len() < 4 {
                    return Err(RtcpError::Truncated);
                }
                RtcpPacket::ReceiverReport {
                    ssrc: u32_at(body, 0),
                    reports: report_blocks(&body[4..], count)?,
                }
            }
            GOODBYE => {
                if body.len() < count * 4 {
                    return Err(RtcpError::BadCount);
                }
                RtcpPacket::Goodbye {
                    sources: (0..count).map(|k| u32_at(body, k * 4)).collect(),
                }
            }
            other => RtcpPacket::Other(other),
        });
        rest = tail;
    }
    if packets.is_empty() {
        return Err(RtcpError::Truncated);
    }
    Ok(packets)
}

fn header(out: &mut Vec<u8>, count: u8, pt: u8) -> usize {
    let at = out.len();
    out.extend_from_slice(&[0x80 | (count & 0x1F), pt, 0, 0]);
    at
}

/// Fills in the length of the packet that starts at `at` (in 32-bit words
/// minus one, §6.4.1).
fn finish(out: &mut [u8], at: usize) {
    let words = ((out.len() - at) / 4 - 1) as u16;
    out[at + 2..at + 4].copy_from_slice(&words.to_be_bytes());
}

fn write_block(out: &mut Vec<u8>, b: &ReportBlock) {
    out.extend_from_slice(&b.ssrc.to_be_bytes());
    let lost = (b.cumulative_lost.clamp(-0x80_0000, 0x7F_FFFF) as u32) & 0x00FF_FFFF;
    out.extend_from_slice(&(u32::from(b.fraction_lost) << 24 | lost).to_be_bytes());
    for v in [
        b.highest_sequence,
        b.jitter,
        b.last_sr,
        b.delay_since_last_sr,
    ] {
        out.extend_from_slice(&v.to_be_bytes());
    }
}

/// Writes a compound packet: SR (if we sent anything since the last report,
/// §6.4) or RR, with at most one report block, then SDES with our CNAME
/// (every compound packet carries it, §6.1).
pub fn write_report(
    out: &mut Vec<u8>,
    ssrc: u32,
    sender: Option<SenderInfo>,
    block: Option<&ReportBlock>,
    cname: &str,
) {
    let count = u8::from(block.is_some());
    let at = match sender {
        Some(info) => {
            let at = header(out, count, SENDER_REPORT);
            out.extend_from_slice(&ssrc.to_be_bytes());
            out.extend_from_slice(&info.ntp.to_be_bytes());
            for v in [info.rtp_timestamp, info.packets, info.octets] {
                out.extend_from_slice(&v.to_be_bytes());
            }
            at
        }
        None => {
            let at = header(out, count, RECEIVER_REPORT);
            out.extend_from_slice(&ssrc.to_be_bytes());
            at
        }
    };
    if let Some(b) = block {
        write_block(out, b);
    }
    finish(out, at);
    // SDES: one chunk, CNAME item (type 1), then a null item and padding to
    // a 32-bit boundary (§6.5).
    let at = header(out, 1, SOURCE_DESCRIPTION);
    out.extend_from_slice(&ssrc.to_be_bytes());
    let name = &cname.as_bytes()[..cname.len().min(255)];
    out.push(1);
    out.push(name.len() as u8);
    out.extend_from_slice(name);
    out.push(0);
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
    finish(out, at);
}

/// The middle 32 bits of an NTP timestamp, as LSR carries it.
pub fn ntp_middle(ntp: u64) -> u32 {
    (ntp >> 16) as u32
}

/// An NTP timestamp (seconds since 1900 and a 32-bit fraction) from the
/// time since the Unix epoch.
pub fn ntp_from_unix(since_epoch: Duration) -> u64 {
    const UNIX_TO_NTP: u64 = 2_208_988_800;
    let secs = since_epoch.as_secs() + UNIX_TO_NTP;
    let frac = (u64::from(since_epoch.subsec_nanos()) << 32) / 1_000_000_000;
    secs << 32 | frac
}

/// Round trip from a report block about us (§6.4.1): arrival − LSR − DLSR,
/// all in 1/65536 s; `None` when the peer has not seen an SR of ours yet.
pub fn round_trip(arrival_ntp: u64, block: &ReportBlock) -> Option<Duration> {
    if block.last_sr == 0 {
        return None;
    }
    let rtt = ntp_middle(arrival_ntp)
        .wrapping_sub(block.last_sr)
        .wrapping_sub(block.delay_since_last_sr);
    // A negative value (clock steps, a lying peer) wraps to a huge one.
    if rtt > 65_536 * 10 {
        return None;
    }
    Some(Duration::from_micros(u64::from(rtt) * 1_000_000 / 65_536))
}

/// The receiver statistics of RFC 3550 A.3 for one source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReceptionCounts {
    /// First and highest extended sequence numbers seen.
    pub base: u64,
    pub highest: u64,
    /// Packets received (duplicates excluded).
    pub received: u64,
}

impl ReceptionCounts {
    pub fn expected(&self) -> u64 {
        if self.received == 0 {
            return 0;
        }
        self.highest.saturating_sub(self.base) + 1
    }

    pub fn lost(&self) -> i64 {
        self.expected() as i64 - self.received as i64
    }
}

/// Loss since the previous report as a fraction of 256 (A.3), and the new
/// (expected, received) to remember.
pub fn fraction_lost(now: &ReceptionCounts, prior: (u64, u64)) -> (u8, (u64, u64)) {
    let expected = now.expected().saturating_sub(prior.0);
    let received = now.received.saturating_sub(prior.1);
    let lost = expected.saturating_sub(received);
    let fraction = (lost << 8).checked_div(expected).unwrap_or(0).min(255) as u8;
    (fraction, (now.expected(), now.received))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block() -> ReportBlock {
        ReportBlock {
            ssrc: 0xAABB_CCDD,
            fraction_lost: 26,
            cumulative_lost: -3,
            highest_sequence: 0x0001_0005,
            jitter: 77,
            last_sr: 0x1234_5678,
            delay_since_last_sr: 65_536,
        }
    }

    #[test]
    fn sender_and_receiver_reports_round_trip() {
        let info = SenderInfo {
            ntp: 0xE000_0000_8000_0000,
            rtp_timestamp: 160,
            packets: 50,
            octets: 8000,
        };
        let mut sr = Vec::new();
        write_report(&mut sr, 42, Some(info), Some(&block()), "phone@192.0.2.1");
        assert!(sr.len().is_multiple_of(4));
        let parsed = parse_compound(&sr).unwrap();
        assert_eq!(
            parsed[0],
            RtcpPacket::SenderReport {
                ssrc: 42,
                info,
                reports: vec![block()]
            }
        );
        assert_eq!(parsed[1], RtcpPacket::Other(SOURCE_DESCRIPTION));

        let mut rr = Vec::new();
        write_report(&mut rr, 43, None, None, "x");
        assert_eq!(
            parse_compound(&rr).unwrap()[0],
            RtcpPacket::ReceiverReport {
                ssrc: 43,
                reports: vec![]
            }
        );
    }

    #[test]
    fn round_trip_from_lsr_and_dlsr() {
        // The peer got our SR at middle-time 0x12345678 and waited 1 s; its
        // report reaches us 1.25 s after that SR: the round trip is 250 ms.
        let arrival = (u64::from(0x1234_5678u32 + 65_536 + 16_384)) << 16;
        let rtt = round_trip(arrival, &block()).unwrap();
        assert_eq!(rtt.as_millis(), 250);
        let never = ReportBlock {
            last_sr: 0,
            ..block()
        };
        assert_eq!(round_trip(arrival, &never), None);
        let future = ReportBlock {
            delay_since_last_sr: 65_536 * 5,
            ..block()
        };
        assert_eq!(round_trip(arrival, &future), None, "negative round trip");
    }

    #[test]
    fn receiver_statistics_of_rfc3550_a3() {
        let counts = ReceptionCounts {
            base: 1000,
            highest: 1099,
            received: 90,
        };
        assert_eq!((counts.expected(), counts.lost()), (100, 10));
        let (fraction, prior) = fraction_lost(&counts, (0, 0));
        assert_eq!(fraction, 25, "10 % of 256");
        let later = ReceptionCounts {
            highest: 1199,
            received: 190,
            ..counts
        };
        assert_eq!(fraction_lost(&later, prior).0, 0, "nothing lost since");
        // 1970 is 2 208 988 800 s after 1900 (RFC 868); half a second is 2^31.
        let ntp = ntp_from_unix(Duration::from_millis(500));
        assert_eq!((ntp >> 32, ntp as u32), (2_208_988_800, 0x8000_0000));
        assert_eq!(ntp_middle(ntp), 0x7E80_8000);
    }

    #[test]
    fn lying_compound_packets_are_refused() {
        let mut good = Vec::new();
        write_report(&mut good, 1, None, Some(&block()), "cname");
        assert!(parse_compound(&good).is_ok());
        // A length field pointing past the end.
        let mut long = good.clone();
        long[3] += 1;
        long.truncate(good.len());
        assert!(parse_compound(&long).is_err());
        // A length shorter than the report count needs.
        let mut short = good.clone();
        short[3] = 1;
        assert!(parse_compound(&short).is_err());
        // A truncated datagram, and trailing octets that are no packet.
        assert_eq!(
            parse_compound(&good[..good.len() - 2]),
            Err(RtcpError::Truncated)
        );
        let mut trailing = good.clone();
        trailing.extend_from_slice(&[0x80, 0xC9]);
        assert_eq!(parse_compound(&trailing), Err(RtcpError::Truncated));
        // SDES first is not a valid compound packet.
        let sdes_at = 4 * (usize::from(good[3]) + 1);
        assert_eq!(parse_compound(&good[sdes_at..]), Err(RtcpError::NotAReport));
        // Padding on the first of two packets.
        let mut padded = good.clone();
        padded[0] |= 0x20;
        assert_eq!(parse_compound(&padded), Err(RtcpError::BadPadding));
        // Version 1, and nothing at all.
        let mut v1 = good.clone();
        v1[0] = (v1[0] & 0x3F) | 0x40;
        assert_eq!(parse_compound(&v1), Err(RtcpError::BadVersion(1)));
        assert_eq!(parse_compound(&[]), Err(RtcpError::Truncated));
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = fastrand::Rng::with_seed(3550);
        let mut accepted = 0;
        for _ in 0..50_000 {
            let len = rng.usize(0..96);
            let mut buf: Vec<u8> = (0..len).map(|_| rng.u8(..)).collect();
            if len > 1 && rng.bool() {
                buf[0] = 0x80 | (buf[0] & 0x3F);
                buf[1] = 200 + rng.u8(0..2);
            }
            if parse_compound(&buf).is_ok() {
                accepted += 1;
            }
        }
        assert!(accepted < 5_000, "{accepted}");
    }
}
