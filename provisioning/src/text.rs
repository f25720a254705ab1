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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_appended_to_names() {
        let key = |n: &str| split_index(n).map(|k| k.to_string());
        assert_eq!(key("user_realname1").as_deref(), Ok("user_realname[1]"));
        assert_eq!(key("user_realname12").as_deref(), Ok("user_realname[12]"));
        assert_eq!(key("fkey0").as_deref(), Ok("fkey[1]"));
        assert_eq!(key("language").as_deref(), Ok("language"));
        assert_eq!(key("language2").as_deref(), Ok("language[2]"));
        assert_eq!(key("no_such9").as_deref(), Ok("no_such9"));
        assert_eq!(
            key("user_name99999999"),
            Err(SyntaxError::IndexTooLarge("99999999".into()))
        );
        assert_eq!(
            key("fkey65535"),
            Err(SyntaxError::IndexTooLarge("65535".into()))
        );
    }

    #[test]
    fn lines_and_flags() {
        let file = parse("a_b$: 1\r\n\r\n# c\n<pre>\n  user_name3 : x : y \n").unwrap();
        let got: Vec<_> = file
            .settings
            .iter()
            .map(|s| {
                (
                    s.key.to_string(),
                    s.value.as_str(),
                    s.perm.as_deref(),
                    s.line,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("a_b".to_owned(), "1", Some("$"), 1),
                ("user_name[3]".to_owned(), "x : y", Some("&"), 5)
            ]
        );
        assert!(matches!(
            parse("ok: 1\n: value\n"),
            Err(ParseError::Syntax {
                line: 2,
                reason: SyntaxError::NotASettingLine
            })
        ));
    }
}
