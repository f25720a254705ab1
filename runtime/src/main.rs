//! `deskphone`: the phone's native program. All the work is in the library.
use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,chromiumoxide=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    deskphone_runtime::run(deskphone_runtime::Options::parse()).await
}
