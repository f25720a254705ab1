//! The support page: what the diagnostic archive holds and a link that
//! downloads it from the phone (`GET /api/diagnostics`).

use leptos::prelude::*;

use crate::i18n::Tr;

/// Where the runtime serves the archive.
const DIAGNOSTICS_URL: &str = "/api/diagnostics";

#[component]
pub fn SupportPage() -> impl IntoView {
    let tr = Tr::get();
    // The members of the archive and what each one is.
    let members = [
        ("state.json", "web-support-member-state"),
        ("settings.json", "web-support-member-settings"),
        ("info.txt", "web-support-member-info"),
        ("log.txt", "web-support-member-log"),
    ];
    view! {
        <h1>{move || tr.t("web-support-title")}</h1>
        <section class="card">
            <h2>{move || tr.t("web-support-archive")}</h2>
            <p class="intro">{move || tr.t("web-support-archive-help")}</p>
            <ul id="support-members">
                {members
                    .into_iter()
                    .map(|(file, id)| view! {
                        <li data-member=file><code>{file}</code><span>{move || tr.t(id)}</span></li>
                    })
                    .collect_view()}
            </ul>
            <p class="note">{move || tr.t("web-support-no-secrets")}</p>
            <div class="actions">
                <a id="support-download" class="button" href=DIAGNOSTICS_URL download="">
                    {move || tr.t("web-support-download")}
                </a>
            </div>
        </section>
    }
}
