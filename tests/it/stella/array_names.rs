//! Vensim's vector builtins written with spaces in XMILE (`VECTOR SORT ORDER(x[D], 1)`, as
//! converted and simlin-written files have them), and `RANK` of the element being computed,
//! against hand-computed values.

use super::*;

const DIMS: &str = r#"<dimensions>
  <dim name="Location"><elem name="Boston"/><elem name="Los_Angeles"/><elem name="SF"/></dim>
  <dim name="Slot"><elem name="first"/><elem name="second"/><elem name="third"/></dim>
</dimensions>"#;

/// `doc` with the dimensions above, and `v` over Location: 30, 10 + 15·TIME, 20 (so
/// 30, 10, 20 at time 0; 30, 25, 20 at 1; 30, 40, 20 at 2), `offs` = 2, 0, 1.
fn with_v(variables: &str) -> String {
    let base = r#"<aux name="v"><dimensions><dim name="Location"/></dimensions>
      <element subscript="Boston"><eqn>30</eqn></element>
      <element subscript="Los_Angeles"><eqn>10 + 15 * TIME</eqn></element>
      <element subscript="SF"><eqn>20</eqn></element></aux>
    <aux name="offs"><dimensions><dim name="Location"/></dimensions>
      <element subscript="Boston"><eqn>2</eqn></element>
      <element subscript="Los_Angeles"><eqn>0</eqn></element>
      <element subscript="SF"><eqn>1</eqn></element></aux>"#;
    doc(
        "<start>0</start><stop>2</stop><dt>1</dt>",
        &format!("{base}{variables}"),
    )
    .replace("<model>", &format!("{DIMS}<model>"))
}

fn over(name: &str, dim: &str, eqn: &str) -> String {
    format!(
        r#"<aux name="{name}"><dimensions><dim name="{dim}"/></dimensions><eqn>{eqn}</eqn></aux>"#
    )
}

/// Rows at times 0, 1, 2 of each element of `name` over Location (or `dim`).
fn check(traj: &Trajectory, name: &str, elements: &[&str], want: [[f64; 3]; 3]) {
    for (e, w) in elements.iter().zip(want) {
        assert_series(traj, &format!("{name}[{e}]"), &w);
    }
}

const LOC: [&str; 3] = ["Boston", "Los_Angeles", "SF"];

/// Vensim's two-argument forms in an equation over the argument's dimension: SORT ORDER is
/// the 0-based index of the j-th smallest (30, 10, 20 → 1, 2, 0; 30, 25, 20 → 2, 1, 0;
/// 30, 40, 20 → 2, 0, 1), descending with direction −1 (30, 10, 20 → 0, 2, 1); RANK is each
/// element's 1-based rank (3, 1, 2; 3, 2, 1; 2, 3, 1); REORDER by that order sorts the values;
/// ELM MAP reads the element `offs` places from the first (0-based: v[2], v[0], v[1]).
#[test]
fn spaced_vector_builtins_take_vensims_form() {
    let traj = run(&with_v(
        &[
            over("order", "Location", "VECTOR SORT ORDER(v[Location], 1)"),
            over("down", "Location", "VECTOR  SORT ORDER (v[Location], -1)"),
            over("ranks", "Location", "VECTOR RANK(v[Location] * 2, 1)"),
            over(
                "sorted",
                "Location",
                "VECTOR REORDER(v[Location], order[Location])",
            ),
            over(
                "mapped",
                "Location",
                "VECTOR ELM MAP(v[Location], offs[Location])",
            ),
            // A result over another dimension of as many elements takes its position.
            over("slots", "Slot", "VECTOR SORT ORDER(v[Location], 1)"),
        ]
        .concat(),
    ));
    let order = [[1.0, 2.0, 2.0], [2.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    check(&traj, "order", &LOC, order);
    check(&traj, "slots", &["first", "second", "third"], order);
    check(
        &traj,
        "down",
        &LOC,
        [[0.0, 0.0, 1.0], [2.0, 1.0, 0.0], [1.0, 2.0, 2.0]],
    );
    check(
        &traj,
        "ranks",
        &LOC,
        [[3.0, 3.0, 2.0], [1.0, 2.0, 3.0], [2.0, 1.0, 1.0]],
    );
    check(
        &traj,
        "sorted",
        &LOC,
        [[10.0, 20.0, 20.0], [20.0, 25.0, 30.0], [30.0, 30.0, 40.0]],
    );
    check(
        &traj,
        "mapped",
        &LOC,
        [[20.0; 3], [30.0; 3], [10.0, 25.0, 40.0]],
    );
}

/// `RANK(x[D], direction)` in an equation over `D` is simlin's reading (each element's rank,
/// as `VECTOR RANK`); `RANK(x[*], k)` keeps Stella's (the 1-based position of the element of
/// rank k: the smallest is Los_Angeles, 2, at time 0, and SF, 3, at time 2).
#[test]
fn rank_of_the_element_being_computed_is_its_rank() {
    let traj = run(&with_v(
        &[
            over("ranks", "Location", "RANK(v[Location] + 0, 1)"),
            r#"<aux name="smallest"><eqn>RANK(v[*], 1)</eqn></aux>"#.to_string(),
        ]
        .concat(),
    ));
    check(
        &traj,
        "ranks",
        &LOC,
        [[3.0, 3.0, 2.0], [1.0, 2.0, 3.0], [2.0, 1.0, 1.0]],
    );
    assert_series(&traj, "smallest", &[2.0, 3.0, 3.0]);
}

/// The two-argument form needs an array over a dimension the equation runs over.
#[test]
fn vensims_form_without_a_dimension_is_a_located_error() {
    let e = error(&with_v(
        r#"<aux name="bad"><eqn>VECTOR SORT ORDER(v[*], 1)</eqn></aux>"#,
    ));
    assert!(e.contains("subscripted by a dimension"), "{e}");
    assert!(e.contains("test.stmx:"), "{e}");
}
