//! How a job reports progress: phases of counted steps (runs, generations, lever values).

/// Receives a job's progress; the command line draws it as a bar, tests ignore it.
pub trait Progress: Sync {
    /// A new phase of `total` steps, labelled (e.g. the scenario, `value 3`, `calibrate`).
    fn phase(&self, label: &str, total: u64);
    /// Steps done so far in the current phase.
    fn done(&self, done: u64);
    /// The job's work is over (before its outputs are written).
    fn finish(&self);
}

/// Progress that is not shown.
pub struct Silent;

impl Progress for Silent {
    fn phase(&self, _: &str, _: u64) {}
    fn done(&self, _: u64) {}
    fn finish(&self) {}
}
