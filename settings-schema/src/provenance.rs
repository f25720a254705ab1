//! Where a stored value came from and who may change it next: the `perm`
//! attribute of provisioning files and the source of every stored value.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where a setting's current value came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// Nothing set it: the schema's default.
    #[default]
    Default,
    /// A provisioning file, by the URL it was fetched from (after redirects).
    Provisioning { url: String },
    /// A change on the phone itself: the web UI, the phone's menu, `--set`.
    Local,
}

/// Who may change a provisioned value later, from the `perm` attribute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// `$`, `RW` or empty: the user may change it; the next provisioning overwrites it.
    #[default]
    ReadWrite,
    /// `!`: the user may change it; provisioning sets it only while the user has not.
    ReadRemain,
    /// `R`, `&` or a single blank: write-protected; only provisioning changes it.
    ReadOnly,
}

/// A parsed `perm` attribute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Perm {
    pub access: Access,
    /// `V`: the value is not saved and falls back to the default on the next start.
    /// On its own, `V` also makes the setting write-protected.
    pub volatile: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a perm value (expected !, R, &, RW, $, V, a single blank or nothing)")]
pub struct BadPerm(pub String);

impl Perm {
    /// Reads a `perm` attribute; a missing attribute is read-write.
    pub fn parse(attr: Option<&str>) -> Result<Perm, BadPerm> {
        let Some(raw) = attr else {
            return Ok(Perm::default());
        };
        // A single blank is an established spelling of read-only; trim nothing before it.
        if raw == " " {
            return Ok(Perm {
                access: Access::ReadOnly,
                volatile: false,
            });
        }
        let (rest, volatile) = match raw.trim() {
            "V" => {
                return Ok(Perm {
                    access: Access::ReadOnly,
                    volatile: true,
                });
            }
            t => match t.strip_suffix('V').or_else(|| t.strip_prefix('V')) {
                Some(r) => (r.trim(), true),
                None => (t, false),
            },
        };
        let access = match rest {
            "" | "$" | "RW" => Access::ReadWrite,
            "!" => Access::ReadRemain,
            "R" | "&" => Access::ReadOnly,
            _ => return Err(BadPerm(raw.to_owned())),
        };
        Ok(Perm { access, volatile })
    }

    /// The spelling written into exported files.
    pub fn as_attr(self) -> &'static str {
        match (self.access, self.volatile) {
            (Access::ReadWrite, false) => "RW",
            (Access::ReadRemain, false) => "!",
            (Access::ReadOnly, false) => "R",
            (Access::ReadWrite, true) => "RWV",
            (Access::ReadRemain, true) => "!V",
            (Access::ReadOnly, true) => "V",
        }
    }
}

impl fmt::Display for Perm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_attr())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_established_spelling() {
        let p = |a, v| Perm {
            access: a,
            volatile: v,
        };
        for (attr, want) in [
            (None, p(Access::ReadWrite, false)),
            (Some(""), p(Access::ReadWrite, false)),
            (Some("$"), p(Access::ReadWrite, false)),
            (Some("RW"), p(Access::ReadWrite, false)),
            (Some("!"), p(Access::ReadRemain, false)),
            (Some("R"), p(Access::ReadOnly, false)),
            (Some("&"), p(Access::ReadOnly, false)),
            (Some(" "), p(Access::ReadOnly, false)),
            (Some("V"), p(Access::ReadOnly, true)),
            (Some("RWV"), p(Access::ReadWrite, true)),
            (Some("!V"), p(Access::ReadRemain, true)),
        ] {
            assert_eq!(Perm::parse(attr), Ok(want), "{attr:?}");
            assert_eq!(Perm::parse(Some(want.as_attr())), Ok(want));
        }
        assert!(Perm::parse(Some("rw!")).is_err());
        assert!(Perm::parse(Some("X")).is_err());
    }
}
