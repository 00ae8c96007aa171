//! Fuzz target: any text given as a TOML model is loaded and compiled, or rejected, without panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sandtable::diagnostic::SourceFile;
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let file = Arc::new(SourceFile {
            path: "fuzz.toml".into(),
            text: text.to_string(),
        });
        if let Ok(model) = sandtable::model::toml_file::parse(&file, "fuzz") {
            let _ = sandtable::compile::compile(&model);
        }
        let _ = sandtable::study::toml_study::from_model_file(&file);
    }
});
