//! Command-line arguments (clap) and dispatch to one module per command.

/// `println!` that ends the program quietly when stdout is closed (e.g. piped into `head`).
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}

/// `print!` with the same behaviour as [`outln!`].
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if write!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}

mod args;
mod calibrate;
mod check;
mod compare;
mod convert;
mod loops;
mod mc;
mod merge;
mod output;
mod run;
mod solve;
mod sweep;

use clap::{Parser, Subcommand};

/// Exit code for bad input or a failed run.
pub const EXIT_BAD_INPUT: i32 = 2;

/// Exit code for a study whose outputs were written but whose failed runs exceed
/// `--max-failed`, so its verdicts are unreliable.
pub const EXIT_UNRELIABLE: i32 = 3;

#[derive(Parser)]
#[command(
    name = "sandtable",
    version,
    about = "System-dynamics sand table: simulate stock-and-flow models and ask how likely each target is.",
    after_help = "Examples:\n  sandtable run models/bass.toml\n  sandtable run models/bass.toml --method rk4 --set q=0.5 --out outputs/try\n  sandtable check models/enterprise_growth.toml\n  sandtable loops models/enterprise_growth.toml\n  sandtable mc models/enterprise_growth.toml\n  sandtable compare models/enterprise_growth.toml\n  sandtable solve models/enterprise_growth.toml --target follower_growth --probability 80% --lever budget=1000..100000\n  sandtable sweep models/enterprise_growth.toml --lever budget=1000..100000:9\n  sandtable calibrate models/enterprise_growth.toml --data history.csv\n  sandtable convert model.stmx --to toml\n\nExit status: 0 on success; 2 on bad input (model, study, arguments, files) or a failed run; 3 when a study's failed runs exceed --max-failed (outputs written, verdicts unreliable); 130 when interrupted with Ctrl-C, 143 on SIGTERM."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a model once: writes run.csv and PNG charts, prints the stocks at a few times.
    #[command(
        after_help = "Examples:\n  sandtable run models/bass.toml\n  sandtable run models/bass.toml --method rk2 --set p=0.01 --set q=40%\n  sandtable run models/enterprise_growth.toml --scenario ai_creative\n  sandtable run model.stmx --out outputs/stella"
    )]
    Run(run::RunArgs),
    /// Validate a model and its study (inputs, targets, every scenario) and summarise it.
    #[command(
        after_help = "Examples:\n  sandtable check models/enterprise_growth.toml\n  sandtable check model.stmx --study study.toml --target \"cool: Teacup_Temperature at 10 <= 120\""
    )]
    Check(check::CheckArgs),
    /// Loop dominance over one run (Loops That Matter): loops.csv, loops.md and a chart.
    #[command(
        after_help = "Examples:\n  sandtable loops models/enterprise_growth.toml\n  sandtable loops models/bass.toml --set q=0.5 --out outputs/bass_loops\n  sandtable loops models/enterprise_growth.toml --scenario ai_creative\n\nWrites outputs/<model>/loops/: loops.csv (time, then each loop's relative score in [-1, 1], + reinforcing, - balancing), loops.md (each loop's path and the phases of dominance) and chart_loop_dominance.png. See docs/explain.md."
    )]
    Loops(loops::LoopsArgs),
    /// Monte Carlo study: probability of each target, with charts and a report.
    #[command(
        after_help = "Examples:\n  sandtable mc models/enterprise_growth.toml\n  sandtable mc models/enterprise_growth.toml --runs 20000 --seed 7 --sampler lhs --scenario ai_creative\n  sandtable mc models/bass.toml --vary \"p=uniform(0.01, 0.05)\" --target \"half: followers at 6 >= 500000\"\n  sandtable mc study.toml   (a study file naming an XMILE model)\n  sandtable mc models/enterprise_growth.toml --posterior outputs/enterprise_growth/calibrate/posterior.csv\n  sandtable mc models/bass.toml --runs 2000 --sobol   (Sobol indices: 2000 × (inputs + 2) runs)"
    )]
    Mc(mc::McArgs),
    /// Run several scenarios with common random numbers and compare their targets.
    #[command(
        after_help = "Examples:\n  sandtable compare models/enterprise_growth.toml\n  sandtable compare models/enterprise_growth.toml --scenarios baseline,cost_surge,ai_creative --runs 5000"
    )]
    Compare(compare::CompareArgs),
    /// Merge the shard directories of one study (`mc … --shard I/N`) into the whole study.
    #[command(
        after_help = "Examples:\n  sandtable mc models/bass.toml --runs 20000 --shard 0/2 --out shards/0\n  sandtable mc models/bass.toml --runs 20000 --shard 1/2 --out shards/1\n  sandtable merge shards/0 shards/1 --out outputs/bass\n\nRun it in the directory the shards ran in: it reads the model and study files again (their SHA-256 must match). Missing, duplicate or mismatched shards: exit 2, nothing written."
    )]
    Merge(merge::MergeArgs),
    /// What would it take: the smallest lever value (or cheapest combination) that makes a
    /// target at least as likely as asked.
    #[command(
        after_help = "Examples:\n  sandtable solve models/enterprise_growth.toml --target follower_growth --probability 80% --lever budget=1000..100000 --runs 1000\n  sandtable solve models/bass.toml --target \"half: followers at 6 >= 500_000\" --probability 0.9 --lever p=0.001..0.05\n  sandtable solve model.toml --target big --probability 80% --lever budget=0..1e5 --lever price=1..20 --cost budget=1 --cost price=2000\n\nThe answer, its 95 % interval and every evaluated value go to outputs/<model>/solve/solve.json; solve.png draws the curve. A goal out of reach is said plainly (exit 0)."
    )]
    Solve(solve::SolveArgs),
    /// Every target's probability at evenly spaced values of one or two levers.
    #[command(
        after_help = "Examples:\n  sandtable sweep models/enterprise_growth.toml --lever budget=1000..100000:9 --runs 1000\n  sandtable sweep models/enterprise_growth.toml --lever budget=1000..50000:5 --lever paid_share=10%..90%:5\n\nWrites outputs/<model>/sweep/: sweep.csv (target, one column per lever, probability, ci_low, ci_high), sweep_<target>.png and, for two levers, heat_<target>.png."
    )]
    Sweep(sweep::SweepArgs),
    /// Convert between the native TOML format and XMILE (Stella, Vensim exports).
    #[command(
        after_help = "Examples:\n  sandtable convert teacup.stmx --to toml\n  sandtable convert teacup.mdl --to toml\n  sandtable convert models/bass.toml --to xmile -o bass.xmile"
    )]
    Convert(convert::ConvertArgs),
    /// Fit the uncertain inputs to observed history: posterior, fit charts, a report.
    #[command(
        after_help = "Examples:\n  sandtable calibrate models/enterprise_growth.toml --data history.csv\n  sandtable calibrate model.toml --data monthly.csv --fit growth_rate,capacity --seed 3\n  sandtable calibrate model.toml --data orders.csv --likelihood negbin --generations 6000\n  sandtable mc model.toml --posterior outputs/model/calibrate/posterior.csv   (the re-forecast)\n\nThe CSV: `time`, then model variables (`followers`, `reach[douyin]`) whose value was observed at that time, or `sum(RATE)` for the total of a rate since the previous row; empty cells are gaps. See docs/calibration.md."
    )]
    Calibrate(calibrate::CalibrateArgs),
}

/// Parses the command line, runs the command and returns the exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    sandtable::report::atomic::install_signal_watcher();
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Check(args) => check::run(args),
        Command::Loops(args) => loops::run(args),
        Command::Mc(args) => mc::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Solve(args) => solve::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Convert(args) => convert::run(args),
        Command::Calibrate(args) => calibrate::run(args),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e:#}");
            if e.downcast_ref::<sandtable::job::Unreliable>().is_some() {
                EXIT_UNRELIABLE
            } else {
                EXIT_BAD_INPUT
            }
        }
    }
}
