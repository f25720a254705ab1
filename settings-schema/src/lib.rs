//! Every setting of the phone, defined once.
//!
//! Architecture invariant: this crate does no IO and compiles for wasm32 and
//! native. A setting name as used in provisioning files (`user_realname`,
//! `language`, …) appears as a string literal only in [`SETTINGS`]. Forms in
//! the web UI, validation in the runtime, provisioning parsing and the
//! generated documentation all read this table.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

mod function_keys;
pub mod models;
mod provenance;
pub mod web_access;

pub use function_keys::{FUNCTION_KEYS, FunctionKey};
pub use provenance::{Access, BadPerm, Perm, Source};

/// What values a setting takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Free text up to `max_len` characters (Unicode scalar values).
    Text { max_len: usize },
    /// An integer in `min..=max`.
    Int { min: i64, max: i64 },
    /// `on` or `off` (provisioning files also send `true`/`false`, `1`/`0`).
    Bool,
    /// One of a fixed list of values, spelled exactly as in provisioning files.
    Choice(&'static [&'static str]),
    /// A host name or IP address, optionally with `:port`; empty allowed.
    Host,
    /// A list of SIP final responses, `503, 500 Server Internal Error, 408`: each a status
    /// code, optionally with a reason phrase; separated by commas (or by `|`, as Snom
    /// firmware writes it); empty for none.
    SipResponses { max_len: usize },
}

/// Which web UI page shows a setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Page {
    Identity,
    Preferences,
    FunctionKeys,
}

impl Page {
    pub const ALL: &'static [Page] = &[Page::Identity, Page::Preferences, Page::FunctionKeys];

    /// Stable id, used in URLs and translation ids.
    pub fn id(self) -> &'static str {
        match self {
            Page::Identity => "identity",
            Page::Preferences => "preferences",
            Page::FunctionKeys => "function-keys",
        }
    }
}

/// Which phone models have a setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Models {
    All,
    Only(&'static [&'static str]),
}

/// One setting's definition.
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    /// The name used in provisioning files and on the wire.
    pub name: &'static str,
    pub kind: Kind,
    pub default: &'static str,
    /// `Some(n)` for per-identity settings with indices `1..=n`.
    pub indexed: Option<u16>,
    /// Secrets are write-only: never returned by the API, UI, exports or logs.
    pub secret: bool,
    pub page: Page,
    pub models: Models,
}

/// Number of identities (SIP accounts) a phone has.
pub const IDENTITIES: u16 = 12;

/// The table. Order is the order of fields on each page.
pub const SETTINGS: &[Setting] = &[
    Setting {
        name: "user_active",
        kind: Kind::Bool,
        default: "off",
        indexed: Some(IDENTITIES),
        secret: false,
        page: Page::Identity,
        models: Models::All,
    },
    Setting {
        name: "user_realname",
        kind: Kind::Text { max_len: 64 },
        default: "",
        indexed: Some(IDENTITIES),
        secret: false,
        page: Page::Identity,
        models: Models::All,
    },
    Setting {
        name: "user_name",
        kind: Kind::Text { max_len: 64 },
        default: "",
        indexed: Some(IDENTITIES),
        secret: false,
        page: Page::Identity,
        models: Models::All,
    },
    Setting {
        name: "user_host",
        kind: Kind::Host,
        default: "",
        indexed: Some(IDENTITIES),
        secret: false,
        page: Page::Identity,
        models: Models::All,
    },
    Setting {
        name: "user_pname",
        kind: Kind::Text { max_len: 64 },
        default: "",
        indexed: Some(IDENTITIES),
        secret: false,
        page: Page::Identity,
        models: Models::All,
    },
    Setting {
        name: "user_pass",
        kind: Kind::Text { max_len: 128 },
        default: "",
        indexed: Some(IDENTITIES),
        secret: true,
        page: Page::Identity,
        models: Models::All,
    },
    Setting {
        name: "user_outbound",
        kind: Kind::Host,
        default: "",
        indexed: Some(IDENTITIES),
        secret: false,
        page: Page::Identity,
        models: Models::All,
    },
    // Seconds; RFC 3261 §10.2.1.1 suggests 3600, which vendors also ship.
    Setting {
        name: "user_expiry",
        kind: Kind::Int {
            min: 60,
            max: 604_800,
        },
        default: "3600",
        indexed: Some(IDENTITIES),
        secret: false,
        page: Page::Identity,
        models: Models::All,
    },
    // Seconds until a failed registration is tried again, for every identity (S1).
    Setting {
        name: "retry_after_failed_register",
        kind: Kind::Int {
            min: 10,
            max: 86_400,
        },
        default: "300",
        indexed: None,
        secret: false,
        page: Page::Identity,
        models: Models::All,
    },
    // S2: final responses after which a request tries the server's next address (RFC 3263
    // §4.3); for INVITE and other requests, and for REGISTER. RFC 3263 §4.3 names 503;
    // Snom and Gigaset firmware ship these settings empty (pipe-separated there).
    Setting {
        name: "sip_failover_response",
        kind: Kind::SipResponses { max_len: 256 },
        default: "503",
        indexed: None,
        secret: false,
        page: Page::Identity,
        models: Models::All,
    },
    Setting {
        name: "sip_failover_response_reg",
        kind: Kind::SipResponses { max_len: 256 },
        default: "503",
        indexed: None,
        secret: false,
        page: Page::Identity,
        models: Models::All,
    },
    // M1: DTMF in SIP INFO (`application/dtmf-relay`), per identity: `on` sends INFO as well
    // as RFC 4733 events, `sip_info_only` INFO alone (the vendor's spelling of the values).
    Setting {
        name: "user_dtmf_info",
        kind: Kind::Choice(&["off", "on", "sip_info_only"]),
        default: "off",
        indexed: Some(IDENTITIES),
        secret: false,
        page: Page::Identity,
        models: Models::All,
    },
    // C1: the transfer key with a held and a connected call: `always` transfers at once;
    // `off` and `on` first show the destination and transfer on the second press; `on`
    // also transfers when the handset is put down with a held and a connected call.
    Setting {
        name: "call_join_xfer",
        kind: Kind::Choice(&["off", "on", "always"]),
        default: "off",
        indexed: None,
        secret: false,
        page: Page::Preferences,
        models: Models::All,
    },
    // C1: which held call an attended transfer connects to: the last one held (on) or the
    // first (off).
    Setting {
        name: "xfer_dest_order_lifo",
        kind: Kind::Bool,
        default: "off",
        indexed: None,
        secret: false,
        page: Page::Preferences,
        models: Models::All,
    },
    Setting {
        name: "language",
        kind: Kind::Choice(&["English", "Deutsch"]),
        default: "English",
        indexed: None,
        secret: false,
        page: Page::Preferences,
        models: Models::All,
    },
    Setting {
        name: "timezone",
        kind: Kind::Text { max_len: 64 },
        default: "UTC",
        indexed: None,
        secret: false,
        page: Page::Preferences,
        models: Models::All,
    },
    // S8: text messages (SIP MESSAGE) pop up on the idle screen; over a call only when
    // this allows it, as on the vendor's firmware (off there too).
    Setting {
        name: "show_desktop_msg_in_call_screens",
        kind: Kind::Bool,
        default: "off",
        indexed: None,
        secret: false,
        page: Page::Preferences,
        models: Models::All,
    },
    // S7: subscribe to the identity's own message summary (RFC 3842) for the message
    // waiting lamp. Unsolicited NOTIFYs are taken either way.
    Setting {
        name: "user_mwi_subscribe",
        kind: Kind::Bool,
        default: "off",
        indexed: Some(IDENTITIES),
        secret: false,
        page: Page::Identity,
        models: Models::All,
    },
    // Function keys P1..Pn as the vendor writes them: `line`, `blf <sip:bob@pbx>`,
    // `presence <sip:bob@pbx>`, `speed 123`, `dest sip:123@pbx`; empty is a line key.
    Setting {
        name: "fkey",
        kind: Kind::Text { max_len: 256 },
        default: "",
        indexed: Some(FUNCTION_KEYS),
        secret: false,
        page: Page::FunctionKeys,
        models: Models::All,
    },
    // R3: the web server's credentials (HTTP Basic/Digest and the login form). Read only
    // through `web_access`. An empty `http_pass` makes the runtime generate one at start.
    Setting {
        name: "http_user",
        kind: Kind::Text { max_len: 64 },
        default: "admin",
        indexed: None,
        secret: false,
        page: Page::Preferences,
        models: Models::All,
    },
    Setting {
        name: "http_pass",
        kind: Kind::Text { max_len: 128 },
        default: "",
        indexed: None,
        secret: true,
        page: Page::Preferences,
        models: Models::All,
    },
    // The user role: keys, dialling and the settings `web_access::user_may_edit` allows.
    // An empty `http_user_pass` turns the role off.
    Setting {
        name: "http_user_user",
        kind: Kind::Text { max_len: 64 },
        default: "user",
        indexed: None,
        secret: false,
        page: Page::Preferences,
        models: Models::All,
    },
    Setting {
        name: "http_user_pass",
        kind: Kind::Text { max_len: 128 },
        default: "",
        indexed: None,
        secret: true,
        page: Page::Preferences,
        models: Models::All,
    },
];

/// Looks up a setting by name.
pub fn setting(name: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.name == name)
}

/// A setting with its index, as it appears in provisioning files
/// (`<user_name idx="1">`) and on the wire (`user_name[1]`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SettingKey {
    pub name: String,
    pub idx: Option<u16>,
}

impl SettingKey {
    pub fn new(name: &str, idx: Option<u16>) -> Self {
        SettingKey {
            name: name.to_owned(),
            idx,
        }
    }

    /// Reads `name` or `name[idx]`.
    pub fn parse(s: &str) -> Result<Self, SettingError> {
        match s.split_once('[') {
            None => Ok(SettingKey::new(s, None)),
            Some((name, rest)) => {
                let idx = rest
                    .strip_suffix(']')
                    .and_then(|n| n.parse::<u16>().ok())
                    .ok_or_else(|| SettingError::BadKey(s.to_owned()))?;
                Ok(SettingKey::new(name, Some(idx)))
            }
        }
    }
}

impl fmt::Display for SettingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.idx {
            Some(i) => write!(f, "{}[{}]", self.name, i),
            None => f.write_str(&self.name),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SettingError {
    #[error("unknown setting `{0}`")]
    Unknown(String),
    #[error("`{0}` is not a setting key (expected `name` or `name[index]`)")]
    BadKey(String),
    #[error("`{name}` needs an index from 1 to {max}")]
    BadIndex { name: String, max: u16 },
    #[error("`{name}` takes no index")]
    UnexpectedIndex { name: String },
    #[error("`{name}` is longer than {max} characters")]
    TooLong { name: String, max: usize },
    #[error("`{name}` must be a whole number from {min} to {max}, not `{value}`")]
    OutOfRange {
        name: String,
        value: String,
        min: i64,
        max: i64,
    },
    #[error("`{name}` must be one of {allowed}, not `{value}`")]
    NotAChoice {
        name: String,
        value: String,
        allowed: String,
    },
    #[error("`{name}` must be on or off, not `{value}`")]
    NotABool { name: String, value: String },
    #[error("`{name}` must be a host name or address, not `{value}`")]
    BadHost { name: String, value: String },
    #[error("`{name}` must list SIP final responses like `503, 500 Server Internal Error`: {why}")]
    BadResponseList { name: String, why: String },
    #[error("`{name}` contains a control character")]
    ControlCharacter { name: String },
    #[error("`{name}` is not available on model {model}")]
    NotOnModel { name: String, model: String },
}

impl Setting {
    pub fn available_on(&self, model: &str) -> bool {
        match self.models {
            Models::All => true,
            Models::Only(list) => list.contains(&model),
        }
    }

    /// Checks a value and returns its canonical spelling (e.g. `true` → `on`).
    pub fn validate(&self, value: &str) -> Result<String, SettingError> {
        let name = || self.name.to_owned();
        if value.chars().any(char::is_control) {
            return Err(SettingError::ControlCharacter { name: name() });
        }
        match self.kind {
            Kind::Text { max_len } => {
                if value.chars().count() > max_len {
                    return Err(SettingError::TooLong {
                        name: name(),
                        max: max_len,
                    });
                }
                Ok(value.to_owned())
            }
            Kind::Int { min, max } => match value.trim().parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n.to_string()),
                _ => Err(SettingError::OutOfRange {
                    name: name(),
                    value: value.to_owned(),
                    min,
                    max,
                }),
            },
            Kind::Bool => match value.trim() {
                "on" | "true" | "1" => Ok("on".into()),
                "off" | "false" | "0" => Ok("off".into()),
                _ => Err(SettingError::NotABool {
                    name: name(),
                    value: value.to_owned(),
                }),
            },
            Kind::Choice(list) => list
                .iter()
                .find(|c| **c == value)
                .map(|c| (*c).to_owned())
                .ok_or_else(|| SettingError::NotAChoice {
                    name: name(),
                    value: value.to_owned(),
                    allowed: list.join(", "),
                }),
            Kind::SipResponses { max_len } => {
                if value.chars().count() > max_len {
                    return Err(SettingError::TooLong {
                        name: name(),
                        max: max_len,
                    });
                }
                let list = parse_sip_responses(value)
                    .map_err(|why| SettingError::BadResponseList { name: name(), why })?;
                Ok(list
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "))
            }
            Kind::Host => {
                if value.is_empty() || is_host(value) {
                    Ok(value.to_owned())
                } else {
                    Err(SettingError::BadHost {
                        name: name(),
                        value: value.to_owned(),
                    })
                }
            }
        }
    }
}

/// One entry of a [`Kind::SipResponses`] setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SipResponse {
    /// A final status code, 300 to 699.
    pub code: u16,
    /// The reason phrase that must come with it, or `None` for any.
    pub reason: Option<String>,
}

impl fmt::Display for SipResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            Some(r) => write!(f, "{} {r}", self.code),
            None => write!(f, "{}", self.code),
        }
    }
}

/// Reads `503, 500 Server Internal Error, 408` (or `|`-separated): a final status code
/// (RFC 3261 §7.2: three digits; only 3xx-6xx end a transaction) and an optional reason
/// phrase, which is then required too. Empty means none.
pub fn parse_sip_responses(value: &str) -> Result<Vec<SipResponse>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(Vec::new());
    }
    value
        .split([',', '|'])
        .map(|entry| {
            let entry = entry.trim();
            let (code, reason) = entry.split_once(' ').unwrap_or((entry, ""));
            let code = code
                .parse::<u16>()
                .ok()
                .filter(|c| code.len() == 3 && (300..=699).contains(c))
                .ok_or_else(|| format!("`{entry}` does not start with a code from 300 to 699"))?;
            let reason = reason.trim();
            Ok(SipResponse {
                code,
                reason: (!reason.is_empty()).then(|| reason.to_owned()),
            })
        })
        .collect()
}

/// `host` or `host:port`, where host is a DNS name, IPv4, or `[IPv6]`.
fn is_host(value: &str) -> bool {
    // A host may name the transport as snom's registrar and outbound proxy fields do,
    // `host[:port];transport=tcp` (RFC 3261 §19.1.1 URI parameter, RFC 3263 §4.1), or
    // `sips:host[:port]` for TLS (RFC 5630).
    let value = match value.get(..5) {
        Some(scheme) if scheme.eq_ignore_ascii_case("sips:") => &value[5..],
        _ => value,
    };
    let value = match value.split_once(';') {
        Some((host, param)) => {
            let known = ["transport=udp", "transport=tcp", "transport=tls"];
            if !known.iter().any(|k| param.eq_ignore_ascii_case(k)) {
                return false;
            }
            host
        }
        None => value,
    };
    if value.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    let (host, port) = if let Some(rest) = value.strip_prefix('[') {
        match rest.split_once(']') {
            Some((h, p)) => (h, p.strip_prefix(':')),
            None => return false,
        }
    } else {
        match value.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (value, None),
        }
    };
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && (host.parse::<std::net::IpAddr>().is_ok()
            || host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            }));
    port_ok && host_ok
}

/// The registration-related settings of one identity, read through the schema so that no
/// other crate spells their provisioning names. Its `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct IdentityAccount {
    /// `user_active`.
    pub active: bool,
    /// `user_name`: the user part of the address-of-record.
    pub user: String,
    /// `user_host`: the registrar (`host[:port]`), empty for direct IP calls.
    pub host: String,
    /// `user_pname`, or `user_name` when it is empty: the authentication user name.
    pub auth_user: String,
    /// `user_pass` (a secret).
    pub password: String,
    /// `user_outbound` (`host[:port]`), empty for none.
    pub outbound: String,
    /// `user_expiry`, seconds.
    pub expiry: u32,
}

impl fmt::Debug for IdentityAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityAccount")
            .field("active", &self.active)
            .field("user", &self.user)
            .field("host", &self.host)
            .field("auth_user", &self.auth_user)
            .field("password", &"<secret>")
            .field("outbound", &self.outbound)
            .field("expiry", &self.expiry)
            .finish()
    }
}

/// Current setting values over the schema's defaults. Pure: the runtime owns
/// loading and saving.
/// `Debug` (in `web_access`) shows secrets as `***`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingValues {
    /// Only values that differ from the default or were set explicitly,
    /// keyed by `name` or `name[idx]`.
    values: BTreeMap<String, String>,
}

impl SettingValues {
    /// Checks a key against the schema and the model.
    pub fn resolve(key: &SettingKey, model: &str) -> Result<&'static Setting, SettingError> {
        let s = setting(&key.name).ok_or_else(|| SettingError::Unknown(key.name.clone()))?;
        match (s.indexed, key.idx) {
            (Some(max), Some(i)) if (1..=max).contains(&i) => {}
            (Some(max), _) => {
                return Err(SettingError::BadIndex {
                    name: key.name.clone(),
                    max,
                });
            }
            (None, Some(_)) => {
                return Err(SettingError::UnexpectedIndex {
                    name: key.name.clone(),
                });
            }
            (None, None) => {}
        }
        if !s.available_on(model) {
            return Err(SettingError::NotOnModel {
                name: key.name.clone(),
                model: model.to_owned(),
            });
        }
        Ok(s)
    }

    /// The value of a setting, or its default.
    pub fn get(&self, name: &str, idx: Option<u16>) -> &str {
        let key = SettingKey::new(name, idx).to_string();
        match self.values.get(&key) {
            Some(v) => v,
            None => setting(name).map(|s| s.default).unwrap_or(""),
        }
    }

    /// The account settings of identity `idx` (1-based).
    pub fn identity_account(&self, idx: u16) -> IdentityAccount {
        let get = |name| self.get(name, Some(idx)).to_owned();
        let user = get("user_name");
        let auth_user = match get("user_pname") {
            p if p.is_empty() => user.clone(),
            p => p,
        };
        IdentityAccount {
            active: self.get("user_active", Some(idx)) == "on",
            auth_user,
            user,
            host: get("user_host"),
            password: get("user_pass"),
            outbound: get("user_outbound"),
            expiry: self.get("user_expiry", Some(idx)).parse().unwrap_or(3600),
        }
    }

    /// `retry_after_failed_register`, seconds (S1).
    pub fn retry_after_failed_register(&self) -> u32 {
        self.get("retry_after_failed_register", None)
            .parse()
            .unwrap_or(300)
    }

    /// `sip_failover_response` (S2): responses to INVITE and other requests that try the
    /// server's next address.
    pub fn sip_failover_responses(&self) -> Vec<SipResponse> {
        parse_sip_responses(self.get("sip_failover_response", None)).unwrap_or_default()
    }

    /// `sip_failover_response_reg` (S2): the same for REGISTER.
    pub fn sip_failover_responses_reg(&self) -> Vec<SipResponse> {
        parse_sip_responses(self.get("sip_failover_response_reg", None)).unwrap_or_default()
    }

    /// Validates every change first; applies all of them or none.
    pub fn apply<'a>(
        &mut self,
        changes: impl IntoIterator<Item = (&'a str, &'a str)>,
        model: &str,
    ) -> Result<(), SettingError> {
        let mut checked = Vec::new();
        for (key, value) in changes {
            let key = SettingKey::parse(key)?;
            let s = Self::resolve(&key, model)?;
            checked.push((key.to_string(), s.validate(value)?));
        }
        self.values.extend(checked);
        Ok(())
    }

    /// Every non-secret value (defaults included) for the model, for UIs.
    pub fn public_view(&self, model: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for s in SETTINGS
            .iter()
            .filter(|s| !s.secret && s.available_on(model))
        {
            match s.indexed {
                None => {
                    out.insert(s.name.to_owned(), self.get(s.name, None).to_owned());
                }
                Some(n) => {
                    for i in 1..=n {
                        out.insert(
                            SettingKey::new(s.name, Some(i)).to_string(),
                            self.get(s.name, Some(i)).to_owned(),
                        );
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = SETTINGS.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SETTINGS.len());
    }

    #[test]
    fn defaults_validate() {
        for s in SETTINGS {
            assert_eq!(
                s.validate(s.default).as_deref(),
                Ok(s.default),
                "{}",
                s.name
            );
        }
    }

    #[test]
    fn apply_is_all_or_nothing() {
        let mut v = SettingValues::default();
        let err = v
            .apply(
                [("user_realname[1]", "Alice"), ("language", "Klingon")],
                "DP480C",
            )
            .unwrap_err();
        assert!(matches!(err, SettingError::NotAChoice { .. }));
        assert_eq!(v.get("user_realname", Some(1)), "");
        v.apply([("user_realname[1]", "Älice Ünicode")], "DP480C")
            .unwrap();
        assert_eq!(v.get("user_realname", Some(1)), "Älice Ünicode");
    }

    #[test]
    fn index_rules() {
        let mut v = SettingValues::default();
        assert!(matches!(
            v.apply([("user_name", "x")], "DP480C"),
            Err(SettingError::BadIndex { .. })
        ));
        assert!(matches!(
            v.apply([("user_name[13]", "x")], "DP480C"),
            Err(SettingError::BadIndex { .. })
        ));
        assert!(matches!(
            v.apply([("language[1]", "English")], "DP480C"),
            Err(SettingError::UnexpectedIndex { .. })
        ));
        assert!(matches!(
            v.apply([("nonsense", "1")], "DP480C"),
            Err(SettingError::Unknown(_))
        ));
    }

    #[test]
    fn secrets_are_never_in_the_public_view() {
        let mut v = SettingValues::default();
        v.apply([("user_pass[1]", "hunter2")], "DP480C").unwrap();
        let view = v.public_view("DP480C");
        assert!(view.keys().all(|k| !k.starts_with("user_pass")));
        assert!(!serde_json::to_string(&view).unwrap().contains("hunter2"));
    }

    #[test]
    fn identity_account_defaults_and_secret() {
        let mut v = SettingValues::default();
        let a = v.identity_account(2);
        assert!(!a.active);
        assert_eq!((a.expiry, v.retry_after_failed_register()), (3600, 300));
        v.apply(
            [
                ("user_active[2]", "true"),
                ("user_name[2]", "alice"),
                ("user_pass[2]", "hunter2"),
                ("user_expiry[2]", "120"),
                ("retry_after_failed_register", "10"),
            ],
            "DP480C",
        )
        .unwrap();
        let a = v.identity_account(2);
        assert!(a.active);
        assert_eq!(
            (a.auth_user.as_str(), a.password.as_str()),
            ("alice", "hunter2")
        );
        assert_eq!((a.expiry, v.retry_after_failed_register()), (120, 10));
        assert!(!format!("{a:?}").contains("hunter2"));
        v.apply([("user_pname[2]", "a-auth")], "DP480C").unwrap();
        assert_eq!(v.identity_account(2).auth_user, "a-auth");
        assert!(v.apply([("user_expiry[2]", "59")], "DP480C").is_err());
        assert!(
            v.apply([("retry_after_failed_register", "5")], "DP480C")
                .is_err()
        );
    }

    #[test]
    fn failover_response_lists() {
        let mut v = SettingValues::default();
        let code = |c| SipResponse {
            code: c,
            reason: None,
        };
        assert_eq!(v.sip_failover_responses(), [code(503)]);
        v.apply(
            [
                (
                    "sip_failover_response",
                    " 503,500  Server Internal Error , 408",
                ),
                ("sip_failover_response_reg", "504 Please register|480"),
            ],
            "DP480C",
        )
        .unwrap();
        assert_eq!(
            v.get("sip_failover_response", None),
            "503, 500 Server Internal Error, 408"
        );
        assert_eq!(
            v.sip_failover_responses()[1],
            SipResponse {
                code: 500,
                reason: Some("Server Internal Error".into())
            }
        );
        assert_eq!(
            v.get("sip_failover_response_reg", None),
            "504 Please register, 480"
        );
        v.apply([("sip_failover_response", "")], "DP480C").unwrap();
        assert!(v.sip_failover_responses().is_empty());
        for bad in ["200", "5030", "abc", "503,", "99 x", "503 ok, , 408"] {
            assert!(
                matches!(
                    v.apply([("sip_failover_response", bad)], "DP480C"),
                    Err(SettingError::BadResponseList { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn hosts() {
        for good in [
            "127.0.0.1",
            "pbx.example.com",
            "pbx:5060",
            "[::1]:5060",
            "::1",
        ] {
            assert!(is_host(good), "{good}");
            let tcp = format!("{good};transport=tcp");
            assert!(is_host(&tcp), "{tcp}");
            let tls = format!("{good};transport=tls");
            assert!(is_host(&tls), "{tls}");
            let sips = format!("sips:{good}");
            assert!(is_host(&sips), "{sips}");
        }
        for bad in ["pbx..com", "-a.com", "host:0", "host:99999", "a b", "[::1"] {
            assert!(!is_host(bad), "{bad}");
            let param = format!("{bad};transport=tcp");
            assert!(!is_host(&param), "{param}");
        }
    }
}
