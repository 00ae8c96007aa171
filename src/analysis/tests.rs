//! Feedback loops of small models whose loops and polarities are known by hand.

use super::{feedback_loops, CausalGraph, LoopReport, Polarity};
use crate::diagnostic::SourceFile;
use crate::model::{toml_file, Model};
use std::sync::Arc;
use Polarity::{Negative as N, Positive as P, Unknown as U};

/// Parses TOML model text and checks that it compiles, so every model here is a valid one.
fn model(text: &str) -> Model {
    let file = Arc::new(SourceFile {
        path: "test.toml".into(),
        text: text.into(),
    });
    let model = toml_file::parse(&file, "test").unwrap_or_else(|e| panic!("{e}"));
    if let Err(e) = crate::compile::compile(&model) {
        panic!("{e}");
    }
    model
}

/// Each loop as (label, "a → b → a").
fn summary(report: &LoopReport) -> Vec<(&'static str, String)> {
    report
        .loops
        .iter()
        .map(|l| (l.polarity.loop_label(), l.path()))
        .collect()
}

const SIM: &str = "[sim]\nstart = 0\nstop = 10\ndt = 0.25\n";

#[test]
fn bass_has_word_of_mouth_and_saturation_loops() {
    let m = model(include_str!("../../models/bass.toml"));
    let report = feedback_loops(&m, 200);
    assert_eq!(
        summary(&report),
        [
            ("R", "followers → adoption → followers".to_string()),
            ("B", "potential → adoption → potential".to_string()),
        ]
    );
    assert!(!report.truncated);
    assert_eq!(report.loops[1].links, [P, N]);
    let g = CausalGraph::build(&m);
    assert_eq!(g.polarity("market_size", "adoption"), Some(N));
    assert_eq!(g.polarity("q", "adoption"), Some(P));
    // The initial value `market_size` of `potential` is not a causal link.
    assert_eq!(g.polarity("market_size", "potential"), None);
    assert_eq!(g.polarity("followers", "adoption_share"), Some(P));
}

#[test]
fn bass_with_named_word_of_mouth_is_a_three_link_loop() {
    let text = format!(
        r#"{SIM}
[stocks]
potential = {{ initial = 1000, outflows = ["adoption"] }}
followers = {{ initial = 0, inflows = ["adoption"] }}
[flows]
adoption = "p * potential + word_of_mouth"
[aux]
word_of_mouth = "q * followers * potential / market_size"
[constants]
p = 0.03
q = 0.38
market_size = 1000
"#
    );
    let report = feedback_loops(&model(&text), 200);
    assert_eq!(
        summary(&report),
        [
            ("B", "potential → adoption → potential".to_string()),
            (
                "R",
                "followers → word_of_mouth → adoption → followers".to_string()
            ),
            (
                "B",
                "potential → word_of_mouth → adoption → potential".to_string()
            ),
        ]
    );
    assert_eq!(report.count(P), 1);
    assert_eq!(report.count(N), 2);
}

#[test]
fn goal_seeking_through_a_smooth_is_balancing() {
    let text = format!(
        r#"{SIM}
[stocks]
inventory = {{ initial = 10, inflows = ["production"] }}
[flows]
production = "(goal - perceived) / adjustment_time"
[aux]
perceived = "SMTH1(inventory, 2)"
baseline = "INIT(inventory)"
[constants]
goal = 100
adjustment_time = 4
"#
    );
    let report = feedback_loops(&model(&text), 200);
    assert_eq!(
        summary(&report),
        [(
            "B",
            "inventory → perceived → production → inventory".to_string()
        )]
    );
    assert_eq!(report.loops[0].links, [P, N, P]);
    let g = CausalGraph::build(&model(&text));
    assert_eq!(g.polarity("inventory", "baseline"), None);
}

#[test]
fn decreasing_lookup_flips_the_sign() {
    for (call, label) in [
        ("crowding_effect(crowding)", "B"),
        ("LOOKUP(crowding_effect, crowding)", "B"),
        ("rising(crowding)", "R"),
    ] {
        let text = format!(
            r#"{SIM}
[stocks]
population = {{ initial = 100, inflows = ["births"] }}
[flows]
births = "0.1 * population * multiplier"
[aux]
crowding = "population / capacity"
multiplier = "{call}"
[constants]
capacity = 1000
[lookups]
crowding_effect = {{ x = [0, 1, 2], y = [1, 0.5, 0] }}
rising = {{ x = [0, 1, 2], y = [0, 1, 1] }}
"#
        );
        let report = feedback_loops(&model(&text), 200);
        assert_eq!(
            summary(&report),
            [
                ("R", "population → births → population".to_string()),
                (
                    label,
                    "population → crowding → multiplier → births → population".to_string()
                ),
            ],
            "{call}"
        );
    }
}

#[test]
fn graphical_function_on_a_variable_passes_its_direction() {
    let text = format!(
        r#"{SIM}
[stocks]
population = {{ initial = 100, inflows = ["births"] }}
[flows]
births = "0.1 * multiplier"
[aux]
multiplier = {{ equation = "population / 1000", gf = {{ x = [0, 1, 2], y = [1, 0.5, 0] }} }}
"#
    );
    let report = feedback_loops(&model(&text), 200);
    assert_eq!(
        summary(&report),
        [(
            "B",
            "population → multiplier → births → population".to_string()
        )]
    );
}

#[test]
fn a_condition_makes_the_loop_undetermined() {
    let text = format!(
        r#"{SIM}
[stocks]
level = {{ initial = 0, inflows = ["fill"] }}
[flows]
fill = "IF level < 10 THEN rate ELSE 0"
[constants]
rate = 2
"#
    );
    let m = model(&text);
    let report = feedback_loops(&m, 200);
    assert_eq!(
        summary(&report),
        [("?", "level → fill → level".to_string())]
    );
    assert_eq!(report.loops[0].links, [U, P]);
    assert_eq!(CausalGraph::build(&m).polarity("rate", "fill"), Some(P));
}

#[test]
fn an_arrayed_variable_is_one_node() {
    let text = format!(
        r#"{SIM}
[dimensions]
platform = ["douyin", "xiaohongshu", "private"]
[stocks]
fans = {{ dims = ["platform"], initial = [100, 50, 10], inflows = ["gain"], outflows = ["loss"] }}
[flows]
gain = {{ dims = ["platform"], equation = "reach[platform] * (1 + 0.1 * SUM(fans[*]) / 1000) + spill * (total - fans)" }}
loss = {{ dims = ["platform"], equation = {{ douyin = "0.02 * fans[douyin]", xiaohongshu = "0.03 * fans[xiaohongshu]", private = "0.01 * fans[private]" }} }}
[aux]
total = "SUM(fans)"
[constants]
reach = {{ dims = ["platform"], value = [5, 3, 1] }}
spill = 0.001
"#
    );
    let report = feedback_loops(&model(&text), 200);
    // `gain` rises with the total of fans but falls with its own platform's fans.
    assert_eq!(
        summary(&report),
        [
            ("?", "fans → gain → fans".to_string()),
            ("B", "fans → loss → fans".to_string()),
            ("R", "fans → total → gain → fans".to_string()),
        ]
    );
}

#[test]
fn mixed_signs_across_elements_are_unknown() {
    let text = format!(
        r#"{SIM}
[dimensions]
side = ["left", "right"]
[stocks]
level = {{ dims = ["side"], initial = 1, inflows = ["change"] }}
[flows]
change = {{ dims = ["side"], equation = {{ left = "0.1 * level[left]", right = "-0.1 * level[right]" }} }}
"#
    );
    let report = feedback_loops(&model(&text), 200);
    assert_eq!(
        summary(&report),
        [("?", "level → change → level".to_string())]
    );
}

#[test]
fn previous_of_itself_is_a_one_link_loop() {
    let text = format!(
        r#"{SIM}
[aux]
count = "PREVIOUS(count, 0) + 1"
"#
    );
    let report = feedback_loops(&model(&text), 200);
    assert_eq!(summary(&report), [("R", "count → count".to_string())]);
}

#[test]
fn open_chains_have_no_loops() {
    let text = format!(
        r#"{SIM}
[stocks]
tank = {{ initial = "inflow * 2", inflows = ["inflow"], outflows = ["outflow"] }}
[flows]
inflow = "rate * (1 + SIN(TIME))"
outflow = "0.5 * rate"
[constants]
rate = 3
"#
    );
    let report = feedback_loops(&model(&text), 200);
    assert!(report.loops.is_empty());
    assert!(!report.truncated);
    let g = CausalGraph::build(&model(&text));
    assert_eq!(g.polarity("outflow", "tank"), Some(N));
    assert_eq!(g.polarity("inflow", "tank"), Some(P));
    assert_eq!(g.links.len(), 4);
}

#[test]
fn the_cap_keeps_the_first_loops_in_order() {
    let flows: Vec<String> = (1..=12).map(|i| format!("\"f{i}\"")).collect();
    let mut text = format!(
        "{SIM}[stocks]\ns = {{ initial = 1, inflows = [{}] }}\n[flows]\n",
        flows.join(", ")
    );
    for i in 1..=12 {
        text.push_str(&format!("f{i} = \"0.01 * s\"\n"));
    }
    let m = model(&text);
    let all = feedback_loops(&m, 12);
    assert_eq!(all.loops.len(), 12);
    assert!(!all.truncated);
    let capped = feedback_loops(&m, 5);
    assert!(capped.truncated);
    let names: Vec<&str> = capped
        .loops
        .iter()
        .map(|l| l.variables[1].as_str())
        .collect();
    assert_eq!(names, ["f1", "f10", "f11", "f12", "f2"]);
    assert_eq!(capped.loops[..], all.loops[..5]);
    assert!(feedback_loops(&m, 0).loops.is_empty());
    assert!(feedback_loops(&m, 0).truncated);
}

#[test]
fn unparsable_equations_are_skipped() {
    // Not a compiled model: the analysis must still not fail.
    let file = Arc::new(SourceFile {
        path: "bad.toml".into(),
        text: format!("{SIM}[aux]\na = \"b +\"\nb = \"a * 2\"\n"),
    });
    let m = toml_file::parse(&file, "bad").unwrap_or_else(|e| panic!("{e}"));
    let report = feedback_loops(&m, 10);
    assert!(report.loops.is_empty());
    assert_eq!(CausalGraph::build(&m).polarity("a", "b"), Some(P));
}

/// Seven stocks with a flow between every pair have far more loops than the search holds;
/// the listing must still start with the shortest ones, from every part of the model.
#[test]
fn the_shortest_loops_are_listed_when_there_are_too_many() {
    let n = 7;
    let mut text = format!("{SIM}[stocks]\n");
    for i in 0..n {
        let ins: Vec<String> = (0..n)
            .filter(|&j| j != i)
            .map(|j| format!("\"f{j}_{i}\""))
            .collect();
        let outs: Vec<String> = (0..n)
            .filter(|&j| j != i)
            .map(|j| format!("\"f{i}_{j}\""))
            .collect();
        text.push_str(&format!(
            "s{i} = {{ initial = 1, inflows = [{}], outflows = [{}] }}\n",
            ins.join(", "),
            outs.join(", ")
        ));
    }
    text.push_str("[flows]\n");
    for i in 0..n {
        for j in (0..n).filter(|&j| j != i) {
            text.push_str(&format!("f{i}_{j} = \"0.01 * s{i} / (1 + s{j})\"\n"));
        }
    }
    let report = feedback_loops(&model(&text), 200);
    assert!(report.truncated);
    assert_eq!(report.loops.len(), 200);
    // Each flow drains its source (s_i → f_i_j → s_i) and is held back by its destination
    // (s_j → f_i_j → s_j): 2·42 balancing two-link loops. Each pair of stocks then exchanges
    // through both its flows, in either direction: 42 reinforcing four-link loops. The list
    // goes on with six-link loops.
    let twos = 2 * n * (n - 1);
    let fours = n * (n - 1);
    let lengths: Vec<usize> = report.loops.iter().map(|l| l.len()).collect();
    assert!(lengths[..twos].iter().all(|&k| k == 2));
    assert!(lengths[twos..twos + fours].iter().all(|&k| k == 4));
    assert!(lengths[twos + fours..].iter().all(|&k| k == 6));
    assert!(report.loops[..twos].iter().all(|l| l.polarity == N));
    assert!(report.loops[twos..twos + fours]
        .iter()
        .all(|l| l.polarity == P));
    assert_eq!(report.loops[twos].path(), "s0 → f0_1 → s1 → f1_0 → s0");
}
