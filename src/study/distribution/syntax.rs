//! The text form of a distribution: parsing with pointed errors, printing, serde, validation.
//!
//! Syntax (names are case-insensitive; arguments are positional numbers):
//!
//! ```text
//! normal(0.1, 0.02)                      uniform(min, max)
//! triangular(20, 35, 80)                 pert(min, mode, max)
//! lognormal(mu, sigma)                   lognormal_mean_sd(mean, sd)
//! beta(a, b)   beta(a, b, min, max)      gamma(shape, scale)
//! exponential(rate)   poisson(mean)      bernoulli(p)
//! discrete(1: 0.2, 2: 0.5, 3: 0.3)       constant(5)   or just   5
//! normal(0.1, 0.02) truncated [0, 1]     gamma(2, 1) truncated [-inf, 4]
//! ```
//!
//! [`Distribution`]'s `Display` prints this syntax back, so `parse(d.to_string()) == d`.

use super::Distribution;
use crate::diagnostic::{Diagnostic, SourceRef};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A problem in distribution text or parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct DistError {
    /// What is wrong, one sentence.
    pub message: String,
    /// How to fix it, if we can tell.
    pub hint: Option<String>,
    /// Byte offset in the parsed text where the problem is (0 when not from text).
    pub offset: usize,
}

impl DistError {
    /// The error as a [`Diagnostic`] pointing into `text`, which starts at `at`.
    pub fn to_diagnostic(&self, at: &SourceRef, text: &str) -> Diagnostic {
        let mut d = Diagnostic::new(self.message.clone(), at.advance_in(text, self.offset));
        d.hint = self.hint.clone();
        d
    }
}

impl fmt::Display for DistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, " (hint: {h})")?;
        }
        Ok(())
    }
}

impl std::error::Error for DistError {}

impl From<DistError> for Diagnostic {
    fn from(e: DistError) -> Diagnostic {
        let mut d = Diagnostic::plain(e.message);
        d.hint = e.hint;
        d
    }
}

/// Which part of a distribution a parameter error is about.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ParamAt {
    Whole,
    Arg(usize),
    TruncLo,
    TruncHi,
}

/// A parameter error before it is given a text position.
#[derive(Debug, Clone)]
pub(crate) struct ParamError {
    pub(super) at: ParamAt,
    pub(super) message: String,
    hint: Option<String>,
}

impl ParamError {
    pub(super) fn new(at: ParamAt, message: String) -> ParamError {
        ParamError {
            at,
            message,
            hint: None,
        }
    }

    pub(super) fn hint(mut self, hint: impl Into<String>) -> ParamError {
        self.hint = Some(hint.into());
        self
    }

    pub(crate) fn into_error(self, offset: usize) -> DistError {
        DistError {
            message: self.message,
            hint: self.hint,
            offset,
        }
    }
}

/// Family names with their parameter names, for arity errors and "did you mean" hints.
pub(super) const FAMILIES: &[(&str, &[&str])] = &[
    ("constant", &["value"]),
    ("uniform", &["min", "max"]),
    ("normal", &["mean", "sd"]),
    ("lognormal", &["mu", "sigma"]),
    ("lognormal_mean_sd", &["mean", "sd"]),
    ("triangular", &["min", "mode", "max"]),
    ("pert", &["min", "mode", "max"]),
    ("beta", &["a", "b", "min", "max"]),
    ("gamma", &["shape", "scale"]),
    ("exponential", &["rate"]),
    ("poisson", &["mean"]),
    ("bernoulli", &["p"]),
    ("discrete", &["value: weight", "..."]),
];

pub(super) fn example(name: &str) -> &'static str {
    match name {
        "constant" => "constant(5)",
        "uniform" => "uniform(2, 5)",
        "normal" => "normal(0.1, 0.02)",
        "lognormal" => "lognormal(1, 0.5)",
        "lognormal_mean_sd" => "lognormal_mean_sd(100, 20)",
        "triangular" => "triangular(20, 35, 80)",
        "pert" => "pert(1, 2, 5)",
        "beta" => "beta(2, 5) or beta(2, 5, 10, 20)",
        "gamma" => "gamma(2, 1.5)",
        "exponential" => "exponential(0.5)",
        "poisson" => "poisson(3)",
        "bernoulli" => "bernoulli(0.3)",
        _ => "discrete(1: 0.2, 2: 0.5, 3: 0.3)",
    }
}

impl Distribution {
    /// Parses the text syntax described in this module.
    pub fn parse(text: &str) -> Result<Distribution, DistError> {
        super::parse::parse(text)
    }

    /// A discrete choice from `(value, weight)` pairs in any order; weights need not sum to 1.
    pub fn discrete(pairs: &[(f64, f64)]) -> Result<Distribution, DistError> {
        for (i, (v, _)) in pairs.iter().enumerate() {
            if pairs[..i].iter().any(|(u, _)| u == v) {
                return Err(ParamError::new(
                    ParamAt::Arg(i),
                    format!("`discrete` lists the value {v} twice"),
                )
                .into_error(0));
            }
        }
        let mut sorted = pairs.to_vec();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        let d = Distribution::Discrete {
            values: sorted.iter().map(|p| p.0).collect(),
            weights: sorted.iter().map(|p| p.1).collect(),
        };
        d.validate()?;
        Ok(d)
    }
}

impl fmt::Display for Distribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name();
        match self {
            Distribution::Constant(c) => write!(f, "constant({c})"),
            Distribution::Uniform { min, max } => write!(f, "{name}({min}, {max})"),
            Distribution::Normal { mean, sd } => write!(f, "{name}({mean}, {sd})"),
            Distribution::LogNormal { mu, sigma } => write!(f, "{name}({mu}, {sigma})"),
            Distribution::LogNormalMeanSd { mean, sd } => write!(f, "{name}({mean}, {sd})"),
            Distribution::Triangular { min, mode, max } | Distribution::Pert { min, mode, max } => {
                write!(f, "{name}({min}, {mode}, {max})")
            }
            Distribution::Beta { a, b, min, max } => {
                if *min == 0.0 && *max == 1.0 {
                    write!(f, "beta({a}, {b})")
                } else {
                    write!(f, "beta({a}, {b}, {min}, {max})")
                }
            }
            Distribution::Gamma { shape, scale } => write!(f, "{name}({shape}, {scale})"),
            Distribution::Exponential { rate } => write!(f, "{name}({rate})"),
            Distribution::Poisson { mean } => write!(f, "{name}({mean})"),
            Distribution::Bernoulli { p } => write!(f, "{name}({p})"),
            Distribution::Discrete { values, weights } => {
                write!(f, "discrete(")?;
                for (i, (v, w)) in values.iter().zip(weights).enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{v}: {w}")?;
                }
                write!(f, ")")
            }
            Distribution::Truncated { base, lo, hi } => write!(f, "{base} truncated [{lo}, {hi}]"),
        }
    }
}

impl Serialize for Distribution {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Distribution {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Distribution;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(
                    f,
                    "a distribution such as \"normal(0.1, 0.02)\" or a number"
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Distribution, E> {
                Distribution::parse(v).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Distribution, E> {
                if v.is_finite() {
                    Ok(Distribution::Constant(v))
                } else {
                    Err(E::custom(format!("a constant must be finite, got {v}")))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Distribution, E> {
                Ok(Distribution::Constant(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Distribution, E> {
                Ok(Distribution::Constant(v as f64))
            }
        }
        d.deserialize_any(V)
    }
}
