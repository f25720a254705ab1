//! The engine task never waits on DNS (issue "Call control and keys", robustness): with a
//! DNS server that never answers, a call to a name is looked up beside the engine, and
//! meanwhile the phone answers SIP at once; the call fails by itself once the lookup
//! gives up.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use deskphone_tests::{PhoneOptions, TestPhone};
use tokio::net::UdpSocket;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sip_is_answered_while_a_call_waits_for_a_silent_dns_server() -> anyhow::Result<()> {
    // A DNS "server" that reads queries and never answers: each lookup runs into the
    // resolver's timeout (2 s, 2 attempts).
    let silent = UdpSocket::bind("127.0.0.1:0").await?;
    let dns = silent.local_addr()?;
    let queries = Arc::new(AtomicU32::new(0));
    let counted = queries.clone();
    let server = tokio::spawn(async move {
        let mut buf = [0u8; 2048];
        while silent.recv_from(&mut buf).await.is_ok() {
            counted.fetch_add(1, Ordering::Relaxed);
        }
    });
    let alice = TestPhone::start_with(
        "dns-beside-alice",
        PhoneOptions {
            user: "alice",
            display_name: "Alice",
            sim_input: "silence",
            display: false,
        },
        &["--dns", &dns.to_string()],
    )
    .await?;

    let dialled = Instant::now();
    // With a port, only the host's addresses are asked for (RFC 3263 §4.2), not NAPTR and
    // SRV first, so the lookup gives up within seconds.
    alice.dial("bob@slow.test:5060").await?;
    let dial_answered = dialled.elapsed();

    // While the lookup waits, an OPTIONS is answered at once.
    let probe = UdpSocket::bind("127.0.0.1:0").await?;
    let me = probe.local_addr()?;
    let options = format!(
        "OPTIONS sip:alice@{0} SIP/2.0\r\nVia: SIP/2.0/UDP {me};branch=z9hG4bK-beside\r\n\
         Max-Forwards: 70\r\nFrom: <sip:probe@{me}>;tag=p1\r\nTo: <sip:alice@{0}>\r\n\
         Call-ID: beside@{me}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
        alice.sip
    );
    probe.send_to(options.as_bytes(), alice.sip).await?;
    let mut buf = [0u8; 4096];
    let (len, _) =
        tokio::time::timeout(Duration::from_secs(10), probe.recv_from(&mut buf)).await??;
    let options_answered = dialled.elapsed();
    let answer = String::from_utf8_lossy(&buf[..len]);
    assert!(answer.starts_with("SIP/2.0 200 OK"), "{answer}");
    println!(
        "dial answered after {} ms, OPTIONS during the lookup after {} ms",
        dial_answered.as_millis(),
        options_answered.as_millis()
    );
    assert!(
        options_answered < Duration::from_millis(1500),
        "the engine waited for DNS: OPTIONS answered after {options_answered:?}"
    );

    // The lookup gives up by itself; no call is left and the log says why.
    let start = Instant::now();
    let failed = |log: String| {
        log.lines()
            .any(|l| l.contains("cannot call") && l.contains("bob@slow.test"))
    };
    while !failed(alice.log()) {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the failed lookup is reported:\n{}",
            alice.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!(
        "the lookup gave up after {} ms",
        dialled.elapsed().as_millis()
    );
    let (_, state) = alice.state().await?;
    assert!(state.calls.is_empty());
    server.abort();
    assert!(
        queries.load(Ordering::Relaxed) > 0,
        "the phone asked the silent server"
    );
    Ok(())
}
