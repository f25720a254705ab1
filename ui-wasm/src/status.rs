//! The web UI's start page: the phone, its identities and their registration,
//! the calls with their codec, text messages and voicemail, the outcome of the
//! last provisioning run, and the live screen.

use std::time::Duration;

use deskphone_protocol::{DisplayEngineState, ProvisioningResult};
use leptos::prelude::*;

use crate::clock;
use crate::conn::Live;
use crate::i18n::{self, Tr};
use crate::screen;
use crate::web::Waiting;

/// How often the live screen image refreshes when no state changes.
const SCREEN_REFRESH: Duration = Duration::from_secs(5);

/// A moment (ms since the epoch) in the phone's time zone, as the locale writes
/// a date and time.
pub fn date_time(tr: Tr, ms: u64, zone: &str) -> String {
    let ms = ms as i64;
    let c = clock::civil(ms + clock::zone_offset_ms(zone, ms));
    tr.fmt(
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
        let finished = last.finished_at_ms;
        let outcome = match last.result {
            ProvisioningResult::Ok {
                files,
                changed,
                kept,
            } => {
                let count = files.len();
                let list = files.join(", ");
                view! {
                    <dt>{move || tr.t("web-prov-result")}</dt>
                    <dd id="provisioning-result" class="reg reg-ok">
                        <span class="dot"></span>
                        {move || tr.fmt(
                            "web-prov-ok",
                            &[("files", count.into()), ("changed", changed.into()), ("kept", kept.into())],
                        )}
                    </dd>
                    <dt>{move || tr.t("web-prov-files")}</dt>
                    <dd id="provisioning-files">{list}</dd>
                }
                .into_any()
            }
            ProvisioningResult::Error {
                url,
                line,
                setting,
                reason,
            } => view! {
                <dt>{move || tr.t("web-prov-result")}</dt>
                <dd id="provisioning-result" class="reg reg-failed">
                    <span class="dot"></span>
                    {move || tr.t("web-prov-error")}
                </dd>
                <dt>{move || tr.t("web-prov-failed-file")}</dt>
                <dd id="provisioning-failed-file">{url}</dd>
                {line.map(|line| view! {
                    <dt>{move || tr.t("web-prov-line")}</dt>
                    <dd id="provisioning-line">{line}</dd>
                })}
                {setting.map(|setting| view! {
                    <dt>{move || tr.t("web-prov-setting")}</dt>
                    <dd id="provisioning-setting">{setting}</dd>
                })}
                <dt>{move || tr.t("web-prov-reason")}</dt>
                <dd id="provisioning-reason">{reason}</dd>
            }
            .into_any(),
        };
        view! {
            <dl>
                <dt>{move || tr.t("web-prov-url")}</dt>
                <dd id="provisioning-url">{last.url}</dd>
                <dt>{move || tr.t("web-prov-time")}</dt>
                <dd id="provisioning-time">{move || date_time(tr, finished, &zone.get())}</dd>
                {outcome}
            </dl>
        }
        .into_any()
    };
    view! {
        <section class="card" id="status-provisioning" data-result=result_name>
            <h2>{move || tr.t("web-status-provisioning")}</h2>
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
