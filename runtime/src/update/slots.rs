//! The A/B slots under the data folder and the small state file that says which one
//! starts (F1).
//!
//! ```text
//! slots/state.json   active slot, pending slot, boot attempts, last outcome
//! slots/a/           deskphone, ui/, manifest.json (slot a may be empty: the
//! slots/b/           program the phone was installed with, "factory")
//! ```
//!
//! Power loss at any moment leaves a bootable phone because: the state file changes
//! only by atomic rename (`store::write_atomic`); an update writes only into the slot
//! that is neither running nor named by the state file; a slot counts as installed
//! only once its `manifest.json` (written last, after every file is synced) exists;
//! and the running binary is never overwritten.

use std::path::{Path, PathBuf};

use deskphone_firmware::{Manifest, Running, semver::Version};
use serde::{Deserialize, Serialize};

use crate::store::write_atomic;

/// How many starts a new slot gets to report healthy before the launcher goes back
/// to the previous one.
pub const MAX_BOOT_ATTEMPTS: u32 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Slot {
    A,
    B,
}

impl Slot {
    pub fn other(self) -> Slot {
        match self {
            Slot::A => Slot::B,
            Slot::B => Slot::A,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Slot::A => "a",
            Slot::B => "b",
        }
    }

    pub fn from_name(name: &str) -> Option<Slot> {
        match name {
            "a" => Some(Slot::A),
            "b" => Some(Slot::B),
            _ => None,
        }
    }
}

/// How the last update ended, kept across reboots.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedOutcome {
    pub ok: bool,
    pub message: String,
    pub at_ms: u64,
}

/// `slots/state.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotState {
    /// The slot that starts when nothing is pending: known good.
    pub active: Slot,
    /// A newly installed slot on trial: it starts instead of `active` until it
    /// reports healthy or runs out of attempts.
    pub pending: Option<Slot>,
    /// Starts of `pending` so far.
    pub boot_attempts: u32,
    #[serde(default)]
    pub last_outcome: Option<SavedOutcome>,
}

impl Default for SlotState {
    fn default() -> Self {
        SlotState {
            active: Slot::A,
            pending: None,
            boot_attempts: 0,
            last_outcome: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SlotError {
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What the launcher starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BootChoice {
    pub slot: Slot,
    /// The slot is on trial: it must report healthy.
    pub trial: bool,
}

/// The slots of one phone.
#[derive(Clone, Debug)]
pub struct Slots {
    root: PathBuf,
}

impl Slots {
    pub fn new(data_dir: &Path) -> Slots {
        Slots {
            root: data_dir.join("slots"),
        }
    }

    pub fn dir(&self, slot: Slot) -> PathBuf {
        self.root.join(slot.name())
    }

    fn state_path(&self) -> PathBuf {
        self.root.join("state.json")
    }

    /// The saved state; a missing or unreadable file means slot a, nothing pending
    /// (slot a, or the program itself when slot a is empty, always starts).
    pub fn load(&self) -> SlotState {
        std::fs::read(self.state_path())
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, state: &SlotState) -> Result<(), SlotError> {
        let path = self.state_path();
        let bytes = serde_json::to_vec_pretty(state).unwrap_or_default();
        write_atomic(&path, &bytes).map_err(|source| SlotError::Write { path, source })
    }

    /// The manifest of an installed slot; `None` for an empty or half-written one.
    pub fn manifest(&self, slot: Slot) -> Option<Manifest> {
        let bytes = std::fs::read(self.dir(slot).join("manifest.json")).ok()?;
        let manifest: Manifest = serde_json::from_slice(&bytes).ok()?;
        self.dir(slot)
            .join("deskphone")
            .is_file()
            .then_some(manifest)
    }

    /// Decides which slot starts now and counts a trial start (the launcher).
    pub fn choose_boot(&self, now_ms: u64) -> Result<BootChoice, SlotError> {
        let mut state = self.load();
        if let Some(pending) = state.pending {
            let installed = self.manifest(pending);
            if installed.is_some() && state.boot_attempts < MAX_BOOT_ATTEMPTS {
                state.boot_attempts += 1;
                self.save(&state)?;
                return Ok(BootChoice {
                    slot: pending,
                    trial: true,
                });
            }
            let version = installed
                .map(|m| m.version.to_string())
                .unwrap_or_else(|| "?".into());
            state.last_outcome = Some(SavedOutcome {
                ok: false,
                message: format!(
                    "version {version} in slot {} did not report healthy in {} starts: back on slot {}",
                    pending.name(),
                    state.boot_attempts,
                    state.active.name()
                ),
                at_ms: now_ms,
            });
            state.pending = None;
            state.boot_attempts = 0;
            self.save(&state)?;
        }
        Ok(BootChoice {
            slot: state.active,
            trial: false,
        })
    }

    /// The running slot reports healthy: it becomes the active one.
    pub fn commit(&self, slot: Slot, now_ms: u64) -> Result<bool, SlotError> {
        let mut state = self.load();
        if state.pending != Some(slot) {
            return Ok(false);
        }
        let version = self
            .manifest(slot)
            .map(|m| m.version.to_string())
            .unwrap_or_default();
        state.active = slot;
        state.pending = None;
        state.boot_attempts = 0;
        state.last_outcome = Some(SavedOutcome {
            ok: true,
            message: format!("version {version} installed in slot {}", slot.name()),
            at_ms: now_ms,
        });
        self.save(&state)?;
        Ok(true)
    }

    /// Marks an installed slot to start on trial at the next boot.
    pub fn set_pending(&self, slot: Slot) -> Result<(), SlotError> {
        let mut state = self.load();
        state.pending = Some(slot);
        state.boot_attempts = 0;
        self.save(&state)
    }

    /// Records an outcome without changing slots (a refused image).
    pub fn record_outcome(&self, outcome: SavedOutcome) -> Result<(), SlotError> {
        let mut state = self.load();
        state.last_outcome = Some(outcome);
        self.save(&state)
    }
}

/// An update through intermediate versions (F2): the images still to install, in
/// order, each once the one before it reported healthy. `slots/route.json`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// The version being installed now on the way (the intermediate).
    pub via: String,
    /// `(url, version)` of the images that follow, first next.
    pub then: Vec<(String, String)>,
}

impl Slots {
    fn route_path(&self) -> PathBuf {
        self.root.join("route.json")
    }

    pub fn route(&self) -> Option<Route> {
        let bytes = std::fs::read(self.route_path()).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    pub fn save_route(&self, route: Option<&Route>) -> Result<(), SlotError> {
        let path = self.route_path();
        match route {
            Some(route) => {
                let bytes = serde_json::to_vec_pretty(route).unwrap_or_default();
                write_atomic(&path, &bytes).map_err(|source| SlotError::Write { path, source })
            }
            None => match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(SlotError::Write { path, source: e })
                }
                _ => Ok(()),
            },
        }
    }
}

/// The version rules' view of the firmware in `slot`, or of the program itself when
/// the slot is empty (factory).
pub fn running_firmware(slots: &Slots, slot: Slot) -> Running {
    match slots.manifest(slot) {
        Some(m) => Running::from_manifest(&m),
        None => factory_firmware(),
    }
}

/// The program the phone was installed with (it runs when slot a is empty, and in
/// network recovery).
pub fn factory_firmware() -> Running {
    Running {
        version: Version::parse(env!("CARGO_PKG_VERSION")).unwrap_or(Version::new(0, 0, 0)),
        minimum: Version::new(0, 0, 0),
        intermediate: None,
        intermediate_url: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("deskphone-slots-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn install_fake(slots: &Slots, slot: Slot) {
        let dir = slots.dir(slot);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("deskphone"), b"#!/bin/sh\n").unwrap();
        let manifest = Manifest {
            model: "DP480C".into(),
            version: Version::new(0, 2, 0),
            payload_size: 0,
            payload_sha256: String::new(),
            minimum: Version::new(0, 0, 0),
            intermediate: None,
            intermediate_url: None,
            addons: vec![],
        };
        std::fs::write(
            dir.join("manifest.json"),
            serde_json::to_vec(&manifest).unwrap(),
        )
        .unwrap();
    }

    #[test]
    fn a_fresh_phone_starts_slot_a() {
        let slots = Slots::new(&temp("fresh"));
        assert_eq!(
            slots.choose_boot(0).unwrap(),
            BootChoice {
                slot: Slot::A,
                trial: false
            }
        );
        assert!(slots.manifest(Slot::A).is_none());
    }

    #[test]
    fn a_pending_slot_gets_bounded_attempts_then_falls_back() {
        let slots = Slots::new(&temp("fallback"));
        install_fake(&slots, Slot::B);
        slots.set_pending(Slot::B).unwrap();
        for _ in 0..MAX_BOOT_ATTEMPTS {
            assert_eq!(
                slots.choose_boot(0).unwrap(),
                BootChoice {
                    slot: Slot::B,
                    trial: true
                }
            );
        }
        assert_eq!(
            slots.choose_boot(5).unwrap(),
            BootChoice {
                slot: Slot::A,
                trial: false
            }
        );
        let state = slots.load();
        assert_eq!(state.pending, None);
        let outcome = state.last_outcome.unwrap();
        assert!(!outcome.ok);
        assert!(
            outcome.message.contains("did not report healthy"),
            "{outcome:?}"
        );
    }

    #[test]
    fn a_healthy_slot_becomes_active() {
        let slots = Slots::new(&temp("commit"));
        install_fake(&slots, Slot::B);
        slots.set_pending(Slot::B).unwrap();
        assert!(slots.choose_boot(0).unwrap().trial);
        assert!(slots.commit(Slot::B, 1).unwrap());
        let state = slots.load();
        assert_eq!((state.active, state.pending), (Slot::B, None));
        assert!(state.last_outcome.unwrap().ok);
        // Committing again (a restart of a healthy slot) changes nothing.
        assert!(!slots.commit(Slot::B, 2).unwrap());
    }

    #[test]
    fn a_pending_slot_without_its_manifest_is_not_started() {
        let slots = Slots::new(&temp("half"));
        std::fs::create_dir_all(slots.dir(Slot::B)).unwrap();
        std::fs::write(slots.dir(Slot::B).join("deskphone"), b"half").unwrap();
        slots.set_pending(Slot::B).unwrap();
        assert_eq!(slots.choose_boot(0).unwrap().slot, Slot::A);
    }
}
