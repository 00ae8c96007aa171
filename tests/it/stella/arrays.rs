//! Array constructs Stella writes: a graphical function per element, `Dim.elem`, computed
//! subscripts, sub-range wildcards and ranges, each against hand-computed values.

use super::*;

const DIMS: &str = r#"<dimensions>
  <dim name="Items"><elem name="A"/><elem name="B"/></dim>
  <dim name="Sub"><elem name="B"/></dim>
  <dim name="Location"><elem name="Boston"/><elem name="Los_Angeles"/><elem name="SF"/></dim>
  <dim name="West"><elem name="Los_Angeles"/><elem name="SF"/></dim>
</dimensions>"#;

/// `doc` with the dimensions above.
fn arrayed(variables: &str) -> String {
    doc(SPECS, variables).replace("<model>", &format!("{DIMS}<model>"))
}

/// Element A is the identity through (0,0), (1,1), (2,2), (5,5); element B doubles through
/// (0,0), (1,2), (2,4), (5,10). Both read `TIME`, so A is t and B is 2t; `LOOKUP` of one
/// element reads that element's table.
#[test]
fn each_element_reads_its_own_graphical_function() {
    let traj = run(&arrayed(
        r#"<aux name="tables"><dimensions><dim name="Items"/></dimensions>
             <element subscript="A"><eqn>TIME</eqn>
               <gf><xpts>0,1,2,5</xpts><ypts>0,1,2,5</ypts></gf></element>
             <element subscript="B"><eqn>TIME</eqn>
               <gf><xpts>0,1,2,5</xpts><ypts>0,2,4,10</ypts></gf></element>
           </aux>
           <aux name="from b"><eqn>LOOKUP(tables[B], 1.5)</eqn></aux>
           <aux name="from a"><eqn>LOOKUP( tables[ A ] , TIME / 2)</eqn></aux>"#,
    ));
    assert_series(&traj, "tables[A]", &[0.0, 1.0, 2.0, 3.0, 4.0]);
    // Between (2,4) and (5,10) the slope is 2: 6 at 3, 8 at 4.
    assert_series(&traj, "tables[B]", &[0.0, 2.0, 4.0, 6.0, 8.0]);
    assert_series(&traj, "from b", &[3.0; 5]);
    assert_series(&traj, "from a", &[0.0, 0.5, 1.0, 1.5, 2.0]);
}

/// Inside a module the element tables follow the module's variables.
#[test]
fn element_tables_inside_a_module() {
    let text = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
  <header><vendor>isee systems, inc.</vendor><product version="1.9">Stella Architect</product></header>
  <sim_specs method="Euler" time_units="Months">{SPECS}</sim_specs>
  {DIMS}
  <model><variables><module name="m"/></variables></model>
  <model name="m"><variables>
    <aux name="t"><dimensions><dim name="Items"/></dimensions>
      <element subscript="A"><eqn>1</eqn><gf><xpts>0,2</xpts><ypts>0,20</ypts></gf></element>
      <element subscript="B"><eqn>1</eqn><gf><xpts>0,2</xpts><ypts>0,-2</ypts></gf></element>
    </aux>
    <aux name="y"><eqn>LOOKUP(t[B], 2) + t[A]</eqn></aux>
  </variables></model>
</xmile>"#
    );
    let traj = run(&text);
    assert_series(&traj, "m.t[A]", &[10.0; 5]);
    assert_series(&traj, "m.t[B]", &[-1.0; 5]);
    assert_series(&traj, "m.y", &[8.0; 5]);
}

/// `Location.SF` is 3, the position of `SF` in `Location`; a module path keeps its meaning.
#[test]
fn dimension_dot_element_is_the_element_position() {
    let traj = run(&arrayed(
        r#"<aux name="a"><eqn>Location.Boston</eqn></aux>
           <aux name="c"><eqn>Location.SF * 10 + Location.Los_Angeles</eqn></aux>
           <aux name="per"><dimensions><dim name="Location"/></dimensions>
             <eqn>IF Location = Location.SF THEN 1 ELSE 0</eqn></aux>"#,
    ));
    assert_series(&traj, "a", &[1.0; 5]);
    assert_series(&traj, "c", &[32.0; 5]);
    assert_series(&traj, "per[Boston]", &[0.0; 5]);
    assert_series(&traj, "per[SF]", &[1.0; 5]);
}

/// `s[*:Sub]` over a variable arrayed by `Sub` is all of it: with s = [2, 3] over Items and
/// t = [5] over Sub, `SUM(t[*:Sub])` is 5 and `SUM(s[*:Items]) * 10` is 50.
#[test]
fn a_subrange_wildcard_over_its_own_range_is_every_element() {
    let traj = run(&arrayed(
        r#"<aux name="s"><dimensions><dim name="Items"/></dimensions>
             <element subscript="A"><eqn>2</eqn></element>
             <element subscript="B"><eqn>3</eqn></element></aux>
           <aux name="t"><dimensions><dim name="Sub"/></dimensions><eqn>5</eqn></aux>
           <aux name="y"><eqn>SUM(t[*:Sub]) + SUM(s[ * : Items ]) * 10</eqn></aux>"#,
    ));
    assert_series(&traj, "y", &[55.0; 5]);
}

/// `v` is 10, 20, 30 over Location; `m[Items, Location]` is 100·item + location (A is 1,
/// SF is 3), so m[A, SF] = 103 and m[B, LA] = 202.
const V_AND_M: &str = r#"<aux name="v"><dimensions><dim name="Location"/></dimensions>
      <element subscript="Boston"><eqn>10</eqn></element>
      <element subscript="Los_Angeles"><eqn>20</eqn></element>
      <element subscript="SF"><eqn>30</eqn></element></aux>
    <aux name="m"><dimensions><dim name="Items"/><dim name="Location"/></dimensions>
      <eqn>Items * 100 + Location</eqn></aux>"#;

/// A subscript computed at run time picks the element at that 1-based position, its whole
/// part taken: `v[INT(TIME MOD 3) + 1]` cycles 10, 20, 30; `v[TIME / 2 + 1]` reads
/// positions 1, 1.5, 2, 2.5, 3 as 1, 1, 2, 2, 3; on two axes `m[MIN(TIME, 1) + 1,
/// MIN(TIME, 2) + 1]` reads (1,1), (2,2), (2,3), (2,3), (2,3); one computed axis beside a
/// fixed one, `m[INT(TIME MOD 2) + 1, SF]`, alternates m[A, SF] and m[B, SF].
#[test]
fn a_computed_subscript_reads_the_element_at_that_position() {
    let traj = run(&arrayed(&format!(
        r#"{V_AND_M}
           <aux name="cycle"><eqn>v[INT(TIME MOD 3) + 1]</eqn></aux>
           <aux name="halves"><eqn>v[TIME / 2 + 1]</eqn></aux>
           <aux name="both"><eqn>m[MIN(TIME, 1) + 1, MIN(TIME, 2) + 1]</eqn></aux>
           <aux name="row"><eqn>m[INT(TIME MOD 2) + 1, SF]</eqn></aux>"#
    )));
    assert_series(&traj, "cycle", &[10.0, 20.0, 30.0, 10.0, 20.0]);
    assert_series(&traj, "halves", &[10.0, 10.0, 20.0, 20.0, 30.0]);
    assert_series(&traj, "both", &[101.0, 202.0, 203.0, 203.0, 203.0]);
    assert_series(&traj, "row", &[103.0, 203.0, 103.0, 203.0, 103.0]);
}

/// The position may come from a variable computed after the reading equation in the file,
/// over an array that changes in time: w = 10·TIME + location and idx = 3 − (TIME mod 3) give
/// w[3] = 3, w[2] = 12, w[1] = 21, w[3] = 33, w[2] = 42. A dimension's name in the subscript
/// of an equation over it is the current position: `v[Location MOD 3 + 1]` shifts by one.
#[test]
fn a_computed_subscript_follows_its_inputs_and_the_current_element() {
    let traj = run(&arrayed(&format!(
        r#"<aux name="picked"><eqn>w[idx]</eqn></aux>
           <aux name="idx"><eqn>3 - TIME MOD 3</eqn></aux>
           <aux name="w"><dimensions><dim name="Location"/></dimensions>
             <eqn>TIME * 10 + Location</eqn></aux>
           {V_AND_M}
           <aux name="shifted"><dimensions><dim name="Location"/></dimensions>
             <eqn>v[Location MOD 3 + 1]</eqn></aux>"#
    )));
    assert_series(&traj, "picked", &[3.0, 12.0, 21.0, 33.0, 42.0]);
    assert_series(&traj, "shifted[Boston]", &[20.0; 5]);
    assert_series(&traj, "shifted[Los_Angeles]", &[30.0; 5]);
    assert_series(&traj, "shifted[SF]", &[10.0; 5]);
}

/// A subscript expression fixed when the model is compiled is one element (no run-time
/// read); outside the dimension it is an error at the expression, with the valid range.
#[test]
fn a_fixed_subscript_expression_is_one_element() {
    let traj = run(&arrayed(&format!(
        r#"{V_AND_M}<aux name="second"><eqn>v[1 + 1] + m[2 * 1, 3 - 2]</eqn></aux>"#
    )));
    assert_series(&traj, "second", &[221.0; 5]);
    let e = error(&arrayed(&format!(
        r#"{V_AND_M}<aux name="bad"><eqn>v[2 * 2]</eqn></aux>"#
    )));
    assert!(e.contains("position 4 is outside `Location`"), "{e}");
    assert!(e.contains("elements 1 to 3"), "{e}");
}

/// At run time a position outside the dimension (here 0 at the start) is NaN, as in simlin:
/// the run stops with a numeric fault naming the variable instead of reading a neighbour.
#[test]
fn a_computed_subscript_outside_the_dimension_is_a_numeric_fault() {
    let text = arrayed(&format!(
        r#"{V_AND_M}<aux name="bad"><eqn>v[TIME]</eqn></aux>"#
    ));
    let model = sandtable::xmile::parse(&text, "test.stmx").unwrap();
    let prog = sandtable::compile::compile(&model).unwrap();
    let e = Simulation::new(&prog).run().unwrap_err().to_string();
    assert!(e.contains("bad"), "{e}");
}

/// A range `lo:hi` is the elements from `lo` to `hi` inclusive (XMILE 1.0 §3.7.1), bounds
/// written as positions or element names: with v = 10, 20, 30, SUM(v[2:3]) = 50,
/// SUM(v[Boston:Los_Angeles]) = 30, MEAN(v[1:3]) = 20; two ranges of one length pair element
/// by element, SUM(v[2:3] * v[1:2]) = 20·10 + 30·20 = 800. In an equation over a dimension of
/// the range's size the range pairs with it by position: r[Items] = v[2:3] gives 20, 30.
#[test]
fn a_range_is_its_elements_in_reductions_and_element_by_element() {
    let traj = run(&arrayed(&format!(
        r#"{V_AND_M}
           <aux name="s"><eqn>SUM(v[2:3]) * 1000 + SUM(v[Boston:Los_Angeles])</eqn></aux>
           <aux name="mean"><eqn>MEAN(v[1:3])</eqn></aux>
           <aux name="dot"><eqn>SUM(v[2:3] * v[1:2])</eqn></aux>
           <aux name="r"><dimensions><dim name="Items"/></dimensions><eqn>v[2:3]</eqn></aux>"#
    )));
    assert_series(&traj, "s", &[50_030.0; 5]);
    assert_series(&traj, "mean", &[20.0; 5]);
    assert_series(&traj, "dot", &[800.0; 5]);
    assert_series(&traj, "r[A]", &[20.0; 5]);
    assert_series(&traj, "r[B]", &[30.0; 5]);
}

/// `x[*:Sub]` over a larger dimension is the elements of `Sub`, matched by name: with West =
/// (Los_Angeles, SF), SUM(v[*:West]) = 20 + 30 and, element by element over West, 2·v.
#[test]
fn a_subrange_wildcard_over_a_larger_dimension_is_the_subrange_elements() {
    let traj = run(&arrayed(&format!(
        r#"{V_AND_M}
           <aux name="west"><eqn>SUM(v[*:West])</eqn></aux>
           <aux name="twice"><dimensions><dim name="West"/></dimensions><eqn>v[*:West] * 2</eqn></aux>"#
    )));
    assert_series(&traj, "west", &[50.0; 5]);
    assert_series(&traj, "twice[Los_Angeles]", &[40.0; 5]);
    assert_series(&traj, "twice[SF]", &[60.0; 5]);
}

/// Ranges and sub-range wildcards that do not fit are errors at the subscript.
#[test]
fn ranges_that_do_not_fit_are_located_errors() {
    let cases = [
        ("SUM(v[3:2])", "the range is empty"),
        (
            "SUM(v[2:7])",
            "neither an element of `Location` nor a position",
        ),
        (
            "SUM(v[1:TIME + 1])",
            "bounds are element names or whole numbers",
        ),
        (
            "SUM(v[*:Items])",
            "`Items` is not a sub-range of `Location`",
        ),
        ("SUM(v[*:Nowhere])", "unknown dimension `Nowhere`"),
        ("v[2:3]", "names several elements"),
    ];
    for (eqn, want) in cases {
        let e = error(&arrayed(&format!(
            r#"{V_AND_M}<aux name="bad"><eqn>{eqn}</eqn></aux>"#
        )));
        assert!(e.contains(want), "{eqn}: {e}");
        assert!(e.contains("test.stmx:15:"), "{eqn}: {e}");
    }
    let e = error(&arrayed(&format!(
        r#"{V_AND_M}<aux name="bad"><dimensions><dim name="Location"/></dimensions><eqn>v[1:2]</eqn></aux>"#
    )));
    assert!(e.contains("the range has 2 elements; element 3"), "{e}");
}

/// A flow arrayed over a dimension its stock lacks is refused: no public source states what
/// Stella gives a scalar stock (docs/conformance.md), so the message says how to write it.
#[test]
fn an_arrayed_flow_into_a_scalar_stock_is_refused_with_a_hint() {
    let e = error(&arrayed(
        r#"<stock name="s"><eqn>0</eqn><inflow>f</inflow></stock>
           <flow name="f"><dimensions><dim name="Items"/></dimensions><eqn>1</eqn></flow>"#,
    ));
    assert!(
        e.contains("flow `f` is arrayed over `Items` but stock `s` is not"),
        "{e}"
    );
    assert!(e.contains("SUM(f[*])"), "{e}");
    assert!(e.contains("test.stmx:"), "{e}");
}
