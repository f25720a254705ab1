//! Function keys (`fkey`): what a programmable key `P1`..`Pn` does, read from the value
//! format of the vendor's provisioning files (`blf <sip:bob@pbx>`, `presence sip:bob@pbx`,
//! `speed 123`, `line`).

use crate::{SettingValues, keys};

/// The most function keys any model has; `fkey` indices run `1..=FUNCTION_KEYS`.
pub const FUNCTION_KEYS: u16 = 12;

/// What one function key is set to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FunctionKey {
    /// A line key (the default, also for an empty value).
    Line,
    /// Busy lamp field: watch this URI's dialogs (RFC 4235) and dial it when pressed.
    Blf(String),
    /// Presence: watch this URI's presence (RFC 3856) and dial it when pressed.
    Presence(String),
    /// Speed dial: a number or URI to dial.
    Speed(String),
    /// Extension/destination: dial this number or URI.
    Dest(String),
    /// A type this phone does not carry out yet, kept as written.
    Other(String),
}

impl FunctionKey {
    /// Reads `type argument`; the argument may be a URI in angle brackets.
    pub fn parse(value: &str) -> Self {
        let value = value.trim();
        let (kind, arg) = value.split_once(char::is_whitespace).unwrap_or((value, ""));
        let arg = arg.trim();
        let arg = arg
            .strip_prefix('<')
            .and_then(|a| a.split_once('>'))
            .map_or(arg, |(uri, _)| uri)
            .trim()
            .to_owned();
        match kind.to_ascii_lowercase().as_str() {
            "" | "line" => FunctionKey::Line,
            "blf" if !arg.is_empty() => FunctionKey::Blf(arg),
            "presence" if !arg.is_empty() => FunctionKey::Presence(arg),
            "speed" if !arg.is_empty() => FunctionKey::Speed(arg),
            "dest" if !arg.is_empty() => FunctionKey::Dest(arg),
            _ => FunctionKey::Other(value.to_owned()),
        }
    }
}

impl SettingValues {
    /// `fkey[n]` of function key `Pn`.
    pub fn function_key(&self, n: u16) -> FunctionKey {
        FunctionKey::parse(self.value_at(keys::fkey, n))
    }

    /// `show_desktop_msg_in_call_screens` (S8).
    pub fn show_messages_in_call_screens(&self) -> bool {
        self.is_on(keys::show_desktop_msg_in_call_screens)
    }

    /// `user_mwi_subscribe` of an identity (S7).
    pub fn mwi_subscribe(&self, identity: u16) -> bool {
        self.is_on_at(keys::user_mwi_subscribe, identity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_value_format() {
        assert_eq!(
            FunctionKey::parse("blf <sip:bob@pbx>"),
            FunctionKey::Blf("sip:bob@pbx".into())
        );
        assert_eq!(
            FunctionKey::parse("blf sip:bob@pbx"),
            FunctionKey::Blf("sip:bob@pbx".into())
        );
        assert_eq!(
            FunctionKey::parse("speed 123"),
            FunctionKey::Speed("123".into())
        );
        assert_eq!(FunctionKey::parse(""), FunctionKey::Line);
        assert_eq!(FunctionKey::parse("line"), FunctionKey::Line);
        assert_eq!(FunctionKey::parse("blf"), FunctionKey::Other("blf".into()));
        assert_eq!(
            FunctionKey::parse("Presence <sip:bob@pbx>"),
            FunctionKey::Presence("sip:bob@pbx".into())
        );
        assert_eq!(
            FunctionKey::parse("presence sip:bob@pbx"),
            FunctionKey::Presence("sip:bob@pbx".into())
        );
        assert_eq!(
            FunctionKey::parse("presence "),
            FunctionKey::Other("presence".into())
        );
    }
}
