//! The names of the environment variables that hold secrets: every `…-env` key
//! of a crateship table (`signing.windows-password-env`, `signing.pgp-key-env`,
//! `signing.apple.notarize.key-env`, …).
//!
//! They are read straight from the Cargo.toml files — the package's and its
//! ancestors', where a workspace root may hold `[workspace.metadata.crateship]`
//! — before `cargo metadata` runs, so that not even cargo sees the secrets.

use std::path::Path;

/// The variable names every `…-env` key of a crateship table in `manifest` or
/// in a Cargo.toml above it names. Files that cannot be read or parsed are
/// skipped: `cargo metadata` reports them properly.
pub fn secret_variables(manifest: &Path) -> Vec<String> {
    let mut names = Vec::new();
    let start = manifest
        .canonicalize()
        .unwrap_or_else(|_| manifest.to_path_buf());
    let mut dir = start.parent();
    while let Some(d) = dir {
        let file = d.join("Cargo.toml");
        if let Ok(text) = std::fs::read_to_string(&file)
            && let Ok(value) = text.parse::<toml::Table>()
        {
            for level in ["package", "workspace"] {
                if let Some(table) = value
                    .get(level)
                    .and_then(|t| t.get("metadata"))
                    .and_then(|t| t.get("crateship"))
                {
                    collect(table, &mut names);
                }
            }
        }
        dir = d.parent();
    }
    names.sort();
    names.dedup();
    names
}

fn collect(value: &toml::Value, names: &mut Vec<String>) {
    match value {
        toml::Value::Table(table) => {
            for (key, v) in table {
                match v {
                    toml::Value::String(name) if key.ends_with("-env") => names.push(name.clone()),
                    other => collect(other, names),
                }
            }
        }
        toml::Value::Array(items) => items.iter().for_each(|v| collect(v, names)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_env_key_of_the_package_and_workspace_tables_is_found() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[workspace]\n[workspace.metadata.crateship.signing]\npgp-key-env = \"WS_PGP\"\n",
        )
        .unwrap();
        let member = dir.path().join("app");
        std::fs::create_dir_all(&member).unwrap();
        std::fs::write(
            member.join("Cargo.toml"),
            "[package]\nname = \"app\"\n[package.metadata.crateship.signing]\n\
             windows-password-env = \"PFX_PW\"\n[package.metadata.crateship.signing.apple]\n\
             notarize = { key-id = \"K\", issuer-id = \"I\", key-env = \"APPLE_KEY\" }\n",
        )
        .unwrap();
        assert_eq!(
            secret_variables(&member.join("Cargo.toml")),
            ["APPLE_KEY", "PFX_PW", "WS_PGP"]
        );
    }
}
