//! The TLS client configuration of SIP over TLS (RFC 3261 §26.3.1): rustls with the
//! `ring` provider, trusting the system's root store (Debian: /etc/ssl/certs, updated by
//! `ca-certificates`, P7) and, for tests, extra CAs from a PEM file (`--trust-ca`).
//!
//! Certificate checks (P7, `host_name_validation_flags` = 0): the chain must lead to a
//! trusted root, and the certificate must name the server's host (DNS or IP SAN);
//! wildcard certificates are accepted (webpki's matching).

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

/// The trusted roots: the system's store and the CA certificates in `extra_ca`. Shared by
/// SIP over TLS and provisioning over HTTPS.
pub fn root_store(extra_ca: Option<&Path>) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for e in &native.errors {
        tracing::warn!("TLS root store: {e}");
    }
    let (added, ignored) = roots.add_parsable_certificates(native.certs);
    tracing::debug!("TLS root store: {added} system roots ({ignored} unusable)");
    if let Some(path) = extra_ca {
        let certs = CertificateDer::pem_file_iter(path)
            .and_then(|i| i.collect::<Result<Vec<_>, _>>())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if certs.is_empty() {
            return Err(format!("{}: no certificate", path.display()));
        }
        for cert in certs {
            roots
                .add(cert)
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
        tracing::info!("TLS: also trusting the CA in {}", path.display());
    }
    Ok(roots)
}

/// The connector for SIP over TLS, trusting the system roots and those in `extra_ca`.
pub fn connector(extra_ca: Option<&Path>) -> Result<TlsConnector, String> {
    let roots = root_store(extra_ca)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}
