//! Server failover (S2) and failed registrations (S1) end to end: SIPp registrars on
//! loopback (tests/sipp/registrar_*.xml), found through dnsmasq as two SRV records of one
//! name, and a real phone registering with them.

use std::time::{Duration, Instant};

use deskphone_protocol::{PhoneState, RegistrationState};
use deskphone_tests::{
    PhoneOptions, Sipp, TestPhone, dnsmasq, free_udp_port, scenario, scratch_dir,
};

/// `pbx.test` as two SRV records, the first preferred (RFC 2782 priority).
fn two_servers(first: u16, second: u16) -> Vec<String> {
    vec![
        format!("--srv-host=_sip._udp.pbx.test,a.pbx.test,{first},10,0"),
        format!("--srv-host=_sip._udp.pbx.test,b.pbx.test,{second},20,0"),
        "--host-record=a.pbx.test,127.0.0.1".to_owned(),
        "--host-record=b.pbx.test,127.0.0.1".to_owned(),
    ]
}

/// A SIPp registrar running one of tests/sipp/registrar_*.xml on a loopback port, tracing
/// into its own scratch folder.
async fn sipp_registrar(name: &str, file: &str) -> anyhow::Result<Sipp> {
    Sipp::start(&scratch_dir(name), &["-sf", &scenario(file)]).await
}

async fn phone(name: &str, host: &str, extra: &[&str]) -> anyhow::Result<TestPhone> {
    let host = format!("--set=user_host[1]={host}");
    let mut args = vec![
        host.as_str(),
        "--set=user_active[1]=on",
        "--set=user_pass[1]=x",
    ];
    args.extend_from_slice(extra);
    TestPhone::start_with(
        name,
        PhoneOptions {
            user: "alice",
            display_name: "Alice",
            sim_input: "silence",
            display: false,
        },
        &args,
    )
    .await
}

fn registration(s: &PhoneState) -> RegistrationState {
    s.identities
        .first()
        .map(|i| i.registration)
        .unwrap_or_default()
}

/// (i) The preferred registrar answers 503 (listed in `sip_failover_response_reg` by
/// default): the phone registers with the second address of the name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_from_the_first_registrar_fails_over_to_the_second() -> anyhow::Result<()> {
    let first = sipp_registrar("failover-503-first", "registrar_503.xml").await?;
    let second = sipp_registrar("failover-503-second", "registrar_200.xml").await?;
    let (_dns, dns) = dnsmasq(&two_servers(first.port, second.port)).await?;
    let phone = phone("failover-503", "pbx.test", &["--dns", &dns.to_string()]).await?;
    phone
        .wait_for("the registration", Duration::from_secs(10), |s| {
            registration(s) == RegistrationState::Registered
        })
        .await?;
    first.finish(&phone).await?;
    second.finish(&phone).await
}

/// (ii) The preferred address is a closed port: loopback answers ICMP port unreachable and
/// the phone goes on to the second at once, not after Timer F (32 s).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_registrar_fails_over_at_once() -> anyhow::Result<()> {
    let closed = free_udp_port();
    let second = sipp_registrar("failover-icmp-second", "registrar_200.xml").await?;
    let (_dns, dns) = dnsmasq(&two_servers(closed, second.port)).await?;
    let phone = phone("failover-icmp", "pbx.test", &["--dns", &dns.to_string()]).await?;
    // Name resolution and the two REGISTERs take milliseconds; 3 s leaves room for a
    // loaded CI machine and is below the fourth transmission of the REGISTER (3.5 s), so
    // an ICMP error noticed only on a retransmission is caught, and far below Timer F
    // (32 s). The log check below proves the ICMP error caused the failover.
    phone
        .wait_for("the registration", Duration::from_secs(3), |s| {
            registration(s) == RegistrationState::Registered
        })
        .await?;
    anyhow::ensure!(
        phone.log().contains("unreachable (ICMP)"),
        "no ICMP error seen:\n{}",
        phone.log()
    );
    second.finish(&phone).await
}

/// (iii) S1: a 200 that grants `Expires: 0` is a failed registration, shown as Failed and
/// tried again after `retry_after_failed_register` (10 s, its minimum).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registration_granted_for_0_seconds_is_retried_after_the_configured_wait()
-> anyhow::Result<()> {
    let registrar = sipp_registrar("failover-expires-0", "registrar_expires_0.xml").await?;
    let host = registrar.addr().to_string();
    let phone = phone(
        "failover-expires-0-phone",
        &host,
        &["--set=retry_after_failed_register=10"],
    )
    .await?;
    phone
        .wait_for("the failed registration", Duration::from_secs(10), |s| {
            registration(s) == RegistrationState::Failed
        })
        .await?;
    let failed_at = Instant::now();
    phone
        .wait_for("the retried registration", Duration::from_secs(20), |s| {
            registration(s) == RegistrationState::Registered
        })
        .await?;
    let waited = failed_at.elapsed();
    anyhow::ensure!(
        (Duration::from_secs(9)..Duration::from_secs(13)).contains(&waited),
        "the second REGISTER came {waited:?} after the failure, not about 10 s"
    );
    registrar.finish(&phone).await
}
