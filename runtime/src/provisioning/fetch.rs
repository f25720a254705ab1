//! Fetching one provisioning file over HTTP or HTTPS (P2, P3, P7).
//!
//! The runtime opens the connections itself rather than through a client library's
//! pool: a host name with several addresses is tried address by address, each try
//! bounded by `swupd_curl_timeouts` (P3); names are looked up through the phone's own
//! resolver (`--dns`, the same as SIP); redirects are followed here so that every hop
//! gets the same address-by-address treatment and a loop is named as one. hyper speaks
//! HTTP/1.1 on each connection, chunked bodies included (a redirect's chunked body once
//! stalled the vendor's firmware).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, RootCertStore};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use url::Url;

use super::certs::HostNameRules;
use crate::locate::Locator;

/// How many redirects one fetch follows.
pub const MAX_REDIRECTS: usize = 10;

/// Bounds of one try against one address (`swupd_curl_timeouts`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Until the TCP (and TLS) connection stands.
    pub connect: Duration,
    /// The whole try: connect, request, response and body.
    pub transfer: Duration,
}

/// What a fetch needs besides the URL.
#[derive(Clone)]
pub struct FetchConfig {
    pub timeouts: Timeouts,
    /// `host_name_validation_flags` (OpenSSL's `X509_CHECK_FLAG_*`).
    pub host_name_validation_flags: u32,
    /// Larger bodies are refused while they arrive.
    pub max_bytes: usize,
    /// Sent as `User-Agent`, so servers can tell phone models apart.
    pub user_agent: String,
}

/// A fetched file.
#[derive(Clone, Debug)]
pub struct Fetched {
    /// The URL the body came from, after redirects.
    pub url: String,
    pub body: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("`{0}` is not a URL")]
    BadUrl(String),
    #[error("{url}: only http and https are supported")]
    UnsupportedScheme { url: String },
    #[error("{url}: no address found for {host}")]
    NoAddress { url: String, host: String },
    #[error("{url}: every address failed ({})", describe(.tries))]
    Unreachable {
        url: String,
        tries: Vec<(SocketAddr, String)>,
    },
    #[error("{url}: the server answered {status}")]
    Status { url: String, status: u16 },
    #[error("{url}: redirect without a usable Location")]
    BadRedirect { url: String },
    #[error("{url}: redirects loop back to an address already visited")]
    RedirectLoop { url: String },
    #[error("{url}: more than {MAX_REDIRECTS} redirects")]
    TooManyRedirects { url: String },
    #[error("{url}: the file is larger than {max} bytes")]
    TooLarge { url: String, max: usize },
    #[error("{url}: the server sent nothing for {secs} s")]
    Stalled { url: String, secs: u64 },
    #[error("{url}: the download broke off: {reason}")]
    BrokenOff { url: String, reason: String },
    /// The receiver of a streamed body refused a piece (it keeps its own reason).
    #[error("{url}: the download was stopped")]
    Stopped { url: String },
}

/// Where a streamed body goes, piece by piece; an `Err` stops the download.
pub type Sink<'a> = dyn FnMut(&[u8]) -> Result<(), ()> + Send + 'a;

/// How a body is taken in: whole, or streamed to a sink with a bound on silence.
enum BodyMode<'s, 'a> {
    Collect,
    Stream {
        sink: &'s mut Sink<'a>,
        stall: Duration,
    },
}

fn describe(tries: &[(SocketAddr, String)]) -> String {
    tries
        .iter()
        .map(|(a, e)| format!("{a}: {e}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// One try against one address failed: try the next (`Next`) or give up (`Final`).
enum TryError {
    Next(String),
    Final(FetchError),
}

enum Answer {
    Body(Vec<u8>),
    /// The body went to the sink.
    Streamed,
    Redirect(String),
}

/// Fetches provisioning files; cheap to clone.
#[derive(Clone)]
pub struct Fetcher {
    locator: Locator,
    roots: Arc<RootCertStore>,
}

impl Fetcher {
    pub fn new(locator: Locator, roots: RootCertStore) -> Fetcher {
        Fetcher {
            locator,
            roots: Arc::new(roots),
        }
    }

    /// Fetches `url`, following redirects.
    pub async fn fetch(&self, url: &str, config: &FetchConfig) -> Result<Fetched, FetchError> {
        self.get(url, config, &mut BodyMode::Collect).await
    }

    /// Fetches `url`, following redirects, and hands the body to `sink` while it
    /// arrives (firmware images: nothing larger than a piece is held in memory). Once
    /// a byte went to the sink, no other address is tried. `stall` bounds the silence
    /// between two pieces. Returns the URL the body came from.
    pub async fn fetch_streaming(
        &self,
        url: &str,
        config: &FetchConfig,
        stall: Duration,
        sink: &mut Sink<'_>,
    ) -> Result<String, FetchError> {
        self.get(url, config, &mut BodyMode::Stream { sink, stall })
            .await
            .map(|fetched| fetched.url)
    }

    async fn get(
        &self,
        url: &str,
        config: &FetchConfig,
        mode: &mut BodyMode<'_, '_>,
    ) -> Result<Fetched, FetchError> {
        let tls = self.tls_config(config)?;
        let mut current = parse(url)?;
        let mut visited = vec![current.clone()];
        for _ in 0..=MAX_REDIRECTS {
            match self.fetch_one(&current, config, &tls, mode).await? {
                Answer::Body(body) => {
                    return Ok(Fetched {
                        url: current.to_string(),
                        body,
                    });
                }
                Answer::Streamed => {
                    return Ok(Fetched {
                        url: current.to_string(),
                        body: Vec::new(),
                    });
                }
                Answer::Redirect(location) => {
                    let next = current
                        .join(&location)
                        .map_err(|_| FetchError::BadRedirect {
                            url: current.to_string(),
                        })?;
                    if !matches!(next.scheme(), "http" | "https") {
                        return Err(FetchError::UnsupportedScheme {
                            url: next.to_string(),
                        });
                    }
                    if visited.contains(&next) {
                        return Err(FetchError::RedirectLoop {
                            url: next.to_string(),
                        });
                    }
                    tracing::info!("provisioning: {current} redirects to {next}");
                    visited.push(next.clone());
                    current = next;
                }
            }
        }
        Err(FetchError::TooManyRedirects {
            url: current.to_string(),
        })
    }

    fn tls_config(&self, config: &FetchConfig) -> Result<Arc<ClientConfig>, FetchError> {
        let verifier = HostNameRules::new(self.roots.clone(), config.host_name_validation_flags)
            .map_err(|e| FetchError::BadUrl(format!("TLS configuration: {e}")))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut tls = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| FetchError::BadUrl(format!("TLS configuration: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(tls))
    }

    /// One URL, address by address (P3).
    async fn fetch_one(
        &self,
        url: &Url,
        config: &FetchConfig,
        tls: &Arc<ClientConfig>,
        mode: &mut BodyMode<'_, '_>,
    ) -> Result<Answer, FetchError> {
        let host = url.host_str().unwrap_or_default();
        // `Url` keeps IPv6 literals in brackets.
        let bare = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = url.port_or_known_default().unwrap_or(80);
        let addresses = self.locator.addresses(&bare, port).await;
        if addresses.is_empty() {
            return Err(FetchError::NoAddress {
                url: url.to_string(),
                host: bare,
            });
        }
        let mut tries = Vec::new();
        for addr in addresses {
            let attempt = tokio::time::timeout(
                config.timeouts.transfer,
                self.try_address(url, &bare, addr, config, tls, mode),
            )
            .await;
            match attempt {
                Ok(Ok(answer)) => return Ok(answer),
                Ok(Err(TryError::Final(e))) => return Err(e),
                Ok(Err(TryError::Next(why))) => {
                    tracing::warn!("provisioning: {url} via {addr}: {why}");
                    tries.push((addr, why));
                }
                Err(_) => {
                    let why = format!("no answer within {} s", config.timeouts.transfer.as_secs());
                    tracing::warn!("provisioning: {url} via {addr}: {why}");
                    tries.push((addr, why));
                }
            }
        }
        Err(FetchError::Unreachable {
            url: url.to_string(),
            tries,
        })
    }

    async fn try_address(
        &self,
        url: &Url,
        host: &str,
        addr: SocketAddr,
        config: &FetchConfig,
        tls: &Arc<ClientConfig>,
        mode: &mut BodyMode<'_, '_>,
    ) -> Result<Answer, TryError> {
        let connect = async {
            let tcp = TcpStream::connect(addr)
                .await
                .map_err(|e| format!("cannot connect: {e}"))?;
            if url.scheme() == "https" {
                let name = ServerName::try_from(host.to_owned()).map_err(|e| {
                    format!("`{host}` cannot be checked against a certificate: {e}")
                })?;
                let stream = tokio_rustls::TlsConnector::from(tls.clone())
                    .connect(name, tcp)
                    .await
                    .map_err(|e| format!("TLS: {e}"))?;
                Ok::<_, String>(Stream::Tls(Box::new(stream)))
            } else {
                Ok(Stream::Plain(tcp))
            }
        };
        let stream = tokio::time::timeout(config.timeouts.connect, connect)
            .await
            .map_err(|_| {
                TryError::Next(format!(
                    "no connection within {} s",
                    config.timeouts.connect.as_secs()
                ))
            })?
            .map_err(TryError::Next)?;
        match stream {
            Stream::Plain(s) => exchange(s, url, config, mode).await,
            Stream::Tls(s) => exchange(*s, url, config, mode).await,
        }
    }
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

fn parse(url: &str) -> Result<Url, FetchError> {
    let parsed = Url::parse(url.trim()).map_err(|_| FetchError::BadUrl(url.to_owned()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(FetchError::UnsupportedScheme {
            url: url.to_owned(),
        });
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(FetchError::BadUrl(url.to_owned()));
    }
    Ok(parsed)
}

/// One GET on an open connection.
async fn exchange<S>(
    io: S,
    url: &Url,
    config: &FetchConfig,
    mode: &mut BodyMode<'_, '_>,
) -> Result<Answer, TryError>
where
    S: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| TryError::Next(format!("HTTP: {e}")))?;
    // The connection future drives the socket; it ends with the exchange.
    let driver = tokio::spawn(connection);
    let host = match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    };
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    };
    let request = hyper::Request::get(path)
        .header(hyper::header::HOST, host)
        .header(hyper::header::USER_AGENT, &config.user_agent)
        .header(hyper::header::ACCEPT, "*/*")
        .body(Empty::<Bytes>::new())
        .map_err(|e| TryError::Final(FetchError::BadUrl(format!("{url}: {e}"))))?;
    let result = async {
        let response = match &*mode {
            // A streamed download bounds the wait for the answer as for each piece.
            BodyMode::Stream { stall, .. } => {
                tokio::time::timeout(*stall, sender.send_request(request))
                    .await
                    .map_err(|_| {
                        TryError::Final(FetchError::Stalled {
                            url: url.to_string(),
                            secs: stall.as_secs(),
                        })
                    })?
            }
            BodyMode::Collect => sender.send_request(request).await,
        }
        .map_err(|e| TryError::Next(format!("HTTP: {e}")))?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(hyper::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .map(str::to_owned)
                .ok_or_else(|| {
                    TryError::Final(FetchError::BadRedirect {
                        url: url.to_string(),
                    })
                })?;
            // The body of a redirect (chunked or not) is not needed; dropping the
            // connection ends it.
            return Ok(Answer::Redirect(location));
        }
        if status.is_server_error() {
            // Another address of the same name may be a healthy server (P3).
            return Err(TryError::Next(format!("the server answered {status}")));
        }
        if !status.is_success() {
            return Err(TryError::Final(FetchError::Status {
                url: url.to_string(),
                status: status.as_u16(),
            }));
        }
        let too_large = || {
            TryError::Final(FetchError::TooLarge {
                url: url.to_string(),
                max: config.max_bytes,
            })
        };
        if response
            .headers()
            .get(hyper::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|n| n > config.max_bytes as u64)
        {
            return Err(too_large());
        }
        if let BodyMode::Stream { sink, stall } = mode {
            return stream_body(
                response.into_body(),
                url,
                config.max_bytes,
                *stall,
                &mut **sink,
            )
            .await
            .map(|()| Answer::Streamed)
            .map_err(TryError::Final);
        }
        let body = Limited::new(response.into_body(), config.max_bytes)
            .collect()
            .await
            .map_err(|e| {
                if e.downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some()
                {
                    too_large()
                } else {
                    TryError::Next(format!("HTTP body: {e}"))
                }
            })?;
        Ok(Answer::Body(body.to_bytes().to_vec()))
    }
    .await;
    driver.abort();
    result
}

/// Hands a body to `sink` piece by piece, within `max` bytes and `stall` of silence.
async fn stream_body(
    mut body: hyper::body::Incoming,
    url: &Url,
    max: usize,
    stall: Duration,
    sink: &mut Sink<'_>,
) -> Result<(), FetchError> {
    let mut total = 0usize;
    loop {
        let frame = tokio::time::timeout(stall, body.frame())
            .await
            .map_err(|_| FetchError::Stalled {
                url: url.to_string(),
                secs: stall.as_secs(),
            })?;
        let Some(frame) = frame else {
            return Ok(());
        };
        let frame = frame.map_err(|e| FetchError::BrokenOff {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
        let Some(data) = frame.data_ref() else {
            continue;
        };
        total += data.len();
        if total > max {
            return Err(FetchError::TooLarge {
                url: url.to_string(),
                max,
            });
        }
        sink(data).map_err(|()| FetchError::Stopped {
            url: url.to_string(),
        })?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(matches!(
            parse("ftp://x/y"),
            Err(FetchError::UnsupportedScheme { .. })
        ));
        assert!(matches!(parse("not a url"), Err(FetchError::BadUrl(_))));
        assert_eq!(
            parse("https://prov.example.com/a?b=c").unwrap().as_str(),
            "https://prov.example.com/a?b=c"
        );
    }
}
