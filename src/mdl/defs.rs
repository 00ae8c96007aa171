//! Reading one entry's equation: a range declaration, a lookup, a stock, a constant list or
//! an ordinary equation, with its left-hand subscripts and `:EXCEPT:` lists.

use super::expr::{Ex, Parser, Sub, SyntaxError, Table};
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
    /// A reality check, which does not take part in the simulation.
    Skip,
}

/// Reads the equation part of `entry`.
pub fn read(entry: &Entry) -> Result<Item, SyntaxError> {
    let mut p = Parser::new(&entry.eqn, entry.at)?;
    let (name, at) = p.name().ok_or_else(|| p.unexpected("a variable name"))?;
    if p.eat(":") {
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
    if p.at_sym("interpolate") || p.at_sym("raw") || p.at_sym("hold backward") {
        return Err(SyntaxError {
            message: "data equations (`:INTERPOLATE:`, `:RAW:`, ...) are not supported".into(),
            at: p.offset(),
        });
    }
    if p.at_sym("(") {
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
