//! Current setting values over the schema's defaults, each with where it came from
//! (default, provisioning, a local change) and the `perm` it was provisioned with.
//! Pure: the runtime owns loading and saving.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{
    Access, IdentityAccount, IndexKind, IndexedKey, Key, Perm, SETTINGS, Setting, SettingError,
    SettingKey, SipResponse, Source, keys, parse_sip_responses, setting,
};

/// One stored value.
#[derive(Clone, PartialEq, Eq)]
struct Stored {
    value: String,
    source: Source,
    perm: Perm,
}

/// What a provisioning run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProvisionReport {
    /// Keys whose value changed.
    pub changed: Vec<SettingKey>,
    /// Keys the file set with `!` (read-remain) that kept the user's local change.
    pub kept_local: Vec<SettingKey>,
}

/// A value with its source, for UIs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourcedValue {
    pub value: String,
    pub source: Source,
}

/// Current setting values. Only values that were set are stored, keyed by
/// `name` or `name[idx]`; everything else is the schema's default.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SettingValues {
    values: BTreeMap<String, Stored>,
}

/// The saved form: `values` as it always was (`{"values": {"user_name[1]": "alice"}}`,
/// read as local changes when `origins` does not name them), `origins` for values
/// that came from provisioning. Volatile values are left out.
#[derive(Default, Serialize, Deserialize)]
struct Saved {
    values: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    origins: BTreeMap<String, SavedOrigin>,
}

#[derive(Serialize, Deserialize)]
struct SavedOrigin {
    source: Source,
    #[serde(default)]
    perm: Perm,
}

impl Serialize for SettingValues {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut saved = Saved::default();
        for (key, stored) in self.values.iter().filter(|(_, s)| !s.perm.volatile) {
            saved.values.insert(key.clone(), stored.value.clone());
            if stored.source != Source::Local {
                saved.origins.insert(
                    key.clone(),
                    SavedOrigin {
                        source: stored.source.clone(),
                        perm: stored.perm,
                    },
                );
            }
        }
        saved.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for SettingValues {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut saved = Saved::deserialize(deserializer)?;
        let values = saved
            .values
            .into_iter()
            .map(|(key, value)| {
                let (source, perm) = match saved.origins.remove(&key) {
                    Some(o) => (o.source, o.perm),
                    None => (Source::Local, Perm::default()),
                };
                (
                    key,
                    Stored {
                        value,
                        source,
                        perm,
                    },
                )
            })
            .collect();
        Ok(SettingValues { values })
    }
}

/// Secrets show as `<secret>`: `Debug` output ends up in logs.
impl fmt::Debug for SettingValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (key, stored) in &self.values {
            let secret = SettingKey::parse(key)
                .ok()
                .and_then(|k| setting(&k.name))
                .is_none_or(|s| s.secret);
            let value: &dyn fmt::Debug = if secret { &"<secret>" } else { &stored.value };
            map.entry(key, &(value, &stored.source));
        }
        map.finish()
    }
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

    /// The value of a setting, or its default. Code outside this crate reads through
    /// [`value`](Self::value) and [`value_at`](Self::value_at) with a typed key.
    pub fn get(&self, name: &str, idx: Option<u16>) -> &str {
        let key = SettingKey::new(name, idx).to_string();
        match self.values.get(&key) {
            Some(v) => &v.value,
            None => setting(name).map(|s| s.default).unwrap_or(""),
        }
    }

    /// The value of a plain setting.
    pub fn value(&self, key: Key) -> &str {
        self.get(key.name(), None)
    }

    /// The value of an indexed setting at `idx`.
    pub fn value_at(&self, key: IndexedKey, idx: u16) -> &str {
        self.get(key.name(), Some(idx))
    }

    /// Whether a `Bool` setting is on.
    pub fn is_on(&self, key: Key) -> bool {
        self.value(key) == "on"
    }

    /// Whether an indexed `Bool` setting is on at `idx`.
    pub fn is_on_at(&self, key: IndexedKey, idx: u16) -> bool {
        self.value_at(key, idx) == "on"
    }

    /// Where the current value of `key` came from.
    pub fn source(&self, key: &SettingKey) -> Source {
        self.values
            .get(&key.to_string())
            .map(|s| s.source.clone())
            .unwrap_or_default()
    }

    /// The `perm` the current value was provisioned with (read-write otherwise).
    pub fn perm(&self, key: &SettingKey) -> Perm {
        self.values
            .get(&key.to_string())
            .map(|s| s.perm)
            .unwrap_or_default()
    }

    /// The account settings of identity `idx` (1-based).
    pub fn identity_account(&self, idx: u16) -> IdentityAccount {
        let get = |key| self.value_at(key, idx).to_owned();
        let user = get(keys::user_name);
        let auth_user = match get(keys::user_pname) {
            p if p.is_empty() => user.clone(),
            p => p,
        };
        IdentityAccount {
            active: self.is_on_at(keys::user_active, idx),
            auth_user,
            user,
            host: get(keys::user_host),
            password: get(keys::user_pass),
            outbound: get(keys::user_outbound),
            expiry: self
                .value_at(keys::user_expiry, idx)
                .parse()
                .unwrap_or(3600),
        }
    }

    /// `retry_after_failed_register`, seconds (S1).
    pub fn retry_after_failed_register(&self) -> u32 {
        self.value(keys::retry_after_failed_register)
            .parse()
            .unwrap_or(300)
    }

    /// `sip_failover_response` (S2): responses to INVITE and other requests that try the
    /// server's next address.
    pub fn sip_failover_responses(&self) -> Vec<SipResponse> {
        parse_sip_responses(self.value(keys::sip_failover_response)).unwrap_or_default()
    }

    /// `sip_failover_response_reg` (S2): the same for REGISTER.
    pub fn sip_failover_responses_reg(&self) -> Vec<SipResponse> {
        parse_sip_responses(self.value(keys::sip_failover_response_reg)).unwrap_or_default()
    }

    /// A local change (web UI, the phone's menu, `--set`); the same as
    /// [`apply_local`](Self::apply_local).
    pub fn apply<'a>(
        &mut self,
        changes: impl IntoIterator<Item = (&'a str, &'a str)>,
        model: &str,
    ) -> Result<(), SettingError> {
        self.apply_local(changes, model)
    }

    /// A local change: validates every change first and applies all of them or none.
    /// A setting provisioned read-only (`perm="R"`) is refused.
    pub fn apply_local<'a>(
        &mut self,
        changes: impl IntoIterator<Item = (&'a str, &'a str)>,
        model: &str,
    ) -> Result<(), SettingError> {
        let mut checked = Vec::new();
        for (key, value) in changes {
            let key = SettingKey::parse(key)?;
            let s = Self::resolve(&key, model)?;
            let value = s.validate(value)?;
            let key = key.to_string();
            self.check_not_locked(&key)?;
            checked.push((key, value));
        }
        for (key, value) in checked {
            self.values.insert(
                key,
                Stored {
                    value,
                    source: Source::Local,
                    perm: Perm::default(),
                },
            );
        }
        Ok(())
    }

    fn check_not_locked(&self, key: &str) -> Result<(), SettingError> {
        match self.values.get(key) {
            Some(s)
                if s.perm.access == Access::ReadOnly
                    && matches!(s.source, Source::Provisioning { .. }) =>
            {
                Err(SettingError::ReadOnly {
                    key: key.to_owned(),
                })
            }
            _ => Ok(()),
        }
    }

    /// Values from a provisioning file fetched from `url`. Every value is checked
    /// first; a bad one changes nothing. Then per value, by its `perm`: read-write
    /// overwrites anything, read-remain (`!`) only a value the user has not changed
    /// locally, read-only sets it and locks it against local changes. Volatile (`V`)
    /// values are applied but never saved, so a restart falls back to the default.
    pub fn apply_provisioned(
        &mut self,
        changes: &[(SettingKey, String, Perm)],
        url: &str,
        model: &str,
    ) -> Result<ProvisionReport, SettingError> {
        let mut checked = Vec::with_capacity(changes.len());
        for (key, value, perm) in changes {
            let s = Self::resolve(key, model)?;
            checked.push((key, s.validate(value)?, *perm));
        }
        let mut report = ProvisionReport::default();
        let mut changed = std::collections::BTreeSet::new();
        for (key, value, perm) in checked {
            let wire = key.to_string();
            let local = self
                .values
                .get(&wire)
                .is_some_and(|s| s.source == Source::Local);
            if perm.access == Access::ReadRemain && local {
                report.kept_local.push(key.clone());
                continue;
            }
            let before = self.get(&key.name, key.idx).to_owned();
            self.values.insert(
                wire,
                Stored {
                    value,
                    source: Source::Provisioning {
                        url: url.to_owned(),
                    },
                    perm,
                },
            );
            // A key set twice in one file counts once.
            if self.get(&key.name, key.idx) != before && changed.insert(key) {
                report.changed.push(key.clone());
            }
        }
        Ok(report)
    }

    /// Back to the default, whatever set it (source `Default`).
    pub fn reset(&mut self, key: &SettingKey) {
        self.values.remove(&key.to_string());
    }

    /// Local resets (the web UI's reset buttons): all or none; a value provisioned
    /// read-only is refused.
    pub fn reset_local<'a>(
        &mut self,
        keys: impl IntoIterator<Item = &'a str>,
        model: &str,
    ) -> Result<(), SettingError> {
        let mut checked = Vec::new();
        for key in keys {
            let key = SettingKey::parse(key)?;
            Self::resolve(&key, model)?;
            self.check_not_locked(&key.to_string())?;
            checked.push(key);
        }
        for key in &checked {
            self.reset(key);
        }
        Ok(())
    }

    /// P8: removing identity `idx` resets all its settings and every function key
    /// that acts for it (`fkey_context` naming the identity).
    pub fn remove_identity(&mut self, idx: u16) {
        let index = idx.to_string();
        let bound_keys: Vec<u16> = (1..=IndexKind::FunctionKey.max())
            .filter(|&n| self.value_at(keys::fkey_context, n) == index)
            .collect();
        for s in SETTINGS {
            match s.index {
                Some(IndexKind::Identity) => self.reset(&SettingKey::new(s.name, Some(idx))),
                Some(IndexKind::FunctionKey) => {
                    for &n in &bound_keys {
                        self.reset(&SettingKey::new(s.name, Some(n)));
                    }
                }
                _ => {}
            }
        }
    }

    /// Every key of the model's settings, secrets included: `name` or `name[i]`.
    fn all_keys(model: &str) -> impl Iterator<Item = (&'static Setting, SettingKey)> + '_ {
        SETTINGS
            .iter()
            .filter(move |s| s.available_on(model))
            .flat_map(|s| {
                let keys: Vec<SettingKey> = match s.indexed {
                    None => vec![SettingKey::new(s.name, None)],
                    Some(n) => (1..=n).map(|i| SettingKey::new(s.name, Some(i))).collect(),
                };
                keys.into_iter().map(move |k| (s, k))
            })
    }

    /// Every non-secret value (defaults included) for the model, for UIs.
    pub fn public_view(&self, model: &str) -> BTreeMap<String, String> {
        Self::all_keys(model)
            .filter(|(s, _)| !s.secret)
            .map(|(_, k)| {
                let v = self.get(&k.name, k.idx).to_owned();
                (k.to_string(), v)
            })
            .collect()
    }

    /// Every non-secret value with its source, for UIs.
    pub fn sourced_view(&self, model: &str) -> BTreeMap<String, SourcedValue> {
        Self::all_keys(model)
            .filter(|(s, _)| !s.secret)
            .map(|(_, k)| {
                let value = SourcedValue {
                    value: self.get(&k.name, k.idx).to_owned(),
                    source: self.source(&k),
                };
                (k.to_string(), value)
            })
            .collect()
    }

    /// The source of every value that is not a default, secrets included (their
    /// values never leave; where they came from may).
    pub fn sources(&self, model: &str) -> BTreeMap<String, Source> {
        // Only stored values have a source other than the default: walk those.
        self.values
            .iter()
            .filter(|(key, _)| {
                SettingKey::parse(key)
                    .ok()
                    .and_then(|k| Self::resolve(&k, model).ok())
                    .is_some()
            })
            .map(|(key, s)| (key.clone(), s.source.clone()))
            .collect()
    }
}
