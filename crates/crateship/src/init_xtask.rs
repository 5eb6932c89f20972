//! `crateship init --xtask`: an `xtask/` crate whose `cargo xtask dist` runs
//! the crateship library (the guide's "In your own xtask"), the
//! `.cargo/config.toml` alias that makes `cargo xtask` work, and the crate as a
//! workspace member. Everything is checked before the first file is written.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The xtask's `src/main.rs`: the file this repository builds as
/// `examples/user-xtask` (a tidy test keeps the two, and the guide, equal).
pub const XTASK_MAIN: &str = include_str!("../templates/xtask/main.rs");

/// The alias `cargo xtask` runs.
const ALIAS: &str = "run --quiet --package xtask --";

/// Where the xtask's `crateship` dependency comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrateshipSource {
    /// crates.io, at this crateship's version.
    Registry,
    /// A local checkout's `crates/crateship` (`--crateship-path`).
    Path(PathBuf),
}

/// Writes the xtask crate into the workspace whose root manifest is
/// `workspace_manifest`; returns the files written or changed.
pub fn write(workspace_manifest: &Path, source: &CrateshipSource) -> Result<Vec<PathBuf>> {
    let root = workspace_manifest.parent().unwrap_or(Path::new("."));
    let dir = root.join("xtask");
    if dir.exists() {
        return Err(Error::requirement(
            format!("{} already exists", dir.display()),
            "add `crateship` to its dependencies yourself (see the guide's \"In your own xtask\"), \
             or move it away and run `crateship init --xtask` again",
        ));
    }
    let dependency = match source {
        CrateshipSource::Registry => format!(
            "crateship = {{ version = \"{}\", features = [\"progress-bar\"] }}",
            env!("CARGO_PKG_VERSION")
        ),
        CrateshipSource::Path(path) => {
            if !path.join("Cargo.toml").is_file() {
                return Err(Error::Usage(format!(
                    "--crateship-path {} holds no Cargo.toml; give the directory of the crateship crate (crates/crateship in a checkout)",
                    path.display()
                )));
            }
            let path = path
                .canonicalize()
                .map_err(|e| Error::io("cannot resolve", path, e))?;
            format!(
                "crateship = {{ path = {}, features = [\"progress-bar\"] }}",
                toml_edit::value(path.to_string_lossy().as_ref())
            )
        }
    };
    let cargo_toml = format!(
        "[package]\nname = \"xtask\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         # `cargo xtask dist`: the release, on the crateship library (written by `crateship init --xtask`).\n\
         [dependencies]\n{dependency}\n"
    );
    // Both edits are made in memory first: a file that does not parse stops here.
    let config_path = root.join(".cargo").join("config.toml");
    let config = edit(&config_path, true, |doc| {
        let alias = doc
            .entry("alias")
            .or_insert(toml_edit::table())
            .as_table_like_mut()
            .ok_or("`alias` is not a table")?;
        match alias.get("xtask").and_then(|v| v.as_str()) {
            Some(existing) if existing != ALIAS => {
                return Err(
                    "it already has an `xtask` alias; point it at the xtask crate: `xtask = \"run --quiet --package xtask --\"`",
                );
            }
            Some(_) => {}
            None => {
                alias.insert("xtask", toml_edit::value(ALIAS));
            }
        }
        Ok(())
    })?;
    let workspace = edit(workspace_manifest, false, |doc| {
        let ws = doc
            .entry("workspace")
            .or_insert(toml_edit::table())
            .as_table_like_mut()
            .ok_or("`workspace` is not a table")?;
        let members = ws
            .entry("members")
            .or_insert(toml_edit::value(toml_edit::Array::new()))
            .as_array_mut()
            .ok_or("`workspace.members` is not a list")?;
        if !members.iter().any(|m| m.as_str() == Some("xtask")) {
            members.push("xtask");
        }
        Ok(())
    })?;
    let io = |path: &Path, e: std::io::Error| Error::io("cannot write", path, e);
    let src = dir.join("src");
    std::fs::create_dir_all(&src).map_err(|e| io(&src, e))?;
    let files = [
        (dir.join("Cargo.toml"), cargo_toml),
        (src.join("main.rs"), XTASK_MAIN.to_owned()),
        (config_path, config),
        (workspace_manifest.to_path_buf(), workspace),
    ];
    for (path, text) in &files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        crateship_support::atomic::write(path, text.as_bytes())?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

/// `path`'s TOML (empty when `may_be_missing` and it does not exist) changed by
/// `change`, keeping everything else as written.
fn edit(
    path: &Path,
    may_be_missing: bool,
    change: impl FnOnce(&mut toml_edit::DocumentMut) -> std::result::Result<(), &'static str>,
) -> Result<String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if may_be_missing && e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::io("cannot read", path, e)),
    };
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e| {
        Error::requirement(
            format!("{} is not valid TOML: {e}", path.display()),
            "fix it, then run crateship init --xtask again",
        )
    })?;
    change(&mut doc).map_err(|why| {
        Error::requirement(
            format!("cannot set up `cargo xtask` in {}: {why}", path.display()),
            "change it as the message says, then run crateship init --xtask again",
        )
    })?;
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alias_and_the_member_are_added_keeping_the_rest() {
        let tmp = tempfile::tempdir().unwrap();
        let manifest = tmp.path().join("Cargo.toml");
        std::fs::write(
            &manifest,
            "[package]\nname = \"a\"  # kept\nversion = \"0.1.0\"\n\n[workspace]\nresolver = \"2\"\n",
        )
        .unwrap();
        std::fs::create_dir_all(tmp.path().join(".cargo")).unwrap();
        std::fs::write(
            tmp.path().join(".cargo/config.toml"),
            "# mine\n[alias]\nb = \"build\"\n",
        )
        .unwrap();
        write(&manifest, &CrateshipSource::Registry).unwrap();
        let ws = std::fs::read_to_string(&manifest).unwrap();
        assert!(ws.contains("name = \"a\"  # kept"), "{ws}");
        assert!(ws.contains("members = [\"xtask\"]"), "{ws}");
        let config = std::fs::read_to_string(tmp.path().join(".cargo/config.toml")).unwrap();
        assert!(
            config.starts_with("# mine\n[alias]\nb = \"build\"\n"),
            "{config}"
        );
        assert!(
            config.contains("xtask = \"run --quiet --package xtask --\""),
            "{config}"
        );
        let xtask = std::fs::read_to_string(tmp.path().join("xtask/Cargo.toml")).unwrap();
        assert!(xtask.contains("crateship = { version = \""), "{xtask}");
        // Twice is refused, and nothing changes.
        let err = write(&manifest, &CrateshipSource::Registry).unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
    }

    #[test]
    fn a_conflicting_alias_is_refused_before_anything_is_written() {
        let tmp = tempfile::tempdir().unwrap();
        let manifest = tmp.path().join("Cargo.toml");
        std::fs::write(&manifest, "[package]\nname = \"a\"\nversion = \"0.1.0\"\n").unwrap();
        std::fs::create_dir_all(tmp.path().join(".cargo")).unwrap();
        std::fs::write(
            tmp.path().join(".cargo/config.toml"),
            "[alias]\nxtask = \"run -p tools --\"\n",
        )
        .unwrap();
        let err = write(&manifest, &CrateshipSource::Registry).unwrap_err();
        assert!(err.to_string().contains("`xtask` alias"), "{err}");
        assert!(!tmp.path().join("xtask").exists());
        assert!(
            !std::fs::read_to_string(&manifest)
                .unwrap()
                .contains("workspace")
        );
    }
}
