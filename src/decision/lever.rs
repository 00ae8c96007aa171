//! Levers: the constants a decision maker controls, given as `NAME=LO..HI[:POINTS]` on the
//! command line or declared in the model (`lever = { min = …, max = … }`), checked against
//! the study before anything runs.

use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, SourceRef};
use crate::model::names::{canonical, closest};
use crate::model::VarKind;
use crate::study::overrides::parse_value;
use crate::study::{CompiledScenario, Override, Study};
use std::sync::Arc;

/// A constant (or a stock's initial value) swung over a range.
#[derive(Debug, Clone, PartialEq)]
pub struct Lever {
    /// The constant's name as written (`budget`, or `share[video]` for one element).
    pub name: String,
    /// Lowest value.
    pub lo: f64,
    /// Highest value.
    pub hi: f64,
    /// Number of evenly spaced values from `lo` to `hi` inclusive, when given.
    pub points: Option<usize>,
    /// Where it was written.
    pub at: SourceRef,
}

const HINT: &str = "write NAME=LO..HI or NAME=LO..HI:POINTS, e.g. --lever budget=1_000..100_000:9";

impl Lever {
    /// Parses `NAME=LO..HI[:POINTS]` as given to `--lever`; numbers may be written `1_000`,
    /// `1e5` or `30%`.
    pub fn parse(text: &str) -> Result<Lever, Diagnostic> {
        let file = Arc::new(SourceFile {
            path: "command line".into(),
            text: text.to_string(),
        });
        let at = SourceRef::at_offset(&file, 0);
        let err = |msg: String, offset: usize| {
            Diagnostic::new(msg, at.advance_in(text, offset)).with_hint(HINT)
        };
        let Some((name, range)) = text.split_once('=') else {
            return Err(err(format!("--lever `{text}` is not NAME=LO..HI"), 0));
        };
        if name.trim().is_empty() {
            return Err(err(format!("--lever `{text}` has no name before `=`"), 0));
        }
        let start = name.len() + 1;
        let (span, points) = match range.rsplit_once(':') {
            Some((span, p)) => {
                let offset = start + span.len() + 1;
                let n = p.trim().replace('_', "").parse::<usize>().map_err(|_| {
                    err(
                        format!(
                            "--lever `{text}`: `{}` is not a whole number of points",
                            p.trim()
                        ),
                        offset,
                    )
                })?;
                if n < 2 {
                    return Err(err(
                        format!("--lever `{text}`: {n} point(s); a range needs at least 2"),
                        offset,
                    ));
                }
                if n > MAX_POINTS {
                    return Err(err(
                        format!("--lever `{text}`: {n} points; at most {MAX_POINTS} per lever"),
                        offset,
                    ));
                }
                (span, Some(n))
            }
            None => (range, None),
        };
        let Some((lo_text, hi_text)) = span.split_once("..") else {
            return Err(err(
                format!(
                    "--lever `{text}`: the range `{}` is not LO..HI",
                    span.trim()
                ),
                start,
            ));
        };
        let number = |t: &str, offset: usize| {
            parse_value(t).ok_or_else(|| {
                err(
                    format!("--lever `{text}`: `{}` is not a finite number", t.trim()),
                    offset,
                )
            })
        };
        let lo = number(lo_text, start)?;
        let hi = number(hi_text, start + lo_text.len() + 2)?;
        if lo >= hi {
            return Err(err(
                format!("--lever `{text}`: the low end {lo} is not below the high end {hi}"),
                start,
            ));
        }
        Ok(Lever {
            name: name.trim().to_string(),
            lo,
            hi,
            points,
            at,
        })
    }

    /// The `--set`-style override that puts the lever at `value`.
    pub fn override_at(&self, value: f64) -> Override {
        let (name, elements) = match self.name.split_once('[') {
            Some((n, rest)) => (
                n.trim().to_string(),
                rest.trim_end_matches(']')
                    .split(',')
                    .map(|e| e.trim().to_string())
                    .collect(),
            ),
            None => (self.name.clone(), Vec::new()),
        };
        Override {
            name,
            elements,
            value,
            text: format!(
                "{}={}",
                self.name,
                crate::model::toml_file::format_number(value)
            ),
            at: self.at.clone(),
        }
    }

    /// `points` evenly spaced values from `lo` to `hi`, both ends exact.
    pub fn grid(&self, points: usize) -> Vec<f64> {
        let n = points.max(2);
        (0..n)
            .map(|i| match i {
                0 => self.lo,
                i if i == n - 1 => self.hi,
                i => self.lo + (self.hi - self.lo) * i as f64 / (n - 1) as f64,
            })
            .collect()
    }
}

/// Most values one lever may take in a sweep.
pub const MAX_POINTS: usize = 1000;

/// Checks every lever against the study: each names a constant or a stock of the model (with
/// a did-you-mean hint), none is uncertain in `scenario`, and none is given twice. Every
/// problem is reported together.
pub fn check(
    study: &Study,
    scenario: &CompiledScenario,
    levers: &[Lever],
) -> Result<(), Diagnostics> {
    let mut errors = Vec::new();
    for (i, lever) in levers.iter().enumerate() {
        let base = lever.name.split('[').next().unwrap_or_default().trim();
        let key = canonical(base);
        if levers[..i]
            .iter()
            .any(|l| canonical(&l.name) == canonical(&lever.name))
        {
            errors.push(
                Diagnostic::new(
                    format!("lever `{}` is given twice", lever.name),
                    lever.at.clone(),
                )
                .with_hint("give each lever once"),
            );
            continue;
        }
        let Some(var) = study
            .model
            .variables
            .iter()
            .find(|v| canonical(&v.name) == key)
        else {
            let e = Diagnostic::new(
                format!("lever `{base}` is not a variable of the model"),
                lever.at.clone(),
            );
            let names = study
                .model
                .variables
                .iter()
                .filter(|v| matches!(v.kind, VarKind::Constant | VarKind::Stock { .. }))
                .map(|v| v.name.as_str());
            errors.push(match closest(base, names) {
                Some(c) => e.with_hint(format!("did you mean `{c}`?")),
                None => e.with_hint("run `sandtable check MODEL` to list the constants"),
            });
            continue;
        };
        if matches!(var.kind, VarKind::Flow { .. } | VarKind::Aux) {
            errors.push(
                Diagnostic::new(
                    format!("lever `{base}` is computed from other variables"),
                    lever.at.clone(),
                )
                .with_hint("a lever is a constant or a stock's initial value; swing the constants it depends on"),
            );
            continue;
        }
        if scenario.uncertain.iter().any(|u| canonical(&u.name) == key) {
            errors.push(
                Diagnostic::new(
                    format!("lever `{base}` is an uncertain input"),
                    lever.at.clone(),
                )
                .with_hint("a lever is a decision, not an uncertainty: remove its distribution (`dist`, [uncertain], --vary) to swing it"),
            );
            continue;
        }
        // The override machinery checks elements (`share[video]`) against the dimensions.
        let mut model = study.model.clone();
        if let Err(e) = lever.override_at(lever.lo).apply(&mut model) {
            errors.push(Diagnostic {
                message: e.message.replace("--set:", "lever:"),
                ..e
            });
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Diagnostics(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_points_and_number_forms_parse() {
        let l = Lever::parse("budget=1_000..100_000:9").unwrap();
        assert_eq!(l.name, "budget");
        assert_eq!((l.lo, l.hi, l.points), (1000.0, 100_000.0, Some(9)));
        let l = Lever::parse("paid_share=10%..90%").unwrap();
        assert!((l.lo - 0.1).abs() < 1e-15 && (l.hi - 0.9).abs() < 1e-15);
        assert_eq!(l.points, None);
        let l = Lever::parse("x=-2..1e1:2").unwrap();
        assert_eq!((l.lo, l.hi), (-2.0, 10.0));
    }

    #[test]
    fn grids_are_even_and_hit_both_ends() {
        let l = Lever::parse("b=0.1..0.7").unwrap();
        let g = l.grid(4);
        assert_eq!(g.len(), 4);
        assert_eq!((g[0], g[3]), (0.1, 0.7));
        assert!((g[1] - 0.3).abs() < 1e-15 && (g[2] - 0.5).abs() < 1e-15);
    }

    #[test]
    fn bad_levers_are_located_errors() {
        for (text, needle, col) in [
            ("budget", "not NAME=LO..HI", 1),
            ("=1..2", "no name", 1),
            ("b=5..5", "not below", 3),
            ("b=9..1", "not below", 3),
            ("b=1..x", "`x` is not a finite number", 6),
            ("b=1-2", "is not LO..HI", 3),
            ("b=1..2:1", "at least 2", 8),
            ("b=1..2:two", "whole number", 8),
        ] {
            let e = Lever::parse(text).unwrap_err();
            assert!(e.message.contains(needle), "{text}: {e}");
            assert_eq!(e.at.col, col, "{text}: {e}");
            assert!(e.hint.is_some());
        }
    }

    #[test]
    fn element_levers_become_element_overrides() {
        let l = Lever::parse("share[video]=0..1").unwrap();
        let o = l.override_at(0.25);
        assert_eq!(o.name, "share");
        assert_eq!(o.elements, vec!["video".to_string()]);
        assert_eq!(o.value, 0.25);
    }
}
