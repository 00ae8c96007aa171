//! Fuzz target: any text given as XMILE is loaded and compiled, or rejected, without panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(model) = sandtable::xmile::parse(text, "fuzz.xmile") {
            let _ = sandtable::compile::compile(&model);
        }
    }
});
