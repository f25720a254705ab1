//! The web UI's info and support pages and the brand in a real browser: the info
//! page shows this phone's MAC and addresses with a ticking uptime, the navigation
//! shows the logo and the company name on every page, and the support page's link
//! downloads the diagnostic archive; the web UI follows the language setting.

use anyhow::Context;
use chromiumoxide::Page;
use deskphone_tests::{
    ADMIN_PASSWORD, ADMIN_USER, PhoneOptions, TestBrowser, TestPhone, log_in, wait_js, ws_command,
};

async fn text(page: &Page, selector: &str) -> anyhow::Result<String> {
    page.evaluate(format!(
        "document.querySelector('{selector}')?.textContent ?? ''"
    ))
    .await?
    .into_value::<String>()
    .with_context(|| format!("text of {selector}"))
}

/// The navigation shows the logo (loaded from the bundle) and the company name.
async fn brand_is_shown(page: &Page) -> anyhow::Result<()> {
    wait_js(
        page,
        "the logo",
        "(() => { const i = document.querySelector('#brand img.logo'); \
         return !!i && i.complete && i.naturalWidth > 0 && i.alt.length > 0; })()",
    )
    .await?;
    assert!(!text(page, "#company-name").await?.trim().is_empty());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn info_and_support_pages_show_the_phone() -> anyhow::Result<()> {
    let phone = TestPhone::start(
        "web-pages",
        PhoneOptions {
            user: "alice",
            display_name: "Alice",
            sim_input: "silence",
            display: false,
        },
    )
    .await?;
    let (_, state) = phone.state().await?;
    let mac = state.device.mac.clone();
    assert_eq!(mac.len(), 17, "{mac}");

    let browser = TestBrowser::launch("web-pages-browser", 1024, 768).await?;
    let page = browser.open(&phone, "/#info").await?;
    log_in(&page, ADMIN_USER, ADMIN_PASSWORD).await?;
    wait_js(
        &page,
        "the MAC on the info page",
        &format!("document.querySelector('#info-mac')?.textContent === '{mac}'"),
    )
    .await?;
    assert_eq!(text(&page, "#info-http").await?, phone.http.to_string());
    assert_eq!(text(&page, "#info-sip").await?, phone.sip.to_string());
    assert_eq!(text(&page, "#info-model").await?, state.model.name);
    assert_eq!(text(&page, "#info-expansion").await?, "0");
    assert_eq!(
        text(&page, "#info-firmware").await?,
        env!("CARGO_PKG_VERSION")
    );
    // The uptime ticks with the clock, without a new state from the phone.
    let before = text(&page, "#info-uptime").await?;
    wait_js(
        &page,
        "the uptime to tick",
        &format!("document.querySelector('#info-uptime')?.textContent !== '{before}'"),
    )
    .await?;
    brand_is_shown(&page).await?;

    page.find_element("nav a[href='#support']")
        .await?
        .click()
        .await?;
    wait_js(
        &page,
        "the download link",
        "document.querySelector('#support-download')?.getAttribute('href') === '/api/diagnostics'",
    )
    .await?;
    brand_is_shown(&page).await?;
    assert_eq!(
        page.evaluate("document.querySelectorAll('#support-members li').length")
            .await?
            .into_value::<u32>()?,
        4
    );
    // What the link fetches is the archive.
    wait_js(
        &page,
        "the archive through the link",
        "(() => { if (window.fetched === undefined) { window.fetched = null; \
         fetch(document.querySelector('#support-download').href).then(r => r.arrayBuffer() \
         .then(b => { window.fetched = r.status === 200 \
         && r.headers.get('content-type') === 'application/gzip' \
         && new Uint8Array(b)[0] === 0x1f && new Uint8Array(b)[1] === 0x8b; })); } \
         return window.fetched === true; })()",
    )
    .await?;

    page.find_element("nav a[href='#status']")
        .await?
        .click()
        .await?;
    wait_js(
        &page,
        "the status page",
        "document.querySelector('#status-provisioning')?.dataset.result === 'none'",
    )
    .await?;
    brand_is_shown(&page).await?;

    // The phone's screen and the web UI have their own languages (W2).
    ws_command(
        &phone,
        serde_json::json!({ "type": "set_settings", "values": { "language": "Deutsch" } }),
    )
    .await?;
    ws_command(
        &phone,
        serde_json::json!({ "type": "set_settings", "values": { "web_language": "Français" } }),
    )
    .await?;
    wait_js(
        &page,
        "the web UI in French",
        "document.documentElement.lang === 'fr' \
         && document.querySelector('#status-provisioning h2')?.textContent === 'Provisionnement'",
    )
    .await?;
    Ok(())
}
