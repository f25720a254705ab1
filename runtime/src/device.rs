//! The phone's identity card ([`DeviceInfo`]): firmware version and build,
//! model, MAC address, start time and addresses.
//!
//! The simulator has no network card of its own, so its MAC address is made
//! up once (random, locally administered, unicast) and kept in the data
//! folder: the same phone keeps the same MAC across restarts, as provisioning
//! URLs with `{mac}` expect. On hardware the address comes from the NIC.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use deskphone_protocol::DeviceInfo;

use crate::store;

/// The file in the data folder that keeps the simulator's MAC address.
pub const MAC_FILE: &str = "mac";

/// A 48-bit Ethernet MAC address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MacAddress(pub [u8; 6]);

impl MacAddress {
    /// A random locally administered unicast address (IEEE 802: bit 1 of the
    /// first octet set = local, bit 0 clear = unicast), so it never collides
    /// with a vendor's assigned range.
    pub fn random() -> Result<MacAddress, DeviceError> {
        let mut octets = [0u8; 6];
        getrandom::fill(&mut octets).map_err(DeviceError::Random)?;
        octets[0] = (octets[0] & 0b1111_1100) | 0b0000_0010;
        Ok(MacAddress(octets))
    }

    pub fn is_local_unicast(&self) -> bool {
        self.0[0] & 0b11 == 0b10
    }
}

impl fmt::Display for MacAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

impl FromStr for MacAddress {
    type Err = ();

    /// Six two-digit hex octets separated by `:` (or `-`).
    fn from_str(s: &str) -> Result<MacAddress, ()> {
        let mut octets = [0u8; 6];
        let mut parts = s.split([':', '-']);
        for octet in &mut octets {
            let part = parts.next().ok_or(())?;
            if part.len() != 2 {
                return Err(());
            }
            *octet = u8::from_str_radix(part, 16).map_err(|_| ())?;
        }
        if parts.next().is_some() {
            return Err(());
        }
        Ok(MacAddress(octets))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} does not hold a MAC address (expected six hex octets like 02:1a:2b:3c:4d:5e)")]
    BadMac { path: PathBuf },
    #[error("no random numbers from the system for a MAC address: {0}")]
    Random(getrandom::Error),
    #[error("cannot save {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The MAC address kept in `data_dir`, made and saved on the first start.
/// A file that is there but unreadable or malformed is an error, never
/// silently replaced: the MAC names this phone to its provisioning server.
pub fn simulator_mac(data_dir: &Path) -> Result<MacAddress, DeviceError> {
    let path = data_dir.join(MAC_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => text
            .trim()
            .parse()
            .map_err(|()| DeviceError::BadMac { path }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mac = MacAddress::random()?;
            store::write_atomic(&path, format!("{mac}\n").as_bytes())
                .map_err(|source| DeviceError::Write { path, source })?;
            Ok(mac)
        }
        Err(source) => Err(DeviceError::Read { path, source }),
    }
}

/// How this program was built: the profile and the platform.
pub fn build_description() -> String {
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    format!(
        "{profile} {}-{}",
        std::env::consts::ARCH,
        std::env::consts::OS
    )
}

/// The identity card of this phone.
pub fn info(
    model: &str,
    mac: MacAddress,
    started_at_ms: u64,
    http: SocketAddr,
    sip: SocketAddr,
) -> DeviceInfo {
    DeviceInfo {
        firmware_version: env!("CARGO_PKG_VERSION").to_owned(),
        build: build_description(),
        model: model.to_owned(),
        mac: mac.to_string(),
        started_at_ms,
        http_address: http.to_string(),
        sip_address: sip.to_string(),
        // The simulator has no expansion module port.
        expansion_modules: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("deskphone-device-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn mac_is_made_once_and_kept() {
        let dir = scratch("kept");
        let first = simulator_mac(&dir).unwrap();
        assert!(first.is_local_unicast(), "{first}");
        assert_eq!(simulator_mac(&dir).unwrap(), first);
        let saved = std::fs::read_to_string(dir.join(MAC_FILE)).unwrap();
        assert_eq!(saved.trim(), first.to_string());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_broken_mac_file_is_an_error_and_stays() {
        let dir = scratch("broken");
        std::fs::write(dir.join(MAC_FILE), "not a mac\n").unwrap();
        assert!(matches!(
            simulator_mac(&dir),
            Err(DeviceError::BadMac { .. })
        ));
        assert_eq!(
            std::fs::read_to_string(dir.join(MAC_FILE)).unwrap(),
            "not a mac\n"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn mac_text_round_trips() {
        let mac: MacAddress = "02:1A:2b:3c:4d:5e".parse().unwrap();
        assert_eq!(mac.to_string(), "02:1a:2b:3c:4d:5e");
        assert_eq!("02-1a-2b-3c-4d-5e".parse(), Ok(mac));
        for bad in [
            "",
            "02:1a:2b:3c:4d",
            "02:1a:2b:3c:4d:5e:6f",
            "2:1a:2b:3c:4d:5e",
            "zz:1a:2b:3c:4d:5e",
        ] {
            assert!(bad.parse::<MacAddress>().is_err(), "{bad}");
        }
        // Random ones are always local unicast, whatever the random bits.
        for _ in 0..32 {
            assert!(MacAddress::random().unwrap().is_local_unicast());
        }
    }
}
