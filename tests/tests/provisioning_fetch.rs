//! The provisioning client against real HTTP and HTTPS servers on loopback (P2, P3, P7):
//! redirects with chunked bodies, loops, huge files, a name whose first address never
//! answers, certificate checks by `host_name_validation_flags`.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use deskphone_runtime::locate::Locator;
use deskphone_runtime::provisioning::fetch::{FetchConfig, FetchError, Fetcher, Timeouts};
use deskphone_tests::prov_server::{ProvServer, Route, Silent};
use deskphone_tests::{dnsmasq, free_tcp_port, make_certificates, scratch_dir};

fn config() -> FetchConfig {
    FetchConfig {
        timeouts: Timeouts {
            connect: Duration::from_secs(2),
            transfer: Duration::from_secs(3),
        },
        host_name_validation_flags: 0,
        max_bytes: 1024 * 1024,
        user_agent: "deskphone-test".into(),
    }
}

fn fetcher(locator: Locator, ca: Option<&std::path::Path>) -> Fetcher {
    let roots = deskphone_runtime::tls::root_store(ca).expect("root store");
    Fetcher::new(locator, roots)
}

fn local(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

#[tokio::test]
async fn redirects_with_chunked_bodies_loops_and_limits() -> anyhow::Result<()> {
    let server = ProvServer::http(local(0)).await?;
    let base = format!("http://{}", server.addr);
    server.set("/a.xml", Route::ChunkedRedirect("/b.xml".into()));
    server.set("/b.xml", Route::Redirect(format!("{base}/c.xml?mac=1")));
    server.set("/c.xml", Route::File("Grüße 你好".as_bytes().to_vec()));
    server.set("/loop1", Route::Redirect("/loop2".into()));
    server.set("/loop2", Route::ChunkedRedirect("/loop1".into()));
    server.set("/huge", Route::Huge(50 * 1024 * 1024));
    server.set("/broken", Route::Status(500));
    server.set("/gone", Route::Status(404));
    let f = fetcher(Locator::without_dns().unwrap(), None);

    let got = f.fetch(&format!("{base}/a.xml"), &config()).await?;
    assert_eq!(got.body, "Grüße 你好".as_bytes());
    assert_eq!(got.url, format!("{base}/c.xml?mac=1"));
    assert_eq!(server.hits(), ["/a.xml", "/b.xml", "/c.xml?mac=1"]);

    let looped = f.fetch(&format!("{base}/loop1"), &config()).await;
    assert!(
        matches!(looped, Err(FetchError::RedirectLoop { .. })),
        "{looped:?}"
    );

    let started = Instant::now();
    let huge = f.fetch(&format!("{base}/huge"), &config()).await;
    assert!(matches!(huge, Err(FetchError::TooLarge { .. })), "{huge:?}");
    assert!(started.elapsed() < Duration::from_secs(3));

    let status = f.fetch(&format!("{base}/gone"), &config()).await;
    assert!(
        matches!(status, Err(FetchError::Status { status: 404, .. })),
        "{status:?}"
    );
    let broken = f.fetch(&format!("{base}/broken"), &config()).await;
    assert!(
        matches!(broken, Err(FetchError::Unreachable { .. })),
        "{broken:?}"
    );
    Ok(())
}

/// P3: the name has two addresses; the first accepts connections and never answers.
/// Each try is bounded by the timeouts, then the next address serves the file.
#[tokio::test]
async fn a_name_is_tried_address_by_address() -> anyhow::Result<()> {
    let port = free_tcp_port();
    let _silent = Silent::start(SocketAddr::from(([127, 0, 0, 21], port))).await?;
    let server = ProvServer::http(SocketAddr::from(([127, 0, 0, 22], port))).await?;
    server.set("/phone.xml", Route::File(b"<settings/>".to_vec()));
    let (_dns, dns) = dnsmasq(&[
        "--host-record=prov.test,127.0.0.21",
        "--host-record=prov.test,127.0.0.22",
    ])
    .await?;
    let f = fetcher(Locator::with_server(dns).unwrap(), None);
    let started = Instant::now();
    let got = f
        .fetch(&format!("http://prov.test:{port}/phone.xml"), &config())
        .await?;
    assert_eq!(got.body, b"<settings/>");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(2),
        "the silent address was not tried first ({took:?})"
    );
    // The stalled try is cut off by the transfer bound, and a stall at every address is
    // an error that names each one.
    let only_silent = f
        .fetch(&format!("http://127.0.0.21:{port}/phone.xml"), &config())
        .await;
    match only_silent {
        Err(FetchError::Unreachable { tries, .. }) => {
            assert_eq!(tries.len(), 1);
            assert!(tries[0].1.contains("no answer"), "{tries:?}");
        }
        other => panic!("{other:?}"),
    }
    Ok(())
}

/// P7: a wildcard certificate is accepted with the default flags (0) and refused with
/// X509_CHECK_FLAG_NO_WILDCARDS (2); a certificate for another name or from an unknown
/// CA is always refused.
#[tokio::test]
async fn https_certificates_follow_host_name_validation_flags() -> anyhow::Result<()> {
    let dir = scratch_dir("prov-https-certs");
    make_certificates(&dir, "DNS:*.prov.test,DNS:exact.other.test")?;
    let port = free_tcp_port();
    let server = ProvServer::https(
        SocketAddr::from(([127, 0, 0, 23], port)),
        &dir.join("server.pem"),
        &dir.join("server.key"),
    )
    .await?;
    server.set("/s.xml", Route::File(b"ok".to_vec()));
    let (_dns, dns) = dnsmasq(&[
        "--host-record=a.prov.test,127.0.0.23",
        "--host-record=exact.other.test,127.0.0.23",
        "--host-record=wrong.test,127.0.0.23",
    ])
    .await?;
    let ca = dir.join("ca.pem");
    let f = fetcher(Locator::with_server(dns).unwrap(), Some(&ca));
    let url = |host: &str| format!("https://{host}:{port}/s.xml");

    assert_eq!(f.fetch(&url("a.prov.test"), &config()).await?.body, b"ok");
    let strict = FetchConfig {
        host_name_validation_flags: 2,
        ..config()
    };
    let refused = f.fetch(&url("a.prov.test"), &strict).await;
    assert!(
        matches!(&refused, Err(FetchError::Unreachable { tries, .. }) if tries[0].1.contains("TLS")),
        "{refused:?}"
    );
    // An exact name in the same certificate is fine under the strict flags.
    assert_eq!(
        f.fetch(&url("exact.other.test"), &strict).await?.body,
        b"ok"
    );
    let wrong = f.fetch(&url("wrong.test"), &config()).await;
    assert!(wrong.is_err(), "{wrong:?}");
    let untrusted = fetcher(Locator::with_server(dns).unwrap(), None)
        .fetch(&url("a.prov.test"), &config())
        .await;
    assert!(untrusted.is_err(), "{untrusted:?}");
    Ok(())
}
