//! The model as written: sim specs, dimensions and named variables with equation text.
//!
//! Both loaders (TOML in [`toml_file`], XMILE in `crate::xmile`) produce a [`Model`]; the
//! compiler turns it into a runnable program. Nothing here is resolved yet: equations are text
//! with the place they came from, so later stages can point at the offending character.

pub mod names;
pub mod toml_file;
mod toml_loops;
pub mod toml_writer;

use crate::diagnostic::SourceRef;
use serde::{Deserialize, Serialize};

/// Numerical integration method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Forward Euler, first order.
    #[default]
    Euler,
    /// Heun's method (explicit trapezoid), second order.
    Rk2,
    /// Classical fourth-order Runge–Kutta.
    Rk4,
}

impl std::str::FromStr for Method {
    type Err = String;
    fn from_str(text: &str) -> Result<Method, String> {
        Method::parse(text).ok_or_else(|| format!("unknown method `{text}`; use euler, rk2 or rk4"))
    }
}

impl Method {
    /// Parses `euler`, `rk2`/`heun` or `rk4` (case-insensitive).
    pub fn parse(text: &str) -> Option<Method> {
        match text.trim().to_ascii_lowercase().as_str() {
            "euler" => Some(Method::Euler),
            "rk2" | "heun" => Some(Method::Rk2),
            "rk4" | "runge-kutta" | "runge_kutta" => Some(Method::Rk4),
            _ => None,
        }
    }

    /// The lower-case name used in files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Method::Euler => "euler",
            Method::Rk2 => "rk2",
            Method::Rk4 => "rk4",
        }
    }
}

/// Time axis and integration settings.
#[derive(Debug, Clone, PartialEq)]
pub struct SimSpecs {
    /// Initial time.
    pub start: f64,
    /// Final time (inclusive).
    pub stop: f64,
    /// Integration step.
    pub dt: f64,
    /// Interval between saved rows; a whole multiple of `dt`.
    pub save_step: f64,
    /// Unit of time, e.g. `day`.
    pub time_unit: String,
    /// Integration method.
    pub method: Method,
    /// A variable computed at every step whose value ends the run early: the run stops after
    /// the first step whose time is within half a step of it or past it (Vensim's `FINAL
    /// TIME` given by an equation). The run never goes past `stop`. `None`: the run ends at
    /// `stop`.
    pub stop_when: Option<String>,
}

/// A named set of elements that arrayed variables range over.
#[derive(Debug, Clone, PartialEq)]
pub struct Dimension {
    /// Name as written.
    pub name: String,
    /// Element names as written, in order.
    pub elements: Vec<String>,
}

/// A piecewise-linear (or step) table `y = f(x)`.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphicalFunction {
    /// Strictly increasing x points.
    pub xs: Vec<f64>,
    /// y values, one per x point.
    pub ys: Vec<f64>,
    /// What happens between and beyond the points.
    pub kind: GfKind,
}

/// Interpolation rule of a graphical function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GfKind {
    /// Linear between points, clamped to the end values outside.
    #[default]
    Continuous,
    /// Step: the y of the last point at or below x.
    Discrete,
    /// Linear between points, extended linearly beyond the ends.
    Extrapolate,
}

/// The right-hand side of a variable: one equation for every element, or one per element.
#[derive(Debug, Clone, PartialEq)]
pub enum Equation {
    /// One equation for a scalar, or applied to every element of an arrayed variable.
    All(Expr),
    /// Per-element equations, keyed by one element name per dimension.
    PerElement(Vec<(Vec<String>, Expr)>),
}

impl Equation {
    /// Every equation text: the one for all elements, or each element's.
    pub fn exprs_mut(&mut self) -> impl Iterator<Item = &mut Expr> {
        let (all, each) = match self {
            Equation::All(e) => (Some(e), None),
            Equation::PerElement(list) => (None, Some(list.iter_mut().map(|(_, e)| e))),
        };
        all.into_iter().chain(each.into_iter().flatten())
    }
}

/// Equation text with the place it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// The equation as written.
    pub text: String,
    /// Where the text starts in its file, for error messages.
    pub at: SourceRef,
}

impl Expr {
    /// An equation that did not come from a file (command-line overrides, generated models).
    pub fn synthetic(text: impl Into<String>) -> Expr {
        Expr {
            text: text.into(),
            at: SourceRef::none(),
        }
    }
}

/// What role a variable plays.
#[derive(Debug, Clone, PartialEq)]
pub enum VarKind {
    /// Integrates its inflows minus outflows from an initial value (the equation).
    Stock {
        /// Names of flows adding to the stock.
        inflows: Vec<String>,
        /// Names of flows draining the stock.
        outflows: Vec<String>,
        /// Whether the stock is kept at or above zero (outflows are cut back).
        non_negative: bool,
    },
    /// A rate, in stock units per time unit.
    Flow {
        /// Whether negative values are clipped to zero.
        non_negative: bool,
    },
    /// Any other computed quantity.
    Aux,
    /// A named number that studies may vary (written in `[constants]`).
    Constant,
}

/// One named quantity of the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// Name as written (display form); see [`names::canonical`] for matching.
    pub name: String,
    /// Role.
    pub kind: VarKind,
    /// Dimension names the variable ranges over; empty for a scalar.
    pub dims: Vec<String>,
    /// The equation (initial value for stocks). `None` only for a pure lookup table.
    pub equation: Option<Equation>,
    /// A separate initial equation of an auxiliary or flow (XMILE's `<init_eqn>`, Vensim's
    /// active initial): its value while the initial values are computed (so stocks start
    /// from it and `INIT` reads it); `equation` gives its value at every step.
    pub initial: Option<Equation>,
    /// A graphical function applied to the equation's value, or called as `name(x)`.
    pub gf: Option<GraphicalFunction>,
    /// Unit, free text.
    pub unit: Option<String>,
    /// Documentation.
    pub doc: Option<String>,
    /// Display label for charts and tables (e.g. `粉丝`).
    pub label: Option<String>,
    /// Where the variable is defined.
    pub at: SourceRef,
}

/// A group of variables drawn on one chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartGroup {
    /// Chart title.
    pub title: String,
    /// Variables (names as written; arrayed ones expand to every element).
    pub variables: Vec<String>,
}

/// A complete model as read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Short name (file stem unless the file names it).
    pub name: String,
    /// Time axis and method.
    pub sim: SimSpecs,
    /// Dimensions for arrayed variables.
    pub dimensions: Vec<Dimension>,
    /// Every variable, in file order.
    pub variables: Vec<Variable>,
    /// Chart groups; empty means "one chart of the stocks".
    pub charts: Vec<ChartGroup>,
    /// Feedback loops the model names (its `[loops]` section), in file order.
    pub loops: Vec<NamedLoop>,
}

/// A feedback loop the model names, so that every output calls it the same.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedLoop {
    /// Short name, e.g. `fatigue`.
    pub name: String,
    /// Display label, e.g. `ad fatigue`.
    pub label: Option<String>,
    /// Variables in causal order: each affects the next, and the last the first.
    pub path: Vec<String>,
    /// Where the path is written.
    pub at: SourceRef,
}

impl Model {
    /// Finds a variable by name under the XMILE matching rules.
    pub fn variable(&self, name: &str) -> Option<&Variable> {
        let key = names::canonical(name);
        self.variables
            .iter()
            .find(|v| names::canonical(&v.name) == key)
    }

    /// Finds a dimension by name under the XMILE matching rules.
    pub fn dimension(&self, name: &str) -> Option<&Dimension> {
        let key = names::canonical(name);
        self.dimensions
            .iter()
            .find(|d| names::canonical(&d.name) == key)
    }
}
