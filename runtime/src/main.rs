//! `deskphone`: the phone's native program. All the work is in the library.
use clap::Parser;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args_os().skip(1);
    if args.next().as_deref() == Some(deskphone_runtime::display::REAPER_ARG.as_ref()) {
        let profile = std::path::PathBuf::from(args.next().unwrap_or_default());
        return Ok(deskphone_runtime::display::reap(&profile)?);
    }
    let mut options = deskphone_runtime::Options::parse();
    // The launcher comes before anything else: it may start another slot's program.
    let launched = deskphone_runtime::update::launcher::launch(&options.data_dir)?;
    options.slot = Some(launched.slot);
    options.recovery = launched.recovery;
    use tracing_subscriber::prelude::*;
    // The same lines go to stderr and to the in-memory ring of the diagnostic archive.
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,chromiumoxide=warn".into()),
        )
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(deskphone_runtime::diagnostics::log_layer())
        .init();
    let runtime = tokio::runtime::Runtime::new()?;
    let ending = runtime.block_on(deskphone_runtime::run(options))?;
    // Dropping the runtime ends every task and child (the display engine's
    // browser is killed on drop) before a reboot starts the program anew.
    drop(runtime);
    if ending == deskphone_runtime::Ending::Reboot {
        return Err(deskphone_runtime::update::launcher::reboot().into());
    }
    Ok(())
}
