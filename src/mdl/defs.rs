//! Reading one entry's equation: a range declaration, a lookup, a stock, a constant list or
//! an ordinary equation, with its left-hand subscripts and `:EXCEPT:` lists.

use super::expr::{Ex, Parser, Sub, SyntaxError, Table};
use super::ext::{parse_call, External, Kind};
use super::split::Entry;
use super::subs::{alias, read_decl, RawDim};

/// The right-hand side of a definition.
#[derive(Debug, Clone)]
pub enum Rhs {
    /// An ordinary expression.
    Expr(Ex),
    /// `INTEG(rate, initial)`.
    Stock(Ex, Ex),
    /// A lookup table definition `name( ... )`.
    Table(Table),
    /// A constant list `1, 2; 3, 4;` filling the elements in order.
    Numbers(Vec<f64>),
    /// A `GET XLS …` / `GET DIRECT …` call, read once the ranges are known.
    External(External, DataMode),
    /// One lookup table per element, in the order of the element tuples.
    Tables(Vec<Table>),
    /// One data series per element, in the order of the element tuples.
    Data(Vec<Table>, DataMode),
    /// Data with no equation, which Vensim reads from another run's output: filled from the
    /// data files given when the model is loaded.
    RunData(DataMode),
}

impl Rhs {
    /// Whether this defines lookup tables.
    pub fn is_table(&self) -> bool {
        matches!(self, Rhs::Table(_) | Rhs::Tables(_))
    }
}

/// How a data variable reads between (and beyond) its points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DataMode {
    /// Straight lines between points (`:INTERPOLATE:`, the default).
    Interpolate,
    /// The value of the last point at or before the time (`:HOLD BACKWARD:`).
    HoldBackward,
    /// The value of the next point at or after the time (`:LOOK FORWARD:`).
    LookForward,
    /// The value of a point at its time, `:NA:` (-1e38) between points (`:RAW:`).
    Raw,
}

/// One definition of a variable (a variable may have several, one per sub-range).
#[derive(Debug, Clone)]
pub struct Def {
    /// Left-hand subscripts.
    pub subs: Vec<Sub>,
    /// `:EXCEPT:` lists, each with one subscript per position.
    pub except: Vec<Vec<Sub>>,
    /// The right-hand side.
    pub rhs: Rhs,
    /// File offset of the left-hand name.
    pub at: usize,
}

/// What an entry declares.
pub enum Item {
    /// A subscript range.
    Dim(RawDim),
    /// A definition of the named variable.
    Var(String, Def),
    /// A subscript range whose elements are read by `GET … SUBSCRIPT`.
    SheetDim(String, External),
    /// A reality check, which does not take part in the simulation.
    Skip,
}

/// A `GET …` call at the parser's position, which must then end the text (after
/// `closing` more `)`); `None` when the text there is something else.
fn external_at(entry: &Entry, p: &Parser, closing: usize) -> Option<Result<External, SyntaxError>> {
    let from = p.offset().checked_sub(entry.at)?;
    let text = entry.eqn.get(from..)?;
    Some(parse_call(text, p.offset())?.and_then(|(call, len)| {
        let rest: String = text[len..].chars().filter(|c| !c.is_whitespace()).collect();
        if rest == ")".repeat(closing) {
            Ok(call)
        } else {
            Err(SyntaxError {
                message: format!("unexpected `{rest}` after the {:?} call", call.kind)
                    .replace("Constants", "GET CONSTANTS")
                    .replace("Data", "GET DATA")
                    .replace("Lookups", "GET LOOKUPS")
                    .replace("Subscript", "GET SUBSCRIPT"),
                at: p.offset() + len,
            })
        }
    }))
}

/// Reads the equation part of `entry`.
pub fn read(entry: &Entry) -> Result<Item, SyntaxError> {
    let mut p = Parser::new(&entry.eqn, entry.at)?;
    let (name, at) = p.name().ok_or_else(|| p.unexpected("a variable name"))?;
    if p.eat(":") {
        if let Some(call) = external_at(entry, &p, 0) {
            let call = call?;
            if call.kind != Kind::Subscript {
                return Err(SyntaxError {
                    message: "a subscript range is read with GET … SUBSCRIPT".into(),
                    at: call.at,
                });
            }
            return Ok(Item::SheetDim(name, call));
        }
        return Ok(Item::Dim(read_decl(&name, at, &mut p)?));
    }
    if p.eat("<->") {
        let (other, _) = p.name().ok_or_else(|| p.unexpected("a range name"))?;
        return Ok(Item::Dim(alias(&name, &other, at)));
    }
    let subs = p.subscripts()?;
    let mut except = Vec::new();
    if p.eat("except") {
        loop {
            except.push(p.subscripts()?);
            if !p.eat(",") {
                break;
            }
        }
    }
    if p.at_sym("the condition") || p.at_sym("test input") {
        return Ok(Item::Skip);
    }
    let mode = if p.eat("interpolate") {
        Some(DataMode::Interpolate)
    } else if p.eat("hold backward") {
        Some(DataMode::HoldBackward)
    } else if p.eat("look forward") {
        Some(DataMode::LookForward)
    } else if p.eat("raw") {
        Some(DataMode::Raw)
    } else {
        None
    };
    let var = |rhs: Rhs| {
        Ok(Item::Var(
            name.clone(),
            Def {
                subs: subs.clone(),
                except: except.clone(),
                rhs,
                at,
            },
        ))
    };
    if p.at_sym("(") {
        let mut q = p.clone_at();
        q.expect("(")?;
        if let Some(call) = external_at(entry, &q, 1) {
            let call = call?;
            if call.kind != Kind::Lookups {
                return Err(SyntaxError {
                    message: "a lookup is read with GET … LOOKUPS".into(),
                    at: call.at,
                });
            }
            return var(Rhs::External(call, DataMode::Interpolate));
        }
        let table = p.table()?;
        if !p.at_end() {
            return Err(p.unexpected("the end of the lookup"));
        }
        return Ok(Item::Var(
            name,
            Def {
                subs,
                except,
                rhs: Rhs::Table(table),
                at,
            },
        ));
    }
    if let (true, Some(mode)) = (p.at_end(), mode) {
        return var(Rhs::RunData(mode));
    }
    if p.at_end() {
        return Err(SyntaxError {
            message: format!("`{name}` has no equation (a data variable without data)"),
            at,
        })
        .map_err(|e| SyntaxError {
            message: e.message + "; give it an equation",
            ..e
        });
    }
    if !(p.eat("=") || p.eat(":=")) {
        return Err(p.unexpected("`=`"));
    }
    p.eat("=");
    if let Some(call) = external_at(entry, &p, 0) {
        let call = call?;
        if call.kind == Kind::Subscript {
            return Err(SyntaxError {
                message: "GET … SUBSCRIPT declares a range: write `Name: GET …`".into(),
                at: call.at,
            });
        }
        return var(Rhs::External(call, mode.unwrap_or(DataMode::Interpolate)));
    }
    let rhs_at = p.offset();
    if p.at_call("tabbed_array") {
        p.name();
        p.expect("(")?;
        let mut list = Vec::new();
        while let Some(v) = p.signed_number() {
            list.push(v);
        }
        p.expect(")")?;
        if !p.at_end() {
            return Err(p.unexpected("the end of the equation"));
        }
        return Ok(Item::Var(
            name,
            Def {
                subs,
                except,
                rhs: Rhs::Numbers(list),
                at,
            },
        ));
    }
    let rhs = match numbers(&mut p)? {
        Some(list) => Rhs::Numbers(list),
        None => {
            let e = p.expr()?;
            if !p.at_end() {
                return Err(p.unexpected("an operator or the end of the equation"));
            }
            match e {
                Ex::Call {
                    name: f, mut args, ..
                } if crate::model::names::canonical(&f) == "integ" => {
                    if args.len() != 2 {
                        return Err(SyntaxError {
                            message: format!("INTEG takes 2 arguments, {} given", args.len()),
                            at: rhs_at,
                        });
                    }
                    let init = args.pop().unwrap_or(Ex::Num(0.0));
                    let rate = args.pop().unwrap_or(Ex::Num(0.0));
                    Rhs::Stock(rate, init)
                }
                e => Rhs::Expr(e),
            }
        }
    };
    Ok(Item::Var(
        name,
        Def {
            subs,
            except,
            rhs,
            at,
        },
    ))
}

/// A list of at least two signed numbers separated by `,` and `;`, or `None` (nothing
/// consumed) when the text is something else.
fn numbers(p: &mut Parser) -> Result<Option<Vec<f64>>, SyntaxError> {
    let mut probe = p.clone_at();
    let mut out = Vec::new();
    loop {
        match probe.signed_number() {
            Some(v) => out.push(v),
            None => return Ok(None),
        }
        if probe.eat(",") || probe.eat(";") {
            if probe.at_end() {
                break;
            }
            continue;
        }
        if probe.at_end() {
            break;
        }
        return Ok(None);
    }
    if out.len() < 2 {
        return Ok(None);
    }
    *p = probe;
    Ok(Some(out))
}
