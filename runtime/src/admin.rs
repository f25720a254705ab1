//! Administration over HTTP: settings export and import (the provisioning XML form) and
//! a provisioning run by hand. Secrets never leave: the export leaves them out and the
//! import preview names a secret that would change without its value.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::web::AppState;

/// Largest import accepted, as for provisioning files.
pub const MAX_IMPORT_BYTES: usize = deskphone_provisioning::MAX_FILE_BYTES;

/// `GET /api/settings/export`: every non-secret setting as a `<settings>` file.
pub async fn export(State(app): State<AppState>) -> Response {
    let settings = match app.engine.settings().await {
        Ok(s) => s,
        Err(e) => return (StatusCode::SERVICE_UNAVAILABLE, format!("{e}\n")).into_response(),
    };
    let model = app.engine.current().state.model.name.clone();
    let xml = deskphone_provisioning::export(&settings, &model);
    (
        [
            (header::CONTENT_TYPE, "application/xml; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"settings.xml\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        xml,
    )
        .into_response()
}

/// One setting an import would change.
#[derive(Debug, Serialize)]
pub struct ImportChange {
    pub key: String,
    /// Current and new values; `None` for secrets, whose values are never shown.
    pub from: Option<String>,
    pub to: Option<String>,
    pub secret: bool,
}

/// The answer to an import: what changes (or changed), or why nothing does.
#[derive(Debug, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ImportAnswer {
    Preview {
        changes: Vec<ImportChange>,
    },
    Applied {
        changes: Vec<ImportChange>,
    },
    Refused {
        line: Option<u32>,
        setting: Option<String>,
        reason: String,
    },
}

/// `POST /api/settings/import[?preview=1]`, the file as the body: with `preview`, what
/// would change; without, applies it (all or nothing) as a local change.
pub async fn import(
    State(app): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    body: axum::body::Bytes,
) -> Response {
    let preview = query.get("preview").is_some_and(|v| v != "0");
    let model = app.engine.current().state.model.name.clone();
    let refused = |status: StatusCode, answer: ImportAnswer| (status, axum::Json(answer));
    if body.len() > MAX_IMPORT_BYTES {
        return refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            ImportAnswer::Refused {
                line: None,
                setting: None,
                reason: format!("the file is larger than {MAX_IMPORT_BYTES} bytes"),
            },
        )
        .into_response();
    }
    let plan = match deskphone_provisioning::read(&body, &model) {
        Ok(plan) => plan,
        Err(e) => {
            return refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                ImportAnswer::Refused {
                    line: e.line(),
                    setting: e.setting(),
                    reason: e.to_string(),
                },
            )
            .into_response();
        }
    };
    let current = match app.engine.settings().await {
        Ok(s) => s,
        Err(e) => return (StatusCode::SERVICE_UNAVAILABLE, format!("{e}\n")).into_response(),
    };
    let mut values = BTreeMap::new();
    let mut changes = Vec::new();
    for s in &plan.settings {
        let old = current.get(&s.key.name, s.key.idx);
        if old == s.value {
            continue;
        }
        changes.push(ImportChange {
            key: s.key.to_string(),
            from: (!s.secret).then(|| old.to_owned()),
            to: (!s.secret).then(|| s.value.clone()),
            secret: s.secret,
        });
        values.insert(s.key.to_string(), s.value.clone());
    }
    if preview {
        return axum::Json(ImportAnswer::Preview { changes }).into_response();
    }
    match app.engine.set_settings(values).await {
        Ok(()) => axum::Json(ImportAnswer::Applied { changes }).into_response(),
        Err(e) => refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            ImportAnswer::Refused {
                line: None,
                setting: None,
                reason: e.to_string(),
            },
        )
        .into_response(),
    }
}

/// `POST /api/provisioning`: fetch and apply the settings from `setting_server` now.
pub async fn provision_now(State(app): State<AppState>) -> Response {
    app.provisioning.run_now();
    (StatusCode::ACCEPTED, "provisioning started\n").into_response()
}
