//! Opening a model file of any supported format (TOML, XMILE, Vensim .mdl) by its extension,
//! and reading input files within the limits of [`crate::limits`]; the file is read once,
//! and its text kept for the study sections and the study's provenance.

use crate::diagnostic::{Diagnostic, SourceFile};
use crate::model::{toml_file, Model};
use std::path::Path;
use std::sync::Arc;

/// Loads a model file: `.toml` natively; `.xmile`, `.stmx` and `.xml` as XMILE; `.mdl` as
/// Vensim.
pub fn load_model(path: &Path) -> Result<Model, Diagnostic> {
    check_extension(path)?;
    parse_model(path, &toml_file::read_source(path)?)
}

/// Parses a model file already read into `file`, choosing the reader by `path`'s extension.
pub fn parse_model(path: &Path, file: &Arc<SourceFile>) -> Result<Model, Diagnostic> {
    match extension(path).as_str() {
        "toml" => {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "model".into());
            toml_file::parse(file, &stem)
        }
        "mdl" => crate::mdl::parse(&file.text, &file.path),
        _ => crate::xmile::parse(&file.text, &file.path),
    }
}

/// Refuses a file whose extension names no model format, before it is read.
pub fn check_extension(path: &Path) -> Result<(), Diagnostic> {
    let ext = extension(path);
    match ext.as_str() {
        "toml" | "xmile" | "stmx" | "xml" | "itmx" | "mdl" => Ok(()),
        _ => Err(Diagnostic::plain(format!(
            "`{}`: unknown model format `{ext}`",
            path.display()
        ))
        .with_hint("model files end in .toml, .xmile, .stmx or .mdl")),
    }
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Reads the regular file at `path` (symbolic links followed) into memory.
///
/// Refused before reading: anything that is not a regular file (a directory, a FIFO that
/// would block forever, a device such as `/dev/zero` that never ends) and files larger than
/// [`crate::limits::FILE_BYTES`]. The file is opened without blocking and checked through its
/// open handle, so swapping the path for a FIFO between the check and the read changes
/// nothing; the read itself stops one byte past the limit in case the file grows meanwhile.
pub fn read_file(path: &Path) -> Result<Vec<u8>, Diagnostic> {
    use std::io::Read;
    let shown = path.display().to_string();
    let cannot = |e: std::io::Error| {
        Diagnostic::plain(format!("cannot read `{shown}`: {e}"))
            .with_hint("check the path and its permissions")
    };
    let file = open_nonblocking(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if meta.is_dir() {
        return Err(
            Diagnostic::plain(format!("cannot read `{shown}`: it is a directory"))
                .with_hint("give the path of a model file inside it"),
        );
    }
    if !meta.is_file() {
        return Err(Diagnostic::plain(format!(
            "cannot read `{shown}`: it is not a regular file (a device, pipe or socket)"
        ))
        .with_hint("give the path of a model file saved on disk"));
    }
    let limit = &crate::limits::FILE_BYTES;
    limit.check(meta.len(), &format!("`{shown}`"))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit.value().saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    limit.check(bytes.len() as u64, &format!("`{shown}`"))?;
    Ok(bytes)
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    // Opening a FIFO for reading blocks until a writer appears unless O_NONBLOCK is given.
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

#[cfg(all(test, unix))]
mod tests {
    use super::read_file;
    use std::path::Path;

    #[test]
    fn devices_fifos_and_directories_are_refused_without_reading() {
        let d = read_file(Path::new("/dev/zero")).unwrap_err();
        assert!(d.message.contains("not a regular file"), "{}", d.message);
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("model.toml");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let d = read_file(&link).unwrap_err();
        assert!(d.message.contains("not a regular file"), "{}", d.message);
        let fifo = dir.path().join("fifo.toml");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let d = read_file(&fifo).unwrap_err();
        assert!(d.message.contains("not a regular file"), "{}", d.message);
        let d = read_file(dir.path()).unwrap_err();
        assert!(d.message.contains("is a directory"), "{}", d.message);
        assert!(d.hint.is_some());
    }

    #[test]
    fn regular_files_are_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.toml");
        std::fs::write(&path, b"[model]\n").unwrap();
        assert_eq!(read_file(&path).unwrap(), b"[model]\n");
    }
}
