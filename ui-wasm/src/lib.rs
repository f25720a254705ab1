//! The one Leptos codebase for the phone's own screen (`/phone`) and the
//! administrator's web UI (`/`). Both faces share the connection, the state
//! and the translations; the URL path picks the face.
//!
//! DOM hooks that tests and the display engine rely on:
//!
//! - Phone: `main#phone-screen` with `data-screen` (`connecting`, `idle`,
//!   `dialling`, `incoming`, `in-call`, `ended`), `data-seq` (seq of the last
//!   state the DOM shows), `data-size` (`l`/`m`/`s`), `data-colour`
//!   (`colour`/`mono`). Idle: `#identity-name`, `#identity-address`,
//!   `#clock`, `#registration`. Dialling: `#dial-digits`. Incoming:
//!   `#caller-name`, `#caller-uri`. In call: `#call-phase`, `#remote-name`,
//!   `#remote-uri`, `#call-timer` (connected only), `#call-codec`. Ended:
//!   `#ended-name`, `#ended-reason`, `#ended-duration`. Soft keys:
//!   `.softkey[data-key="F1"][data-action="answer"]`.
//! - Web: `#link-state[data-link]`, `#brand` (logo `img.logo`,
//!   `#company-name`), navigation links `#status`, `#info`, `#support` and
//!   `#<page id>`, `#status-model`, `#status-display-engine`,
//!   `#status-identities`, `#status-calls`, `#status-provisioning[data-result]`
//!   (`none`/`ok`/`error`; `#provisioning-url`, `-time`, `-result`, `-files`,
//!   `-failed-file`, `-line`, `-setting`, `-reason`, `-running`, `-next`),
//!   `#live-screen` / `#screen-off`, info `#info-firmware`, `#info-build`,
//!   `#info-model`, `#info-mac`, `#info-expansion`, `#info-http`, `#info-sip`,
//!   `#info-started`, `#info-uptime`; history (`history.rs`) `#history-missed-count`,
//!   `#history-missed`, `#history-received`, `#history-dialled` (rows
//!   `tr.history-entry[data-id]` with `.history-uri`, `.history-note`),
//!   `#history-blocked` (`.blocked-entry`); support `#support-members`,
//!   `#support-download`, backup (`backup.rs`) `#backup-export`, `#backup-file`,
//!   `#backup-status[data-status]`, `#backup-preview`, `#backup-apply`,
//!   `#backup-error`, the provisioning card's `#provisioning-fetch-now`,
//!   `#identity-select`, inputs named by setting key with id
//!   `setting-<key>` (`setting-user_realname-1`), `#settings-save`,
//!   `#settings-status[data-status]`, `#logout`.
//! - Login (`login.rs`): `form#login`, `#login-user`, `#login-password`,
//!   `#login-submit`, `#login-error[data-error]`. The phone's idle screen shows
//!   `#generated-password` while the generated admin password is in use (display engine only).

mod backup;
mod clock;
mod conn;
mod customise;
mod history;
mod http;
mod i18n;
mod info;
mod login;
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
mod phone;
mod screen;
mod status;
mod support;
mod update;
mod web;

use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::conn::Live;
use crate::i18n::{Lang, Tr};

/// Which UI this page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Face {
    Phone,
    Web,
}

impl Face {
    /// `/phone…` is the phone's screen, everything else the web UI.
    pub fn from_path(path: &str) -> Face {
        if path.starts_with("/phone") {
            Face::Phone
        } else {
            Face::Web
        }
    }

    fn class(self) -> &'static str {
        match self {
            Face::Phone => "face-phone",
            Face::Web => "face-web",
        }
    }
}

/// Entry point, run by the bundle's `init()`.
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| leptos::logging::error!("{info}")));
    let face = Face::from_path(&window().location().pathname().unwrap_or_default());
    if let Some(root) = document().document_element() {
        root.set_class_name(face.class());
    }
    leptos::mount::mount_to_body(move || view! { <App face=face /> });
}

#[component]
fn App(face: Face) -> impl IntoView {
    let live = Live::new();
    // The screen and the web UI each have their own language setting.
    let lang = Memo::new(move |_| {
        live.state.with(|s| {
            s.as_ref().map_or(Lang::default(), |s| match face {
                Face::Phone => i18n::phone_lang(&s.settings),
                Face::Web => i18n::web_lang(&s.settings),
            })
        })
    });
    let tr = Tr { lang: lang.into() };
    provide_context(live);
    provide_context(tr);

    Effect::new(move |_| {
        let lang = lang.get();
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang.tag());
        }
        let title = match face {
            Face::Phone => tr.t("phone-brand"),
            Face::Web => tr.t("web-title"),
        };
        document().set_title(&title);
    });

    login::start(live);
    view! {
        <login::Gate>
            {move || match face {
                Face::Phone => view! { <phone::PhoneScreen /> }.into_any(),
                Face::Web => view! { <web::WebApp /> }.into_any(),
            }}
        </login::Gate>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_picks_the_face() {
        assert_eq!(Face::from_path("/phone"), Face::Phone);
        assert_eq!(Face::from_path("/phone/"), Face::Phone);
        assert_eq!(Face::from_path("/"), Face::Web);
        assert_eq!(Face::from_path(""), Face::Web);
        assert_eq!(Face::from_path("/status"), Face::Web);
    }
}
