//! Every setting of the phone, defined once.
//!
//! Architecture invariant: this crate does no IO and compiles for wasm32 and
//! native. A setting name as used in provisioning files (`user_realname`,
//! `language`, …) appears only in the `settings!` table of `table.rs` (as an
//! identifier, turned into the name string and a typed key in [`keys`]). Forms in the
//! web UI, validation in the runtime, provisioning parsing and the generated reference
//! (`docs/settings.md`) all read this table.

use std::fmt;

use serde::{Deserialize, Serialize};

mod function_keys;
mod kind;
pub mod models;
mod provenance;
pub mod reference;
mod table;
mod values;
pub mod web_access;

pub use function_keys::{FUNCTION_KEYS, FunctionKey};
pub use kind::{CODECS, Kind, time_zones};
pub use provenance::{Access, BadPerm, Perm, Source};
pub use table::{SETTINGS, keys};
pub use values::{ProvisionReport, SettingValues, SourcedValue};

/// Which web UI page shows a setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Page {
    Identity,
    Preferences,
    FunctionKeys,
    Network,
    SipRtp,
    QosSecurity,
    Provisioning,
    Update,
    Language,
    Audio,
    ActionUrls,
}

impl Page {
    /// Every page, in the order of the web UI's navigation.
    pub const ALL: &'static [Page] = &[
        Page::Identity,
        Page::Preferences,
        Page::FunctionKeys,
        Page::Network,
        Page::SipRtp,
        Page::QosSecurity,
        Page::Provisioning,
        Page::Update,
        Page::Language,
        Page::Audio,
        Page::ActionUrls,
    ];

    /// Stable id, used in URLs and translation ids (`web-page-<id>`).
    pub fn id(self) -> &'static str {
        match self {
            Page::Identity => "identity",
            Page::Preferences => "preferences",
            Page::FunctionKeys => "function-keys",
            Page::Network => "network",
            Page::SipRtp => "sip-rtp",
            Page::QosSecurity => "qos-security",
            Page::Provisioning => "provisioning",
            Page::Update => "update",
            Page::Language => "language",
            Page::Audio => "audio",
            Page::ActionUrls => "action-urls",
        }
    }

    /// The sections of this page in table order; each setting is in one.
    pub fn sections(self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for s in SETTINGS.iter().filter(|s| s.page == self) {
            if !out.contains(&s.section) {
                out.push(s.section);
            }
        }
        out
    }
}

/// The Fluent id of a section heading: `web-section-<page id>-<section with - for _>`.
pub fn section_id(page: Page, section: &str) -> String {
    format!("web-section-{}-{}", page.id(), section.replace('_', "-"))
}

/// Which phone models have a setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Models {
    All,
    Only(&'static [&'static str]),
}

/// Number of identities (SIP accounts) a phone has.
pub const IDENTITIES: u16 = 12;

/// What the index of an indexed setting counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IndexKind {
    /// Identities `1..=IDENTITIES` (`user_*`).
    Identity,
    /// Function keys `1..=FUNCTION_KEYS` (`fkey*`).
    FunctionKey,
    /// Some other numbered thing, `1..=n` (e.g. multicast addresses).
    Count(u16),
}

impl IndexKind {
    /// The highest index.
    pub const fn max(self) -> u16 {
        match self {
            IndexKind::Identity => IDENTITIES,
            IndexKind::FunctionKey => FUNCTION_KEYS,
            IndexKind::Count(n) => n,
        }
    }
}

/// Who may change a setting in the web UI and on the phone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Only the administrator.
    #[default]
    Admin,
    /// The administrator and the phone's user.
    User,
}

/// One setting's definition. Built by the `settings!` table only.
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    /// The name used in provisioning files and on the wire.
    pub name: &'static str,
    pub kind: Kind,
    pub default: &'static str,
    /// `Some(n)` for indexed settings with indices `1..=n`.
    pub indexed: Option<u16>,
    /// What the index counts (`Some` exactly when `indexed` is).
    pub index: Option<IndexKind>,
    /// Secrets are write-only: never returned by the API, UI, exports or logs.
    pub secret: bool,
    pub page: Page,
    /// The section of the page (a fieldset in the web UI); see [`section_id`].
    pub section: &'static str,
    pub models: Models,
    /// Who may change it.
    pub editable_by: Role,
    /// Whether code acts on the value yet; the others are stored, validated,
    /// provisioned and shown, and the reference says they have no effect yet.
    pub implemented: bool,
}

impl Setting {
    /// The base of a table entry (used by the `settings!` macro).
    pub(crate) const fn new(
        name: &'static str,
        kind: Kind,
        default: &'static str,
        page: Page,
        section: &'static str,
    ) -> Setting {
        Setting {
            name,
            kind,
            default,
            indexed: None,
            index: None,
            secret: false,
            page,
            section,
            models: Models::All,
            editable_by: Role::Admin,
            implemented: false,
        }
    }

    pub(crate) const fn idx(mut self, index: IndexKind) -> Setting {
        self.index = Some(index);
        self.indexed = Some(index.max());
        self
    }

    pub(crate) const fn models(mut self, models: Models) -> Setting {
        self.models = models;
        self
    }

    pub(crate) const fn secret(mut self) -> Setting {
        self.secret = true;
        self
    }

    pub(crate) const fn user(mut self) -> Setting {
        self.editable_by = Role::User;
        self
    }

    pub(crate) const fn implemented(mut self) -> Setting {
        self.implemented = true;
        self
    }

    /// The Fluent id of its label: `setting-user-realname-label`.
    pub fn label_id(&self) -> String {
        format!("setting-{}-label", self.name.replace('_', "-"))
    }

    /// The Fluent id of its help text: `setting-user-realname-help`.
    pub fn help_id(&self) -> String {
        format!("setting-{}-help", self.name.replace('_', "-"))
    }

    pub fn available_on(&self, model: &str) -> bool {
        match self.models {
            Models::All => true,
            Models::Only(list) => list.contains(&model),
        }
    }

    /// Checks a value and returns its canonical spelling (e.g. `true` → `on`).
    pub fn validate(&self, value: &str) -> Result<String, SettingError> {
        if value.chars().any(char::is_control) {
            return Err(SettingError::ControlCharacter {
                name: self.name.to_owned(),
            });
        }
        self.kind.validate(self.name, value)
    }
}

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

/// The typed key of a setting without an index (generated into [`keys`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    name: &'static str,
}

impl Key {
    pub(crate) const fn new(name: &'static str) -> Key {
        Key { name }
    }

    pub const fn name(self) -> &'static str {
        self.name
    }

    /// Its definition.
    pub fn setting(self) -> &'static Setting {
        setting(self.name).expect("keys are generated from the table")
    }

    /// The key as a [`SettingKey`].
    pub fn key(self) -> SettingKey {
        SettingKey::new(self.name, None)
    }

    /// The key on the wire (the same as the name).
    pub const fn wire(self) -> &'static str {
        self.name
    }
}

/// The typed key of an indexed setting (generated into [`keys`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IndexedKey {
    name: &'static str,
    index: IndexKind,
}

impl IndexedKey {
    pub(crate) const fn new(name: &'static str, index: IndexKind) -> IndexedKey {
        IndexedKey { name, index }
    }

    pub const fn name(self) -> &'static str {
        self.name
    }

    /// What its index counts.
    pub const fn index(self) -> IndexKind {
        self.index
    }

    /// Its definition.
    pub fn setting(self) -> &'static Setting {
        setting(self.name).expect("keys are generated from the table")
    }

    /// The key with index `idx` as a [`SettingKey`].
    pub fn at(self, idx: u16) -> SettingKey {
        SettingKey::new(self.name, Some(idx))
    }

    /// The key with index `idx` on the wire: `user_name[2]`.
    pub fn wire(self, idx: u16) -> String {
        self.at(idx).to_string()
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
    #[error("`{name}` must be an IPv4 or IPv6 address, not `{value}`")]
    BadIpAddr { name: String, value: String },
    #[error("`{name}` must be a port from 1 to 65535, not `{value}`")]
    BadPort { name: String, value: String },
    #[error("`{name}` must be an http, https, ftp or tftp URL, not `{value}`")]
    BadUrl { name: String, value: String },
    #[error("`{name}` must be a time zone of the tz database such as Europe/Berlin, not `{value}`")]
    BadTimeZone { name: String, value: String },
    #[error("`{name}` must be a time of day as HH:MM, not `{value}`")]
    BadTimeOfDay { name: String, value: String },
    #[error("`{name}` must list codecs like `g722,pcmu,pcma`: {why}")]
    BadCodecList { name: String, why: String },
    #[error("`{name}` must list SIP final responses like `503, 500 Server Internal Error`: {why}")]
    BadResponseList { name: String, why: String },
    #[error("`{name}` contains a control character")]
    ControlCharacter { name: String },
    #[error("`{name}` is not available on model {model}")]
    NotOnModel { name: String, model: String },
    #[error("`{key}` was provisioned read-only; only provisioning may change it")]
    ReadOnly { key: String },
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

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use fluent_syntax::ast;

    use super::*;

    const LOCALES: [(&str, &str); 3] = [
        (
            "en-US",
            include_str!("../../translations/en-US/settings.ftl"),
        ),
        ("de", include_str!("../../translations/de/settings.ftl")),
        ("fr", include_str!("../../translations/fr/settings.ftl")),
    ];

    /// Message ids of one settings.ftl with the variables each uses.
    fn messages(source: &str) -> BTreeMap<String, BTreeSet<String>> {
        let resource = fluent_syntax::parser::parse(source)
            .unwrap_or_else(|(_, e)| panic!("syntax errors: {e:?}"));
        let mut out = BTreeMap::new();
        for entry in &resource.body {
            if let ast::Entry::Message(m) = entry {
                let mut vars = BTreeSet::new();
                for el in m.value.iter().flat_map(|p| &p.elements) {
                    if let ast::PatternElement::Placeable {
                        expression:
                            ast::Expression::Inline(ast::InlineExpression::VariableReference { id }),
                    } = el
                    {
                        vars.insert(id.name.to_owned());
                    }
                }
                assert!(
                    out.insert(m.id.name.to_owned(), vars).is_none(),
                    "`{}` twice",
                    m.id.name
                );
            }
        }
        out
    }

    #[test]
    fn at_least_two_hundred_settings_with_unique_names() {
        let mut names: Vec<_> = SETTINGS.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SETTINGS.len());
        assert!(SETTINGS.len() >= 200, "{} settings", SETTINGS.len());
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
    fn table_entries_are_consistent() {
        for s in SETTINGS {
            assert_eq!(s.indexed, s.index.map(IndexKind::max), "{}", s.name);
            assert!(!s.section.is_empty(), "{}", s.name);
            if let Models::Only(list) = s.models {
                assert!(
                    list.iter().all(|m| models::model(m).is_some()),
                    "{}: unknown model",
                    s.name
                );
            }
            if s.name.starts_with("wifi_") {
                let wifi: Vec<_> = models::MODELS
                    .iter()
                    .filter(|m| m.wifi)
                    .map(|m| m.name)
                    .collect();
                assert_eq!(s.models, Models::Only(&["DP480C"]), "{}", s.name);
                assert_eq!(wifi, ["DP480C"]);
            }
        }
        for page in Page::ALL {
            assert!(!page.sections().is_empty(), "{page:?} has no settings");
            // The form has one index selector per page: one index kind per page.
            let mut kinds: Vec<_> = SETTINGS
                .iter()
                .filter(|s| s.page == *page)
                .filter_map(|s| s.index)
                .collect();
            kinds.dedup();
            assert!(kinds.len() <= 1, "{page:?} mixes index kinds {kinds:?}");
        }
        // The typed keys carry the table's names and index kinds.
        assert_eq!(keys::user_realname.name(), "user_realname");
        assert_eq!(keys::user_realname.index(), IndexKind::Identity);
        assert_eq!(keys::fkey.index(), IndexKind::FunctionKey);
        assert_eq!(keys::mc_address.index(), IndexKind::Count(10));
        assert_eq!(keys::language.wire(), "language");
        assert_eq!(keys::user_name.wire(3), "user_name[3]");
        assert!(keys::user_pass.setting().secret);
        assert!(keys::tr69_enable.setting().default == "off");
        assert!(keys::fkey_longpress.setting().default == "on");
        assert_eq!(keys::redirect_ringing.setting().default, "off");
    }

    #[test]
    fn every_text_exists_and_nothing_else() {
        let en = messages(LOCALES[0].1);
        let mut wanted = BTreeSet::new();
        for s in SETTINGS {
            wanted.insert(s.label_id());
            wanted.insert(s.help_id());
        }
        for page in Page::ALL {
            wanted.insert(format!("web-page-{}", page.id()));
            wanted.insert(format!("web-page-{}-help", page.id()));
            for section in page.sections() {
                wanted.insert(section_id(*page, section));
            }
        }
        for id in &wanted {
            assert!(en.contains_key(id), "en-US settings.ftl lacks `{id}`");
        }
        for id in en.keys() {
            let used = wanted.contains(id)
                // Texts of the settings form itself, used by the web UI.
                || id.starts_with("web-settings-")
                || id.starts_with("web-invalid-");
            assert!(used, "en-US settings.ftl has `{id}`, which nothing uses");
            assert!(
                !id.starts_with("web-section-") || wanted.contains(id),
                "`{id}` is no section"
            );
        }
        for (locale, source) in &LOCALES[1..] {
            let other = messages(source);
            for (id, vars) in &en {
                let Some(theirs) = other.get(id) else {
                    panic!("{locale} settings.ftl lacks `{id}`");
                };
                assert_eq!(theirs, vars, "`{id}` uses other variables in {locale}");
            }
            for id in other.keys() {
                assert!(en.contains_key(id), "{locale} has `{id}`, en-US does not");
            }
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
        assert_eq!(v.value_at(keys::user_realname, 1), "");
        v.apply([("user_realname[1]", "Älice Ünicode")], "DP480C")
            .unwrap();
        assert_eq!(v.value_at(keys::user_realname, 1), "Älice Ünicode");
        assert_eq!(v.source(&keys::user_realname.at(1)), Source::Local);
        assert_eq!(v.source(&keys::user_realname.at(2)), Source::Default);
    }

    #[test]
    fn vlan_ids_and_model_rules() {
        let mut v = SettingValues::default();
        for bad in ["0", "4095", "x"] {
            assert!(v.apply([("vlan_id", bad)], "DP480C").is_err(), "{bad}");
            assert!(v.apply([("vlan_pc_id", bad)], "DP480C").is_err(), "{bad}");
        }
        v.apply([("vlan_id", "4094"), ("vlan_pc_id", "")], "DP480C")
            .unwrap();
        assert_eq!(v.value(keys::vlan_id), "4094");
        assert!(matches!(
            v.apply([("wifi_ssid", "office")], "DP128M"),
            Err(SettingError::NotOnModel { .. })
        ));
        v.apply([("wifi_ssid", "office")], "DP480C").unwrap();
        assert!(!v.public_view("DP128M").contains_key("wifi_ssid"));
        assert!(!v.sources("DP128M").contains_key("wifi_ssid"));
        assert_eq!(v.sources("DP480C").get("wifi_ssid"), Some(&Source::Local));
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
            v.apply([("mc_address[11]", "239.0.0.1:5000")], "DP480C"),
            Err(SettingError::BadIndex { max: 10, .. })
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
    fn secrets_are_never_in_a_view_or_debug() {
        let mut v = SettingValues::default();
        v.apply(
            [
                ("user_pass[1]", "hunter2"),
                ("http_pass", "hunter3"),
                ("user_hash[2]", "0123abcd"),
            ],
            "DP480C",
        )
        .unwrap();
        let view = v.public_view("DP480C");
        assert!(view.keys().all(|k| !k.starts_with("user_pass")));
        let sourced = v.sourced_view("DP480C");
        let sources = v.sources("DP480C");
        // The source of a secret is known; its value is not.
        assert_eq!(sources.get("user_pass[1]"), Some(&Source::Local));
        for text in [
            serde_json::to_string(&view).unwrap(),
            serde_json::to_string(&sourced).unwrap(),
            serde_json::to_string(&sources).unwrap(),
            format!("{v:?}"),
        ] {
            for secret in ["hunter2", "hunter3", "0123abcd"] {
                assert!(!text.contains(secret), "{text}");
            }
        }
    }

    #[test]
    fn reads_the_old_settings_file() {
        let v: SettingValues =
            serde_json::from_str(r#"{"values": {"user_name[1]": "alice"}}"#).unwrap();
        assert_eq!(v.value_at(keys::user_name, 1), "alice");
        assert_eq!(v.source(&keys::user_name.at(1)), Source::Local);
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"values":{"user_name[1]":"alice"}}"#
        );
    }

    fn provisioned(
        v: &mut SettingValues,
        items: &[(&str, &str, &str)],
    ) -> Result<ProvisionReport, SettingError> {
        let changes: Vec<_> = items
            .iter()
            .map(|(k, val, perm)| {
                (
                    SettingKey::parse(k).unwrap(),
                    (*val).to_owned(),
                    Perm::parse(Some(perm)).unwrap(),
                )
            })
            .collect();
        v.apply_provisioned(&changes, "https://prov.example/{mac}.xml", "DP480C")
    }

    #[test]
    fn provisioning_follows_perm() {
        let url = Source::Provisioning {
            url: "https://prov.example/{mac}.xml".into(),
        };
        let mut v = SettingValues::default();
        v.apply(
            [("user_realname[1]", "Mine"), ("ntp_server", "ntp.local")],
            "DP480C",
        )
        .unwrap();
        // A bad value anywhere changes nothing.
        assert!(
            provisioned(
                &mut v,
                &[
                    ("user_realname[1]", "Theirs", "RW"),
                    ("vlan_id", "4095", "")
                ]
            )
            .is_err()
        );
        assert_eq!(v.value_at(keys::user_realname, 1), "Mine");
        let report = provisioned(
            &mut v,
            &[
                ("user_realname[1]", "Theirs", "!"),
                ("ntp_server", "ntp.example", "RW"),
                ("http_user", "boss", "R"),
                ("language", "Deutsch", "RWV"),
                ("user_name[1]", "", "!"),
            ],
        )
        .unwrap();
        assert_eq!(report.kept_local, [keys::user_realname.at(1)]);
        assert_eq!(
            report.changed,
            [
                keys::ntp_server.key(),
                keys::http_user.key(),
                keys::language.key()
            ]
        );
        assert_eq!(v.value_at(keys::user_realname, 1), "Mine");
        assert_eq!(v.value(keys::ntp_server), "ntp.example");
        assert_eq!(v.source(&keys::ntp_server.key()), url);
        assert_eq!(v.source(&keys::user_name.at(1)), url);
        assert_eq!(v.perm(&keys::http_user.key()).access, Access::ReadOnly);
        // Read-only: local changes and resets are refused, provisioning may change it.
        assert!(matches!(
            v.apply_local([("http_user", "me")], "DP480C"),
            Err(SettingError::ReadOnly { .. })
        ));
        assert!(v.reset_local(["http_user"], "DP480C").is_err());
        assert_eq!(v.value(keys::http_user), "boss");
        provisioned(&mut v, &[("http_user", "chief", "")]).unwrap();
        v.apply_local([("http_user", "me")], "DP480C").unwrap();
        // Volatile values are in effect but not saved.
        assert_eq!(v.value(keys::language), "Deutsch");
        let saved: SettingValues =
            serde_json::from_str(&serde_json::to_string(&v).unwrap()).unwrap();
        assert_eq!(saved.value(keys::language), "English");
        assert_eq!(saved.source(&keys::ntp_server.key()), url);
        assert_eq!(saved.value(keys::ntp_server), "ntp.example");
        // A reset goes back to the default.
        v.reset_local(["ntp_server"], "DP480C").unwrap();
        assert_eq!(v.value(keys::ntp_server), "pool.ntp.org");
        assert_eq!(v.source(&keys::ntp_server.key()), Source::Default);
    }

    #[test]
    fn removing_an_identity_removes_its_function_keys() {
        let mut v = SettingValues::default();
        v.apply(
            [
                ("user_active[2]", "on"),
                ("user_name[2]", "bob"),
                ("user_pass[2]", "pw"),
                ("user_name[3]", "carol"),
                ("fkey[1]", "line"),
                ("fkey_context[1]", "2"),
                ("fkey_label[1]", "Bob"),
                ("fkey[2]", "blf <sip:dave@pbx>"),
                ("fkey_context[2]", "2"),
                ("fkey[3]", "line"),
                ("fkey_context[3]", "3"),
                ("fkey[4]", "speed 123"),
            ],
            "DP480C",
        )
        .unwrap();
        v.remove_identity(2);
        assert!(!v.is_on_at(keys::user_active, 2));
        assert_eq!(v.value_at(keys::user_name, 2), "");
        assert_eq!(v.identity_account(2).password, "");
        assert_eq!(v.source(&keys::user_name.at(2)), Source::Default);
        for n in [1, 2] {
            assert_eq!(v.value_at(keys::fkey, n), "", "P{n}");
            assert_eq!(v.value_at(keys::fkey_context, n), "active", "P{n}");
        }
        assert_eq!(v.value_at(keys::fkey_label, 1), "");
        assert_eq!(v.value_at(keys::user_name, 3), "carol");
        assert_eq!(v.value_at(keys::fkey, 3), "line");
        assert_eq!(v.value_at(keys::fkey, 4), "speed 123");
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
            v.value(keys::sip_failover_response),
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
            v.value(keys::sip_failover_response_reg),
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
