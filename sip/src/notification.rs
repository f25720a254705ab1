//! What a NOTIFY says (RFC 6665 §8.2.1 event packages), read from its Event header and
//! body: message summaries (RFC 3842), dialog states (RFC 4235), presence (RFC 3856 with
//! PIDF bodies, RFC 3863) and the vendor `check-sync` event. Pure functions over bytes;
//! malformed input yields defaults, never a panic.
//!
//! XML bodies are read with quick-xml, by local name (namespace prefixes such as
//! `dm:` are dropped, as RFC 4479 documents use several). No DTD is read and only the
//! five predefined entities and character references are decoded; a body that declares
//! or uses other entities is not read.

// XML 1.0 §4.6: only the five predefined entities are expanded, never a DTD's.
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// The event packages this phone understands.
pub(crate) const MESSAGE_SUMMARY: &str = "message-summary";
pub(crate) const DIALOG: &str = "dialog";
pub(crate) const CHECK_SYNC: &str = "check-sync";
pub(crate) const PRESENCE: &str = "presence";

/// The content of one NOTIFY.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notification {
    /// RFC 3842 message waiting indication.
    MessageSummary(MessageSummary),
    /// RFC 4235 dialog states of the watched entity.
    Dialog(DialogInfo),
    /// RFC 3856 presence of the watched entity (a PIDF document, RFC 3863).
    Presence(PresenceInfo),
    /// The provisioning server asks us to check our configuration; `reboot` when the Event
    /// header carries `reboot=true`.
    CheckSync { reboot: bool },
    /// Any other package (we answered 200 because we subscribed to it).
    Other {
        event: String,
        content_type: String,
        body: Vec<u8>,
    },
}

/// RFC 3842 §5.2: `Messages-Waiting`, `Message-Account` and the voice-message counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageSummary {
    pub waiting: bool,
    pub account: Option<String>,
    /// New and old voice messages (`Voice-Message: new/old (urgent_new/urgent_old)`).
    pub new: u32,
    pub old: u32,
}

impl MessageSummary {
    /// Reads an `application/simple-message-summary` body. Header names are
    /// case-insensitive (§5.2); unknown lines and other message classes are ignored.
    pub fn parse(body: &[u8]) -> Self {
        let text = String::from_utf8_lossy(body);
        let mut out = MessageSummary::default();
        for line in text.lines() {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let (name, value) = (name.trim(), value.trim());
            if name.eq_ignore_ascii_case("Messages-Waiting") {
                out.waiting = value.eq_ignore_ascii_case("yes");
            } else if name.eq_ignore_ascii_case("Message-Account") {
                out.account = Some(value.to_owned());
            } else if name.eq_ignore_ascii_case("Voice-Message") {
                let counts = value.split('(').next().unwrap_or("");
                let mut n = counts.split('/').map(|p| p.trim().parse::<u32>().ok());
                out.new = n.next().flatten().unwrap_or(0);
                out.old = n.next().flatten().unwrap_or(0);
            }
        }
        out
    }
}

/// RFC 4235 §3.7.1 dialog states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DialogState {
    Trying,
    Proceeding,
    Early,
    Confirmed,
    Terminated,
}

impl DialogState {
    fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "trying" => DialogState::Trying,
            "proceeding" => DialogState::Proceeding,
            "early" => DialogState::Early,
            "confirmed" => DialogState::Confirmed,
            "terminated" => DialogState::Terminated,
            _ => return None,
        })
    }
}

/// One `<dialog>` element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DialogEntry {
    pub id: String,
    pub state: DialogState,
    /// `initiator` or `recipient` when given (§4.1.1).
    pub direction: Option<String>,
}

/// An `application/dialog-info+xml` document (RFC 4235 §4.1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DialogInfo {
    pub entity: String,
    /// `full` replaces what we knew; `partial` updates dialogs by id (§4.1).
    pub full: bool,
    pub version: u64,
    pub dialogs: Vec<DialogEntry>,
}

/// A start or end tag: its local name (namespace prefix removed) and attributes by
/// local name, values decoded.
struct Tag {
    name: String,
    closing: bool,
    self_closing: bool,
    attrs: Vec<(String, String)>,
}

impl Tag {
    fn attribute(&self, want: &str) -> Option<String> {
        self.attrs
            .iter()
            .find(|(name, _)| name == want)
            .map(|(_, value)| value.clone())
    }
}

/// Elements nested deeper than this end the document (a PIDF tuple is 4 deep; RFC 4235
/// dialogs 3, with participant details 5).
const MAX_XML_DEPTH: usize = 32;

fn tag(e: &BytesStart<'_>, self_closing: bool) -> Option<Tag> {
    let mut attrs = Vec::new();
    // Duplicate checks off: quick-xml's are quadratic in the number of attributes; the
    // first of a name wins in `Tag::attribute`.
    for attr in e.attributes().with_checks(false) {
        let attr = attr.ok()?;
        // Namespace declarations are no attributes of the document's vocabulary.
        if attr.key.as_namespace_binding().is_some() {
            continue;
        }
        let value = attr
            .normalized_value_with(XmlVersion::Implicit1_0, 1, resolve_predefined_entity)
            .ok()?;
        attrs.push((
            attr.key.local_name().as_ref().to_owned(),
            value.into_owned(),
        ));
    }
    Some(Tag {
        name: e.local_name().as_ref().to_owned(),
        closing: false,
        self_closing,
        attrs,
    })
}

/// Splits a document into tags and the text before each (entities and character
/// references decoded, CDATA included); comments, processing instructions and the XML
/// declaration are skipped. `None` when quick-xml finds the document malformed, when
/// it declares entities, uses an entity other than the predefined five or nests too
/// deep. Elements left open at the end are not an error: what was complete is read.
/// Linear in the input.
fn tags(xml: &str) -> Option<Vec<(String, Tag)>> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(false);
    let mut out = Vec::new();
    let mut text = String::new();
    let mut depth = 0usize;
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => {
                depth += 1;
                if depth > MAX_XML_DEPTH {
                    return None;
                }
                out.push((std::mem::take(&mut text), tag(&e, false)?));
            }
            Event::Empty(e) => out.push((std::mem::take(&mut text), tag(&e, true)?)),
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                let closing = Tag {
                    name: e.local_name().as_ref().to_owned(),
                    closing: true,
                    self_closing: false,
                    attrs: Vec::new(),
                };
                out.push((std::mem::take(&mut text), closing));
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(c) => text.push_str(&c.xml10_content()),
            Event::GeneralRef(r) => {
                if r.is_char_ref() {
                    text.push(r.resolve_char_ref().ok()??);
                } else {
                    text.push_str(resolve_predefined_entity(&r)?);
                }
            }
            Event::DocType(d) if d.contains("<!ENTITY") => return None,
            Event::Eof => break,
            Event::DocType(_) | Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    Some(out)
}

impl DialogInfo {
    /// Reads a dialog-info document. Only what a busy lamp needs: the entity, full or
    /// partial, the version and each dialog's id, state and direction.
    pub fn parse(body: &[u8]) -> Option<Self> {
        let xml = std::str::from_utf8(body).ok()?;
        let mut info: Option<DialogInfo> = None;
        let mut current: Option<(String, Option<String>, Option<DialogState>)> = None;
        let mut in_state = false;
        for (text, tag) in tags(xml)? {
            if in_state && let Some((_, _, state)) = &mut current {
                *state = DialogState::parse(&text).or(*state);
            }
            in_state = false;
            match (tag.name.as_str(), tag.closing) {
                ("dialog-info", false) => {
                    info = Some(DialogInfo {
                        entity: tag.attribute("entity").unwrap_or_default(),
                        full: tag.attribute("state").as_deref() != Some("partial"),
                        version: tag
                            .attribute("version")
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0),
                        dialogs: Vec::new(),
                    });
                }
                ("dialog", false) => {
                    let id = tag.attribute("id").unwrap_or_default();
                    let direction = tag.attribute("direction");
                    current = Some((id, direction, None));
                    if tag.self_closing {
                        current = None;
                    }
                }
                ("state", false) if current.is_some() && !tag.self_closing => in_state = true,
                ("dialog", true) => {
                    if let (Some(info), Some((id, direction, Some(state)))) =
                        (&mut info, current.take())
                    {
                        info.dialogs.push(DialogEntry {
                            id,
                            state,
                            direction,
                        });
                    }
                }
                _ => {}
            }
        }
        info
    }
}

/// A PIDF document larger than this is not read: a key needs a few hundred bytes, and
/// the bound keeps the work per NOTIFY small whatever a notifier sends.
pub const MAX_PIDF_BYTES: usize = 16 * 1024;
/// Tuples kept per document; the rest are ignored (RFC 3863 sets no limit).
pub const MAX_PIDF_TUPLES: usize = 16;
/// Characters kept of a note; a key label has room for far fewer.
pub const MAX_PIDF_NOTE_CHARS: usize = 64;

/// One `<tuple>` (RFC 3863 §4.1.2): its id, `<status><basic>` and first `<note>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresenceTuple {
    pub id: String,
    /// `open` (ready to communicate) or `closed`; `None` when absent or unknown
    /// (§4.1.4: basic is optional when other status elements say more).
    pub open: Option<bool>,
    pub note: Option<String>,
}

/// An `application/pidf+xml` document (RFC 3863 §4.1): only what a presence key needs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PresenceInfo {
    /// The `entity` attribute of `<presence>` (`pres:` or `sip:` URI).
    pub entity: String,
    pub tuples: Vec<PresenceTuple>,
    /// Notes outside any tuple (§4.1.6 under `<presence>`, and RFC 4479 `<dm:person>`
    /// notes that servers such as Asterisk send).
    pub notes: Vec<String>,
}

impl PresenceInfo {
    /// Reads a PIDF document; `None` when it is not UTF-8, too large or has no
    /// `<presence>` element.
    pub fn parse(body: &[u8]) -> Option<Self> {
        if body.len() > MAX_PIDF_BYTES {
            return None;
        }
        let xml = std::str::from_utf8(body).ok()?;
        /// Which element's text the next tag ends.
        #[derive(Clone, Copy, PartialEq)]
        enum Text {
            None,
            Basic,
            Note,
        }
        let mut info: Option<PresenceInfo> = None;
        let mut tuple: Option<PresenceTuple> = None;
        let mut text = Text::None;
        for (before, tag) in tags(xml)? {
            match text {
                Text::Basic => {
                    if let Some(t) = &mut tuple {
                        t.open = match before.trim().to_ascii_lowercase().as_str() {
                            "open" => Some(true),
                            "closed" => Some(false),
                            _ => t.open,
                        };
                    }
                }
                Text::Note => {
                    let note: String = before
                        .trim()
                        .chars()
                        .filter(|c| !c.is_control())
                        .take(MAX_PIDF_NOTE_CHARS)
                        .collect();
                    match (&mut tuple, &mut info) {
                        (Some(t), _) if t.note.is_none() && !note.is_empty() => t.note = Some(note),
                        (None, Some(i)) if !note.is_empty() && i.notes.len() < MAX_PIDF_TUPLES => {
                            i.notes.push(note)
                        }
                        _ => {}
                    }
                }
                Text::None => {}
            }
            text = Text::None;
            match (tag.name.as_str(), tag.closing) {
                ("presence", false) if info.is_none() => {
                    info = Some(PresenceInfo {
                        entity: tag.attribute("entity").unwrap_or_default(),
                        ..PresenceInfo::default()
                    });
                }
                ("tuple", false) if info.is_some() && !tag.self_closing => {
                    tuple = Some(PresenceTuple {
                        id: tag.attribute("id").unwrap_or_default(),
                        open: None,
                        note: None,
                    });
                }
                ("tuple", true) => {
                    if let (Some(i), Some(t)) = (&mut info, tuple.take())
                        && i.tuples.len() < MAX_PIDF_TUPLES
                    {
                        i.tuples.push(t);
                    }
                }
                ("basic", false) if tuple.is_some() && !tag.self_closing => text = Text::Basic,
                ("note", false) if info.is_some() && !tag.self_closing => text = Text::Note,
                _ => {}
            }
        }
        info
    }

    /// Whether the entity is available: open when any tuple is open (RFC 3863 §4.1.4:
    /// each tuple is one way to reach it), closed when tuples say closed and none open,
    /// `None` when no tuple says either.
    pub fn open(&self) -> Option<bool> {
        let mut open = None;
        for t in &self.tuples {
            match t.open {
                Some(true) => return Some(true),
                Some(false) => open = Some(false),
                None => {}
            }
        }
        open
    }

    /// The note to show: one outside the tuples first (it describes the person), else
    /// that of the first open tuple, else any tuple's.
    pub fn note(&self) -> Option<&str> {
        self.notes
            .first()
            .or_else(|| {
                self.tuples
                    .iter()
                    .filter(|t| t.open == Some(true))
                    .chain(&self.tuples)
                    .find_map(|t| t.note.as_ref())
            })
            .map(String::as_str)
    }
}

/// An Event header value split into its package (lower case) and parameters
/// (RFC 6665 §8.2.1: `event-type *( SEMI event-param )`).
pub(crate) fn event_header(value: &str) -> (String, Vec<(String, String)>) {
    let mut parts = value.split(';');
    let package = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let params = parts
        .map(|p| match p.split_once('=') {
            Some((n, v)) => (
                n.trim().to_ascii_lowercase(),
                v.trim().trim_matches('"').to_owned(),
            ),
            None => (p.trim().to_ascii_lowercase(), String::new()),
        })
        .collect();
    (package, params)
}

/// Reads a NOTIFY of `event` (an Event header value) with this body.
pub(crate) fn read(event: &str, content_type: &str, body: &[u8]) -> Notification {
    let (package, params) = event_header(event);
    match package.as_str() {
        MESSAGE_SUMMARY => Notification::MessageSummary(MessageSummary::parse(body)),
        DIALOG => match DialogInfo::parse(body) {
            Some(info) => Notification::Dialog(info),
            None => Notification::Other {
                event: package,
                content_type: content_type.to_owned(),
                body: body.to_vec(),
            },
        },
        PRESENCE => match PresenceInfo::parse(body) {
            Some(info) => Notification::Presence(info),
            None => Notification::Other {
                event: package,
                content_type: content_type.to_owned(),
                body: body.to_vec(),
            },
        },
        CHECK_SYNC => Notification::CheckSync {
            reboot: params
                .iter()
                .any(|(n, v)| n == "reboot" && v.eq_ignore_ascii_case("true")),
        },
        _ => Notification::Other {
            event: package,
            content_type: content_type.to_owned(),
            body: body.to_vec(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_summary_rfc3842_example() {
        let body = b"Messages-Waiting: yes\r\nMessage-Account: sip:alice@vmail.example.com\r\n\
            Voice-Message: 2/8 (0/2)\r\n";
        let s = MessageSummary::parse(body);
        assert!(s.waiting);
        assert_eq!((s.new, s.old), (2, 8));
        assert_eq!(s.account.as_deref(), Some("sip:alice@vmail.example.com"));
        assert_eq!(MessageSummary::parse(b"messages-waiting: no\n").new, 0);
    }

    #[test]
    fn dialog_info_states_and_partial() {
        let body = br#"<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="3" state="partial"
  entity="sip:bob@pbx">
  <!-- a comment <dialog id="no"> -->
  <dialog id="a1" call-id="x" direction="recipient"><state event="x">early</state></dialog>
  <d:dialog id='b2'><d:state>confirmed</d:state></d:dialog>
  <dialog id="c3"/>
</dialog-info>"#;
        let info = DialogInfo::parse(body).unwrap();
        assert!(!info.full);
        assert_eq!(info.version, 3);
        assert_eq!(info.entity, "sip:bob@pbx");
        let states: Vec<_> = info
            .dialogs
            .iter()
            .map(|d| (d.id.as_str(), d.state))
            .collect();
        assert_eq!(
            states,
            [("a1", DialogState::Early), ("b2", DialogState::Confirmed)]
        );
        assert_eq!(info.dialogs[0].direction.as_deref(), Some("recipient"));
        assert!(DialogInfo::parse(b"\xff<").is_none());
        assert!(DialogInfo::parse(b"<dialog-info").is_none());
    }

    #[test]
    fn pidf_rfc3863_example_open_with_note() {
        // RFC 3863 §6.1, with the note of the snom PUBLISH example.
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf"
    xmlns:im="urn:ietf:params:xml:ns:pidf:im"
    entity="pres:someone@example.com">
  <tuple id="sg89ae">
    <status>
      <basic>open</basic>
      <im:im>away</im:im>
    </status>
    <contact priority="0.8">tel:+09012345678</contact>
    <note xml:lang="en">Lunch &amp; back at 2</note>
  </tuple>
</presence>"#;
        let info = PresenceInfo::parse(body).unwrap();
        assert_eq!(info.entity, "pres:someone@example.com");
        assert_eq!(info.tuples.len(), 1);
        assert_eq!(info.tuples[0].id, "sg89ae");
        assert_eq!(info.open(), Some(true));
        assert_eq!(info.note(), Some("Lunch & back at 2"));
        assert!(matches!(
            read("Presence", "application/pidf+xml", body),
            Notification::Presence(_)
        ));
    }

    #[test]
    fn pidf_several_tuples_and_person_note() {
        let body = br#"<p:presence xmlns:p="urn:ietf:params:xml:ns:pidf"
  xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="sip:bob@pbx">
  <p:tuple id="desk"><p:status><p:basic>closed</p:basic></p:status>
    <p:note>Not at desk</p:note></p:tuple>
  <p:tuple id="mobile"><p:status><p:basic> OPEN </p:basic></p:status></p:tuple>
  <p:tuple id="nobasic"><p:status/></p:tuple>
  <dm:person id="b"><dm:note>In a meeting</dm:note></dm:person>
</p:presence>"#;
        let info = PresenceInfo::parse(body).unwrap();
        let ids: Vec<_> = info
            .tuples
            .iter()
            .map(|t| (t.id.as_str(), t.open))
            .collect();
        assert_eq!(
            ids,
            [
                ("desk", Some(false)),
                ("mobile", Some(true)),
                ("nobasic", None)
            ]
        );
        assert_eq!(info.open(), Some(true), "one open tuple is enough");
        assert_eq!(info.note(), Some("In a meeting"), "the person's note first");

        let closed = PresenceInfo::parse(
            b"<presence entity='sip:c@d'><tuple id='a'><status><basic>closed</basic>\
              </status></tuple><tuple id='b'><status><basic>closed</basic></status>\
              <note>Gone home</note></tuple></presence>",
        )
        .unwrap();
        assert_eq!(closed.open(), Some(false));
        assert_eq!(closed.note(), Some("Gone home"));
        let empty = PresenceInfo::parse(b"<presence entity='sip:c@d'/>").unwrap();
        assert_eq!((empty.open(), empty.note()), (None, None));
    }

    #[test]
    fn pidf_garbage_and_oversized() {
        for garbage in [
            &b""[..],
            b"\xff\xfe<presence>",
            b"<presence",
            b"not xml at all",
            b"<dialog-info><tuple id='x'><basic>open</basic></tuple></dialog-info>",
            b"<<<>>><//>",
        ] {
            assert_eq!(PresenceInfo::parse(garbage), None, "{garbage:?}");
            assert!(matches!(
                read("presence", "application/pidf+xml", garbage),
                Notification::Other { .. }
            ));
        }
        // Unclosed and stray elements yield what was complete, without a panic.
        let info = PresenceInfo::parse(b"<presence><basic>open</basic><tuple id='t'>").unwrap();
        assert_eq!(info.open(), None);

        let tuple = "<tuple id='t'><status><basic>open</basic></status></tuple>";
        let many = format!("<presence>{}</presence>", tuple.repeat(100));
        let info = PresenceInfo::parse(many.as_bytes()).unwrap();
        assert_eq!(info.tuples.len(), MAX_PIDF_TUPLES);
        let long_note = format!("<presence><note>{}</note></presence>", "x".repeat(500));
        let info = PresenceInfo::parse(long_note.as_bytes()).unwrap();
        assert_eq!(info.note().map(str::len), Some(MAX_PIDF_NOTE_CHARS));

        let mut big = String::from("<presence><tuple id='t'><status><basic>open</basic>");
        big.push_str(&" ".repeat(MAX_PIDF_BYTES));
        big.push_str("</status></tuple></presence>");
        assert_eq!(PresenceInfo::parse(big.as_bytes()), None);
    }

    #[test]
    fn xml_entities_cdata_and_dtds() {
        // Character references, the predefined entities and CDATA are read.
        let body = br#"<?xml version="1.0"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:b&#246;b@pbx">
  <tuple id="t&amp;1"><status><basic>&#x6F;pen</basic></status>
    <note><![CDATA[Back <soon> & ]]>&#x1F600;</note></tuple>
</presence>"#;
        let info = PresenceInfo::parse(body).unwrap();
        assert_eq!(info.entity, "sip:b\u{f6}b@pbx");
        assert_eq!(info.tuples[0].id, "t&1");
        assert_eq!(info.open(), Some(true));
        assert_eq!(info.note(), Some("Back <soon> & \u{1F600}"));

        // A DTD that declares entities is refused, never expanded (billion laughs).
        let laughs = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
]>
<dialog-info entity="sip:bob@pbx"><dialog id="a"><state>&lol2;</state></dialog></dialog-info>"#;
        assert_eq!(DialogInfo::parse(laughs), None);
        // Other entities are not read either.
        let unknown = b"<presence entity='sip:c@d'><note>&nbsp;</note></presence>";
        assert_eq!(PresenceInfo::parse(unknown), None);
        let unknown_attr = b"<dialog-info entity='&ext;'/>";
        assert_eq!(DialogInfo::parse(unknown_attr), None);
        // Nesting is bounded.
        let deep = format!(
            "<presence><tuple id='t'><status><basic>open</basic></status>{}</tuple></presence>",
            "<x>".repeat(MAX_XML_DEPTH)
        );
        assert_eq!(PresenceInfo::parse(deep.as_bytes()), None);
        let fine = format!(
            "<presence><tuple id='t'><status><basic>open</basic></status>{}{}</tuple></presence>",
            "<x>".repeat(10),
            "</x>".repeat(10)
        );
        assert_eq!(
            PresenceInfo::parse(fine.as_bytes()).unwrap().open(),
            Some(true)
        );
        // Mismatched end tags are malformed.
        assert_eq!(
            DialogInfo::parse(b"<dialog-info><dialog id='a'></state></dialog-info>"),
            None
        );
    }

    #[test]
    fn dialog_info_with_default_and_prefixed_namespaces() {
        // RFC 4235 §6 style, the namespace declared as a prefix and as the default.
        // A prefix named like an attribute (`xmlns:entity`) is a declaration, not the
        // attribute.
        let body = br#"<di:dialog-info xmlns:di="urn:ietf:params:xml:ns:dialog-info"
  xmlns:entity="urn:example:not-the-entity"
  version="7" state="full" entity="sip:alice@example.com">
  <di:dialog id="as7d900as8" call-id="a84b4c76e66710" local-tag="1928301774"
      direction="initiator">
    <di:state>confirmed</di:state>
    <di:local><di:identity display="Alice">sip:alice@example.com</di:identity></di:local>
  </di:dialog>
  <dialog xmlns="urn:ietf:params:xml:ns:dialog-info" id="x2"><state>early</state></dialog>
</di:dialog-info>"#;
        let info = DialogInfo::parse(body).unwrap();
        assert!(info.full);
        assert_eq!(info.version, 7);
        assert_eq!(info.entity, "sip:alice@example.com");
        let got: Vec<_> = info
            .dialogs
            .iter()
            .map(|d| (d.id.as_str(), d.state, d.direction.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("as7d900as8", DialogState::Confirmed, Some("initiator")),
                ("x2", DialogState::Early, None)
            ]
        );
    }

    #[test]
    fn cut_off_bodies_never_panic() {
        let dialog =
            br#"<?xml version="1.0"?><dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info"
  version="1" state="full" entity="sip:b&#246;b@pbx"><!-- c --><dialog id="a" direction='initiator'>
  <state>confirmed</state></dialog><![CDATA[x]]></dialog-info>"#;
        let pidf =
            br#"<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:c@d"><tuple id="t">
  <status><basic>open</basic></status><note>A &amp; B &#x1F600;</note></tuple></presence>"#;
        for body in [&dialog[..], &pidf[..]] {
            for end in 0..=body.len() {
                let _ = DialogInfo::parse(&body[..end]);
                let _ = PresenceInfo::parse(&body[..end]);
            }
        }
        assert_eq!(DialogInfo::parse(dialog).unwrap().dialogs.len(), 1);
        assert_eq!(
            PresenceInfo::parse(pidf).unwrap().note(),
            Some("A & B \u{1F600}")
        );
    }

    #[test]
    fn check_sync_reboot_parameter() {
        assert_eq!(
            read("check-sync;reboot=true", "", b""),
            Notification::CheckSync { reboot: true }
        );
        assert_eq!(
            read("Check-Sync", "", b""),
            Notification::CheckSync { reboot: false }
        );
    }
}
