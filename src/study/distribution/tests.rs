//! Tests of the text syntax, validation messages and quantile functions.

use super::*;

const ALL: &[&str] = &[
    "constant(4.5)",
    "uniform(2, 5)",
    "normal(0.1, 0.02)",
    "lognormal(1, 0.5)",
    "lognormal_mean_sd(100, 20)",
    "triangular(20, 35, 80)",
    "pert(1, 2, 5)",
    "beta(2, 5)",
    "beta(2, 5, 10, 20)",
    "gamma(2.5, 3)",
    "gamma(0.3, 1)",
    "exponential(0.5)",
    "poisson(3.5)",
    "bernoulli(0.3)",
    "discrete(1: 0.2, 2: 0.5, 3: 0.3)",
    "normal(0.1, 0.02) truncated [0, 1]",
    "normal(0, 1) truncated [-inf, 0.5]",
    "gamma(2, 1) truncated [1, inf]",
    "poisson(4) truncated [2, 6]",
    "discrete(-1: 1, 0.5: 2, 7: 0) truncated [0, 10]",
];

#[test]
fn display_round_trips() {
    for text in ALL {
        let d = Distribution::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(d.to_string(), *text);
        assert_eq!(Distribution::parse(&d.to_string()).unwrap(), d);
    }
    // Awkward floats survive the round trip bit for bit.
    let d = Distribution::Normal {
        mean: 0.1 + 0.2,
        sd: 1e-7,
    };
    assert_eq!(Distribution::parse(&d.to_string()).unwrap(), d);
}

#[test]
fn accepts_spacing_case_aliases_and_plain_numbers() {
    assert_eq!(
        Distribution::parse("  Normal( 0.1 ,0.02 )  TRUNCATED[ 0 , 1 ] ").unwrap(),
        Distribution::parse("normal(0.1, 0.02) truncated [0, 1]").unwrap()
    );
    assert_eq!(
        Distribution::parse("5").unwrap(),
        Distribution::Constant(5.0)
    );
    assert_eq!(
        Distribution::parse("-2.5e-3").unwrap(),
        Distribution::Constant(-0.0025)
    );
    assert_eq!(
        Distribution::parse("exp(2)").unwrap(),
        Distribution::Exponential { rate: 2.0 }
    );
    assert_eq!(
        Distribution::parse("betapert(1, 2, 3)").unwrap(),
        Distribution::Pert {
            min: 1.0,
            mode: 2.0,
            max: 3.0
        }
    );
    // Discrete values are sorted; weights need not sum to one.
    assert_eq!(
        Distribution::parse("discrete(3: 1, 1: 2)").unwrap(),
        Distribution::Discrete {
            values: vec![1.0, 3.0],
            weights: vec![2.0, 1.0]
        }
    );
    assert_eq!(
        Distribution::discrete(&[(3.0, 1.0), (1.0, 2.0)]).unwrap(),
        Distribution::parse("discrete(1: 2, 3: 1)").unwrap()
    );
}

#[test]
fn numbers_are_written_as_in_targets_and_overrides() {
    // The same scanner reads targets and `--set`: percentages and digit separators work here too.
    assert_eq!(
        Distribution::parse("uniform(10%, 30%)").unwrap(),
        Distribution::Uniform { min: 0.1, max: 0.3 }
    );
    assert_eq!(
        Distribution::parse("normal(1_200_000, 50_000) truncated [-inf, 2e6]").unwrap(),
        Distribution::parse("normal(1200000, 50000) truncated [-inf, 2000000]").unwrap()
    );
    assert_eq!(
        Distribution::parse("− 2").unwrap(),
        Distribution::Constant(-2.0)
    );
    let glued = err("normal(1, 2x)");
    assert_eq!(glued.offset, 11, "{glued}");
    assert!(glued.message.contains("after the number `2`"), "{glued}");
    let stray = err("normal(1; 2)");
    assert_eq!(
        (stray.offset, stray.message.as_str()),
        (8, "unexpected character `;`")
    );
}

fn err(text: &str) -> DistError {
    match Distribution::parse(text) {
        Ok(d) => panic!("{text} parsed as {d:?}"),
        Err(e) => e,
    }
}

#[test]
fn bad_parameters_are_explained_at_the_right_place() {
    let e = err("normal(0.1, -0.02)");
    assert!(e.message.contains("sd > 0"), "{e}");
    assert_eq!(e.offset, 12);
    let e = err("uniform(5, 2)");
    assert!(e.message.contains("min < max"), "{e}");
    let e = err("uniform(3, 3)");
    assert_eq!(
        e.hint.as_deref(),
        Some("for a fixed value write constant(3)")
    );
    let e = err("triangular(1, 9, 5)");
    assert!(e.message.contains("mode 9 is outside [1, 5]"), "{e}");
    assert_eq!(e.offset, 14);
    assert!(err("pert(1, 0, 5)").message.contains("outside"));
    assert!(err("bernoulli(1.5)").message.contains("[0, 1]"));
    assert!(err("bernoulli(-0.1)").message.contains("[0, 1]"));
    assert!(err("gamma(0, 1)").message.contains("shape > 0"));
    assert!(err("exponential(-1)").hint.unwrap().contains("1 / mean"));
    assert!(err("poisson(0)").message.contains("mean > 0"));
    assert!(err("lognormal_mean_sd(-5, 1)").message.contains("mean > 0"));
    assert!(err("beta(2, 0)").message.contains("b > 0"));
    let e = err("discrete(1: 0.5, 2: -0.1)");
    assert!(e.message.contains("weight of 2"), "{e}");
    assert_eq!(e.offset, 17);
    assert!(err("discrete(1: 0, 2: 0)").message.contains("all zero"));
    assert!(err("discrete(1: 1, 1: 2)").message.contains("twice"));
}

#[test]
fn syntax_errors_name_what_was_expected() {
    let e = err("normal(1, 2, 3)");
    assert!(
        e.message.contains("takes 2 arguments (mean, sd), got 3"),
        "{e}"
    );
    assert!(e.hint.unwrap().contains("normal(0.1, 0.02)"));
    assert!(err("beta(1, 2, 3)").message.contains("2 or 4"));
    assert!(err("normal()").message.contains("got 0"));
    let e = err("normall(1, 2)");
    assert!(e.message.contains("unknown distribution `normall`"));
    assert!(e.hint.unwrap().contains("did you mean `normal`"), "hint");
    let e = err("triangle(1, 2, 3)");
    assert!(e.hint.unwrap().contains("`triangular`"));
    assert!(err("wibble(1)")
        .hint
        .unwrap()
        .contains("known distributions"));
    assert!(err("normal(1, x)").message.contains("expected a number"));
    assert!(err("normal(1, nan)").message.contains("expected a number"));
    assert!(err("normal(1, inf)")
        .hint
        .unwrap()
        .contains("truncation bounds"));
    assert!(err("normal(1, 2").message.contains("expected `)`"));
    assert!(err("normal 1, 2").message.contains("expected `(`"));
    assert!(err("normal(1, 2) clipped [0, 1]")
        .message
        .contains("unexpected text"));
    assert!(err("normal(1, 2) truncated [0, 1] extra")
        .message
        .contains("unexpected text"));
    assert!(err("normal(1, 2) truncated [0 1]")
        .message
        .contains("expected `,`"));
    assert!(err("").message.contains("empty"));
    assert!(err("discrete(1 0.5)").message.contains("expected `:`"));
}

#[test]
fn truncation_errors() {
    let e = err("normal(0, 1) truncated [1, 0]");
    assert!(
        e.message.contains("lower bound above its upper bound"),
        "{e}"
    );
    let e = err("normal(0, 1) truncated [40, 50]");
    assert!(e.message.contains("holds"), "{e}");
    assert!(e.hint.unwrap().contains("mean is 0"));
    assert!(err("uniform(0, 1) truncated [2, 3]")
        .message
        .contains("none"));
    assert!(err("poisson(3) truncated [1.2, 1.8]")
        .message
        .contains("none"));
    assert!(err("exponential(1) truncated [0.5, 0.5]")
        .message
        .contains("none"));
    // A discrete distribution may be truncated to a single atom.
    let d = Distribution::parse("poisson(3) truncated [2, 2]").unwrap();
    assert_eq!(d.quantile(0.3), 2.0);
    let nested = Distribution::Truncated {
        base: Box::new(Distribution::parse("normal(0, 1) truncated [0, 1]").unwrap()),
        lo: 0.0,
        hi: 0.5,
    };
    assert!(nested.validate().unwrap_err().message.contains("only once"));
}

#[test]
fn errors_convert_to_pointed_diagnostics() {
    use crate::diagnostic::{SourceFile, SourceRef};
    use std::sync::Arc;
    let file = Arc::new(SourceFile {
        path: "m.toml".into(),
        text: "x = \"normal(0.1, -2)\"\n".into(),
    });
    let text = "normal(0.1, -2)";
    let e = Distribution::parse(text).unwrap_err();
    let d = e.to_diagnostic(&SourceRef::at_offset(&file, 5), text);
    assert_eq!((d.at.line, d.at.col), (1, 18));
    assert!(d.to_string().contains("hint:"));
}

#[test]
fn serde_reads_strings_and_numbers() {
    #[derive(Debug, serde::Deserialize, serde::Serialize)]
    struct Inputs {
        price: Distribution,
        churn: Distribution,
    }
    let t: Inputs = toml::from_str("price = \"triangular(20, 35, 80)\"\nchurn = 0.05\n").unwrap();
    assert_eq!(
        t.price,
        Distribution::Triangular {
            min: 20.0,
            mode: 35.0,
            max: 80.0
        }
    );
    assert_eq!(t.churn, Distribution::Constant(0.05));
    let back = toml::to_string(&t).unwrap();
    assert!(
        back.contains("price = \"triangular(20, 35, 80)\""),
        "{back}"
    );
    let bad = toml::from_str::<Inputs>("price = \"normal(1, -1)\"\nchurn = 1\n");
    assert!(bad.unwrap_err().to_string().contains("sd > 0"));
}

#[test]
fn quantile_inverts_cdf() {
    let probs = [
        1e-6,
        0.001,
        0.02,
        0.1,
        0.25,
        0.5,
        0.75,
        0.9,
        0.98,
        0.999,
        1.0 - 1e-6,
    ];
    for text in ALL {
        let d = Distribution::parse(text).unwrap();
        for &u in &probs {
            let x = d.quantile(u);
            assert!(x.is_finite(), "{text} at {u}: {x}");
            if d.is_discrete() {
                // Smallest x with F(x) >= u: F(x) >= u and P(X < x) < u.
                assert!(
                    d.cdf(x) >= u - 1e-12,
                    "{text} at {u}: F({x}) = {}",
                    d.cdf(x)
                );
                assert!(d.cdf_below(x) < u + 1e-12, "{text} at {u}: P(X<{x})");
            } else {
                let back = d.quantile(d.cdf(x));
                let tol = 1e-9 * (1.0 + x.abs());
                assert!((back - x).abs() <= tol, "{text}: Q(F({x})) = {back}");
                assert!(
                    (d.cdf(x) - u).abs() < 1e-9,
                    "{text}: F(Q({u})) = {}",
                    d.cdf(x)
                );
            }
        }
    }
}

#[test]
fn quantiles_match_known_values() {
    let q = |t: &str, u: f64| Distribution::parse(t).unwrap().quantile(u);
    // Standard normal 97.5 % point.
    assert!((q("normal(0, 1)", 0.975) - 1.959_963_984_540_054).abs() < 1e-12);
    // Exponential median ln 2 / rate.
    assert!((q("exponential(2)", 0.5) - std::f64::consts::LN_2 / 2.0).abs() < 1e-15);
    // Gamma(shape 2, scale 1) median (qgamma(0.5, 2)).
    assert!((q("gamma(2, 1)", 0.5) - 1.678_346_990_016_660_6).abs() < 1e-12);
    // Beta(2, 5) 90 % point (qbeta(0.9, 2, 5), 30-digit reference).
    assert!((q("beta(2, 5)", 0.9) - 0.510_316_306_551_491_6).abs() < 1e-12);
    // Gamma(0.3, 1) at 1e-6 lies far in the lower tail: exp(-46.41228455824045).
    let x = q("gamma(0.3, 1)", 1e-6);
    assert!((x.ln() + 46.412_284_558_240_45).abs() < 1e-9, "{x}");
    // Poisson(3): P(N<=1) = 0.1991, P(N<=2) = 0.4232.
    assert_eq!(q("poisson(3)", 0.19), 1.0);
    assert_eq!(q("poisson(3)", 0.2), 2.0);
    assert_eq!(q("poisson(1000)", 0.5), 1000.0);
    assert_eq!(q("bernoulli(0.3)", 0.7), 0.0);
    assert_eq!(q("bernoulli(0.3)", 0.71), 1.0);
    assert_eq!(q("discrete(1: 0.2, 2: 0.5, 3: 0.3)", 0.69), 2.0);
    assert_eq!(q("discrete(1: 0.2, 2: 0.5, 3: 0.3)", 0.71), 3.0);
    // Triangular mode at the CDF break.
    assert!((q("triangular(0, 1, 4)", 0.25) - 1.0).abs() < 1e-12);
    // Truncation maps into the interval and stays monotone.
    let d = Distribution::parse("normal(0, 1) truncated [0, inf]").unwrap();
    assert_eq!(d.quantile(0.0), 0.0);
    assert!((d.quantile(0.5) - 0.674_489_750_196_081_7).abs() < 1e-9);
    let t = Distribution::parse("poisson(4) truncated [2.5, 6]").unwrap();
    assert_eq!(t.quantile(0.0), 3.0);
    assert_eq!(t.quantile(1.0), 6.0);
    let u = [0.0, 0.1, 0.3, 0.6, 0.9, 1.0];
    for text in ALL {
        let d = Distribution::parse(text).unwrap();
        let xs: Vec<f64> = u.iter().map(|&u| d.quantile(u)).collect();
        assert!(xs.windows(2).all(|w| w[0] <= w[1]), "{text}: {xs:?}");
    }
}

#[test]
fn invalid_hand_built_distributions_never_panic() {
    let mut rng = crate::montecarlo::Streams::new(1).rng(0, crate::montecarlo::Purpose::Inputs);
    for d in [
        Distribution::Normal {
            mean: 0.0,
            sd: -1.0,
        },
        Distribution::Gamma {
            shape: -1.0,
            scale: 1.0,
        },
        Distribution::Beta {
            a: 0.0,
            b: 1.0,
            min: 0.0,
            max: 1.0,
        },
        Distribution::Poisson { mean: -2.0 },
        Distribution::Bernoulli { p: 2.0 },
        Distribution::Discrete {
            values: vec![],
            weights: vec![],
        },
    ] {
        assert!(d.validate().is_err());
        let _ = (d.sample(&mut rng), d.quantile(0.5), d.cdf(0.5), d.mean());
    }
}

#[test]
fn parameters_whose_draws_would_be_infinite_are_refused() {
    for text in [
        "uniform(-1e308, 1e308)",
        "triangular(-1e308, 0, 1e308)",
        "pert(-1e308, 0, 1e308)",
        "beta(2, 5, -1e308, 1e308)",
        "normal(0, 2e307)",
        "lognormal(0, 60)",
        "lognormal(700, 1)",
        "gamma(2, 1e307)",
        "exponential(1e-310)",
        "poisson(1e19)",
        "uniform(-1e308, 1e308) truncated [0, 1]",
    ] {
        let e = Distribution::parse(text).expect_err(text);
        assert!(
            e.to_string().contains("overflow to infinity"),
            "{text}: {e}"
        );
    }
    // The same families just inside the bounds draw finite values.
    use rand::SeedableRng;
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(7);
    for text in [
        "uniform(-1e307, 1e307)",
        "normal(0, 1e306)",
        "lognormal(0, 30)",
        "gamma(2, 1e300)",
        "exponential(1e-300)",
    ] {
        let d = Distribution::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        for _ in 0..10_000 {
            assert!(d.sample(&mut rng).is_finite(), "{text}");
        }
    }
}
