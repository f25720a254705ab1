//! The info page: what this phone is (firmware, build, model, MAC address),
//! where it listens, how long it has been running, what is plugged in.

use leptos::prelude::*;

use crate::conn::Live;
use crate::i18n::Tr;
use crate::status::{date_time, zone};
use crate::web::Waiting;

const DAY_MS: u64 = 86_400_000;

/// The uptime as days and `h:mm:ss`, in the locale's words.
pub fn uptime(tr: Tr, ms: u64) -> String {
    let days = ms / DAY_MS;
    let rest = ms % DAY_MS;
    let s = rest / 1000;
    let time = format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    tr.fmt(
        "web-info-uptime-value",
        &[("days", days.into()), ("time", time.into())],
    )
}

#[component]
pub fn InfoPage() -> impl IntoView {
    let live = Live::get();
    let tr = Tr::get();
    let zone = zone();
    let device = Memo::new(move |_| {
        live.state
            .with(|s| s.as_ref().map(|s| s.device.clone()))
            .unwrap_or_default()
    });
    let loaded = Memo::new(move |_| live.state.with(Option::is_some));
    // One row: a translated label and a value from the device info.
    let row = move |id: &'static str,
                    label: &'static str,
                    value: fn(&deskphone_protocol::DeviceInfo) -> String| {
        view! {
            <dt>{move || tr.t(label)}</dt>
            <dd id=id>{move || device.with(value)}</dd>
        }
    };
    view! {
        <Show when=move || loaded.get() fallback=|| view! { <Waiting /> }>
            <h1>{move || tr.t("web-info-title")}</h1>
            <section class="card">
                <h2>{move || tr.t("web-info-software")}</h2>
                <dl>
                    {row("info-firmware", "web-info-firmware", |d| d.firmware_version.clone())}
                    {row("info-build", "web-info-build", |d| d.build.clone())}
                </dl>
            </section>
            <section class="card">
                <h2>{move || tr.t("web-info-hardware")}</h2>
                <dl>
                    {row("info-model", "web-info-model", |d| d.model.clone())}
                    {row("info-mac", "web-info-mac", |d| d.mac.clone())}
                    {row("info-expansion", "web-info-expansion-modules", |d| d.expansion_modules.to_string())}
                </dl>
            </section>
            <section class="card">
                <h2>{move || tr.t("web-info-network")}</h2>
                <dl>
                    {row("info-http", "web-info-http-address", |d| d.http_address.clone())}
                    {row("info-sip", "web-info-sip-address", |d| d.sip_address.clone())}
                </dl>
            </section>
            <section class="card">
                <h2>{move || tr.t("web-info-running")}</h2>
                <dl>
                    <dt>{move || tr.t("web-info-started")}</dt>
                    <dd id="info-started">
                        {move || date_time(tr, device.with(|d| d.started_at_ms), &zone.get())}
                    </dd>
                    <dt>{move || tr.t("web-info-uptime")}</dt>
                    <dd id="info-uptime">
                        {move || {
                            let started = device.with(|d| d.started_at_ms);
                            uptime(tr, live.now_ms.get().saturating_sub(started))
                        }}
                    </dd>
                </dl>
            </section>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use crate::i18n::{Lang, text};

    #[test]
    fn uptime_reads_in_each_language() {
        let args =
            |days: u64, time: &str| [("days", days.into()), ("time", time.to_owned().into())];
        assert_eq!(
            text(Lang::EnUs, "web-info-uptime-value", &args(0, "0:00:05")),
            "0:00:05"
        );
        assert_eq!(
            text(Lang::EnUs, "web-info-uptime-value", &args(1, "2:03:04")),
            "1 day, 2:03:04"
        );
        assert_eq!(
            text(Lang::De, "web-info-uptime-value", &args(3, "2:03:04")),
            "3 Tage, 2:03:04"
        );
        assert_eq!(
            text(Lang::Fr, "web-info-uptime-value", &args(3, "2:03:04")),
            "3 jours, 2:03:04"
        );
    }
}
