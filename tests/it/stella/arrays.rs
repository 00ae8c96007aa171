//! Array constructs Stella writes: a graphical function per element and `Dim.elem`.

use super::*;

const DIMS: &str = r#"<dimensions>
  <dim name="Items"><elem name="A"/><elem name="B"/></dim>
  <dim name="Sub"><elem name="B"/></dim>
  <dim name="Location"><elem name="Boston"/><elem name="Los_Angeles"/><elem name="SF"/></dim>
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
