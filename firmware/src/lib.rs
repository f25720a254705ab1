//! The firmware image format (F1, F2): a signed manifest followed by the payload.
//!
//! ```text
//! "DPFWIMG1" | manifest length (u32, big-endian) | manifest (JSON) | signature (64) | payload
//! ```
//!
//! The Ed25519 signature covers a domain tag and the manifest's exact bytes; the
//! manifest names the payload's size and SHA256, so a verified manifest vouches for
//! the payload once its hash matches. The header (everything before the payload) is
//! small and comes first, so a phone checks the signature, the model and the version
//! rules before it downloads the payload, and hashes the payload while it arrives
//! ([`PayloadCheck`]). This crate does no IO: it takes bytes and returns verdicts.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use semver::Version;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use ed25519_dalek;
pub use semver;

/// The first bytes of every image.
pub const MAGIC: &[u8; 8] = b"DPFWIMG1";
/// A manifest is a few hundred bytes; more is not an image of ours.
pub const MAX_MANIFEST_BYTES: usize = 16 * 1024;
/// What the signature covers besides the manifest: a signature made for something
/// else with the same key never passes as a firmware signature.
const SIGNATURE_DOMAIN: &[u8] = b"deskphone firmware manifest v1\0";
const SIGNATURE_LEN: usize = 64;

/// The public half of the project's development signing key, built into every
/// binary. A product replaces this file with its release key's public half; the
/// private half of a release key never enters the repository.
pub const BUILD_PUBLIC_KEY_HEX: &str = include_str!("../keys/dev-firmware.pub");

/// What an image is and where it may be installed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The phone model the image is for, e.g. `DP480C`.
    pub model: String,
    pub version: Version,
    pub payload_size: u64,
    /// Lower-case hex.
    pub payload_sha256: String,
    /// The oldest version this image may be installed over; also the oldest version
    /// a phone running this image may go back to (F2: below it the update path
    /// would dead-lock).
    pub minimum: Version,
    /// The version to install first when the running one is below `minimum`.
    #[serde(default)]
    pub intermediate: Option<Version>,
    /// Where the `intermediate` image is, resolved against the URL of the image being
    /// installed (usually a file name beside it). With it a phone installs the
    /// intermediate first and then this image by itself (F2); without it the refusal
    /// names the version to install first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intermediate_url: Option<String>,
    /// Add-on packages that fit this firmware, each with the exact version it must have.
    #[serde(default)]
    pub addons: Vec<AddonCompat>,
}

/// One add-on package this firmware accepts (F4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddonCompat {
    pub name: String,
    pub version: Version,
}

/// The firmware a phone runs, as far as the version rules care.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Running {
    pub version: Version,
    pub minimum: Version,
    pub intermediate: Option<Version>,
    /// Where the intermediate for going below `minimum` is ([`Manifest::intermediate_url`]).
    pub intermediate_url: Option<String>,
}

impl Running {
    /// What a manifest says about the firmware it describes once it runs.
    pub fn from_manifest(manifest: &Manifest) -> Running {
        Running {
            version: manifest.version.clone(),
            minimum: manifest.minimum.clone(),
            intermediate: manifest.intermediate.clone(),
            intermediate_url: manifest.intermediate_url.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("not a firmware image: it does not start with the image marker")]
    NotAnImage,
    #[error("the image ends inside its header ({0} bytes)")]
    HeaderTruncated(usize),
    #[error("the manifest is {0} bytes, more than the {MAX_MANIFEST_BYTES} an image may have")]
    ManifestTooLarge(usize),
    #[error("the manifest is not valid: {0}")]
    BadManifest(String),
    #[error(
        "the signature does not verify: the image is not signed with this phone's firmware key, or it was altered"
    )]
    BadSignature,
    #[error("the image is for the {image}, this phone is a {phone}")]
    WrongModel { image: String, phone: String },
    #[error(
        "version {} needs version {} or later to be running (this phone runs {}): install {} first",
        .0.image, .0.minimum, .0.running, .0.install
    )]
    RunningTooOld(Box<VersionRefusal>),
    #[error(
        "version {} is below {}, the oldest version firmware {} may go back to: install {} first",
        .0.image, .0.minimum, .0.running, .0.install
    )]
    BelowMinimum(Box<VersionRefusal>),
    #[error("the payload is larger than the {expected} bytes its manifest names")]
    PayloadTooLarge { expected: u64 },
    #[error("the payload is {got} bytes, its manifest names {expected}: the image is truncated")]
    Truncated { got: u64, expected: u64 },
    #[error("the payload's SHA256 is {got}, its manifest names {expected}")]
    HashMismatch { got: String, expected: String },
    #[error("a signing or verifying key is 32 bytes in hex: {0}")]
    BadKey(String),
}

/// Why the version rules refuse an image, and what to install first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionRefusal {
    pub image: Version,
    pub minimum: Version,
    pub running: Version,
    /// The version to install first.
    pub install: Version,
    /// Where its image is, when the manifest that names it says so.
    pub install_url: Option<String>,
}

/// A parsed, not yet verified header.
#[derive(Clone, Debug)]
pub struct Header {
    pub manifest: Manifest,
    manifest_bytes: Vec<u8>,
    signature: Signature,
    /// Bytes from the image's start to the payload.
    pub len: usize,
}

impl Header {
    /// Reads the header from the start of an image. `Ok(None)`: `prefix` is too short
    /// yet to tell; feed more bytes.
    pub fn parse(prefix: &[u8]) -> Result<Option<Header>, ImageError> {
        let magic_len = MAGIC.len().min(prefix.len());
        if prefix[..magic_len] != MAGIC[..magic_len] {
            return Err(ImageError::NotAnImage);
        }
        let Some(len_bytes) = prefix.get(MAGIC.len()..MAGIC.len() + 4) else {
            return Ok(None);
        };
        let manifest_len = u32::from_be_bytes(len_bytes.try_into().unwrap_or_default()) as usize;
        if manifest_len > MAX_MANIFEST_BYTES {
            return Err(ImageError::ManifestTooLarge(manifest_len));
        }
        let start = MAGIC.len() + 4;
        let len = start + manifest_len + SIGNATURE_LEN;
        if prefix.len() < len {
            return Ok(None);
        }
        let manifest_bytes = prefix[start..start + manifest_len].to_vec();
        let signature_bytes: [u8; SIGNATURE_LEN] = prefix[start + manifest_len..len]
            .try_into()
            .map_err(|_| ImageError::HeaderTruncated(prefix.len()))?;
        let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
            .map_err(|e| ImageError::BadManifest(e.to_string()))?;
        Ok(Some(Header {
            manifest,
            manifest_bytes,
            signature: Signature::from_bytes(&signature_bytes),
            len,
        }))
    }

    /// Checks the signature, then that the image fits this phone: its model and the
    /// version rules of both the image and the running firmware.
    pub fn verify(
        &self,
        key: &VerifyingKey,
        model: &str,
        running: &Running,
    ) -> Result<&Manifest, ImageError> {
        key.verify(&signed_message(&self.manifest_bytes), &self.signature)
            .map_err(|_| ImageError::BadSignature)?;
        let manifest = &self.manifest;
        if manifest.model != model {
            return Err(ImageError::WrongModel {
                image: manifest.model.clone(),
                phone: model.to_owned(),
            });
        }
        check_versions(running, manifest)?;
        Ok(manifest)
    }

    /// Checks the signature and the model only: network recovery (F2) installs the
    /// operator's known-good image on a phone whose firmware cannot start, where the
    /// version rules (which protect a running firmware's way forward) do not apply.
    pub fn verify_for_recovery(
        &self,
        key: &VerifyingKey,
        model: &str,
    ) -> Result<&Manifest, ImageError> {
        key.verify(&signed_message(&self.manifest_bytes), &self.signature)
            .map_err(|_| ImageError::BadSignature)?;
        if self.manifest.model != model {
            return Err(ImageError::WrongModel {
                image: self.manifest.model.clone(),
                phone: model.to_owned(),
            });
        }
        Ok(&self.manifest)
    }
}

/// The version rules (F2). The image says which versions it may be installed over;
/// the running firmware says how far back a phone may go without losing the way
/// forward. Either refusal names the version to install first.
pub fn check_versions(running: &Running, image: &Manifest) -> Result<(), ImageError> {
    if running.version < image.minimum {
        return Err(ImageError::RunningTooOld(Box::new(VersionRefusal {
            image: image.version.clone(),
            minimum: image.minimum.clone(),
            running: running.version.clone(),
            install: image
                .intermediate
                .clone()
                .unwrap_or_else(|| image.minimum.clone()),
            install_url: image
                .intermediate
                .as_ref()
                .and(image.intermediate_url.clone()),
        })));
    }
    if image.version < running.minimum {
        return Err(ImageError::BelowMinimum(Box::new(VersionRefusal {
            image: image.version.clone(),
            minimum: running.minimum.clone(),
            running: running.version.clone(),
            install: running
                .intermediate
                .clone()
                .unwrap_or_else(|| running.minimum.clone()),
            install_url: running
                .intermediate
                .as_ref()
                .and(running.intermediate_url.clone()),
        })));
    }
    Ok(())
}

/// Checks a payload while it arrives: never more than the manifest's size, and at
/// the end exactly that size and hash.
#[derive(Clone, Debug)]
pub struct PayloadCheck {
    expected_size: u64,
    expected_sha256: String,
    seen: u64,
    hasher: Sha256,
}

impl PayloadCheck {
    pub fn new(manifest: &Manifest) -> PayloadCheck {
        PayloadCheck {
            expected_size: manifest.payload_size,
            expected_sha256: manifest.payload_sha256.to_ascii_lowercase(),
            seen: 0,
            hasher: Sha256::new(),
        }
    }

    /// Payload bytes so far.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    pub fn update(&mut self, bytes: &[u8]) -> Result<(), ImageError> {
        let seen = self.seen + bytes.len() as u64;
        if seen > self.expected_size {
            return Err(ImageError::PayloadTooLarge {
                expected: self.expected_size,
            });
        }
        self.seen = seen;
        self.hasher.update(bytes);
        Ok(())
    }

    pub fn finish(self) -> Result<(), ImageError> {
        if self.seen != self.expected_size {
            return Err(ImageError::Truncated {
                got: self.seen,
                expected: self.expected_size,
            });
        }
        let got = hex(&self.hasher.finalize());
        if got != self.expected_sha256 {
            return Err(ImageError::HashMismatch {
                got,
                expected: self.expected_sha256,
            });
        }
        Ok(())
    }
}

/// Checks a whole image held in memory; returns its manifest and payload.
pub fn verify_image<'a>(
    image: &'a [u8],
    key: &VerifyingKey,
    model: &str,
    running: &Running,
) -> Result<(Manifest, &'a [u8]), ImageError> {
    let header = Header::parse(image)?.ok_or(ImageError::HeaderTruncated(image.len()))?;
    let manifest = header.verify(key, model, running)?.clone();
    let payload = &image[header.len..];
    let mut check = PayloadCheck::new(&manifest);
    check.update(payload)?;
    check.finish()?;
    Ok((manifest, payload))
}

/// What a release names; the payload's size and hash are filled in by [`build_image`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    pub model: String,
    pub version: Version,
    pub minimum: Version,
    pub intermediate: Option<Version>,
    pub intermediate_url: Option<String>,
    pub addons: Vec<AddonCompat>,
}

/// The manifest of `payload` in `release`.
pub fn manifest_for(release: &Release, payload: &[u8]) -> Manifest {
    Manifest {
        model: release.model.clone(),
        version: release.version.clone(),
        payload_size: payload.len() as u64,
        payload_sha256: sha256_hex(payload),
        minimum: release.minimum.clone(),
        intermediate: release.intermediate.clone(),
        intermediate_url: release.intermediate_url.clone(),
        addons: release.addons.clone(),
    }
}

/// The signed header of an image with `manifest`; the payload follows it.
pub fn sign_header(manifest: &Manifest, key: &SigningKey) -> Vec<u8> {
    // Serialising our own struct cannot fail.
    let manifest_bytes = serde_json::to_vec(manifest).unwrap_or_default();
    let signature = key.sign(&signed_message(&manifest_bytes));
    let mut out = Vec::with_capacity(MAGIC.len() + 4 + manifest_bytes.len() + SIGNATURE_LEN);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(manifest_bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(&manifest_bytes);
    out.extend_from_slice(&signature.to_bytes());
    out
}

/// A complete signed image of `payload`.
pub fn build_image(release: &Release, payload: &[u8], key: &SigningKey) -> (Manifest, Vec<u8>) {
    let manifest = manifest_for(release, payload);
    let mut image = sign_header(&manifest, key);
    image.extend_from_slice(payload);
    (manifest, image)
}

fn signed_message(manifest_bytes: &[u8]) -> Vec<u8> {
    [SIGNATURE_DOMAIN, manifest_bytes].concat()
}

/// The key every build trusts ([`BUILD_PUBLIC_KEY_HEX`]).
pub fn build_verifying_key() -> Result<VerifyingKey, ImageError> {
    verifying_key_from_hex(BUILD_PUBLIC_KEY_HEX)
}

pub fn verifying_key_from_hex(text: &str) -> Result<VerifyingKey, ImageError> {
    VerifyingKey::from_bytes(&key_bytes(text)?).map_err(|e| ImageError::BadKey(e.to_string()))
}

/// A signing key from its 32-byte seed in hex (the xtask and the tests read the
/// development key this way).
pub fn signing_key_from_hex(text: &str) -> Result<SigningKey, ImageError> {
    Ok(SigningKey::from_bytes(&key_bytes(text)?))
}

fn key_bytes(text: &str) -> Result<[u8; 32], ImageError> {
    let text = text.trim();
    if text.len() != 64 || !text.is_ascii() {
        return Err(ImageError::BadKey(format!("{} characters", text.len())));
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16)
            .map_err(|_| ImageError::BadKey("not hex".into()))?;
    }
    Ok(out)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One line of the table a release page publishes per model.
pub fn release_table_line(model: &str, file_name: &str, size: u64, sha256: &str) -> String {
    format!("| {model} | {file_name} | {size} | {sha256} |")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEST_KEY: &str = include_str!("../../tests/keys/dev-firmware-signing.key");

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn release(version: &str, minimum: &str) -> Release {
        Release {
            model: "DP480C".into(),
            version: v(version),
            minimum: v(minimum),
            intermediate: None,
            intermediate_url: None,
            addons: vec![],
        }
    }

    fn running(version: &str, minimum: &str) -> Running {
        Running {
            version: v(version),
            minimum: v(minimum),
            intermediate: None,
            intermediate_url: None,
        }
    }

    fn key() -> SigningKey {
        signing_key_from_hex(TEST_KEY).unwrap()
    }

    fn check(image: &[u8]) -> Result<(Manifest, &[u8]), ImageError> {
        verify_image(
            image,
            &build_verifying_key().unwrap(),
            "DP480C",
            &running("1.0.0", "0.0.0"),
        )
    }

    #[test]
    fn the_committed_public_key_is_the_test_keys_public_half() {
        assert_eq!(key().verifying_key(), build_verifying_key().unwrap());
    }

    #[test]
    fn a_good_image_verifies_and_yields_its_payload() {
        let (manifest, image) = build_image(&release("1.1.0", "1.0.0"), b"payload", &key());
        let (got, payload) = check(&image).unwrap();
        assert_eq!(got, manifest);
        assert_eq!(payload, b"payload");
        assert_eq!(manifest.payload_size, 7);
    }

    #[test]
    fn the_header_is_read_incrementally() {
        let (_, image) = build_image(&release("1.1.0", "1.0.0"), b"payload", &key());
        let header = Header::parse(&image).unwrap().unwrap();
        for n in 0..header.len {
            assert!(Header::parse(&image[..n]).unwrap().is_none(), "{n}");
        }
        assert_eq!(&image[header.len..], b"payload");
    }

    #[test]
    fn refuses_what_is_not_an_image() {
        assert_eq!(
            Header::parse(b"<html>").unwrap_err(),
            ImageError::NotAnImage
        );
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(&(1u32 << 30).to_be_bytes());
        assert_eq!(
            Header::parse(&huge).unwrap_err(),
            ImageError::ManifestTooLarge(1 << 30)
        );
        let mut garbage = MAGIC.to_vec();
        garbage.extend_from_slice(&2u32.to_be_bytes());
        garbage.extend_from_slice(b"{]");
        garbage.extend_from_slice(&[0; 64]);
        assert!(matches!(
            Header::parse(&garbage),
            Err(ImageError::BadManifest(_))
        ));
    }

    #[test]
    fn refuses_a_bad_signature() {
        let (_, mut image) = build_image(&release("1.1.0", "1.0.0"), b"payload", &key());
        let header_len = Header::parse(&image).unwrap().unwrap().len;
        image[header_len - 1] ^= 1;
        assert_eq!(check(&image).unwrap_err(), ImageError::BadSignature);
        // Another key's signature.
        let other = SigningKey::from_bytes(&[7; 32]);
        let (_, image) = build_image(&release("1.1.0", "1.0.0"), b"payload", &other);
        assert_eq!(check(&image).unwrap_err(), ImageError::BadSignature);
    }

    #[test]
    fn refuses_an_altered_manifest() {
        let (_, image) = build_image(&release("1.1.0", "1.0.0"), b"payload", &key());
        let text = String::from_utf8_lossy(&image).into_owned();
        assert!(text.contains("1.1.0"));
        let altered = image
            .windows(5)
            .position(|w| w == b"1.1.0")
            .map(|at| {
                let mut copy = image.clone();
                copy[at..at + 5].copy_from_slice(b"9.1.0");
                copy
            })
            .unwrap();
        assert_eq!(check(&altered).unwrap_err(), ImageError::BadSignature);
    }

    #[test]
    fn refuses_another_model() {
        let mut r = release("1.1.0", "1.0.0");
        r.model = "DP128M".into();
        let (_, image) = build_image(&r, b"payload", &key());
        let err = check(&image).unwrap_err();
        assert_eq!(
            err,
            ImageError::WrongModel {
                image: "DP128M".into(),
                phone: "DP480C".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "the image is for the DP128M, this phone is a DP480C"
        );
    }

    #[test]
    fn refuses_a_truncated_or_overlong_payload() {
        let (_, image) = build_image(&release("1.1.0", "1.0.0"), b"payload", &key());
        assert_eq!(
            check(&image[..image.len() - 2]).unwrap_err(),
            ImageError::Truncated {
                got: 5,
                expected: 7
            }
        );
        let mut longer = image.clone();
        longer.push(b'!');
        assert_eq!(
            check(&longer).unwrap_err(),
            ImageError::PayloadTooLarge { expected: 7 }
        );
        assert!(matches!(
            check(&image[..20]),
            Err(ImageError::HeaderTruncated(20))
        ));
    }

    #[test]
    fn refuses_a_payload_whose_hash_differs() {
        let (manifest, image) = build_image(&release("1.1.0", "1.0.0"), b"payload", &key());
        let mut swapped = image.clone();
        let n = swapped.len();
        swapped[n - 1] = b'X';
        let err = check(&swapped).unwrap_err();
        assert_eq!(
            err,
            ImageError::HashMismatch {
                got: sha256_hex(b"payloaX"),
                expected: manifest.payload_sha256
            }
        );
        assert!(err.to_string().contains("SHA256"));
    }

    #[test]
    fn refuses_an_image_that_needs_a_newer_running_version() {
        let mut r = release("3.0.0", "2.0.0");
        r.intermediate = Some(v("2.1.0"));
        let (_, image) = build_image(&r, b"payload", &key());
        let err = check(&image).unwrap_err();
        assert_eq!(
            err.to_string(),
            "version 3.0.0 needs version 2.0.0 or later to be running (this phone runs 1.0.0): install 2.1.0 first"
        );
    }

    #[test]
    fn refuses_a_downgrade_below_the_running_minimum_naming_the_intermediate() {
        let (manifest, _) = build_image(&release("0.5.0", "0.0.0"), b"p", &key());
        let runs = Running {
            version: v("2.0.0"),
            minimum: v("1.0.0"),
            intermediate: Some(v("1.2.0")),
            intermediate_url: None,
        };
        let err = check_versions(&runs, &manifest).unwrap_err();
        assert_eq!(
            err,
            ImageError::BelowMinimum(Box::new(VersionRefusal {
                image: v("0.5.0"),
                minimum: v("1.0.0"),
                running: v("2.0.0"),
                install: v("1.2.0"),
                install_url: None
            }))
        );
        assert!(err.to_string().contains("install 1.2.0 first"), "{err}");
        // A downgrade that stays at or above the minimum is allowed.
        let (manifest, _) = build_image(&release("1.0.0", "0.0.0"), b"p", &key());
        assert_eq!(check_versions(&runs, &manifest), Ok(()));
    }

    #[test]
    fn keys_must_be_32_hex_bytes() {
        assert!(matches!(
            signing_key_from_hex("abcd"),
            Err(ImageError::BadKey(_))
        ));
        assert!(matches!(
            verifying_key_from_hex(&"zz".repeat(32)),
            Err(ImageError::BadKey(_))
        ));
    }
}
