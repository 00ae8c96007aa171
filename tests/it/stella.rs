//! Stella and XMILE constructs found in real models: module wiring in every written form,
//! conveyors, Stella's builtins and operators, each against hand-computed values.

use sandtable::simulate::{Simulation, Trajectory};

/// Parses, compiles and runs XMILE text.
pub(crate) fn run(text: &str) -> Trajectory {
    let model = sandtable::xmile::parse(text, "test.stmx").unwrap_or_else(|e| panic!("{e}"));
    let prog = sandtable::compile::compile(&model).unwrap_or_else(|e| panic!("{e}"));
    Simulation::new(&prog)
        .run()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The message of the first error loading and compiling XMILE text.
pub(crate) fn error(text: &str) -> String {
    match sandtable::xmile::parse(text, "test.stmx") {
        Err(e) => e.to_string(),
        Ok(model) => match sandtable::compile::compile(&model) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("the model loaded and compiled"),
        },
    }
}

pub(crate) fn series(traj: &Trajectory, name: &str) -> Vec<f64> {
    let col = traj
        .column(name)
        .unwrap_or_else(|| panic!("no column {name}"));
    traj.series(col).collect()
}

/// A one-model XMILE document around `variables`.
fn doc(specs: &str, variables: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0" xmlns:isee="http://iseesystems.com/XMILE">
  <header><vendor>isee systems, inc.</vendor><product version="1.9">Stella Architect</product></header>
  <sim_specs method="Euler" time_units="Months">{specs}</sim_specs>
  <model><variables>{variables}</variables></model>
</xmile>"#
    )
}

const SPECS: &str = "<start>0</start><stop>4</stop><dt>1</dt>";

pub(crate) fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

pub(crate) fn assert_series(traj: &Trajectory, name: &str, want: &[f64]) {
    let got = series(traj, name);
    assert_eq!(got.len(), want.len(), "{name}: {got:?}");
    for (t, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            close(*g, *w),
            "{name} at row {t}: {g} vs {w} (all: {got:?})"
        );
    }
}

mod modules {
    use super::*;

    /// Stella's wiring: an input from the parent, a sibling wired in the source module's
    /// element with quoted names, an output wired to a parent variable, and a parent
    /// equation reading a module variable through a quoted path.
    const WIRED: &str = r#"<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
  <sim_specs method="Euler"><start>0</start><stop>2</stop><dt>1</dt></sim_specs>
  <model>
    <variables>
      <module name="Hare Pop" isee:label="" xmlns:isee="http://iseesystems.com/XMILE">
        <connect to="area" from=".land"/>
        <connect to="lynx.prey" from="&quot;Hare Pop&quot;.density"/>
      </module>
      <module name="lynx" model_name="predator">
        <connect to=".eaten" from="lynx.eaten"/>
      </module>
      <aux name="land"><eqn>1000</eqn></aux>
      <aux name="eaten"><eqn>0</eqn></aux>
      <aux name="report"><eqn>eaten * 2</eqn></aux>
      <aux name="direct"><eqn>"Hare Pop".density * 3</eqn></aux>
    </variables>
  </model>
  <model name="Hare Pop">
    <variables>
      <stock name="hare count"><eqn>100</eqn><inflow>births</inflow></stock>
      <flow name="births"><eqn>hare_count * 0.1</eqn></flow>
      <aux name="area" access="input"><eqn>1</eqn></aux>
      <aux name="density" access="output"><eqn>hare_count / area</eqn></aux>
    </variables>
  </model>
  <model name="predator">
    <variables>
      <aux name="prey" access="input"><eqn>0</eqn></aux>
      <aux name="eaten" access="output"><eqn>prey * 10</eqn></aux>
    </variables>
  </model>
</xmile>"#;

    #[test]
    fn inputs_outputs_siblings_and_quoted_paths_are_wired() {
        let traj = run(WIRED);
        // hare count: 100, 110, 121; density = count / 1000.
        assert_series(&traj, "Hare Pop.density", &[0.1, 0.11, 0.121]);
        assert_series(&traj, "lynx.prey", &[0.1, 0.11, 0.121]);
        assert_series(&traj, "eaten", &[1.0, 1.1, 1.21]);
        assert_series(&traj, "report", &[2.0, 2.2, 2.42]);
        assert_series(&traj, "direct", &[0.3, 0.33, 0.363]);
    }

    #[test]
    fn a_connection_to_nothing_names_the_path() {
        let bad = WIRED.replace("to=\"lynx.prey\"", "to=\"lynx.pray\"");
        let e = error(&bad);
        assert!(e.contains("lynx.pray"), "{e}");
        let bad = WIRED.replace("from=\"lynx.eaten\"", "from=\"lynx.eating\"");
        let e = error(&bad);
        assert!(e.contains("lynx.eating"), "{e}");
    }
}

mod conveyors {
    use super::*;

    fn belt(initial: &str, transit: &str, leak: &str, exponential: bool) -> String {
        let exp = if exponential {
            r#" exponential_leak="true""#
        } else {
            ""
        };
        doc(
            SPECS,
            &format!(
                r#"<stock name="belt"><eqn>{initial}</eqn><inflow>loading</inflow>
                     <outflow>unloading</outflow><outflow>spill</outflow>
                     <conveyor{exp}><len>{transit}</len></conveyor></stock>
                   <flow name="loading"><eqn>10</eqn></flow>
                   <flow name="unloading"><non_negative/></flow>
                   <flow name="spill">{leak}<non_negative/></flow>"#
            ),
        )
    }

    #[test]
    fn material_leaves_after_the_transit_time() {
        let traj = run(&belt("0", "3", "<eqn>0</eqn><leak/>", false));
        assert_series(&traj, "unloading", &[0.0, 0.0, 0.0, 10.0, 10.0]);
        assert_series(&traj, "belt", &[0.0, 10.0, 20.0, 30.0, 30.0]);
        assert_series(&traj, "spill", &[0.0; 5]);
    }

    #[test]
    fn initial_contents_are_spread_evenly_over_the_belt() {
        let traj = run(&belt("30", "3", "<eqn>0</eqn><leak/>", false));
        assert_series(&traj, "unloading", &[10.0; 5]);
        assert_series(&traj, "belt", &[30.0; 5]);
    }

    /// Linear leak 0.2 over a two-step belt: a batch of 10 leaks 1 per step for two steps and
    /// leaves with 8; the steady contents are 2·10 − (2 − 1)·2·1/2 = 19 (isee's formula).
    #[test]
    fn linear_leakage_takes_the_same_amount_every_step() {
        for leak in ["<eqn>0.2</eqn><leak/>", "<leak>0.2</leak>"] {
            let traj = run(&belt("0", "2", leak, false));
            assert_series(&traj, "spill", &[0.0, 1.0, 2.0, 2.0, 2.0]);
            assert_series(&traj, "unloading", &[0.0, 0.0, 8.0, 8.0, 8.0]);
            assert_series(&traj, "belt", &[0.0, 10.0, 19.0, 19.0, 19.0]);
        }
        let steady = run(&belt("19", "2", "<eqn>0.2</eqn><leak/>", false));
        assert_series(&steady, "belt", &[19.0; 5]);
        assert_series(&steady, "spill", &[2.0; 5]);
        assert_series(&steady, "unloading", &[8.0; 5]);
    }

    /// Exponential leak 0.1 per time unit: a batch of 10 keeps 9 after one step and 8.1
    /// after two, when it leaves; steady contents 10·(1 − 0.9²)/0.1 = 19.
    #[test]
    fn exponential_leakage_takes_a_fraction_of_the_contents() {
        let traj = run(&belt("0", "2", "<eqn>0.1</eqn><leak/>", true));
        assert_series(&traj, "spill", &[0.0, 1.0, 1.9, 1.9, 1.9]);
        assert_series(&traj, "unloading", &[0.0, 0.0, 8.1, 8.1, 8.1]);
        assert_series(&traj, "belt", &[0.0, 10.0, 19.0, 19.0, 19.0]);
        let steady = run(&belt("19", "2", "<eqn>0.1</eqn><leak/>", true));
        assert_series(&steady, "belt", &[19.0; 5]);
    }

    #[test]
    fn what_is_not_simulated_is_refused_by_name() {
        let arrest = belt("0", "2", "<eqn>0</eqn><leak/>", false)
            .replace("</len>", "</len><arrest>TIME > 2</arrest>");
        let e = error(&arrest);
        assert!(e.contains("belt") && e.contains("<arrest>"), "{e}");
        let rk4 = belt("0", "2", "<eqn>0</eqn><leak/>", false)
            .replace("method=\"Euler\"", "method=\"RK4\"");
        assert!(error(&rk4).contains("Euler"));
        let both = doc(
            SPECS,
            r#"<stock name="line"><eqn>0</eqn><queue/><conveyor><len>1</len></conveyor></stock>"#,
        );
        let e = error(&both);
        assert!(e.contains("queue") && e.contains("line"), "{e}");
    }
}

mod builtins {
    use super::*;

    /// Runs auxiliaries `name = equation` over TIME 0, 1, 2 with DT 1.
    fn auxes(defs: &[(&str, &str)]) -> Trajectory {
        let vars: String = defs
            .iter()
            .map(|(n, e)| format!("<aux name=\"{n}\"><eqn>{e}</eqn></aux>\n"))
            .collect();
        let extra = r#"<aux name="tbl"><gf><xpts>0,1,2</xpts><ypts>0,10,30</ypts></gf></aux>
            <aux name="steps"><gf type="discrete"><xpts>0,1,2</xpts><ypts>1,2,3</ypts></gf></aux>"#;
        run(&doc(
            "<start>0</start><stop>2</stop><dt>1</dt>",
            &format!("{vars}{extra}"),
        ))
    }

    #[test]
    fn waves_roots_and_safe_division() {
        let traj = auxes(&[
            ("s", "SINWAVE(2, 4)"),
            ("c", "COSWAVE(2, 4)"),
            ("r3", "ROOTN(-8, 3)"),
            ("r4", "ROOTN(16, 4)"),
            ("q", "6 // (2 - TIME) + 1"),
            ("ramp", "RAMP(3)"),
        ]);
        assert_series(&traj, "ramp", &[0.0, 3.0, 6.0]);
        assert_series(&traj, "s", &[0.0, 2.0, 2.0 * std::f64::consts::PI.sin()]);
        assert_series(
            &traj,
            "c",
            &[2.0, 2.0 * std::f64::consts::FRAC_PI_2.cos(), -2.0],
        );
        assert_series(&traj, "r3", &[-2.0; 3]);
        assert_series(&traj, "r4", &[2.0; 3]);
        assert_series(&traj, "q", &[4.0, 7.0, 1.0]);
    }

    #[test]
    fn forecasts_and_derivatives() {
        let traj = auxes(&[
            ("flat", "FORCST(5, 2, 3)"),
            // Initial trend 0.1: 5·(1 + 0.1·3) at the start.
            ("rising", "FORCST(5, 2, 3, 0.1)"),
            ("d1", "DERIVN(TIME^2, 1)"),
            ("d2", "DERIVN(TIME^2, 2)"),
        ]);
        assert_series(&traj, "flat", &[5.0; 3]);
        assert!(close(series(&traj, "rising")[0], 6.5));
        assert_series(&traj, "d1", &[0.0, 1.0, 3.0]);
        assert_series(&traj, "d2", &[0.0, 0.0, 2.0]);
    }

    /// tbl: (0, 0), (1, 10), (2, 30). Its area from 0 to 1.5 is 5 + 5 + 20·0.5²/2 = 12.5.
    #[test]
    fn inverse_and_integrated_lookups() {
        let traj = auxes(&[
            ("inv", "LOOKUPINV(tbl, 5 + 15 * TIME)"),
            ("area", "LOOKUPAREA(tbl, 0, 1.5)"),
            ("below", "LOOKUPAREA(tbl, -1, 0.5)"),
            ("above", "LOOKUPAREA(tbl, 2, 3)"),
            ("mean", "LOOKUPMEAN(tbl, 0, 2)"),
            ("point", "LOOKUPMEAN(tbl, 1, 1)"),
            ("stairs", "LOOKUPAREA(steps, 0, 1.5)"),
        ]);
        assert_series(&traj, "inv", &[0.5, 1.5, 2.0]);
        assert_series(&traj, "area", &[12.5; 3]);
        assert_series(&traj, "below", &[1.25; 3]);
        assert_series(&traj, "above", &[30.0; 3]);
        assert_series(&traj, "mean", &[12.5; 3]);
        assert_series(&traj, "point", &[10.0; 3]);
        assert_series(&traj, "stairs", &[2.0; 3]);
    }

    #[test]
    fn annuities_as_spreadsheets_define_them() {
        let traj = auxes(&[
            ("pmt", "PMT(0.1, 2, 100)"),
            ("pmt_due", "PMT(0.1, 2, 100, 0, 1)"),
            ("pmt0", "PMT(0, 4, 100)"),
            ("fv", "FV(0.1, 2, -10)"),
            ("pv", "PV(0.1, 2, -10)"),
        ]);
        // 100·1.1 − 57.619 = 52.381 and 52.381·1.1 = 57.619: the loan is paid off.
        assert_series(&traj, "pmt", &[-12.1 / 0.21; 3]);
        assert_series(&traj, "pmt_due", &[-12.1 / (1.1 * 0.21); 3]);
        assert_series(&traj, "pmt0", &[-25.0; 3]);
        assert_series(&traj, "fv", &[21.0; 3]);
        assert_series(&traj, "pv", &[10.0 / 1.1 + 10.0 / 1.21; 3]);
    }

    #[test]
    fn rank_and_the_normal_distribution() {
        let text = doc(
            "<start>0</start><stop>1</stop><dt>1</dt>",
            r#"<aux name="a"><dimensions><dim name="D"/></dimensions><eqn>5, 1, 3</eqn></aux>
               <aux name="smallest"><eqn>RANK(a, 1)</eqn></aux>
               <aux name="middle"><eqn>RANK(a, 2)</eqn></aux>
               <aux name="largest"><eqn>RANK(a, 3)</eqn></aux>
               <aux name="z"><eqn>INVNORM(0.975)</eqn></aux>
               <aux name="x"><eqn>INVNORM(0.5, 10, 2)</eqn></aux>
               <aux name="p"><eqn>NORMALCDF(12, 10, 2)</eqn></aux>"#,
        )
        .replace(
            "<model>",
            r#"<dimensions><dim name="D" size="3"/></dimensions><model>"#,
        );
        let traj = run(&text);
        assert_series(&traj, "smallest", &[2.0; 2]);
        assert_series(&traj, "middle", &[3.0; 2]);
        assert_series(&traj, "largest", &[1.0; 2]);
        assert!((series(&traj, "z")[0] - 1.959_963_984_540_054).abs() < 1e-9);
        assert_series(&traj, "x", &[10.0; 2]);
        assert!((series(&traj, "p")[0] - 0.841_344_746_068_543).abs() < 1e-9);
    }

    fn moments(xs: &[f64]) -> (f64, f64) {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, var.sqrt())
    }

    /// 20,001 draws of each distribution: means and standard deviations within five standard
    /// errors of the closed forms, supports respected, a fresh draw every step.
    #[test]
    fn distributions_match_their_moments() {
        let traj = run(&doc(
            "<start>0</start><stop>20000</stop><dt>1</dt>",
            r#"<aux name="tri"><eqn>TRIANGULAR(0, 1, 4)</eqn></aux>
               <aux name="wei"><eqn>WEIBULL(2, 3)</eqn></aux>
               <aux name="logn"><eqn>LOGNORMAL(10, 2)</eqn></aux>
               <aux name="par"><eqn>PARETO(5, 2)</eqn></aux>
               <aux name="logi"><eqn>LOGISTIC(5, 2)</eqn></aux>
               <aux name="expo"><eqn>EXPRND(4)</eqn></aux>
               <aux name="uni"><eqn>RANDOM(2, 6, 17)</eqn></aux>"#,
        ));
        let gamma_1_5 = std::f64::consts::PI.sqrt() / 2.0;
        let cases: [(&str, f64, f64, f64, f64); 7] = [
            ("tri", 5.0 / 3.0, (13.0f64 / 18.0).sqrt(), 0.0, 4.0),
            (
                "wei",
                3.0 * gamma_1_5,
                3.0 * (1.0 - gamma_1_5 * gamma_1_5).sqrt(),
                0.0,
                f64::INFINITY,
            ),
            ("logn", 10.0, 2.0, 0.0, f64::INFINITY),
            // Pareto(α = 5, xₘ = 2): mean αxₘ/(α − 1), variance xₘ²α/((α − 1)²(α − 2)).
            (
                "par",
                2.5,
                (4.0f64 * 5.0 / (16.0 * 3.0)).sqrt(),
                2.0,
                f64::INFINITY,
            ),
            (
                "logi",
                5.0,
                2.0 * std::f64::consts::PI / 3f64.sqrt(),
                f64::NEG_INFINITY,
                f64::INFINITY,
            ),
            ("expo", 4.0, 4.0, 0.0, f64::INFINITY),
            ("uni", 4.0, 4.0 / 12f64.sqrt(), 2.0, 6.0),
        ];
        for (name, mean, sd, lo, hi) in cases {
            let xs = series(&traj, name);
            let (m, s) = moments(&xs);
            let se = sd / (xs.len() as f64).sqrt();
            assert!((m - mean).abs() < 5.0 * se, "{name}: mean {m} vs {mean}");
            // Pareto(5) has a heavy tail: its sample deviation converges slowly.
            let tol = if name == "par" { 0.2 } else { 0.05 };
            assert!((s - sd).abs() < tol * sd, "{name}: sd {s} vs {sd}");
            assert!(
                xs.iter().all(|x| *x >= lo && *x <= hi),
                "{name} leaves its support"
            );
            let mut sorted = xs.clone();
            sorted.sort_by(f64::total_cmp);
            sorted.dedup();
            assert!(
                sorted.len() > xs.len() / 2,
                "{name} does not draw afresh each step"
            );
        }
        // The same model gives the same draws.
        let again = run(&doc(
            "<start>0</start><stop>20</stop><dt>1</dt>",
            r#"<aux name="tri"><eqn>TRIANGULAR(0, 1, 4)</eqn></aux>"#,
        ));
        assert_eq!(series(&again, "tri"), series(&traj, "tri")[..21]);
    }
}

mod tolerance {
    use super::*;

    #[test]
    fn dashes_in_comments_and_repeated_x_points_are_read() {
        let text = doc(
            "<start>0</start><stop>3</stop><dt>1</dt>",
            r#"<!-- a comment -- as Stella writes it --->
               <aux name="g"><eqn>TIME / 2</eqn>
                 <gf><xpts>0,1,1,2</xpts><ypts>0,0,10,10</ypts></gf></aux>"#,
        );
        // A vertical jump at x = 1: 0 below it, 10 from it on.
        assert_series(&run(&text), "g", &[0.0, 0.0, 10.0, 10.0]);
    }

    #[test]
    fn drafts_and_empty_models_are_errors_not_empty_runs() {
        let draft = doc(SPECS, r#"<aux name="a"><eqn>1</eqn></aux>"#)
            .replace("version=\"1.0\"", "version=\"0.9\"");
        assert!(error(&draft).contains("draft"), "{}", error(&draft));
        let stray = doc(SPECS, "").replace(
            "<model><variables></variables></model>",
            r#"<model><stock name="a"><eqn>1</eqn></stock></model>"#,
        );
        let e = sandtable::xmile::parse(&stray, "t.xmile").unwrap_err();
        assert!(e.message.contains("no variables"), "{e}");
        assert!(e.hint.as_deref().unwrap_or("").contains("<stock>"), "{e:?}");
    }
}

/// A graphical function per array element and `Dim.elem`.
mod arrays;

/// Vector builtins written with spaces, Vensim's way.
mod array_names;

/// Dimension mappings (`<isee:maps_to>`).
mod mappings;

/// Separate initial equations (`<init_eqn>`).
mod initial;

/// Conveyor capacity and inflow limit.
mod belts;
mod conveyor_limits;
mod queues;

/// Public Stella and XMILE models in tests/models_wild, each against the output its source ships.
mod wild;
