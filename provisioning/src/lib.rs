//! Provisioning files: bytes in, a validated [`Plan`] or an error naming the line out.
//!
//! Architecture invariant: no IO and no clock. The runtime fetches a file (and limits
//! the download), hands the bytes to [`parse`] (syntax only) and [`validate`] (every
//! value against the settings schema for the phone's model), and applies the [`Plan`]
//! only when the whole file is valid: one bad item and the file changes nothing (P6).
//!
//! Two forms are read, told apart by their content ([`Form`]):
//!
//! - **XML**, the established `<settings>` file (P2): `<phone-settings>` with one
//!   element per setting (`<user_realname idx="1" perm="R">Alice</user_realname>`),
//!   `<functionKeys>`, the phone book `<tbook>` (the old `<item>` form and
//!   `version="2.0"` with `<contact>`), `<uploads>` and `<setting-files>`. Each of these
//!   sections may also be a file's root element.
//! - **Text**, the older flat form: one `name<flag>: value` per line.
//!
//! Rules a provisioning author needs to know:
//!
//! - **Function keys are 0-based in files**: `<fkey idx="0">` is key P1 and becomes
//!   `fkey[1]` in the settings store, which counts from 1 like the keys' labels. The same
//!   holds for every function-key setting (`fkey`, `fkey_*`) wherever it is written:
//!   in `<functionKeys>`, inside `<phone-settings>` and in the text form (`fkey0`).
//!   Identity settings (`user_*` and all others) keep the 1-based index they are
//!   written with.
//! - **Function key attributes are settings**: on `<fkey idx="0" label="Bob"
//!   context="active" lp="on">` each attribute `a` other than `idx` and `perm` sets the
//!   setting `fkey_a` of the same key (`lp` is short for `longpress`), with the
//!   element's `perm`.
//! - **Entities**: only the five predefined XML entities (`&amp;` `&lt;` `&gt;`
//!   `&quot;` `&apos;`) and numeric character references are decoded. A `<!DOCTYPE>`
//!   that declares entities is refused, never expanded (no billion laughs); another
//!   DTD is never loaded, and a reference to any other entity is an error.
//! - **Text form**: see [`Form::Text`].
//! - **Encoding**: UTF-8 only; a byte order mark is skipped; text is kept exactly as
//!   written (after entity decoding), never trimmed in XML.
//! - **Bounds**: at most [`MAX_FILE_BYTES`] bytes (checked before reading),
//!   [`MAX_ITEMS`] items; work is linear in the size. Nesting is bounded by the format
//!   itself: every element is checked against what its parent may hold, so no accepted
//!   document is deeper than `settings/tbook/contact/numbers/number`, and the first
//!   element out of place ends the reading.
//! - Anything the format does not define (a section such as `<dialplan>`, an attribute,
//!   a phone book field such as `<photo>`) is an error, not skipped, so that a typing
//!   error cannot pass unnoticed.
//! - A setting written twice is applied in file order, so the later value wins.

use std::fmt;

use deskphone_settings::{BadPerm, Perm, SETTINGS, SettingError, SettingKey};

mod export;
mod text;
mod validate;
mod xml;

pub use export::{contacts_to_xml, export};
pub use validate::validate;

/// The largest file read; a larger one is refused before parsing. The caller limits the
/// download as well.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;
/// Settings, contacts, uploads and setting files per file together. A full phone has a
/// few thousand settings (200+ settings, many of them per identity or key).
pub const MAX_ITEMS: usize = 100_000;
/// Phone numbers per contact.
pub const MAX_CONTACT_NUMBERS: usize = 16;
/// Characters of a contact's name, group, note or e-mail field.
pub const MAX_CONTACT_FIELD_CHARS: usize = 128;
/// Characters of a contact's number (it may be a SIP URI).
pub const MAX_CONTACT_NUMBER_CHARS: usize = 256;
/// Characters of an upload or setting-file URL.
pub const MAX_URL_CHARS: usize = 2048;

/// Reads a provisioning file: syntax only, values are not checked (see [`validate`]).
pub fn parse(bytes: &[u8]) -> Result<ProvisioningFile, ParseError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ParseError::TooLarge { size: bytes.len() });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| ParseError::NotUtf8 {
        line: line_at(bytes, e.valid_up_to()),
    })?;
    if text.trim().is_empty() {
        return Err(ParseError::Syntax {
            line: 1,
            reason: SyntaxError::Empty,
        });
    }
    match Form::detect(text) {
        Form::Xml => xml::parse(text),
        Form::Text => text::parse(text),
    }
}

/// [`parse`] and [`validate`] in one step.
pub fn read(bytes: &[u8], model: &str) -> Result<Plan, ProvisioningError> {
    validate(&parse(bytes)?, model)
}

/// The 1-based line of byte `pos`.
pub(crate) fn line_at(bytes: &[u8], pos: usize) -> u32 {
    let newlines = bytes[..pos.min(bytes.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count();
    u32::try_from(newlines + 1).unwrap_or(u32::MAX)
}

/// Which form a file is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// The `<settings>` XML form; any file whose first non-blank character is `<`,
    /// except the HTML-wrapped text form.
    Xml,
    /// The flat text form, snom's original setting file: one setting per line,
    /// `name<flag>: value`, lines ending in LF or CRLF. The flag is `$` (read-write, the
    /// next provisioning overwrites it), `!` (the user's own change remains), `&`, or
    /// nothing: a line without a flag is write-protected, as that format defines.
    /// A name has only the characters `A-Z a-z 0-9 _`; an indexed setting appends the
    /// index to its name (`user_realname1$: Alice` is `user_realname[1]`, `fkey0$: line`
    /// is `fkey[1]`, see the 0-based rule above); a name that is itself a setting is
    /// never split. The value runs from the colon to the end of the line, blanks and
    /// tabs around it removed. Lines starting with `#` or `<` are comments (`<` lets
    /// the file be wrapped in `<html><pre>` for browsers), as are blank lines. A file
    /// is in this form when its first non-blank character is not `<`, or when it
    /// starts with `<html` or `<pre`.
    Text,
}

impl Form {
    fn detect(text: &str) -> Form {
        let start = text.trim_start();
        if !start.starts_with('<') {
            return Form::Text;
        }
        let head = start.get(..5).unwrap_or(start).to_ascii_lowercase();
        if head.starts_with("<html") || head.starts_with("<pre") {
            Form::Text
        } else {
            Form::Xml
        }
    }
}

/// A parsed file, syntax checked, values as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProvisioningFile {
    pub settings: Vec<ProvisionedSetting>,
    pub contacts: Vec<Contact>,
    pub uploads: Vec<Upload>,
    pub setting_files: Vec<SettingFile>,
    /// `<tbook complete="true">`: the file's phone book replaces the phone's; without
    /// it, its entries are added to or update the phone's.
    pub phone_book_complete: bool,
}

impl ProvisioningFile {
    pub(crate) fn items(&self) -> usize {
        self.settings.len() + self.contacts.len() + self.uploads.len() + self.setting_files.len()
    }
}

/// One setting as written in a file. Its `Debug` never shows a secret's value.
#[derive(Clone, PartialEq, Eq)]
pub struct ProvisionedSetting {
    /// The key in the settings store: 1-based, also for function keys.
    pub key: SettingKey,
    /// The value as written, entities decoded.
    pub value: String,
    /// The `perm` attribute as written (`None` when absent); in the text form the flag.
    pub perm: Option<String>,
    /// 1-based line of the element's start tag or of the text line.
    pub line: u32,
}

impl fmt::Debug for ProvisionedSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProvisionedSetting")
            .field("key", &self.key)
            .field("value", &Redacted(&self.key, &self.value))
            .field("perm", &self.perm)
            .field("line", &self.line)
            .finish()
    }
}

/// A value shown in `Debug` output unless its setting is a secret.
struct Redacted<'a>(&'a SettingKey, &'a str);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if is_secret(&self.0.name) {
            f.write_str("<secret>")
        } else {
            fmt::Debug::fmt(self.1, f)
        }
    }
}

/// Whether the schema calls a setting secret; unknown names are treated as secret so
/// that a misspelt password is not printed either.
pub(crate) fn is_secret(name: &str) -> bool {
    SETTINGS
        .iter()
        .find(|s| s.name == name)
        .is_none_or(|s| s.secret)
}

/// Whether a setting belongs to function keys (`fkey`, `fkey_*`) and is therefore
/// 0-based in files. The one place outside the schema that knows this name: the index
/// rule is part of the file format, not of the setting.
pub fn is_function_key_setting(name: &str) -> bool {
    name == FUNCTION_KEY
        || name
            .strip_prefix(FUNCTION_KEY)
            .is_some_and(|r| r.starts_with('_'))
}

/// Whether `name` is a setting of the schema (the text form splits indices with it).
pub(crate) fn is_setting(name: &str) -> bool {
    SETTINGS.iter().any(|s| s.name == name)
}

/// The function key setting, and the prefix of its per-key companions (`fkey_label`).
pub(crate) const FUNCTION_KEY: &str = "fkey";

/// A phone book entry, from either `<tbook>` form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contact {
    pub first_name: String,
    /// The family name; the old form's `<name>` when it has no `<last_name>`, as the
    /// vendor documents it.
    pub last_name: String,
    pub organization: String,
    pub email: String,
    pub note: String,
    /// The group; the old form's `type` attribute (`colleagues`, …; `none` is no group).
    pub group: String,
    pub favourite: bool,
    pub vip: bool,
    /// Calls from its numbers are refused.
    pub blocked: bool,
    pub numbers: Vec<ContactNumber>,
    /// 1-based line of the `<item>` or `<contact>` start tag.
    pub line: u32,
}

/// One number of a contact.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactNumber {
    /// A number or SIP URI.
    pub number: String,
    /// Its type as written (`sip`, `mobile`, `home`, `business`, …); empty when not given.
    pub kind: String,
    /// The identity to call it from: the old form's `context` (`active`, `line1`, …),
    /// v2's `outgoing_id`; empty when not given.
    pub outgoing: String,
}

/// A file to install: `<uploads><file url="…" type="gui_lang"/></uploads>`. Its
/// `Debug` leaves out a password in the URL.
#[derive(Clone, PartialEq, Eq)]
pub struct Upload {
    pub url: String,
    /// The `type` attribute as written (what the file is, e.g. `gui_lang`).
    pub kind: String,
    pub line: u32,
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upload")
            .field("url", &without_password(&self.url))
            .field("kind", &self.kind)
            .field("line", &self.line)
            .finish()
    }
}

/// Another provisioning file to read: `<setting-files><file url="…"/></setting-files>`.
/// Its `Debug` leaves out a password in the URL.
#[derive(Clone, PartialEq, Eq)]
pub struct SettingFile {
    pub url: String,
    pub line: u32,
}

impl fmt::Debug for SettingFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SettingFile")
            .field("url", &without_password(&self.url))
            .field("line", &self.line)
            .finish()
    }
}

/// A URL for messages and `Debug`: a password in it (`http://user:pass@host/`) is not
/// repeated.
pub(crate) fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rsplit_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:…@{host}{}", &rest[end..])
        }
        _ => url.to_owned(),
    }
}

/// A validated file: what to apply, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub settings: Vec<PlannedSetting>,
    pub contacts: Vec<Contact>,
    pub uploads: Vec<Upload>,
    pub setting_files: Vec<SettingFile>,
    /// See [`ProvisioningFile::phone_book_complete`].
    pub phone_book_complete: bool,
}

impl Plan {
    /// The settings as `(key, value)` pairs in store form (`user_name[1]`), for
    /// `SettingValues::apply`.
    pub fn changes(&self) -> Vec<(String, &str)> {
        self.settings
            .iter()
            .map(|s| (s.key.to_string(), s.value.as_str()))
            .collect()
    }
}

/// One checked setting. Its `Debug` never shows a secret's value.
#[derive(Clone, PartialEq, Eq)]
pub struct PlannedSetting {
    /// Resolved against the schema and the model (1-based).
    pub key: SettingKey,
    /// The canonical spelling (`true` → `on`).
    pub value: String,
    pub perm: Perm,
    /// The schema calls it secret: write-only from here on.
    pub secret: bool,
    pub line: u32,
}

impl fmt::Debug for PlannedSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value: &dyn fmt::Debug = if self.secret {
            &"<secret>"
        } else {
            &self.value
        };
        f.debug_struct("PlannedSetting")
            .field("key", &self.key)
            .field("value", value)
            .field("perm", &self.perm)
            .field("secret", &self.secret)
            .field("line", &self.line)
            .finish()
    }
}

/// Why a file could not be read. Never quotes a setting's value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the file has {size} bytes; at most {max} are read", max = MAX_FILE_BYTES)]
    TooLarge { size: usize },
    #[error("line {line}: not UTF-8 (provisioning files must be UTF-8)")]
    NotUtf8 { line: u32 },
    #[error("line {line}: {reason}")]
    Syntax { line: u32, reason: SyntaxError },
}

/// What is wrong at a line of a file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxError {
    /// Not well-formed XML, as quick-xml describes it.
    #[error("malformed XML: {0}")]
    Malformed(String),
    #[error("the file is empty")]
    Empty,
    #[error("the file has no root element")]
    NoRoot,
    #[error("the <!DOCTYPE> declares entities; entity declarations are refused, never expanded")]
    EntityDeclaration,
    #[error("`&{0};` is not an XML entity (only &amp; &lt; &gt; &quot; &apos; and &#…; are read)")]
    UnknownEntity(String),
    #[error("`&{0};` is not a valid character reference")]
    BadCharacterReference(String),
    #[error("the file declares encoding `{0}`; provisioning files must be UTF-8")]
    NotUtf8Declared(String),
    #[error(
        "<{0}> is not a provisioning file (expected <settings>, <phone-settings>, <functionKeys>, <tbook>, <uploads> or <setting-files>)"
    )]
    UnknownRoot(String),
    #[error("<{element}> is not expected inside <{parent}>")]
    UnexpectedElement { element: String, parent: String },
    #[error("text is not expected inside <{0}>")]
    UnexpectedText(String),
    #[error("content after the end of the root element")]
    AfterRoot,
    #[error("<{0}> is not closed")]
    Unclosed(String),
    #[error("more than {max} items", max = MAX_ITEMS)]
    TooManyItems,
    #[error("<{element}> has no attribute `{attribute}`")]
    UnknownAttribute { element: String, attribute: String },
    #[error("<{0}> has too many attributes")]
    TooManyAttributes(String),
    #[error("<{element}> has attribute `{attribute}` twice")]
    DuplicateAttribute { element: String, attribute: String },
    #[error("<{element}> needs the attribute `{attribute}`")]
    MissingAttribute { element: String, attribute: String },
    #[error("<{element}>: attribute `{attribute}` is not well-formed: {why}")]
    BadAttribute {
        element: String,
        attribute: String,
        why: String,
    },
    #[error("idx `{idx}` of <{element}> is not an index ({range})")]
    BadIdx {
        element: String,
        idx: String,
        range: &'static str,
    },
    #[error("`{attribute}` of <{element}> must be true or false, not `{value}`")]
    NotABool {
        element: String,
        attribute: String,
        value: String,
    },
    #[error("expected `name: value` (with an optional flag $, ! or & before the colon)")]
    NotASettingLine,
    #[error("`{0}` is not a setting name (letters, digits and _ only)")]
    BadName(String),
    #[error("index {0} is too large")]
    IndexTooLarge(String),
}

/// Why a file was refused as a whole. Its `Display` names the line and, for a
/// setting, its key: `line 900: user_expiry[1]: …`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProvisioningError {
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The schema refused the key or the value.
    #[error("line {line}: {key}: {source}")]
    Setting {
        line: u32,
        key: SettingKey,
        source: SettingError,
    },
    /// A function key index out of range, reported as written (0-based).
    #[error("line {line}: {name} idx {idx}: function keys are numbered from 0 (P1) to {max}")]
    FunctionKeyIndex {
        line: u32,
        name: String,
        idx: u32,
        max: u16,
    },
    #[error("line {line}: {key}: {source}")]
    Perm {
        line: u32,
        key: SettingKey,
        source: BadPerm,
    },
    #[error("line {line}: contact: {reason}")]
    Contact { line: u32, reason: ContactError },
    #[error("line {line}: `{url}` is not a file URL ({why})")]
    Url {
        line: u32,
        url: String,
        why: &'static str,
    },
    #[error("more than {max} items", max = MAX_ITEMS)]
    TooManyItems,
}

impl ProvisioningError {
    /// The setting the error is about, as written (`user_expiry[1]`, `fkey`), when it is
    /// about one.
    pub fn setting(&self) -> Option<String> {
        match self {
            ProvisioningError::Setting { key, .. } | ProvisioningError::Perm { key, .. } => {
                Some(key.to_string())
            }
            ProvisioningError::FunctionKeyIndex { name, .. } => Some(name.clone()),
            _ => None,
        }
    }

    /// The 1-based line the error is at, when it is at one.
    pub fn line(&self) -> Option<u32> {
        match self {
            ProvisioningError::Parse(ParseError::TooLarge { .. })
            | ProvisioningError::TooManyItems => None,
            ProvisioningError::Parse(ParseError::NotUtf8 { line })
            | ProvisioningError::Parse(ParseError::Syntax { line, .. })
            | ProvisioningError::Setting { line, .. }
            | ProvisioningError::FunctionKeyIndex { line, .. }
            | ProvisioningError::Perm { line, .. }
            | ProvisioningError::Contact { line, .. }
            | ProvisioningError::Url { line, .. } => Some(*line),
        }
    }
}

/// What is wrong with a phone book entry.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    #[error("has no number")]
    NoNumber,
    #[error("has an empty number")]
    EmptyNumber,
    #[error("has more than {max} numbers", max = MAX_CONTACT_NUMBERS)]
    TooManyNumbers,
    #[error("`{field}` is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("`{field}` contains a control character")]
    ControlCharacter { field: &'static str },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_is_detected_from_the_content() {
        for (text, form) in [
            ("<?xml version=\"1.0\"?><settings/>", Form::Xml),
            ("\r\n  <settings/>", Form::Xml),
            ("<!-- c --><phone-settings/>", Form::Xml),
            ("language$: English", Form::Text),
            ("# comment\nlanguage: English", Form::Text),
            ("<html>\n<pre>\nlanguage: English", Form::Text),
            ("<PRE>\nlanguage: English", Form::Text),
        ] {
            assert_eq!(Form::detect(text), form, "{text}");
        }
    }

    #[test]
    fn function_key_settings_by_name() {
        assert!(is_function_key_setting("fkey"));
        assert!(is_function_key_setting("fkey_label"));
        assert!(!is_function_key_setting("fkeys"));
        assert!(!is_function_key_setting("user_name"));
    }

    #[test]
    fn passwords_in_urls_are_left_out() {
        for (url, shown) in [
            ("http://u:p@h/x", "http://u:…@h/x"),
            ("https://u:p:q@h:8080?a=b@c", "https://u:…@h:8080?a=b@c"),
            ("http://user@h/x", "http://user@h/x"),
            ("http://h/p@q", "http://h/p@q"),
            ("no scheme", "no scheme"),
        ] {
            assert_eq!(without_password(url), shown, "{url}");
        }
    }

    #[test]
    fn errors_say_where() {
        let e = read(b"<settings>\n<phone-settings>\n<language>Klingon</language>\n</phone-settings>\n</settings>", "DP480C")
            .unwrap_err();
        assert_eq!(e.line(), Some(3));
        assert!(matches!(
            e,
            ProvisioningError::Setting {
                source: SettingError::NotAChoice { .. },
                ..
            }
        ));
        assert_eq!(
            read(&vec![b' '; MAX_FILE_BYTES + 1], "DP480C")
                .unwrap_err()
                .line(),
            None
        );
    }
}
