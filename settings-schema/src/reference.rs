//! The settings reference (`docs/settings.md`), generated from the table by
//! `cargo xtask settings-doc`; a test fails when the committed file differs.

use std::fmt::Write as _;

use crate::{IndexKind, Kind, Models, Page, Role, SETTINGS, Setting, section_id};

const EN_US: &str = include_str!("../../translations/en-US/settings.ftl");

/// The English text of a one-line message in `settings.ftl`.
fn english(id: &str) -> Option<&'static str> {
    EN_US.lines().find_map(|line| {
        let (key, value) = line.split_once(" = ")?;
        (key.trim_end() == id).then(|| value.trim())
    })
}

/// `Int 1–4094`, `one of abs, rel`, …
pub fn describe_kind(kind: Kind) -> String {
    match kind {
        Kind::Text { max_len } => format!("text, up to {max_len} characters"),
        Kind::Int { min, max } => format!("whole number {min}–{max}"),
        Kind::IntOrEmpty { min, max } => format!("whole number {min}–{max}, or empty"),
        Kind::Bool => "on / off".to_owned(),
        Kind::Choice(list) => format!("one of {}", list.join(", ")),
        Kind::Host => "host name or IP address, optional :port".to_owned(),
        Kind::IpAddr => "IPv4 or IPv6 address, or empty".to_owned(),
        Kind::Port => "port 1–65535".to_owned(),
        Kind::Url => "http(s)/ftp/tftp URL with {mac}, {model}, or empty".to_owned(),
        Kind::TimeZone => "IANA time zone name".to_owned(),
        Kind::TimeOfDay => "time of day HH:MM".to_owned(),
        Kind::CodecList => format!("ordered list of {}", crate::CODECS.join(", ")),
        Kind::SipResponses { max_len } => {
            format!("SIP final responses (code [reason], …), up to {max_len} characters")
        }
    }
}

fn index(s: &Setting) -> String {
    match s.index {
        None => "–".to_owned(),
        Some(IndexKind::Identity) => format!("identity 1–{}", IndexKind::Identity.max()),
        Some(IndexKind::FunctionKey) => format!("key 1–{}", IndexKind::FunctionKey.max()),
        Some(IndexKind::Count(n)) => format!("1–{n}"),
    }
}

/// Markdown table cells must not contain `|`.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The whole reference as Markdown.
pub fn markdown() -> String {
    let mut out = String::new();
    let total = SETTINGS.len();
    let implemented = SETTINGS.iter().filter(|s| s.implemented).count();
    let _ = writeln!(out, "# Settings reference\n");
    let _ = writeln!(
        out,
        "Generated from the table in `settings-schema/src/table.rs` by \
         `cargo xtask settings-doc`; do not edit by hand.\n"
    );
    let _ = writeln!(
        out,
        "{total} settings, {implemented} of them implemented. A setting that is not \
         implemented is stored, validated, provisioned and shown, but nothing acts on \
         it yet. Access `user`: the phone's user may change it too; `admin`: only the \
         administrator. Secrets are write-only.\n"
    );
    for page in Page::ALL {
        let title = english(&format!("web-page-{}", page.id())).unwrap_or(page.id());
        let _ = writeln!(out, "## {title} (`#{}`)\n", page.id());
        for section in page.sections() {
            let heading = english(&section_id(*page, section)).unwrap_or(section);
            let _ = writeln!(out, "### {heading}\n");
            let _ = writeln!(
                out,
                "| Name | Values | Default | Index | Models | Secret | Access | Implemented | Label |"
            );
            let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|");
            for s in SETTINGS
                .iter()
                .filter(|s| s.page == *page && s.section == section)
            {
                let models = match s.models {
                    Models::All => "all".to_owned(),
                    Models::Only(list) => list.join(", "),
                };
                let default = if s.default.is_empty() {
                    "(empty)".to_owned()
                } else {
                    format!("`{}`", s.default)
                };
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} |",
                    s.name,
                    cell(&describe_kind(s.kind)),
                    cell(&default),
                    index(s),
                    models,
                    if s.secret { "yes" } else { "no" },
                    match s.editable_by {
                        Role::Admin => "admin",
                        Role::User => "user",
                    },
                    if s.implemented { "yes" } else { "no" },
                    cell(english(&s.label_id()).unwrap_or_default()),
                );
            }
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn committed_reference_is_up_to_date() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/settings.md");
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == super::markdown(),
            "docs/settings.md is not what the settings table generates: run `cargo xtask settings-doc`"
        );
    }
}
