//! Parse throughput of the core's parser against rsip 0.4 on a typical INVITE, and the
//! RFC 4475 / RFC 5118 torture pass counts of both. Figures, not a test: run with
//! `cargo bench -p deskphone-sip`.
//!
//! Method: each contender parses the same bytes in rounds of a fixed number of messages
//! after a warm-up; the median round gives µs/message and messages/s. Timing uses
//! `std::time::Instant` only (no benchmark framework dependency).

use std::hint::black_box;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use deskphone_sip::parse::{Message, StartLine, Uri};
use deskphone_sip::{UaConfig, UserAgent};
use rsip::prelude::{HasHeaders, HeadersExt, ToTypedHeader};

#[allow(dead_code)]
#[path = "../tests/torture.rs"]
mod torture;

/// A typical INVITE from a desk phone: one Via, the usual headers, an SDP offer.
const HEAD: &str = "INVITE sip:bob@192.0.2.20:5060 SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n\
Max-Forwards: 70\r\n\
From: \"Alice Example\" <sip:alice@example.com>;tag=1928301774\r\n\
To: \"Bob\" <sip:bob@example.com>\r\n\
Call-ID: a84b4c76e66710@pc33.example.com\r\n\
CSeq: 314159 INVITE\r\n\
Contact: <sip:alice@192.0.2.10:5060;transport=udp>\r\n\
Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK, REFER, NOTIFY\r\n\
Supported: replaces, timer, 100rel\r\n\
User-Agent: Deskphone/1.0\r\n\
Session-Expires: 1800\r\n\
Content-Type: application/sdp\r\n";

const SDP: &str = "v=0\r\n\
o=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\n\
s=-\r\n\
c=IN IP4 192.0.2.10\r\n\
t=0 0\r\n\
m=audio 49170 RTP/AVP 9 0 8 18 101\r\n\
a=rtpmap:9 G722/8000\r\n\
a=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:18 G729/8000\r\n\
a=fmtp:18 annexb=no\r\n\
a=rtpmap:101 telephone-event/8000\r\n\
a=fmtp:101 0-16\r\n\
a=ptime:20\r\n\
a=sendrecv\r\n";

/// The core: framing, start line, every header field, then the fields a UA acts on typed
/// (Vias, From/To with tags, Call-ID, CSeq, Contact, Max-Forwards, Content-Type/Length) and
/// the Request-URI.
fn core(data: &[u8]) -> usize {
    let m = Message::parse(data).expect("core parses");
    let e = m.essentials().expect("UA fields parse");
    let uri = match &m.start {
        StartLine::Request { uri, .. } => Uri::parse(uri).expect("Request-URI"),
        StartLine::Response { .. } => panic!("the sample is a request"),
    };
    black_box((
        &uri,
        e.vias[0].branch(),
        e.from.tag(),
        e.to.tag(),
        e.cseq.seq,
    ));
    black_box((e.call_id, &e.contacts, e.max_forwards, e.content_type));
    m.body.len()
}

/// rsip's own entry point: splits the message into untyped headers.
fn rsip_untyped(data: &[u8]) -> usize {
    let m = rsip::SipMessage::try_from(data).expect("rsip parses");
    m.body().len()
}

/// rsip plus typing the same header set the core types.
fn rsip_typed(data: &[u8]) -> usize {
    let m = rsip::SipMessage::try_from(data).expect("rsip parses");
    let via = m.via_header().and_then(|h| h.typed()).expect("Via");
    let from = m.from_header().and_then(|h| h.typed()).expect("From");
    let to = m.to_header().and_then(|h| h.typed()).expect("To");
    let cseq = m.cseq_header().and_then(|h| h.typed()).expect("CSeq");
    let contact = m.contact_header().and_then(|h| h.typed()).expect("Contact");
    let call_id = m.call_id_header().expect("Call-ID").clone();
    let mf = m
        .max_forwards_header()
        .and_then(|h| h.num())
        .expect("Max-Forwards");
    let ct = m.headers().iter().find_map(|h| match h {
        rsip::Header::ContentType(c) => c.typed().ok(),
        _ => None,
    });
    let cl = m.headers().iter().find_map(|h| match h {
        rsip::Header::ContentLength(l) => l.length().ok(),
        _ => None,
    });
    black_box((via, from, to, cseq, contact, call_id, mf, ct, cl));
    m.body().len()
}

struct Figures {
    per_msg: Duration,
}

/// Median of `rounds` rounds of `n` calls, after one warm-up round.
fn measure(n: u32, rounds: usize, mut f: impl FnMut() -> usize) -> Figures {
    let mut sink = 0;
    for _ in 0..n {
        sink += f();
    }
    let mut times: Vec<Duration> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..n {
                sink += black_box(f());
            }
            t.elapsed() / n
        })
        .collect();
    black_box(sink);
    times.sort();
    Figures {
        per_msg: times[rounds / 2],
    }
}

fn print(name: &str, f: &Figures) {
    let us = f.per_msg.as_secs_f64() * 1e6;
    println!(
        "{name:<52} {us:>8.2} µs/msg {:>11.0} msg/s",
        1.0 / f.per_msg.as_secs_f64()
    );
}

fn main() {
    let invite = format!("{HEAD}Content-Length: {}\r\n\r\n{SDP}", SDP.len());
    let data = invite.as_bytes();
    assert_eq!(core(data), SDP.len());
    println!(
        "Typical INVITE, {} octets ({} header fields + SDP), median of 15 rounds:",
        data.len(),
        Message::parse(data).map(|m| m.headers.len()).unwrap_or(0)
    );
    let (n, rounds) = (20_000, 15);
    let framing = measure(n, rounds, || {
        let m = Message::parse(data).expect("core parses");
        black_box(&m);
        m.headers.len()
    });
    let core_f = measure(n, rounds, || core(data));
    let untyped = measure(n, rounds, || rsip_untyped(data));
    let typed = measure(n, rounds, || rsip_typed(data));
    print(
        "core Message::parse (framing, start line, fields)",
        &framing,
    );
    print("core parse (framing + UA fields typed)", &core_f);
    print("rsip SipMessage::try_from (untyped headers)", &untyped);
    print("rsip try_from + typed Via/From/To/CSeq/Contact/...", &typed);
    println!(
        "core is {:.1}x rsip try_from, {:.1}x rsip typed",
        untyped.per_msg.as_secs_f64() / core_f.per_msg.as_secs_f64(),
        typed.per_msg.as_secs_f64() / core_f.per_msg.as_secs_f64()
    );

    // The whole inbound path of the UA: parse, conversion into rsip's types, transaction
    // lookup; a retransmitted INVITE is absorbed by its server transaction, which resends
    // its 100 Trying.
    let from: SocketAddr = "192.0.2.10:5060".parse().expect("literal address");
    let mut ua = UserAgent::new(UaConfig {
        local_addr: "192.0.2.20:5060".parse().expect("literal address"),
        user_agent: "bench".into(),
        rng_seed: None,
    });
    let now = Instant::now();
    ua.handle_datagram(now, from, data);
    while ua.poll_transmit().is_some() {}
    while ua.poll_event().is_some() {}
    let ingest = measure(n / 4, rounds, || {
        ua.handle_datagram(now, from, data);
        let mut sent = 0;
        while let Some(t) = ua.poll_transmit() {
            sent += t.payload.len();
        }
        while ua.poll_event().is_some() {}
        sent
    });
    print("UserAgent::handle_datagram (retransmitted INVITE)", &ingest);

    let reports = torture::run_all();
    let counted: Vec<_> = reports.iter().filter(|r| r.counted()).collect();
    let rsip_pass = counted.iter().filter(|r| r.rsip_passes()).count();
    let core_pass = counted.iter().filter(|r| r.core_passes()).count();
    println!(
        "\nTorture files (RFC 4475 + RFC 5118, test.dat not counted) passed: \
         rsip alone {rsip_pass}/{n}, core {core_pass}/{n}",
        n = counted.len()
    );
    println!("(rsip alone: its parse verdict; core: parse verdict, facts and UA answer)\n");
    print!("{}", torture::table(&reports));
}
