//! SIP torture messages (RFC 4475, RFC 5118) against the core's parser and a `UserAgent`.
//!
//! Data-driven: every row of `expected.tsv` in the shared conformance folder is one case.
//! Adding a case is adding its file and its row. For each row:
//!
//! * the bytes go through the public parser ([`deskphone_sip::parse`]); a `valid` message
//!   must parse, and where the table names facts a UA relies on they are checked (see
//!   [`facts`]);
//! * the bytes are fed to a fresh `UserAgent` (`handle_datagram`, then `poll_transmit` /
//!   `poll_event`), and what it does must be one of the outcomes column 4 allows (see
//!   [`Expect::from_row`] for how the column is read);
//! * nothing may panic; a panic is reported as that case's failure.
//!
//! The folder is `$DESKPHONE_SHARED/conformance/sip-torture`, or `<workspace>/../shared/...`
//! without the variable; if it is missing the test fails.
//!
//! The same module is compiled into `benches/parse.rs` (the `#[test]` functions drop out
//! there) to print rsip-alone versus core pass counts.

use std::net::{IpAddr, SocketAddr};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use deskphone_sip::parse::{Essentials, Host, Message, ParseError, StartLine, Uri, unescape};
use deskphone_sip::{Event, SessionDescription, Transmit, UaConfig, UserAgent};

/// The torture folder; panics with directions when it is not there (never skip).
pub fn corpus_dir() -> PathBuf {
    let shared = std::env::var_os("DESKPHONE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    let dir = shared.join("conformance/sip-torture");
    assert!(
        dir.join("expected.tsv").is_file(),
        "SIP torture corpus not found at {}: set DESKPHONE_SHARED to the shared folder \
         (the one holding conformance/sip-torture/expected.tsv)",
        dir.display()
    );
    dir
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Valid,
    /// `valid-but-unusual-semantics`: the bytes are fine, the handling is decided above the
    /// parser and column 4 says how.
    Unusual,
    Invalid,
}

#[derive(Clone, Debug)]
pub struct Row {
    pub file: String,
    pub class: Class,
    pub section: String,
    pub what: String,
}

pub fn rows(dir: &Path) -> Vec<Row> {
    let tsv = std::fs::read_to_string(dir.join("expected.tsv"))
        .unwrap_or_else(|e| panic!("reading expected.tsv: {e}"));
    let mut out = Vec::new();
    for (n, line) in tsv.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [file, class, section, what] = cols[..] else {
            panic!("expected.tsv line {}: want 4 tab-separated columns", n + 1);
        };
        let class = match class {
            "valid" => Class::Valid,
            "valid-but-unusual-semantics" => Class::Unusual,
            c if c.starts_with("invalid") => Class::Invalid,
            c => panic!("expected.tsv line {}: unknown class {c:?}", n + 1),
        };
        out.push(Row {
            file: file.into(),
            class,
            section: section.into(),
            what: what.into(),
        });
    }
    out
}

/// The datagram a case stands for. The README of the corpus describes the archive quirks
/// and asks a harness to repair them in memory: RFC 5118 files get CRLF line ends, the
/// closing empty line and a Content-Length matching the body; `baddn.dat` gets the empty
/// line its archive copy lacks.
pub fn wire_bytes(file: &str, raw: &[u8]) -> Vec<u8> {
    if file == "baddn.dat" {
        let mut v = raw.to_vec();
        v.extend_from_slice(b"\r\n");
        return v;
    }
    if !file.starts_with("rfc5118/") {
        return raw.to_vec();
    }
    let text = String::from_utf8_lossy(raw).replace("\r\n", "\n");
    let (head, body) = text.split_once("\n\n").unwrap_or((text.trim_end(), ""));
    let body = body.replace('\n', "\r\n");
    let mut out = String::new();
    for line in head.lines() {
        if line.to_ascii_lowercase().starts_with("content-length") {
            out.push_str(&format!("Content-Length: {}\r\n", body.len()));
        } else {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("\r\n");
    out.push_str(&body);
    out.into_bytes()
}

/// What column 4 allows a UA to do. Any one of the alternatives passes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expect {
    /// Answer with one of these final codes.
    pub answer: Vec<u16>,
    /// Send nothing.
    pub discard: bool,
    /// Handle the message normally (see [`processed_normally`]).
    pub process: bool,
    /// Refuse it in any way: an error response or silence (class `invalid` default).
    pub any_rejection: bool,
}

/// Codes a UA gives a request it refuses as broken or unsupported, as opposed to the
/// answers of normal processing (200, 405 for a method we do not serve, 481, ...).
const REFUSALS: [u16; 8] = [400, 406, 415, 416, 420, 501, 505, 513];

impl Expect {
    /// Read column 4, which addresses several kinds of element, for a UA:
    /// * it is cut into clauses at ". " and ";", and each clause is cut where it starts to
    ///   speak of another element or case ("proxy", "registrar" unless "not a registrar",
    ///   "over a stream", "over TCP", "liberal", "an element may", "had only");
    /// * a clause with a word starting "respond", "answer", "reject", "UAS", "reasonable"
    ///   or "acceptable" contributes each number from 400 to 699 in it as an allowed final
    ///   response;
    /// * "discard"/"drop" (not "... the rest of the datagram") allows silence;
    /// * the words "accept(s)", "process(es)", "ignore", "succeeds" or "fall back" allow
    ///   normal handling ("Accept:" the header name does not count).
    ///
    /// Without any of these the class decides: `invalid` allows any refusal, the others
    /// normal handling.
    pub fn from_row(row: &Row) -> Expect {
        const OTHERS: [&str; 8] = [
            "prox",
            "registrar",
            "over a stream",
            "over tcp",
            "liberal",
            "an element may",
            "had only",
            "archive quirk",
        ];
        let mut e = Expect::default();
        let text = row.what.replace(". ", ";");
        for clause in text.split(';') {
            let mut c = clause
                .to_ascii_lowercase()
                .replace("accept:", "")
                .replace("not a registrar", "endpoint");
            if let Some(cut) = OTHERS.iter().filter_map(|o| c.find(o)).min() {
                c.truncate(cut);
            }
            let words: Vec<&str> = c
                .split(|ch: char| !ch.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            let starts = |w: &str| words.iter().any(|x| x.starts_with(w));
            let is = |list: &[&str]| words.iter().any(|x| list.contains(x));
            if [
                "respond",
                "answer",
                "reject",
                "uas",
                "reasonable",
                "acceptable",
            ]
            .iter()
            .any(|w| starts(w))
            {
                for w in &words {
                    if w.len() == 3
                        && let Ok(code) = w.parse::<u16>()
                        && (400..=699).contains(&code)
                        && !e.answer.contains(&code)
                    {
                        e.answer.push(code);
                    }
                }
            }
            if (starts("discard") || starts("drop")) && !c.contains("rest of the datagram") {
                e.discard = true;
            }
            let handle = [
                "accept",
                "accepts",
                "process",
                "processes",
                "ignore",
                "succeeds",
            ];
            if is(&handle) || c.contains("fall back") {
                e.process = true;
            }
        }
        if e.answer.is_empty() && !e.discard && !e.process {
            match row.class {
                Class::Invalid => e.any_rejection = true,
                Class::Valid | Class::Unusual => e.process = true,
            }
        }
        e
    }
}

/// What the core's parser made of the bytes.
pub struct CoreParse<'a> {
    pub message: Result<Message<'a>, ParseError>,
}

impl CoreParse<'_> {
    /// Start line, framing, every header field, the typed UA fields and the Request-URI
    /// parsed; `Err` says what was refused.
    pub fn verdict(&self) -> Result<(), String> {
        let m = self.message.as_ref().map_err(|e| e.to_string())?;
        m.essentials().map_err(|e| e.to_string())?;
        if let StartLine::Request { uri, .. } = &m.start {
            Uri::parse(uri).map_err(|e| format!("Request-URI: {e}"))?;
        }
        Ok(())
    }
}

/// What the UA did with the datagram.
#[derive(Debug, Default)]
pub struct UaOutcome {
    pub transmits: Vec<Transmit>,
    pub events: Vec<Event>,
}

impl UaOutcome {
    /// Status codes sent, in order (datagrams that do not parse as responses count as 0).
    pub fn codes(&self) -> Vec<u16> {
        self.transmits
            .iter()
            .map(|t| match Message::parse(&t.payload).map(|m| m.start) {
                Ok(StartLine::Response { code, .. }) => code,
                _ => 0,
            })
            .collect()
    }

    fn finals(&self) -> Vec<u16> {
        self.codes().into_iter().filter(|&c| c != 100).collect()
    }

    fn incoming_call(&self) -> bool {
        self.events
            .iter()
            .any(|e| matches!(e, Event::IncomingCall { .. }))
    }

    pub fn summary(&self) -> String {
        let codes = self.codes();
        let mut s = if codes.is_empty() {
            "silent".to_string()
        } else {
            codes
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join("+")
        };
        if self.incoming_call() {
            s.push_str(" +IncomingCall");
        }
        s
    }
}

/// Where the datagram comes from: the top Via's address when it is an IP literal (so that
/// answers go back over the same IP family), else a documentation address.
fn source(data: &[u8]) -> SocketAddr {
    let ip = Message::parse(data)
        .ok()
        .and_then(|m| {
            let e = m.essentials().ok()?;
            e.vias.first()?.host.ip()
        })
        .unwrap_or(IpAddr::from([192, 0, 2, 1]));
    SocketAddr::new(ip, 5060)
}

pub fn run_ua(data: &[u8]) -> (SocketAddr, UaOutcome) {
    let src = source(data);
    let local: SocketAddr = if src.is_ipv6() {
        "[2001:db8::10]:5060".parse().unwrap()
    } else {
        "192.0.2.99:5060".parse().unwrap()
    };
    let mut ua = UserAgent::new(UaConfig {
        local_addr: local,
        user_agent: "torture".into(),
        rng_seed: Some(1),
    });
    ua.handle_datagram(Instant::now(), src, data);
    let mut out = UaOutcome::default();
    while let Some(t) = ua.poll_transmit() {
        out.transmits.push(t);
    }
    while let Some(e) = ua.poll_event() {
        out.events.push(e);
    }
    (src, out)
}

/// Normal handling: a response is absorbed (no client transaction matches it), an ACK gets
/// nothing, an INVITE gets 100 Trying and becomes an incoming call (or, with a To tag,
/// 481 for the unknown dialog, RFC 3261 §12.2.2), any other request gets exactly one final
/// response that is not a refusal.
fn processed_normally(msg: &Message<'_>, ua: &UaOutcome) -> Result<(), String> {
    match &msg.start {
        StartLine::Response { .. } => match ua.transmits.is_empty() {
            true => Ok(()),
            false => Err(format!("answered a response: {}", ua.summary())),
        },
        StartLine::Request { method: "ACK", .. } => match ua.transmits.is_empty() {
            true => Ok(()),
            false => Err(format!("answered an ACK: {}", ua.summary())),
        },
        StartLine::Request {
            method: "INVITE", ..
        } => match (ua.codes().as_slice(), ua.incoming_call()) {
            ([100], true) => Ok(()),
            ([481], false) if msg.essentials().is_ok_and(|e| e.to.tag().is_some()) => Ok(()),
            _ => Err(format!("INVITE not offered as a call: {}", ua.summary())),
        },
        StartLine::Request { .. } => match ua.finals().as_slice() {
            [c] if !REFUSALS.contains(c) => Ok(()),
            _ => Err(format!("not handled normally: {}", ua.summary())),
        },
    }
}

/// Checks every answer must pass: it parses as a response, goes back over the family it
/// came from, and copies Call-ID and CSeq of the request when those parsed.
fn answers_well_formed(
    msg: Option<&Message<'_>>,
    src: SocketAddr,
    ua: &UaOutcome,
) -> Result<(), String> {
    for t in &ua.transmits {
        let resp =
            Message::parse(&t.payload).map_err(|e| format!("our answer does not parse: {e}"))?;
        if !matches!(resp.start, StartLine::Response { .. }) {
            return Err("we sent a request".into());
        }
        if t.dest.is_ipv6() != src.is_ipv6() || t.dest.ip() != src.ip() {
            return Err(format!(
                "answer sent to {} for a datagram from {src}",
                t.dest
            ));
        }
        let Some(req) = msg else { continue };
        for name in ["Call-ID", "CSeq"] {
            if let (Some(a), Some(b)) = (req.header(name), resp.header(name))
                && a != b
            {
                return Err(format!("answer has {name} {b:?}, request had {a:?}"));
            }
        }
    }
    Ok(())
}

/// The result of one case.
pub struct CaseReport {
    pub row: Row,
    /// The core's parser accepted the bytes ([`CoreParse::verdict`]).
    pub core_parsed: Result<(), String>,
    /// rsip 0.4 alone: `SipMessage::try_from` plus its typed Via/From/To/CSeq/Call-ID.
    pub rsip_parsed: Result<(), String>,
    pub ua: String,
    /// Why the core fails this case; empty when it passes.
    pub failures: Vec<String>,
}

impl CaseReport {
    pub fn core_passes(&self) -> bool {
        self.failures.is_empty()
    }

    /// Whether a parse verdict is right for the row: a `valid` message must parse, an
    /// `invalid` one must not unless column 4 lets it be handled anyway (e.g. an ignorable
    /// Date), and an unusual one must parse unless the expected answer is 400 anyway.
    pub fn parse_verdict_ok(&self, parsed: bool) -> bool {
        let e = Expect::from_row(&self.row);
        match (self.row.class, parsed) {
            (Class::Valid, p) => p,
            (Class::Unusual, true) => true,
            (Class::Unusual, false) => e.answer.contains(&400),
            (Class::Invalid, true) => e.process,
            (Class::Invalid, false) => true,
        }
    }

    pub fn rsip_passes(&self) -> bool {
        self.parse_verdict_ok(self.rsip_parsed.is_ok())
    }

    /// Not an RFC case (README: exclude `test.dat` from conformance counts).
    pub fn counted(&self) -> bool {
        !self.row.section.contains("none")
    }
}

fn rsip_alone(data: &[u8]) -> Result<(), String> {
    use rsip::prelude::{HeadersExt, ToTypedHeader};
    let m = rsip::SipMessage::try_from(data).map_err(|e| e.to_string())?;
    m.via_header()
        .and_then(|h| h.typed())
        .map_err(|e| format!("Via: {e}"))?;
    m.from_header()
        .and_then(|h| h.typed())
        .map_err(|e| format!("From: {e}"))?;
    m.to_header()
        .and_then(|h| h.typed())
        .map_err(|e| format!("To: {e}"))?;
    m.cseq_header()
        .and_then(|h| h.typed())
        .map_err(|e| format!("CSeq: {e}"))?;
    m.call_id_header().map_err(|e| format!("Call-ID: {e}"))?;
    Ok(())
}

fn panic_text(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

pub fn run_case(dir: &Path, row: &Row) -> CaseReport {
    let mut failures = Vec::new();
    let raw = std::fs::read(dir.join(&row.file)).unwrap_or_else(|e| panic!("{}: {e}", row.file));
    let data = wire_bytes(&row.file, &raw);
    let expect = Expect::from_row(row);

    let rsip_parsed = catch_unwind(|| rsip_alone(&data))
        .unwrap_or_else(|p| Err(format!("rsip panicked: {}", panic_text(p))));

    let parsed = catch_unwind(|| {
        let core = CoreParse {
            message: Message::parse(&data),
        };
        let verdict = core.verdict();
        let facts = match &core.message {
            Ok(m) => facts(&row.file, m, m.essentials().ok().as_ref()),
            Err(_) => Ok(()),
        };
        (verdict, facts)
    });
    let core_parsed = match parsed {
        Err(p) => {
            failures.push(format!("parser panicked: {}", panic_text(p)));
            Err("panic".into())
        }
        Ok((verdict, facts)) => {
            if row.class == Class::Valid
                && let Err(why) = &verdict
            {
                failures.push(format!("valid message refused by the parser: {why}"));
            }
            if let Err(why) = facts {
                failures.push(format!("wrong fact: {why}"));
            }
            verdict
        }
    };

    let ua = match catch_unwind(AssertUnwindSafe(|| run_ua(&data))) {
        Err(p) => {
            failures.push(format!("UserAgent panicked: {}", panic_text(p)));
            "panic".to_string()
        }
        Ok((src, outcome)) => {
            let msg = Message::parse(&data).ok();
            if let Err(why) = answers_well_formed(msg.as_ref(), src, &outcome) {
                failures.push(why);
            }
            let mut tried = Vec::new();
            let mut ok = false;
            if !expect.answer.is_empty() {
                let finals = outcome.finals();
                ok |= matches!(finals.as_slice(), [c] if expect.answer.contains(c))
                    && !outcome.incoming_call();
                tried.push(format!("answer {:?}", expect.answer));
            }
            if expect.discard {
                ok |= outcome.transmits.is_empty() && !outcome.incoming_call();
                tried.push("discard".into());
            }
            if expect.process {
                match &msg {
                    Some(m) if core_parsed.is_ok() => match processed_normally(m, &outcome) {
                        Ok(()) => ok = true,
                        Err(why) => tried.push(format!("normal handling ({why})")),
                    },
                    _ => tried.push("normal handling (the parser refused it)".into()),
                }
            }
            if expect.any_rejection {
                let finals = outcome.finals();
                ok |= !outcome.incoming_call()
                    && (finals.is_empty() && outcome.transmits.is_empty()
                        || matches!(finals.as_slice(), [c] if (400..700).contains(c)));
                tried.push("any refusal".into());
            }
            if !ok {
                failures.push(format!(
                    "UA did {}; column 4 allows: {}",
                    outcome.summary(),
                    tried.join(" or ")
                ));
            }
            outcome.summary()
        }
    };
    CaseReport {
        row: row.clone(),
        core_parsed,
        rsip_parsed,
        ua,
        failures,
    }
}

pub fn run_all() -> Vec<CaseReport> {
    let dir = corpus_dir();
    rows(&dir).iter().map(|row| run_case(&dir, row)).collect()
}

macro_rules! check {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(format!($($fmt)+));
        }
    };
}

fn v6(s: &str) -> Host<'static> {
    Host::V6(s.parse().unwrap())
}

fn ruri<'m>(m: &'m Message<'_>) -> Result<Uri<'m>, String> {
    match &m.start {
        StartLine::Request { uri, .. } => Uri::parse(uri).map_err(|e| e.to_string()),
        StartLine::Response { .. } => Err("not a request".into()),
    }
}

fn sip_part<'u, 'a>(uri: &'u Uri<'a>) -> Result<&'u deskphone_sip::parse::SipUri<'a>, String> {
    uri.sip().ok_or_else(|| format!("{uri} is not a SIP URI"))
}

fn method<'m>(m: &'m Message<'_>) -> &'m str {
    match &m.start {
        StartLine::Request { method, .. } => method,
        StartLine::Response { .. } => "",
    }
}

/// Facts column 4 names that matter to a UA, per file. Files without an entry only get the
/// generic checks.
fn facts(file: &str, m: &Message<'_>, e: Option<&Essentials<'_>>) -> Result<(), String> {
    let need = || e.ok_or_else(|| "the UA header fields did not parse".to_string());
    match file {
        "wsinv.dat" => {
            let e = need()?;
            check!(e.to.tag() == Some("1918181833n"), "To tag {:?}", e.to.tag());
            check!(
                e.from.tag() == Some("98asjd8"),
                "From tag {:?}",
                e.from.tag()
            );
            let dn = e.from.display_name();
            check!(
                dn.as_deref() == Some(r#"J Rosenberg \""#),
                "From display {dn:?}"
            );
            check!(
                e.max_forwards == Some(68),
                "Max-Forwards {:?}",
                e.max_forwards
            );
            check!(
                (e.cseq.seq, e.cseq.method) == (9, "INVITE"),
                "CSeq {:?}",
                e.cseq
            );
            check!(e.vias.len() == 3, "{} Via values", e.vias.len());
            check!(
                e.vias[0].branch() == Some("390skdjuw"),
                "branch {:?}",
                e.vias[0].branch()
            );
            check!(
                e.vias[1].transport == "TCP" && e.vias[1].sent_by() == "spindle.example.com",
                "second Via {:?}",
                e.vias[1]
            );
            check!(
                e.vias[2].branch() == Some("z9hG4bK30239"),
                "third Via {:?}",
                e.vias[2]
            );
            let c = &e.contacts[0];
            check!(
                c.display_name().as_deref() == Some(r#"Quoted string """#),
                "Contact {c:?}"
            );
            check!(
                c.params.get("newparam") == Some(Some("newvalue")),
                "Contact params {:?}",
                c.params
            );
            check!(
                c.params.get("q") == Some(Some("0.33")),
                "Contact q {:?}",
                c.params
            );
            check!(
                m.header("Subject") == Some(""),
                "Subject {:?}",
                m.header("Subject")
            );
            let nf = m.header("NewFangledHeader");
            check!(
                nf == Some("newfangled value continued newfangled value"),
                "unfolded {nf:?}"
            );
            check!(m.body.len() == 150, "body {} octets", m.body.len());
        }
        "intmeth.dat" => {
            let e = need()?;
            check!(
                method(m) == "!interesting-Method0123456789_*+`.%indeed'~",
                "method {}",
                method(m)
            );
            let uri = ruri(m)?;
            let u = sip_part(&uri)?;
            check!(
                u.user == Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*"),
                "user {:?}",
                u.user
            );
            check!(
                u.password == Some("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)"),
                "password {:?}",
                u.password
            );
            let to = e.to.display_name();
            check!(
                to.as_deref() == Some("BEL:\x07 NUL:\0 DEL:\x7f"),
                "To display {to:?}"
            );
            check!(
                e.from.display == Some("token1~` token2'+_ token3*%!.-"),
                "From display {:?}",
                e.from.display
            );
            check!(
                e.from.tag() == Some("_token~1'+`*%!-."),
                "From tag {:?}",
                e.from.tag()
            );
            check!(
                e.call_id == r#"intmeth.word%ZK-!.*_+'@word`~)(><:\/"][?}{"#,
                "Call-ID {}",
                e.call_id
            );
        }
        "esc01.dat" => {
            let e = need()?;
            let uri = ruri(m)?;
            let user = sip_part(&uri)?.user_unescaped();
            check!(
                user.as_deref() == Some(b"sips:user@example.com".as_slice()),
                "Request-URI user {user:?}"
            );
            let to = sip_part(&e.to.uri)?.user_unescaped();
            check!(to.as_deref() == Some(b"user".as_slice()), "To user {to:?}");
            let from = sip_part(&e.from.uri)?.user_unescaped();
            check!(
                from.as_deref() == Some(b"I have spaces".as_slice()),
                "From user {from:?}"
            );
            let c = sip_part(&e.contacts[0].uri)?;
            check!(
                c.user_unescaped().as_deref() == Some(b"caller".as_slice()),
                "Contact user {:?}",
                c.user
            );
            check!(
                c.params.get("lr") == Some(None),
                "Contact %6C%72 is lr: {:?}",
                c.params
            );
            let name = c.params.get("name").flatten().map(unescape);
            check!(
                name.as_deref() == Some(b"value%41".as_slice()),
                "unescaped once: {name:?}"
            );
        }
        "escnull.dat" => {
            let e = need()?;
            let to = sip_part(&e.to.uri)?.user_unescaped();
            check!(
                to.as_deref() == Some(b"null-\0-null".as_slice()),
                "To user {to:?}"
            );
            check!(e.contacts.len() == 2, "{} Contact values", e.contacts.len());
            let users: Vec<_> = e
                .contacts
                .iter()
                .filter_map(|c| c.uri.sip()?.user_unescaped())
                .collect();
            check!(
                users == [b"\0".as_slice(), b"\0\0".as_slice()],
                "Contact users {users:?}"
            );
        }
        "esc02.dat" => {
            let e = need()?;
            check!(method(m) == "RE%47IST%45R", "method {}", method(m));
            check!(
                e.contacts.len() == 2,
                "{} Contact values (C%6Fntact is another header)",
                e.contacts.len()
            );
            check!(
                m.header("C%6Fntact").is_some(),
                "extension header C%6Fntact lost"
            );
            check!(
                e.to.display_name().as_deref() == Some("%Z%45"),
                "To display {:?}",
                e.to.display
            );
        }
        "lwsdisp.dat" => {
            let e = need()?;
            check!(
                e.from.display == Some("caller"),
                "From display {:?}",
                e.from.display
            );
            check!(
                e.from.uri.to_string() == "sip:caller@example.com",
                "From URI {}",
                e.from.uri
            );
        }
        "longreq.dat" => {
            let e = need()?;
            check!(e.vias.len() == 34, "{} Via values", e.vias.len());
            let dn = e.to.display_name().unwrap_or_default();
            check!(
                dn.len() > 90 && dn.ends_with("proportion"),
                "To display {dn:?}"
            );
            check!(e.call_id.len() > 140, "Call-ID cut to {}", e.call_id.len());
            check!(m.body.len() == 150, "body {} octets", m.body.len());
        }
        "dblreq.dat" => {
            let e = need()?;
            check!(
                method(m) == "REGISTER" && m.body.is_empty(),
                "framing: {} body {}",
                method(m),
                m.body.len()
            );
            check!(
                m.discarded > 400,
                "trailing INVITE not discarded ({} octets)",
                m.discarded
            );
            check!(
                e.call_id == "dblreq.0ha0isndaksdj99sdfafnl3lk233412",
                "Call-ID {}",
                e.call_id
            );
        }
        "semiuri.dat" => {
            let uri = ruri(m)?;
            let u = sip_part(&uri)?;
            check!(
                u.user == Some("user;par=u%40example.net"),
                "user {:?}",
                u.user
            );
            check!(
                u.host == Host::Name("example.com") && u.params.is_empty(),
                "host/params {u:?}"
            );
        }
        "transports.dat" => {
            let t: Vec<_> = need()?.vias.iter().map(|v| v.transport).collect();
            check!(
                t == ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"],
                "transports {t:?}"
            );
        }
        "mpart01.dat" => {
            let e = need()?;
            check!(
                m.body.len() == 553 && m.body.contains(&0),
                "body {} octets",
                m.body.len()
            );
            let ct = e.content_type.unwrap_or("");
            check!(ct.starts_with("multipart/mixed"), "Content-Type {ct}");
        }
        "unreason.dat" => match &m.start {
            StartLine::Response {
                code: 200, reason, ..
            } if !reason.is_ascii() => {}
            s => return Err(format!("status line {s:?}")),
        },
        "noreason.dat" => match &m.start {
            StartLine::Response {
                code: 100, reason, ..
            } if reason.is_empty() => {}
            s => return Err(format!("status line {s:?}")),
        },
        "cparam01.dat" => {
            let c = &need()?.contacts[0];
            check!(sip_part(&c.uri)?.params.is_empty(), "URI params {}", c.uri);
            check!(
                c.params.get("unknownparam") == Some(None),
                "header params {:?}",
                c.params
            );
        }
        "cparam02.dat" => {
            let c = &need()?.contacts[0];
            check!(
                sip_part(&c.uri)?.params.get("unknownparam") == Some(None),
                "URI {}",
                c.uri
            );
            check!(c.params.as_str().is_empty(), "header params {:?}", c.params);
        }
        "regescrt.dat" => {
            let c = &need()?.contacts[0];
            let h = sip_part(&c.uri)?.headers;
            check!(
                h == Some("Route=%3Csip:sip.example.com%3E"),
                "URI headers {h:?}"
            );
        }
        "unkscm.dat" | "novelsc.dat" => {
            let uri = ruri(m)?;
            check!(uri.sip().is_none(), "{uri} taken for a SIP URI");
        }
        "unksm2.dat" => {
            let e = need()?;
            check!(
                matches!(e.to.uri, Uri::Other { scheme: "isbn", .. }),
                "To {}",
                e.to.uri
            );
            check!(
                matches!(e.from.uri, Uri::Other { scheme: "http", .. }),
                "From {}",
                e.from.uri
            );
        }
        "inv2543.dat" => {
            let e = need()?;
            check!(
                e.vias[0].branch().is_none() && e.from.tag().is_none(),
                "branch/tag present"
            );
            check!(
                e.content_length.is_none() && m.body.ends_with(b"RTP/AVP 0\r\n"),
                "body {:?}",
                m.body
            );
        }
        "bcast.dat" => {
            let e = need()?;
            check!(
                e.vias[1].host == Host::V4([255, 255, 255, 255].into()),
                "Via {:?}",
                e.vias[1]
            );
        }
        "zeromf.dat" => check!(need()?.max_forwards == Some(0), "Max-Forwards"),
        "badbranch.dat" => check!(need()?.vias[0].branch() == Some("z9hG4bK"), "branch"),
        "rfc5118/ipv6-good" => {
            let e = need()?;
            let uri = ruri(m)?;
            check!(
                sip_part(&uri)?.host == v6("2001:db8::10"),
                "Request-URI {uri}"
            );
            check!(e.vias[0].host == v6("2001:db8::9:1"), "Via {:?}", e.vias[0]);
            check!(
                sip_part(&e.contacts[0].uri)?.host == v6("2001:db8::1"),
                "Contact {}",
                e.contacts[0].uri
            );
        }
        "rfc5118/port-ambiguous" => {
            let uri = ruri(m)?;
            let u = sip_part(&uri)?;
            check!(
                u.host == v6("2001:db8::10:5070") && u.port.is_none(),
                "{uri}: {u:?}"
            );
        }
        "rfc5118/port-unambiguous" => {
            let uri = ruri(m)?;
            let u = sip_part(&uri)?;
            check!(
                u.host == v6("2001:db8::10") && u.port == Some(5070),
                "{uri}: {u:?}"
            );
        }
        "rfc5118/via-received-param-with-delim" | "rfc5118/via-received-param-no-delim" => {
            let r = need()?.vias[0].received();
            check!(r == "2001:db8::9:255".parse().ok(), "received {r:?}");
        }
        "rfc5118/mult-ip-in-header" => {
            let e = need()?;
            let hosts: Vec<String> = e.vias.iter().map(|v| v.sent_by()).collect();
            check!(
                hosts == ["[2001:db8::9:1]:6050", "192.0.2.1", "[2001:db8::9:255]"],
                "Vias {hosts:?}"
            );
            check!(
                e.vias[2].received() == "192.0.2.200".parse().ok(),
                "received"
            );
        }
        "rfc5118/ipv4-mapped-ipv6" => {
            let e = need()?;
            check!(
                e.vias[0].sent_by() == "[::ffff:192.0.2.10]:19823",
                "Via {}",
                e.vias[0].sent_by()
            );
            check!(
                sip_part(&e.contacts[0].uri)?.host == v6("::ffff:192.0.2.2"),
                "Contact"
            );
            let sdp = SessionDescription::parse(m.body).map_err(|e| format!("SDP: {e}"))?;
            check!(
                sdp.connection == "::ffff:192.0.2.2".parse().ok(),
                "c= {:?}",
                sdp.connection
            );
        }
        "rfc5118/ipv6-in-sdp" => {
            let sdp = SessionDescription::parse(m.body).map_err(|e| format!("SDP: {e}"))?;
            check!(
                sdp.connection == "2001:db8::20".parse().ok(),
                "c= {:?}",
                sdp.connection
            );
        }
        "rfc5118/mult-ip-in-sdp" => {
            let sdp = SessionDescription::parse(m.body).map_err(|e| format!("SDP: {e}"))?;
            let c: Vec<_> = sdp.media.iter().map(|md| md.connection).collect();
            check!(
                c == ["192.0.2.1".parse().ok(), "2001:db8::1".parse().ok()],
                "media c= {c:?}"
            );
        }
        "rfc5118/ipv6-bug-abnf-3-colons" | "rfc5118/ipv6-correct-abnf-2-colons" => {
            let uri = ruri(m)?;
            check!(
                sip_part(&uri)?.host == v6("2001:db8::192.0.2.1"),
                "Request-URI {uri}"
            );
            check!(
                sip_part(&need()?.to.uri)?.host == v6("2001:db8::192.0.2.1"),
                "To"
            );
        }
        _ => {}
    }
    Ok(())
}

impl std::fmt::Display for Expect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut alts: Vec<String> = self.answer.iter().map(u16::to_string).collect();
        if self.discard {
            alts.push("discard".into());
        }
        if self.process {
            alts.push("handle".into());
        }
        if self.any_rejection {
            alts.push("refuse".into());
        }
        f.write_str(&alts.join("|"))
    }
}

/// One line per case: rsip alone and the core (pass/FAIL, and p = parsed or r = refused by
/// the parser), what column 4 allows and what the UA did.
pub fn table(reports: &[CaseReport]) -> String {
    let mut out = format!(
        "{:<38} {:<8} {:<7} {:<7} {:<17} {}\n",
        "file", "class", "rsip", "core", "tsv allows", "UA did"
    );
    for r in reports {
        let class = match r.row.class {
            Class::Valid => "valid",
            Class::Unusual => "unusual",
            Class::Invalid => "invalid",
        };
        let verdict = |pass: bool, parsed: &Result<(), String>| {
            format!(
                "{}{}",
                if pass { "ok" } else { "FAIL" },
                if parsed.is_ok() { "/p" } else { "/r" }
            )
        };
        out.push_str(&format!(
            "{:<38} {:<8} {:<7} {:<7} {:<17} {}\n",
            r.row.file,
            class,
            verdict(r.rsip_passes(), &r.rsip_parsed),
            verdict(r.core_passes(), &r.core_parsed),
            Expect::from_row(&r.row).to_string(),
            r.ua
        ));
    }
    out
}

#[test]
fn torture_corpus() {
    let reports = run_all();
    assert!(
        reports.len() >= 62,
        "only {} rows in expected.tsv",
        reports.len()
    );
    println!("{}", table(&reports));
    let failures: Vec<String> = reports
        .iter()
        .filter(|r| !r.core_passes())
        .map(|r| {
            format!(
                "{} ({}): {}",
                r.row.file,
                r.row.section,
                r.failures.join("; ")
            )
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} torture case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ----- robustness: bounded work, no panic, answer or drop -----

const INVITE_HEAD: &str = "INVITE sip:bob@192.0.2.99 SIP/2.0\r\n\
    Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKrobust\r\n\
    Max-Forwards: 70\r\n\
    From: <sip:alice@192.0.2.1>;tag=a1\r\n\
    To: <sip:bob@192.0.2.99>\r\n\
    Call-ID: robust-1\r\n\
    CSeq: 1 INVITE\r\n\
    Contact: <sip:alice@192.0.2.1:5060>\r\n";

const SDP: &str = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";

fn invite(extra_headers: &str, content_length: Option<usize>, body: &str) -> Vec<u8> {
    let mut s = format!("{INVITE_HEAD}{extra_headers}");
    if !body.is_empty() {
        s.push_str("Content-Type: application/sdp\r\n");
    }
    if let Some(l) = content_length {
        s.push_str(&format!("Content-Length: {l}\r\n"));
    }
    s.push_str("\r\n");
    s.push_str(body);
    s.into_bytes()
}

/// Feed, time, and return what happened (and how long it took, for the printout).
fn feed(name: &str, data: &[u8]) -> UaOutcome {
    let t = Instant::now();
    let (_, outcome) = run_ua(data);
    let took = t.elapsed();
    println!(
        "{name}: {} octets -> {} in {took:?}",
        data.len(),
        outcome.summary()
    );
    // Generous: the work is linear in at most 64 KiB; a quadratic path would take far longer
    // even in a debug build.
    assert!(took < Duration::from_secs(5), "{name} took {took:?}");
    outcome
}

#[test]
fn wrong_content_length() {
    // Larger than the datagram: 400 over UDP (RFC 3261 §18.3).
    let o = feed("CL too large", &invite("", Some(SDP.len() + 1), SDP));
    assert_eq!(o.codes(), [400]);
    // Far beyond what a datagram can hold, or beyond usize: still 400, no overflow.
    for cl in [
        "70000",
        "18446744073709551616",
        "99999999999999999999999999",
    ] {
        let data = format!("{INVITE_HEAD}Content-Length: {cl}\r\n\r\n{SDP}");
        assert_eq!(feed("CL huge", data.as_bytes()).codes(), [400], "{cl}");
    }
    // Smaller: the body is cut to Content-Length and the rest discarded.
    let o = feed(
        "CL too small",
        &invite("", Some(SDP.len()), &format!("{SDP}garbage after the body")),
    );
    let sdp = o.events.iter().find_map(|e| match e {
        Event::IncomingCall { sdp, .. } => sdp.clone(),
        _ => None,
    });
    assert_eq!(sdp.as_deref(), Some(SDP.as_bytes()));
    // None at all: the body is the rest of the datagram (§18.3).
    assert_eq!(feed("no CL", &invite("", None, "")).codes(), [100]);
    // Negative and conflicting values.
    let data = format!("{INVITE_HEAD}Content-Length: -5\r\n\r\n");
    assert_eq!(feed("CL negative", data.as_bytes()).codes(), [400]);
    let data = format!("{INVITE_HEAD}Content-Length: 0\r\nl: 5\r\n\r\nhello");
    assert_eq!(feed("CL conflicting", data.as_bytes()).codes(), [400]);
}

#[test]
fn oversized_datagrams() {
    // Beyond what UDP can carry: 513 Message Too Large (RFC 3261 §21.5.14).
    let big = "x".repeat(70_000);
    let o = feed("70 KB body", &invite("", Some(big.len()), &big));
    assert_eq!(o.codes(), [513]);
    // One enormous header line within the limit is just a header.
    let long = format!("X-Long: {}\r\n", "y".repeat(60_000));
    assert_eq!(
        feed("60 KB header", &invite(&long, Some(0), "")).codes(),
        [100]
    );
    // A response that big is dropped, not answered.
    let resp = format!("SIP/2.0 200 OK\r\n{}\r\n\r\n", "y".repeat(70_000));
    assert!(feed("70 KB response", resp.as_bytes()).transmits.is_empty());
}

#[test]
fn thousands_of_headers_and_vias() {
    // Just under the header limit: processed.
    let many = "X-H: v\r\n".repeat(deskphone_sip::parse::MAX_HEADERS - 20);
    assert_eq!(
        feed("980 headers", &invite(&many, Some(0), "")).codes(),
        [100]
    );
    // Over it: 513, cheaply.
    let too_many = "X-H: v\r\n".repeat(6_000);
    assert_eq!(
        feed("6000 headers", &invite(&too_many, Some(0), "")).codes(),
        [513]
    );
    // 2 500 Via values in one line: processed, the answer copies them all.
    let vias = format!(
        "Via: {}\r\n",
        (0..2_500)
            .map(|i| format!("SIP/2.0/UDP 10.0.{}.{}", i / 250, i % 250))
            .collect::<Vec<_>>()
            .join(",")
    );
    let o = feed("2500 Via values", &invite(&vias, Some(0), ""));
    assert_eq!(o.codes(), [100]);
    let answer = Message::parse(&o.transmits[0].payload).unwrap();
    assert_eq!(answer.essentials().unwrap().vias.len(), 2_501);
    // A response with many Vias was not meant for us (RFC 3261 §8.1.3.3): dropped.
    let resp = format!(
        "SIP/2.0 200 OK\r\n{}From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n",
        "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa\r\n".repeat(900)
    );
    assert!(
        feed("900 Via lines in a response", resp.as_bytes())
            .transmits
            .is_empty()
    );
    // One header folded over thousands of continuation lines.
    let folded = format!("Subject: a\r\n{}", " b\r\n".repeat(15_000));
    assert_eq!(
        feed("15000 continuation lines", &invite(&folded, Some(0), "")).codes(),
        [100]
    );
    // Thousands of empty list elements and parameters: refused, not looped over forever.
    let empties = format!("Contact: <sip:a@b>{}\r\n", ";".repeat(60_000));
    assert_eq!(
        feed("60000 empty parameters", &invite(&empties, Some(0), "")).codes(),
        [400]
    );
    let commas = format!("Via: SIP/2.0/UDP h{}\r\n", ",".repeat(60_000));
    assert_eq!(
        feed("60000 empty Via values", &invite(&commas, Some(0), "")).codes(),
        [400]
    );
}

/// Every prefix of every torture message, and byte flips in each: the parser and the UA
/// must never panic, and whatever the UA sends must parse.
#[test]
fn mutations_never_panic() {
    let dir = corpus_dir();
    let mut rng = fastrand::Rng::with_seed(4475);
    let mut cases = 0;
    for row in rows(&dir) {
        let data = wire_bytes(&row.file, &std::fs::read(dir.join(&row.file)).unwrap());
        let mut variants: Vec<Vec<u8>> = (0..data.len())
            .step_by(3)
            .map(|n| data[..n].to_vec())
            .collect();
        for _ in 0..60 {
            let mut v = data.clone();
            for _ in 0..rng.usize(1..4) {
                let i = rng.usize(..v.len());
                v[i] = *rng.choice(b"\r\n \t:;,<>\"\\[]%@=/0\xff").unwrap_or(&0);
            }
            variants.push(v);
        }
        for v in variants {
            cases += 1;
            let result = catch_unwind(|| {
                if let Ok(m) = Message::parse(&v) {
                    let _ = m.essentials();
                }
                let (_, outcome) = run_ua(&v);
                for t in &outcome.transmits {
                    assert!(
                        Message::parse(&t.payload).is_ok(),
                        "unparsable answer {:?}",
                        String::from_utf8_lossy(&t.payload)
                    );
                }
            });
            assert!(
                result.is_ok(),
                "{}: panicked on {:?}",
                row.file,
                String::from_utf8_lossy(&v)
            );
        }
    }
    println!("{cases} mutated datagrams, no panic");
}
