//! Vensim expression syntax: tokens and a parse tree with names that may hold spaces.
//!
//! Offsets in the tree are byte offsets into the file, so errors point at the character.

/// One subscript of a reference: an element or dimension name, `!` marking a summed range.
#[derive(Debug, Clone, PartialEq)]
pub struct Sub {
    /// Name as written (spaces normalised).
    pub name: String,
    /// Written with a trailing `!`.
    pub bang: bool,
}

/// A lookup table literal: points and the extrapolation rule chosen later.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// x values.
    pub xs: Vec<f64>,
    /// y values.
    pub ys: Vec<f64>,
}

/// An expression node; `at` is a byte offset into the file.
#[derive(Debug, Clone, PartialEq)]
pub enum Ex {
    /// A number.
    Num(f64),
    /// A variable, element or dimension reference.
    Ref {
        /// Name (spaces normalised, quotes removed).
        name: String,
        /// Subscripts.
        subs: Vec<Sub>,
        /// Offset of the name.
        at: usize,
    },
    /// A call of a function, lookup or macro.
    Call {
        /// Name (spaces normalised).
        name: String,
        /// Subscripts written between the name and `(` (subscripted lookups).
        subs: Vec<Sub>,
        /// Arguments.
        args: Vec<Ex>,
        /// Offset of the name.
        at: usize,
    },
    /// A lookup table written inline.
    Table(Table),
    /// Engine equation text already produced (macro arguments).
    Raw(String),
    /// A unary operator: `-`, `+` or `not`.
    Un(&'static str, Box<Ex>),
    /// A binary operator in engine spelling (`+`, `and`, `<>`, ...).
    Bin(&'static str, Box<Ex>, Box<Ex>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Name(String),
    Sym(&'static str),
    End,
}

/// A syntax error at a byte offset of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    /// What is wrong.
    pub message: String,
    /// Where (file offset).
    pub at: usize,
}

/// Colon-delimited keywords and their token names.
const KEYWORDS: [(&str, &str); 12] = [
    (":THE CONDITION:", "the condition"),
    (":TEST INPUT:", "test input"),
    (":IMPLIES:", "implies"),
    (":AND:", "and"),
    (":OR:", "or"),
    (":NOT:", "not"),
    (":NA:", "na"),
    (":EXCEPT:", "except"),
    (":INTERPOLATE:", "interpolate"),
    (":RAW:", "raw"),
    (":HOLD BACKWARD:", "hold backward"),
    (":LOOK FORWARD:", "look forward"),
];

const SYMS: [&str; 20] = [
    "<=", ">=", "<>", "->", "<->", "+", "-", "*", "/", "^", "(", ")", "[", "]", ",", "<", ">", "=",
    "!", ";",
];

fn ident_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '$' | '\'' | '&' | '%' | '#' | '.' | '@' | '?')
}

/// Tokenises `text` (which starts at file offset `base`).
fn tokenize(text: &str, base: usize) -> Result<Vec<(Tok, usize)>, SyntaxError> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    let off = |k: usize| chars.get(k).map(|c| c.0).unwrap_or(text.len());
    while i < chars.len() {
        let (b, c) = chars[i];
        if c.is_whitespace() || c == '\\' {
            i += 1;
            continue;
        }
        let at = base + b;
        if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j].1 != '"' {
                j += if chars[j].1 == '\\' { 2 } else { 1 };
            }
            if j >= chars.len() {
                return Err(SyntaxError {
                    message: "a quoted name is not closed".into(),
                    at,
                });
            }
            // Kept as written (`\"` included): Vensim names its output columns so.
            let inner = text[off(i + 1)..off(j)].to_string();
            out.push((Tok::Name(inner), at));
            i = j + 1;
            continue;
        }
        if c == ':' {
            let rest = &text[b..];
            if rest.starts_with(":=") {
                out.push((Tok::Sym(":="), at));
                i += 2;
                continue;
            }
            let word = rest[1..]
                .find(':')
                .map(|k| &rest[..k + 2])
                .unwrap_or(rest)
                .to_ascii_uppercase();
            let word: String = word.split_whitespace().collect::<Vec<_>>().join(" ");
            let kw = KEYWORDS.iter().find(|(k, _)| *k == word);
            if let Some((_, name)) = kw {
                out.push((Tok::Sym(name), at));
                let len = rest[1..].find(':').map(|k| k + 2).unwrap_or(rest.len());
                i += rest[..len].chars().count();
                continue;
            }
            if rest.len() > 1 && !rest[1..].starts_with(':') {
                out.push((Tok::Sym(":"), at));
                i += 1;
                continue;
            }
            return Err(SyntaxError {
                message: format!("unexpected `{}`", rest.chars().take(12).collect::<String>()),
                at,
            });
        }
        if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(|d| d.1.is_ascii_digit()))
        {
            let mut j = i;
            while j < chars.len() && (chars[j].1.is_ascii_digit() || chars[j].1 == '.') {
                j += 1;
            }
            if j < chars.len() && matches!(chars[j].1, 'e' | 'E') {
                let mut k = j + 1;
                if k < chars.len() && matches!(chars[k].1, '+' | '-') {
                    k += 1;
                }
                if k < chars.len() && chars[k].1.is_ascii_digit() {
                    j = k;
                    while j < chars.len() && chars[j].1.is_ascii_digit() {
                        j += 1;
                    }
                }
            }
            // A name may start with digits (`1st stage`); a number is followed by no letter.
            if j < chars.len() && (chars[j].1.is_alphabetic() || chars[j].1 == '_') {
                // fall through to the name reader
            } else {
                let s = &text[b..off(j)];
                let v = s.parse::<f64>().map_err(|_| SyntaxError {
                    message: format!("`{s}` is not a number"),
                    at,
                })?;
                out.push((Tok::Num(v), at));
                i = j;
                continue;
            }
        }
        if ident_char(c) {
            let mut words = String::new();
            let mut j = i;
            loop {
                let w0 = j;
                while j < chars.len() && ident_char(chars[j].1) {
                    j += 1;
                }
                if !words.is_empty() {
                    words.push(' ');
                }
                words.push_str(&text[off(w0)..off(j)]);
                // Spaces (and continuations) inside a name join words.
                let mut k = j;
                while k < chars.len()
                    && (matches!(chars[k].1, ' ' | '\t' | '\\')
                        || (matches!(chars[k].1, '\n' | '\r') && k > 0 && continued(&chars, k)))
                {
                    k += 1;
                }
                if k > j && k < chars.len() && ident_char(chars[k].1) {
                    j = k;
                    continue;
                }
                break;
            }
            out.push((Tok::Name(words), at));
            i = j;
            continue;
        }
        let rest = &text[b..];
        let sym = ["<->"]
            .iter()
            .chain(SYMS.iter())
            .find(|s| rest.starts_with(**s))
            .copied();
        match sym {
            Some(s) => {
                out.push((Tok::Sym(s), at));
                i += s.chars().count();
            }
            None => {
                return Err(SyntaxError {
                    message: format!("unexpected character `{c}`"),
                    at,
                })
            }
        }
    }
    out.push((Tok::End, base + text.len()));
    Ok(out)
}

/// Whether the line break at `k` follows a `\` continuation (only spaces between).
fn continued(chars: &[(usize, char)], k: usize) -> bool {
    let mut j = k;
    while j > 0 {
        j -= 1;
        match chars[j].1 {
            '\\' => return true,
            ' ' | '\t' | '\r' | '\n' => continue,
            _ => return false,
        }
    }
    false
}

/// A parser over the tokens of one piece of text.
pub struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    depth: usize,
}

impl Parser {
    /// Tokenises `text`, which starts at byte `base` of the file.
    pub fn new(text: &str, base: usize) -> Result<Parser, SyntaxError> {
        Ok(Parser {
            toks: tokenize(text, base)?,
            pos: 0,
            depth: 0,
        })
    }

    fn peek(&self) -> &Tok {
        &self.toks[self.pos].0
    }

    /// File offset of the next token.
    pub fn offset(&self) -> usize {
        self.toks[self.pos].1
    }

    fn bump(&mut self) -> (Tok, usize) {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    /// Whether the next token is the symbol `s`.
    pub fn at_sym(&self, s: &str) -> bool {
        matches!(self.peek(), Tok::Sym(t) if *t == s)
    }

    /// Whether all input is consumed.
    pub fn at_end(&self) -> bool {
        matches!(self.peek(), Tok::End)
    }

    /// Consumes the symbol `s` if it is next.
    pub fn eat(&mut self, s: &str) -> bool {
        let yes = self.at_sym(s);
        if yes {
            self.bump();
        }
        yes
    }

    /// Consumes the symbol `s` or fails naming it.
    pub fn expect(&mut self, s: &str) -> Result<(), SyntaxError> {
        if self.eat(s) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("`{s}`")))
        }
    }

    /// An error "expected X but found Y" at the next token.
    pub fn unexpected(&self, wanted: &str) -> SyntaxError {
        let found = match self.peek() {
            Tok::Num(n) => format!("number `{n}`"),
            Tok::Name(s) => format!("name `{s}`"),
            Tok::Sym(s) => format!("`{s}`"),
            Tok::End => "the end of the equation".into(),
        };
        SyntaxError {
            message: format!("expected {wanted} but found {found}"),
            at: self.offset(),
        }
    }

    /// Whether the next token is the name `key` (canonical) followed by `(`.
    pub fn at_call(&self, key: &str) -> bool {
        matches!(self.peek(), Tok::Name(n) if crate::model::names::canonical(n) == key)
            && matches!(self.toks.get(self.pos + 1), Some((Tok::Sym("("), _)))
    }

    /// Reads a name, or `None` if the next token is not one.
    pub fn name(&mut self) -> Option<(String, usize)> {
        if let Tok::Name(n) = self.peek().clone() {
            let at = self.offset();
            self.bump();
            Some((n, at))
        } else {
            None
        }
    }

    /// Reads `[a, b!, c]` (the `[` not yet consumed); the `:EXCEPT:` list is not part of it.
    pub fn subscripts(&mut self) -> Result<Vec<Sub>, SyntaxError> {
        let mut subs = Vec::new();
        if !self.eat("[") {
            return Ok(subs);
        }
        loop {
            let (name, _) = self
                .name()
                .or_else(|| match self.peek().clone() {
                    Tok::Num(n) => {
                        let at = self.offset();
                        self.bump();
                        Some((format!("{n}"), at))
                    }
                    _ => None,
                })
                .ok_or_else(|| self.unexpected("a subscript"))?;
            let bang = self.eat("!");
            subs.push(Sub { name, bang });
            if !self.eat(",") {
                break;
            }
        }
        self.expect("]")?;
        Ok(subs)
    }

    /// Parses a whole expression.
    pub fn expr(&mut self) -> Result<Ex, SyntaxError> {
        self.depth += 1;
        if self.depth > 150 {
            return Err(SyntaxError {
                message: "the expression is nested too deeply".into(),
                at: self.offset(),
            });
        }
        let r = self.binary(0);
        self.depth -= 1;
        r
    }

    fn binary(&mut self, level: usize) -> Result<Ex, SyntaxError> {
        const LEVELS: [&[&str]; 5] = [
            &["or"],
            &["and"],
            &["=", "<>", "<", ">", "<=", ">="],
            &["+", "-"],
            &["*", "/"],
        ];
        if level == LEVELS.len() {
            return self.unary();
        }
        if level == 2 && self.at_sym("not") {
            self.bump();
            let inner = self.binary(level)?;
            return Ok(Ex::Un("not", Box::new(inner)));
        }
        let mut lhs = self.binary(level + 1)?;
        loop {
            let op = match self.peek() {
                Tok::Sym(s) if LEVELS[level].contains(s) => *s,
                _ => break,
            };
            self.bump();
            let rhs = self.binary(level + 1)?;
            lhs = Ex::Bin(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Ex, SyntaxError> {
        if self.at_sym("-") || self.at_sym("+") {
            let (t, _) = self.bump();
            let op = if t == Tok::Sym("-") { "-" } else { "+" };
            let inner = self.unary()?;
            return Ok(Ex::Un(op, Box::new(inner)));
        }
        if self.at_sym("not") {
            self.bump();
            let inner = self.unary()?;
            return Ok(Ex::Un("not", Box::new(inner)));
        }
        let base = self.primary()?;
        if self.eat("^") {
            let exp = self.unary()?;
            return Ok(Ex::Bin("^", Box::new(base), Box::new(exp)));
        }
        Ok(base)
    }

    fn primary(&mut self) -> Result<Ex, SyntaxError> {
        let at = self.offset();
        match self.peek().clone() {
            Tok::Num(n) => {
                self.bump();
                Ok(Ex::Num(n))
            }
            Tok::Sym("na") => {
                self.bump();
                Ok(Ex::Num(-1e38))
            }
            Tok::Sym("(") => {
                if self.looks_like_table() {
                    return Ok(Ex::Table(self.table()?));
                }
                self.bump();
                let e = self.expr()?;
                self.expect(")")?;
                Ok(e)
            }
            Tok::Name(name) => {
                self.bump();
                let subs = self.subscripts()?;
                if self.at_sym("(") {
                    let key = crate::model::names::canonical(&name);
                    self.bump();
                    let mut args = Vec::new();
                    if !self.at_sym(")") {
                        loop {
                            if key == "with_lookup" && args.len() == 1 {
                                args.push(Ex::Table(self.table()?));
                            } else {
                                args.push(self.expr()?);
                            }
                            if !self.eat(",") {
                                break;
                            }
                        }
                    }
                    self.expect(")")?;
                    return Ok(Ex::Call {
                        name,
                        subs,
                        args,
                        at,
                    });
                }
                Ok(Ex::Ref { name, subs, at })
            }
            _ => Err(self.unexpected("a value")),
        }
    }

    /// `((` or `([` opens a table literal, not a parenthesised expression.
    fn looks_like_table(&self) -> bool {
        matches!(self.toks.get(self.pos + 1), Some((Tok::Sym("["), _)))
            || (matches!(self.toks.get(self.pos + 1), Some((Tok::Sym("("), _)))
                && matches!(
                    self.toks.get(self.pos + 2),
                    Some((Tok::Num(_), _)) | Some((Tok::Sym("-"), _))
                )
                && matches!(
                    self.toks.get(self.pos + 3),
                    Some((Tok::Sym(","), _)) | Some((Tok::Num(_), _))
                ))
    }

    /// A copy of the parser at its current position, for trying a reading.
    pub fn clone_at(&self) -> Parser {
        Parser {
            toks: self.toks.clone(),
            pos: self.pos,
            depth: self.depth,
        }
    }

    /// Reads a signed number literal, or `None` (nothing consumed).
    pub fn signed_number(&mut self) -> Option<f64> {
        let save = self.pos;
        match self.signed() {
            Ok(v) => Some(v),
            Err(_) => {
                self.pos = save;
                None
            }
        }
    }

    fn signed(&mut self) -> Result<f64, SyntaxError> {
        let neg = if self.eat("-") {
            true
        } else {
            self.eat("+");
            false
        };
        match self.peek().clone() {
            Tok::Num(n) => {
                self.bump();
                Ok(if neg { -n } else { n })
            }
            _ => Err(self.unexpected("a number")),
        }
    }

    /// A table literal `( [(x0,y0)-(x1,y1)], (x,y), ... )` or `(x1, ..., xn, y1, ..., yn)`,
    /// starting at its `(`.
    pub fn table(&mut self) -> Result<Table, SyntaxError> {
        let start = self.offset();
        self.expect("(")?;
        if self.eat("[") {
            // The plot range and any reference lines are drawing hints.
            let mut depth = 1;
            while depth > 0 {
                match self.bump().0 {
                    Tok::Sym("[") => depth += 1,
                    Tok::Sym("]") => depth -= 1,
                    Tok::End => return Err(self.unexpected("`]`")),
                    _ => {}
                }
            }
            self.eat(",");
        }
        let mut t = Table::default();
        if self.at_sym("(") {
            loop {
                self.expect("(")?;
                t.xs.push(self.signed()?);
                self.expect(",")?;
                t.ys.push(self.signed()?);
                self.expect(")")?;
                if !self.eat(",") {
                    break;
                }
            }
        } else {
            let mut flat = vec![self.signed()?];
            while self.eat(",") {
                flat.push(self.signed()?);
            }
            if flat.len() % 2 != 0 {
                return Err(SyntaxError {
                    message: "a lookup written as x values then y values needs as many of each"
                        .into(),
                    at: start,
                });
            }
            let ys = flat.split_off(flat.len() / 2);
            t.xs = flat;
            t.ys = ys;
        }
        self.expect(")")?;
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Ex {
        let mut p = Parser::new(s, 0).unwrap();
        let e = p.expr().unwrap();
        assert!(p.at_end(), "{s}");
        e
    }

    #[test]
    fn names_with_spaces_calls_and_precedence() {
        let e = parse("Heat Loss to Room * 2 + IF THEN ELSE(a :AND: b, -x^2, \"q r\"[d!, e])");
        let Ex::Bin("+", l, r) = e else { panic!() };
        assert!(
            matches!(*l, Ex::Bin("*", ref a, _) if **a == Ex::Ref { name: "Heat Loss to Room".into(), subs: vec![], at: 0 })
        );
        let Ex::Call { name, args, .. } = *r else {
            panic!()
        };
        assert_eq!(name, "IF THEN ELSE");
        assert!(matches!(args[0], Ex::Bin("and", _, _)));
        assert!(matches!(&args[1], Ex::Un("-", inner) if matches!(**inner, Ex::Bin("^", _, _))));
        let Ex::Ref { name, subs, .. } = &args[2] else {
            panic!()
        };
        assert_eq!(name, "q r");
        assert!(subs[0].bang && !subs[1].bang);
    }

    #[test]
    fn tables_in_both_forms() {
        let e = parse("WITH LOOKUP(Time, ([(0,0)-(2,2)], (0,0), (1,-0.5), (2,2)))");
        let Ex::Call { args, .. } = e else { panic!() };
        assert_eq!(
            args[1],
            Ex::Table(Table {
                xs: vec![0.0, 1.0, 2.0],
                ys: vec![0.0, -0.5, 2.0]
            })
        );
        let mut p = Parser::new("(1, 2, 3, 10, 20, 30)", 0).unwrap();
        let t = p.table().unwrap();
        assert_eq!(t.xs, [1.0, 2.0, 3.0]);
        assert_eq!(t.ys, [10.0, 20.0, 30.0]);
    }

    #[test]
    fn continuation_inside_a_name_and_errors_located() {
        let e = parse("long \\\n   name + 1e+06");
        let Ex::Bin(_, l, r) = e else { panic!() };
        assert!(matches!(*l, Ex::Ref { ref name, .. } if name == "long name"));
        assert_eq!(*r, Ex::Num(1e6));
        let mut p = Parser::new("a + * b", 10).unwrap();
        let err = p.expr().unwrap_err();
        assert_eq!(err.at, 14);
    }
}
