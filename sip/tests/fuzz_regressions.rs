//! Inputs the fuzzer (`cargo xtask fuzz`) once found breaking the SIP core, one file each
//! under `fuzz-regressions/TARGET/`, run through the same target as when it was found;
//! the torture suite's messages go through every target as well.

use std::path::{Path, PathBuf};

use deskphone_sip::fuzz;

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    out.sort();
    out
}

fn regressions(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions")
        .join(target);
    files(&dir)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

/// Runs `target` on each input, naming the first one that panics.
fn run_all(target: fn(&[u8]), inputs: &[(PathBuf, Vec<u8>)]) {
    for (path, bytes) in inputs {
        if std::panic::catch_unwind(|| target(bytes)).is_err() {
            panic!("{} fails again", path.display());
        }
    }
}

#[test]
fn sdp_regressions() {
    let inputs = regressions("sdp");
    assert!(!inputs.is_empty(), "the fuzzer's SDP findings are kept");
    run_all(fuzz::sdp, &inputs);
}

/// The fuzzer's seeds: the torture suite (`$DESKPHONE_SHARED/conformance/sip-torture`).
fn torture() -> Vec<(PathBuf, Vec<u8>)> {
    let shared = std::env::var_os("DESKPHONE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    let dir = shared.join("conformance/sip-torture");
    let inputs: Vec<(PathBuf, Vec<u8>)> = files(&dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "dat"))
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    assert!(
        !inputs.is_empty(),
        "SIP torture corpus not found at {}: set DESKPHONE_SHARED",
        dir.display()
    );
    inputs
}

#[test]
fn datagram_and_framing_hold_on_their_findings_and_seeds() {
    let mut inputs = torture();
    inputs.extend(regressions("datagram"));
    run_all(fuzz::datagram, &inputs);
    let mut inputs = torture();
    inputs.extend(regressions("framing"));
    run_all(fuzz::framing, &inputs);
}

#[test]
fn sdp_bodies_of_the_seeds_read_back_as_themselves() {
    let bodies: Vec<(PathBuf, Vec<u8>)> = torture()
        .into_iter()
        .filter_map(|(p, m)| {
            let at = m.windows(4).position(|w| w == b"\r\n\r\n")?;
            let body = m[at + 4..].to_vec();
            body.starts_with(b"v=").then_some((p, body))
        })
        .collect();
    assert!(!bodies.is_empty());
    run_all(fuzz::sdp, &bodies);
}
