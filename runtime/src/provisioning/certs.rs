//! Certificate checks of provisioning over HTTPS, governed by `host_name_validation_flags`
//! (P7). The flags are OpenSSL's `X509_CHECK_FLAG_*` values, as the vendor documents them;
//! the chain and the name are checked by webpki, whose own rules are stricter than
//! OpenSSL's defaults in two ways that need no flag: it never reads the subject's common
//! name when there are alternative names, and a wildcard matches one whole left-most
//! label only (no partial labels such as `w*.example.com`, no several labels).

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error, RootCertStore, SignatureScheme};

/// `X509_CHECK_FLAG_NO_WILDCARDS`: a wildcard certificate does not name any host.
pub const NO_WILDCARDS: u32 = 2;

/// A webpki verifier that also refuses wildcard certificates when the flags say so.
#[derive(Debug)]
pub struct HostNameRules {
    inner: Arc<WebPkiServerVerifier>,
    no_wildcards: bool,
}

impl HostNameRules {
    pub fn new(roots: Arc<RootCertStore>, flags: u32) -> Result<HostNameRules, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let inner = WebPkiServerVerifier::builder_with_provider(roots, provider)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(HostNameRules {
            inner,
            no_wildcards: flags & NO_WILDCARDS != 0,
        })
    }
}

/// A name that only a wildcard for `name`'s parent domain would cover: `name` with its
/// left-most label replaced. `None` for names with a single label or IP addresses.
fn sibling(name: &ServerName<'_>) -> Option<ServerName<'static>> {
    let ServerName::DnsName(dns) = name else {
        return None;
    };
    let (_, parent) = dns.as_ref().split_once('.')?;
    ServerName::try_from(format!("wildcard-probe--x.{parent}")).ok()
}

impl ServerCertVerifier for HostNameRules {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let verified = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )?;
        // webpki says whether a certificate is valid for a name, not how it matched. A
        // certificate that is also valid for a made-up sibling of the host matched it
        // through a wildcard.
        if self.no_wildcards
            && let Some(probe) = sibling(server_name)
            && self
                .inner
                .verify_server_cert(end_entity, intermediates, &probe, ocsp_response, now)
                .is_ok()
        {
            return Err(Error::InvalidCertificate(CertificateError::NotValidForName));
        }
        Ok(verified)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siblings_replace_the_left_most_label() {
        let name = ServerName::try_from("prov.example.com").unwrap();
        assert_eq!(
            sibling(&name),
            Some(ServerName::try_from("wildcard-probe--x.example.com").unwrap())
        );
        assert_eq!(sibling(&ServerName::try_from("localhost").unwrap()), None);
        assert_eq!(sibling(&ServerName::try_from("127.0.0.1").unwrap()), None);
    }
}
