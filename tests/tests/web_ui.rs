//! The web UI in a real browser: change the display name on the identity
//! settings page, save, and the phone's own screen shows the new name; an invalid
//! value is refused next to its field; a reset button brings the default back.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::input::InsertTextParams;
use deskphone_runtime::browser;
use deskphone_tests::{PhoneOptions, TestPhone, scratch_dir};

/// Polls a JavaScript expression in the page until it returns true.
async fn wait_js(page: &Page, what: &str, expr: &str) -> anyhow::Result<()> {
    let start = Instant::now();
    loop {
        let ok = page
            .evaluate(expr)
            .await
            .ok()
            .and_then(|r| r.into_value::<bool>().ok())
            .unwrap_or(false);
        if ok {
            return Ok(());
        }
        if start.elapsed() > Duration::from_secs(20) {
            bail!("timed out waiting for {what} ({expr})");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_ui_changes_the_name_on_the_phone_screen() -> anyhow::Result<()> {
    let phone = TestPhone::start(
        "web-ui",
        PhoneOptions {
            user: "alice",
            display_name: "Alice",
            sim_input: "silence",
            display: true,
        },
    )
    .await?;
    phone
        .wait_for_screen("the old name", Duration::from_secs(60), |t| {
            t.contains("screen idle") && t.contains("Alice")
        })
        .await?;

    let exe = browser::find_browser(None).context("chromium is not installed")?;
    let headless = browser::launch(&exe, 1024, 768, &scratch_dir("web-ui-browser"))
        .await
        .map_err(anyhow::Error::msg)?;
    let page = headless
        .browser
        .new_page(format!("http://{}/", phone.http))
        .await?;
    wait_js(
        &page,
        "the WebSocket",
        "document.querySelector('#link-state')?.dataset.link === 'open'",
    )
    .await?;
    page.find_element("nav a[href='#identity']")
        .await?
        .click()
        .await?;
    let field = "#setting-user_realname-1";
    wait_js(
        &page,
        "the display name field",
        &format!("document.querySelector('{field}')?.value === 'Alice'"),
    )
    .await?;
    page.evaluate(format!("document.querySelector('{field}').select()"))
        .await?;
    let input = page.find_element(field).await?;
    input.click().await?;
    page.evaluate(format!("document.querySelector('{field}').select()"))
        .await?;
    // Typed as a user would: ASCII key by key, then text an input method
    // would insert (umlauts).
    input.type_str("Alice Liddell ").await?;
    page.execute(InsertTextParams::new("Ünïcødé")).await?;
    page.find_element("#settings-save").await?.click().await?;
    wait_js(
        &page,
        "the save to be confirmed",
        "document.querySelector('#settings-status')?.dataset.status === 'saved'",
    )
    .await?;

    let new_name = "Alice Liddell Ünïcødé";
    let (_, state) = phone.state().await?;
    assert_eq!(state.settings["user_realname[1]"], new_name);
    phone
        .wait_for_screen("the new name", Duration::from_secs(20), |t| {
            t.contains("screen idle") && t.contains(new_name)
        })
        .await?;
    // Saved in the data folder, not only in memory.
    let saved = std::fs::read_to_string(phone.data_dir.join("settings.json"))?;
    assert!(saved.contains(new_name), "{saved}");
    wait_js(
        &page,
        "the source beside the value",
        "document.querySelector('#setting-user_realname-1-source')?.dataset.source === 'local'",
    )
    .await?;

    // P6: a VLAN id out of 1..=4094 shows its error next to the field; nothing is sent.
    page.find_element("nav a[href='#network']")
        .await?
        .click()
        .await?;
    wait_js(
        &page,
        "the network page with its sections",
        "document.querySelector('#setting-vlan_id') !== null \
         && document.querySelector('fieldset[data-section=vlan] legend')?.textContent === 'VLAN' \
         && document.querySelector('fieldset[data-section=vlan] #setting-vlan_id') !== null",
    )
    .await?;
    page.find_element("#setting-vlan_id")
        .await?
        .click()
        .await?
        .type_str("4095")
        .await?;
    page.find_element("#settings-save").await?.click().await?;
    wait_js(
        &page,
        "the inline error",
        "document.querySelector('#settings-status')?.dataset.status === 'invalid' \
         && document.querySelector('#setting-vlan_id-error')?.textContent.includes('4094')",
    )
    .await?;
    let (_, state) = phone.state().await?;
    assert_eq!(state.settings["vlan_id"], "");

    // Reset: back to the default, on the phone and in the form.
    page.find_element("nav a[href='#identity']")
        .await?
        .click()
        .await?;
    wait_js(
        &page,
        "the reset button",
        "document.querySelector('#setting-user_realname-1-reset')?.disabled === false",
    )
    .await?;
    page.find_element("#setting-user_realname-1-reset")
        .await?
        .click()
        .await?;
    wait_js(
        &page,
        "the reset to show",
        "document.querySelector('#setting-user_realname-1')?.value === '' \
         && document.querySelector('#setting-user_realname-1-source')?.dataset.source === 'default'",
    )
    .await?;
    let (_, state) = phone.state().await?;
    assert_eq!(state.settings["user_realname[1]"], "");
    assert!(!state.setting_sources.contains_key("user_realname[1]"));
    Ok(())
}
