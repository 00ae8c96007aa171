//! Parameter checks of every distribution family: ranges, orderings, and parameters whose
//! draws would overflow to infinity.

use super::syntax::{example, ParamAt, ParamError, FAMILIES};
use super::{Distribution, MIN_TRUNCATED_MASS};

/// Checks parameters of a distribution; the error says which parameter is wrong.
pub(crate) fn check(d: &Distribution) -> Result<(), ParamError> {
    let name = d.name();
    let params: Vec<f64> = match d {
        Distribution::Constant(c) => vec![*c],
        Distribution::Uniform { min, max } => vec![*min, *max],
        Distribution::Normal { mean, sd } => vec![*mean, *sd],
        Distribution::LogNormal { mu, sigma } => vec![*mu, *sigma],
        Distribution::LogNormalMeanSd { mean, sd } => vec![*mean, *sd],
        Distribution::Triangular { min, mode, max } | Distribution::Pert { min, mode, max } => {
            vec![*min, *mode, *max]
        }
        Distribution::Beta { a, b, min, max } => vec![*a, *b, *min, *max],
        Distribution::Gamma { shape, scale } => vec![*shape, *scale],
        Distribution::Exponential { rate } => vec![*rate],
        Distribution::Poisson { mean } => vec![*mean],
        Distribution::Bernoulli { p } => vec![*p],
        Distribution::Discrete { .. } | Distribution::Truncated { .. } => vec![],
    };
    let pnames = FAMILIES
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(&[][..], |(_, p)| *p);
    for (i, v) in params.iter().enumerate() {
        if !v.is_finite() {
            let pname = pnames.get(i).copied().unwrap_or("parameter");
            return Err(ParamError::new(
                ParamAt::Arg(i),
                format!("`{name}` parameter `{pname}` must be a finite number, got {v}"),
            ));
        }
    }
    let positive = |i: usize, v: f64, hint: &str| -> Result<(), ParamError> {
        if v > 0.0 {
            Ok(())
        } else {
            Err(ParamError::new(
                ParamAt::Arg(i),
                format!("`{name}` needs {} > 0, got {v}", pnames[i]),
            )
            .hint(hint.to_string()))
        }
    };
    let ordered = |lo: f64, hi: f64, hi_idx: usize| -> Result<(), ParamError> {
        if lo < hi {
            return Ok(());
        }
        let e = ParamError::new(
            ParamAt::Arg(hi_idx),
            format!("`{name}` needs min < max, got min {lo} and max {hi}"),
        );
        Err(if lo == hi {
            e.hint(format!("for a fixed value write constant({lo})"))
        } else {
            e.hint("the smaller number comes first")
        })
    };
    let mode_inside = |min: f64, mode: f64, max: f64| -> Result<(), ParamError> {
        if (min..=max).contains(&mode) {
            Ok(())
        } else {
            Err(ParamError::new(
                ParamAt::Arg(1),
                format!("`{name}` mode {mode} is outside [{min}, {max}]"),
            )
            .hint(format!(
                "write {name}(min, mode, max) with min <= mode <= max"
            )))
        }
    };
    check_family(d, &positive, &ordered, &mode_inside)?;
    check_draws_finite(d)
}

/// The per-family checks of [`check`].
fn check_family(
    d: &Distribution,
    positive: &dyn Fn(usize, f64, &str) -> Result<(), ParamError>,
    ordered: &dyn Fn(f64, f64, usize) -> Result<(), ParamError>,
    mode_inside: &dyn Fn(f64, f64, f64) -> Result<(), ParamError>,
) -> Result<(), ParamError> {
    match d {
        Distribution::Constant(_) => Ok(()),
        Distribution::Uniform { min, max } => ordered(*min, *max, 1),
        Distribution::Normal { sd, .. } => positive(1, *sd, "sd is the standard deviation, e.g. normal(0.1, 0.02)"),
        Distribution::LogNormal { sigma, .. } => positive(
            1,
            *sigma,
            "sigma is the standard deviation of ln X; to give the mean and sd of X write lognormal_mean_sd(mean, sd)",
        ),
        Distribution::LogNormalMeanSd { mean, sd } => {
            positive(0, *mean, "a log-normal value is always positive")?;
            positive(1, *sd, "sd is the standard deviation of the value")
        }
        Distribution::Triangular { min, mode, max } | Distribution::Pert { min, mode, max } => {
            ordered(*min, *max, 2)?;
            mode_inside(*min, *mode, *max)
        }
        Distribution::Beta { a, b, min, max } => {
            positive(0, *a, "beta shapes are positive, e.g. beta(2, 5)")?;
            positive(1, *b, "beta shapes are positive, e.g. beta(2, 5)")?;
            ordered(*min, *max, 3)
        }
        Distribution::Gamma { shape, scale } => {
            positive(0, *shape, "e.g. gamma(2, 1.5) has mean 3")?;
            positive(1, *scale, "e.g. gamma(2, 1.5) has mean 3")
        }
        Distribution::Exponential { rate } => {
            positive(0, *rate, "rate is 1 / mean: exponential(0.5) has mean 2")
        }
        Distribution::Poisson { mean } => positive(0, *mean, "the mean count must be positive"),
        Distribution::Bernoulli { p } => {
            if (0.0..=1.0).contains(p) {
                Ok(())
            } else {
                Err(ParamError::new(
                    ParamAt::Arg(0),
                    format!("`bernoulli` needs a probability p in [0, 1], got {p}"),
                )
                .hint("write 30% as 0.3"))
            }
        }
        Distribution::Discrete { values, weights } => check_discrete(values, weights),
        Distribution::Truncated { base, lo, hi } => check_truncation(base, *lo, *hi),
    }
}

/// Standard deviations beyond the mean that a draw can reach in practice: the chance of a
/// normal draw beyond 12 sd is below 1e-32, so a range finite out to there is finite for every
/// study that can be run.
const TAIL_SDS: f64 = 12.0;

/// Refuses valid-looking parameters whose draws would overflow to infinity, such as
/// `uniform(-1e308, 1e308)` (the width `max - min` is infinite) or `normal(0, 1e307)`.
fn check_draws_finite(d: &Distribution) -> Result<(), ParamError> {
    let name = d.name();
    let (what, extreme) = match *d {
        Distribution::Uniform { min, max }
        | Distribution::Triangular { min, max, .. }
        | Distribution::Pert { min, max, .. }
        | Distribution::Beta { min, max, .. } => ("the width max - min", max - min),
        Distribution::Normal { mean, sd } => (
            "12 standard deviations from the mean",
            mean.abs() + TAIL_SDS * sd,
        ),
        Distribution::LogNormal { .. } | Distribution::LogNormalMeanSd { .. } => {
            let (mu, sigma) = d.lognormal_params().unwrap_or((f64::NAN, f64::NAN));
            (
                "the value 12 standard deviations of ln X above its mean",
                (mu + TAIL_SDS * sigma).exp(),
            )
        }
        Distribution::Gamma { shape, scale } => (
            "the far tail of the distribution",
            scale * (shape + TAIL_SDS * shape.sqrt() + 40.0),
        ),
        Distribution::Exponential { rate } => ("the far tail (40 / rate)", 40.0 / rate),
        Distribution::Poisson { mean } if mean > 1e18 => ("the mean count", f64::INFINITY),
        _ => return Ok(()),
    };
    if extreme.is_finite() {
        return Ok(());
    }
    Err(ParamError::new(
        ParamAt::Whole,
        format!("`{name}` draws would overflow to infinity: {what} is not a finite number"),
    )
    .hint("rescale the variable (for example to thousands or millions) so its draws stay below about 1e300"))
}

fn check_discrete(values: &[f64], weights: &[f64]) -> Result<(), ParamError> {
    if values.is_empty() || values.len() != weights.len() {
        return Err(ParamError::new(
            ParamAt::Whole,
            "`discrete` needs at least one `value: weight` pair".to_string(),
        )
        .hint(example("discrete")));
    }
    for (i, (v, w)) in values.iter().zip(weights).enumerate() {
        if !v.is_finite() {
            return Err(ParamError::new(
                ParamAt::Arg(i),
                format!("`discrete` value must be a finite number, got {v}"),
            ));
        }
        if !(w.is_finite() && *w >= 0.0) {
            return Err(ParamError::new(
                ParamAt::Arg(i),
                format!("`discrete` weight of {v} must be a number >= 0, got {w}"),
            ));
        }
        if values[..i].contains(v) {
            return Err(ParamError::new(
                ParamAt::Arg(i),
                format!("`discrete` lists the value {v} twice"),
            )
            .hint("give each value once, with the weights added"));
        }
        if i > 0 && values[i - 1] > *v {
            return Err(ParamError::new(
                ParamAt::Arg(i),
                "`discrete` values must be in increasing order".to_string(),
            ));
        }
    }
    if weights.iter().all(|w| *w == 0.0) {
        return Err(ParamError::new(
            ParamAt::Whole,
            "`discrete` weights are all zero".to_string(),
        )
        .hint("give at least one value a positive weight"));
    }
    Ok(())
}

fn check_truncation(base: &Distribution, lo: f64, hi: f64) -> Result<(), ParamError> {
    if matches!(base, Distribution::Truncated { .. }) {
        return Err(ParamError::new(
            ParamAt::Whole,
            "a distribution can be truncated only once".to_string(),
        )
        .hint("use the intersection of the two intervals"));
    }
    check(base)?;
    if lo.is_nan() {
        return Err(ParamError::new(
            ParamAt::TruncLo,
            "truncation bound is not a number".into(),
        ));
    }
    if hi.is_nan() {
        return Err(ParamError::new(
            ParamAt::TruncHi,
            "truncation bound is not a number".into(),
        ));
    }
    if lo > hi {
        return Err(ParamError::new(
            ParamAt::TruncHi,
            format!("truncation interval [{lo}, {hi}] has its lower bound above its upper bound"),
        )
        .hint("write truncated [low, high]"));
    }
    let (plo, phi) = base.truncation_probs(lo, hi);
    let mass = phi - plo;
    if mass.is_nan() || mass < MIN_TRUNCATED_MASS {
        return Err(ParamError::new(
            ParamAt::TruncLo,
            format!(
                "truncation interval [{lo}, {hi}] holds {} of the probability of {base}",
                if mass > 0.0 {
                    format!("only {mass:.1e}")
                } else {
                    "none".to_string()
                }
            ),
        )
        .hint(format!(
            "the distribution's mean is {}; the interval must overlap where its values fall",
            base.mean()
        )));
    }
    Ok(())
}
