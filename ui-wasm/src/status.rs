//! The web UI's start page: the phone, its identities and their registration,
//! the calls with their codec, text messages and voicemail, the outcome of the
//! last provisioning run, and the live screen.

use std::time::Duration;

use deskphone_protocol::{DisplayEngineState, ProvisioningOutcome, ProvisioningResult};
use leptos::prelude::*;

use crate::clock;
use crate::conn::Live;
use crate::http::{Body, fetch};
use crate::i18n::{self, Lang, Tr};
use crate::login::Login;
use crate::screen;
use crate::web::Waiting;

/// Where the runtime starts a provisioning run by hand (answers 202).
const PROVISION_NOW_URL: &str = "/api/provisioning";

/// How often the live screen image refreshes when no state changes.
const SCREEN_REFRESH: Duration = Duration::from_secs(5);

/// A moment (ms since the epoch) in the phone's time zone, as the locale writes
/// a date and time.
pub fn date_time(tr: Tr, ms: u64, zone: &str) -> String {
    date_time_in(tr.lang.get(), ms, zone)
}

fn date_time_in(lang: Lang, ms: u64, zone: &str) -> String {
    let ms = ms as i64;
    let c = clock::civil(ms + clock::zone_offset_ms(zone, ms));
    i18n::text(
        lang,
        "web-date-time",
        &[
            ("year", c.year.to_string().into()),
            ("month", format!("{:02}", c.month).into()),
            ("day", format!("{:02}", c.day).into()),
            ("hour", format!("{:02}", c.hour).into()),
            ("minute", format!("{:02}", c.minute).into()),
            ("second", format!("{:02}", c.second).into()),
        ],
    )
}

/// The phone's time zone setting, reactively.
pub fn zone() -> Memo<String> {
    let live = Live::get();
    Memo::new(move |_| {
        live.state.with(|s| {
            s.as_ref()
                .map(|s| i18n::timezone(&s.settings).to_owned())
                .unwrap_or_default()
        })
    })
}

#[derive(Clone, Debug, PartialEq)]
struct IdentityRow {
    index: u16,
    name: String,
    address: String,
    registration: deskphone_protocol::RegistrationState,
}

#[derive(Clone, Debug, PartialEq)]
struct CallRow {
    id: u64,
    party: String,
    uri: String,
    direction: deskphone_protocol::CallDirection,
    phase: deskphone_protocol::CallPhase,
    connected_at_ms: Option<u64>,
    codec: Option<String>,
}

#[component]
pub fn StatusPage() -> impl IntoView {
    let live = Live::get();
    let tr = Tr::get();
    let loaded = Memo::new(move |_| live.state.with(Option::is_some));
    let model = Memo::new(move |_| {
        live.state
            .with(|s| s.as_ref().map(|s| s.model.clone()))
            .unwrap_or_default()
    });
    let engine = Memo::new(move |_| {
        live.state
            .with(|s| s.as_ref().map(|s| s.display_engine))
            .unwrap_or_default()
    });
    let identities = Memo::new(move |_| {
        live.state.with(|s| {
            let Some(s) = s else { return Vec::new() };
            s.identities
                .iter()
                .map(|i| IdentityRow {
                    index: i.index,
                    name: screen::identity_name(s, i.index)
                        .unwrap_or_else(|| i.display_name.clone()),
                    address: screen::identity_address(s, i.index),
                    registration: i.registration,
                })
                .collect::<Vec<_>>()
        })
    });
    let calls = Memo::new(move |_| {
        live.state.with(|s| {
            s.iter()
                .flat_map(|s| &s.calls)
                .map(|c| CallRow {
                    id: c.id,
                    party: screen::party_name(&c.remote_name, &c.remote_uri).to_owned(),
                    uri: c.remote_uri.clone(),
                    direction: c.direction,
                    phase: c.phase,
                    connected_at_ms: c.connected_at_ms,
                    codec: c.codec.clone(),
                })
                .collect::<Vec<_>>()
        })
    });
    let none = move || tr.t("web-none");

    let identity_table = move || {
        let rows = identities.get();
        if rows.is_empty() {
            return view! { <p class="note">{move || tr.t("web-status-no-identities")}</p> }
                .into_any();
        }
        view! {
            <table id="status-identities">
                <thead>
                    <tr>
                        <th>{move || tr.t("web-col-identity")}</th>
                        <th>{move || tr.t("web-col-name")}</th>
                        <th>{move || tr.t("web-col-address")}</th>
                        <th>{move || tr.t("web-col-registration")}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|r| {
                            let reg = r.registration;
                            view! {
                                <tr data-identity=r.index>
                                    <td>{r.index}</td>
                                    <td>{r.name}</td>
                                    <td>{r.address}</td>
                                    <td class=format!("reg {}", screen::registration_class(reg))>
                                        <span class="dot"></span>
                                        {move || tr.t(screen::web_registration_id(reg))}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };

    let call_table = move || {
        let rows = calls.get();
        if rows.is_empty() {
            return view! { <p class="note">{move || tr.t("web-status-no-calls")}</p> }.into_any();
        }
        view! {
            <table id="status-calls">
                <thead>
                    <tr>
                        <th>{move || tr.t("web-col-party")}</th>
                        <th>{move || tr.t("web-col-direction")}</th>
                        <th>{move || tr.t("web-col-phase")}</th>
                        <th>{move || tr.t("web-col-duration")}</th>
                        <th>{move || tr.t("web-col-codec")}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|c| {
                            let connected_at = c.connected_at_ms;
                            let codec = c.codec.clone();
                            view! {
                                <tr data-call=c.id data-phase=screen::phase_name(c.phase)>
                                    <td>
                                        <div>{c.party}</div>
                                        <div class="sub">{c.uri}</div>
                                    </td>
                                    <td>{move || tr.t(screen::web_direction_id(c.direction))}</td>
                                    <td>{move || tr.t(screen::web_phase_id(c.phase))}</td>
                                    <td>
                                        {move || match connected_at {
                                            Some(t) => clock::duration(live.now_ms.get().saturating_sub(t)),
                                            None => none(),
                                        }}
                                    </td>
                                    <td>{move || codec.clone().unwrap_or_else(none)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };

    view! {
        <Show when=move || loaded.get() fallback=|| view! { <Waiting /> }>
            <h1>{move || tr.t("web-status-title")}</h1>
            <section class="card">
                <h2>{move || tr.t("web-status-phone")}</h2>
                <dl>
                    <dt>{move || tr.t("web-status-model")}</dt>
                    <dd id="status-model">{move || model.with(|m| m.name.clone())}</dd>
                    <dt>{move || tr.t("web-status-display")}</dt>
                    <dd>
                        {move || {
                            model.with(|m| {
                                tr.fmt(
                                    "web-status-display-value",
                                    &[
                                        ("width", m.display_width.into()),
                                        ("height", m.display_height.into()),
                                        ("colour", if m.colour { "yes" } else { "no" }.into()),
                                    ],
                                )
                            })
                        }}
                    </dd>
                    <dt>{move || tr.t("web-status-function-keys")}</dt>
                    <dd>{move || model.with(|m| m.function_keys)}</dd>
                    <dt>{move || tr.t("web-status-display-engine")}</dt>
                    <dd id="status-display-engine" data-engine=move || screen::engine_name(engine.get())>
                        {move || tr.t(screen::engine_id(engine.get()))}
                    </dd>
                </dl>
            </section>
            <section class="card">
                <h2>{move || tr.t("web-status-identities")}</h2>
                {identity_table}
            </section>
            <section class="card">
                <h2>{move || tr.t("web-status-calls")}</h2>
                {call_table}
            </section>
            <StatusNotices />
            <ProvisioningStatus />
            <section class="card">
                <h2>{move || tr.t("web-status-screen")}</h2>
                <LiveScreen engine=engine />
            </section>
        </Show>
    }
}

/// The phone's screen as the display engine renders it, reloaded on every
/// state change (and every few seconds for the clock).
#[component]
fn LiveScreen(engine: Memo<DisplayEngineState>) -> impl IntoView {
    let live = Live::get();
    let tr = Tr::get();
    let refresh = RwSignal::new(0u32);
    if let Ok(handle) = set_interval_with_handle(
        move || refresh.update(|n| *n = n.wrapping_add(1)),
        SCREEN_REFRESH,
    ) {
        on_cleanup(move || handle.clear());
    }
    let loaded_ok = RwSignal::new(true);
    let size = Memo::new(move |_| {
        live.state
            .with(|s| {
                s.as_ref()
                    .map(|s| (s.model.display_width, s.model.display_height))
            })
            .unwrap_or_default()
    });
    view! {
        <Show
            when=move || engine.get() == DisplayEngineState::Running
            fallback=move || view! { <p id="screen-off" class="note">{move || tr.t("web-screen-engine-off")}</p> }
        >
            <img
                id="live-screen"
                src=move || format!("/screen.png?t={}-{}", live.seq.get(), refresh.get())
                width=move || size.get().0
                height=move || size.get().1
                alt=move || tr.t("web-screen-alt")
                style:display=move || if loaded_ok.get() { "block" } else { "none" }
                on:load=move |_| loaded_ok.set(true)
                on:error=move |_| loaded_ok.set(false)
            />
            <Show when=move || !loaded_ok.get()>
                <p class="note">{move || tr.t("web-screen-load-failed")}</p>
            </Show>
        </Show>
    }
}

/// Status page sections for what is not a call: received text messages (S8) and
/// message waiting per identity (RFC 3842).
#[component]
fn StatusNotices() -> impl IntoView {
    let live = Live::get();
    let tr = Tr::get();
    let messages = Memo::new(move |_| {
        live.state
            .with(|s| s.as_ref().map(|s| s.messages.clone()).unwrap_or_default())
    });
    let waiting = Memo::new(move |_| {
        live.state.with(|s| {
            s.as_ref()
                .map(|s| {
                    s.identities
                        .iter()
                        .filter(|i| i.mwi.waiting || i.mwi.new > 0 || i.mwi.old > 0)
                        .map(|i| (i.index, i.mwi))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let message_list = move || {
        let list = messages.get();
        if list.is_empty() {
            return view! { <p class="note">{move || tr.t("web-status-no-messages")}</p> }
                .into_any();
        }
        view! {
            <table id="status-messages">
                <thead>
                    <tr>
                        <th>{move || tr.t("web-col-from")}</th>
                        <th>{move || tr.t("web-col-message")}</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .rev()
                        .map(|m| {
                            let from = screen::party_name(&m.from_name, &m.from_uri).to_owned();
                            view! {
                                <tr data-read=m.read.to_string()>
                                    <td title=m.from_uri.clone()>{from}</td>
                                    <td class="message-text">{m.text}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    let mwi_list = move || {
        let list = waiting.get();
        if list.is_empty() {
            return view! { <p class="note">{move || tr.t("web-status-no-voicemail")}</p> }
                .into_any();
        }
        view! {
            <ul id="status-mwi">
                {list
                    .into_iter()
                    .map(|(index, m)| {
                        view! {
                            <li data-identity=index data-waiting=m.waiting.to_string()>
                                {move || tr.fmt(
                                    "web-status-voicemail-count",
                                    &[("index", index.into()), ("new", m.new.into()), ("old", m.old.into())],
                                )}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="card">
            <h2>{move || tr.t("web-status-messages")}</h2>
            {message_list}
        </section>
        <section class="card">
            <h2>{move || tr.t("web-status-voicemail")}</h2>
            {mwi_list}
        </section>
    }
}

/// One line of the provisioning card: the DOM id of the value, the label's
/// message id, the value as shown.
#[derive(Clone, Debug, PartialEq)]
struct ProvisioningRow {
    id: &'static str,
    label: &'static str,
    value: String,
}

/// What the provisioning card says about a finished run, in `lang`: where,
/// when, the result; for a success the files, for a failure the file, line,
/// setting and reason (the reason comes from the phone, untranslated).
fn provisioning_rows(lang: Lang, last: &ProvisioningOutcome, zone: &str) -> Vec<ProvisioningRow> {
    let row = |id, label, value| ProvisioningRow { id, label, value };
    let mut rows = vec![
        row("provisioning-url", "web-prov-url", last.url.clone()),
        row(
            "provisioning-time",
            "web-prov-time",
            date_time_in(lang, last.finished_at_ms, zone),
        ),
    ];
    match &last.result {
        ProvisioningResult::Ok {
            files,
            changed,
            kept,
        } => {
            let summary = i18n::text(
                lang,
                "web-prov-ok",
                &[
                    ("files", files.len().into()),
                    ("changed", (*changed).into()),
                    ("kept", (*kept).into()),
                ],
            );
            rows.push(row("provisioning-result", "web-prov-result", summary));
            if !files.is_empty() {
                rows.push(row(
                    "provisioning-files",
                    "web-prov-files",
                    files.join(", "),
                ));
            }
        }
        ProvisioningResult::Error {
            url,
            line,
            setting,
            reason,
        } => {
            let failed = i18n::text(lang, "web-prov-error", &[]);
            rows.push(row("provisioning-result", "web-prov-result", failed));
            rows.push(row(
                "provisioning-failed-file",
                "web-prov-failed-file",
                url.clone(),
            ));
            if let Some(line) = line {
                rows.push(row("provisioning-line", "web-prov-line", line.to_string()));
            }
            if let Some(setting) = setting {
                rows.push(row(
                    "provisioning-setting",
                    "web-prov-setting",
                    setting.clone(),
                ));
            }
            rows.push(row(
                "provisioning-reason",
                "web-prov-reason",
                reason.clone(),
            ));
        }
    }
    rows
}

/// The last provisioning run (P2, P6): which URL, when, and what came of it;
/// whether one is running and when polling fetches next.
#[component]
fn ProvisioningStatus() -> impl IntoView {
    let live = Live::get();
    let tr = Tr::get();
    let zone = zone();
    let prov = Memo::new(move |_| {
        live.state
            .with(|s| s.as_ref().map(|s| s.provisioning.clone()))
            .unwrap_or_default()
    });
    let result_name = move || {
        prov.with(|p| match &p.last {
            None => "none",
            Some(o) => match o.result {
                ProvisioningResult::Ok { .. } => "ok",
                ProvisioningResult::Error { .. } => "error",
            },
        })
    };
    let details = move || {
        let Some(last) = prov.with(|p| p.last.clone()) else {
            return view! { <p class="note">{move || tr.t("web-prov-never")}</p> }.into_any();
        };
        let dot = match last.result {
            ProvisioningResult::Ok { .. } => "reg reg-ok",
            ProvisioningResult::Error { .. } => "reg reg-failed",
        };
        let rows = provisioning_rows(tr.lang.get(), &last, &zone.get());
        view! {
            <dl>
                {rows
                    .into_iter()
                    .map(|r| {
                        let result = r.id == "provisioning-result";
                        view! {
                            <dt>{move || tr.t(r.label)}</dt>
                            <dd id=r.id class=result.then_some(dot)>
                                {result.then(|| view! { <span class="dot"></span> })}
                                {r.value}
                            </dd>
                        }
                    })
                    .collect_view()}
            </dl>
        }
        .into_any()
    };
    view! {
        <section class="card" id="status-provisioning" data-result=result_name>
            <h2>{move || tr.t("web-status-provisioning")}</h2>
            <FetchNow running=Signal::derive(move || prov.with(|p| p.running)) />
            <Show when=move || prov.with(|p| p.running)>
                <p class="note" id="provisioning-running">{move || tr.t("web-prov-running")}</p>
            </Show>
            {details}
            {move || prov.with(|p| p.next_poll_at_ms).map(|at| view! {
                <p class="note" id="provisioning-next">
                    {move || tr.fmt("web-prov-next-poll", &[("time", date_time(tr, at, &zone.get()).into())])}
                </p>
            })}
        </section>
    }
}

/// Where the last "fetch now" request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FetchNowState {
    Idle,
    Sending,
    Started,
    /// The HTTP status (0: no answer).
    Failed(u16),
}

/// "Fetch settings now" (administrator only): asks the runtime for a provisioning run;
/// how it went shows in the card as the run's state arrives. Off while a run is going.
#[component]
fn FetchNow(running: Signal<bool>) -> impl IntoView {
    let tr = Tr::get();
    let login = Login::get();
    let state = RwSignal::new(FetchNowState::Idle);
    let click = move |_| {
        state.set(FetchNowState::Sending);
        leptos::task::spawn_local(async move {
            let csrf = login.csrf();
            let answer = fetch("POST", PROVISION_NOW_URL, Body::None, csrf.as_deref()).await;
            state.set(match answer {
                Ok(r) if r.status() == 202 => FetchNowState::Started,
                Ok(r) => FetchNowState::Failed(r.status()),
                Err(_) => FetchNowState::Failed(0),
            });
        });
    };
    let name = move || match state.get() {
        FetchNowState::Idle => "idle",
        FetchNowState::Sending => "sending",
        FetchNowState::Started => "started",
        FetchNowState::Failed(_) => "failed",
    };
    let text = move || match state.get() {
        FetchNowState::Failed(status) => {
            tr.fmt("web-prov-fetch-failed", &[("status", status.into())])
        }
        _ => String::new(),
    };
    view! {
        <Show when=move || login.is_admin()>
            <div class="actions">
                <button
                    id="provisioning-fetch-now"
                    type="button"
                    disabled=move || running.get() || state.get() == FetchNowState::Sending
                    on:click=click
                >
                    {move || tr.t("web-prov-fetch-now")}
                </button>
                <p id="provisioning-fetch-status" role="status" data-status=name>{text}</p>
            </div>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use deskphone_protocol::{ProvisioningOutcome, ProvisioningResult};

    use super::*;

    fn outcome(result: ProvisioningResult) -> ProvisioningOutcome {
        ProvisioningOutcome {
            url: "http://prov.example/DP480C-021a2b3c4d5e.xml".into(),
            // 2026-12-02 10:20:30 UTC
            finished_at_ms: 1_796_206_830_000,
            result,
        }
    }

    fn values(rows: &[ProvisioningRow]) -> Vec<(&str, &str)> {
        rows.iter().map(|r| (r.id, r.value.as_str())).collect()
    }

    #[test]
    fn a_successful_run_shows_counts_and_files() {
        let ok = outcome(ProvisioningResult::Ok {
            files: vec!["a.xml".into(), "b.xml".into()],
            changed: 5,
            kept: 1,
        });
        let rows = provisioning_rows(Lang::EnUs, &ok, "");
        assert_eq!(
            values(&rows),
            [
                (
                    "provisioning-url",
                    "http://prov.example/DP480C-021a2b3c4d5e.xml"
                ),
                ("provisioning-time", "2026-12-02 10:20:30"),
                (
                    "provisioning-result",
                    "Applied 2 files: 5 changed, 1 kept as changed on the phone"
                ),
                ("provisioning-files", "a.xml, b.xml"),
            ]
        );
        let rows = provisioning_rows(Lang::De, &ok, "");
        assert_eq!(rows[1].value, "02.12.2026 10:20:30");
        assert!(
            rows[2].value.starts_with("2 Dateien angewendet"),
            "{}",
            rows[2].value
        );
    }

    #[test]
    fn a_failed_run_shows_file_line_setting_and_reason() {
        let failed = outcome(ProvisioningResult::Error {
            url: "http://prov.example/general.xml".into(),
            line: Some(12),
            setting: Some("user_host".into()),
            reason: "not a host name".into(),
        });
        let rows = provisioning_rows(Lang::Fr, &failed, "");
        assert_eq!(
            values(&rows)[2..],
            [
                ("provisioning-result", "Échec : rien n'a été appliqué"),
                (
                    "provisioning-failed-file",
                    "http://prov.example/general.xml"
                ),
                ("provisioning-line", "12"),
                ("provisioning-setting", "user_host"),
                ("provisioning-reason", "not a host name"),
            ]
        );
        assert_eq!(rows[1].value, "02/12/2026 10:20:30");
        // Every label is a message of each locale.
        for r in &rows {
            assert!(
                !i18n::text(Lang::Fr, r.label, &[]).is_empty(),
                "{}",
                r.label
            );
        }
        // Without a line or a setting, those rows are left out.
        let bare = outcome(ProvisioningResult::Error {
            url: "http://prov.example/x.xml".into(),
            line: None,
            setting: None,
            reason: "HTTP 404".into(),
        });
        let ids: Vec<_> = provisioning_rows(Lang::EnUs, &bare, "")
            .iter()
            .map(|r| r.id)
            .collect();
        assert!(!ids.contains(&"provisioning-line") && !ids.contains(&"provisioning-setting"));
    }
}
