//! The web UI's backup page and the user role in a real browser: the export link
//! downloads the settings without secrets; an imported file first shows exactly what
//! it changes (secrets without values), Apply changes it on the phone; a file with a bad
//! value shows its line, setting and reason and changes nothing; "Fetch settings now"
//! starts a provisioning run. Logged in as the user role, the browser sees no page it
//! cannot use (no Network page, no backup, no fetch-now, no identity removal).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::browser::{
    SetDownloadBehaviorBehavior, SetDownloadBehaviorParams,
};
use chromiumoxide::cdp::browser_protocol::dom::SetFileInputFilesParams;
use deskphone_tests::{
    ADMIN_PASSWORD, ADMIN_USER, PhoneOptions, TestBrowser, TestPhone, log_in, scratch_dir, wait_js,
    ws_command,
};

fn options() -> PhoneOptions<'static> {
    PhoneOptions {
        user: "alice",
        display_name: "Alice",
        sim_input: "silence",
        display: false,
    }
}

async fn count(page: &Page, selector: &str) -> anyhow::Result<u32> {
    page.evaluate(format!("document.querySelectorAll(\"{selector}\").length"))
        .await?
        .into_value::<u32>()
        .with_context(|| format!("count of {selector}"))
}

async fn text(page: &Page, selector: &str) -> anyhow::Result<String> {
    page.evaluate(format!(
        "document.querySelector(\"{selector}\")?.textContent ?? ''"
    ))
    .await?
    .into_value::<String>()
    .with_context(|| format!("text of {selector}"))
}

/// Chooses `file` in the file input `selector` as a person would in the file dialog
/// (the browser fires `change`).
async fn choose_file(page: &Page, selector: &str, file: &Path) -> anyhow::Result<()> {
    let input = page.find_element(selector).await?;
    let params = SetFileInputFilesParams::builder()
        .file(file.to_string_lossy())
        .backend_node_id(input.backend_node_id)
        .build()
        .map_err(anyhow::Error::msg)?;
    page.execute(params).await?;
    Ok(())
}

/// Waits for a finished download `name` in `dir` and returns its content.
async fn downloaded(dir: &Path, name: &str) -> anyhow::Result<String> {
    let start = Instant::now();
    let path = dir.join(name);
    loop {
        // Chromium writes `<name>.crdownload` and renames it when complete.
        if path.exists() {
            return Ok(std::fs::read_to_string(&path)?);
        }
        if start.elapsed() > Duration::from_secs(20) {
            bail!("no download {name} in {}", dir.display());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_export_and_import_through_the_web_ui() -> anyhow::Result<()> {
    let phone = TestPhone::start("web-backup", options()).await?;
    ws_command(
        &phone,
        serde_json::json!({"type": "set_settings", "values": {
            "user_idle_text[1]": "Export-marker-7", "user_pass[1]": "sip-secret-in-store"}}),
    )
    .await?;

    let browser = TestBrowser::launch("web-backup-browser", 1024, 768).await?;
    let downloads = scratch_dir("web-backup-downloads");
    browser
        .headless
        .browser
        .execute(
            SetDownloadBehaviorParams::builder()
                .behavior(SetDownloadBehaviorBehavior::Allow)
                .download_path(downloads.to_string_lossy())
                .build()
                .map_err(anyhow::Error::msg)?,
        )
        .await?;
    let page = browser.open(&phone, "/").await?;
    log_in(&page, ADMIN_USER, ADMIN_PASSWORD).await?;
    wait_js(
        &page,
        "the status page",
        "!!document.querySelector('#status-identities')",
    )
    .await?;
    // The administrator sees every page and the admin-only actions.
    for link in ["#network", "#support", "#backup"] {
        assert_eq!(
            count(&page, &format!("nav a[href='{link}']")).await?,
            1,
            "{link}"
        );
    }

    // Fetch settings now: the runtime accepts the run (202).
    page.find_element("#provisioning-fetch-now")
        .await?
        .click()
        .await?;
    wait_js(
        &page,
        "the provisioning run to be started",
        "document.querySelector('#provisioning-fetch-status')?.dataset.status === 'started'",
    )
    .await?;

    page.find_element("nav a[href='#backup']")
        .await?
        .click()
        .await?;
    wait_js(
        &page,
        "the export link",
        "document.querySelector('#backup-export')?.getAttribute('href') === '/api/settings/export'",
    )
    .await?;

    // Export: the link downloads the settings file, with the value set before and
    // without the secret.
    page.find_element("#backup-export").await?.click().await?;
    let export = downloaded(&downloads, "settings.xml").await?;
    assert!(
        export.contains("<user_idle_text idx=\"1\">Export-marker-7</user_idle_text>"),
        "{export}"
    );
    assert!(!export.contains("sip-secret-in-store"));
    assert!(
        !export.contains("<user_pass"),
        "a secret's element is exported"
    );

    // Import: one changed value and one secret; the preview shows exactly these.
    let dir = scratch_dir("web-backup-files");
    let good = dir.join("good.xml");
    std::fs::write(
        &good,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<settings>\n<phone-settings e=\"2\">\n\
         <user_idle_text idx=\"1\">Imported-9</user_idle_text>\n\
         <user_realname idx=\"1\">Alice</user_realname>\n\
         <user_pass idx=\"1\">new-sip-secret-42</user_pass>\n\
         </phone-settings>\n</settings>\n",
    )?;
    choose_file(&page, "#backup-file", &good).await?;
    wait_js(
        &page,
        "the preview",
        "document.querySelector('#backup-status')?.dataset.status === 'preview'",
    )
    .await?;
    assert_eq!(count(&page, "#backup-preview tbody tr").await?, 2);
    let row = "#backup-preview tr[data-key='user_idle_text[1]']";
    assert_eq!(
        text(&page, &format!("{row} .from")).await?,
        "Export-marker-7"
    );
    assert_eq!(text(&page, &format!("{row} .to")).await?, "Imported-9");
    let secret = "#backup-preview tr[data-key='user_pass[1]']";
    assert_eq!(
        page.evaluate(format!(
            "document.querySelector(\"{secret}\").dataset.secret"
        ))
        .await?
        .into_value::<String>()?,
        "true"
    );
    assert_eq!(text(&page, &format!("{secret} .to")).await?, "changed");
    let body = text(&page, "body").await?;
    assert!(!body.contains("new-sip-secret-42") && !body.contains("sip-secret-in-store"));
    // Nothing has changed yet.
    let (_, state) = phone.state().await?;
    assert_eq!(state.settings["user_idle_text[1]"], "Export-marker-7");

    page.find_element("#backup-apply").await?.click().await?;
    wait_js(
        &page,
        "the import to be applied",
        "document.querySelector('#backup-status')?.dataset.status === 'applied'",
    )
    .await?;
    let (_, state) = phone.state().await?;
    assert_eq!(state.settings["user_idle_text[1]"], "Imported-9");
    assert_eq!(count(&page, "#backup-apply").await?, 0);

    // A bad value at line 5: refused with its line, setting and reason; the good
    // value before it is not applied either.
    let bad = dir.join("bad.xml");
    std::fs::write(
        &bad,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<settings>\n<phone-settings e=\"2\">\n\
         <user_idle_text idx=\"1\">Never</user_idle_text>\n\
         <vlan_id>5000</vlan_id>\n\
         </phone-settings>\n</settings>\n",
    )?;
    choose_file(&page, "#backup-file", &bad).await?;
    wait_js(
        &page,
        "the refusal",
        "document.querySelector('#backup-status')?.dataset.status === 'refused'",
    )
    .await?;
    assert_eq!(text(&page, "#backup-error-line").await?, "5");
    assert_eq!(text(&page, "#backup-error-setting").await?, "vlan_id");
    assert!(!text(&page, "#backup-error-reason").await?.is_empty());
    assert_eq!(count(&page, "#backup-preview").await?, 0);
    assert_eq!(count(&page, "#backup-apply").await?, 0);
    let (_, state) = phone.state().await?;
    assert_eq!(state.settings["user_idle_text[1]"], "Imported-9");
    assert_eq!(state.settings["vlan_id"], "");

    // The page speaks the web UI's language.
    ws_command(
        &phone,
        serde_json::json!({"type": "set_settings", "values": {"web_language": "Deutsch"}}),
    )
    .await?;
    wait_js(
        &page,
        "the refusal in German",
        "document.querySelector('#backup-status')?.textContent.includes('abgelehnt')",
    )
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_user_role_sees_only_what_it_may_change() -> anyhow::Result<()> {
    let phone = TestPhone::start_with(
        "web-user-role",
        options(),
        &["--set", "http_user_pass=user-pw-1"],
    )
    .await?;
    let browser = TestBrowser::launch("web-user-role-browser", 1024, 768).await?;
    let page = browser.open(&phone, "/").await?;
    log_in(&page, "user", "user-pw-1").await?;
    wait_js(
        &page,
        "the status page",
        "!!document.querySelector('#status-identities') \
         && !!document.querySelector('#status-provisioning')",
    )
    .await?;
    assert_eq!(count(&page, "nav a[href='#identity']").await?, 1);
    for hidden in ["#network", "#support", "#backup"] {
        assert_eq!(
            count(&page, &format!("nav a[href='{hidden}']")).await?,
            0,
            "{hidden}"
        );
    }
    assert_eq!(count(&page, "#provisioning-fetch-now").await?, 0);

    // A typed address of an admin page shows the status page instead.
    for hidden in ["backup", "network", "support"] {
        page.evaluate(format!("location.hash = '#{hidden}'"))
            .await?;
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(count(&page, "#backup-export").await?, 0);
        assert_eq!(count(&page, "#support-download").await?, 0);
        assert_eq!(count(&page, "form.settings").await?, 0);
        assert_eq!(count(&page, "#status-identities").await?, 1);
    }

    // The identity page shows the settings the user may change, and only those.
    page.find_element("nav a[href='#identity']")
        .await?
        .click()
        .await?;
    wait_js(
        &page,
        "the identity page",
        "!!document.querySelector('[data-setting=user_realname]')",
    )
    .await?;
    assert_eq!(count(&page, "[data-setting=user_host]").await?, 0);
    assert_eq!(count(&page, "[data-setting=user_pass]").await?, 0);
    assert_eq!(count(&page, "#remove-identity").await?, 0);
    let editable = deskphone_settings::SETTINGS
        .iter()
        .filter(|s| {
            s.page == deskphone_settings::Page::Identity
                && deskphone_settings::web_access::user_may_edit(s)
        })
        .count();
    let (_, state) = phone.state().await?;
    let available = deskphone_settings::SETTINGS
        .iter()
        .filter(|s| {
            s.page == deskphone_settings::Page::Identity
                && deskphone_settings::web_access::user_may_edit(s)
                && s.available_on(&state.model.name)
        })
        .count();
    assert!(available > 0 && available <= editable);
    assert_eq!(
        count(&page, "form.settings [data-setting]").await?,
        available as u32
    );
    Ok(())
}
