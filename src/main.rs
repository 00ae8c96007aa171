//! The `sandtable` command line: parse arguments, run one command, report errors.
//!
//! Exit codes: 0 success; 2 bad input (model, study, arguments, files) or a failed run.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
