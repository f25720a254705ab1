//! Writes the current settings and phone book as files that [`crate::read`] reads back.

use std::fmt::Write;

use deskphone_settings::{SETTINGS, Setting, SettingValues};
use quick_xml::escape::escape;

use crate::{Contact, FUNCTION_KEY, is_function_key_setting};

/// The `<settings>` file of every non-secret setting available on `model`, defaults
/// included, so that reading it into a phone reproduces these values. Secrets are never
/// written. Function keys go to `<functionKeys>` as `<fkey idx="…">` (0-based) with
/// their companion settings (`fkey_label`, `fkey_context`, `fkey_longpress`, … when the
/// schema has them) as attributes; no `perm` is written (read-write).
pub fn export(values: &SettingValues, model: &str) -> String {
    let available = |s: &&Setting| !s.secret && s.available_on(model);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<settings>\n");
    out.push_str("<phone-settings e=\"2\">\n");
    let mut keys: Option<&Setting> = None;
    let mut companions: Vec<(&str, &Setting)> = Vec::new();
    for s in SETTINGS.iter().filter(available) {
        if s.name == FUNCTION_KEY {
            keys = Some(s);
            continue;
        }
        if let Some(suffix) = companion_attribute(s) {
            companions.push((suffix, s));
            continue;
        }
        // Function key settings that are no attribute stay here, 0-based like
        // everywhere in files.
        let base = u16::from(is_function_key_setting(s.name));
        match s.indexed {
            None => element(&mut out, s.name, None, values.get(s.name, None)),
            Some(n) => {
                for i in 1..=n {
                    element(
                        &mut out,
                        s.name,
                        Some(i - base),
                        values.get(s.name, Some(i)),
                    );
                }
            }
        }
    }
    out.push_str("</phone-settings>\n");
    if let Some(keys) = keys {
        out.push_str("<functionKeys e=\"2\">\n");
        for i in 1..=keys.indexed.unwrap_or(0) {
            let _ = write!(out, "<{} idx=\"{}\"", keys.name, i - 1);
            for (attr, s) in &companions {
                if s.indexed.is_some_and(|n| i <= n) {
                    let _ = write!(out, " {attr}=\"{}\"", escape(values.get(s.name, Some(i))));
                }
            }
            let _ = writeln!(
                out,
                ">{}</{}>",
                escape(values.get(keys.name, Some(i))),
                keys.name
            );
        }
        out.push_str("</functionKeys>\n");
    }
    out.push_str("</settings>\n");
    out
}

/// The `<fkey>` attribute a function key companion setting is written as (`fkey_label`
/// → `label`, `fkey_longpress` → `lp`).
fn companion_attribute(s: &Setting) -> Option<&'static str> {
    let suffix = s.name.strip_prefix(FUNCTION_KEY)?.strip_prefix('_')?;
    s.indexed?;
    Some(if suffix == "longpress" { "lp" } else { suffix })
}

fn element(out: &mut String, name: &str, idx: Option<u16>, value: &str) {
    let _ = match idx {
        Some(i) => writeln!(out, "<{name} idx=\"{i}\">{}</{name}>", escape(value)),
        None => writeln!(out, "<{name}>{}</{name}>", escape(value)),
    };
}

/// The phone book as a `<tbook version="2.0">` file.
pub fn contacts_to_xml(contacts: &[Contact]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tbook e=\"2\" version=\"2.0\">\n",
    );
    for c in contacts {
        let _ = writeln!(
            out,
            "<contact fav=\"{}\" vip=\"{}\" blocked=\"{}\">",
            c.favourite, c.vip, c.blocked
        );
        for (name, value) in [
            ("first_name", &c.first_name),
            ("last_name", &c.last_name),
            ("organization", &c.organization),
            ("email", &c.email),
            ("note", &c.note),
            ("group", &c.group),
        ] {
            if !value.is_empty() {
                let _ = writeln!(out, "  <{name}>{}</{name}>", escape(value.as_str()));
            }
        }
        out.push_str("  <numbers>\n");
        for n in &c.numbers {
            let _ = write!(out, "    <number no=\"{}\"", escape(n.number.as_str()));
            if !n.kind.is_empty() {
                let _ = write!(out, " type=\"{}\"", escape(n.kind.as_str()));
            }
            if !n.outgoing.is_empty() {
                let _ = write!(out, " outgoing_id=\"{}\"", escape(n.outgoing.as_str()));
            }
            out.push_str("/>\n");
        }
        out.push_str("  </numbers>\n</contact>\n");
    }
    out.push_str("</tbook>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A schema setting, or a copy of one with another index.
    fn setting(name: &'static str, indexed: Option<u16>) -> Setting {
        Setting {
            name,
            indexed,
            ..*deskphone_settings::setting("fkey_label").unwrap()
        }
    }

    #[test]
    fn companion_settings_are_fkey_attributes() {
        assert_eq!(
            companion_attribute(&setting("fkey_label", Some(12))),
            Some("label")
        );
        assert_eq!(
            companion_attribute(&setting("fkey_longpress", Some(12))),
            Some("lp")
        );
        assert_eq!(companion_attribute(&setting("fkey_label", None)), None);
        assert_eq!(companion_attribute(&setting("fkey", Some(12))), None);
        assert_eq!(companion_attribute(&setting("user_name", Some(12))), None);
    }
}
