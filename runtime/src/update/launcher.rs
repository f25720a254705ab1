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

/// What this process runs as, once the launcher is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Launched {
    pub slot: Slot,
    /// The active slot could not be started: the installed program runs in network
    /// recovery and fetches `firmware_recovery_url` into the broken slot (F2).
    pub recovery: bool,
}

/// Starts the slot that should run, or returns what this process runs as: the slot
/// the launcher named, or slot a when it is empty (the installed program).
pub fn launch(data_dir: &Path) -> anyhow::Result<Launched> {
    if let Some(slot) = std::env::var(SLOT_ENV)
        .ok()
        .and_then(|s| Slot::from_name(&s))
    {
        return Ok(Launched {
            slot,
            recovery: false,
        });
    }
    let slots = Slots::new(data_dir);
    let launcher = std::env::current_exe()?;
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    loop {
        let choice = slots.choose_boot(crate::engine::now_ms())?;
        if slots.manifest(choice.slot).is_none() {
            return Ok(Launched {
                slot: choice.slot,
                recovery: false,
            });
        }
        let mut command = Command::new(slots.dir(choice.slot).join("deskphone"));
        command
            .args(&args)
            .env(SLOT_ENV, choice.slot.name())
            .env(LAUNCHER_ENV, &launcher);
        if !choice.trial {
            let error = exec(&mut command);
            // A known-good slot that cannot even be started: the installed program
            // runs instead, so the phone stays reachable, and fetches a known-good
            // image into the broken slot (network recovery).
            eprintln!(
                "deskphone: cannot start slot {}: {error}; network recovery with the installed program",
                choice.slot.name()
            );
            return Ok(Launched {
                slot: choice.slot.other(),
                recovery: true,
            });
        }
        command.env(TRIAL_ENV, "1");
        let forward = signals::forward_to_child();
        if let Some(code) = supervise(&mut command, &slots, choice.slot, &forward) {
            std::process::exit(code);
        }
    }
}

/// Runs a slot on trial. `Some(code)`: the launcher ends with it; `None`: choose again.
fn supervise(
    command: &mut Command,
    slots: &Slots,
    slot: Slot,
    forward: &signals::Forward,
) -> Option<i32> {
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            eprintln!("deskphone: cannot start slot {}: {e}", slot.name());
            return None;
        }
    };
    forward.set_child(Some(child.id()));
    let started = Instant::now();
    loop {
        let committed = slots.load().pending != Some(slot);
        match child.try_wait() {
            Ok(Some(status)) => {
                forward.set_child(None);
                return match status.code() {
                    _ if forward.stopping() => Some(status.code().unwrap_or(0)),
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
            forward.set_child(None);
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Ctrl-C, SIGTERM and SIGHUP sent to the launcher reach the slot on trial it waits
/// for, so that stopping the phone by its process id stops the slot too. The handlers
/// (signal-hook's, safe) are reset by `exec`, so the started program is untouched.
#[cfg(target_os = "linux")]
mod signals {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex, OnceLock};

    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

    /// The child to pass signals to, and whether one was passed (the phone is being
    /// stopped: the launcher ends with the child instead of choosing again).
    #[derive(Clone, Default)]
    pub struct Forward(Arc<Mutex<Option<u32>>>, Arc<AtomicBool>);

    impl Forward {
        pub fn set_child(&self, pid: Option<u32>) {
            *self.0.lock().unwrap_or_else(|e| e.into_inner()) = pid;
        }

        pub fn stopping(&self) -> bool {
            self.1.load(Ordering::SeqCst)
        }
    }

    /// One forwarding thread for the launcher's life.
    pub fn forward_to_child() -> Forward {
        static FORWARD: OnceLock<Forward> = OnceLock::new();
        FORWARD
            .get_or_init(|| {
                let forward = Forward::default();
                if let Ok(mut signals) =
                    signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP])
                {
                    let target = forward.clone();
                    std::thread::spawn(move || {
                        for number in signals.forever() {
                            let child = *target.0.lock().unwrap_or_else(|e| e.into_inner());
                            match (child, Signal::try_from(number)) {
                                (Some(pid), Ok(signal)) => {
                                    target.1.store(true, Ordering::SeqCst);
                                    let _ = kill(Pid::from_raw(pid as i32), signal);
                                }
                                // Between two starts: the launcher ends as it would have.
                                _ => std::process::exit(128 + number),
                            }
                        }
                    });
                }
                forward
            })
            .clone()
    }
}

#[cfg(not(target_os = "linux"))]
mod signals {
    #[derive(Clone, Default)]
    pub struct Forward;

    impl Forward {
        pub fn set_child(&self, _: Option<u32>) {}

        pub fn stopping(&self) -> bool {
            false
        }
    }

    pub fn forward_to_child() -> Forward {
        Forward
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
