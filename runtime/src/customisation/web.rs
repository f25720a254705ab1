//! The customisation routes: `POST /api/customisation` (a package, admin only),
//! `DELETE /api/customisation` (back to the defaults), `GET /api/customisation/default`
//! (the default files as a package to start from), and `GET /custom/<id>/<file>` (the
//! files in use, open like the UI bundle: the phone's own screen shows them).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

use super::package::{MAX_PACKAGE_BYTES, PackageError};
use super::{CustomiseError, WEB_UPLOAD};
use crate::web::AppState;

/// The package is the request body as it is (`application/octet-stream`, a .tar.gz or
/// .tar). Answers the new customisation state as JSON, or a message saying why the
/// package was refused (400, 413 too large, 409 another check runs).
pub async fn upload(State(app): State<AppState>, body: Body) -> Response {
    let bytes = match read_body(body).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    match app.customiser.install(bytes, WEB_UPLOAD).await {
        Ok(state) => axum::Json(state).into_response(),
        Err(e) => refused(status_of(&e), &e.to_string()),
    }
}

/// `POST /api/customisation/check`: the same checks, nothing stored; answers what the
/// package would show, its images as `data:` URLs for the preview.
pub async fn check(State(app): State<AppState>, body: Body) -> Response {
    let bytes = match read_body(body).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    match app.customiser.check_only(bytes).await {
        Ok(package) => axum::Json(Preview::of(&package)).into_response(),
        Err(e) => refused(status_of(&e), &e.to_string()),
    }
}

/// What a checked package would show.
#[derive(serde::Serialize)]
struct Preview {
    name: String,
    company_name: Option<String>,
    colours: Option<deskphone_protocol::Colours>,
    logo: Option<String>,
    wallpaper: Option<String>,
    ringtones: Vec<String>,
    languages: Vec<String>,
}

impl Preview {
    fn of(package: &super::package::CheckedPackage) -> Preview {
        use base64::Engine;
        let data_url = |name: &Option<String>| {
            let name = name.as_deref()?;
            let file = package.files.iter().find(|f| f.name == name)?;
            Some(format!(
                "data:{};base64,{}",
                super::store::content_type(name),
                base64::engine::general_purpose::STANDARD.encode(&file.bytes)
            ))
        };
        Preview {
            name: package.name.clone(),
            company_name: package.company_name.clone(),
            colours: package.colours.clone(),
            logo: data_url(&package.logo),
            wallpaper: data_url(&package.wallpaper),
            ringtones: package.ringtones.clone(),
            languages: package.languages.clone(),
        }
    }
}

/// The request body, at most [`MAX_PACKAGE_BYTES`], or the answer refusing it.
async fn read_body(body: Body) -> Result<Vec<u8>, Response> {
    match http_body_util::Limited::new(body, MAX_PACKAGE_BYTES)
        .collect()
        .await
    {
        Ok(collected) => Ok(collected.to_bytes().to_vec()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            &PackageError::TooLarge.to_string(),
        )),
        Err(e) => Err(refused(
            StatusCode::BAD_REQUEST,
            &format!("the upload broke off: {e}"),
        )),
    }
}

pub async fn reset(State(app): State<AppState>) -> Response {
    match app.customiser.reset().await {
        Ok(state) => axum::Json(state).into_response(),
        Err(e) => refused(status_of(&e), &e.to_string()),
    }
}

pub async fn default_package(State(app): State<AppState>) -> Response {
    let customiser = app.customiser.clone();
    match tokio::task::spawn_blocking(move || customiser.default_package()).await {
        Ok(Ok(bytes)) => (
            [
                (header::CONTENT_TYPE, "application/gzip"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"customisation-default.tar.gz\"",
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(Err(e)) => refused(
            StatusCode::NOT_FOUND,
            &format!("the default files are not in the UI bundle: {e}"),
        ),
        Err(_) => refused(StatusCode::INTERNAL_SERVER_ERROR, "interrupted"),
    }
}

/// A file of the customisation in use. Its path carries the package's id, so it never
/// changes and may be cached; an SVG may not run anything even when opened directly.
pub async fn file(
    State(app): State<AppState>,
    Path((id, name)): Path<(String, String)>,
) -> Response {
    let customiser = app.customiser.clone();
    let found = tokio::task::spawn_blocking(move || customiser.file(&id, &name))
        .await
        .ok()
        .flatten();
    let Some((bytes, content_type)) = found else {
        return (StatusCode::NOT_FOUND, "no such file\n").into_response();
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; sandbox",
            ),
        ],
        bytes,
    )
        .into_response()
}

fn status_of(e: &CustomiseError) -> StatusCode {
    match e {
        CustomiseError::Package(PackageError::TooLarge) => StatusCode::PAYLOAD_TOO_LARGE,
        CustomiseError::Package(_) | CustomiseError::Fetch(_) => StatusCode::BAD_REQUEST,
        CustomiseError::Busy => StatusCode::CONFLICT,
        CustomiseError::Io(_) | CustomiseError::Interrupted => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn refused(status: StatusCode, message: &str) -> Response {
    (status, format!("{message}\n")).into_response()
}
