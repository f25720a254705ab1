//! The Customisation page (administrator only, F3): the default files as a package to
//! start from, a package upload that the phone checks first (`POST
//! /api/customisation/check`) and shows in a preview of the phone's idle screen, Apply
//! (`POST /api/customisation`, all or nothing), and back to the defaults (`DELETE`).
//! Without a chosen package the preview shows the customisation in use.
//!
//! DOM hooks: `#custom-default` (download link), `#custom-file`,
//! `#custom-status[data-status]`, `#custom-error`, `#custom-apply`, `#custom-reset`,
//! `#custom-name`, `#custom-preview[data-source]` (`staged` or `active`) with
//! `#custom-preview-wallpaper`, `#custom-preview-logo`, `#custom-preview-company`.

use deskphone_protocol::Colours;
use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

use crate::conn::Live;
use crate::http::{Body, fetch, json_of, read_file, text_of};
use crate::i18n::Tr;
use crate::login::Login;
use crate::web::Waiting;

const DEFAULT_URL: &str = "/api/customisation/default";
const CHECK_URL: &str = "/api/customisation/check";
const APPLY_URL: &str = "/api/customisation";
/// The screen's own colours (`public/style.css`, `#phone-screen`) when a package sets
/// none.
const DEFAULT_COLOURS: (&str, &str, &str) = ("#0b1220", "#eef2f8", "#5cc8ff");

/// What the preview draws: a checked package (images as `data:` URLs) or the one in
/// use (images at `/custom/…`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
struct Look {
    name: String,
    company_name: Option<String>,
    colours: Option<Colours>,
    logo: Option<String>,
    wallpaper: Option<String>,
    #[serde(default)]
    ringtones: Vec<String>,
    #[serde(default)]
    languages: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Upload {
    Idle,
    Checking,
    /// Checked; Apply sends the same bytes.
    Checked(Look),
    Applying,
    Applied,
    /// The phone's reason.
    Refused(String),
    Failed(u16),
}

impl Upload {
    fn name(&self) -> &'static str {
        match self {
            Upload::Idle => "idle",
            Upload::Checking => "checking",
            Upload::Checked(_) => "checked",
            Upload::Applying => "applying",
            Upload::Applied => "applied",
            Upload::Refused(_) => "refused",
            Upload::Failed(_) => "failed",
        }
    }
}

/// Sends a package (or nothing, for `DELETE`) and reads the answer.
async fn send(
    method: &str,
    path: &str,
    bytes: &[u8],
    csrf: Option<String>,
) -> Result<Option<Look>, Upload> {
    let body = if bytes.is_empty() {
        Body::None
    } else {
        Body::Bytes(bytes)
    };
    let response = fetch(method, path, body, csrf.as_deref())
        .await
        .map_err(|_| Upload::Failed(0))?;
    if response.ok() {
        let look = json_of(&response)
            .await
            .and_then(|v| serde_json::from_value::<Look>(v).ok());
        return Ok(look);
    }
    let status = response.status();
    let text = text_of(&response).await.trim().to_owned();
    Err(if text.is_empty() {
        Upload::Failed(status)
    } else {
        Upload::Refused(text)
    })
}

#[component]
pub fn CustomisePage() -> impl IntoView {
    let live = Live::get();
    let tr = Tr::get();
    let login = Login::get();
    let loaded = Memo::new(move |_| live.state.with(Option::is_some));
    let active = Memo::new(move |_| {
        live.state
            .with(|s| s.as_ref().map(|s| s.customisation.clone()))
            .unwrap_or_default()
    });
    let display = Memo::new(move |_| {
        live.state
            .with(|s| {
                s.as_ref()
                    .map(|s| (s.model.display_width, s.model.display_height))
            })
            .unwrap_or((480, 272))
    });
    let upload = RwSignal::new(Upload::Idle);
    let file = RwSignal::new(None::<Vec<u8>>);
    let busy = move || matches!(upload.get(), Upload::Checking | Upload::Applying);

    let choose = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        upload.set(Upload::Checking);
        file.set(None);
        leptos::task::spawn_local(async move {
            let Some(bytes) = read_file(&input).await else {
                upload.set(Upload::Idle);
                return;
            };
            let answer = send("POST", CHECK_URL, &bytes, login.csrf()).await;
            match answer {
                Ok(Some(look)) => {
                    file.set(Some(bytes));
                    upload.set(Upload::Checked(look));
                }
                Ok(None) => upload.set(Upload::Failed(200)),
                Err(e) => upload.set(e),
            }
        });
    };
    let apply = move |_| {
        let Some(bytes) = file.get_untracked() else {
            return;
        };
        upload.set(Upload::Applying);
        leptos::task::spawn_local(async move {
            match send("POST", APPLY_URL, &bytes, login.csrf()).await {
                Ok(_) => {
                    file.set(None);
                    upload.set(Upload::Applied);
                }
                Err(e) => upload.set(e),
            }
        });
    };
    let reset = move |_| {
        file.set(None);
        upload.set(Upload::Applying);
        leptos::task::spawn_local(async move {
            match send("DELETE", APPLY_URL, &[], login.csrf()).await {
                Ok(_) => upload.set(Upload::Applied),
                Err(e) => upload.set(e),
            }
        });
    };

    // The staged package while one is checked, else the one in use.
    let look = move || match upload.get() {
        Upload::Checked(look) => (look, "staged"),
        _ => {
            let a = active.get();
            (
                Look {
                    name: a.name,
                    company_name: a.company_name,
                    colours: a.colours,
                    logo: a.logo,
                    wallpaper: a.wallpaper,
                    ringtones: a.ringtones,
                    languages: a.languages,
                },
                "active",
            )
        }
    };
    let status_text = move || match upload.get() {
        Upload::Idle => String::new(),
        Upload::Checking => tr.t("web-custom-checking"),
        Upload::Checked(look) => tr.fmt("web-custom-checked", &[("name", look.name.into())]),
        Upload::Applying => tr.t("web-custom-applying"),
        Upload::Applied => tr.t("web-custom-applied"),
        Upload::Refused(reason) => tr.fmt("web-custom-refused", &[("reason", reason.into())]),
        Upload::Failed(status) => tr.fmt("web-custom-failed", &[("status", status.into())]),
    };
    let last = move || active.with(|a| a.last.clone());

    // Each card's view type is erased: the page nests deep enough to exceed the
    // compiler's recursion limit when the runtime renders the UI natively.
    let in_use = move || {
        view! {
            <section class="card">
                <h2>{move || tr.t("web-custom-in-use")}</h2>
                <p id="custom-name">
                    {move || {
                        active.with(|a| match &a.id {
                            Some(_) => a.name.clone(),
                            None => tr.t("web-custom-defaults"),
                        })
                    }}
                </p>
                <p
                    id="custom-last"
                    data-ok=move || last().map(|o| o.ok.to_string())
                    hidden=move || last().is_none()
                >
                    {move || last().map(|o| {
                        tr.fmt(
                            if o.ok { "web-custom-last-ok" } else { "web-custom-last-failed" },
                            &[("source", o.source.into()), ("message", o.message.into())],
                        )
                    })}
                </p>
                <div class="actions">
                    <a id="custom-default" class="button" href=DEFAULT_URL download="customisation-default.tar.gz">
                        {move || tr.t("web-custom-default")}
                    </a>
                    <button
                        id="custom-reset"
                        type="button"
                        disabled=move || busy() || active.with(|a| a.id.is_none())
                        on:click=reset
                    >
                        {move || tr.t("web-custom-reset")}
                    </button>
                </div>
            </section>
        }
        .into_any()
    };
    let upload_card = move || {
        view! {
            <section class="card">
                <h2>{move || tr.t("web-custom-upload")}</h2>
                <p class="intro">{move || tr.t("web-custom-upload-help")}</p>
                <div class="field">
                    <label for="custom-file">{move || tr.t("web-custom-file")}</label>
                    <input
                        id="custom-file"
                        type="file"
                        accept=".tar.gz,.tgz,.tar,application/gzip,application/x-tar"
                        disabled=busy
                        on:change=choose
                    />
                </div>
                <p id="custom-status" role="status" data-status=move || upload.with(Upload::name)>
                    {status_text}
                </p>
                <Show when=move || matches!(upload.get(), Upload::Checked(_))>
                    <div class="actions">
                        <button id="custom-apply" type="button" on:click=apply>
                            {move || tr.t("web-custom-apply")}
                        </button>
                    </div>
                </Show>
            </section>
        }
        .into_any()
    };
    let preview = move || {
        view! {
            <section class="card">
                <h2>{move || tr.t("web-custom-preview")}</h2>
                {move || {
                    let (look, source) = look();
                    let (width, height) = display.get();
                    view! { <Preview look=look source=source width=width height=height /> }
                }}
            </section>
        }
        .into_any()
    };
    view! {
        <Show when=move || loaded.get() fallback=|| view! { <Waiting /> }>
            <h1>{move || tr.t("web-custom-title")}</h1>
            {in_use}
            {upload_card}
            {preview}
        </Show>
    }
}

/// The phone's idle screen at the model's size with a package's look: wallpaper (or
/// the colours' gradient), logo, company name, colours.
#[component]
fn Preview(look: Look, source: &'static str, width: u32, height: u32) -> impl IntoView {
    let tr = Tr::get();
    let live = Live::get();
    let colours = look.colours.clone().unwrap_or_else(|| Colours {
        background: DEFAULT_COLOURS.0.into(),
        text: DEFAULT_COLOURS.1.into(),
        accent: DEFAULT_COLOURS.2.into(),
    });
    let background = match &look.wallpaper {
        Some(url) => format!("center / cover no-repeat url(\"{url}\")"),
        None => colours.background.clone(),
    };
    let style = format!(
        "width:{width}px;height:{height}px;background:{background};color:{};\
         border-color:{};position:relative;overflow:hidden;border:2px solid;box-sizing:content-box;\
         font-family:sans-serif;",
        colours.text, colours.accent
    );
    let company = look
        .company_name
        .clone()
        .unwrap_or_else(|| tr.t("web-company"));
    let identity = move || {
        live.state
            .with(|s| {
                s.as_ref()
                    .and_then(|s| s.identities.first().map(|i| i.display_name.clone()))
            })
            .unwrap_or_default()
    };
    let accent = colours.accent.clone();
    let details = [
        (!look.ringtones.is_empty()).then(|| {
            tr.fmt(
                "web-custom-ringtones",
                &[("names", look.ringtones.join(", ").into())],
            )
        }),
        (!look.languages.is_empty()).then(|| {
            tr.fmt(
                "web-custom-languages",
                &[("files", look.languages.join(", ").into())],
            )
        }),
    ];
    view! {
        <div id="custom-preview" class="custom-preview" data-source=source style=style>
            <div
                id="custom-preview-wallpaper"
                data-url=look.wallpaper.clone().unwrap_or_default()
                hidden=look.wallpaper.is_none()
            ></div>
            <div style=format!(
                "display:flex;align-items:center;gap:8px;padding:6px 10px;border-bottom:1px solid {accent};background:rgba(0,0,0,0.25);"
            )>
                {look.logo.clone().map(|src| view! {
                    <img id="custom-preview-logo" src=src alt="" style="max-height:28px;max-width:96px;" />
                })}
                <span id="custom-preview-company" style="font-weight:bold;">{company}</span>
            </div>
            <div style="position:absolute;left:10px;bottom:10px;font-size:20px;">{identity}</div>
        </div>
        <ul class="custom-details">
            {details.into_iter().flatten().map(|d| view! { <li>{d}</li> }).collect_view()}
        </ul>
    }
}
