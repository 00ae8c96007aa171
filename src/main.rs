//! The `sandtable` command line: parse arguments, run one command, report errors.
//!
//! Exit codes: 0 success; 2 bad input (model, study, arguments, files) or a failed run; 130 or
//! 143 when interrupted by SIGINT or SIGTERM (outputs being written are completed first).

mod cli;

fn main() {
    std::process::exit(cli::main());
}
