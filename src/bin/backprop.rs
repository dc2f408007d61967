//! The `backprop` command: parse the arguments, run them through `backprop_viz::cli`,
//! print the result or the error report, and exit with its status.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use backprop_viz::cli::{self, Cli, EXIT_ERROR};
    use clap::Parser;
    use std::io::Write;
    use std::process::ExitCode;

    // Clap prints its own errors and help, and exits with status 2 or 0.
    let cli = Cli::parse();
    match cli::run(&cli, &mut std::io::stdin().lock()) {
        Ok(output) => {
            // A closed pipe (`backprop trace … | head`) is not worth a message.
            let _ = std::io::stdout().lock().write_all(output.stdout.as_bytes());
            ExitCode::from(output.status)
        }
        Err(error) => {
            let _ = std::io::stderr()
                .lock()
                .write_all(error.report().as_bytes());
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The command line has no place in the browser build.
#[cfg(target_arch = "wasm32")]
fn main() {}
