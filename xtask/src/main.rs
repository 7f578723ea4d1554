//! `cargo xtask`: thin commands over the `lab` library.

mod cmd;
mod output;
mod progress;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cmd::Cli::parse();
    output::init(cli.verbosity());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime starts");
    match runtime.block_on(cli.run()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            output::error(&e);
            std::process::ExitCode::FAILURE
        }
    }
}
