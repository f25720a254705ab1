//! Server location through a real DNS server (dnsmasq on loopback):
//! NAPTR → SRV → A, SRV without NAPTR, and plain A (RFC 3263).

use std::net::SocketAddr;
use std::time::Duration;

use deskphone_runtime::locate::{Locator, Transport};
use deskphone_tests::dnsmasq;
#[tokio::test]
async fn naptr_srv_and_address_records_are_followed_in_order() -> anyhow::Result<()> {
    let (_dns, server) = dnsmasq(&[
        // NAPTR to a UDP SRV name, and a TCP one the server prefers (lower order).
        "--naptr-record=voip.test,10,10,s,SIP+D2U,,_sip._udp.voip.test",
        "--naptr-record=voip.test,5,10,s,SIP+D2T,,_sip._tcp.voip.test",
        "--srv-host=_sip._udp.voip.test,pbx1.voip.test,5062,10,10",
        "--srv-host=_sip._udp.voip.test,pbx2.voip.test,5064,20,10",
        "--srv-host=_sip._tcp.voip.test,tcp.voip.test,5070,0,10",
        "--host-record=pbx1.voip.test,127.0.0.11",
        "--host-record=pbx2.voip.test,127.0.0.12",
        "--host-record=tcp.voip.test,127.0.0.13",
        // SRV only.
        "--srv-host=_sip._udp.srvonly.test,pbx3.srvonly.test,5066,0,0",
        "--host-record=pbx3.srvonly.test,127.0.0.14",
        // Neither: the name's address, port 5060.
        "--host-record=plain.test,127.0.0.15",
    ])
    .await?;
    let locator = Locator::with_server(server).map_err(anyhow::Error::msg)?;
    let addr = |s: &str| s.parse::<SocketAddr>().unwrap();
    assert_eq!(
        locator
            .locate_with_transport("sip:alice@voip.test")
            .await
            .map_err(anyhow::Error::msg)?,
        (vec![addr("127.0.0.13:5070")], Transport::Tcp),
        "NAPTR order: the server prefers TCP (RFC 3263 §4.1)"
    );
    assert_eq!(
        locator
            .locate_with_transport("sip:alice@voip.test;transport=udp")
            .await
            .map_err(anyhow::Error::msg)?,
        (
            vec![addr("127.0.0.11:5062"), addr("127.0.0.12:5064")],
            Transport::Udp
        ),
        "an explicit transport keeps to its NAPTR records, SRV by priority"
    );
    assert_eq!(
        locator
            .locate("sip:alice@srvonly.test")
            .await
            .map_err(anyhow::Error::msg)?,
        [addr("127.0.0.14:5066")]
    );
    assert_eq!(
        locator
            .locate("sip:alice@plain.test")
            .await
            .map_err(anyhow::Error::msg)?,
        [addr("127.0.0.15:5060")]
    );
    // An explicit port skips NAPTR and SRV (RFC 3263 §4.2).
    assert_eq!(
        locator.locate("sip:alice@voip.test:7000").await,
        Err("no address found for sip:alice@voip.test:7000".to_owned())
    );
    assert_eq!(
        locator
            .locate("sip:alice@pbx1.voip.test:7000")
            .await
            .map_err(anyhow::Error::msg)?,
        [addr("127.0.0.11:7000")]
    );
    assert!(locator.locate("sip:alice@nowhere.test").await.is_err());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_calls_a_domain_found_through_srv() -> anyhow::Result<()> {
    use deskphone_protocol::CallPhase;
    use deskphone_tests::{PhoneOptions, TestPhone};

    let bob = TestPhone::start(
        "dns-bob",
        PhoneOptions {
            user: "bob",
            display_name: "Bob",
            sim_input: "silence",
            display: false,
        },
    )
    .await?;
    let srv = format!(
        "--srv-host=_sip._udp.bob.test,host.bob.test,{},0,0",
        bob.sip.port()
    );
    let (_dns, server) = dnsmasq(&[&srv, "--host-record=host.bob.test,127.0.0.1"]).await?;
    let alice = TestPhone::start_with(
        "dns-alice",
        PhoneOptions {
            user: "alice",
            display_name: "Alice",
            sim_input: "silence",
            display: false,
        },
        &["--dns", &server.to_string()],
    )
    .await?;
    alice.dial("bob@bob.test").await?;
    bob.wait_for("the call found through DNS", Duration::from_secs(10), |s| {
        s.calls.iter().any(|c| c.phase == CallPhase::Ringing)
    })
    .await?;
    bob.key("CANCEL").await?;
    alice
        .wait_for("the rejection", Duration::from_secs(10), |s| {
            s.calls.is_empty()
        })
        .await?;
    Ok(())
}
