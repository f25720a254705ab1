//! The launcher: the first thing `deskphone` does (F1). It reads the slot state and
//! starts the slot that should run; a slot on trial runs as a child it watches, so
//! that a slot that exits, crashes or never reports healthy is started again a
//! bounded number of times and then given up for the previous slot, by the launcher
//! alone. A known-good slot replaces the launcher (`exec`); an empty slot a means the
//! program the phone was installed with, which then simply runs in this process.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::slots::{Slot, Slots};

/// The slot a launched program runs as (set by the launcher).
pub const SLOT_ENV: &str = "DESKPHONE_SLOT";
/// The launcher's own path, so that a reboot starts at the launcher again.
pub const LAUNCHER_ENV: &str = "DESKPHONE_LAUNCHER";
/// Set on a slot on trial: the launcher waits for it.
pub const TRIAL_ENV: &str = "DESKPHONE_TRIAL";
/// How a slot on trial asks its launcher for a reboot.
pub const REBOOT_EXIT_CODE: i32 = 75;
/// A slot on trial that has not reported healthy by then is stopped and counted as
/// a failed start.
pub const HEALTH_DEADLINE: Duration = Duration::from_secs(60);

/// Starts the slot that should run, or returns the slot this process runs as: the
/// one the launcher named, or slot a when it is empty (the installed program).
pub fn launch(data_dir: &Path) -> anyhow::Result<Slot> {
    if let Some(slot) = std::env::var(SLOT_ENV)
        .ok()
        .and_then(|s| Slot::from_name(&s))
    {
        return Ok(slot);
    }
    let slots = Slots::new(data_dir);
    let launcher = std::env::current_exe()?;
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    loop {
        let choice = slots.choose_boot(crate::engine::now_ms())?;
        if slots.manifest(choice.slot).is_none() {
            return Ok(choice.slot);
        }
        let mut command = Command::new(slots.dir(choice.slot).join("deskphone"));
        command
            .args(&args)
            .env(SLOT_ENV, choice.slot.name())
            .env(LAUNCHER_ENV, &launcher);
        if !choice.trial {
            let error = exec(&mut command);
            // A known-good slot that cannot even be started: the installed program
            // runs instead, so the phone stays reachable.
            eprintln!(
                "deskphone: cannot start slot {}: {error}; running the installed program",
                choice.slot.name()
            );
            return Ok(Slot::A);
        }
        command.env(TRIAL_ENV, "1");
        if let Some(code) = supervise(&mut command, &slots, choice.slot) {
            std::process::exit(code);
        }
    }
}

/// Runs a slot on trial. `Some(code)`: the launcher ends with it; `None`: choose again.
fn supervise(command: &mut Command, slots: &Slots, slot: Slot) -> Option<i32> {
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            eprintln!("deskphone: cannot start slot {}: {e}", slot.name());
            return None;
        }
    };
    let started = Instant::now();
    loop {
        let committed = slots.load().pending != Some(slot);
        match child.try_wait() {
            Ok(Some(status)) => {
                return match status.code() {
                    Some(REBOOT_EXIT_CODE) => None,
                    Some(0) => Some(0),
                    code if committed => Some(code.unwrap_or(1)),
                    _ => {
                        eprintln!(
                            "deskphone: slot {} ended ({status}) before it reported healthy",
                            slot.name()
                        );
                        None
                    }
                };
            }
            Ok(None) => {}
            Err(_) => return None,
        }
        if !committed && started.elapsed() > HEALTH_DEADLINE {
            eprintln!(
                "deskphone: slot {} did not report healthy within {} s",
                slot.name(),
                HEALTH_DEADLINE.as_secs()
            );
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The simulator's reboot: starts at the launcher again. Returns only if that fails.
pub fn reboot() -> std::io::Error {
    if std::env::var_os(TRIAL_ENV).is_some() {
        // The launcher waits for this process and chooses again.
        std::process::exit(REBOOT_EXIT_CODE);
    }
    let program = match std::env::var_os(LAUNCHER_ENV) {
        Some(launcher) => PathBuf::from(launcher),
        None => match std::env::current_exe() {
            Ok(exe) => exe,
            Err(e) => return e,
        },
    };
    let mut command = Command::new(program);
    command
        .args(std::env::args_os().skip(1))
        .env_remove(SLOT_ENV)
        .env_remove(LAUNCHER_ENV)
        .env_remove(TRIAL_ENV);
    exec(&mut command)
}

#[cfg(unix)]
fn exec(command: &mut Command) -> std::io::Error {
    use std::os::unix::process::CommandExt;
    command.exec()
}

#[cfg(not(unix))]
fn exec(_: &mut Command) -> std::io::Error {
    std::io::Error::other("starting a slot is only supported on Unix")
}
