//! Tests of the XMILE reader and writer on small documents written for the purpose.

use super::{parse, to_xmile};
use crate::diagnostic::SourceRef;
use crate::model::{
    ChartGroup, Dimension, Equation, Expr, GfKind, GraphicalFunction, Method, Model, SimSpecs,
    VarKind, Variable,
};

const TEACUP: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
  <isee:prefs show_module_prefix="true"/>
  <header><vendor>x</vendor><product version="1">y</product><name>teacup</name></header>
  <sim_specs method="RK4" time_units="Minutes" isee:save_interval="0.5">
    <start>0</start><stop>30</stop><dt reciprocal="true">8</dt>
  </sim_specs>
  <model>
    <variables>
      <stock name="Teacup\nTemperature">
        <eqn>180</eqn>
        <outflow>Heat_Loss_to_Room</outflow>
        <non_negative/>
      </stock>
      <flow name="Heat Loss to Room">
        <eqn>(Teacup_Temperature - Room_Temperature)
             / Characteristic_Time {minutes}</eqn>
      </flow>
      <aux name="Room Temperature"><eqn>70</eqn><units>degrees</units></aux>
      <aux name="Characteristic Time"><doc> how fast </doc><eqn>10</eqn></aux>
      <aux name="cooling">
        <eqn>TIME</eqn>
        <gf type="extrapolate"><xscale min="0" max="10"/><ypts sep=";">1;2;4</ypts></gf>
      </aux>
      <isee:dependencies><var name="x"/></isee:dependencies>
    </variables>
    <views><view><stock name="Teacup_Temperature" x="1" y="2"/></view></views>
  </model>
</xmile>
"#;

#[test]
fn reads_sim_specs_stocks_flows_and_graphical_functions() {
    let m = parse(TEACUP, "teacup.stmx").expect("parses");
    assert_eq!(m.name, "teacup");
    assert_eq!(m.sim.start, 0.0);
    assert_eq!(m.sim.stop, 30.0);
    assert_eq!(m.sim.dt, 0.125);
    assert_eq!(m.sim.save_step, 0.5);
    assert_eq!(m.sim.method, Method::Rk4);
    assert_eq!(m.sim.time_unit, "Minutes");
    let stock = m.variable("teacup_temperature").expect("stock");
    assert_eq!(stock.name, "Teacup Temperature");
    assert_eq!(
        stock.kind,
        VarKind::Stock {
            inflows: vec![],
            outflows: vec!["Heat Loss to Room".into()],
            non_negative: true
        }
    );
    let flow = m.variable("Heat Loss to Room").expect("flow");
    assert_eq!(
        flow.kind,
        VarKind::Flow {
            non_negative: false
        }
    );
    let Some(Equation::All(e)) = &flow.equation else {
        panic!("flow equation")
    };
    assert!(e.text.starts_with("(Teacup_Temperature"), "{}", e.text);
    assert!(
        !e.text.contains('{') && e.text.ends_with("Characteristic_Time"),
        "{}",
        e.text
    );
    assert_eq!((e.at.line, e.at.col), (16, 14));
    let room = m.variable("room temperature").expect("aux");
    assert_eq!(room.unit.as_deref(), Some("degrees"));
    assert_eq!(
        m.variable("characteristic time")
            .and_then(|v| v.doc.as_deref()),
        Some("how fast")
    );
    let gf = m
        .variable("cooling")
        .and_then(|v| v.gf.clone())
        .expect("gf");
    assert_eq!(gf.xs, [0.0, 5.0, 10.0]);
    assert_eq!(gf.ys, [1.0, 2.0, 4.0]);
    assert_eq!(gf.kind, GfKind::Extrapolate);
    assert_eq!(m.variables.len(), 5);
}

#[test]
fn malformed_xml_points_at_line_and_column() {
    let text = "<xmile xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">\n  <model>\n  </modl>\n</xmile>";
    let err = parse(text, "bad.xmile").unwrap_err();
    assert_eq!(err.at.line, 3, "{err}");
    assert!(err.at.col > 0);
    assert!(err.to_string().starts_with("bad.xmile:3:"), "{err}");
}

#[test]
fn missing_parts_are_reported_not_panicked_on() {
    let no_specs = "<xmile><model><variables/></model></xmile>";
    assert!(parse(no_specs, "a.xmile")
        .unwrap_err()
        .message
        .contains("sim_specs"));
    let no_stop = "<xmile><sim_specs><start>0</start></sim_specs><model/></xmile>";
    assert!(parse(no_stop, "a.xmile")
        .unwrap_err()
        .message
        .contains("<stop>"));
    let no_eqn = "<xmile><sim_specs><start>0</start><stop>1</stop></sim_specs>\
                  <model><variables><stock name=\"s\"/></variables></model></xmile>";
    assert!(parse(no_eqn, "a.xmile")
        .unwrap_err()
        .message
        .contains("`s` has no equation"));
    let not_xmile = "<html/>";
    assert!(parse(not_xmile, "a.xmile")
        .unwrap_err()
        .message
        .contains("not an XMILE file"));
    let undefined = "<xmile><sim_specs><start>0</start><stop>1</stop></sim_specs>\
                  <model><variables><aux name=\"a\"><eqn> ??? </eqn></aux></variables></model></xmile>";
    assert!(parse(undefined, "a.xmile")
        .unwrap_err()
        .message
        .contains("???"));
    for junk in ["", "<", "<xmile>", "<?xml version=\"1.0\"?>", "<x:y/>"] {
        assert!(parse(junk, "j.xmile").is_err(), "{junk:?}");
    }
}

const ARRAYS: &str = r#"<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
  <sim_specs><start>0</start><stop>4</stop><dt>1</dt></sim_specs>
  <behavior><flow><non_negative/></flow></behavior>
  <dimensions>
    <dim name="Region"><elem name="North"/><elem name="South"/></dim>
    <dim name="Slot" size="3"/>
  </dimensions>
  <model>
    <variables>
      <aux name="price">
        <dimensions><dim name="Region"/></dimensions>
        <element subscript="North"><eqn>2</eqn></element>
        <element subscript="South"><eqn>3</eqn></element>
      </aux>
      <aux name="grid">
        <dimensions><dim name="Region"/><dim name="Slot"/></dimensions>
        <eqn>1, 2, 3, 4, 5, 6</eqn>
      </aux>
      <aux name="runs">
        <dimensions><dim name="Region"/></dimensions>
        <eqn>7</eqn>
        <eqn>price[North] {first} + 1</eqn>
      </aux>
      <flow name="sales"><dimensions><dim name="Region"/></dimensions><eqn>price[Region]</eqn></flow>
      <flow name="refunds"><eqn>1</eqn><non_negative>false</non_negative></flow>
      <gf name="table" type="discrete"><xpts>0,1</xpts><ypts>5,6</ypts></gf>
    </variables>
  </model>
</xmile>"#;

#[test]
fn reads_arrays_number_lists_behavior_and_standalone_tables() {
    let m = parse(ARRAYS, "arrays.xmile").expect("parses");
    assert_eq!(m.dimension("slot").unwrap().elements, ["1", "2", "3"]);
    let price = m.variable("price").unwrap();
    assert_eq!(price.dims, ["Region"]);
    let Some(Equation::PerElement(list)) = &price.equation else {
        panic!("per element")
    };
    assert_eq!(list[1].0, ["South"]);
    assert_eq!(list[1].1.text, "3");
    let Some(Equation::PerElement(grid)) = &m.variable("grid").unwrap().equation else {
        panic!("number list")
    };
    assert_eq!(grid.len(), 6);
    assert_eq!(grid[4].0, ["South", "2"]);
    assert_eq!(grid[4].1.text, "5");
    assert_eq!(
        m.variable("sales").unwrap().kind,
        VarKind::Flow { non_negative: true }
    );
    assert_eq!(
        m.variable("refunds").unwrap().kind,
        VarKind::Flow {
            non_negative: false
        }
    );
    let table = m.variable("table").unwrap();
    assert!(table.equation.is_none());
    assert_eq!(table.gf.as_ref().unwrap().kind, GfKind::Discrete);
}

const MODULES: &str = r#"<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0" version="1.0">
  <sim_specs><start>0</start><stop>2</stop><dt>1</dt></sim_specs>
  <model>
    <variables>
      <module name="herd"><connect to="area" from=".land"/></module>
      <aux name="land"><eqn>1000</eqn></aux>
      <aux name="report"><eqn>herd.density * 2</eqn></aux>
    </variables>
  </model>
  <model name="herd">
    <variables>
      <stock name="animals"><eqn>50</eqn><inflow>births</inflow></stock>
      <flow name="births"><eqn>animals * 0.1</eqn></flow>
      <aux name="area"><eqn>{set when not connected}</eqn></aux>
      <aux name="density"><eqn>animals / area</eqn></aux>
    </variables>
  </model>
</xmile>"#;

#[test]
fn flattens_modules_with_dotted_names_and_connections() {
    let m = parse(MODULES, "m.xmile").expect("parses");
    let eq = |name: &str| match &m
        .variable(name)
        .unwrap_or_else(|| panic!("{name}"))
        .equation
    {
        Some(Equation::All(e)) => e.text.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(eq("report"), "\"herd.density\" * 2");
    assert_eq!(eq("herd.density"), "\"herd.animals\" / \"herd.area\"");
    assert_eq!(eq("herd.area"), "\"land\"");
    assert_eq!(eq("herd.births"), "\"herd.animals\" * 0.1");
    assert_eq!(
        m.variable("herd.animals").unwrap().kind,
        VarKind::Stock {
            inflows: vec!["herd.births".into()],
            outflows: vec![],
            non_negative: false
        }
    );
    let broken = MODULES.replace("<model name=\"herd\">", "<model name=\"flock\">");
    assert!(parse(&broken, "m.xmile")
        .unwrap_err()
        .message
        .contains("does not define"));
}

/// The model with every source position cleared, for comparing models read from two files.
fn without_positions(mut m: Model) -> Model {
    for v in &mut m.variables {
        v.at = SourceRef::none();
        match &mut v.equation {
            Some(Equation::All(e)) => e.at = SourceRef::none(),
            Some(Equation::PerElement(list)) => {
                for (_, e) in list {
                    e.at = SourceRef::none();
                }
            }
            None => {}
        }
    }
    m
}

fn var(name: &str, kind: VarKind, eqn: Option<&str>) -> Variable {
    Variable {
        name: name.into(),
        kind,
        dims: vec![],
        equation: eqn.map(|t| Equation::All(Expr::synthetic(t))),
        initial: None,
        gf: None,
        unit: None,
        doc: None,
        label: None,
        at: SourceRef::none(),
    }
}

#[test]
fn written_files_read_back_as_the_same_model() {
    let mut stock = var(
        "Fans",
        VarKind::Stock {
            inflows: vec!["new fans".into()],
            outflows: vec!["Churn & loss".into()],
            non_negative: true,
        },
        Some("100"),
    );
    stock.label = Some("粉丝".into());
    stock.unit = Some("people".into());
    stock.doc = Some("Followers <all channels>".into());
    let mut effect = var(
        "effect",
        VarKind::Aux,
        Some("IF fans > 10 AND TIME < 5 THEN 1 ELSE 0"),
    );
    effect.gf = Some(GraphicalFunction {
        xs: vec![0.0, 0.5, 2.0],
        ys: vec![0.1, -3.25, 1e-7],
        kind: GfKind::Extrapolate,
    });
    let mut table = var("table", VarKind::Aux, None);
    table.gf = Some(GraphicalFunction {
        xs: vec![0.0, 1.0],
        ys: vec![1.0, 2.0],
        kind: GfKind::Discrete,
    });
    let mut regional = var("regional", VarKind::Aux, None);
    regional.dims = vec!["Region".into()];
    regional.equation = Some(Equation::PerElement(vec![
        (vec!["North".into()], Expr::synthetic("1")),
        (vec!["South".into()], Expr::synthetic("fans[North] * 2")),
    ]));
    let model = Model {
        name: "fan growth".into(),
        sim: SimSpecs {
            start: 1.0,
            stop: 13.0,
            dt: 1.0 / 3.0,
            save_step: 1.0,
            time_unit: "month".into(),
            method: Method::Rk2,
            stop_when: None,
        },
        dimensions: vec![Dimension {
            name: "Region".into(),
            elements: vec!["North".into(), "South".into()],
        }],
        variables: vec![
            stock,
            var(
                "new fans",
                VarKind::Flow { non_negative: true },
                Some("fans * rate"),
            ),
            var(
                "Churn & loss",
                VarKind::Flow {
                    non_negative: false,
                },
                Some("fans / 10"),
            ),
            var("rate", VarKind::Constant, Some("0.05")),
            effect,
            table,
            regional,
        ],
        charts: vec![ChartGroup {
            title: "Fans \"all\"".into(),
            variables: vec!["Fans".into(), "rate".into()],
        }],
        loops: Vec::new(),
    };
    let text = to_xmile(&model);
    assert!(text.contains("xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\""));
    assert!(text.contains("<vendor>sandtable</vendor>"));
    let back = parse(&text, "round.xmile").unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(without_positions(back), model, "{text}");
}

#[test]
fn expression_macros_are_expanded_and_stock_macros_refused() {
    let text = r#"<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
  <sim_specs><start>0</start><stop>1</stop></sim_specs>
  <macro name="scaled"><parm>x</parm><parm>k</parm><eqn>x * k</eqn></macro>
  <model><variables>
    <aux name="a"><eqn>2</eqn></aux>
    <aux name="b"><eqn>SCALED(a + 1, 3)</eqn></aux>
  </variables></model>
</xmile>"#;
    let m = parse(text, "mac.xmile").expect("parses");
    let Some(Equation::All(e)) = &m.variable("b").unwrap().equation else {
        panic!("equation")
    };
    assert_eq!(e.text, "((a + 1) * (3))");
    let wrong = text.replace("SCALED(a + 1, 3)", "SCALED(a)");
    let err = parse(&wrong, "mac.xmile").unwrap_err();
    assert!(
        err.message.contains("2 arguments") && err.at.line == 6,
        "{err}"
    );
    let stocky = text.replace(
        "<eqn>x * k</eqn>",
        "<eqn>s</eqn><variables><stock name=\"s\"/></variables>",
    );
    assert!(parse(&stocky, "mac.xmile")
        .unwrap_err()
        .message
        .contains("only expression macros"));
}

/// Where a name stands decides what a mapped dimension becomes: an element as a whole
/// subscript, a position anywhere else (`xmile::mapping`).
#[test]
fn names_are_told_apart_by_their_place() {
    use super::eqn_text::{rewrite_names_at, Place};
    let mark = |text: &str| {
        rewrite_names_at(text, &|name, place| {
            (name == "D").then(|| match place {
                Place::Outside => "V".to_string(),
                Place::Subscript => "E".to_string(),
                Place::InSubscript => "P".to_string(),
            })
        })
    };
    assert_eq!(mark("b[D] + D"), "b[E] + V");
    assert_eq!(mark("m[ D , x]"), "m[ E , x]");
    assert_eq!(mark("m[x, D]"), "m[x, E]");
    assert_eq!(mark("b[D + 1]"), "b[P + 1]");
    assert_eq!(mark("b[MAX(1, D)]"), "b[MAX(1, P)]");
    assert_eq!(mark("b[c[D]]"), "b[c[E]]");
    assert_eq!(mark("SUM(m[D, *]) * (D)"), "SUM(m[E, *]) * (V)");
}
