//! Link polarity: the sign of ∂b/∂a read from b's equation, every quantity taken as positive.
//!
//! The rules, applied on the way down the syntax tree from the equation's root to each
//! reference: `+`, `*`, the numerator of `/`, EXP, LN, SQRT, MIN/MAX, SUM/MEAN, smooths and
//! delays keep the sign; unary minus, the right side of `-` and the denominator of `/` flip it;
//! a factor that is visibly negative (a negative number, a negated term) flips it; a graphical
//! function passes on its monotone direction; conditions, comparisons and non-monotone
//! functions make it unknown. A variable reached along paths of different signs is unknown.

use crate::equation::builtins::{Builtin, Drive, Effect};
use crate::equation::{BinOp, Node, NodeKind, UnOp};
use crate::model::names::canonical;
use crate::model::GraphicalFunction;
use std::collections::BTreeMap;
use std::fmt;

/// The sign of a causal link, or of a feedback loop (the product of its links' signs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Polarity {
    /// Same direction: more of the cause, more of the effect. A positive loop reinforces.
    Positive,
    /// Opposite direction: more of the cause, less of the effect. A negative loop balances.
    Negative,
    /// Depends on the state of the model, or cannot be read from the equation.
    Unknown,
}

impl Polarity {
    /// The sign of a chain of two links.
    pub fn times(self, other: Polarity) -> Polarity {
        use Polarity::*;
        match (self, other) {
            (Unknown, _) | (_, Unknown) => Unknown,
            (a, b) if a == b => Positive,
            _ => Negative,
        }
    }

    /// The opposite sign; unknown stays unknown.
    pub fn flip(self) -> Polarity {
        self.times(Polarity::Negative)
    }

    /// The sign of two parallel paths from one cause: known only when they agree.
    pub fn merge(self, other: Polarity) -> Polarity {
        if self == other {
            self
        } else {
            Polarity::Unknown
        }
    }

    /// `+`, `−` or `?`, as drawn on causal-loop diagrams.
    pub fn symbol(self) -> &'static str {
        match self {
            Polarity::Positive => "+",
            Polarity::Negative => "−",
            Polarity::Unknown => "?",
        }
    }

    /// The loop label: `R` (reinforcing), `B` (balancing) or `?` (undetermined).
    pub fn loop_label(self) -> &'static str {
        match self {
            Polarity::Positive => "R",
            Polarity::Negative => "B",
            Polarity::Unknown => "?",
        }
    }
}

impl fmt::Display for Polarity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// The direction of a graphical function: rising ys `+`, falling `−`, flat or mixed `?`.
pub fn monotone(gf: &GraphicalFunction) -> Polarity {
    let (mut up, mut down) = (false, false);
    for pair in gf.ys.windows(2) {
        let d = pair[1] - pair[0];
        if d > 0.0 {
            up = true;
        } else if d < 0.0 {
            down = true;
        } else if d.is_nan() {
            return Polarity::Unknown;
        }
    }
    match (up, down) {
        (true, false) => Polarity::Positive,
        (false, true) => Polarity::Negative,
        _ => Polarity::Unknown,
    }
}

/// How the names of an equation resolve, as far as causal links are concerned.
pub(crate) trait Names {
    /// The graph node of the model variable `name` refers to by value.
    fn variable(&self, name: &str) -> Option<usize>;
    /// The direction of `name`'s graphical function, when `name(x)` applies a table.
    fn table(&self, name: &str) -> Option<Polarity>;
}

/// Adds the polarity of every link an equation makes into `out` (node → polarity), merging
/// with what is already there (per-element equations of one variable share one map).
pub(crate) fn link_polarities(root: &Node, names: &dyn Names, out: &mut BTreeMap<usize, Polarity>) {
    // An explicit work list: a long sum parses into a deep left-leaning tree.
    let mut work: Vec<(&Node, Polarity)> = vec![(root, Polarity::Positive)];
    while let Some((node, sign)) = work.pop() {
        match &node.kind {
            NodeKind::Number(_) => {}
            NodeKind::Var { name, subscripts } => {
                if let Some(i) = names.variable(name) {
                    out.entry(i)
                        .and_modify(|p| *p = p.merge(sign))
                        .or_insert(sign);
                }
                // A computed subscript picks which element: a link of no known sign.
                for s in subscripts {
                    if let crate::equation::Subscript::Expr(e) = s {
                        work.push((e, Polarity::Unknown));
                    }
                }
            }
            NodeKind::Unary(UnOp::Neg, a) => work.push((a, sign.flip())),
            NodeKind::Unary(UnOp::Not, a) => work.push((a, Polarity::Unknown)),
            NodeKind::Binary(op, a, b) => {
                let (sa, sb) = match op {
                    BinOp::Add => (sign, sign),
                    BinOp::Sub => (sign, sign.flip()),
                    BinOp::Mul => (sign.times(factor(b)), sign.times(factor(a))),
                    BinOp::Div => (sign.times(factor(b)), sign.flip().times(factor(a))),
                    BinOp::Pow => (sign.times(exponent_effect(b)), sign.times(base_effect(a))),
                    _ => (Polarity::Unknown, Polarity::Unknown),
                };
                work.push((a, sa));
                work.push((b, sb));
            }
            // The branches act with their own signs; only the condition switches.
            NodeKind::If(c, a, b) => {
                work.push((c, Polarity::Unknown));
                work.push((a, sign));
                work.push((b, sign));
            }
            NodeKind::Call { name, args, .. } => {
                if args.len() == 1 {
                    if let Some(dir) = names.table(name) {
                        work.push((&args[0], sign.times(dir)));
                        continue;
                    }
                }
                call(&canonical(name), args, sign, names, &mut work);
            }
        }
    }
}

/// Pushes the arguments of a builtin call with their signs; arguments that only set initial
/// values or the number of stages are not causal and are left out.
fn call<'a>(
    key: &str,
    args: &'a [Node],
    sign: Polarity,
    names: &dyn Names,
    work: &mut Vec<(&'a Node, Polarity)>,
) {
    use Polarity::Unknown;
    let effect = |e: &Effect| match e {
        Effect::Same => sign,
        Effect::Opposite => sign.flip(),
        Effect::Unknown => Unknown,
    };
    // Sign of each argument position; positions past the list are not causal.
    let Some(builtin) = Builtin::from_name(key) else {
        return work.extend(args.iter().map(|a| (a, Unknown)));
    };
    let signs: Vec<Polarity> = match builtin.spec().drive {
        Drive::Args(effects) => effects.iter().map(effect).collect(),
        Drive::EachSame => vec![sign; args.len()],
        Drive::Nothing => Vec::new(),
        Drive::Quotient => match args {
            [a, b, ..] => vec![sign.times(factor(b)), sign.flip().times(factor(a)), sign],
            _ => vec![Unknown; args.len()],
        },
        Drive::Table => {
            let dir = match args.first().map(|a| &a.kind) {
                Some(NodeKind::Var { name, .. }) => names.table(name).unwrap_or(Unknown),
                _ => Unknown,
            };
            if let Some(x) = args.get(1) {
                work.push((x, sign.times(dir)));
            }
            return;
        }
        Drive::Unknown => vec![Unknown; args.len()],
    };
    for (arg, s) in args.iter().zip(signs) {
        work.push((arg, s));
    }
}

/// How a factor scales the other side of a product: flips when visibly negative, otherwise it
/// counts as a positive quantity.
fn factor(node: &Node) -> Polarity {
    match value_sign(node, 0) {
        Polarity::Negative => Polarity::Negative,
        _ => Polarity::Positive,
    }
}

/// Sign of ∂(a^b)/∂a = b·a^(b−1) for positive a: the sign of the exponent.
fn exponent_effect(b: &Node) -> Polarity {
    match constant(b, 0) {
        Some(e) if e == 0.0 || e.is_nan() => Polarity::Unknown,
        Some(_) | None => factor(b),
    }
}

/// Sign of ∂(a^b)/∂b = a^b·ln a: known only for a constant base.
fn base_effect(a: &Node) -> Polarity {
    match constant(a, 0) {
        Some(base) if base > 1.0 => Polarity::Positive,
        Some(base) if base > 0.0 && base < 1.0 => Polarity::Negative,
        _ => Polarity::Unknown,
    }
}

/// Deepest a sign or constant is looked for; below it the value counts as unknown.
const VALUE_DEPTH: usize = 64;

/// The sign of an expression's value when every variable is positive.
fn value_sign(node: &Node, depth: usize) -> Polarity {
    use Polarity::*;
    if depth > VALUE_DEPTH {
        return Unknown;
    }
    if let Some(v) = constant(node, depth) {
        return if v > 0.0 {
            Positive
        } else if v < 0.0 {
            Negative
        } else {
            Unknown
        };
    }
    let d = depth + 1;
    match &node.kind {
        NodeKind::Var { .. } => Positive,
        NodeKind::Unary(UnOp::Neg, a) => value_sign(a, d).flip(),
        NodeKind::Binary(BinOp::Add, a, b) => value_sign(a, d).merge(value_sign(b, d)),
        NodeKind::Binary(BinOp::Sub, a, b) => value_sign(a, d).merge(value_sign(b, d).flip()),
        NodeKind::Binary(BinOp::Mul | BinOp::Div, a, b) => value_sign(a, d).times(value_sign(b, d)),
        NodeKind::If(_, a, b) => value_sign(a, d).merge(value_sign(b, d)),
        _ => Unknown,
    }
}

/// The value of an expression made of numbers only.
fn constant(node: &Node, depth: usize) -> Option<f64> {
    if depth > VALUE_DEPTH {
        return None;
    }
    let d = depth + 1;
    let v = match &node.kind {
        NodeKind::Number(v) => *v,
        NodeKind::Unary(UnOp::Neg, a) => -constant(a, d)?,
        NodeKind::Binary(op, a, b) => {
            let (x, y) = (constant(a, d)?, constant(b, d)?);
            match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::Div => x / y,
                BinOp::Pow => x.powf(y),
                _ => return None,
            }
        }
        _ => return None,
    };
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::equation::parse;
    use crate::model::GfKind;

    /// Names: `a`, `b`, `c` are variables 0, 1, 2; `up` and `down` are tables.
    struct Abc;

    impl Names for Abc {
        fn variable(&self, name: &str) -> Option<usize> {
            ["a", "b", "c"].iter().position(|n| *n == canonical(name))
        }
        fn table(&self, name: &str) -> Option<Polarity> {
            match canonical(name).as_str() {
                "up" => Some(Polarity::Positive),
                "down" => Some(Polarity::Negative),
                _ => None,
            }
        }
    }

    fn links(text: &str) -> Vec<(usize, Polarity)> {
        let node = parse(text).unwrap_or_else(|e| panic!("{text}: {}", e.message));
        let mut out = BTreeMap::new();
        link_polarities(&node, &Abc, &mut out);
        out.into_iter().collect()
    }

    use Polarity::{Negative as N, Positive as P, Unknown as U};

    #[test]
    fn arithmetic_signs() {
        assert_eq!(links("a + b * c"), [(0, P), (1, P), (2, P)]);
        assert_eq!(links("(a - b) / c"), [(0, P), (1, N), (2, N)]);
        assert_eq!(links("-a"), [(0, N)]);
        assert_eq!(links("-0.5 * a"), [(0, N)]);
        assert_eq!(links("a * (1 - 3)"), [(0, N)]);
        assert_eq!(links("a * -b"), [(0, N), (1, N)]);
        assert_eq!(links("a - -b"), [(0, P), (1, P)]);
        assert_eq!(links("1 / (1 + a)"), [(0, N)]);
        assert_eq!(links("a ^ 2 + 2 ^ b + 0.5 ^ c"), [(0, P), (1, P), (2, N)]);
        assert_eq!(links("a ^ -1"), [(0, N)]);
        assert_eq!(links("a ^ b"), [(0, P), (1, U)]);
    }

    #[test]
    fn mixed_paths_are_unknown() {
        assert_eq!(links("a * (1 - a)"), [(0, U)]);
        assert_eq!(links("a + a"), [(0, P)]);
        assert_eq!(links("a - a / b"), [(0, U), (1, P)]);
    }

    #[test]
    fn functions() {
        assert_eq!(links("EXP(a) + LN(b) + SQRT(c)"), [(0, P), (1, P), (2, P)]);
        assert_eq!(links("MIN(a, 1 / b)"), [(0, P), (1, N)]);
        assert_eq!(links("SIN(a)"), [(0, U)]);
        assert_eq!(links("SMTH1(a, b, c)"), [(0, P), (1, U)]);
        assert_eq!(links("DELAY3(-a, 2)"), [(0, N)]);
        assert_eq!(links("INIT(a) + PREVIOUS(b, c)"), [(1, P)]);
        assert_eq!(links("XIDZ(a, b, c)"), [(0, P), (1, N), (2, P)]);
        assert_eq!(links("up(a) + down(b)"), [(0, P), (1, N)]);
        assert_eq!(links("down(1 / a)"), [(0, P)]);
        assert_eq!(links("LOOKUP(down, a)"), [(0, N)]);
        assert_eq!(links("TIME * a + DT"), [(0, P)]);
    }

    #[test]
    fn conditions() {
        assert_eq!(links("IF a > b THEN c ELSE 0"), [(0, U), (1, U), (2, P)]);
        assert_eq!(links("IF TIME > 5 THEN a ELSE -a"), [(0, U)]);
        assert_eq!(links("IF_THEN_ELSE(c, a, 2 * a)"), [(0, P), (2, U)]);
        assert_eq!(links("a > 1 AND NOT b"), [(0, U), (1, U)]);
    }

    #[test]
    fn long_sum_keeps_one_sign() {
        // As long as the equation size limit allows.
        let text = vec!["a"; 1_999].join(" + ");
        assert_eq!(links(&text), [(0, P)]);
    }

    #[test]
    fn table_direction() {
        let gf = |ys: &[f64]| GraphicalFunction {
            xs: (0..ys.len()).map(|i| i as f64).collect(),
            ys: ys.to_vec(),
            kind: GfKind::Continuous,
        };
        assert_eq!(monotone(&gf(&[0.0, 1.0, 1.0, 3.0])), P);
        assert_eq!(monotone(&gf(&[2.0, 1.0, 0.5, 0.5])), N);
        assert_eq!(monotone(&gf(&[0.0, 1.0, 0.0])), U);
        assert_eq!(monotone(&gf(&[1.0, 1.0])), U);
        assert_eq!(monotone(&gf(&[0.0, f64::NAN])), U);
    }
}
