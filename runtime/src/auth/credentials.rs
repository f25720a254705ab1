//! Secrets of the web server: random tokens, constant-time comparison, and where the
//! admin password comes from at start (given by the operator, or generated on a phone
//! that has none: no password works on every phone).

use std::fmt;
use std::path::{Path, PathBuf};

use deskphone_settings::{SettingError, SettingValues};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::store::write_atomic;

/// Characters of a generated password: letters and digits without the ones that are
/// easily confused when read off a small screen (0/O/o, 1/l/I, 5/S, 8/B, 2/Z).
const READABLE: &[u8] = b"abcdefghijkmnpqrtuvwxyzACDEFGHJKLMNPQRTUVWXY34679";
/// 12 of 49 characters: about 67 bits.
pub const GENERATED_LEN: usize = 12;

/// A secret string (a password): `Debug` prints `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error("the operating system's random source failed: {0}")]
    Random(getrandom::Error),
    #[error("the admin password is not valid: {0}")]
    Invalid(#[from] SettingError),
    #[error("the admin password must not be empty")]
    Empty,
    #[error("cannot read the admin password file {path}: {source}")]
    ReadFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// `n` bytes from the OS CSPRNG.
pub fn random_bytes(n: usize) -> Result<Vec<u8>, CredentialError> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(CredentialError::Random)?;
    Ok(bytes)
}

/// A random token of `n` bytes as lower-case hex (session ids, CSRF tokens, nonces).
pub fn random_token(n: usize) -> Result<String, CredentialError> {
    Ok(hex(&random_bytes(n)?))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new password of [`GENERATED_LEN`] readable characters, uniformly drawn (rejection
/// sampling: no modulo bias).
pub fn generate_password() -> Result<Secret, CredentialError> {
    let limit = 256 - 256 % READABLE.len();
    let mut out = String::with_capacity(GENERATED_LEN);
    while out.len() < GENERATED_LEN {
        for b in random_bytes(32)? {
            if (b as usize) < limit && out.len() < GENERATED_LEN {
                out.push(READABLE[b as usize % READABLE.len()] as char);
            }
        }
    }
    Ok(Secret(out))
}

/// Compares two secrets in time that depends on neither content nor length: both are
/// hashed first, then the digests are compared in constant time.
pub fn secrets_equal(a: &[u8], b: &[u8]) -> bool {
    let a = Sha256::digest(a);
    let b = Sha256::digest(b);
    a.ct_eq(&b).into()
}

/// A salted hash of a password, `salt:sha256(salt || password)` in hex: what the marker
/// files keep so that the password itself is stored only in `settings.json`.
fn salted_hash(password: &str) -> Result<String, CredentialError> {
    let salt = random_token(16)?;
    Ok(format!("{salt}:{}", hash_with(&salt, password)))
}

fn hash_with(salt: &str, password: &str) -> String {
    let mut d = Sha256::new();
    d.update(salt.as_bytes());
    d.update(password.as_bytes());
    hex(&d.finalize())
}

/// Whether `marker` (from [`salted_hash`]) is the hash of `password`.
fn marker_matches(marker: &str, password: &str) -> bool {
    match marker.trim().split_once(':') {
        Some((salt, hash)) => secrets_equal(hash_with(salt, password).as_bytes(), hash.as_bytes()),
        None => false,
    }
}

/// Where the operator gave an admin password, if at all.
#[derive(Debug)]
pub enum GivenPassword {
    /// `--admin-password` or `DESKPHONE_ADMIN_PASSWORD`.
    Value(Secret),
    /// `--admin-password-file`: the first line of the file.
    File(PathBuf),
}

impl GivenPassword {
    fn read(&self) -> Result<Secret, CredentialError> {
        let password = match self {
            GivenPassword::Value(s) => s.clone(),
            GivenPassword::File(path) => {
                let text =
                    std::fs::read_to_string(path).map_err(|source| CredentialError::ReadFile {
                        path: path.clone(),
                        source,
                    })?;
                Secret(text.lines().next().unwrap_or("").to_owned())
            }
        };
        if password.expose().is_empty() {
            return Err(CredentialError::Empty);
        }
        Ok(password)
    }
}

/// What [`settle_admin_password`] decided.
#[derive(Debug)]
pub struct Settled {
    /// The settings changed and must be saved before the phone starts.
    pub changed: bool,
    /// A password was generated just now: the caller prints it once.
    pub newly_generated: Option<Secret>,
    /// The admin password while it is still the generated one: the phone's own screen
    /// shows it.
    pub still_generated: Option<Secret>,
}

/// Marker files in the data folder (mode 0600, hashes only).
struct Markers {
    /// The hash of the password last applied from the operator (argv, env or file).
    applied: PathBuf,
    /// The hash of the generated password, while it is in use.
    generated: PathBuf,
}

impl Markers {
    fn new(data_dir: &Path) -> Markers {
        Markers {
            applied: data_dir.join("admin-password.applied"),
            generated: data_dir.join("admin-password.generated"),
        }
    }
}

fn write_marker(path: &Path, password: &str) -> Result<(), CredentialError> {
    write_atomic(path, salted_hash(password)?.as_bytes()).map_err(|source| CredentialError::Write {
        path: path.to_path_buf(),
        source,
    })
}

fn read_marker(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// Decides the admin password at start.
///
/// A password the operator gives is applied once, not on every start: the simulator's
/// reboot re-executes the program with the same arguments (and environment), and a
/// password changed in the web UI since must survive that. So the hash of the last
/// applied given password is kept, and a given password is applied only when it differs
/// from that one. (Stripping it from the arguments instead would not cover the
/// environment variable or the file, and would lose it for a later deliberate change.)
///
/// With no password given and none saved or provisioned, a random one is generated.
pub fn settle_admin_password(
    settings: &mut SettingValues,
    given: Option<&GivenPassword>,
    data_dir: &Path,
    model: &str,
) -> Result<Settled, CredentialError> {
    let markers = Markers::new(data_dir);
    let mut settled = Settled {
        changed: false,
        newly_generated: None,
        still_generated: None,
    };
    if let Some(given) = given {
        let password = given.read()?;
        let already =
            read_marker(&markers.applied).is_some_and(|m| marker_matches(&m, password.expose()));
        if !already {
            settings.set_admin_password(password.expose(), model)?;
            write_marker(&markers.applied, password.expose())?;
            settled.changed = true;
        }
    }
    let current = settings.web_credentials().admin_password;
    if current.is_empty() {
        let password = generate_password()?;
        settings.set_admin_password(password.expose(), model)?;
        write_marker(&markers.generated, password.expose())?;
        settled.changed = true;
        settled.newly_generated = Some(password.clone());
        settled.still_generated = Some(password);
    } else if read_marker(&markers.generated).is_some_and(|m| marker_matches(&m, &current)) {
        settled.still_generated = Some(Secret(current));
    } else {
        // Changed since it was generated (or never generated): nothing to show.
        let _ = std::fs::remove_file(&markers.generated);
    }
    Ok(settled)
}

/// Called when the saved admin password changes: a generated one is no longer shown.
pub fn forget_generated(data_dir: &Path) {
    let _ = std::fs::remove_file(Markers::new(data_dir).generated);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("deskphone-cred-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn generated_passwords_are_readable_and_differ() {
        let a = generate_password().unwrap();
        let b = generate_password().unwrap();
        assert_eq!(a.expose().len(), GENERATED_LEN);
        assert!(a.expose().bytes().all(|c| READABLE.contains(&c)));
        assert_ne!(a, b);
        assert_eq!(format!("{a:?}"), "***");
    }

    #[test]
    fn secrets_compare_by_content() {
        assert!(secrets_equal(b"abc", b"abc"));
        assert!(!secrets_equal(b"abc", b"abd"));
        assert!(!secrets_equal(b"abc", b"abcd"));
    }

    #[test]
    fn a_phone_without_password_generates_one_and_shows_it_until_changed() {
        let dir = temp_dir("generate");
        let mut settings = SettingValues::default();
        let first = settle_admin_password(&mut settings, None, &dir, "DP480C").unwrap();
        let generated = first.newly_generated.clone().unwrap();
        assert!(first.changed);
        assert_eq!(
            settings.web_credentials().admin_password,
            generated.expose()
        );
        // The next start: the same password, still shown, not announced again.
        let second = settle_admin_password(&mut settings, None, &dir, "DP480C").unwrap();
        assert!(!second.changed);
        assert!(second.newly_generated.is_none());
        assert_eq!(second.still_generated, Some(generated));
        // Changed by the admin: no longer shown.
        settings
            .set_admin_password("chosen-by-admin", "DP480C")
            .unwrap();
        let third = settle_admin_password(&mut settings, None, &dir, "DP480C").unwrap();
        assert!(third.still_generated.is_none());
        // The marker holds a hash, never the password.
        for entry in std::fs::read_dir(&dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
            assert!(!text.contains("chosen-by-admin"));
        }
    }

    #[test]
    fn a_given_password_is_applied_once_not_on_every_start() {
        let dir = temp_dir("given");
        let mut settings = SettingValues::default();
        let given = GivenPassword::Value(Secret::new("from-argv-1"));
        let first = settle_admin_password(&mut settings, Some(&given), &dir, "DP480C").unwrap();
        assert!(first.changed && first.newly_generated.is_none());
        assert_eq!(settings.web_credentials().admin_password, "from-argv-1");
        // Changed in the web UI, then a reboot with the same arguments: kept.
        settings
            .set_admin_password("changed-in-ui", "DP480C")
            .unwrap();
        let again = settle_admin_password(&mut settings, Some(&given), &dir, "DP480C").unwrap();
        assert!(!again.changed);
        assert_eq!(settings.web_credentials().admin_password, "changed-in-ui");
        // A different given password is applied.
        let other = GivenPassword::Value(Secret::new("from-argv-2"));
        settle_admin_password(&mut settings, Some(&other), &dir, "DP480C").unwrap();
        assert_eq!(settings.web_credentials().admin_password, "from-argv-2");
    }

    #[test]
    fn an_empty_given_password_is_an_error_and_changes_nothing() {
        let dir = temp_dir("empty");
        let path = dir.join("pw");
        std::fs::write(&path, "\n").unwrap();
        let mut settings = SettingValues::default();
        let err = settle_admin_password(
            &mut settings,
            Some(&GivenPassword::File(path)),
            &dir,
            "DP480C",
        )
        .unwrap_err();
        assert!(matches!(err, CredentialError::Empty));
        assert_eq!(settings, SettingValues::default());
    }
}
