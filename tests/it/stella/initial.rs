//! Separate initial equations (`<init_eqn>`, an active initial): the initial pass reads the
//! initial equation, every step after it the equation.

use super::*;
use sandtable::diagnostic::SourceFile;
use std::sync::Arc;

/// `a` runs on `10·TIME` and starts at 45: stocks initialised from it (directly or through
/// `b = a + 1`) start from 45, `INIT(a)` is 45, while `a` itself is reported from its
/// equation at every saved time, the start included (as the Vensim reader's ACTIVE INITIAL).
const ACTIVE: &str = r#"
  <aux name="a"><eqn>TIME * 10</eqn><init_eqn>45</init_eqn></aux>
  <aux name="b"><eqn>a + 1</eqn></aux>
  <aux name="held"><eqn>INIT(a)</eqn></aux>
  <stock name="s"><eqn>a</eqn><inflow>f</inflow></stock>
  <flow name="f"><eqn>a</eqn></flow>
  <stock name="t"><eqn>b</eqn></stock>
  <aux name="k"><eqn>5</eqn><init_eqn>3</init_eqn></aux>
  <stock name="u"><eqn>k</eqn><inflow>g</inflow></stock>
  <flow name="g"><eqn>1</eqn><init_eqn>100</init_eqn></flow>
"#;

#[test]
fn stocks_start_from_the_initial_equation_and_steps_use_the_equation() {
    let traj = run(&doc(SPECS, ACTIVE));
    assert_series(&traj, "a", &[0.0, 10.0, 20.0, 30.0, 40.0]);
    assert_series(&traj, "b", &[1.0, 11.0, 21.0, 31.0, 41.0]);
    assert_series(&traj, "held", &[45.0; 5]);
    // s starts at 45 and gains a = 0, 10, 20, 30 over the four steps.
    assert_series(&traj, "s", &[45.0, 45.0, 55.0, 75.0, 105.0]);
    assert_series(&traj, "t", &[46.0; 5]);
    // A constant equation with an initial one: 3 at the start, 5 from then on, and the flow
    // g integrates its equation (1), never its initial value (100).
    assert_series(&traj, "k", &[5.0; 5]);
    assert_series(&traj, "g", &[1.0; 5]);
    assert_series(&traj, "u", &[3.0, 4.0, 5.0, 6.0, 7.0]);
}

/// Per element: A has its own initial equation, B takes the variable's, C (none given)
/// starts from its equation.
#[test]
fn array_elements_take_their_own_or_the_variables_initial_equation() {
    let text = doc(
        SPECS,
        r#"<aux name="x"><dimensions><dim name="D"/></dimensions>
             <init_eqn>7</init_eqn>
             <element subscript="A"><eqn>1</eqn><init_eqn>10</init_eqn></element>
             <element subscript="B"><eqn>2</eqn></element>
           </aux>
           <aux name="y"><dimensions><dim name="D"/></dimensions>
             <element subscript="A"><eqn>TIME</eqn><init_eqn>-1</init_eqn></element>
             <element subscript="B"><eqn>TIME</eqn></element>
           </aux>
           <stock name="sa"><eqn>x[A]</eqn></stock>
           <stock name="sb"><eqn>x[B]</eqn></stock>
           <stock name="ya"><eqn>y[A]</eqn></stock>
           <stock name="yb"><eqn>y[B] + 1</eqn></stock>"#,
    )
    .replace(
        "<model>",
        r#"<dimensions><dim name="D"><elem name="A"/><elem name="B"/></dim></dimensions><model>"#,
    );
    let traj = run(&text);
    assert_series(&traj, "sa", &[10.0; 5]);
    assert_series(&traj, "sb", &[7.0; 5]);
    assert_series(&traj, "ya", &[-1.0; 5]);
    assert_series(&traj, "yb", &[1.0; 5]);
    assert_series(&traj, "x[A]", &[1.0; 5]);
    assert_series(&traj, "y[A]", &[0.0, 1.0, 2.0, 3.0, 4.0]);
}

/// Written back as XMILE and as TOML (`initial = …` on an auxiliary or flow), the model
/// runs the same.
#[test]
fn initial_equations_survive_both_writers() {
    let model = sandtable::xmile::parse(&doc(SPECS, ACTIVE), "t.stmx").unwrap();
    let want = run(&doc(SPECS, ACTIVE));
    let xmile = sandtable::xmile::to_xmile(&model);
    assert!(xmile.contains("<init_eqn>45</init_eqn>"), "{xmile}");
    let toml = sandtable::model::toml_writer::to_toml(&model);
    let file = Arc::new(SourceFile {
        path: "t.toml".into(),
        text: toml.clone(),
    });
    let from_toml = sandtable::model::toml_file::parse(&file, "t").unwrap_or_else(|e| {
        panic!("{e}\n{toml}");
    });
    for m in [
        sandtable::xmile::parse(&xmile, "w.xmile").unwrap(),
        from_toml,
    ] {
        let prog = sandtable::compile::compile(&m).unwrap();
        let traj = Simulation::new(&prog).run().unwrap();
        for name in ["a", "s", "t", "u", "k", "held"] {
            assert_eq!(series(&traj, name), series(&want, name), "{name}");
        }
    }
}

#[test]
fn bad_initial_equations_are_located_errors() {
    let stock = doc(
        SPECS,
        "<stock name=\"s\"><eqn>1</eqn>\n<init_eqn>2</init_eqn></stock>",
    );
    let e = sandtable::xmile::parse(&stock, "t.stmx").unwrap_err();
    assert!(
        e.message.contains("stock `s`") && e.message.contains("<init_eqn>"),
        "{e}"
    );
    assert!(e.hint.is_some());
    assert_eq!(e.at.line, 6, "{e}");
    let empty = doc(
        SPECS,
        r#"<aux name="a"><eqn>1</eqn><init_eqn> </init_eqn></aux>"#,
    );
    let e = sandtable::xmile::parse(&empty, "t.stmx").unwrap_err();
    assert!(e.message.contains("<init_eqn> of `a` is empty"), "{e}");
    // An unknown name in the initial equation is reported where that equation is written.
    let unknown = doc(
        SPECS,
        "<aux name=\"a\"><eqn>1</eqn>\n<init_eqn>2 * nope</init_eqn></aux>",
    );
    let model = sandtable::xmile::parse(&unknown, "t.stmx").unwrap();
    let e = sandtable::compile::compile(&model).unwrap_err();
    let first = &e.0[0];
    assert!(first.message.contains("nope"), "{e}");
    assert_eq!((first.at.line, first.at.col), (6, 15), "{e}");
}
