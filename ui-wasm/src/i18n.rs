//! Every text a user sees comes from Fluent, through this module.
//!
//! The `.ftl` files are embedded at compile time. Each locale is a bundle
//! chain: the chosen locale first, then en-US, so a message missing in a
//! translation shows in English rather than as a raw id.

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use leptos::prelude::*;

const BRAND: &str = include_str!("../../branding/default/brand.ftl");

const EN_US: [&str; 4] = [
    include_str!("../../translations/en-US/phone.ftl"),
    include_str!("../../translations/en-US/web.ftl"),
    include_str!("../../translations/en-US/settings.ftl"),
    include_str!("../../translations/en-US/login.ftl"),
];

const DE: [&str; 4] = [
    include_str!("../../translations/de/phone.ftl"),
    include_str!("../../translations/de/web.ftl"),
    include_str!("../../translations/de/settings.ftl"),
    include_str!("../../translations/de/login.ftl"),
];

/// The locales the UI speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    EnUs,
    De,
}

impl Lang {
    /// The locale for a value of the `language` setting.
    pub fn from_setting(value: &str) -> Lang {
        match value {
            "Deutsch" => Lang::De,
            _ => Lang::EnUs,
        }
    }

    /// BCP 47 tag, for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::EnUs => "en-US",
            Lang::De => "de",
        }
    }
}

type Bundle = FluentBundle<FluentResource>;

struct Catalog {
    en_us: Bundle,
    de: Bundle,
}

impl Catalog {
    fn load() -> Catalog {
        Catalog {
            en_us: bundle(Lang::EnUs.tag(), &EN_US),
            de: bundle(Lang::De.tag(), &DE),
        }
    }

    /// The bundles to try, best first.
    fn chain(&self, lang: Lang) -> Vec<&Bundle> {
        match lang {
            Lang::EnUs => vec![&self.en_us],
            Lang::De => vec![&self.de, &self.en_us],
        }
    }
}

thread_local! {
    static CATALOG: Catalog = Catalog::load();
}

fn bundle(tag: &str, sources: &[&str]) -> Bundle {
    let langid = tag.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new(vec![langid]);
    // No Unicode isolation marks around placeables: every locale here is
    // left-to-right and the marks would show as boxes in some fonts.
    bundle.set_use_isolating(false);
    for source in std::iter::once(&BRAND).chain(sources) {
        let resource = match FluentResource::try_new((*source).to_owned()) {
            Ok(r) => r,
            Err((r, errors)) => {
                leptos::logging::warn!("{tag}: Fluent syntax errors: {errors:?}");
                r
            }
        };
        if let Err(errors) = bundle.add_resource(resource) {
            leptos::logging::warn!("{tag}: duplicate Fluent ids: {errors:?}");
        }
    }
    bundle
}

/// Formats message `id` with the first bundle of `chain` that has it.
fn format_in(chain: &[&Bundle], id: &str, args: Option<&FluentArgs>) -> Option<String> {
    chain.iter().find_map(|bundle| {
        let pattern = bundle.get_message(id)?.value()?;
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            leptos::logging::warn!("Fluent `{id}`: {errors:?}");
        }
        Some(text.into_owned())
    })
}

/// A message in `lang`, falling back to en-US; `None` when no bundle has it.
pub fn lookup(lang: Lang, id: &str, args: &[(&str, FluentValue)]) -> Option<String> {
    let args = (!args.is_empty()).then(|| {
        let mut a = FluentArgs::new();
        for (name, value) in args {
            a.set(*name, value.clone());
        }
        a
    });
    CATALOG.with(|c| format_in(&c.chain(lang), id, args.as_ref()))
}

/// A message in `lang`. A message that no bundle has renders as nothing
/// (and is logged), never as its id; unit tests keep that from happening.
pub fn text(lang: Lang, id: &str, args: &[(&str, FluentValue)]) -> String {
    lookup(lang, id, args).unwrap_or_else(|| {
        leptos::logging::warn!("missing Fluent message `{id}`");
        String::new()
    })
}

/// The Fluent id of a setting's label or help: `user_realname`, `label` →
/// `setting-user-realname-label`.
pub fn setting_id(name: &str, part: &str) -> String {
    format!("setting-{}-{part}", name.replace('_', "-"))
}

/// The Fluent id of a settings page's title (`part` empty) or help text.
pub fn page_id(page: deskphone_settings::Page, part: &str) -> String {
    if part.is_empty() {
        format!("web-page-{}", page.id())
    } else {
        format!("web-page-{}-{part}", page.id())
    }
}

/// The reactive translator handed to every view through context.
#[derive(Clone, Copy)]
pub struct Tr {
    pub lang: Signal<Lang>,
}

impl Tr {
    pub fn get() -> Tr {
        expect_context::<Tr>()
    }

    /// Message `id` in the current language (tracks the language signal).
    pub fn t(self, id: &str) -> String {
        text(self.lang.get(), id, &[])
    }

    /// Message `id` with variables.
    pub fn fmt(self, id: &str, args: &[(&str, FluentValue)]) -> String {
        text(self.lang.get(), id, args)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use deskphone_settings::{Page, SETTINGS};
    use fluent_syntax::ast;

    use super::*;

    /// Message ids of a locale's files, with the variables each one uses and
    /// the comment attached to it.
    fn messages(sources: &[&str]) -> Vec<(String, BTreeSet<String>, String)> {
        let mut out = Vec::new();
        for source in std::iter::once(&BRAND).chain(sources) {
            // The full parser: FluentResource drops comments.
            let resource = fluent_syntax::parser::parse(*source)
                .unwrap_or_else(|(_, e)| panic!("syntax errors: {e:?}"));
            for entry in &resource.body {
                if let ast::Entry::Message(m) = entry {
                    let mut vars = BTreeSet::new();
                    if let Some(p) = &m.value {
                        pattern_vars(p, &mut vars);
                    }
                    let comment = m
                        .comment
                        .as_ref()
                        .map(|c| c.content.join("\n"))
                        .unwrap_or_default();
                    out.push((m.id.name.to_owned(), vars, comment));
                }
            }
        }
        out
    }

    fn pattern_vars(p: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
        for el in &p.elements {
            if let ast::PatternElement::Placeable { expression } = el {
                expression_vars(expression, vars);
            }
        }
    }

    fn expression_vars(e: &ast::Expression<&str>, vars: &mut BTreeSet<String>) {
        match e {
            ast::Expression::Inline(i) => inline_vars(i, vars),
            ast::Expression::Select { selector, variants } => {
                inline_vars(selector, vars);
                for v in variants {
                    pattern_vars(&v.value, vars);
                }
            }
        }
    }

    fn inline_vars(i: &ast::InlineExpression<&str>, vars: &mut BTreeSet<String>) {
        match i {
            ast::InlineExpression::VariableReference { id } => {
                vars.insert(id.name.to_owned());
            }
            ast::InlineExpression::Placeable { expression } => expression_vars(expression, vars),
            _ => {}
        }
    }

    fn ids(sources: &[&str]) -> BTreeSet<String> {
        messages(sources).into_iter().map(|(id, _, _)| id).collect()
    }

    #[test]
    fn every_setting_and_page_has_texts_in_en_us() {
        let en = ids(&EN_US);
        for s in SETTINGS {
            for part in ["label", "help"] {
                let id = setting_id(s.name, part);
                assert!(
                    en.contains(&id),
                    "en-US lacks `{id}` for setting `{}`",
                    s.name
                );
            }
        }
        for page in Page::ALL {
            for part in ["", "help"] {
                let id = page_id(*page, part);
                assert!(en.contains(&id), "en-US lacks `{id}`");
            }
        }
    }

    #[test]
    fn ids_are_kebab_case_with_an_area_prefix() {
        for sources in [&EN_US, &DE] {
            for id in ids(sources) {
                assert!(
                    ["phone-", "web-", "setting-"]
                        .iter()
                        .any(|p| id.starts_with(p)),
                    "`{id}` has no area prefix"
                );
                assert!(
                    id.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                    "`{id}` is not kebab-case"
                );
            }
        }
    }

    #[test]
    fn variables_are_documented() {
        for sources in [&EN_US, &DE] {
            for (id, vars, comment) in messages(sources) {
                if vars.is_empty() {
                    continue;
                }
                assert!(
                    comment.contains("Variables:"),
                    "`{id}` needs a `# Variables:` comment"
                );
                for v in vars {
                    assert!(
                        comment.contains(&format!("${v}")),
                        "`{id}`: `${v}` undocumented"
                    );
                }
            }
        }
    }

    #[test]
    fn translations_have_no_orphans_and_same_variables() {
        let en: Vec<_> = messages(&EN_US);
        for (id, vars, _) in messages(&DE) {
            let Some((_, en_vars, _)) = en.iter().find(|(e, _, _)| *e == id) else {
                panic!("de has `{id}`, en-US does not");
            };
            assert_eq!(&vars, en_vars, "`{id}` uses other variables in de");
        }
    }

    #[test]
    fn every_message_resolves_in_both_locales() {
        for (lang, sources) in [(Lang::EnUs, &EN_US), (Lang::De, &DE)] {
            for (id, vars, _) in messages(sources) {
                let args: Vec<(&str, FluentValue)> = vars
                    .iter()
                    .map(|v| (v.as_str(), FluentValue::from(2)))
                    .collect();
                let mut fa = FluentArgs::new();
                for (k, v) in &args {
                    fa.set(*k, v.clone());
                }
                CATALOG.with(|c| {
                    let bundle = c.chain(lang)[0];
                    let msg = bundle.get_message(&id).expect("message");
                    let mut errors = Vec::new();
                    let text =
                        bundle.format_pattern(msg.value().expect("value"), Some(&fa), &mut errors);
                    assert!(errors.is_empty(), "{lang:?} `{id}`: {errors:?}");
                    assert!(!text.trim().is_empty(), "{lang:?} `{id}` is empty");
                });
            }
        }
    }

    #[test]
    fn brand_term_reaches_messages() {
        assert_eq!(text(Lang::EnUs, "phone-brand", &[]), "Deskphone");
        assert_eq!(text(Lang::De, "web-brand", &[]), "Deskphone");
        assert!(text(Lang::EnUs, "web-title", &[]).contains("Deskphone"));
    }

    #[test]
    fn german_falls_back_to_english_never_to_the_id() {
        let en = bundle(
            "en-US",
            &["phone-only-english = Only in English\nphone-both = English"],
        );
        let de = bundle("de", &["phone-both = Deutsch"]);
        let chain = [&de, &en];
        assert_eq!(
            format_in(&chain, "phone-both", None).as_deref(),
            Some("Deutsch")
        );
        assert_eq!(
            format_in(&chain, "phone-only-english", None).as_deref(),
            Some("Only in English")
        );
        assert_eq!(format_in(&chain, "phone-nowhere", None), None);
        // The public API renders an unknown id as nothing, not as the id.
        assert_eq!(text(Lang::De, "phone-nowhere-at-all", &[]), "");
        // And the real German chain does reach en-US.
        CATALOG.with(|c| assert_eq!(c.chain(Lang::De).len(), 2));
    }

    #[test]
    fn language_setting_picks_the_locale() {
        assert_eq!(Lang::from_setting("English"), Lang::EnUs);
        assert_eq!(Lang::from_setting("Deutsch"), Lang::De);
        assert_eq!(Lang::from_setting("Klingon"), Lang::EnUs);
        assert_eq!(text(Lang::De, "phone-key-answer", &[]), "Annehmen");
        assert_eq!(
            text(Lang::EnUs, "phone-call-more", &[("count", 3.into())]),
            "+3 other calls"
        );
        assert_eq!(
            text(Lang::De, "phone-call-more", &[("count", 1.into())]),
            "+1 weiterer Anruf"
        );
    }

    /// Every `"phone-…"`/`"web-…"` string literal in the sources is a
    /// message in en-US, except the few DOM ids listed here.
    #[test]
    fn ids_used_in_code_exist_in_en_us() {
        const DOM_IDS: &[&str] = &["phone-screen"];
        let en = ids(&EN_US);
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).expect("src dir") {
            let path = entry.expect("dir entry").path();
            let code = std::fs::read_to_string(&path).expect("source");
            // Skip this test module itself: it names ids that must not exist.
            let code = code.split("#[cfg(test)]").next().unwrap_or_default();
            let starts = code
                .match_indices("\"phone-")
                .chain(code.match_indices("\"web-"));
            for (at, _) in starts {
                let rest = &code[at + 1..];
                let Some(end) = rest.find('"') else { continue };
                let literal = &rest[..end];
                let is_id = literal
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !literal.ends_with('-');
                if is_id && !DOM_IDS.contains(&literal) {
                    checked += 1;
                    assert!(
                        en.contains(literal),
                        "{}: `{literal}` not in en-US",
                        path.display()
                    );
                }
            }
        }
        assert!(
            checked > 50,
            "only {checked} ids found: is the scan broken?"
        );
    }
}
