//! Fuzz target: any model text (XMILE if it starts with `<`, else TOML) that compiles is
//! simulated to the end, under a budget of steps and saved values so each input stays fast.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sandtable::diagnostic::SourceFile;
use std::sync::Arc;

/// Most integration steps simulated per input.
const MAX_STEPS: usize = 2_000;
/// Most saved values (rows × columns) per input.
const MAX_VALUES: usize = 20_000;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let model = if text.trim_start().starts_with('<') {
        sandtable::xmile::parse(text, "fuzz.xmile")
    } else {
        let file = Arc::new(SourceFile {
            path: "fuzz.toml".into(),
            text: text.to_string(),
        });
        sandtable::model::toml_file::parse(&file, "fuzz")
    };
    let Ok(model) = model else { return };
    let Ok(prog) = sandtable::compile::compile(&model) else {
        return;
    };
    if prog.steps() > MAX_STEPS || prog.saved_rows() * prog.columns.len().max(1) > MAX_VALUES {
        return;
    }
    // A run may fail (NaN, infinite stock) but must not panic; a finished run has one row
    // per saved time.
    if let Ok(traj) = sandtable::simulate::run(&prog) {
        assert_eq!(traj.len(), prog.saved_rows());
    }
});
