//! The backup page (administrator only): the settings as a file and back.
//!
//! Export is a link to `GET /api/settings/export` (the `<settings>` XML without
//! secrets). Import reads the chosen file, asks the runtime what it would change
//! (`POST /api/settings/import?preview=1`), shows exactly that, and applies the same
//! bytes on request (`POST /api/settings/import`, all or nothing). A refused file
//! shows the line, the setting and the runtime's reason; nothing changes then.
//!
//! DOM hooks: `#backup-export`, `#backup-file`, `#backup-status[data-status]`,
//! `#backup-preview` (`tr[data-key][data-secret]` with `.from`, `.to`),
//! `#backup-apply`, `#backup-error` (`#backup-error-line`, `-setting`, `-reason`).

use deskphone_settings::SettingKey;
use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

use crate::http::{Body, fetch, json_of, read_file};
use crate::i18n::Tr;
use crate::login::Login;
use crate::web::key_label;

/// Where the runtime serves the export.
const EXPORT_URL: &str = "/api/settings/export";
const PREVIEW_URL: &str = "/api/settings/import?preview=1";
const IMPORT_URL: &str = "/api/settings/import";

/// One setting an import would change (or changed); no values for secrets.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
struct Change {
    key: String,
    from: Option<String>,
    to: Option<String>,
    secret: bool,
}

/// The runtime's answer to an import, as `admin.rs` writes it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
enum Answer {
    Preview {
        changes: Vec<Change>,
    },
    Applied {
        changes: Vec<Change>,
    },
    Refused {
        line: Option<u32>,
        setting: Option<String>,
        reason: String,
    },
}

/// Where the import stands.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Import {
    Idle,
    /// Reading the file and asking for the preview.
    Checking,
    Preview(Vec<Change>),
    Applying(Vec<Change>),
    Applied(Vec<Change>),
    Refused {
        line: Option<u32>,
        setting: Option<String>,
        reason: String,
    },
    /// No answer we understand: the HTTP status (0 when there was none).
    Failed(u16),
}

impl Import {
    fn name(&self) -> &'static str {
        match self {
            Import::Idle => "idle",
            Import::Checking => "checking",
            Import::Preview(c) if c.is_empty() => "nothing",
            Import::Preview(_) => "preview",
            Import::Applying(_) => "applying",
            Import::Applied(_) => "applied",
            Import::Refused { .. } => "refused",
            Import::Failed(_) => "failed",
        }
    }

    /// The rows the table shows: what would change, or what did.
    fn changes(&self) -> &[Change] {
        match self {
            Import::Preview(c) | Import::Applying(c) | Import::Applied(c) => c,
            _ => &[],
        }
    }
}

/// What an HTTP answer to an import means.
fn outcome(status: u16, json: Option<serde_json::Value>) -> Import {
    match json.and_then(|v| serde_json::from_value::<Answer>(v).ok()) {
        Some(Answer::Preview { changes }) => Import::Preview(changes),
        Some(Answer::Applied { changes }) => Import::Applied(changes),
        Some(Answer::Refused {
            line,
            setting,
            reason,
        }) => Import::Refused {
            line,
            setting,
            reason,
        },
        None => Import::Failed(status),
    }
}

/// Sends the file to `path` with the session's CSRF token.
async fn send(path: &str, file: &[u8], csrf: Option<String>) -> Import {
    match fetch("POST", path, Body::Bytes(file), csrf.as_deref()).await {
        Ok(response) => {
            let status = response.status();
            outcome(status, json_of(&response).await)
        }
        Err(_) => Import::Failed(0),
    }
}

/// A setting's label with its key, e.g. "Display name of identity 1 (user_realname[1])".
fn change_label(tr: Tr, key: &str) -> String {
    match SettingKey::parse(key) {
        Ok(k) if deskphone_settings::setting(&k.name).is_some() => tr.fmt(
            "web-backup-setting",
            &[("label", key_label(tr, &k).into()), ("key", key.into())],
        ),
        _ => key.to_owned(),
    }
}

#[component]
pub fn BackupPage() -> impl IntoView {
    let tr = Tr::get();
    let login = Login::get();
    let import = RwSignal::new(Import::Idle);
    // The bytes previewed: Apply sends exactly these.
    let file = RwSignal::new(None::<Vec<u8>>);
    let busy = move || matches!(import.get(), Import::Checking | Import::Applying(_));

    let choose = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        import.set(Import::Checking);
        file.set(None);
        leptos::task::spawn_local(async move {
            let Some(bytes) = read_file(&input).await else {
                import.set(Import::Idle);
                return;
            };
            let answer = send(PREVIEW_URL, &bytes, login.csrf()).await;
            file.set(Some(bytes));
            import.set(answer);
        });
    };
    let apply = move |_| {
        let Some(bytes) = file.get_untracked() else {
            return;
        };
        import.update(|i| {
            if let Import::Preview(c) = i {
                *i = Import::Applying(std::mem::take(c));
            }
        });
        leptos::task::spawn_local(async move {
            let answer = send(IMPORT_URL, &bytes, login.csrf()).await;
            if matches!(answer, Import::Applied(_)) {
                file.set(None);
            }
            import.set(answer);
        });
    };

    let status_text = move || {
        import.with(|i| match i {
            Import::Idle => String::new(),
            Import::Checking => tr.t("web-backup-checking"),
            Import::Preview(c) if c.is_empty() => tr.t("web-backup-nothing"),
            Import::Preview(c) => tr.fmt("web-backup-preview", &[("count", c.len().into())]),
            Import::Applying(_) => tr.t("web-backup-applying"),
            Import::Applied(c) => tr.fmt("web-backup-applied", &[("count", c.len().into())]),
            Import::Refused { .. } => tr.t("web-backup-refused"),
            Import::Failed(status) => tr.fmt("web-backup-failed", &[("status", (*status).into())]),
        })
    };
    let rows = move || {
        import.with(|i| {
            i.changes()
                .iter()
                .map(|c| {
                    let label = change_label(tr, &c.key);
                    let (from, to) = if c.secret {
                        (tr.t("web-backup-secret-hidden"), tr.t("web-backup-secret-changed"))
                    } else {
                        (c.from.clone().unwrap_or_default(), c.to.clone().unwrap_or_default())
                    };
                    view! {
                        <tr data-key=c.key.clone() data-secret=if c.secret { "true" } else { "false" }>
                            <td class="key">{label}</td>
                            <td class="from">{from}</td>
                            <td class="to">{to}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let error = move || {
        import.with(|i| match i {
            Import::Refused {
                line,
                setting,
                reason,
            } => {
                let (line, setting, reason) = (*line, setting.clone(), reason.clone());
                Some(view! {
                    <dl id="backup-error" role="alert">
                        {line.map(|l| view! {
                            <dt>{move || tr.t("web-prov-line")}</dt>
                            <dd id="backup-error-line">{l}</dd>
                        })}
                        {setting.map(|s| view! {
                            <dt>{move || tr.t("web-prov-setting")}</dt>
                            <dd id="backup-error-setting">{s}</dd>
                        })}
                        <dt>{move || tr.t("web-prov-reason")}</dt>
                        <dd id="backup-error-reason">{reason}</dd>
                    </dl>
                })
            }
            _ => None,
        })
    };

    view! {
        <h1>{move || tr.t("web-backup-title")}</h1>
        <section class="card">
            <h2>{move || tr.t("web-backup-export")}</h2>
            <p class="intro">{move || tr.t("web-backup-export-help")}</p>
            <div class="actions">
                <a id="backup-export" class="button" href=EXPORT_URL download="settings.xml">
                    {move || tr.t("web-backup-export-download")}
                </a>
            </div>
        </section>
        <section class="card">
            <h2>{move || tr.t("web-backup-import")}</h2>
            <p class="intro">{move || tr.t("web-backup-import-help")}</p>
            <div class="field">
                <label for="backup-file">{move || tr.t("web-backup-file")}</label>
                <input
                    id="backup-file"
                    type="file"
                    accept=".xml,.txt,.cfg,application/xml,text/xml,text/plain"
                    disabled=busy
                    on:change=choose
                />
            </div>
            <p id="backup-status" role="status" data-status=move || import.with(Import::name)>
                {status_text}
            </p>
            {error}
            <Show when=move || import.with(|i| !i.changes().is_empty())>
                <table id="backup-preview">
                    <thead>
                        <tr>
                            <th>{move || tr.t("web-backup-col-setting")}</th>
                            <th>{move || tr.t("web-backup-col-from")}</th>
                            <th>{move || tr.t("web-backup-col-to")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </Show>
            <Show when=move || import.with(|i| matches!(i, Import::Preview(c) if !c.is_empty()))>
                <div class="actions">
                    <button id="backup-apply" type="button" on:click=apply>
                        {move || tr.t("web-backup-apply")}
                    </button>
                </div>
            </Show>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_of_the_runtime_are_read() {
        let preview = serde_json::json!({"status": "preview", "changes": [
            {"key": "user_realname[1]", "from": "Alice", "to": "Bob", "secret": false},
            {"key": "user_pass[1]", "from": null, "to": null, "secret": true},
        ]});
        let Import::Preview(changes) = outcome(200, Some(preview)) else {
            panic!("not a preview");
        };
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].to.as_deref(), Some("Bob"));
        assert!(changes[1].secret && changes[1].to.is_none());

        let refused = serde_json::json!({"status": "refused", "line": 4,
            "setting": "vlan_id", "reason": "out of range"});
        assert_eq!(
            outcome(422, Some(refused)),
            Import::Refused {
                line: Some(4),
                setting: Some("vlan_id".into()),
                reason: "out of range".into()
            }
        );
        let applied = serde_json::json!({"status": "applied", "changes": []});
        assert_eq!(outcome(200, Some(applied)).name(), "applied");
        assert_eq!(outcome(403, None), Import::Failed(403));
        assert_eq!(
            outcome(200, Some(serde_json::json!({"status": "other"}))),
            Import::Failed(200)
        );
        assert_eq!(Import::Preview(Vec::new()).name(), "nothing");
    }
}
