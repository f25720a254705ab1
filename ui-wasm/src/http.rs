//! Requests to the runtime's HTTP API from the web UI, in one place: the session
//! cookie goes along by itself; state-changing requests carry the session's CSRF token
//! in `X-CSRF-Token` (R3), which the runtime checks.

use js_sys::Uint8Array;
use leptos::prelude::window;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

/// What a request carries.
pub enum Body<'a> {
    None,
    /// JSON text (`Content-Type: application/json`).
    Json(&'a str),
    /// A file's bytes as they are (`Content-Type: application/octet-stream`).
    Bytes(&'a [u8]),
}

/// Sends `method path` with `body`, and `csrf` as `X-CSRF-Token` when given.
pub async fn fetch(
    method: &str,
    path: &str,
    body: Body<'_>,
    csrf: Option<&str>,
) -> Result<Response, JsValue> {
    let init = RequestInit::new();
    init.set_method(method);
    let content_type = match body {
        Body::None => None,
        Body::Json(text) => {
            init.set_body(&JsValue::from_str(text));
            Some("application/json")
        }
        Body::Bytes(bytes) => {
            init.set_body(&Uint8Array::from(bytes));
            Some("application/octet-stream")
        }
    };
    let request = Request::new_with_str_and_init(path, &init)?;
    if let Some(content_type) = content_type {
        request.headers().set("Content-Type", content_type)?;
    }
    if let Some(token) = csrf {
        request.headers().set("X-CSRF-Token", token)?;
    }
    let response = JsFuture::from(window().fetch_with_request(&request)).await?;
    response.dyn_into::<Response>()
}

/// The answer's body as text (empty when it has none or cannot be read).
pub async fn text_of(response: &Response) -> String {
    let Ok(promise) = response.text() else {
        return String::new();
    };
    JsFuture::from(promise)
        .await
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// The answer's body as JSON, if it is JSON.
pub async fn json_of(response: &Response) -> Option<serde_json::Value> {
    serde_json::from_str(&text_of(response).await).ok()
}

/// The bytes of the file chosen in `input`, as they are (the runtime reads and checks
/// them: encodings, archive entries, images).
pub async fn read_file(input: &web_sys::HtmlInputElement) -> Option<Vec<u8>> {
    let file = input.files()?.get(0)?;
    let buffer = JsFuture::from(file.array_buffer()).await.ok()?;
    Some(Uint8Array::new(&buffer).to_vec())
}
