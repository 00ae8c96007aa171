//! Whether a study's verdicts can be trusted given its failed runs, and how the report says so.
//!
//! Failed runs are left out of every statistic; when many fail, the runs that remain are a
//! biased sample (typically the tame corner of the input ranges), so the verdicts are marked
//! unreliable. The command line turns [`FailedRunCheck::unreliable`] into its own exit code.

use crate::montecarlo::summary::Summary;
use crate::report::format;

/// Share of failed runs a study may have before its verdicts count as unreliable: 1 %.
pub const DEFAULT_MAX_FAILED: f64 = 0.01;

/// Failed runs of a study measured against the share allowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FailedRunCheck {
    /// Runs that stopped on a numeric fault.
    pub failed: u64,
    /// Runs attempted.
    pub attempted: u64,
    /// `failed / attempted` (0 when nothing was attempted).
    pub share: f64,
    /// The largest share allowed.
    pub max_failed: f64,
}

impl FailedRunCheck {
    /// Measures `summary`'s failed runs against `max_failed` (a share in `[0, 1]`).
    pub fn new(summary: &Summary, max_failed: f64) -> FailedRunCheck {
        let failed = summary.failed_runs.count;
        let attempted = summary.runs;
        let share = if attempted == 0 {
            0.0
        } else {
            failed as f64 / attempted as f64
        };
        FailedRunCheck {
            failed,
            attempted,
            share,
            max_failed,
        }
    }

    /// True when the failed runs exceed the share allowed: the verdicts are unreliable.
    pub fn unreliable(&self) -> bool {
        self.share > self.max_failed
    }

    /// One sentence for the top of a report: empty when no run failed, a note when a few did,
    /// a warning when the verdicts are unreliable.
    pub fn sentence(&self) -> Option<String> {
        if self.failed == 0 {
            return None;
        }
        let counts = format!(
            "{} of {} runs ({})",
            format::number(self.failed as f64),
            format::number(self.attempted as f64),
            format::percent(self.share)
        );
        Some(if self.unreliable() {
            format!(
                "**Warning: the verdicts are unreliable.** {counts} failed, more than the {} \
                 allowed; they count as misses, so every probability is a lower bound, and \
                 the runs that finished are not a fair sample of the input ranges. Find the \
                 cause under *Failed runs* before acting on them.",
                format::percent(self.max_failed)
            )
        } else {
            format!(
                "{counts} failed and count as misses of every target (at most {} allowed).",
                format::percent(self.max_failed)
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::export::sample::summary_with_failures;

    #[test]
    fn more_failed_runs_than_allowed_is_unreliable() {
        // 67 of 200 failed: 33.5 %, far above 1 %.
        let c = FailedRunCheck::new(&summary_with_failures(200, 67), DEFAULT_MAX_FAILED);
        assert!((c.share - 0.335).abs() < 1e-12);
        assert!(c.unreliable());
        let s = c.sentence().unwrap();
        assert!(
            s.contains("unreliable") && s.contains("67 of 200 runs (33.5 %)"),
            "{s}"
        );
    }

    #[test]
    fn the_threshold_itself_is_still_reliable() {
        // Exactly 1 %: not more than allowed.
        let c = FailedRunCheck::new(&summary_with_failures(1000, 10), DEFAULT_MAX_FAILED);
        assert!(!c.unreliable());
        assert!(!c.sentence().unwrap().contains("unreliable"));
        let c = FailedRunCheck::new(&summary_with_failures(1000, 11), DEFAULT_MAX_FAILED);
        assert!(c.unreliable());
    }

    #[test]
    fn no_failures_say_nothing_and_no_runs_do_not_divide_by_zero() {
        assert_eq!(
            FailedRunCheck::new(&summary_with_failures(500, 0), 0.0).sentence(),
            None
        );
        let c = FailedRunCheck::new(&summary_with_failures(0, 0), 0.0);
        assert_eq!(c.share, 0.0);
        assert!(!c.unreliable());
    }
}
