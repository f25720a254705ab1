//! The phone's screen rendered natively: the same [`PhoneScreen`] component the
//! browser mounts, rendered to an HTML string (Leptos/tachys server-side
//! rendering) for the display engine, which lays it out and paints it with Blitz.
//!
//! One frame is one render: a fresh reactive owner holds a [`Live`] that shows the
//! given state at the given time, and the view is rendered once. Text from the
//! network (names, message bodies) is escaped by the renderer, never parsed as markup.

use deskphone_protocol::PhoneState;
use leptos::prelude::*;

use crate::conn::Live;
use crate::i18n::{self, Tr};
use crate::phone::PhoneScreen;

/// The stylesheet of both faces, the same file the browser loads as `/style.css`.
pub const STYLE_CSS: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../public/style.css"));

/// The `<main id="phone-screen">` element showing `state` (seq `seq`) at the phone's
/// clock `now_ms`, as HTML.
pub fn phone_screen_html(state: &PhoneState, seq: u64, now_ms: u64) -> String {
    let owner = Owner::new();
    let html = owner.with(|| {
        let lang = i18n::phone_lang(&state.settings);
        provide_context(Live::showing(state.clone(), seq, now_ms));
        provide_context(Tr {
            lang: Signal::stored(lang),
        });
        view! { <PhoneScreen /> }.to_html()
    });
    owner.unset();
    html
}

/// A whole document for the screen: `html.face-phone` with the screen's language,
/// the stylesheet inline (its fonts relative to it, under `fonts/`) and the screen.
pub fn phone_document(state: &PhoneState, seq: u64, now_ms: u64) -> String {
    let lang = i18n::phone_lang(&state.settings);
    let body = phone_screen_html(state, seq, now_ms);
    format!(
        "<!doctype html><html class=\"face-phone\" lang=\"{}\"><head><meta charset=\"utf-8\">\
         <style>{STYLE_CSS}</style></head><body>{body}</body></html>",
        lang.tag()
    )
}

#[cfg(test)]
mod tests {
    use deskphone_protocol::{CallDirection, CallPhase, CallState, ModelInfo};
    use deskphone_settings::keys;

    use super::*;

    fn state() -> PhoneState {
        PhoneState {
            model: ModelInfo {
                name: "DP480C".into(),
                display_width: 480,
                display_height: 272,
                colour: true,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn idle_screen_renders_with_identity_and_clock() {
        let mut s = state();
        s.settings
            .insert(keys::user_realname.wire(1), "Alice A.".into());
        s.settings
            .insert(keys::timezone.wire().into(), "Europe/Berlin".into());
        // 2025-11-26 10:09:05 UTC = 11:09 in Berlin.
        let html = phone_screen_html(&s, 7, 1_764_151_745_000);
        assert!(html.contains("id=\"phone-screen\""), "{html}");
        assert!(html.contains("data-screen=\"idle\""), "{html}");
        assert!(html.contains("Alice A."), "{html}");
        assert!(html.contains("11:09"), "{html}");
        assert!(html.contains("width:480px;height:272px"), "{html}");
    }

    #[test]
    fn hostile_names_stay_text() {
        let mut s = state();
        s.calls.push(CallState {
            phase: CallPhase::Ringing,
            direction: CallDirection::Incoming,
            remote_name: "<script>alert(1)</script>&amp;".into(),
            remote_uri: "sip:x@y".into(),
            ..Default::default()
        });
        let html = phone_screen_html(&s, 1, 0);
        assert!(html.contains("data-screen=\"incoming\""), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn the_screen_speaks_its_language() {
        let mut s = state();
        s.settings
            .insert(keys::language.wire().into(), "Deutsch".into());
        let doc = phone_document(&s, 1, 0);
        assert!(doc.starts_with("<!doctype html><html class=\"face-phone\" lang=\"de\">"));
        assert!(doc.contains("#phone-screen"));
    }
}
