//! Reading small `.mdl` texts and running them: values checked against hand computations.

use super::parse;

fn run(text: &str) -> (crate::model::Model, crate::simulate::Trajectory) {
    let model = parse(text, "t.mdl").unwrap_or_else(|e| panic!("{}", e.message));
    let program = crate::compile::compile(&model)
        .unwrap_or_else(|e| panic!("{:?}", e.0.iter().map(|d| &d.message).collect::<Vec<_>>()));
    let run = crate::simulate::run(&program).unwrap_or_else(|e| panic!("{}", e.message));
    (model, run)
}

fn column(run: &crate::simulate::Trajectory, name: &str) -> Vec<f64> {
    let i = run
        .names
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", run.names));
    (0..run.times.len()).map(|r| run.row(r)[i]).collect()
}

const CONTROL: &str =
    "INITIAL TIME = 0 ~~|\nFINAL TIME = 4 ~~|\nTIME STEP = 1 ~~|\nSAVEPER = TIME STEP ~~|\n";

#[test]
fn teacup_like_stock_integrates_with_euler() {
    let text = format!(
        "{{UTF-8}}\nTemp= INTEG (\n\t-Loss,\n\t\t100)\n\t~ deg\n\t~ doc \\\n  more |\n\
         Loss = (Temp - Room) / \"Time Const\" ~~|\nRoom = 0 ~~|\n\"Time Const\" = 2 ~~|\n{CONTROL}"
    );
    let (model, run) = run(&text);
    assert_eq!(model.sim.stop, 4.0);
    let t = column(&run, "Temp");
    // Each step halves the temperature: T(n+1) = T(n) - T(n)/2.
    assert_eq!(t, [100.0, 50.0, 25.0, 12.5, 6.25]);
}

#[test]
fn subranges_mappings_except_and_sums() {
    let text = format!(
        "Dim: a, b, c ~~|\nSub: b, c ~~|\nOther: x, y, z -> Dim ~~|\n\
         v[Dim] = 1, 2, 3 ~~|\n\
         w[Dim] :EXCEPT: [a] = v[Dim] * 10 ~~|\nw[a] = -1 ~~|\n\
         s = SUM(v[Dim!]) + SUM(w[Sub!]) ~~|\n\
         m[Other] = v[Dim] ~~|\n\
         t[Sub] = v[Sub] + 100 ~~|\n{CONTROL}"
    );
    let (_, run) = run(&text);
    assert_eq!(column(&run, "w[a]")[0], -1.0);
    assert_eq!(column(&run, "w[c]")[0], 30.0);
    assert_eq!(column(&run, "s")[0], 6.0 + 50.0);
    assert_eq!(column(&run, "m[y]")[0], 2.0);
    assert_eq!(column(&run, "t[c]")[0], 103.0);
}

#[test]
fn lookups_macros_and_vensim_functions() {
    let text = format!(
        ":MACRO: DOUBLE(x)\nDOUBLE = 2 * x ~~|\n:END OF MACRO:\n\
         tab( [(0,0)-(10,10)], (0,0), (2,4) ) ~~|\n\
         a = tab(Time / 2) ~~|\nb = WITH LOOKUP(Time, ((0,1),(4,5))) ~~|\n\
         c = DOUBLE(Time) + IF THEN ELSE(Time > 1 :AND: Time < 3, 100, 0) ~~|\n\
         d = PULSE(2, 1) ~~|\ne = LOOKUP EXTRAPOLATE(tab, 4) ~~|\n{CONTROL}"
    );
    let (_, run) = run(&text);
    assert_eq!(column(&run, "a"), [0.0, 1.0, 2.0, 3.0, 4.0]);
    assert_eq!(column(&run, "b"), [1.0, 2.0, 3.0, 4.0, 5.0]);
    assert_eq!(column(&run, "c"), [0.0, 2.0, 104.0, 6.0, 8.0]);
    assert_eq!(column(&run, "d"), [0.0, 0.0, 1.0, 0.0, 0.0]);
    assert_eq!(column(&run, "e")[0], 8.0);
}

#[test]
fn errors_name_line_and_column() {
    let e = parse("a = b + ~~|\n", "t.mdl").err().unwrap();
    assert_eq!((e.at.line, e.at.col), (1, 9), "{}", e.message);
    let text = format!("a = NOSUCH(1) ~~|\n{CONTROL}");
    let e = parse(&text, "t.mdl").err().unwrap();
    assert!(e.message.contains("NOSUCH"), "{}", e.message);
    let text = format!("a = bb ~~|\nb = 1~~|\n{CONTROL}");
    let e = parse(&text, "t.mdl").err().unwrap();
    assert!(e.message.contains("unknown variable `bb`"), "{}", e.message);
}

#[test]
fn active_initial_sample_if_true_and_partial_ranges() {
    let text = format!(
        "v = ACTIVE INITIAL(Time * 10, 45) ~~|\nS = INTEG(0, v) ~~|\n\
         held = SAMPLE IF TRUE(Time = 1 :OR: Time = 3, Time * 100, -5) ~~|\n\
         Dims: A, B, C ~~|\nmy var[A] = 1 ~~|\nmy var[C] = 3 ~~|\n{CONTROL}"
    );
    let (model, run) = run(&text);
    // The stock starts from the initial argument; the variable itself runs on Time.
    assert_eq!(column(&run, "S"), [45.0; 5]);
    assert_eq!(column(&run, "v"), [0.0, 10.0, 20.0, 30.0, 40.0]);
    assert_eq!(column(&run, "held"), [-5.0, 100.0, 100.0, 300.0, 300.0]);
    // `my var` ranges over just the elements it is defined for.
    let v = model.variable("my var").unwrap();
    let dim = model.dimension(&v.dims[0]).unwrap();
    assert_eq!(dim.elements, ["A", "C"]);
    // The element it lacks is an error naming it.
    let bad = format!("{text}tot = my var[B] ~~|\n");
    let e = parse(&bad, "t.mdl").err().unwrap();
    assert!(e.message.contains("`B` is not an element"), "{}", e.message);
}

#[test]
fn delay_n_order_is_lowered_to_whole_steps_and_time_values() {
    // A delay of 2.5 steps with order 3 runs with order 2, as Vensim does.
    let text = format!(
        "in = 1 ~~|\nd3 = DELAY N(in, 2.5, 0, 3) ~~|\nd2 = DELAY N(in, 2.5, 0, 2) ~~|\n\
         g = GET TIME VALUE(0, 5, 0) ~~|\n{CONTROL}"
    );
    let (_, run) = run(&text);
    assert_eq!(column(&run, "d3"), column(&run, "d2"));
    assert_eq!(column(&run, "g"), [5.0, 6.0, 7.0, 8.0, 9.0]);
}

#[test]
fn names_with_quotes_and_backslashes_convert_to_toml() {
    let text = format!("\"it's a \\\\ name\" = 4 ~~|\nb = \"it's a \\\\ name\" * 2 ~~|\n{CONTROL}");
    let (model, want) = run(&text);
    let toml = crate::model::toml_writer::to_toml(&model);
    let file = std::sync::Arc::new(crate::diagnostic::SourceFile {
        path: "c.toml".into(),
        text: toml.clone(),
    });
    let back = crate::model::toml_file::parse(&file, "c").unwrap_or_else(|e| panic!("{e}\n{toml}"));
    let got = crate::simulate::run(&crate::compile::compile(&back).unwrap()).unwrap();
    assert_eq!(column(&want, "b"), column(&got, "b"));
    assert_eq!(column(&got, "b")[0], 8.0);
}

#[test]
fn what_is_not_read_is_an_error_naming_it() {
    let cases = [
        ("a = A FUNCTION OF(b) ~~|\nb = 1 ~~|\n", "A FUNCTION OF"),
        (
            "a := GET XLS DATA('x.xls', 'S', 'A', 'B2') ~~|\n",
            "cannot read the spreadsheet",
        ),
        (
            "a := GET XLS TIMES('x.xls', 'S', 'A', 'B2') ~~|\n",
            "GET XLS TIMES` is not supported",
        ),
        (
            "a = GET DIRECT CONSTANTS('x.csv', ',', B2) ~~|\n",
            "quoted arguments",
        ),
        (
            "a[d] :INTERPOLATE: ~~|\nd: x, y ~~|\n",
            "kept outside the model",
        ),
        ("a ~~|\n", "has no equation"),
        ("a = INTEG(1, 0) + 1 ~~|\n", "INTEG must be the whole"),
    ];
    for (eqs, want) in cases {
        let text = format!("{eqs}{CONTROL}");
        let e = parse(&text, "t.mdl")
            .err()
            .unwrap_or_else(|| panic!("{eqs} was read"));
        assert!(e.message.contains(want), "{eqs}: {}", e.message);
        assert_eq!(e.at.line, 1, "{eqs}: {}", e.message);
    }
}

#[test]
fn final_time_given_by_an_equation_ends_the_run_when_time_reaches_it() {
    // S grows by 1 a step (S = Time); FINAL TIME is 10 until S reaches 2.5, then Time: at
    // t = 3 (S = 3) it becomes 3 and the run ends there, though 3 is not a save time
    // (SAVEPER 2): rows at 0, 2 and 3.
    let text = "S = INTEG(1, 0) ~~|\nlimit = 10 ~~|\n\
                INITIAL TIME = 0 ~~|\nFINAL TIME = IF THEN ELSE(S > 2.5, Time, limit) ~~|\n\
                TIME STEP = 1 ~~|\nSAVEPER = 2 ~~|\n";
    let (model, run) = run(text);
    assert_eq!(model.sim.stop, 10.0);
    assert_eq!(model.sim.stop_when.as_deref(), Some("FINAL TIME"));
    assert_eq!(run.times, [0.0, 2.0, 3.0]);
    assert_eq!(column(&run, "S"), [0.0, 2.0, 3.0]);
    assert_eq!(column(&run, "FINAL TIME"), [10.0, 10.0, 3.0]);
}

#[test]
fn final_time_ends_the_run_within_half_a_step() {
    // TIME STEP 0.5: FINAL TIME = 1.8 is reached at t = 2 (2 > 1.8 - 0.25, 1.5 is not), like
    // a constant FINAL TIME of 1.8 rounds to 4 steps; it never extends past its value at the
    // initial time (20 here, while the equation later gives 1.8).
    let text = "INITIAL TIME = 0 ~~|\nFINAL TIME = IF THEN ELSE(Time > 0.7, 1.8, 20) ~~|\n\
                TIME STEP = 0.5 ~~|\nSAVEPER = TIME STEP ~~|\nx = Time * 2 ~~|\n";
    let (model, run) = run(text);
    assert_eq!(model.sim.stop, 20.0);
    assert_eq!(run.times, [0.0, 0.5, 1.0, 1.5, 2.0]);
    assert_eq!(column(&run, "x"), [0.0, 1.0, 2.0, 3.0, 4.0]);
}

#[test]
fn final_time_unknown_at_the_initial_time_is_a_clear_error() {
    // The stock's initial value calls a function: not known before the run.
    let text = "S = INTEG(1, MAX(1, 2)) ~~|\n\
                INITIAL TIME = 0 ~~|\nFINAL TIME = S + 3 ~~|\nTIME STEP = 1 ~~|\n";
    let err = parse(text, "t.mdl").expect_err("an error");
    assert!(err.message.contains("FINAL TIME"), "{}", err.message);
}

#[test]
fn data_without_equation_reads_a_run_output() {
    // d[a] has points (0, 1) and (2, 3), interpolated: 1, 2, 3, then held at 3; d[b] is 10
    // throughout (its blank cell at time 2 repeats the value above). S integrates d[a] + d[b]
    // with Euler: 0, 11, 23, 36, 49.
    let text =
        format!("r: a, b ~~|\nd[r] :INTERPOLATE: ~~|\nS = INTEG(d[a] + d[b], 0) ~~|\n{CONTROL}");
    let mut data = super::rundata::RunData::default();
    data.add("Time\td[a]\td[ b ]\n0\t1\t10\n2\t3\t\n", '\t')
        .unwrap();
    let model =
        super::parse_with(&text, "t.mdl", &data).unwrap_or_else(|e| panic!("{}", e.message));
    let run = crate::simulate::run(&crate::compile::compile(&model).unwrap()).unwrap();
    assert_eq!(column(&run, "d[a]"), [1.0, 2.0, 3.0, 3.0, 3.0]);
    assert_eq!(column(&run, "d[b]"), [10.0; 5]);
    assert_eq!(column(&run, "S"), [0.0, 11.0, 23.0, 36.0, 49.0]);
    // Without the run output, or with a column missing, the variable is named in the error.
    let err = parse(&text, "t.mdl").expect_err("an error");
    assert!(err.message.contains("`d[a]`"), "{}", err.message);
    let mut partial = super::rundata::RunData::default();
    partial.add("Time\td[a]\n0\t1\n", '\t').unwrap();
    let err = super::parse_with(&text, "t.mdl", &partial).expect_err("an error");
    assert!(err.message.contains("`d[b]`"), "{}", err.message);
}

#[test]
fn final_time_equation_survives_conversion_to_toml() {
    let text = "S = INTEG(1, 0) ~~|\nINITIAL TIME = 0 ~~|\n\
                FINAL TIME = IF THEN ELSE(S > 2.5, Time, 10) ~~|\nTIME STEP = 1 ~~|\n";
    let (model, run) = run(text);
    let toml = crate::model::toml_writer::to_toml(&model);
    assert!(toml.contains("stop_when = \"FINAL TIME\"\n"), "{toml}");
    let file = std::sync::Arc::new(crate::diagnostic::SourceFile {
        path: "t.toml".into(),
        text: toml,
    });
    let again = crate::model::toml_file::parse(&file, "t").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.sim.stop_when.as_deref(), Some("FINAL TIME"));
    let rerun = crate::simulate::run(&crate::compile::compile(&again).unwrap()).unwrap();
    assert_eq!(rerun.times, [0.0, 1.0, 2.0, 3.0]);
    assert_eq!(column(&rerun, "S"), column(&run, "S"));
}
