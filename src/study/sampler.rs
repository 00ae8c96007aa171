//! The sampling design a study asks for: simple random or Latin hypercube.

use serde::{Deserialize, Serialize};

/// How input values are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sampler {
    /// Independent draws per run (simple random sampling).
    #[default]
    Random,
    /// Latin hypercube sampling.
    LatinHypercube,
}

impl std::str::FromStr for Sampler {
    type Err = String;
    fn from_str(text: &str) -> Result<Sampler, String> {
        Sampler::parse(text).ok_or_else(|| format!("unknown sampler `{text}`; use random or lhs"))
    }
}

impl Sampler {
    /// Parses `random` (`srs`, `mc`) or `lhs` (`latin_hypercube`, `latin`), case-insensitive.
    pub fn parse(text: &str) -> Option<Sampler> {
        match text.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "random" | "srs" | "mc" | "monte_carlo" => Some(Sampler::Random),
            "lhs" | "latin_hypercube" | "latin" => Some(Sampler::LatinHypercube),
            _ => None,
        }
    }

    /// The name used in files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Sampler::Random => "random",
            Sampler::LatinHypercube => "lhs",
        }
    }
}
