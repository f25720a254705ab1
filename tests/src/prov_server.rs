//! A real HTTP and HTTPS server on loopback for the provisioning tests (hyper, with
//! rustls for HTTPS), whose paths are set per test: files, redirects with a chunked
//! body, redirect loops, huge files, server errors. [`Silent`] accepts connections and
//! never answers. Both stop when dropped.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use futures_util::stream;
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::body::{Bytes, Frame};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// What one path answers.
#[derive(Clone, Debug)]
pub enum Route {
    /// 200 with this body.
    File(Vec<u8>),
    /// 302 to this location, with a chunked body (the case that stalled the vendor's
    /// firmware).
    ChunkedRedirect(String),
    /// 301 to this location, with a plain body.
    Redirect(String),
    /// 200 with `n` bytes, sent in chunks without a Content-Length.
    Huge(usize),
    /// This status, empty body.
    Status(u16),
    /// 200, these bytes, then silence with the connection open (a server that stalls
    /// in the middle of a download).
    StallAfter(Vec<u8>),
}

type Routes = Arc<Mutex<HashMap<String, Route>>>;

/// A provisioning server on one loopback address.
pub struct ProvServer {
    pub addr: SocketAddr,
    routes: Routes,
    hits: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl Drop for ProvServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ProvServer {
    /// Plain HTTP on `bind` (port 0 picks one).
    pub async fn http(bind: SocketAddr) -> anyhow::Result<ProvServer> {
        Self::start(bind, None).await
    }

    /// HTTPS on `bind` with the certificate chain and key (PEM files).
    pub async fn https(bind: SocketAddr, cert: &Path, key: &Path) -> anyhow::Result<ProvServer> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let certs = CertificateDer::pem_file_iter(cert)?.collect::<Result<Vec<_>, _>>()?;
        let key = PrivateKeyDer::from_pem_file(key)?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(certs, key)?;
        Self::start(
            bind,
            Some(tokio_rustls::TlsAcceptor::from(Arc::new(config))),
        )
        .await
    }

    async fn start(
        bind: SocketAddr,
        tls: Option<tokio_rustls::TlsAcceptor>,
    ) -> anyhow::Result<ProvServer> {
        let listener = TcpListener::bind(bind)
            .await
            .with_context(|| format!("cannot bind the provisioning server to {bind}"))?;
        let addr = listener.local_addr()?;
        let routes: Routes = Arc::default();
        let hits: Arc<Mutex<Vec<String>>> = Arc::default();
        let (r, h) = (routes.clone(), hits.clone());
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (routes, hits, tls) = (r.clone(), h.clone(), tls.clone());
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let answer = answer(&routes, &hits, &req);
                        async move { Ok::<_, Infallible>(answer) }
                    });
                    let http = hyper::server::conn::http1::Builder::new();
                    match tls {
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(socket).await {
                                let _ = http.serve_connection(TokioIo::new(stream), service).await;
                            }
                        }
                        None => {
                            let _ = http.serve_connection(TokioIo::new(socket), service).await;
                        }
                    }
                });
            }
        });
        Ok(ProvServer {
            addr,
            routes,
            hits,
            task,
        })
    }

    pub fn set(&self, path: &str, route: Route) {
        self.routes.lock().unwrap().insert(path.to_owned(), route);
    }

    /// Paths requested so far (with their query), oldest first.
    pub fn hits(&self) -> Vec<String> {
        self.hits.lock().unwrap().clone()
    }
}

fn answer(
    routes: &Routes,
    hits: &Mutex<Vec<String>>,
    req: &Request<hyper::body::Incoming>,
) -> Response<BoxBody<Bytes, Infallible>> {
    let path = req.uri().path().to_owned();
    let full = req
        .uri()
        .path_and_query()
        .map_or(path.clone(), |p| p.to_string());
    hits.lock().unwrap().push(full);
    let route = routes.lock().unwrap().get(&path).cloned();
    let full_body = |b: Vec<u8>| Full::new(Bytes::from(b)).boxed();
    let mut response = Response::new(full_body(Vec::new()));
    match route {
        None => *response.status_mut() = StatusCode::NOT_FOUND,
        Some(Route::File(bytes)) => *response.body_mut() = full_body(bytes),
        Some(Route::Status(code)) => {
            *response.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::IM_A_TEAPOT)
        }
        Some(Route::Redirect(to)) => {
            *response.status_mut() = StatusCode::MOVED_PERMANENTLY;
            response
                .headers_mut()
                .insert(hyper::header::LOCATION, to.parse().unwrap());
            *response.body_mut() = full_body(b"moved\n".to_vec());
        }
        Some(Route::ChunkedRedirect(to)) => {
            *response.status_mut() = StatusCode::FOUND;
            response
                .headers_mut()
                .insert(hyper::header::LOCATION, to.parse().unwrap());
            // A body without a length: hyper sends it chunked.
            let chunks = [
                "<html><body>",
                "The settings moved ",
                "elsewhere.</body></html>\n",
            ]
            .map(|c| Ok::<_, Infallible>(Frame::data(Bytes::from_static(c.as_bytes()))));
            *response.body_mut() = StreamBody::new(stream::iter(chunks)).boxed();
        }
        Some(Route::Huge(n)) => {
            const CHUNK: usize = 64 * 1024;
            let chunk = Bytes::from(vec![b'x'; CHUNK]);
            let frames = (0..n.div_ceil(CHUNK))
                .map(move |_| Ok::<_, Infallible>(Frame::data(chunk.clone())));
            *response.body_mut() = StreamBody::new(stream::iter(frames)).boxed();
        }
        Some(Route::StallAfter(bytes)) => {
            let first = Ok::<_, Infallible>(Frame::data(Bytes::from(bytes)));
            let frames = futures_util::StreamExt::chain(stream::iter([first]), stream::pending());
            *response.body_mut() = StreamBody::new(frames).boxed();
        }
    }
    response
}

/// Accepts TCP connections on loopback and never says a word: a server that stalls.
pub struct Silent {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for Silent {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Silent {
    pub async fn start(bind: SocketAddr) -> anyhow::Result<Silent> {
        let listener = TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        Ok(Silent { addr, task })
    }
}
