//! The Software Update page (F1): a URL field and a Load button that start an update
//! (`POST /api/update` with the session's CSRF token), a progress bar that follows the
//! state's `update` (download, verification, install, restart), and the outcome.
//!
//! DOM hooks: `#update-version`, `#update-slot`, `#update-then` (an update through an
//! intermediate version), `#update-recovery` (network recovery), `#update-offered` with
//! `#update-install-offered` (an image provisioning offers), `form#update-form` with `#update-url`
//! and `#update-load`; `progress#update-progress[data-phase]`; `#update-start-error`;
//! `#update-outcome[data-ok]`.

use deskphone_protocol::{UpdatePhase, UpdateStatus};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::conn::Live;
use crate::i18n::Tr;
use crate::login::Login;
use crate::web::Waiting;

/// The phase's name as the `data-phase` hook shows it.
fn phase_name(phase: &UpdatePhase) -> &'static str {
    match phase {
        UpdatePhase::Idle => "idle",
        UpdatePhase::Downloading { .. } => "downloading",
        UpdatePhase::Verifying => "verifying",
        UpdatePhase::Installing => "installing",
        UpdatePhase::Rebooting => "rebooting",
    }
}

/// How far the update is, 0–100: the download is the first 80 %, then each step.
pub fn percent(phase: &UpdatePhase) -> u64 {
    match phase {
        UpdatePhase::Idle => 0,
        UpdatePhase::Downloading { bytes, total } => match total {
            Some(t) if *t > 0 => (bytes.saturating_mul(80) / t).min(80),
            _ => 0,
        },
        UpdatePhase::Verifying => 85,
        UpdatePhase::Installing => 92,
        UpdatePhase::Rebooting => 100,
    }
}

fn phase_text(tr: Tr, phase: &UpdatePhase) -> String {
    match phase {
        UpdatePhase::Idle => tr.t("web-update-phase-idle"),
        UpdatePhase::Downloading { bytes, total } => match total {
            Some(total) => tr.fmt(
                "web-update-phase-downloading-of",
                &[
                    ("received", megabytes(*bytes).into()),
                    ("total", megabytes(*total).into()),
                ],
            ),
            None => tr.fmt(
                "web-update-phase-downloading",
                &[("received", megabytes(*bytes).into())],
            ),
        },
        UpdatePhase::Verifying => tr.t("web-update-phase-verifying"),
        UpdatePhase::Installing => tr.t("web-update-phase-installing"),
        UpdatePhase::Rebooting => tr.t("web-update-phase-rebooting"),
    }
}

/// Bytes as megabytes with one decimal.
fn megabytes(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1_000_000.0)
}

/// Why the phone did not start the update.
#[derive(Clone, Debug, PartialEq)]
enum StartProblem {
    /// The phone's own answer (busy, not a URL, …).
    Refused(String),
    /// No answer at all.
    Unreachable,
}

async fn start_update(url: String, csrf: Option<String>) -> Result<(), StartProblem> {
    let body = serde_json::json!({ "url": url }).to_string();
    let response = crate::http::fetch(
        "POST",
        "/api/update",
        crate::http::Body::Json(&body),
        csrf.as_deref(),
    )
    .await
    .map_err(|_| StartProblem::Unreachable)?;
    if response.ok() {
        return Ok(());
    }
    let text = crate::http::text_of(&response).await;
    Err(StartProblem::Refused(text.trim().to_owned()))
}

#[component]
pub fn UpdatePage() -> impl IntoView {
    let live = Live::get();
    let tr = Tr::get();
    let login = Login::get();
    let status = Memo::new(move |_| {
        live.state
            .with(|s| s.as_ref().map(|s| s.update.clone()))
            .unwrap_or_default()
    });
    let loaded = Memo::new(move |_| live.state.with(Option::is_some));
    let url = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<StartProblem>);
    let sending = RwSignal::new(false);
    let busy = move || sending.get() || status.with(|s| s.state != UpdatePhase::Idle);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let target = url.get_untracked().trim().to_owned();
        if target.is_empty() {
            return;
        }
        let csrf = login.csrf();
        problem.set(None);
        sending.set(true);
        leptos::task::spawn_local(async move {
            let result = start_update(target, csrf).await;
            sending.set(false);
            problem.set(result.err());
        });
    };
    // An image provisioning offers (update_policy ask_for_update): installed on request.
    let install_offered = move |_| {
        let Some(target) = status.with_untracked(|s| s.offered.clone()) else {
            return;
        };
        let csrf = login.csrf();
        problem.set(None);
        sending.set(true);
        leptos::task::spawn_local(async move {
            let result = start_update(target, csrf).await;
            sending.set(false);
            problem.set(result.err());
        });
    };
    let on_input = move |ev: leptos::ev::Event| {
        if let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            url.set(input.value());
        }
    };
    let outcome = move || status.with(|s: &UpdateStatus| s.last.clone());
    view! {
        <Show when=move || loaded.get() fallback=|| view! { <Waiting /> }>
            <h1>{move || tr.t("web-update-title")}</h1>
            <section class="card">
                <h2>{move || tr.t("web-update-running")}</h2>
                <dl>
                    <dt>{move || tr.t("web-update-version")}</dt>
                    <dd id="update-version">{move || status.with(|s| s.version.clone())}</dd>
                    <dt>{move || tr.t("web-update-slot")}</dt>
                    <dd id="update-slot">{move || status.with(|s| s.slot.to_uppercase())}</dd>
                </dl>
                <p id="update-then" hidden=move || status.with(|s| s.then.is_none())>
                    {move || {
                        status
                            .with(|s| s.then.clone())
                            .map(|v| tr.fmt("web-update-then", &[("version", v.into())]))
                    }}
                </p>
                <p id="update-recovery" class="error" hidden=move || status.with(|s| !s.recovery)>
                    {move || tr.t("web-update-recovery")}
                </p>
                <Show when=move || status.with(|s| s.offered.is_some())>
                    <p id="update-offered">
                        {move || {
                            tr.fmt(
                                "web-update-offered",
                                &[("url", status.with(|s| s.offered.clone()).unwrap_or_default().into())],
                            )
                        }}
                    </p>
                    <div class="actions">
                        <button id="update-install-offered" type="button" disabled=busy on:click=install_offered>
                            {move || tr.t("web-update-install-offered")}
                        </button>
                    </div>
                </Show>
            </section>
            <section class="card">
                <h2>{move || tr.t("web-update-load-title")}</h2>
                <p class="intro">{move || tr.t("web-update-load-help")}</p>
                <form id="update-form" on:submit=submit>
                    <label for="update-url">{move || tr.t("web-update-url")}</label>
                    <input
                        id="update-url"
                        type="text"
                        inputmode="url"
                        placeholder="https://"
                        prop:value=move || url.get()
                        on:input=on_input
                    />
                    <div class="actions">
                        <button id="update-load" type="submit" disabled=busy>
                            {move || tr.t("web-update-load")}
                        </button>
                    </div>
                </form>
                <p
                    id="update-start-error"
                    class="error"
                    hidden=move || problem.with(Option::is_none)
                >
                    {move || match problem.get() {
                        Some(StartProblem::Refused(text)) => {
                            tr.fmt("web-update-start-refused", &[("reason", text.into())])
                        }
                        Some(StartProblem::Unreachable) => tr.t("web-update-start-unreachable"),
                        None => String::new(),
                    }}
                </p>
            </section>
            <section class="card">
                <h2>{move || tr.t("web-update-progress-title")}</h2>
                <progress
                    id="update-progress"
                    max="100"
                    value=move || status.with(|s| percent(&s.state)).to_string()
                    data-phase=move || status.with(|s| phase_name(&s.state))
                ></progress>
                <p id="update-phase">{move || status.with(|s| phase_text(tr, &s.state))}</p>
                <p
                    id="update-outcome"
                    data-ok=move || outcome().map(|o| o.ok.to_string())
                    hidden=move || outcome().is_none()
                >
                    {move || match outcome() {
                        Some(o) if o.ok => tr.fmt("web-update-outcome-ok", &[("message", o.message.into())]),
                        Some(o) => tr.fmt("web-update-outcome-failed", &[("message", o.message.into())]),
                        None => String::new(),
                    }}
                </p>
            </section>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_follows_the_phases() {
        assert_eq!(percent(&UpdatePhase::Idle), 0);
        let half = UpdatePhase::Downloading {
            bytes: 50,
            total: Some(100),
        };
        assert_eq!(percent(&half), 40);
        let unknown = UpdatePhase::Downloading {
            bytes: 50,
            total: None,
        };
        assert_eq!(percent(&unknown), 0);
        assert!(percent(&UpdatePhase::Verifying) > percent(&half));
        assert!(percent(&UpdatePhase::Installing) > percent(&UpdatePhase::Verifying));
        assert_eq!(percent(&UpdatePhase::Rebooting), 100);
        assert_eq!(megabytes(1_250_000), "1.2");
    }
}
