//! `cargo xtask figures`: builds the release bundle and runtime, then runs
//! the figures binary of the end-to-end test crate against them.

use std::path::Path;

use crate::{build_runtime, build_ui, cargo, debian, run_checked};

pub fn run(root: &Path) -> anyhow::Result<()> {
    debian::ensure(crate::RUN_PACKAGES)?;
    // The figures compare the native display engine with Chromium's.
    debian::ensure(&["chromium"])?;
    crate::ensure_wasm_target(root)?;
    let ui = build_ui::build(root, true)?;
    let bin = build_runtime(root, true)?;
    run_checked(
        cargo()
            .current_dir(root)
            .args(["run", "-q", "-p", "deskphone-tests", "--bin", "figures"])
            .env("DESKPHONE_UI_DIR", &ui)
            .env("DESKPHONE_BIN", &bin),
    )
}
