//! The `reluproof` command-line tool.

use clap::{Parser, Subcommand};
use reluproof::backend::BackendSpec;
use reluproof::commands::{
    check_command, gd_command, gd_sweep_command, gf_command, init_command, list_text, merge_command, parse_shard,
    replay_command, CheckOptions, InitArgs,
};
use reluproof::dynamics::gd::{GammaSpec, GdOptions, StateMode};
use reluproof::dynamics::init::Distribution;
use reluproof::dynamics::sgd::{parse_decay, sgd_command, SgdOptions};
use reluproof::eval::run_eval_digits;
use reluproof::model::case::read_case;
use std::path::PathBuf;
use std::process::ExitCode;

/// Executable checks of the convergence proof for gradient descent on
/// one-hidden-layer ReLU networks with constant targets
/// (Cheridito, Jentzen, Riekert, Rossmannek 2021).
///
/// Exit codes: 0 success (every verdict as expected), 1 a finding (a claim
/// expected to hold was refuted, or a replay did not reproduce), 2 bad input.
#[derive(Parser)]
#[command(name = "reluproof", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check the statements of CLAIMS.md on generated cases and print a verdict table.
    ///
    /// With no ID every statement is listed and every registered check runs
    /// with its default budget (about a minute on 2 cores). Paper and derived
    /// claims are expected to hold; edge statements are expected to be refuted.
    Check {
        /// Statement ids (C3, E6, …) or check names; all if none.
        ids: Vec<String>,
        /// Cases per check (default: 500 for checks on exact/interval backends, 60 for costly ones).
        #[arg(long)]
        cases: Option<usize>,
        /// Seed of the case generators; the same seed gives the same report.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// exact (default), gmp, f64-interval or interval[:BITS]. Approximate
        /// backends cannot decide a claim and are refused.
        #[arg(long, default_value = "exact", value_parser = clap::value_parser!(BackendSpec))]
        backend: BackendSpec,
        /// Print {"claims": [...]} as JSON instead of the table.
        #[arg(long)]
        json: bool,
        /// Write report.json, blueprint.md, blueprint.svg and witnesses/ into DIR.
        #[arg(long, value_name = "DIR")]
        report: Option<PathBuf>,
        /// Run a negative control: a deliberately wrong variant of one check,
        /// which must be refuted (see `reluproof list`).
        #[arg(long, value_name = "NAME")]
        mutant: Option<String>,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
        /// With --report DIR: keep the checks DIR/progress.jsonl already records
        /// for the same seed, backend, cases and control, and run only the rest.
        #[arg(long, requires = "report")]
        resume: bool,
        /// After each check that has a search target (`reluproof search`), run
        /// the counterexample search on this many candidates (0: no search).
        /// Finding nothing is reported as evidence; a witness refutes.
        #[arg(long, value_name = "CANDIDATES", default_value_t = 5000)]
        search: u64,
        /// Run only the K-th of N deterministic slices of every check's cases
        /// (case indices i with i mod N = K-1), for a cluster: needs --report
        /// DIR; combine the N directories with `reluproof merge`. The search
        /// (--search) runs in shard 1 only.
        #[arg(long, value_name = "K/N", value_parser = parse_shard_arg, requires = "report")]
        shard: Option<reluproof::claims::engine::Slice>,
        /// Start over in a --report DIR that already holds a run (otherwise refused).
        #[arg(long)]
        force: bool,
    },
    /// Combine the report directories of `check --shard K/N` runs into one
    /// report, identical to the unsharded run with the same options.
    ///
    /// Refused with a clear error: shards of other seeds, options, versions
    /// or selections, a missing or doubled shard, a shard that did not finish.
    Merge {
        /// The shard directories (all N of them, in any order).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where to write report.json, blueprint.md, blueprint.svg and witnesses/.
        #[arg(long, value_name = "OUT")]
        report: PathBuf,
        /// Print {"claims": [...]} as JSON instead of the table.
        #[arg(long)]
        json: bool,
        /// Overwrite a report already in OUT.
        #[arg(long)]
        force: bool,
    },
    /// Re-run the check of a saved witness file and compare with its recorded verdict.
    Replay {
        /// A witness file (a case file with a [witness] table).
        witness: PathBuf,
        /// Backend for the replay.
        #[arg(long, default_value = "exact", value_parser = clap::value_parser!(BackendSpec))]
        backend: BackendSpec,
        /// Print one JSON object (recorded and replayed verdicts, guarantee, result) instead of the text.
        #[arg(long)]
        json: bool,
    },
    /// List the statements, their registered checks and negative controls.
    List,
    /// Search for a counterexample to a statement: sample, climb an exact
    /// violation score, shrink the witness.
    ///
    /// Targets: E1 (positive-risk critical point, affine target), E1-identity
    /// (<grad V, G> < 0), E2, E6, E8, Q1, and the claims that must hold C3, C8, C9
    /// (where nothing should be found). Every reported witness is re-checked
    /// exactly by the registered check. Exit code 1 only if a claim expected
    /// to hold is refuted.
    #[command(allow_negative_numbers = true)]
    Search(reluproof::search::command::SearchOptions),
    /// Run gradient descent from the case's theta and check C9 (a)-(d) at every step.
    ///
    /// Default state dyadic:128: each step is computed exactly from the stored
    /// state, the new state is rounded to multiples of 2^-128, and the
    /// inequalities of C9 are decided exactly (the descent on the exact step
    /// before it is rounded, the others on the stored iterates).
    /// Exit code 1 if an inequality a theorem claims for this gamma fails in an exact
    /// or dyadic state (C9 for gamma <= gamma*, C14 for gamma < 2 gamma'*); runs outside
    /// both hypotheses are measurements and exit 0. In f64 and mpfr states a violation
    /// within the printed rounding-error estimate is undecided, and none exits 1.
    #[command(allow_negative_numbers = true)]
    Gd {
        /// The case file with the initial theta.
        case: PathBuf,
        /// Number of steps.
        #[arg(long, default_value_t = 1000)]
        steps: u64,
        /// Step size: a rational ("1/100"), auto (= gamma* of C9) or auto*K (K times gamma*), auto-sharp
        /// (= gamma'* = 4/(K'(1 + V(theta_0))) of C14) or auto-sharp*K (K times gamma'*; C14 covers K < 2).
        #[arg(long, default_value = "auto", allow_hyphen_values = true, value_parser = clap::value_parser!(GammaSpec))]
        gamma: GammaSpec,
        /// State: dyadic:BITS (certified, default dyadic:128), exact, mpfr:BITS or f64 (approximate).
        #[arg(long, default_value = "dyadic:128", value_parser = clap::value_parser!(StateMode))]
        state: StateMode,
        #[command(flatten)]
        output: RunOutput,
    },
    /// Integrate the gradient flow d theta/dt = -G(theta) up to time T and check C10.
    ///
    /// Adaptive Runge-Kutta-Fehlberg 7(8) in MPFR (128 bits with the gmp feature,
    /// else f64). Checks V(theta_t) + 8 int_0^t L = V(theta_0) within the printed
    /// error estimate, |theta_t|^2 <= V(theta_0) at the nodes, and C3 exactly at
    /// every node. Exit code 1 if a check fails on a run that reached T (or C3's exact
    /// check fails); an inconclusive run (step budget spent, integrator failed) exits 0.
    #[command(allow_negative_numbers = true)]
    Gf {
        /// The case file with the initial theta.
        case: PathBuf,
        /// Time horizon T (a rational).
        #[arg(long, allow_hyphen_values = true)]
        time: String,
        /// MPFR precision in bits; 0 for f64. Default: 128 with gmp, 0 without.
        #[arg(long)]
        precision: Option<u32>,
        /// Local error tolerance of the adaptive steps.
        #[arg(long)]
        tolerance: Option<f64>,
        /// Step budget.
        #[arg(long, default_value_t = 100_000)]
        max_steps: usize,
        /// Stream one JSON object per accepted node to FILE.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Also write the nodes as CSV.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// Draw L, V, |theta_t|^2 and V(theta_0)/(8t) against t into an SVG file.
        #[arg(long, value_name = "FILE.svg")]
        plot: Option<PathBuf>,
        /// Continue the run recorded in FILE (appending to it) from its last checkpoint, until --time
        /// (give the same --time, --precision and --tolerance).
        #[arg(long, value_name = "FILE")]
        resume: Option<PathBuf>,
        /// Every K nodes (and at the last) a record carries the exact node and the integrator's state,
        /// for --resume; 0 for the last only.
        #[arg(long, value_name = "K", default_value_t = reluproof::dynamics::gf::DEFAULT_CHECKPOINT)]
        checkpoint: usize,
        /// Let an output replace the case file or an existing case or witness file.
        #[arg(long)]
        force: bool,
        /// No progress output.
        #[arg(long)]
        quiet: bool,
        /// Print one JSON object (verdict, guarantee, strength and the checks' numbers) instead of the text.
        #[arg(long)]
        json: bool,
    },
    /// Run stochastic gradient descent and check C11's pathwise inequality at every step.
    ///
    /// theta_{n+1} = theta_n - gamma_n (1/B) sum_i G(theta_n, X_i), X_i i.i.d. from the
    /// case's measure (seeded, exact dyadic samples). In the default dyadic:128 state,
    /// V(theta_{n+1}) <= V(theta_n) - 4 gamma_n e_batch and |theta_n|^2 <= V(theta_0)
    /// are decided exactly. Exit code 1 if they fail while sup gamma_n <= gamma_SGD*.
    #[command(allow_negative_numbers = true)]
    Sgd {
        /// The case file with the initial theta.
        case: PathBuf,
        /// Number of steps.
        #[arg(long, default_value_t = 1000)]
        steps: u64,
        /// c of gamma_n = c/(n+1)^alpha: a rational, auto (= gamma_SGD* of C11) or auto*K.
        #[arg(long, default_value = "auto", allow_hyphen_values = true, value_parser = clap::value_parser!(GammaSpec))]
        gamma: GammaSpec,
        /// alpha >= 0 (0 constant, 1/2, 1, 2/3, ...); irrational gamma_n are rounded down
        /// to 64 bits, so gamma_n <= c/(n+1)^alpha exactly.
        #[arg(long, default_value = "0", allow_hyphen_values = true, value_parser = parse_decay)]
        decay: reluproof::num::BigRational,
        /// Mini-batch size B.
        #[arg(long, default_value_t = 1)]
        batch: usize,
        /// Seed of the sample path (the same seed replays it; 1 as in the other commands).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// State: dyadic:BITS (certified, default), exact, mpfr:BITS or f64 (approximate).
        #[arg(long, default_value = "dyadic:128", value_parser = clap::value_parser!(StateMode))]
        state: StateMode,
        /// Evaluate the full risk L every K steps (0 = never).
        #[arg(long, default_value_t = 10)]
        eval_every: u64,
        #[command(flatten)]
        output: RunOutput,
    },
    /// E6: for initialisations of growing V(theta_0), find the largest step size at
    /// which certified GD still decreases V at every step, and compare it with gamma*.
    #[command(allow_negative_numbers = true)]
    GdSweep {
        /// Width H of the initialisations.
        #[arg(long = "H", value_name = "H", default_value_t = 8)]
        width: usize,
        /// Seed of the initialisations.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Comma-separated scales of the initial entries (growing V(theta_0)).
        #[arg(long, default_value = "1/4,1/2,1,2,4,8")]
        scales: String,
        /// GD steps per trial.
        #[arg(long, default_value_t = 50)]
        steps: u64,
        /// Dyadic grid bits of the trials.
        #[arg(long, default_value_t = 64)]
        bits: u32,
        /// Bisection iterations per initialisation.
        #[arg(long, default_value_t = 8)]
        refine: u32,
        /// Draw gamma_max and gamma* against V(theta_0) into an SVG file.
        #[arg(long, value_name = "FILE.svg")]
        plot: Option<PathBuf>,
        /// Print JSON instead of the table.
        #[arg(long)]
        json: bool,
        /// Allow --plot to replace a case or witness file.
        #[arg(long)]
        force: bool,
    },
    /// Write a case file with a seeded random initialisation (dyadic rational entries).
    #[command(allow_negative_numbers = true)]
    Init {
        /// Width H.
        #[arg(long = "H", value_name = "H")]
        width: usize,
        /// Input dimension d (d > 1: the cube [a, b]^d for lebesgue and uniform).
        #[arg(long, default_value_t = 1)]
        d: usize,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Scale of the entries (a rational).
        #[arg(long, default_value = "1", allow_hyphen_values = true)]
        scale: String,
        /// uniform on [-scale, scale], or normal (Irwin-Hall, standard deviation scale).
        #[arg(long, default_value = "uniform", value_parser = clap::value_parser!(Distribution))]
        dist: Distribution,
        /// Entries are multiples of 2^-BITS.
        #[arg(long, default_value_t = 16)]
        bits: u32,
        /// lebesgue, uniform or empirical.
        #[arg(long, default_value = "lebesgue")]
        measure: String,
        /// Left end of the domain.
        #[arg(long, default_value = "0", allow_hyphen_values = true)]
        a: String,
        /// Right end of the domain.
        #[arg(long, default_value = "1", allow_hyphen_values = true)]
        b: String,
        /// Number of points of an empirical measure.
        #[arg(long, default_value_t = 16)]
        points: usize,
        /// The constant target xi.
        #[arg(long, default_value = "1", allow_hyphen_values = true)]
        target: String,
        /// Write the case here instead of standard output (an existing file is
        /// refused without --force).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Allow --out to replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Write a witness file's claim as a Coq file proved by computation (vm_compute).
    ///
    /// Empirical measure, ReLU with sigma'(0) = 0, output bias, constant or affine
    /// target; checks E6 step_above_bound, Q3, Q1 and E1. Compile the output with
    /// `coqc -Q proofs/coq ReluProof FILE.v` (see proofs/coq/README.md).
    /// Exit codes: 0 written, 2 unsupported or bad input.
    ExportCoq {
        /// The witness file (a case file with a [witness] table).
        witness: PathBuf,
        /// Write the .v file here (its name must be a Coq identifier) instead of standard output.
        #[arg(long, value_name = "FILE.v")]
        out: Option<PathBuf>,
        /// Replace an existing --out file.
        #[arg(long)]
        force: bool,
    },
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
        /// Print exact values (backends exact and gmp) compactly, for fractions that run to
        /// megabytes: N significant decimal digits, rounded to nearest, and "#h", the 64-bit
        /// FNV-1a hash (16 hex digits) of the exact "p/q" text printed without --digits. With
        /// --json the value keys hold the decimals and each has a sibling "<key>_hash"
        /// (risk_hash, gradient_hash, ...). Other backends print as usual.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10000))]
        digits: Option<u32>,
    },
}

/// Where a run's trajectory and summary go (shared by gd and sgd).
#[derive(clap::Args)]
struct RunOutput {
    /// Stream one JSON object per step to FILE (keys n, risk, lyapunov, theta_norm2, grad_norm2, margin). An existing non-empty FILE is refused without --force (continue it with --resume FILE).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Also write the per-step values as CSV.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// Continue the run recorded in FILE (appending to it) until --steps.
    #[arg(long, value_name = "FILE")]
    resume: Option<PathBuf>,
    /// Write the full state every K steps (and at the end), for --resume; 0 for the last only.
    #[arg(long, default_value_t = 100, value_name = "K")]
    checkpoint: u64,
    /// Let an output replace the case file, an existing case or witness file, or an earlier --out trajectory.
    #[arg(long)]
    force: bool,
    /// Draw the run (risk, V, |theta|^2 against the step) into an SVG file.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
    /// Print the summary as JSON. Its "l_to_zero" is "observed, not proven" only where L
    /// fell over the run; else "not observed: L rose", "not observed: L unchanged",
    /// "not observed: no steps", "not observed: L not finite" or (sgd) "not evaluated".
    /// "diverged_at" is the step at which a diverging exact run stopped, or null.
    #[arg(long)]
    json: bool,
    /// No progress output.
    #[arg(long)]
    quiet: bool,
}

fn parse_shard_arg(s: &str) -> Result<reluproof::claims::engine::Slice, String> {
    parse_shard(s)
}

fn exit(r: Result<i32, String>) -> ExitCode {
    match r {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn eval(case: PathBuf, backend: BackendSpec, json: bool, digits: Option<u32>) -> Result<i32, String> {
    let parsed = read_case(&case).map_err(|e| e.to_string())?;
    let file = case.display().to_string();
    let r = run_eval_digits(&parsed, backend, digits.map(|n| n as usize)).map_err(|e| format!("{file}: {e}"))?;
    if json {
        let s = r.to_json_text(&parsed, &file).map_err(|e| format!("cannot write JSON: {e}"))?;
        println!("{s}");
    } else {
        print!("{}", r.to_text(&parsed, &file));
    }
    Ok(0)
}

/// A closed standard output or error (`reluproof list | head -1`) ends the
/// process quietly, as Unix tools do, instead of a panic.
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let p = info.payload();
        let msg = p.downcast_ref::<String>().map(String::as_str).or_else(|| p.downcast_ref::<&str>().copied());
        if msg.is_some_and(|m| m.starts_with("failed printing to std") && m.contains("Broken pipe")) {
            std::process::exit(0);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let cli = Cli::parse();
    match cli.command {
        Command::Eval { case, backend, json, digits } => exit(eval(case, backend, json, digits)),
        Command::Merge { dirs, report, json, force } => exit(merge_command(&dirs, &report, json, force)),
        Command::Check { ids, cases, seed, backend, json, report, mutant, quiet, resume, search, shard, force } => {
            exit(check_command(&CheckOptions {
                ids,
                cases,
                seed,
                backend,
                json,
                report,
                mutant,
                quiet,
                resume,
                search,
                shard,
                force,
            }))
        }
        Command::Replay { witness, backend, json } => exit(replay_command(&witness, backend, json)),
        Command::Gd { case, steps, gamma, state, output: o } => {
            let opts = GdOptions {
                steps,
                gamma,
                state,
                out: o.out,
                csv: o.csv,
                resume: o.resume,
                checkpoint: o.checkpoint,
                quiet: o.quiet,
                false_claim: Default::default(),
            };
            exit(gd_command(&case, &opts, o.plot.as_deref(), o.json, o.force))
        }
        Command::Init { width, d, seed, scale, dist, bits, measure, a, b, points, target, out, force } => {
            let args = InitArgs { width, d, seed, scale, dist, bits, measure, a, b, points, target };
            exit(init_command(&args, out.as_deref(), force))
        }
        Command::Gf {
            case,
            time,
            precision,
            tolerance,
            max_steps,
            out,
            csv,
            plot,
            resume,
            checkpoint,
            force,
            quiet,
            json,
        } => {
            let files = reluproof::commands::GfFiles { out, csv, resume, checkpoint, force };
            exit(gf_command(&case, &time, precision, tolerance, max_steps, files, plot.as_deref(), quiet, json))
        }
        Command::Sgd { case, steps, gamma, decay, batch, seed, state, eval_every, output: o } => {
            let opts = SgdOptions {
                steps,
                gamma,
                decay,
                batch,
                seed,
                state,
                eval_every,
                out: o.out,
                csv: o.csv,
                resume: o.resume,
                checkpoint: o.checkpoint,
                quiet: o.quiet,
                false_claim: Default::default(),
            };
            exit(sgd_command(&case, &opts, o.plot.as_deref(), o.json, o.force))
        }
        Command::GdSweep { width, seed, scales, steps, bits, refine, plot, json, force } => {
            exit(gd_sweep_command(width, seed, &scales, steps, bits, refine, plot.as_deref(), json, force))
        }
        Command::ExportCoq { witness, out, force } => {
            exit(reluproof::coq_export::export_command(&witness, out.as_deref(), force))
        }
        Command::Search(opts) => exit(reluproof::search::command::search_command(&opts)),
        Command::List => {
            print!("{}", list_text());
            ExitCode::SUCCESS
        }
    }
}
