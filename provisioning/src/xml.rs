//! The XML form, read with quick-xml's pull parser: one pass, a stack of open elements,
//! no tree, no DTD.

use deskphone_settings::SettingKey;
// XML 1.0 §4.6: only the five predefined entities are expanded, never a DTD's.
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::{
    Contact, ContactNumber, MAX_ITEMS, ParseError, ProvisionedSetting, ProvisioningFile,
    SettingFile, SyntaxError, Upload, is_function_key_setting,
};

/// The element of a section or entry, and what its content becomes.
#[derive(Debug)]
enum Node {
    Settings,
    PhoneSettings,
    FunctionKeys,
    Tbook,
    Uploads,
    SettingFiles,
    /// A setting element; its text is the value. `companions` are the function key
    /// attributes that are settings of their own (`label` → `fkey_label`).
    Setting {
        key: SettingKey,
        perm: Option<String>,
        companions: Vec<(String, String)>,
    },
    /// An old-form `<item>` or a v2 `<contact>`, built in `Reader::contact`.
    Entry {
        old_form: bool,
    },
    /// A text field of an entry.
    Field(Field),
    Numbers,
    /// An element that must stay empty (`<number .../>`, `<file .../>`).
    Empty,
}

#[derive(Clone, Copy, Debug)]
enum Field {
    FirstName,
    LastName,
    /// The old form's `<name>`: the family name unless `<last_name>` is given.
    Name,
    Organization,
    Email,
    Note,
    Group,
    /// The old form's single number and its type.
    Number,
    NumberType,
}

struct Frame {
    /// The name as written, for messages.
    name: String,
    node: Node,
    line: u32,
}

/// Attributes per element; the most any element of the format has is six.
const MAX_ATTRIBUTES: usize = 64;

/// Maps quick-xml's entity errors to ours, naming the reference as written.
fn entity_error(e: quick_xml::Error, raw: &str) -> SyntaxError {
    use quick_xml::escape::EscapeError;
    match e {
        quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(_, name)) => {
            SyntaxError::UnknownEntity(name)
        }
        quick_xml::Error::Escape(EscapeError::InvalidCharRef(_)) => {
            let name = raw
                .split('&')
                .skip(1)
                .filter_map(|r| r.split_once(';').map(|(n, _)| n))
                .find(|n| n.starts_with('#'))
                .unwrap_or("#")
                .to_owned();
            SyntaxError::BadCharacterReference(name)
        }
        other => SyntaxError::Malformed(other.to_string()),
    }
}

/// Keeps the line of increasing byte positions in linear total time.
struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u32,
}

impl Lines<'_> {
    fn at(&mut self, pos: usize) -> u32 {
        let pos = pos.min(self.bytes.len());
        if pos < self.pos {
            return crate::line_at(self.bytes, pos);
        }
        let newlines = self.bytes[self.pos..pos]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.line = self
            .line
            .saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
        self.pos = pos;
        self.line
    }
}

struct XmlReader<'a> {
    lines: Lines<'a>,
    stack: Vec<Frame>,
    /// Text of the innermost setting or field element.
    text: String,
    file: ProvisioningFile,
    contact: Contact,
    /// The old form's `context` attribute and `<number>`/`<number_type>` of an `<item>`.
    old_context: String,
    old_number: Option<String>,
    old_number_type: String,
    old_name: Option<String>,
    root_seen: bool,
}

pub(crate) fn parse(text: &str) -> Result<ProvisioningFile, ParseError> {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.trim_text(false);
    config.expand_empty_elements = false;
    config.check_end_names = true;
    let mut x = XmlReader {
        lines: Lines {
            bytes: text.as_bytes(),
            pos: 0,
            line: 1,
        },
        stack: Vec::new(),
        text: String::new(),
        file: ProvisioningFile::default(),
        contact: Contact::default(),
        old_context: String::new(),
        old_number: None,
        old_number_type: String::new(),
        old_name: None,
        root_seen: false,
    };
    loop {
        let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                let pos = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                return Err(ParseError::Syntax {
                    line: x.lines.at(pos),
                    reason: SyntaxError::Malformed(e.to_string()),
                });
            }
        };
        let line = x.lines.at(start);
        let fail = |reason| ParseError::Syntax { line, reason };
        match event {
            Event::Start(e) => x.open(&e, line).map_err(fail)?,
            Event::Empty(e) => {
                x.open(&e, line).map_err(fail)?;
                x.close().map_err(fail)?;
            }
            Event::End(_) => x.close().map_err(fail)?,
            Event::Text(t) => x.text(&t.xml10_content()).map_err(fail)?,
            Event::CData(c) => x.text(&c.xml10_content()).map_err(fail)?,
            Event::GeneralRef(r) => {
                let c = reference(&r).map_err(fail)?;
                x.text(&c).map_err(fail)?;
            }
            Event::Decl(d) => {
                if let Some(Ok(enc)) = d.encoding()
                    && !enc.eq_ignore_ascii_case("utf-8")
                    && !enc.eq_ignore_ascii_case("utf8")
                {
                    return Err(fail(SyntaxError::NotUtf8Declared(enc.into_owned())));
                }
            }
            // A DTD is never read. One that declares entities is refused outright, so
            // that a file relying on them fails here, with this reason, instead of at
            // its first `&name;`.
            Event::DocType(d) => {
                if d.contains("<!ENTITY") {
                    return Err(fail(SyntaxError::EntityDeclaration));
                }
            }
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = x.stack.last() {
        return Err(ParseError::Syntax {
            line: open.line,
            reason: SyntaxError::Unclosed(open.name.clone()),
        });
    }
    if !x.root_seen {
        return Err(ParseError::Syntax {
            line: 1,
            reason: SyntaxError::NoRoot,
        });
    }
    Ok(x.file)
}

/// XML 1.0 §2.3 `Name`, approximately: quick-xml leaves names unchecked, and `<<<` must
/// not become an element called `<<`.
fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':') || !c.is_ascii())
}

/// A `&name;` or `&#n;` in text.
fn reference(r: &BytesRef<'_>) -> Result<String, SyntaxError> {
    let name: &str = r;
    let name = name.to_owned();
    if r.is_char_ref() {
        return match r.resolve_char_ref() {
            Ok(Some(c)) => Ok(c.to_string()),
            _ => Err(SyntaxError::BadCharacterReference(name)),
        };
    }
    resolve_predefined_entity(&name)
        .map(str::to_owned)
        .ok_or(SyntaxError::UnknownEntity(name))
}

/// The attributes of a start tag, unescaped, without quick-xml's duplicate check (which
/// compares each attribute with all before it); no element of the format has more than
/// a handful, so more than 64 are refused and our own check stays cheap.
fn attributes(e: &BytesStart<'_>, element: &str) -> Result<Vec<(String, String)>, SyntaxError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for attr in e.attributes().with_checks(false) {
        let attr = attr.map_err(|err| SyntaxError::Malformed(err.to_string()))?;
        let name = attr.key.as_ref().to_owned();
        // XML 1.0 §3.3.3: blanks normalised, only the predefined entities expanded.
        let value = attr
            .normalized_value_with(XmlVersion::Implicit1_0, 1, resolve_predefined_entity)
            .map_err(|err| entity_error(err, &attr.value))?
            .into_owned();
        if out.iter().any(|(n, _)| *n == name) {
            return Err(SyntaxError::DuplicateAttribute {
                element: element.to_owned(),
                attribute: name,
            });
        }
        out.push((name, value));
        if out.len() > MAX_ATTRIBUTES {
            return Err(SyntaxError::TooManyAttributes(element.to_owned()));
        }
    }
    Ok(out)
}

/// Takes the named attributes out of `attrs`; any other is an error.
fn known<const N: usize>(
    attrs: Vec<(String, String)>,
    element: &str,
    names: [&str; N],
) -> Result<[Option<String>; N], SyntaxError> {
    let mut out = [const { None }; N];
    for (name, value) in attrs {
        match names.iter().position(|n| *n == name) {
            Some(i) => out[i] = Some(value),
            None => {
                return Err(SyntaxError::UnknownAttribute {
                    element: element.to_owned(),
                    attribute: name,
                });
            }
        }
    }
    Ok(out)
}

fn bool_attr(value: Option<String>, element: &str, attribute: &str) -> Result<bool, SyntaxError> {
    match value.as_deref().map(str::trim) {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(other) => Err(SyntaxError::NotABool {
            element: element.to_owned(),
            attribute: attribute.to_owned(),
            value: other.to_owned(),
        }),
    }
}

/// The store index of a setting written with `idx`: function keys count from 0 in files
/// and from 1 in the store; everything else is 1-based in both.
fn store_index(name: &str, idx: Option<&str>, element: &str) -> Result<Option<u16>, SyntaxError> {
    let Some(raw) = idx else {
        return Ok(None);
    };
    let zero_based = is_function_key_setting(name);
    let bad = || SyntaxError::BadIdx {
        element: element.to_owned(),
        idx: raw.to_owned(),
        range: if zero_based {
            "0-based for function keys"
        } else {
            "a whole number from 1"
        },
    };
    let n: u16 = raw.trim().parse().map_err(|_| bad())?;
    if zero_based {
        n.checked_add(1).map(Some).ok_or_else(bad)
    } else {
        Ok(Some(n))
    }
}

impl XmlReader<'_> {
    fn parent(&self) -> Option<&Node> {
        self.stack.last().map(|f| &f.node)
    }

    fn items(&self) -> Result<(), SyntaxError> {
        if self.file.items() >= MAX_ITEMS {
            Err(SyntaxError::TooManyItems)
        } else {
            Ok(())
        }
    }

    fn open(&mut self, e: &BytesStart<'_>, line: u32) -> Result<(), SyntaxError> {
        let name = e.name().as_ref().to_owned();
        if !is_xml_name(&name) {
            return Err(SyntaxError::Malformed(format!(
                "`<{name}` does not start an element"
            )));
        }
        let unexpected = |parent: &str| SyntaxError::UnexpectedElement {
            element: name.clone(),
            parent: parent.to_owned(),
        };
        let section = |n: &str| match n {
            "phone-settings" => Some(Node::PhoneSettings),
            "functionKeys" => Some(Node::FunctionKeys),
            "tbook" | "phone-book" => Some(Node::Tbook),
            "uploads" => Some(Node::Uploads),
            "setting-files" => Some(Node::SettingFiles),
            _ => None,
        };
        let attrs = attributes(e, &name)?;
        let parent_name = self.stack.last().map(|f| f.name.as_str()).unwrap_or("");
        let node = match self.parent() {
            None => {
                if self.root_seen {
                    return Err(SyntaxError::AfterRoot);
                }
                self.root_seen = true;
                let node = if name == "settings" {
                    Node::Settings
                } else {
                    section(&name).ok_or_else(|| SyntaxError::UnknownRoot(name.clone()))?
                };
                self.section_attrs(&node, attrs, &name)?;
                node
            }
            Some(Node::Settings) => {
                let node = section(&name).ok_or_else(|| unexpected(parent_name))?;
                self.section_attrs(&node, attrs, &name)?;
                node
            }
            Some(Node::PhoneSettings) => {
                self.items()?;
                let [idx, perm] = known(attrs, &name, ["idx", "perm"])?;
                let idx = store_index(&name, idx.as_deref(), &name)?;
                Node::Setting {
                    key: SettingKey::new(&name, idx),
                    perm,
                    companions: Vec::new(),
                }
            }
            Some(Node::FunctionKeys) => {
                if !is_function_key_setting(&name) {
                    return Err(unexpected(parent_name));
                }
                self.items()?;
                let (mut idx, mut perm, mut companions) = (None, None, Vec::new());
                for (attr, value) in attrs {
                    match attr.as_str() {
                        "idx" => idx = Some(value),
                        "perm" => perm = Some(value),
                        // `lp` is the vendor's short attribute name for `longpress`.
                        "lp" => companions.push((format!("{name}_longpress"), value)),
                        other => companions.push((format!("{name}_{other}"), value)),
                    }
                }
                let idx = store_index(&name, idx.as_deref(), &name)?;
                Node::Setting {
                    key: SettingKey::new(&name, idx),
                    perm,
                    companions,
                }
            }
            Some(Node::Tbook) => {
                self.items()?;
                let old_form = match name.as_str() {
                    "item" => true,
                    "contact" => false,
                    _ => return Err(unexpected(parent_name)),
                };
                self.start_entry(attrs, &name, line, old_form)?;
                Node::Entry { old_form }
            }
            Some(Node::Entry { old_form }) => {
                let old_form = *old_form;
                let field = match (name.as_str(), old_form) {
                    ("first_name", _) => Field::FirstName,
                    ("last_name", _) => Field::LastName,
                    ("organization", _) => Field::Organization,
                    ("email", _) => Field::Email,
                    ("note", _) => Field::Note,
                    ("group", _) => Field::Group,
                    ("name", true) => Field::Name,
                    ("number", true) => Field::Number,
                    ("number_type", true) => Field::NumberType,
                    ("numbers", false) => {
                        known(attrs, &name, [])?;
                        self.push(name, Node::Numbers, line);
                        return Ok(());
                    }
                    _ => return Err(unexpected(parent_name)),
                };
                known(attrs, &name, [])?;
                Node::Field(field)
            }
            Some(Node::Numbers) => {
                if name != "number" {
                    return Err(unexpected(parent_name));
                }
                let [no, kind, outgoing] = known(attrs, &name, ["no", "type", "outgoing_id"])?;
                let number = no.ok_or_else(|| SyntaxError::MissingAttribute {
                    element: name.clone(),
                    attribute: "no".into(),
                })?;
                self.contact.numbers.push(ContactNumber {
                    number,
                    kind: kind.unwrap_or_default(),
                    outgoing: outgoing.unwrap_or_default(),
                });
                Node::Empty
            }
            Some(Node::Uploads) | Some(Node::SettingFiles) => {
                if name != "file" {
                    return Err(unexpected(parent_name));
                }
                self.items()?;
                let uploads = matches!(self.parent(), Some(Node::Uploads));
                let names = if uploads {
                    ["url", "type"]
                } else {
                    ["url", "url"]
                };
                let [url, kind] = known(attrs, &name, names)?;
                let url = url.ok_or_else(|| SyntaxError::MissingAttribute {
                    element: name.clone(),
                    attribute: "url".into(),
                })?;
                if uploads {
                    self.file.uploads.push(Upload {
                        url,
                        kind: kind.unwrap_or_default(),
                        line,
                    });
                } else {
                    self.file.setting_files.push(SettingFile { url, line });
                }
                Node::Empty
            }
            Some(Node::Setting { .. }) | Some(Node::Field(_)) | Some(Node::Empty) => {
                return Err(unexpected(parent_name));
            }
        };
        self.push(name, node, line);
        Ok(())
    }

    fn push(&mut self, name: String, node: Node, line: u32) {
        self.text.clear();
        self.stack.push(Frame { name, node, line });
    }

    /// Attributes of a section element: `e="2"` (the vendor's flag for character
    /// references above 255; always allowed here) and the phone book's `complete` and
    /// `version`.
    fn section_attrs(
        &mut self,
        node: &Node,
        attrs: Vec<(String, String)>,
        name: &str,
    ) -> Result<(), SyntaxError> {
        match node {
            Node::Tbook => {
                let [_, complete, _] = known(attrs, name, ["e", "complete", "version"])?;
                if bool_attr(complete, name, "complete")? {
                    self.file.phone_book_complete = true;
                }
            }
            _ => {
                known(attrs, name, ["e"])?;
            }
        }
        Ok(())
    }

    fn start_entry(
        &mut self,
        attrs: Vec<(String, String)>,
        name: &str,
        line: u32,
        old_form: bool,
    ) -> Result<(), SyntaxError> {
        self.contact = Contact {
            line,
            ..Contact::default()
        };
        self.old_number = None;
        self.old_number_type.clear();
        self.old_name = None;
        if old_form {
            // `index` orders entries on the vendor's phone; `mod` marks a user change.
            // Entries are kept in file order here.
            let [context, kind, fav, _, _] =
                known(attrs, name, ["context", "type", "fav", "mod", "index"])?;
            self.old_context = context.unwrap_or_default();
            self.contact.group = kind.filter(|k| k != "none").unwrap_or_default();
            self.contact.favourite = bool_attr(fav, name, "fav")?;
        } else {
            let [fav, vip, blocked] = known(attrs, name, ["fav", "vip", "blocked"])?;
            self.contact.favourite = bool_attr(fav, name, "fav")?;
            self.contact.vip = bool_attr(vip, name, "vip")?;
            self.contact.blocked = bool_attr(blocked, name, "blocked")?;
        }
        Ok(())
    }

    fn text(&mut self, t: &str) -> Result<(), SyntaxError> {
        match self.stack.last() {
            Some(Frame {
                node: Node::Setting { .. } | Node::Field(_),
                ..
            }) => {
                self.text.push_str(t);
                Ok(())
            }
            _ if t.chars().all(char::is_whitespace) => Ok(()),
            Some(f) => Err(SyntaxError::UnexpectedText(f.name.clone())),
            None => Err(SyntaxError::AfterRoot),
        }
    }

    fn close(&mut self) -> Result<(), SyntaxError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let text = std::mem::take(&mut self.text);
        match frame.node {
            Node::Setting {
                key,
                perm,
                companions,
            } => {
                self.file.settings.push(ProvisionedSetting {
                    key: key.clone(),
                    value: text,
                    perm: perm.clone(),
                    line: frame.line,
                });
                for (name, value) in companions {
                    self.items()?;
                    self.file.settings.push(ProvisionedSetting {
                        key: SettingKey::new(&name, key.idx),
                        value,
                        perm: perm.clone(),
                        line: frame.line,
                    });
                }
            }
            Node::Field(field) => {
                let c = &mut self.contact;
                match field {
                    Field::FirstName => c.first_name = text,
                    Field::LastName => c.last_name = text,
                    Field::Name => self.old_name = Some(text),
                    Field::Organization => c.organization = text,
                    Field::Email => c.email = text,
                    Field::Note => c.note = text,
                    Field::Group => c.group = text,
                    Field::Number => self.old_number = Some(text),
                    Field::NumberType => self.old_number_type = text,
                }
            }
            Node::Entry { old_form } => {
                let mut contact = std::mem::take(&mut self.contact);
                if old_form {
                    if let Some(name) = self.old_name.take()
                        && contact.last_name.is_empty()
                    {
                        contact.last_name = name;
                    }
                    if let Some(number) = self.old_number.take() {
                        contact.numbers.push(ContactNumber {
                            number,
                            kind: std::mem::take(&mut self.old_number_type),
                            outgoing: self.old_context.clone(),
                        });
                    }
                }
                self.file.contacts.push(contact);
            }
            _ => {}
        }
        Ok(())
    }
}
