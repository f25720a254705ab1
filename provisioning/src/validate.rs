//! Checks a parsed file against the settings schema for one model: all or nothing.

use deskphone_settings::{Perm, SettingError, SettingValues};

use crate::{
    Contact, ContactError, MAX_CONTACT_FIELD_CHARS, MAX_CONTACT_NUMBER_CHARS, MAX_CONTACT_NUMBERS,
    MAX_ITEMS, MAX_URL_CHARS, Plan, PlannedSetting, ProvisioningError, ProvisioningFile,
    is_function_key_setting, without_password,
};

/// Checks every item of `file` for `model`: each key and value with the schema
/// (`SettingValues::resolve`, `Setting::validate`; values come back in their canonical
/// spelling), each `perm`, contact and URL. The first bad item refuses the whole file.
pub fn validate(file: &ProvisioningFile, model: &str) -> Result<Plan, ProvisioningError> {
    if file.items() > MAX_ITEMS {
        return Err(ProvisioningError::TooManyItems);
    }
    let mut plan = Plan {
        settings: Vec::with_capacity(file.settings.len()),
        phone_book_complete: file.phone_book_complete,
        ..Plan::default()
    };
    for s in &file.settings {
        let setting_error = |source| ProvisioningError::Setting {
            line: s.line,
            key: s.key.clone(),
            source,
        };
        let setting = SettingValues::resolve(&s.key, model).map_err(|e| match e {
            // Report a function key index as the file wrote it (0-based).
            SettingError::BadIndex { name, max }
                if is_function_key_setting(&name) && s.key.idx.is_some() =>
            {
                ProvisioningError::FunctionKeyIndex {
                    line: s.line,
                    idx: u32::from(s.key.idx.unwrap_or(1)) - 1,
                    name,
                    max: max - 1,
                }
            }
            e => setting_error(e),
        })?;
        let value = setting.validate(&s.value).map_err(setting_error)?;
        let perm = Perm::parse(s.perm.as_deref()).map_err(|source| ProvisioningError::Perm {
            line: s.line,
            key: s.key.clone(),
            source,
        })?;
        plan.settings.push(PlannedSetting {
            key: s.key.clone(),
            value,
            perm,
            secret: setting.secret,
            line: s.line,
        });
    }
    for c in &file.contacts {
        check_contact(c).map_err(|reason| ProvisioningError::Contact {
            line: c.line,
            reason,
        })?;
    }
    plan.contacts = file.contacts.clone();
    for (url, line) in file
        .uploads
        .iter()
        .map(|u| (&u.url, u.line))
        .chain(file.setting_files.iter().map(|f| (&f.url, f.line)))
    {
        check_url(url).map_err(|why| ProvisioningError::Url {
            line,
            url: without_password(url),
            why,
        })?;
    }
    plan.uploads = file.uploads.clone();
    plan.setting_files = file.setting_files.clone();
    Ok(plan)
}

fn check_field(field: &'static str, value: &str, max: usize) -> Result<(), ContactError> {
    if value.chars().any(char::is_control) {
        return Err(ContactError::ControlCharacter { field });
    }
    if value.chars().count() > max {
        return Err(ContactError::TooLong { field, max });
    }
    Ok(())
}

fn check_contact(c: &Contact) -> Result<(), ContactError> {
    for (field, value) in [
        ("first_name", &c.first_name),
        ("last_name", &c.last_name),
        ("organization", &c.organization),
        ("email", &c.email),
        ("group", &c.group),
    ] {
        check_field(field, value, MAX_CONTACT_FIELD_CHARS)?;
    }
    // A note may span lines.
    if c.note.chars().any(|ch| ch.is_control() && ch != '\n') {
        return Err(ContactError::ControlCharacter { field: "note" });
    }
    if c.note.chars().count() > MAX_CONTACT_FIELD_CHARS {
        return Err(ContactError::TooLong {
            field: "note",
            max: MAX_CONTACT_FIELD_CHARS,
        });
    }
    if c.numbers.is_empty() {
        return Err(ContactError::NoNumber);
    }
    if c.numbers.len() > MAX_CONTACT_NUMBERS {
        return Err(ContactError::TooManyNumbers);
    }
    for n in &c.numbers {
        if n.number.trim().is_empty() {
            return Err(ContactError::EmptyNumber);
        }
        check_field("number", &n.number, MAX_CONTACT_NUMBER_CHARS)?;
        check_field("type", &n.kind, MAX_CONTACT_FIELD_CHARS)?;
        check_field("outgoing", &n.outgoing, MAX_CONTACT_FIELD_CHARS)?;
    }
    Ok(())
}

/// An upload or setting-file URL: http, https, ftp or tftp with a host, no blanks.
fn check_url(url: &str) -> Result<(), &'static str> {
    if url.chars().count() > MAX_URL_CHARS {
        return Err("too long");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("it contains blanks or control characters");
    }
    let (scheme, rest) = url.split_once("://").ok_or("no scheme")?;
    if !["http", "https", "ftp", "tftp"]
        .iter()
        .any(|s| scheme.eq_ignore_ascii_case(s))
    {
        return Err("the scheme must be http, https, ftp or tftp");
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') {
        return Err("no host");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls() {
        for good in [
            "http://prov.example.com/a.xml",
            "HTTPS://[2001:db8::1]:8443/x?mac={mac}",
            "tftp://10.0.0.1/phone.xml",
            "ftp://user:pass@host/file",
        ] {
            assert_eq!(check_url(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "prov.example.com/a.xml",
            "file:///etc/passwd",
            "http:///nohost",
            "http://:80/x",
            "http://a b/",
            "http://host/\u{7}",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        assert!(check_url(&format!("http://h/{}", "a".repeat(MAX_URL_CHARS))).is_err());
    }

    #[test]
    fn contact_limits() {
        use crate::ContactNumber;
        let number = |n: &str| ContactNumber {
            number: n.into(),
            ..ContactNumber::default()
        };
        let ok = Contact {
            last_name: "Doe".into(),
            note: "two\nlines".into(),
            numbers: vec![number("1")],
            ..Contact::default()
        };
        assert_eq!(check_contact(&ok), Ok(()));
        let with = |f: &dyn Fn(&mut Contact)| {
            let mut c = ok.clone();
            f(&mut c);
            check_contact(&c)
        };
        assert_eq!(with(&|c| c.numbers.clear()), Err(ContactError::NoNumber));
        assert_eq!(
            with(&|c| c.numbers = vec![number(" ")]),
            Err(ContactError::EmptyNumber)
        );
        assert_eq!(
            with(&|c| c.numbers = vec![number("1"); MAX_CONTACT_NUMBERS + 1]),
            Err(ContactError::TooManyNumbers)
        );
        assert_eq!(
            with(&|c| c.first_name = "x".repeat(MAX_CONTACT_FIELD_CHARS + 1)),
            Err(ContactError::TooLong {
                field: "first_name",
                max: MAX_CONTACT_FIELD_CHARS
            })
        );
        assert_eq!(
            with(&|c| c.email = "a\tb".into()),
            Err(ContactError::ControlCharacter { field: "email" })
        );
        assert_eq!(
            with(&|c| c.note = "a\u{1b}b".into()),
            Err(ContactError::ControlCharacter { field: "note" })
        );
    }
}
