//! The `reluproof` command-line tool.

use clap::{Parser, Subcommand};
use reluproof::backend::BackendSpec;
use reluproof::eval::run_eval;
use reluproof::model::case::read_case;
use std::path::PathBuf;
use std::process::ExitCode;

/// Executable checks of the convergence proof for gradient descent on
/// one-hidden-layer ReLU networks with constant targets
/// (Cheridito, Jentzen, Riekert, Rossmannek 2021).
#[derive(Parser)]
#[command(name = "reluproof", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate the risk L, the generalized gradient G, the Lyapunov function V,
    /// <grad V, G> and 8L of a case file.
    ///
    /// Exit codes: 0 success, 2 bad input (the message names the file, field and what was expected).
    Eval {
        /// The case file (TOML): a [problem] and a [theta] table.
        case: PathBuf,
        /// Arithmetic: exact (BigRational), gmp (rug::Rational), f64,
        /// f64-interval, mpfr[:BITS], interval[:BITS]. gmp, mpfr and interval
        /// need the `gmp` feature.
        #[arg(long, default_value = "exact", value_parser = clap::value_parser!(BackendSpec))]
        backend: BackendSpec,
        /// Print one JSON object instead of the text report.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Eval { case, backend, json } => {
            let parsed = match read_case(&case) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            let file = case.display().to_string();
            match run_eval(&parsed, backend) {
                Ok(r) => {
                    if json {
                        match serde_json::to_string_pretty(&r.to_json(&parsed, &file)) {
                            Ok(s) => println!("{s}"),
                            Err(e) => {
                                eprintln!("error: cannot write JSON: {e}");
                                return ExitCode::from(1);
                            }
                        }
                    } else {
                        print!("{}", r.to_text(&parsed, &file));
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}
