//! The call history page (W1): missed, received and dialled calls per identity, newest
//! first, with what happened to each (answered elsewhere, forwarded, transferred), the
//! missed-call counter, and the callers this phone blocks (C3) with a button to let
//! each through again.

use deskphone_protocol::{Command, HistoryEntry, HistoryKind};
use leptos::prelude::*;

use crate::conn::{self, Live};
use crate::i18n::Tr;
use crate::status::{date_time, zone};
use crate::web::Waiting;

/// `m:ss` or `h:mm:ss` of a call's duration.
fn duration(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// What else happened to the call, in the locale's words.
fn note(tr: Tr, e: &HistoryEntry) -> String {
    if e.answered_elsewhere {
        return tr.t("web-history-answered-elsewhere");
    }
    if let Some(to) = &e.forwarded_to {
        return tr.fmt("web-history-forwarded-to", &[("target", to.clone().into())]);
    }
    if let Some(to) = &e.transferred_to {
        return tr.fmt(
            "web-history-transferred-to",
            &[("target", to.clone().into())],
        );
    }
    String::new()
}

#[component]
pub fn HistoryPage() -> impl IntoView {
    let live = Live::get();
    let tr = Tr::get();
    let zone = zone();
    let history = Memo::new(move |_| {
        live.state
            .with(|s| s.as_ref().map(|s| s.history.clone()))
            .unwrap_or_default()
    });
    let deny_list = Memo::new(move |_| {
        live.state
            .with(|s| s.as_ref().map(|s| s.deny_list.clone()))
            .unwrap_or_default()
    });
    let loaded = Memo::new(move |_| live.state.with(Option::is_some));
    let section = move |kind: HistoryKind, id: &'static str, title: &'static str| {
        let rows = move || {
            history.with(|h| {
                h.entries
                    .iter()
                    .filter(|e| e.kind == kind)
                    .cloned()
                    .collect::<Vec<_>>()
            })
        };
        view! {
            <section class="card" id=id>
                <h2>{move || tr.t(title)}</h2>
                <Show
                    when=move || !rows().is_empty()
                    fallback=move || view! { <p class="note">{move || tr.t("web-history-empty")}</p> }
                >
                    <table class="history">
                        <thead>
                            <tr>
                                <th>{move || tr.t("web-history-time")}</th>
                                <th>{move || tr.t("web-history-identity")}</th>
                                <th>{move || tr.t("web-history-party")}</th>
                                <th>{move || tr.t("web-history-duration")}</th>
                                <th>{move || tr.t("web-history-note")}</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=rows key=|e| e.id let:e>
                                <tr class="history-entry" data-id=e.id.to_string()>
                                    <td>{
                                        let at = e.started_at_ms;
                                        move || date_time(tr, at, &zone.get())
                                    }</td>
                                    <td class="history-identity">{e.identity}</td>
                                    <td class="history-party">
                                        {(!e.remote_name.is_empty()).then(|| view! {
                                            <span class="history-name">{e.remote_name.clone()}</span>
                                            " "
                                        })}
                                        <span class="history-uri">{e.remote_uri.clone()}</span>
                                    </td>
                                    <td class="history-duration">{duration(e.duration_ms)}</td>
                                    <td class="history-note">{
                                        let e = e.clone();
                                        move || note(tr, &e)
                                    }</td>
                                </tr>
                            </For>
                        </tbody>
                    </table>
                </Show>
            </section>
        }
        // Erased, so that the page's view type stays shallow (the native SSR build
        // computes its layout).
        .into_any()
    };
    let unblock = move |entry: String| {
        // The state shows the result; a refusal changes nothing.
        let _ = conn::send(Command::Unblock { entry });
    };
    let blocked = move || {
        view! {
        <section class="card" id="history-blocked">
            <h2>{move || tr.t("web-history-blocked")}</h2>
            <Show
                when=move || !deny_list.with(Vec::is_empty)
                fallback=move || view! { <p class="note">{move || tr.t("web-history-blocked-empty")}</p> }
            >
                <ul>
                    <For each=move || deny_list.get() key=|e| e.clone() let:entry>
                        <li class="blocked-entry">
                            <span>{entry.clone()}</span>
                            " "
                            <button on:click={
                                let entry = entry.clone();
                                move |_| unblock(entry.clone())
                            }>{move || tr.t("web-history-unblock")}</button>
                        </li>
                    </For>
                </ul>
            </Show>
        </section>
        }
        .into_any()
    };
    view! {
        <Show when=move || loaded.get() fallback=|| view! { <Waiting /> }>
            <h1>{move || tr.t("web-history-title")}</h1>
            <p id="history-missed-count">
                {move || tr.fmt(
                    "web-history-missed-count",
                    &[("count", history.with(|h| h.missed_unseen).into())],
                )}
            </p>
            {section(HistoryKind::Missed, "history-missed", "web-history-missed")}
            {section(HistoryKind::Received, "history-received", "web-history-received")}
            {section(HistoryKind::Dialled, "history-dialled", "web-history-dialled")}
            {blocked()}
        </Show>
    }
}
