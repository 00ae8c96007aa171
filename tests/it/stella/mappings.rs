//! Dimension mappings (`<isee:maps_to>`): an equation over one dimension reading a variable by
//! the dimension mapped to it reads the element paired by position, against hand-computed
//! values of `tests/stella/mapped_dimensions.stmx`; mappings that cannot pair are located
//! errors.

use super::*;
use std::path::Path;

fn model_text() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/stella/mapped_dimensions.stmx");
    std::fs::read_to_string(path).expect("the test model")
}

/// DimA = (A1, A2, A3) maps to DimB = (B1, B2, B3); b = (1, 2, 3) over DimB.
/// - `a[DimA] = b[DimB] * 10` pairs A_i with B_i: 10, 20, 30;
/// - `back[DimB] = a[DimA] + 1` reads the mapping the other way: 11, 21, 31;
/// - `m[DimB, DimC] = b[DimB] * 10 + DimC` (DimC a value: its position): 11, 12 / 21, 22 /
///   31, 32, so `row sum[DimA] = SUM(m[DimB, *])` is 23, 43, 63;
/// - `position[DimA] = DimB * 100`, DimB a value, is the position of the paired element:
///   100, 200, 300;
/// - `next[DimA] = b[DimB MOD 3 + 1]` reads b at (i MOD 3) + 1: b[2], b[3], b[1] = 2, 3, 1;
/// - stock `s[DimA]` from 0 with inflow `f[DimA] = b[DimB]`, Euler with DT 1: i·t.
#[test]
fn a_mapped_dimension_reads_the_paired_element() {
    let traj = run(&model_text());
    for (i, elem) in ["A1", "A2", "A3"].iter().enumerate() {
        let n = (i + 1) as f64;
        assert_series(&traj, &format!("a[{elem}]"), &[10.0 * n; 3]);
        assert_series(&traj, &format!("position[{elem}]"), &[100.0 * n; 3]);
        assert_series(&traj, &format!("row sum[{elem}]"), &[20.0 * n + 3.0; 3]);
        assert_series(&traj, &format!("s[{elem}]"), &[0.0, n, 2.0 * n]);
    }
    assert_series(&traj, "back[B1]", &[11.0; 3]);
    assert_series(&traj, "back[B2]", &[21.0; 3]);
    assert_series(&traj, "back[B3]", &[31.0; 3]);
    assert_series(&traj, "m[B2,C2]", &[22.0; 3]);
    assert_series(&traj, "next[A1]", &[2.0; 3]);
    assert_series(&traj, "next[A2]", &[3.0; 3]);
    assert_series(&traj, "next[A3]", &[1.0; 3]);
}

/// Without the mapping the same equation is an error at the unpaired dimension: the mapping
/// is what pairs DimA with DimB, not their equal sizes.
#[test]
fn without_the_mapping_the_dimensions_do_not_pair() {
    let text = model_text().replace("<isee:maps_to>DimB</isee:maps_to>", "");
    let e = error(&text);
    assert!(e.contains("DimB"), "{e}");
}

/// A mapping to a dimension of another size, or to no dimension, is an error at the
/// `<isee:maps_to>` element (line 20, column 7 of the test model), with a hint.
#[test]
fn mappings_that_cannot_pair_are_located_errors() {
    let cases = [
        (
            "<isee:maps_to>DimC</isee:maps_to>",
            "dimension `DimA` has 3 elements but maps to `DimC`, which has 2",
            "pairs elements by position",
        ),
        (
            "<isee:maps_to>DimZ</isee:maps_to>",
            "dimension `DimA` maps to unknown dimension `DimZ`",
            "the dimensions are: DimA, DimB, DimC",
        ),
        (
            "<isee:maps_to> </isee:maps_to>",
            "the mapping of dimension `DimA` names no dimension",
            "<isee:maps_to>Name</isee:maps_to>",
        ),
    ];
    for (mapping, message, hint) in cases {
        let text = model_text().replace("<isee:maps_to>DimB</isee:maps_to>", mapping);
        let e = error(&text);
        assert!(e.contains(message), "{mapping}: {e}");
        assert!(e.contains(hint), "{mapping}: {e}");
        assert!(e.contains("test.stmx:20:7"), "{mapping}: {e}");
    }
}
