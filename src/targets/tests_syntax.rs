//! Tests of target parsing, error positions, validation and target sets.

use super::*;
use crate::diagnostic::SourceFile;
use std::sync::Arc;

fn parse(text: &str) -> Target {
    match Target::parse("t", text, SourceRef::none()) {
        Ok(t) => t,
        Err(e) => panic!("`{text}` should parse: {e}"),
    }
}

fn parse_err(text: &str) -> Diagnostic {
    match Target::parse("t", text, SourceRef::none()) {
        Ok(t) => panic!("`{text}` should not parse, got {:?}", t.spec()),
        Err(e) => e,
    }
}

/// Parses `text` as if written in a file after `prefix` on the same line, and returns the
/// error's (line, col) and the error.
fn err_at(prefix: &str, text: &str) -> ((usize, usize), Diagnostic) {
    let file = Arc::new(SourceFile {
        path: "study.toml".into(),
        text: format!("[targets]\n{prefix}{text}\n"),
    });
    let at = SourceRef::at_offset(&file, "[targets]\n".len() + prefix.len());
    let e = Target::parse("t", text, at).expect_err("should fail");
    ((e.at.line, e.at.col), e)
}

fn call(func: Func, var: &str, window: Option<(f64, f64)>) -> (Func, String, Option<(f64, f64)>) {
    (func, var.to_string(), window)
}

/// The call of a metric that is a single call: (function, variable, times).
fn single_call(t: &Target) -> (Func, String, Option<(f64, f64)>) {
    let Spec::Compare {
        metric: Expr::Call(c),
        ..
    } = t.spec()
    else {
        panic!("not a single call: {:?}", t.spec());
    };
    let w = c.window.map(|w| match w {
        Window::At(t) => (t.value, t.value),
        Window::Span(a, b) => (a.value, b.value),
    });
    (c.func, c.var.name.clone(), w)
}

#[test]
fn value_at_a_time_both_spellings() {
    let a = parse("fans at 365 >= 1.2e6");
    let b = parse("value(fans, 365) >= 1_200_000");
    assert_eq!(
        single_call(&a),
        call(Func::Value, "fans", Some((365.0, 365.0)))
    );
    assert_eq!(single_call(&b), single_call(&a));
    assert_eq!(a.comparison(), Some((Cmp::Ge, 1.2e6)));
    assert_eq!(a.canonical_text(), "value(fans, 365) >= 1200000");
}

#[test]
fn every_window_aggregate() {
    for (name, func) in [
        ("mean", Func::Mean),
        ("MIN", Func::Min),
        ("max", Func::Max),
        ("sum", Func::Sum),
        ("growth", Func::Growth),
        ("ratio", Func::Ratio),
        ("change", Func::Change),
    ] {
        let t = parse(&format!("{name}(interactions, 335, 365) < 10000"));
        assert_eq!(
            single_call(&t),
            call(func, "interactions", Some((335.0, 365.0)))
        );
        assert_eq!(t.comparison(), Some((Cmp::Lt, 10_000.0)));
    }
}

#[test]
fn numbers_percentages_and_comparisons() {
    let cases = [
        ("fans at 1 >= 20%", Cmp::Ge, 0.2),
        ("fans at 1 > 1.5%", Cmp::Gt, 0.015),
        ("fans at 1 <= 10_000", Cmp::Le, 10_000.0),
        ("fans at 1 < 1e-3", Cmp::Lt, 1e-3),
        ("fans at 1 ≥ -2.5E+2", Cmp::Ge, -250.0),
        ("fans at 1 ≤ .5", Cmp::Le, 0.5),
    ];
    for (text, cmp, threshold) in cases {
        assert_eq!(parse(text).comparison(), Some((cmp, threshold)), "{text}");
    }
}

#[test]
fn engagement_rate_is_arithmetic_over_calls() {
    let t = parse("sum(interactions, 0, 91) / sum(exposures, 0, 91) >= 12%");
    let Spec::Compare {
        metric: Expr::Binary(BinOp::Div, a, b),
        ..
    } = t.spec()
    else {
        panic!("{:?}", t.spec());
    };
    assert!(matches!(&**a, Expr::Call(c) if c.var.name == "interactions" && c.func == Func::Sum));
    assert!(matches!(&**b, Expr::Call(c) if c.var.name == "exposures"));
    assert_eq!(t.variables(), vec!["interactions", "exposures"]);
}

#[test]
fn precedence_and_parentheses_print_back() {
    let cases = [
        (
            "fans at 1 + fans at 2 * 3 >= 0",
            "value(fans, 1) + value(fans, 2) * 3 >= 0",
        ),
        (
            "(fans at 1 + fans at 2) * 3 >= 0",
            "(value(fans, 1) + value(fans, 2)) * 3 >= 0",
        ),
        (
            "fans at 1 - (fans at 2 - fans at 3) >= 0",
            "value(fans, 1) - (value(fans, 2) - value(fans, 3)) >= 0",
        ),
        ("-(fans at 1 - 2) >= 0", "-(value(fans, 1) - 2) >= 0"),
    ];
    for (text, canonical) in cases {
        assert_eq!(parse(text).canonical_text(), canonical);
    }
}

#[test]
fn checkpoint_series_list_and_range() {
    let t = parse("every(growth(fans), [0, 91, 182, 273, 365]) >= 20%");
    let Spec::Every {
        template: Expr::Call(c),
        checkpoints,
        cmp: Cmp::Ge,
        threshold,
    } = t.spec()
    else {
        panic!("{:?}", t.spec());
    };
    assert_eq!((c.func, c.window), (Func::Growth, None));
    let times: Vec<f64> = checkpoints.times.iter().map(|t| t.value).collect();
    assert_eq!(times, [0.0, 91.0, 182.0, 273.0, 365.0]);
    assert_eq!(*threshold, 0.2);

    let r = parse("every(sum(orders) / sum(visits), [0 to 360 by 30]) >= 1.5%");
    let Spec::Every { checkpoints, .. } = r.spec() else {
        panic!()
    };
    let times: Vec<f64> = checkpoints.times.iter().map(|t| t.value).collect();
    let expected: Vec<f64> = (0..=12).map(|k| 30.0 * k as f64).collect();
    assert_eq!(times, expected);
    assert_eq!(
        r.canonical_text(),
        "every(sum(orders) / sum(visits), [0 to 360 by 30]) >= 0.015"
    );
}

#[test]
fn first_passage_and_groups() {
    let t = parse("first(fans >= 1e6) <= 90");
    let Spec::First {
        lhs: Expr::Var(v),
        cond: Cmp::Ge,
        rhs: Expr::Number(n),
        cmp: Cmp::Le,
        threshold,
    } = t.spec()
    else {
        panic!("{:?}", t.spec());
    };
    assert_eq!((v.name.as_str(), *n, *threshold), ("fans", 1e6, 90.0));
    let d = parse("first(fans >= 2 * fans at 0) <= 180");
    assert_eq!(
        d.canonical_text(),
        "first(fans >= 2 * value(fans, 0)) <= 180"
    );

    let g = parse("all(q_growth, \"engagement rate\", Followers_x10)");
    let names: Vec<&str> = g.members().iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["q_growth", "engagement rate", "Followers_x10"]);
    assert!(g.variables().is_empty());
    assert_eq!(g.comparison(), None);
}

#[test]
fn subscripts_and_quoted_names() {
    let t = parse("\"Share of Voice\"[WeChat] at 91 + fans[a, b] at 91 >= 3%");
    assert_eq!(t.variables(), vec!["Share of Voice[WeChat]", "fans[a,b]"]);
}

#[test]
fn canonical_text_parses_back_to_itself() {
    for text in [
        "fans at 365 >= 1.2e6",
        "mean(interactions, 359, 365) > 10_000",
        "-growth(fans, 0, 91) * 2 + 1 <= 5%",
        "every(value(fans) / value(\"market size\"), [0, 91, 182]) >= 3%",
        "first(fans - 2 * (fans at 0) >= 0) < 100",
        "all(a, \"b c\")",
    ] {
        let once = parse(text).canonical_text();
        let twice = parse(&once).canonical_text();
        assert_eq!(once, twice, "{text}");
    }
}

#[test]
fn errors_point_at_the_offending_character() {
    let prefix = "growth = \"";
    let col0 = prefix.chars().count() + 1;
    let cases: [(&str, usize, &str, Option<&str>); 12] = [
        (
            "avg(fans, 0, 91) >= 5",
            0,
            "unknown function `avg`",
            Some("did you mean `mean`?"),
        ),
        (
            "maen(fans, 0, 91) >= 5",
            0,
            "unknown function `maen`",
            Some("did you mean `mean`?"),
        ),
        (
            "mean(fans, 0) >= 5",
            11,
            "`mean` needs a start and an end time",
            None,
        ),
        (
            "fans >= 5",
            0,
            "`fans` needs a time here",
            Some("write `fans at 365`"),
        ),
        (
            "growth(fans) >= 20%",
            7,
            "`growth(fans)` needs times here",
            None,
        ),
        (
            "mean(fans, 91, 0) >= 5",
            15,
            "the window ends at 0 before it starts at 91",
            None,
        ),
        (
            "fans at 365 >= 10,000",
            17,
            "unexpected `,` after the end",
            Some("10_000"),
        ),
        (
            "value(fans, 10,000) >= 5",
            15,
            "too many arguments to `value`",
            Some("10_000"),
        ),
        ("fans at 365 = 5", 12, "`=` is not a comparison", None),
        (
            "fans at 365 >= ",
            15,
            "expected a number to compare with",
            None,
        ),
        (
            "every(growth(fans), [0, 91, 91]) >= 0",
            28,
            "checkpoints must increase",
            None,
        ),
        (
            "mean(fans, 0, 91) >= 5 extra",
            23,
            "unexpected `extra`",
            None,
        ),
    ];
    for (text, offset, message, hint) in cases {
        let ((line, col), e) = err_at(prefix, text);
        assert_eq!((line, col), (2, col0 + offset), "{text}: {e}");
        assert!(e.message.contains(message), "{text}: {}", e.message);
        assert!(e.message.starts_with("target `t`: "), "{}", e.message);
        if let Some(h) = hint {
            let got = e.hint.clone().unwrap_or_default();
            assert!(got.contains(h), "{text}: hint {got:?}");
        }
        let shown = e.to_string();
        assert!(
            shown.starts_with(&format!("study.toml:2:{}: error:", col0 + offset)),
            "{shown}"
        );
    }
}

#[test]
fn errors_on_a_later_line_of_a_multiline_target() {
    let file = Arc::new(SourceFile {
        path: "study.toml".into(),
        text: "t = \"\"\"\nsum(a, 0, 91) /\n  sum(b, 0, 91) >= 12 %\"\"\"\n".into(),
    });
    let start = file.text.find('\n').unwrap_or(0) + 1;
    let text = &file.text[start..file.text.len() - 4];
    let e = Target::parse("t", text, SourceRef::at_offset(&file, start)).expect_err("fails");
    assert_eq!((e.at.line, e.at.col), (3, 23), "{e}");
    assert!(e.message.contains("unexpected character `%`"), "{e}");
}

#[test]
fn more_syntax_errors_have_helpful_messages() {
    let cases = [
        ("", "empty target"),
        ("   ", "empty target"),
        ("\"fans at 365 >= 1", "unterminated quoted name"),
        ("fans at 50% >= 1", "a time cannot be a percentage"),
        ("fans at 365days >= 1", "unexpected `d` after the number"),
        (
            "2 * every(growth(fans), [0, 1]) >= 1",
            "must be the whole left side",
        ),
        ("all(a, b) >= 2", "all(...) takes no comparison"),
        ("every(growth(fans), [0]) >= 1", "at least two checkpoints"),
        (
            "every(growth(fans), [0 to 365 by 30]) >= 1",
            "does not divide",
        ),
        (
            "every(growth(fans, 0, 91), [0, 91]) >= 1",
            "needs a call without times",
        ),
        (
            "every(fans, [0, 91]) >= 1",
            "needs an aggregate inside every",
        ),
        (
            "first(fans at 30 >= 5) < 9",
            "must read a variable over time",
        ),
        ("first(fans) < 9", "expected a comparison"),
        ("3 >= 2", "does not read any variable"),
        ("value(fans, 1, 2) >= 0", "too many arguments to `value`"),
        ("mean(fans, 1, 2, 3) >= 0", "too many arguments to `mean`"),
        ("mean(fans 1) >= 0", "expected `)` closing mean(...)"),
        (
            "sum(avg(fans, 0, 1)) >= 0",
            "`sum` takes a variable name, not a call to `avg`",
        ),
        ("fans at 1 >= 1e999", "too large"),
        ("fans at 1 ^ 2 >= 1", "unexpected character `^`"),
        ("fans at 1 >= 1 and fans at 2 >= 2", "unexpected `and`"),
        ("fans at 1 => 5", "`=` is not a comparison"),
    ];
    for (text, message) in cases {
        let e = parse_err(text);
        assert!(e.message.contains(message), "{text}: got {}", e.message);
    }
    assert_eq!(
        parse_err("fans at 1 => 5").hint.as_deref(),
        Some("did you mean `>=`?")
    );
}

#[test]
fn too_many_calls_is_an_error() {
    let sixty_four = vec!["fans at 1"; MAX_CALLS].join(" + ");
    parse(&format!("{sixty_four} >= 0"));
    let e = parse_err(&format!("{sixty_four} + fans at 1 >= 0"));
    assert!(e.message.contains("at most 64 aggregates"), "{}", e.message);
}

use super::syntax::{BinOp, MAX_CALLS, MAX_DEPTH};

#[test]
fn deep_nesting_is_rejected_without_overflow() {
    let parens = format!(
        "{}fans at 1{} >= 0",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    assert!(parse_err(&parens).message.contains("too deeply nested"));
    let open_only = "(".repeat(100_000);
    assert!(parse_err(&open_only).message.contains("too deeply nested"));
    let minus = format!("{}fans at 1 >= 0", "-".repeat(100_000));
    assert!(parse_err(&minus).message.contains("too deeply nested"));
    let chain = format!("{} >= 0", vec!["1"; 100_000].join(" + "));
    assert!(parse_err(&chain).message.contains("too deeply nested"));
    let calls = format!("first({}fans >= 0) < 1", "(".repeat(100_000));
    assert!(parse_err(&calls).message.contains("too deeply nested"));
    // Just inside the limit still parses.
    let ok = format!(
        "{}fans at 1{} >= 0",
        "(".repeat(MAX_DEPTH - 1),
        ")".repeat(MAX_DEPTH - 1)
    );
    parse(&ok);
}

/// A small deterministic generator for the garbage tests.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn random_expr(rng: &mut XorShift, depth: usize, windowed: bool) -> String {
    let funcs = [
        "value", "mean", "min", "max", "sum", "growth", "ratio", "change",
    ];
    let pick = if depth == 0 {
        rng.below(3)
    } else {
        rng.below(7)
    };
    match pick {
        0 => format!("{}", rng.below(1000) as f64 / 8.0),
        1 | 2 => {
            let f = funcs[rng.below(funcs.len())];
            let var = ["fans", "b", "\"b\""][rng.below(3)];
            let a = rng.below(3);
            let b = a + rng.below(3 - a);
            match (windowed, f) {
                (false, _) => format!("{f}({var})"),
                (true, "value") if rng.below(2) == 0 => format!("{var} at {b}"),
                (true, "value") => format!("value({var}, {b})"),
                (true, _) => format!("{f}({var}, {a}, {b})"),
            }
        }
        3 => format!("-{}", random_expr(rng, depth - 1, windowed)),
        4 => format!("({})", random_expr(rng, depth - 1, windowed)),
        _ => {
            let op = ["+", "-", "*", "/"][rng.below(4)];
            let a = random_expr(rng, depth - 1, windowed);
            let b = random_expr(rng, depth - 1, windowed);
            format!("{a} {op} {b}")
        }
    }
}

fn random_target(rng: &mut XorShift) -> String {
    let cmp = [">=", ">", "<=", "<"][rng.below(4)];
    let threshold = rng.below(200) as f64 / 100.0;
    match rng.below(4) {
        0 => format!(
            "every({}, [0, 1, 2]) {cmp} {threshold}",
            random_expr(rng, 3, false)
        ),
        1 => format!(
            "first(fans {cmp} {}) {cmp} {threshold}",
            random_expr(rng, 2, true)
        ),
        _ => format!("{} {cmp} {threshold}", random_expr(rng, 4, true)),
    }
}

#[test]
fn garbage_never_panics() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let run = crate::simulate::Trajectory {
        names: vec!["fans".into(), "b".into()],
        times: vec![0.0, 1.0, 2.0],
        data: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    };
    let pieces = [
        "fans", "b", "at", "(", ")", "[", "]", ",", "+", "-", "*", "/", ">=", "<", "≤", "1", "0",
        "2.5", "1e3", "20%", "mean", "growth", "value", "every", "first", "all", "to", "by", "\"",
        "粉丝", " ", "_", ".", "=", "e", "%",
    ];
    let mut parsed = 0;
    for round in 0..4000 {
        let text = match round % 4 {
            0 => {
                let len = rng.below(40);
                let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                String::from_utf8_lossy(&bytes).into_owned()
            }
            1 => {
                let len = 1 + rng.below(20);
                (0..len).map(|_| pieces[rng.below(pieces.len())]).collect()
            }
            _ => {
                let mut t = random_target(&mut rng);
                if round % 4 == 3 && !t.is_empty() {
                    // Mutate a well-formed target to reach the error paths deep inside.
                    let mut at = rng.below(t.len());
                    while !t.is_char_boundary(at) {
                        at -= 1;
                    }
                    t.insert_str(at, pieces[rng.below(pieces.len())]);
                }
                t
            }
        };
        if let Ok(t) = Target::parse("g", &text, SourceRef::none()) {
            parsed += 1;
            let _ = t.validate(&run.names, 0.0, 2.0);
            if let Ok(outcome) = t.evaluate(&run) {
                assert!(!(outcome.metric.is_nan() && outcome.success), "{text}");
            }
            let again = Target::parse("g", &t.canonical_text(), SourceRef::none());
            assert_eq!(
                again.map(|a| a.canonical_text()).ok(),
                Some(t.canonical_text()),
                "{text}"
            );
        }
    }
    assert!(
        parsed > 500,
        "the generated targets should mostly parse, got {parsed}"
    );
}

#[test]
fn validate_checks_variables_and_times() {
    let known = vec![
        "fans".to_string(),
        "Market Size".to_string(),
        "reach[wechat]".to_string(),
    ];
    parse("growth(fans, 0, 91) / value(market_size, 365) >= 0")
        .validate(&known, 0.0, 365.0)
        .expect("valid");
    parse("reach[WeChat] at 10 >= 0")
        .validate(&known, 0.0, 365.0)
        .expect("element");
    parse("fans[wechat] at 10 >= 0")
        .validate(&known, 0.0, 365.0)
        .expect("base name known");

    let file = Arc::new(SourceFile {
        path: "study.toml".into(),
        text: "q = \"mean(fanz, 0, 91) >= 5\"\n".into(),
    });
    let t = Target::parse(
        "q",
        "mean(fanz, 0, 91) >= 5",
        SourceRef::at_offset(&file, 5),
    )
    .expect("parses");
    let e = t.validate(&known, 0.0, 365.0).expect_err("unknown");
    assert_eq!((e.at.line, e.at.col), (1, 11));
    assert!(e.message.contains("unknown variable `fanz`"));
    assert_eq!(e.hint.as_deref(), Some("did you mean `fans`?"));

    let e = parse("mean(fans, 0, 400) >= 5")
        .validate(&known, 0.0, 365.0)
        .expect_err("late");
    assert!(
        e.message.contains("time 400 is after the end"),
        "{}",
        e.message
    );
    assert_eq!(e.hint.as_deref(), Some("the model runs from 0 to 365"));
    let e = parse("every(growth(fans), [-1, 91]) >= 5")
        .validate(&known, 0.0, 365.0)
        .expect_err("early");
    assert!(
        e.message.contains("time -1 is before the start"),
        "{}",
        e.message
    );
    let e = parse("first(fans >= 2 * fanz at 0) < 5")
        .validate(&known, 0.0, 365.0)
        .expect_err("var");
    assert!(e.message.contains("`fanz`"));
}

fn set(targets: &[(&str, &str)]) -> Result<TargetSet, Diagnostic> {
    let parsed = targets.iter().map(|(n, t)| parse_named(n, t)).collect();
    TargetSet::new(parsed)
}

fn parse_named(name: &str, text: &str) -> Target {
    Target::parse(name, text, SourceRef::none()).expect("parses")
}

#[test]
fn groups_come_after_their_members() {
    let s = set(&[
        ("everything", "all(growth, reach)"),
        ("growth", "growth(fans, 0, 91) >= 20%"),
        ("reach", "all(Growth, big)"),
        ("big", "fans at 365 >= 1e6"),
    ])
    .expect("valid set");
    assert_eq!(s.evaluation_order(), &[1, 3, 2, 0]);
    assert_eq!(s.members(0), &[1, 2]);
    assert_eq!(s.members(2), &[1, 3]);
    assert_eq!(s.variables(), vec!["fans"]);
    assert_eq!(
        s.get("EVERYTHING").map(|t| t.name.as_str()),
        Some("everything")
    );
}

#[test]
fn unknown_members_duplicates_and_cycles_are_reported() {
    let e = set(&[
        ("a", "fans at 1 >= 0"),
        ("g", "all(a, b_target)"),
        ("b_targte", "fans at 2 >= 0"),
    ])
    .expect_err("unknown");
    assert!(
        e.message.contains("unknown target `b_target`"),
        "{}",
        e.message
    );
    assert_eq!(e.hint.as_deref(), Some("did you mean `b_targte`?"));

    let e = set(&[("a", "fans at 1 >= 0"), ("A", "fans at 2 >= 0")]).expect_err("dup");
    assert!(e.message.contains("two targets are named `A`"));

    let e = set(&[
        ("x", "all(y)"),
        ("y", "all(z, leaf)"),
        ("z", "all(x)"),
        ("leaf", "fans at 1 >= 0"),
    ])
    .expect_err("cycle");
    assert!(e.message.contains("cycle: x → y → z → x"), "{}", e.message);

    let e = set(&[("me", "all(me)")]).expect_err("self");
    assert!(e.message.contains("cycle: me → me"), "{}", e.message);
}

#[test]
fn the_documented_examples_parse_and_the_error_example_matches() {
    let doc = include_str!("../../docs/targets.md");
    let kpis = doc.split("## The business KPIs").nth(1).unwrap_or("");
    let kpis = kpis.split("## Syntax").next().unwrap_or("");
    let mut count = 0;
    for line in kpis
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains(" | `"))
    {
        let Some(text) = line
            .rsplit(" | `")
            .next()
            .and_then(|t| t.strip_suffix("` |"))
        else {
            continue;
        };
        Target::parse("doc", text, SourceRef::none()).unwrap_or_else(|e| panic!("{text}: {e}"));
        count += 1;
    }
    assert!(count >= 11, "found {count} examples");

    let text = "avg(interactions, 0, 91) / mean(exposures, 0, 91) >= 12%";
    let file = Arc::new(SourceFile {
        path: "study.toml".into(),
        text: format!("{}engagement = \"{text}\"\n", "\n".repeat(11)),
    });
    let start = file.text.find("avg(").unwrap_or(0);
    let e = Target::parse("engagement", text, SourceRef::at_offset(&file, start)).expect_err("bad");
    let shown = e.to_string();
    let expected = format!(
        "study.toml:12:15: error: target `engagement`: unknown function `avg`\n   \
         12 | engagement = \"{text}\"\n      |               ^\n  hint: did you mean `mean`?"
    );
    assert_eq!(shown, expected);
}
