//! Module wiring: resolving the two ends of a `<connect>` to flattened variable names.
//!
//! A `<connect to=".." from=".."/>` sits in the `<module>` element of one instance, but may
//! wire any two variables of the model that holds the instances (XMILE 4.7.1: connections are
//! written at the lowest common ancestor). Each end is a path:
//! - `.x` names `x` in the enclosing model;
//! - `m.x` (or `"Module 1"."birth rate"`) names `x` inside the instance `m` of the enclosing
//!   model — the instance holding the `<connect>` or a sibling;
//! - a bare `x` is read by its partner: when the other end reaches into the instance holding
//!   the `<connect>` (an output wired out), `x` is in the enclosing model; otherwise (the
//!   older input form `<connect to="area" from=".area"/>`) `to` is the instance's own input
//!   and `from` is in the enclosing model (or the instance when `to` names the enclosing one).

use super::eqn_text::quoted;
use super::reader::xmile_name;
use crate::diagnostic::{Diagnostic, SourceRef};
use crate::model::names::canonical;
use crate::model::{Equation, Expr, VarKind, Variable};

/// The flattened names a connection joins: `target` takes the value of `source`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Wire {
    /// Flattened name of the variable that receives the value.
    pub target: String,
    /// Flattened name of the variable read.
    pub source: String,
}

/// A path as written, split at the dots between names (dots inside quotes belong to the
/// name), each segment unquoted and tidied like a `name` attribute.
pub(super) fn segments(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut in_quote = false;
    for ch in path.chars() {
        match ch {
            '"' => {
                in_quote = !in_quote;
                current.push(ch);
            }
            '.' if !in_quote => out.push(std::mem::take(&mut current)),
            _ => current.push(ch),
        }
    }
    out.push(current);
    out.iter().map(|s| xmile_name(s)).collect()
}

/// Where one end of a connection points, before a bare name is settled.
enum End {
    /// A name in the enclosing model (`.x`, or `m.x` with `m` one of its instances).
    Enclosing(String),
    /// A bare name.
    Bare(String),
}

fn classify(path: &str, instances: &[String]) -> End {
    let segs = segments(path.trim());
    if segs.len() > 1 && segs[0].is_empty() {
        return End::Enclosing(segs[1..].join("."));
    }
    let head = canonical(&segs[0]);
    if segs.len() > 1 && instances.iter().any(|i| canonical(i) == head) {
        return End::Enclosing(segs.join("."));
    }
    End::Bare(segs.join("."))
}

/// Resolves a connection written in the `<module>` element of `instance`, inside the model
/// whose variables carry `prefix`; `instances` are all module instances of that model.
pub(super) fn resolve(
    prefix: &str,
    instance: &str,
    instances: &[String],
    to: &str,
    from: &str,
) -> Wire {
    let inside = |rel: &str| {
        let head = canonical(rel.split('.').next().unwrap_or(""));
        head == canonical(instance) && rel.contains('.')
    };
    let enclosing = |rel: &str| format!("{prefix}{rel}");
    let own = |rel: &str| format!("{prefix}{instance}.{rel}");
    let (target, source) = match (classify(to, instances), classify(from, instances)) {
        (End::Enclosing(t), End::Enclosing(f)) => (enclosing(&t), enclosing(&f)),
        (End::Bare(t), End::Enclosing(f)) if inside(&f) => (enclosing(&t), enclosing(&f)),
        (End::Bare(t), End::Enclosing(f)) => (own(&t), enclosing(&f)),
        (End::Enclosing(t), End::Bare(f)) if inside(&t) => (enclosing(&t), enclosing(&f)),
        (End::Enclosing(t), End::Bare(f)) => (enclosing(&t), own(&f)),
        (End::Bare(t), End::Bare(f)) => (own(&t), enclosing(&f)),
    };
    Wire { target, source }
}

/// Makes the connection's target an auxiliary reading its source. Both must be variables of
/// the enclosing model's level (its own or its instances'), which start at `first` in `out`.
pub(super) fn apply(
    out: &mut [Variable],
    first: usize,
    wire: &Wire,
    to: &str,
    at: SourceRef,
) -> Result<(), Diagnostic> {
    let level = &mut out[first..];
    let source_key = canonical(&wire.source);
    let source = level
        .iter()
        .find(|v| canonical(&v.name) == source_key)
        .map(|v| v.name.clone())
        .ok_or_else(|| {
            Diagnostic::new(
                format!(
                    "the connection to `{to}` reads `{}`, which the model does not define",
                    wire.source
                ),
                at.clone(),
            )
            .with_hint("check the `from` path of the <connect>: `.x` is in the enclosing model, `m.x` inside module `m`")
        })?;
    let target_key = canonical(&wire.target);
    let var = level
        .iter_mut()
        .find(|v| canonical(&v.name) == target_key)
        .ok_or_else(|| {
            Diagnostic::new(
                format!(
                    "the connection names `{}` (`to=\"{to}\"`), which the model does not define",
                    wire.target
                ),
                at.clone(),
            )
            .with_hint("check the `to` path of the <connect>: `.x` is in the enclosing model, `m.x` inside module `m`")
        })?;
    var.kind = VarKind::Aux;
    var.gf = None;
    var.equation = Some(Equation::All(Expr {
        text: quoted(&source),
        at,
    }));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(to: &str, from: &str) -> (String, String) {
        let names = ["hares".to_string(), "Lynx Module".to_string()];
        let w = resolve("", "hares", &names, to, from);
        (w.target, w.source)
    }

    #[test]
    fn paths_split_at_dots_outside_quotes() {
        assert_eq!(
            segments("\"Lynx Module\".\"birth rate\""),
            ["Lynx Module", "birth rate"]
        );
        assert_eq!(segments(".area"), ["", "area"]);
        assert_eq!(segments("\"a.b\".c"), ["a.b", "c"]);
    }

    #[test]
    fn every_written_form_resolves_to_the_same_wires() {
        let input = ("hares.area".to_string(), "area".to_string());
        assert_eq!(wire("area", ".area"), input);
        assert_eq!(wire("hares.area", ".area"), input);
        assert_eq!(wire("hares.area", "area"), input);
        let output = ("eaten".to_string(), "hares.eaten".to_string());
        assert_eq!(wire(".eaten", "hares.eaten"), output);
        assert_eq!(wire("eaten", "hares.eaten"), output);
        assert_eq!(wire(".eaten", "eaten"), output);
        // A sibling, with quoted names, wired from the source module's element.
        assert_eq!(
            wire("\"Lynx Module\".prey", "hares.\"hare count\""),
            (
                "Lynx Module.prey".to_string(),
                "hares.hare count".to_string()
            )
        );
    }

    #[test]
    fn nested_levels_keep_their_prefix() {
        let w = resolve("outer.", "inner", &["inner".into()], "x", ".y");
        assert_eq!(
            (w.target.as_str(), w.source.as_str()),
            ("outer.inner.x", "outer.y")
        );
    }
}
