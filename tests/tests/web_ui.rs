//! The web UI in a real browser: log in through the form, change the display name on
//! the identity settings page, save, and the phone's own screen shows the new name; an
//! invalid value is refused next to its field; a reset button brings the default back.

use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::input::InsertTextParams;
use deskphone_tests::{
    ADMIN_PASSWORD, ADMIN_USER, PhoneOptions, TestBrowser, TestPhone, log_in, wait_js,
};

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

    let browser = TestBrowser::launch("web-ui-browser", 1024, 768).await?;
    let page = browser.open(&phone, "/").await?;
    // A wrong password first: the form says so, in words.
    log_in(&page, ADMIN_USER, "not-the-password").await?;
    wait_js(
        &page,
        "the wrong-password message",
        "document.querySelector('#login-error')?.dataset.error === 'wrong' \
         && document.querySelector('#login-error').innerText.length > 0",
    )
    .await?;
    log_in(&page, ADMIN_USER, ADMIN_PASSWORD).await?;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_page_in_a_browser_needs_a_login_and_logout_ends_it() -> anyhow::Result<()> {
    let phone = TestPhone::start(
        "web-ui-phone-login",
        PhoneOptions {
            user: "alice",
            display_name: "Alice",
            sim_input: "silence",
            display: false,
        },
    )
    .await?;
    let browser = TestBrowser::launch("web-ui-phone-browser", 480, 272).await?;
    let page = browser.open(&phone, "/phone").await?;
    // Without a login no screen, only the form.
    wait_js(
        &page,
        "the login form",
        "!!document.querySelector('#login')",
    )
    .await?;
    let screen = page
        .evaluate("!!document.querySelector('#phone-screen')")
        .await?
        .into_value::<bool>()?;
    assert!(!screen, "the phone's screen shows before any login");
    log_in(&page, ADMIN_USER, ADMIN_PASSWORD).await?;
    wait_js(
        &page,
        "the phone's idle screen",
        "document.querySelector('#phone-screen')?.dataset.screen === 'idle'",
    )
    .await?;

    // The web UI: log out from the navigation; the form comes back and the session is gone.
    page.goto(format!("http://{}/", phone.http)).await?;
    wait_js(
        &page,
        "the web UI",
        "document.querySelector('#link-state')?.dataset.link === 'open'",
    )
    .await?;
    page.find_element("#logout").await?.click().await?;
    wait_js(
        &page,
        "the login form after logout",
        "!!document.querySelector('#login')",
    )
    .await?;
    let session = page
        .evaluate("fetch('/api/session').then(r => r.json()).then(j => j.logged_in)")
        .await?
        .into_value::<bool>()?;
    assert!(!session, "still logged in after logout");
    Ok(())
}
