//! The `[loops]` section of a TOML model: feedback loops the model names, each with a label
//! and the path of its variables. Whether the path is a loop of the model is checked by
//! `analysis::named_loops`, which knows the links.

use super::toml_file::Reader;
use super::NamedLoop;
use crate::diagnostic::Diagnostic;
use toml::de::DeValue;
use toml::Spanned;

/// Reads every entry of the `[loops]` section `item`.
pub fn read(reader: &Reader, item: &Spanned<DeValue>) -> Result<Vec<NamedLoop>, Diagnostic> {
    let mut out = Vec::new();
    for (key, value) in reader.table(item, "[loops]")?.iter() {
        let name = key.get_ref().to_string();
        let t = reader.table(value, &format!("loop `{name}`"))?;
        reader.check_keys(t, &["label", "path", "doc"], &format!("loop `{name}`"))?;
        let label = t
            .get("label")
            .map(|l| reader.string(l, "a loop's label"))
            .transpose()?;
        let Some(path_item) = t.get("path") else {
            return Err(reader
                .error(value, format!("loop `{name}` has no path"))
                .with_hint(
                    "write path = [\"a\", \"b\", …]: the loop's variables in causal order, \
                     each affecting the next and the last the first",
                ));
        };
        let mut path = reader.strings(path_item, "a loop's path")?;
        // The path may be written back to its start, as `check` prints it.
        if path.len() > 1 && path.first() == path.last() {
            path.pop();
        }
        if path.is_empty() {
            return Err(reader
                .error(path_item, format!("loop `{name}` has an empty path"))
                .with_hint("list the loop's variables in causal order"));
        }
        out.push(NamedLoop {
            name,
            label,
            path,
            at: reader.at(path_item),
        });
    }
    Ok(out)
}
