//! What the commands share in printing: the progress bar and the end of a command.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sandtable::job::{Progress, Unreliable, Written};
use std::io::IsTerminal;

/// A progress bar on standard error, hidden when quiet or when standard error is not a
/// terminal.
pub struct Bar(ProgressBar);

impl Bar {
    /// A bar; `quiet` hides it.
    pub fn new(quiet: bool) -> Bar {
        if quiet || !std::io::stderr().is_terminal() {
            return Bar(ProgressBar::hidden());
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        let style =
            ProgressStyle::with_template("{prefix} {bar:40} {pos}/{len}  {per_sec}  ETA {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Bar(bar)
    }
}

impl Progress for Bar {
    fn phase(&self, label: &str, total: u64) {
        if self.0.prefix() != label {
            self.0.set_prefix(label.to_string());
            self.0.reset();
        }
        self.0.set_length(total);
    }
    fn done(&self, done: u64) {
        self.0.set_position(done);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// Prints a command's text and where its files went (unless quiet), and turns a reliability
/// warning into the error that gives exit code 3.
pub fn finish(
    quiet: bool,
    text: impl FnOnce() -> String,
    written: &Written,
    what: &str,
    unreliable: Option<Unreliable>,
) -> anyhow::Result<()> {
    if !quiet {
        let (n, dir) = (written.files.len(), written.dir.display());
        outln!("{}\n\nwrote {n} files to {dir}/ ({what})", text());
    }
    unreliable.map_or(Ok(()), |u| Err(u.into()))
}
