//! The flat text form (see [`crate::Form::Text`]).

use deskphone_settings::SettingKey;

use crate::{
    MAX_ITEMS, ParseError, ProvisionedSetting, ProvisioningFile, SyntaxError,
    is_function_key_setting, is_setting,
};

pub(crate) fn parse(text: &str) -> Result<ProvisioningFile, ParseError> {
    let mut file = ProvisioningFile::default();
    // `split('\n')` with the `\r` of CRLF removed: `str::lines` would also end a line
    // at a lone `\r`, which the format does not.
    for (i, raw) in text.split('\n').enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let fail = |reason| ParseError::Syntax { line, reason };
        let content = raw.strip_suffix('\r').unwrap_or(raw).trim_start();
        if content.is_empty() || content.starts_with('#') || content.starts_with('<') {
            continue;
        }
        if file.settings.len() >= MAX_ITEMS {
            return Err(fail(SyntaxError::TooManyItems));
        }
        let (name, value) = content
            .split_once(':')
            .ok_or(fail(SyntaxError::NotASettingLine))?;
        let name = name.trim_end();
        let (name, flag) = match name.char_indices().last() {
            Some((i, f @ ('$' | '!' | '&'))) => (&name[..i], Some(f)),
            _ => (name, None),
        };
        if name.is_empty() {
            return Err(fail(SyntaxError::NotASettingLine));
        }
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(fail(SyntaxError::BadName(name.to_owned())));
        }
        let key = split_index(name).map_err(fail)?;
        file.settings.push(ProvisionedSetting {
            key,
            value: value.trim_matches([' ', '\t']).to_owned(),
            // A line without a flag is write-protected in this format.
            perm: Some(flag.unwrap_or('&').to_string()),
            line,
        });
    }
    Ok(file)
}

/// `user_realname1` → `user_realname[1]`, `fkey0` → `fkey[1]` (function keys count from
/// 0 in files), `language` → `language`. A name that is a setting as written is never
/// split; one that is not and has no setting before its digits stays whole (and is
/// refused by validation as unknown).
fn split_index(name: &str) -> Result<SettingKey, SyntaxError> {
    if is_setting(name) {
        return Ok(SettingKey::new(name, None));
    }
    let base = name.trim_end_matches(|c: char| c.is_ascii_digit());
    if base.len() == name.len() || !is_setting(base) {
        return Ok(SettingKey::new(name, None));
    }
    let digits = &name[base.len()..];
    let too_large = || SyntaxError::IndexTooLarge(digits.to_owned());
    let n: u16 = digits.parse().map_err(|_| too_large())?;
    let idx = if is_function_key_setting(base) {
        n.checked_add(1).ok_or_else(too_large)?
    } else {
        n
    };
    Ok(SettingKey::new(base, Some(idx)))
}
