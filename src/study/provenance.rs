//! Where a study's numbers come from: the files (with their SHA-256, so a changed model is
//! seen), the scenario, the overrides and the random design. Every output records it.

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::Path;

/// Version of the layout of `summary.json`; raised when a field changes meaning.
pub const SCHEMA_VERSION: u32 = 2;

/// A file a study read, with the SHA-256 of its bytes.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FileStamp {
    /// The path as given.
    pub path: String,
    /// Hex SHA-256 of the contents as read.
    pub sha256: String,
}

impl FileStamp {
    /// Stamps `bytes` read from `path`.
    pub fn of(path: &Path, bytes: &[u8]) -> FileStamp {
        FileStamp {
            path: path.display().to_string(),
            sha256: sha256_hex(bytes),
        }
    }
}

/// Everything needed to reproduce a study's numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Provenance {
    /// Layout version of summary.json.
    pub schema_version: u32,
    /// The sandtable release that computed the numbers.
    pub sandtable_version: String,
    /// The model file.
    pub model: FileStamp,
    /// Study files, in the order they were applied.
    pub study_files: Vec<FileStamp>,
    /// The scenario (`baseline`: the model as written).
    pub scenario: String,
    /// `--set` overrides as written.
    pub overrides: Vec<String>,
    /// Master seed.
    pub seed: u64,
    /// Sampling design.
    pub sampler: String,
    /// Posterior sample file the inputs were drawn from, if any.
    pub posterior: Option<FileStamp>,
    /// The last data time that posterior was conditioned on, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_until: Option<f64>,
}

impl Provenance {
    /// A provenance for the model file alone; the resolver fills in the rest.
    pub fn new(model: FileStamp) -> Provenance {
        Provenance {
            schema_version: SCHEMA_VERSION,
            sandtable_version: env!("CARGO_PKG_VERSION").to_string(),
            model,
            ..Provenance::default()
        }
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of a digest's bytes.
pub fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::sha256_hex;

    #[test]
    fn sha256_matches_the_standard_test_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
