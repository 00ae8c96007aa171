//! Graphical functions (`<gf>`): points from `xpts`/`ypts` or an `xscale`, and their type.

use super::reader::{is_true, text_of, VarReader};
use crate::diagnostic::Diagnostic;
use crate::model::{GfKind, GraphicalFunction};
use roxmltree::Node;

impl VarReader<'_> {
    pub(super) fn gf(&self, node: Node, name: &str) -> Result<GraphicalFunction, Diagnostic> {
        let cx = self.cx;
        let kind = match node
            .attribute("type")
            .map(|t| t.trim().to_ascii_lowercase())
        {
            Some(t) if t == "discrete" => GfKind::Discrete,
            Some(t) if t == "extrapolate" => GfKind::Extrapolate,
            Some(t) if t == "continuous" => GfKind::Continuous,
            Some(t) => {
                return Err(Diagnostic::new(
                    format!("graphical function of `{name}` has unknown type `{t}`"),
                    cx.at(node),
                )
                .with_hint("use continuous, discrete or extrapolate"))
            }
            None if is_true(node.attribute("discrete")) => GfKind::Discrete,
            None => GfKind::Continuous,
        };
        let ypts = cx.child(node, "ypts").ok_or_else(|| {
            Diagnostic::new(
                format!("graphical function of `{name}` has no <ypts>"),
                cx.at(node),
            )
        })?;
        let ys = self.points(ypts, name)?;
        let xs = match (cx.child(node, "xpts"), cx.child(node, "xscale")) {
            (Some(xpts), _) => self.points(xpts, name)?,
            (None, Some(scale)) => {
                let bound = |attr: &str| {
                    scale
                        .attribute(attr)
                        .and_then(|v| v.trim().parse::<f64>().ok())
                        .ok_or_else(|| {
                            Diagnostic::new(
                                format!("<xscale> of `{name}` needs numeric min and max"),
                                cx.at(scale),
                            )
                        })
                };
                let (lo, hi) = (bound("min")?, bound("max")?);
                let n = ys.len();
                (0..n)
                    .map(|i| {
                        if n == 1 {
                            lo
                        } else {
                            lo + (hi - lo) * i as f64 / (n - 1) as f64
                        }
                    })
                    .collect()
            }
            (None, None) => {
                return Err(Diagnostic::new(
                    format!("graphical function of `{name}` has neither <xpts> nor <xscale>"),
                    cx.at(node),
                ))
            }
        };
        if xs.len() != ys.len() || ys.is_empty() {
            return Err(Diagnostic::new(
                format!(
                    "graphical function of `{name}` has {} x points and {} y points",
                    xs.len(),
                    ys.len()
                ),
                cx.at(node),
            ));
        }
        if let Some(v) = xs.iter().chain(&ys).find(|v| !v.is_finite()) {
            // NaN compares false with everything, so the ordering check below would let it
            // through to code that sorts or interpolates.
            return Err(Diagnostic::new(
                format!("graphical function of `{name}` has a point that is not finite ({v})"),
                cx.at(node),
            )
            .with_hint(
                "every x and y point, and the min and max of <xscale>, must be finite numbers",
            ));
        }
        // Stella draws a vertical jump with two points at one x; the earlier point moves to
        // the next number below, so the table still jumps there and x points increase.
        let written = xs.clone();
        let mut xs = xs;
        for k in (1..xs.len()).rev() {
            if written[k - 1] == written[k] {
                xs[k - 1] = xs[k].next_down();
            }
        }
        if xs.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Diagnostic::new(
                format!("the x points of the graphical function of `{name}` must increase"),
                cx.at(node),
            ));
        }
        Ok(GraphicalFunction { xs, ys, kind })
    }

    fn points(&self, node: Node, name: &str) -> Result<Vec<f64>, Diagnostic> {
        let sep = node
            .attribute("sep")
            .filter(|s| !s.is_empty())
            .unwrap_or(",");
        text_of(node)
            .split(sep)
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<f64>().map_err(|_| {
                    Diagnostic::new(
                        format!("graphical function of `{name}`: `{p}` is not a number"),
                        self.cx.at(node),
                    )
                })
            })
            .collect()
    }
}
