//! The equations of a conveyor's exit and leakage flows: the belt with leaks over the whole
//! belt or over a zone of it, and a discrete belt whose initial contents leave in packages.
//!
//! With `N` slats, what enters during step `s` is on the belt for steps `s+1 … s+N` (it
//! leaves as the exit flow of step `s+N`). The cohort that entered `j` steps ago sits in
//! slat `N − j` from the exit, at the fraction `(j − ½)/N` of the belt from its entry. A
//! leak zone `[a, b]` (fractions from the entry) holds the cohorts `j ∈ [lo, hi]` with
//! `lo = ⌈aN + ½⌉`, `hi = ⌊bN + ½⌋`, `M = hi − lo + 1` of them (simlin's slat-centre rule).
//! Sums of the inflow over such a window of past steps, `W(lo, hi) = Σ in(s − j)`, are
//! differences of `CONVEYOR_MEAN_INFLOW` calls (each the mean over the last `k` steps).

use super::eqn_text::quoted;

/// A conveyor's names and lengths as equation texts.
pub(super) struct Belt {
    /// The conveyor, quoted.
    pub c: String,
    /// The sum of its inflows.
    pub incoming: String,
    /// Its transit time, parenthesised.
    pub t: String,
    /// Its number of slats.
    pub n: String,
}

impl Belt {
    /// The belt of conveyor `name` fed by `inflows`, of transit time `len`.
    pub fn new(name: &str, inflows: &[String], len: &str) -> Belt {
        let incoming = if inflows.is_empty() {
            "0".to_string()
        } else {
            inflows
                .iter()
                .map(|f| quoted(f))
                .collect::<Vec<_>>()
                .join(" + ")
        };
        let t = format!("({len})");
        let n = format!("MAX(1, ROUND({t} / DT))");
        Belt {
            c: quoted(name),
            incoming,
            t,
            n,
        }
    }

    /// `Σ in(s − j)` for `j` in `1..=k` (`k` a text), before the start the steady inflow `r0`.
    fn sum_last(&self, k: &str, r0: &str) -> String {
        format!(
            "({k}) * CONVEYOR_MEAN_INFLOW({}, ({k}) * DT, {r0})",
            self.incoming
        )
    }

    /// `Σ in(s − j)` for `j` in `lo..=hi`.
    fn window(&self, lo: &str, hi: &str, r0: &str) -> String {
        format!(
            "({} - {})",
            self.sum_last(hi, r0),
            self.sum_last(&format!("{lo} - 1"), r0)
        )
    }
}

/// One leakage flow: its variable index, fraction text, zone and whole-unit option.
#[derive(Debug, Clone)]
pub(super) struct LeakSpec {
    /// Variable index.
    pub k: usize,
    /// Leak fraction, parenthesised.
    pub f: String,
    /// `leak_start`, `leak_end` (fractions of the belt from its entry).
    pub zone: (f64, f64),
    /// `<leak_integers/>`.
    pub integers: bool,
}

impl LeakSpec {
    fn full(&self) -> bool {
        self.zone == (0.0, 1.0)
    }
}

/// `lo`, `hi` and `M` of a zone, texts.
fn bounds(n: &str, (a, b): (f64, f64)) -> (String, String, String) {
    let lo = format!("INT({a} * {n} + 1.5 - 1e-9)");
    let hi = format!("INT({b} * {n} + 0.5 + 1e-9)");
    let m = format!("MAX(0, {hi} - {lo} + 1)");
    (lo, hi, m)
}

/// The exit flow's equation and each leak's, for a continuous conveyor.
pub(super) fn continuous(
    belt: &Belt,
    leaks: &[LeakSpec],
    exponential: bool,
) -> (String, Vec<(usize, String)>) {
    let total = if leaks.is_empty() {
        "0".to_string()
    } else {
        leaks
            .iter()
            .map(|l| l.f.clone())
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let (c, t, n) = (&belt.c, &belt.t, &belt.n);
    let whole = |l: &LeakSpec, eq: String| {
        if l.integers {
            format!("CONVEYOR_WHOLE({eq})")
        } else {
            eq
        }
    };
    if leaks.iter().all(LeakSpec::full) {
        // The whole belt: the closed forms of the module docs of `conveyor`.
        let r0 = if exponential {
            format!(
                "SAFEDIV(INIT({c}) * ({total}), 1 - (1 - ({total}) * DT) ^ {n}, INIT({c}) / ({n} * DT))"
            )
        } else {
            format!("INIT({c}) / ({n} * DT - ({total}) * DT * ({n} - 1) / 2)")
        };
        let delayed = format!("DELAY({}, {t}, {r0})", belt.incoming);
        let main = if exponential {
            format!("(1 - ({total}) * DT) ^ {n} * {delayed}")
        } else {
            format!("(1 - ({total})) * {delayed}")
        };
        let leak_eqns = leaks
            .iter()
            .map(|l| {
                let f = &l.f;
                let eq = if exponential {
                    format!("{f} * {c}")
                } else {
                    format!("{f} * CONVEYOR_MEAN_INFLOW({}, {t}, {r0})", belt.incoming)
                };
                (l.k, whole(l, eq))
            })
            .collect();
        return (main, leak_eqns);
    }
    if exponential {
        return exponential_zone(belt, leaks, &total, whole);
    }
    // Linear leak `f` over a zone of `M` cohorts: each cohort loses `f/M` of what entered in
    // each step it spends in the zone, so it still leaves with `1 − f` of it.
    let mut reach = Vec::new();
    let mut effective = Vec::new();
    for l in leaks {
        let (lo, hi, m) = bounds(n, l.zone);
        // Σ over the belt's cohorts of the zone steps each has already spent, per cohort.
        reach.push(format!("{} * MIN(1, {m}) * ({n} - ({lo} + {hi}) / 2)", l.f));
        effective.push(format!("{} * MIN(1, {m})", l.f));
    }
    let r0 = format!("INIT({c}) / (DT * ({n} - ({})))", reach.join(" + "));
    let main = format!(
        "(1 - ({})) * DELAY({}, {t}, {r0})",
        effective.join(" + "),
        belt.incoming
    );
    let leak_eqns = leaks
        .iter()
        .map(|l| {
            let (lo, hi, m) = bounds(n, l.zone);
            let eq = format!("SAFEDIV({} * {}, {m}, 0)", l.f, belt.window(&lo, &hi, &r0));
            (l.k, whole(l, eq))
        })
        .collect();
    (main, leak_eqns)
}

/// Exponential leaks over one zone shared by every leak flow: with `q = 1 − F·DT`, a cohort
/// loses the fraction `F·DT` in each of its `M` zone steps; the zone holds what is on the
/// belt less the cohorts before it (none leaked yet) and after it (each leaked `q^M`).
fn exponential_zone(
    belt: &Belt,
    leaks: &[LeakSpec],
    total: &str,
    whole: impl Fn(&LeakSpec, String) -> String,
) -> (String, Vec<(usize, String)>) {
    let (c, t, n) = (&belt.c, &belt.t, &belt.n);
    let (lo, hi, m) = bounds(n, leaks[0].zone);
    let q = format!("(1 - ({total}) * DT)");
    // Zone steps spent by the cohort `j` steps in: 0 up to lo, then 1 … E, then M.
    let e = format!("MAX(0, MIN({n} - {lo}, {m}))");
    let steady = format!(
        "(MIN({lo}, {n}) + SAFEDIV({q} * (1 - {q} ^ {e}), ({total}) * DT, {e}) + MAX(0, {n} - {lo} - {e}) * {q} ^ {m})"
    );
    let r0 = format!("INIT({c}) / (DT * {steady})");
    let main = format!("{q} ^ {m} * DELAY({}, {t}, {r0})", belt.incoming);
    let before = belt.sum_last(&format!("{lo} - 1"), &r0);
    let after = belt.window(&format!("{hi} + 1"), n, &r0);
    let zone = format!("({c} - DT * {before} - DT * {q} ^ {m} * {after})");
    let leak_eqns = leaks
        .iter()
        .map(|l| (l.k, whole(l, format!("{} * {zone}", l.f))))
        .collect();
    (main, leak_eqns)
}

/// The exit flow of a discrete conveyor (no leaks): what entered `N` steps before, and the
/// initial contents in one package per time unit of the belt, each leaving in the last DT
/// of its time unit (isee's "packages stacked in the last DT").
pub(super) fn discrete(belt: &Belt) -> String {
    let (c, t, n) = (&belt.c, &belt.t, &belt.n);
    let i = "ROUND((TIME - STARTTIME) / DT)";
    let last = format!("({i} = {n} - 1 OR INT(({i} + 1) * DT + 1e-9) > INT({i} * DT + 1e-9))");
    let units = format!("(INT(({n} - 1) * DT + 1e-9) + 1)");
    format!(
        "DELAY({}, {t}, 0) + (IF {i} < {n} AND {last} THEN INIT({c}) / {units} / DT ELSE 0)",
        belt.incoming
    )
}
