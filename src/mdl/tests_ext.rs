//! `GET DIRECT` / `GET XLS` and the vector functions in small models: layouts of constants,
//! data and lookups read from a delimited file beside the model, checked by hand.

use super::load;
use std::path::Path;

const CONTROL: &str =
    "INITIAL TIME = 0 ~~|\nFINAL TIME = 4 ~~|\nTIME STEP = 1 ~~|\nSAVEPER = TIME STEP ~~|\n";

fn run_in(dir: &Path, eqs: &str) -> crate::simulate::Trajectory {
    let path = dir.join("m.mdl");
    std::fs::write(&path, format!("{eqs}{CONTROL}")).expect("write model");
    let model = load(&path).unwrap_or_else(|e| panic!("{}", e.message));
    let program = crate::compile::compile(&model)
        .unwrap_or_else(|e| panic!("{:?}", e.0.iter().map(|d| &d.message).collect::<Vec<_>>()));
    crate::simulate::run(&program).unwrap_or_else(|e| panic!("{}", e.message))
}

fn column(run: &crate::simulate::Trajectory, name: &str) -> Vec<f64> {
    let i = run
        .names
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", run.names));
    (0..run.times.len()).map(|r| run.row(r)[i]).collect()
}

/// A sheet: row 1 times across (B1..E1 = 0, 1, 3, 4), rows 2-3 two series with a missing value
/// (D3 empty); column G times down (G2..G4 = 0, 2, 4), column H a series; a 2×3 block at B6.
const SHEET: &str = "t,0,1,3,4,,,\n\
                     a,10,20,40,50,,0,5\n\
                     b,1,2,,4,,2,7\n\
                     ,,,,,,4,9\n\
                     ,,,,,,,\n\
                     m,1,2,3,,,,\n\
                     ,4,5,6,,,,\n";

#[test]
fn get_direct_constants_lay_out_rows_and_columns() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("s.csv"), SHEET).expect("write sheet");
    let run = run_in(
        dir.path(),
        "R: r1, r2 ~~|\nC: c1, c2, c3 ~~|\n\
         m[R, C] = GET DIRECT CONSTANTS('s.csv', ',', 'B6') ~~|\n\
         across[C] = GET DIRECT CONSTANTS('s.csv', ',', 'B6') ~~|\n\
         down[R] = GET DIRECT CONSTANTS('s.csv', ',', 'B6*') ~~|\n\
         one[r2, C] = GET DIRECT CONSTANTS('s.csv', ',', 'B7') ~~|\n\
         one[r1, C] = 0 ~~|\n\
         k = GET DIRECT CONSTANTS('s.csv', ',', 'C7') ~~|\n",
    );
    // The last subscript runs across the columns, the one before down the rows.
    assert_eq!(column(&run, "m[r1,c3]")[0], 3.0);
    assert_eq!(column(&run, "m[r2,c1]")[0], 4.0);
    // One range: across a row; with `*`, down a column.
    assert_eq!(column(&run, "across[c2]")[0], 2.0);
    assert_eq!(column(&run, "down[r2]")[0], 4.0);
    // A fixed element takes no room: one[r2, C] reads the row B7:D7.
    assert_eq!(column(&run, "one[r2,c3]")[0], 6.0);
    assert_eq!(column(&run, "k")[0], 5.0);
}

#[test]
fn get_direct_data_interpolates_holds_and_looks_forward() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("s.csv"), SHEET).expect("write sheet");
    let run = run_in(
        dir.path(),
        "R: r1, r2 ~~|\n\
         d[R] := GET DIRECT DATA('s.csv', ',', '1', 'B2') ~~|\n\
         hb :HOLD BACKWARD: := GET DIRECT DATA('s.csv', ',', '1', 'B2') ~~|\n\
         lf :LOOK FORWARD: := GET DIRECT DATA('s.csv', ',', '1', 'B2') ~~|\n\
         down := GET DIRECT DATA('s.csv', ',', 'G', 'H2') ~~|\n\
         raw :RAW: := GET DIRECT DATA('s.csv', ',', '1', 'B2') ~~|\n\
         o[R] = d[R] ~~|\nohb = hb ~~|\nolf = lf ~~|\nodown = down ~~|\noraw = raw ~~|\n",
    );
    // Points (0,10) (1,20) (3,40) (4,50): at 2 the line gives 30.
    assert_eq!(column(&run, "o[r1]"), [10.0, 20.0, 30.0, 40.0, 50.0]);
    // The second series misses t = 3: straight from (1,2) to (4,4).
    let r2 = column(&run, "o[r2]");
    assert!((r2[2] - (2.0 + 2.0 / 3.0)).abs() < 1e-12, "{r2:?}");
    assert!((r2[3] - (2.0 + 4.0 / 3.0)).abs() < 1e-12, "{r2:?}");
    assert_eq!(column(&run, "ohb"), [10.0, 20.0, 20.0, 40.0, 50.0]);
    assert_eq!(column(&run, "olf"), [10.0, 20.0, 40.0, 40.0, 50.0]);
    // No point at t = 2: Vensim's :NA:.
    assert_eq!(column(&run, "oraw"), [10.0, 20.0, -1e38, 40.0, 50.0]);
    // Times down column G: (0,5) (2,7) (4,9).
    assert_eq!(column(&run, "odown"), [5.0, 6.0, 7.0, 8.0, 9.0]);
}

#[test]
fn get_direct_lookups_and_subscripts() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("s.csv"), SHEET).expect("write sheet");
    std::fs::write(dir.path().join("names.csv"), "x,1,2,3\n").expect("write names");
    let run = run_in(
        dir.path(),
        "N: GET DIRECT SUBSCRIPT('names.csv', ',', 'B1', 'D1', 'n') ~~|\n\
         v[N] = 1, 2, 3 ~~|\n\
         tab = GET DIRECT LOOKUPS('s.csv', ',', '1', 'B2') ~~|\n\
         y = tab(Time / 2) + v[n3] ~~|\n",
    );
    // tab(x): (0,10) (1,20) (3,40) (4,50); v[n3] = 3.
    assert_eq!(column(&run, "y"), [13.0, 18.0, 23.0, 28.0, 33.0]);
}

#[test]
fn get_errors_name_the_cell_and_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("s.csv"), SHEET).expect("write sheet");
    let path = dir.path().join("m.mdl");
    let cases = [
        (
            "k = GET DIRECT CONSTANTS('s.csv', ',', 'A1') ~~|\n",
            "holds `t`",
        ),
        (
            "k = GET DIRECT CONSTANTS('s.csv', ',', 'Z9') ~~|\n",
            "Z9 is empty",
        ),
        (
            "k = GET DIRECT CONSTANTS('none.csv', ',', 'A1') ~~|\n",
            "cannot read",
        ),
        (
            "k = GET DIRECT CONSTANTS('s.csv', ',', 'nom') ~~|\n",
            "neither a cell",
        ),
    ];
    for (eq, want) in cases {
        std::fs::write(&path, format!("{eq}{CONTROL}")).expect("write model");
        let e = load(&path).err().unwrap_or_else(|| panic!("{eq} was read"));
        assert!(e.message.contains(want), "{eq}: {}", e.message);
        assert_eq!((e.at.line, e.at.col), (1, 5), "{eq}");
        assert!(e.hint.is_some());
    }
}

#[test]
fn vector_functions_call_the_engine_builtins() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = run_in(
        dir.path(),
        "D: a, b, c ~~|\nE: x, y ~~|\nF: p, q ~~|\n\
         req[D] = 3, 6, 2.5 ~~|\npri[D] = 10, 9, 7 ~~|\n\
         alloc[D] = ALLOCATE BY PRIORITY(req[D], pri[D], ELMCOUNT(D), 3, 6) ~~|\n\
         sel[D] = 0, 1, 1 ~~|\n\
         s = VECTOR SELECT(sel[D!], req[D!], -1, 0, 0) ~~|\n\
         mx = VECTOR SELECT(sel[D!], req[D!], -1, 3, 0) ~~|\n\
         none = VECTOR SELECT(sel[D!] * 0, req[D!], -1, 0, 0) ~~|\n\
         m[E, F] = 4, 7; 2, 6; ~~|\n\
         inv[E, F] = INVERT MATRIX(m[E, F], 2) ~~|\n\
         order[D] = VECTOR SORT ORDER(pri[D], 1) ~~|\n\
         rank[D] = VECTOR RANK(pri[D], 1) ~~|\n",
    );
    // Hand computation in compile::vectors::tests: 8/3, 10/3, 0.
    assert!((column(&run, "alloc[a]")[0] - 8.0 / 3.0).abs() < 1e-9);
    assert!((column(&run, "alloc[b]")[0] - 10.0 / 3.0).abs() < 1e-9);
    assert_eq!(column(&run, "alloc[c]")[0], 0.0);
    assert_eq!(column(&run, "s")[0], 8.5);
    assert_eq!(column(&run, "mx")[0], 6.0);
    assert_eq!(column(&run, "none")[0], -1.0);
    assert!((column(&run, "inv[x,q]")[0] + 0.7).abs() < 1e-12);
    assert!((column(&run, "inv[y,q]")[0] - 0.4).abs() < 1e-12);
    // Ascending by priority: c (7), b (9), a (10).
    assert_eq!(column(&run, "order[a]")[0], 2.0);
    assert_eq!(column(&run, "rank[a]")[0], 3.0);
}
