//! Test certificates made with the `openssl` command at test time.

use std::path::Path;
use std::process::Command;

use anyhow::bail;

use crate::require_tool;

/// A CA (`ca.pem`) and a server certificate it signed (`server.pem`, `server.key`) with
/// the subject alternative names `sans` (`IP:127.0.0.1,DNS:*.prov.test`), in `dir`.
pub fn make_certificates(dir: &Path, sans: &str) -> anyhow::Result<()> {
    let openssl = require_tool("openssl", "openssl")?;
    let run = |args: &[&str]| -> anyhow::Result<()> {
        let out = Command::new(&openssl)
            .current_dir(dir)
            .args(args)
            .output()?;
        if !out.status.success() {
            bail!("openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=deskphone test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ])?;
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ])?;
    std::fs::write(
        dir.join("server.ext"),
        format!(
            "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n\
             extendedKeyUsage=serverAuth\nsubjectAltName={sans}\n"
        ),
    )?;
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
    ])?;
    Ok(())
}
