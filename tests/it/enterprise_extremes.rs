//! Sterman's tests (Business Dynamics ch. 21) on the reference model
//! models/enterprise_growth.toml: extreme conditions, input range checks, loop knock-outs,
//! integration error against dt/4 with the noise off, and noise that does not depend on dt.

use sandtable::compile::{compile, Program};
use sandtable::simulate::{Simulation, Trajectory};
use sandtable::study::{CompiledScenario, Settings, Study, StudyRequest};
use sandtable::targets::Target;
use std::path::Path;

const MODEL: &str = "models/enterprise_growth.toml";
const PLATFORMS: [&str; 3] = ["short_video", "lifestyle_notes", "private"];

/// The baseline scenario of the reference model, compiled.
fn baseline() -> CompiledScenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(MODEL);
    let request = StudyRequest {
        settings: Settings::default(),
        ..StudyRequest::new(path)
    };
    let study = Study::resolve(&request).unwrap_or_else(|e| panic!("{e}"));
    study.compile("baseline").unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `prog` once with constants overridden: a name without subscript sets every element.
fn run_prog(prog: &Program, sets: &[(&str, f64)]) -> Trajectory {
    let mut sim = Simulation::new(prog);
    for (name, value) in sets {
        let mut found = false;
        for (i, p) in prog.params.iter().enumerate() {
            let n = p.name.to_lowercase();
            if n == *name || n.starts_with(&format!("{name}[")) {
                sim.set_param(i, *value);
                found = true;
            }
        }
        assert!(found, "no constant {name}");
    }
    sim.run().unwrap_or_else(|e| panic!("{sets:?}: {e}"))
}

/// A deterministic run: the baseline with the noise switched off (`virality_sd = 0`).
fn quiet(prog: &Program, sets: &[(&str, f64)]) -> Trajectory {
    let mut all = vec![("virality_sd", 0.0)];
    all.extend_from_slice(sets);
    run_prog(prog, &all)
}

fn col(t: &Trajectory, name: &str) -> Vec<f64> {
    let c = t.column(name).unwrap_or_else(|| panic!("no column {name}"));
    t.series(c).collect()
}

fn last(t: &Trajectory, name: &str) -> f64 {
    *col(t, name).last().unwrap()
}

/// Every value of every column is finite, people are conserved on each platform and no stock
/// of people falls below zero.
fn sane(what: &str, t: &Trajectory) {
    for (i, name) in t.names.iter().enumerate() {
        assert!(
            t.series(i).all(f64::is_finite),
            "{what}: {name} is not finite"
        );
    }
    for p in PLATFORMS {
        let (u, a, f, m) = (
            col(t, &format!("unaware[{p}]")),
            col(t, &format!("aware[{p}]")),
            col(t, &format!("followers[{p}]")),
            col(t, &format!("audience[{p}]")),
        );
        for k in 0..u.len() {
            assert!(
                (u[k] + a[k] + f[k] - m[k]).abs() <= 1e-6 * m[k].max(1.0),
                "{what}: people not conserved on {p} at day {k}"
            );
            for (s, v) in [("unaware", u[k]), ("aware", a[k]), ("followers", f[k])] {
                assert!(
                    v >= -1e-6 * m[k].max(1.0),
                    "{what}: {s}[{p}] = {v} at day {k}"
                );
            }
        }
    }
    for s in ["customers", "vip_total", "new_fans[short_video]"] {
        let worst = col(t, s).into_iter().fold(f64::INFINITY, f64::min);
        assert!(worst >= -1e-9, "{what}: {s} falls to {worst}");
    }
}

fn same(what: &str, a: &Trajectory, b: &Trajectory, names: &[&str]) {
    for n in names {
        let (x, y) = (col(a, n), col(b, n));
        for (k, (p, q)) in x.iter().zip(&y).enumerate() {
            assert!(
                (p - q).abs() <= 1e-9 * p.abs().max(1.0),
                "{what}: {n} differs at day {k}: {p} vs {q}"
            );
        }
    }
}

#[test]
fn zero_and_huge_budgets_stay_within_the_market() {
    let prog = baseline().program;
    let base = quiet(&prog, &[]);
    let zero = quiet(&prog, &[("budget", 0.0)]);
    sane("budget 0", &zero);
    assert!(col(&zero, "paid_awareness[short_video]")
        .iter()
        .all(|&x| x == 0.0));
    assert!(last(&zero, "total_followers") < last(&base, "total_followers"));
    // No content money: the content starts stale and the account shrinks.
    assert_eq!(col(&zero, "freshness[short_video]")[0], 0.0);
    let f = col(&zero, "total_followers");
    assert!(f[f.len() - 1] < f[0], "{} -> {}", f[0], f[f.len() - 1]);

    let huge = quiet(&prog, &[("budget", 1e9)]);
    sane("budget 1e9", &huge);
    let (f, m) = (
        last(&huge, "total_followers"),
        last(&huge, "total_audience"),
    );
    assert!(f > last(&base, "total_followers") && f <= m, "{f} of {m}");
    // Paid reach saturates on the unaware pool: never more than ad_to_aware of it per window.
    let (pa, u) = (
        col(&huge, "paid_awareness[short_video]"),
        col(&huge, "unaware[short_video]"),
    );
    for k in 0..pa.len() {
        assert!(pa[k] <= 0.01 * u[k] / 7.0 * (1.0 + 1e-9));
    }
    // The account's own demand raises its CPM in the auction.
    assert!(col(&huge, "cpm[short_video]")[0] > 10.0 * col(&base, "cpm[short_video]")[0]);
}

#[test]
fn an_account_that_stops_posting_loses_followers() {
    let prog = baseline().program;
    let base = quiet(&prog, &[]);
    let silent = quiet(&prog, &[("posts", 0.0)]);
    sane("posts 0", &silent);
    assert!(col(&silent, "interactions_total").iter().all(|&x| x == 0.0));
    let f = col(&silent, "total_followers");
    assert!(f[f.len() - 1] < f[0], "{} -> {}", f[0], f[f.len() - 1]);
    assert!(f[f.len() - 1] < last(&base, "total_followers"));
}

#[test]
fn zero_audience_and_a_market_smaller_than_the_followers() {
    let prog = baseline().program;
    let empty = quiet(
        &prog,
        &[
            ("market_size", 0.0),
            ("initial_followers", 0.0),
            ("initial_vip", 0.0),
        ],
    );
    sane("empty market", &empty);
    assert_eq!(last(&empty, "total_followers"), 0.0);
    assert_eq!(last(&empty, "cumulative_revenue"), 0.0);

    // A market of 10,000 below 45,000 followers: the audience is those who follow, nobody is
    // left to recruit, and the followers can only shrink.
    let small = quiet(&prog, &[("market_size", 10_000.0)]);
    sane("market below the followers", &small);
    let f = col(&small, "total_followers");
    assert!(
        f.iter().all(|&x| x <= f[0] * (1.0 + 1e-9)),
        "{}",
        f[f.len() - 1]
    );
}

#[test]
fn nps_is_bounded_and_an_outcome() {
    let prog = baseline().program;
    let base = quiet(&prog, &[]);
    let top = quiet(&prog, &[("nps_base", 100.0)]);
    let absurd = quiet(&prog, &[("nps_base", 1000.0)]);
    same(
        "nps 1000 = nps 100",
        &top,
        &absurd,
        &["total_followers", "nps_score"],
    );
    let bottom = quiet(&prog, &[("nps_base", -100.0)]);
    let below = quiet(&prog, &[("nps_base", -1000.0)]);
    same(
        "nps -1000 = nps -100",
        &bottom,
        &below,
        &["total_followers", "nps_score"],
    );
    for t in [&top, &bottom, &base] {
        sane("nps", t);
        assert!(col(t, "nps_score")
            .iter()
            .all(|x| (-100.0..=100.0).contains(x)));
    }
    // The best possible NPS buys word of mouth, not a different market.
    let ratio = last(&top, "total_followers") / last(&base, "total_followers");
    assert!((1.0..1.5).contains(&ratio), "{ratio}");
    assert!(last(&bottom, "total_followers") < last(&base, "total_followers"));
    // NPS moves with experience: more customers enjoying VIP benefits raise it.
    let members = quiet(&prog, &[("vip_join", 0.04)]);
    assert!(last(&members, "nps_score") > last(&base, "nps_score") + 1.0);
}

#[test]
fn tier_mix_and_budget_shares_are_normalised() {
    let prog = baseline().program;
    let one = quiet(&prog, &[("tier_mix", 1.0 / 3.0)]);
    let three = quiet(&prog, &[("tier_mix", 3.0)]);
    same(
        "tier mix ×9",
        &one,
        &three,
        &["vip_total", "total_followers"],
    );
    sane("tier mix 3", &three);
    // VIP sign-ups never exceed the joins they split.
    let joins = col(&three, "vip_joins");
    let signups: Vec<f64> = (0..joins.len())
        .map(|k| {
            ["monthly", "quarterly", "yearly"]
                .iter()
                .map(|tier| col(&three, &format!("vip_signups[{tier}]"))[k])
                .sum()
        })
        .collect();
    for (s, j) in signups.iter().zip(&joins) {
        assert!((s - j).abs() <= 1e-9 * j.max(1e-9));
    }
    // Budget lines asking for 3 budgets are scaled to one; content keeps nothing.
    let greedy = quiet(
        &prog,
        &[
            ("paid_share", 1.0),
            ("private_ops_share", 1.0),
            ("onboarding_share", 1.0),
        ],
    );
    sane("greedy lines", &greedy);
    let spend = col(&greedy, "paid_spend")[0]
        + col(&greedy, "private_spend")[0]
        + col(&greedy, "onboarding_spend")[0];
    assert!((spend - 5000.0).abs() < 1e-6, "{spend}");
    assert!(col(&greedy, "content_budget")[0].abs() < 1e-9);
    // Shares and rates out of [0, 1] act as their bound.
    let a = quiet(&prog, &[("follow_share", 1.0), ("monthly_renewal", 1.0)]);
    let b = quiet(&prog, &[("follow_share", 2.5), ("monthly_renewal", 1.7)]);
    same("rates clamped", &a, &b, &["total_followers", "vip_total"]);
}

#[test]
fn buyers_come_only_from_followers_who_are_not_customers() {
    let prog = baseline().program;
    // A conversion of 500 % per session and 100 sessions a month: everyone buys at once.
    let t = quiet(
        &prog,
        &[("session_conversion", 5.0), ("shop_visits", 100.0)],
    );
    sane("intent extreme", &t);
    let (c, v, f) = (
        col(&t, "customers"),
        col(&t, "vip_total"),
        col(&t, "total_followers"),
    );
    for k in 0..c.len() {
        assert!(
            c[k] + v[k] <= f[k] * 1.001 + 1.0,
            "day {k}: {} of {}",
            c[k] + v[k],
            f[k]
        );
    }
    // First purchases never exceed the non-customer followers within a month.
    let buys = col(&t, "new_customers");
    for k in 0..c.len() {
        assert!(buys[k] * 30.0 <= (f[k] - c[k] - v[k]).max(0.0) * (1.0 + 1e-9) + 1e-6);
    }
}

#[test]
fn fast_stocks_start_in_their_steady_state() {
    // With the noise off, the fast stocks barely move over the first two weeks: the start is
    // not a transient inside the 3-month window.
    let prog = baseline().program;
    let t = quiet(&prog, &[]);
    for (name, tol) in [
        ("aware[short_video]", 0.05),
        ("new_fans[short_video]", 0.05),
        ("freshness[short_video]", 0.01),
        ("signal[short_video]", 0.05),
        ("adstock[short_video]", 0.01),
        ("customers", 0.01),
        ("onboarding_coverage", 0.05),
    ] {
        let v = col(&t, name);
        let drift = (v[14] - v[0]).abs() / v[0];
        assert!(drift <= tol, "{name} moves {drift} in 14 days");
    }
}

/// One loop knocked out: followers and interactions on day 365 against the baseline.
fn knock_out(prog: &Program, sets: &[(&str, f64)]) -> (f64, f64) {
    let base = quiet(prog, &[]);
    let off = quiet(prog, sets);
    sane(&format!("{sets:?}"), &off);
    (
        last(&off, "total_followers") / last(&base, "total_followers") - 1.0,
        last(&off, "interactions_total") / last(&base, "interactions_total") - 1.0,
    )
}

#[test]
fn knocking_out_each_loop_moves_the_year_the_way_its_polarity_says() {
    let prog = baseline().program;
    // Reinforcing loops: without them the account ends smaller.
    for (loop_name, sets, at_least) in [
        ("R1 word of mouth", vec![("contact", 0.0)], 0.10),
        ("R2 algorithm", vec![("algorithm_elasticity", 0.0)], 0.0),
        ("R4 VIP referral", vec![("vip_referral", 0.0)], 0.005),
        ("synergy", vec![("cross_rate", 0.0)], 0.02),
        ("onboarding", vec![("onboarding_effect", 0.0)], 0.005),
    ] {
        let (df, _) = knock_out(&prog, &sets);
        assert!(df < -at_least, "{loop_name}: followers {df}");
    }
    // R3 amplifies a disturbance to engagement: an algorithm change costs more first
    // purchases with the loop than without it.
    let base = quiet(&prog, &[]);
    let shock = [
        ("shock_occurs", 1.0),
        ("shock_day", 60.0),
        ("shock_depth", 0.5),
    ];
    let lost = |extra: &[(&str, f64)]| {
        let mut with: Vec<(&str, f64)> = shock.to_vec();
        with.extend_from_slice(extra);
        let (a, b) = (quiet(&prog, extra), quiet(&prog, &with));
        let sum = |t: &Trajectory| col(t, "new_customers").iter().sum::<f64>();
        1.0 - sum(&b) / sum(&a)
    };
    let (on, off) = (
        lost(&[]),
        lost(&[("intent_elasticity", 0.0), ("reinvest_share", 0.0)]),
    );
    assert!(
        on > off + 0.005,
        "R3: shock costs {on} with the loop, {off} without"
    );
    // R5: experience no longer moves NPS, so NPS stays at its base.
    let r5 = quiet(&prog, &[("nps_per_freshness", 0.0), ("nps_vip_gap", 0.0)]);
    assert!((last(&r5, "nps_score") - 40.0).abs() < 1e-9);
    // Balancing loops: without them the account ends larger.
    for (loop_name, sets, at_least) in [
        ("B2 fatigue", vec![("wear_per_view", 0.0)], 0.02),
        ("B3 paid cost", vec![("auction_elasticity", 0.0)], 0.0),
    ] {
        let (df, _) = knock_out(&prog, &sets);
        assert!(df > at_least, "{loop_name}: followers {df}");
    }
    // B1: an unlimited market grows more, if only a little within a year.
    let (df, _) = knock_out(&prog, &[("market_size", 1e12)]);
    assert!(df > 0.0, "B1 saturation: {df}");
    // B4: no churn keeps more customers.
    let b4 = quiet(&prog, &[("customer_life", 1e9)]);
    assert!(last(&b4, "customers") > last(&base, "customers"));
}

/// The scored (non-group) targets' metrics on one run.
fn metrics(targets: &[Target], t: &Trajectory) -> Vec<(String, f64)> {
    targets
        .iter()
        .filter(|x| x.members().is_empty())
        .map(|x| {
            let o = x.evaluate(t).unwrap_or_else(|e| panic!("{e}"));
            (x.name.clone(), o.metric)
        })
        .collect()
}

/// The scenario's program compiled with another integration step.
fn with_dt(sc: &CompiledScenario, dt: f64) -> Program {
    let mut model = sc.model.clone();
    model.sim.dt = dt;
    compile(&model).unwrap_or_else(|e| panic!("{e}"))
}

/// The largest relative difference of the target metrics between `dt` and `dt / 4`.
fn integration_error(sc: &CompiledScenario, dt: f64, sets: &[(&str, f64)]) -> (f64, String) {
    let (coarse, fine) = (with_dt(sc, dt), with_dt(sc, dt / 4.0));
    let (a, b) = (
        metrics(&sc.targets, &quiet(&coarse, sets)),
        metrics(&sc.targets, &quiet(&fine, sets)),
    );
    let mut worst = (0.0, String::new());
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        let err = (x - y).abs() / y.abs().max(1e-12);
        if err > worst.0 {
            worst = (err, name.clone());
        }
    }
    worst
}

#[test]
fn the_chosen_dt_agrees_with_a_quarter_of_it_within_a_tenth_of_a_percent() {
    let sc = baseline();
    let dt = sc.program.specs.dt;
    // The default inputs, an algorithm change on a grid day, and a fast-moving corner.
    let cases: [&[(&str, f64)]; 3] = [
        &[],
        &[("shock_occurs", 1.0), ("shock_day", 120.0)],
        &[
            ("contact", 0.012),
            ("follow_share", 0.5),
            ("content_renewal", 0.0714),
            ("shop_visits", 1.5),
            ("session_conversion", 0.025),
            ("base_unfollow", 0.07),
            ("market_size", 2e6),
        ],
    ];
    for sets in cases {
        let (err, name) = integration_error(&sc, dt, sets);
        assert!(err <= 1e-3, "dt {dt}, {sets:?}: {name} differs by {err}");
    }
    // dt is the largest step the daily saves allow (a save step is a whole number of steps).
    assert_eq!(dt, sc.program.specs.save_step);
}

#[test]
fn the_noise_has_a_correlation_time_in_days_not_in_steps() {
    // Virality is PINK_NOISE(1, 0.3, 7 days): at dt and dt/4 it has the same spread and the
    // same one-week autocorrelation (e^-1), so its effect on the year does not depend on dt.
    let sc = baseline();
    let stats = |dt: f64| {
        let prog = with_dt(&sc, dt);
        let (mut n, mut s, mut s2, mut lag) = (0.0, 0.0, 0.0, 0.0);
        for seed in 0..40 {
            let mut sim = Simulation::new(&prog);
            sim.set_seed(seed);
            let t = sim.run().unwrap_or_else(|e| panic!("{e}"));
            let v = col(&t, "virality[short_video]");
            for k in 0..v.len() {
                n += 1.0;
                s += v[k] - 1.0;
                s2 += (v[k] - 1.0).powi(2);
                if k >= 7 {
                    lag += (v[k] - 1.0) * (v[k - 7] - 1.0);
                }
            }
        }
        let var = s2 / n - (s / n).powi(2);
        (var.sqrt(), lag / (n - 40.0 * 7.0) / var)
    };
    for dt in [1.0, 0.25, 0.0625] {
        let (sd, rho) = stats(dt);
        assert!((sd - 0.3).abs() < 0.03, "dt {dt}: sd {sd}");
        assert!(
            (rho - (-1.0f64).exp()).abs() < 0.08,
            "dt {dt}: one-week autocorrelation {rho}"
        );
    }
}
