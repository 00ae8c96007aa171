//! Property-based tests: printing an equation and parsing it back gives the same tree;
//! material is conserved in closed stock chains; the probability of `x >= threshold` never
//! rises with the threshold.

use crate::util::*;
use proptest::prelude::*;
use sandtable::equation::print::to_text;
use sandtable::equation::{parse, BinOp, Node, NodeKind, Subscript, UnOp};
use sandtable::model::Method;
use sandtable::simulate::Simulation;
use sandtable::targets::Target;

fn node(kind: NodeKind) -> Node {
    Node { kind, span: 0..0 }
}

/// The tree with every span cleared, for comparing trees parsed from different texts.
fn strip(n: &Node) -> Node {
    let kind = match &n.kind {
        NodeKind::Number(v) => NodeKind::Number(*v),
        NodeKind::Var { name, subscripts } => NodeKind::Var {
            name: name.clone(),
            subscripts: subscripts.iter().map(strip_subscript).collect(),
        },
        NodeKind::Unary(op, a) => NodeKind::Unary(*op, Box::new(strip(a))),
        NodeKind::Binary(op, a, b) => NodeKind::Binary(*op, Box::new(strip(a)), Box::new(strip(b))),
        NodeKind::If(c, a, b) => {
            NodeKind::If(Box::new(strip(c)), Box::new(strip(a)), Box::new(strip(b)))
        }
        NodeKind::Call { name, args, .. } => NodeKind::Call {
            name: name.clone(),
            name_span: 0..0,
            args: args.iter().map(strip).collect(),
        },
    };
    node(kind)
}

fn strip_subscript(s: &Subscript) -> Subscript {
    match s {
        Subscript::Name(n, _) => Subscript::Name(n.clone(), 0..0),
        Subscript::Wildcard(_) => Subscript::Wildcard(0..0),
        Subscript::StarRange(n, _) => Subscript::StarRange(n.clone(), 0..0),
        Subscript::Range(lo, hi) => {
            Subscript::Range(Box::new(strip_subscript(lo)), Box::new(strip_subscript(hi)))
        }
        Subscript::Expr(e) => Subscript::Expr(Box::new(strip(e))),
    }
}

const KEYWORDS: [&str; 7] = ["if", "then", "else", "and", "or", "not", "mod"];

fn ident() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,6}".prop_filter("keyword", |s| !KEYWORDS.contains(&s.as_str()))
}

fn number() -> impl Strategy<Value = f64> {
    // Literals are never negative (a minus sign is a unary operator) and always finite.
    any::<f64>().prop_filter("finite, sign positive", |v| {
        v.is_finite() && v.is_sign_positive()
    })
}

fn binop() -> impl Strategy<Value = BinOp> {
    prop::sample::select(vec![
        BinOp::Pow,
        BinOp::Mul,
        BinOp::Div,
        BinOp::Mod,
        BinOp::Add,
        BinOp::Sub,
        BinOp::Lt,
        BinOp::Le,
        BinOp::Gt,
        BinOp::Ge,
        BinOp::Eq,
        BinOp::Ne,
        BinOp::And,
        BinOp::Or,
    ])
}

fn tree() -> impl Strategy<Value = Node> {
    let name = || ident().prop_map(|n| Subscript::Name(n, 0..0));
    let subscript = prop_oneof![
        name(),
        Just(Subscript::Wildcard(0..0)),
        ident().prop_map(|n| Subscript::StarRange(n, 0..0)),
        (name(), name()).prop_map(|(lo, hi)| Subscript::Range(Box::new(lo), Box::new(hi))),
        // A computed position: a sum is never read back as a plain name.
        (ident(), number()).prop_map(|(n, v)| Subscript::Expr(Box::new(node(NodeKind::Binary(
            BinOp::Add,
            Box::new(node(NodeKind::Var {
                name: n,
                subscripts: Vec::new()
            })),
            Box::new(node(NodeKind::Number(v)))
        ))))),
    ];
    let leaf = prop_oneof![
        number().prop_map(|v| node(NodeKind::Number(v))),
        (ident(), prop::collection::vec(subscript, 0..3))
            .prop_map(|(name, subscripts)| node(NodeKind::Var { name, subscripts })),
    ];
    leaf.prop_recursive(5, 48, 3, |inner| {
        prop_oneof![
            (prop::bool::ANY, inner.clone()).prop_map(|(neg, a)| {
                let op = if neg { UnOp::Neg } else { UnOp::Not };
                node(NodeKind::Unary(op, Box::new(a)))
            }),
            (binop(), inner.clone(), inner.clone()).prop_map(|(op, a, b)| node(NodeKind::Binary(
                op,
                Box::new(a),
                Box::new(b)
            ))),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, a, b)| node(NodeKind::If(
                Box::new(c),
                Box::new(a),
                Box::new(b)
            ))),
            (ident(), prop::collection::vec(inner, 0..3)).prop_map(|(name, args)| node(
                NodeKind::Call {
                    name,
                    name_span: 0..0,
                    args,
                }
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn printed_equations_parse_back_to_the_same_tree(t in tree()) {
        let text = to_text(&t);
        let back = parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {}", e.message)))?;
        prop_assert_eq!(strip(&back), t);
        prop_assert_eq!(to_text(&back), text);
    }
}

fn method(k: u8) -> (Method, &'static str) {
    match k % 3 {
        0 => (Method::Euler, "euler"),
        1 => (Method::Rk2, "rk2"),
        _ => (Method::Rk4, "rk4"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Stocks in a ring pass material on at their own rates; nothing enters or leaves, so the
    /// total is the initial total at every saved time, with every integration method.
    #[test]
    fn a_closed_chain_of_stocks_conserves_its_total(
        chain in prop::collection::vec((0.0f64..1000.0, 0.0f64..2.0), 2..6),
        m in 0u8..3,
    ) {
        let (meth, _) = method(m);
        let n = chain.len();
        let mut text = String::from("[sim]\nstart = 0\nstop = 10\ndt = 0.25\n[stocks]\n");
        for (i, (initial, _)) in chain.iter().enumerate() {
            let prev = (i + n - 1) % n;
            text.push_str(&format!(
                "s{i} = {{ initial = {initial:?}, inflows = [\"f{prev}\"], outflows = [\"f{i}\"] }}\n"
            ));
        }
        text.push_str("[flows]\n");
        for (i, (_, rate)) in chain.iter().enumerate() {
            text.push_str(&format!("f{i} = \"{rate:?} * s{i}\"\n"));
        }
        let traj = run(&text, meth);
        let total0: f64 = chain.iter().map(|c| c.0).sum();
        let columns: Vec<Vec<f64>> = (0..n).map(|i| series(&traj, &format!("s{i}"))).collect();
        for row in 0..traj.len() {
            let total: f64 = columns.iter().map(|c| c[row]).sum();
            prop_assert!(
                (total - total0).abs() <= 1e-9 * total0.max(1.0),
                "row {row}: total {total} vs {total0}"
            );
        }
    }

    /// For any set of runs, raising the threshold of `x at T >= threshold` never adds a
    /// success, and `<=` the reverse.
    #[test]
    fn the_probability_of_reaching_a_threshold_never_rises_with_it(
        rates in prop::collection::vec(-0.5f64..0.5, 1..40),
        mut thresholds in prop::collection::vec(0.0f64..500.0, 2..8),
    ) {
        let prog = program(
            "[sim]\nstart = 0\nstop = 5\ndt = 0.5\n[stocks]\nx = { initial = 100, inflows = [\"g\"] }\n\
             [flows]\ng = \"r * x\"\n[constants]\nr = { value = 0 }\n",
        );
        let r = prog.params.iter().position(|p| p.name == "r").expect("param r");
        let mut sim = Simulation::new(&prog);
        let runs: Vec<_> = rates
            .iter()
            .map(|&rate| {
                sim.set_param(r, rate);
                sim.run().expect("run")
            })
            .collect();
        thresholds.sort_by(f64::total_cmp);
        let share = |cmp: &str, t: f64| {
            let target = Target::parse("t", &format!("x at 5 {cmp} {t:?}"), Default::default())
                .expect("target");
            runs.iter().filter(|run| target.evaluate(run).expect("evaluate").success).count()
        };
        for &t in &thresholds {
            // Exactly the runs that miss `>= t` meet `< t`.
            prop_assert_eq!(share(">=", t) + share("<", t), runs.len());
        }
        for w in thresholds.windows(2) {
            prop_assert!(share(">=", w[1]) <= share(">=", w[0]), "{:?}", w);
            prop_assert!(share("<=", w[1]) >= share("<=", w[0]), "{:?}", w);
        }
    }
}
