//! Fuzz target: the target parser returns a target or an error for any text, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sandtable::diagnostic::SourceRef;
use sandtable::targets::Target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(target) = Target::parse("t", text, SourceRef::none()) {
            let _ = target.canonical_text();
            let _ = target.variables();
        }
    }
});
