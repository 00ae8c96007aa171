//! Light text surgery on XMILE equations: comments, renaming references, number lists.
//!
//! The reader keeps equations as text for the real parser; these helpers only need to know
//! where names, quoted names, numbers and comments start and end.

/// The text with every `{...}` comment (outside quoted names) replaced by spaces, so positions
/// in the remaining text still match the file. Newlines inside comments are kept.
pub fn blank_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_quote = false;
    let mut in_comment = false;
    for ch in text.chars() {
        if in_comment {
            if ch == '}' {
                in_comment = false;
                out.push(' ');
            } else if ch == '\n' {
                out.push('\n');
            } else {
                out.extend(std::iter::repeat_n(' ', ch.len_utf8()));
            }
            continue;
        }
        match ch {
            '"' => {
                in_quote = !in_quote;
                out.push(ch);
            }
            '{' if !in_quote => {
                in_comment = true;
                out.push(' ');
            }
            _ => out.push(ch),
        }
    }
    out
}

fn is_ident_start(ch: char) -> bool {
    ch.is_alphabetic() || ch == '_' || ch == '$'
}

fn is_ident_continue(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_' || ch == '$'
}

/// Rewrites every variable reference in `text`: `rename` gets each unquoted name (dotted
/// module paths such as `hares.births` included) or quoted name (without its quotes) and
/// returns the replacement text, or `None` to keep it. Names inside `[...]` are subscripts
/// (dimension and element names) and are left alone; so are numbers.
pub fn rewrite_names(text: &str, rename: &dyn Fn(&str) -> Option<String>) -> String {
    rewrite_names_at(text, &|name, place| match place {
        Place::Outside => rename(name),
        Place::Subscript | Place::InSubscript => None,
    })
}

/// Where a name stands in an equation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Outside every `[...]`: a value.
    Outside,
    /// A whole subscript on its own: `x[name]`, `x[name, 2]`.
    Subscript,
    /// Part of an expression between brackets: `x[name + 1]`, `x[f(name)]`.
    InSubscript,
}

/// [`rewrite_names`] for names in every place: `rename` also gets where the name stands.
pub fn rewrite_names_at(text: &str, rename: &dyn Fn(&str, Place) -> Option<String>) -> String {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = String::with_capacity(text.len() + 16);
    let mut i = 0;
    // Parenthesis depth, and the depth at each open `[`: a name is a whole subscript only
    // at the level of its brackets.
    let mut parens = 0usize;
    let mut opens: Vec<usize> = Vec::new();
    let end_of = |k: usize| chars.get(k).map(|&(b, _)| b).unwrap_or(text.len());
    let place = |from: usize, to: usize, parens: usize, opens: &[usize]| -> Place {
        let Some(&level) = opens.last() else {
            return Place::Outside;
        };
        let before = chars[..from].iter().rev().find(|c| !c.1.is_whitespace());
        let after = chars[to..].iter().find(|c| !c.1.is_whitespace());
        let whole = parens == level
            && before.is_some_and(|c| matches!(c.1, '[' | ','))
            && after.is_some_and(|c| matches!(c.1, ']' | ','));
        if whole {
            Place::Subscript
        } else {
            Place::InSubscript
        }
    };
    while i < chars.len() {
        let (start, ch) = chars[i];
        if ch == '"' {
            // A quoted name, possibly the head of a module path (`"Lynx Module".prey`,
            // `"a b"."c d"`): the path goes to `rename` whole, quotes removed.
            let mut path = String::new();
            let mut j = i;
            loop {
                let open = j;
                j += 1;
                while j < chars.len() && chars[j].1 != '"' {
                    j += 1;
                }
                path.push_str(&text[end_of(open + 1)..end_of(j)]);
                j = (j + 1).min(chars.len());
                if j + 1 < chars.len() && chars[j].1 == '.' {
                    let next = chars[j + 1].1;
                    if next == '"' {
                        path.push('.');
                        j += 1;
                        continue;
                    }
                    if is_ident_start(next) {
                        let mut k = j + 1;
                        while k < chars.len()
                            && (is_ident_continue(chars[k].1) || chars[k].1 == '.')
                        {
                            k += 1;
                        }
                        path.push_str(&text[end_of(j)..end_of(k)]);
                        j = k;
                    }
                }
                break;
            }
            let inner = path.as_str();
            let stop = j;
            match rename(inner, place(i, stop, parens, &opens)) {
                Some(new) => out.push_str(&new),
                None => out.push_str(&text[start..end_of(stop)]),
            }
            i = stop;
        } else if ch.is_ascii_digit()
            || (ch == '.' && chars.get(i + 1).is_some_and(|c| c.1.is_ascii_digit()))
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
            out.push_str(&text[start..end_of(j)]);
            i = j;
        } else if is_ident_start(ch) {
            let mut j = i + 1;
            loop {
                while j < chars.len() && is_ident_continue(chars[j].1) {
                    j += 1;
                }
                // A dot joins a module path only when another name follows at once.
                if j + 1 < chars.len() && chars[j].1 == '.' && is_ident_start(chars[j + 1].1) {
                    j += 2;
                    continue;
                }
                break;
            }
            let name = &text[start..end_of(j)];
            match rename(name, place(i, j, parens, &opens)) {
                Some(new) => out.push_str(&new),
                None => out.push_str(name),
            }
            i = j;
        } else {
            match ch {
                '[' => opens.push(parens),
                ']' => {
                    opens.pop();
                }
                '(' => parens += 1,
                ')' => parens = parens.saturating_sub(1),
                _ => {}
            }
            out.push(ch);
            i += 1;
        }
    }
    out
}

/// Splits `text` at commas that are outside parentheses, brackets and quotes.
pub fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut in_quote = false;
    let mut last = 0;
    for (i, ch) in text.char_indices() {
        match ch {
            '"' => in_quote = !in_quote,
            '(' | '[' if !in_quote => depth += 1,
            ')' | ']' if !in_quote => depth -= 1,
            ',' if !in_quote && depth == 0 => {
                parts.push(&text[last..i]);
                last = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[last..]);
    parts
}

/// The numbers of a Vensim-style constant list `1, 2, 3` (at least two entries; rows of a
/// two-dimensional list end in `;`), or `None` if the text is anything else.
pub fn number_list(text: &str) -> Option<Vec<String>> {
    let trimmed = text.trim().trim_end_matches(';');
    let parts: Vec<&str> = trimmed.split([',', ';']).map(str::trim).collect();
    if parts.len() < 2 {
        return None;
    }
    parts
        .iter()
        .map(|p| p.parse::<f64>().ok().map(|_| p.to_string()))
        .collect()
}

/// Quotes a name for use inside an equation.
pub fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', ""))
}

/// An expression macro: `name(params) = body`.
#[derive(Debug, Clone)]
pub struct Macro {
    /// Canonical name.
    pub key: String,
    /// Parameter names as written.
    pub params: Vec<String>,
    /// The body equation.
    pub body: String,
}

/// Expands every call of one of `macros` in `text` into the macro's body with the arguments
/// substituted (each in parentheses). Errors name the problem: a wrong argument count, an
/// unclosed call, or macros calling each other without end.
pub fn inline_macros(text: &str, macros: &[Macro], depth: usize) -> Result<String, String> {
    if depth > 32 {
        return Err("macros call each other without end".into());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((i, ch)) = rest
        .char_indices()
        .find(|&(_, c)| c == '"' || is_ident_start(c))
    {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if ch == '"' {
            let end = tail[1..].find('"').map(|k| k + 2).unwrap_or(tail.len());
            out.push_str(&tail[..end]);
            rest = &tail[end..];
            continue;
        }
        let len = tail
            .char_indices()
            .find(|&(_, c)| !is_ident_continue(c))
            .map(|(k, _)| k)
            .unwrap_or(tail.len());
        let name = &tail[..len];
        let after = &tail[len..];
        let open = after.len() - after.trim_start().len();
        let found = macros
            .iter()
            .find(|m| m.key == crate::model::names::canonical(name));
        match found {
            Some(mac) if after[open..].starts_with('(') => {
                let args_start = len + open + 1;
                let close = matching_paren(&tail[args_start..])
                    .ok_or_else(|| format!("the call of `{name}` is not closed"))?;
                let inner = &tail[args_start..args_start + close];
                let args: Vec<String> = if inner.trim().is_empty() {
                    Vec::new()
                } else {
                    split_top_level(inner)
                        .into_iter()
                        .map(|a| inline_macros(a.trim(), macros, depth + 1))
                        .collect::<Result<_, _>>()?
                };
                if args.len() != mac.params.len() {
                    return Err(format!(
                        "`{name}` takes {} arguments, the call gives {}",
                        mac.params.len(),
                        args.len()
                    ));
                }
                let substitute = |n: &str| {
                    let key = crate::model::names::canonical(n);
                    mac.params
                        .iter()
                        .position(|p| crate::model::names::canonical(p) == key)
                        .map(|k| format!("({})", args[k]))
                };
                // Each parameter occurs at most once per byte of the body, so this bounds the
                // substituted text before it is built.
                let widest = args.iter().map(|a| a.len() + 2).max().unwrap_or(0);
                check_expansion(mac.body.len().saturating_mul(widest.max(1)))?;
                let body =
                    inline_macros(&rewrite_names(&mac.body, &substitute), macros, depth + 1)?;
                out.push_str(&format!("({body})"));
                check_expansion(out.len())?;
                rest = &tail[args_start + close + 1..];
            }
            _ => {
                out.push_str(name);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Refuses an expansion longer than [`crate::limits::MACRO_EXPANSION_BYTES`]: macros that call
/// each other twice per level double the text at every level.
fn check_expansion(len: usize) -> Result<(), String> {
    let limit = &crate::limits::MACRO_EXPANSION_BYTES;
    limit
        .check(len as u64, "the macro expansion")
        .map_err(|d| d.message)
}

/// Byte offset of the `)` closing an already opened parenthesis.
fn matching_paren(text: &str) -> Option<usize> {
    let mut depth = 0i32;
    let mut in_quote = false;
    for (i, ch) in text.char_indices() {
        match ch {
            '"' => in_quote = !in_quote,
            '(' if !in_quote => depth += 1,
            ')' if !in_quote => {
                if depth == 0 {
                    return Some(i);
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_become_spaces_and_keep_positions() {
        let s = "a {note} + b";
        let out = blank_comments(s);
        assert_eq!(out.len(), s.len());
        assert_eq!(out.split_whitespace().collect::<Vec<_>>(), ["a", "+", "b"]);
        assert_eq!(blank_comments("\"x{1}\" + 1"), "\"x{1}\" + 1");
        assert_eq!(blank_comments("{Enter equation}").trim(), "");
    }

    #[test]
    fn renames_names_but_not_numbers_functions_or_subscripts() {
        let rename = |n: &str| match n {
            "hares" => Some("\"m.hares\"".to_string()),
            "lynxes.lynxes" => Some("\"lynxes.lynxes\"".to_string()),
            "Hare Rate" => Some("\"m.hare rate\"".to_string()),
            _ => None,
        };
        assert_eq!(
            rewrite_names("hares*1e3+MAX(hares, 2.5E-2) - x[hares]", &rename),
            "\"m.hares\"*1e3+MAX(\"m.hares\", 2.5E-2) - x[hares]"
        );
        assert_eq!(
            rewrite_names("lynxes.lynxes/\"Hare Rate\"+.5", &rename),
            "\"lynxes.lynxes\"/\"m.hare rate\"+.5"
        );
        let path = |n: &str| Some(format!("<{n}>"));
        assert_eq!(
            rewrite_names("\"Lynx Module\".prey + \"a b\".\"c d\" * \"x\"", &path),
            "<Lynx Module.prey> + <a b.c d> * <x>"
        );
    }

    #[test]
    fn macros_expand_with_arguments_in_parentheses() {
        let macros = [
            Macro {
                key: "scaled".into(),
                params: vec!["x".into(), "k".into()],
                body: "x * k".into(),
            },
            Macro {
                key: "twice".into(),
                params: vec!["y".into()],
                body: "SCALED(y, 2)".into(),
            },
        ];
        assert_eq!(
            inline_macros("1 + Scaled(a + b, MAX(c, 3))", &macros, 0).unwrap(),
            "1 + ((a + b) * (MAX(c, 3)))"
        );
        let nested = inline_macros("twice(twice(z))", &macros, 0).unwrap();
        assert_eq!(nested.replace(['(', ')', ' '], ""), "z*2*2", "{nested}");
        assert!(inline_macros("scaled(1)", &macros, 0)
            .unwrap_err()
            .contains("2 arguments"));
        assert!(inline_macros("scaled(1, 2", &macros, 0).is_err());
        let looping = [Macro {
            key: "f".into(),
            params: vec![],
            body: "f()".into(),
        }];
        assert!(inline_macros("f()", &looping, 0).is_err());
    }

    #[test]
    fn number_lists_are_recognised() {
        assert_eq!(number_list("1, 2, -3.5").unwrap(), ["1", "2", "-3.5"]);
        assert!(number_list("MAX(1, 2)").is_none());
        assert_eq!(
            number_list("0.1,0.2;\n\t0.4,0.5;\n").unwrap(),
            ["0.1", "0.2", "0.4", "0.5"]
        );
        assert!(number_list("7").is_none());
        assert!(number_list("1, a").is_none());
    }
}
