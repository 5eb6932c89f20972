//! `crateship init`: a first `[package.metadata.crateship]` table for a project,
//! derived from what Cargo.toml and the files already say (identifier from
//! `repository`/`homepage`, product name, the largest icon it finds, targets,
//! Linux categories from crates.io categories), appended to the package's
//! Cargo.toml so that every existing line, comment and blank stays as it was.
//!
//! [`suggest`] only reads; [`table`] is pure text; [`write_table`] is the one step
//! that changes the file (atomically, keeping its mode), and refuses an
//! existing table unless asked to replace it.

use std::path::{Path, PathBuf};

use cargo_metadata::Package;

use crate::error::{Error, Result};
use crate::plan::inputs::{cargo_metadata, select_package};
use crate::process::CommandSpec;
use crate::target::{SUPPORTED_TARGETS, UNIVERSAL_APPLE_DARWIN};
use crate::workflow::framework_crate;

/// The targets a desktop app usually ships, before the host is added.
const DESKTOP_TARGETS: &[&str] = &[
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-pc-windows-gnu",
    UNIVERSAL_APPLE_DARWIN,
];

/// Folders searched for the icon, in this order.
const ICON_DIRS: &[&str] = &["assets", "icons", "extra", "resources"];

/// What `init` proposes for one package, with the reason for each choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The package's Cargo.toml (where the table goes).
    pub manifest: PathBuf,
    /// The package name.
    pub package: String,
    /// Reverse-DNS identifier.
    pub identifier: String,
    /// Where the identifier came from (`repository`, `homepage`, or a placeholder).
    pub identifier_source: String,
    /// Product name shown in installers (title-cased package name).
    pub product_name: String,
    /// The icon found, relative to the package dir, and why it was chosen.
    pub icon: Option<(String, String)>,
    /// Targets to build.
    pub targets: Vec<String>,
    /// A framework-linking dependency, whose Apple targets need a macOS runner.
    pub apple_framework: Option<String>,
    /// freedesktop.org menu categories.
    pub categories: Vec<String>,
    /// Whether `authors` has a maintainer with an e-mail (deb, rpm and AppImage
    /// need one); without it the table chooses formats that do not.
    pub has_maintainer: bool,
    /// The workspace's root Cargo.toml (where `init --xtask` adds its member).
    pub workspace_manifest: PathBuf,
    /// Other tools' packaging tables the package has (`deb`, `wix`, …).
    pub foreign_tables: Vec<String>,
    /// Whether to read them (`init --import`): the table says `import = [...]`
    /// and leaves out the keys they already set, so theirs are used.
    pub import: bool,
    /// crateship keys the foreign tables set (`identifier`, `icon`, …), with `import`.
    pub imported_keys: Vec<String>,
}

/// Reads the package `manifest` (or the one binary package of a workspace
/// manifest, or `package`) and proposes its table.
pub fn suggest(manifest: &Path, package: Option<&str>, import: bool) -> Result<Suggestion> {
    if !manifest.is_file() {
        return Err(Error::Usage(format!(
            "no Cargo.toml at {}; run crateship init in a Cargo project or pass --manifest-path",
            manifest.display()
        )));
    }
    let metadata = cargo_metadata(manifest)?;
    let pkg = select_package(&metadata, manifest, package)?;
    let dir = pkg
        .manifest_path
        .parent()
        .map(|p| p.as_std_path().to_path_buf())
        .unwrap_or_default();
    let lock =
        std::fs::read_to_string(metadata.workspace_root.join("Cargo.lock")).unwrap_or_default();
    let (identifier, identifier_source) = identifier(&pkg);
    let mut targets: Vec<String> = DESKTOP_TARGETS.iter().map(|t| t.to_string()).collect();
    if let Some(host) = host_target()
        && SUPPORTED_TARGETS.contains(&host.as_str())
        && !targets.contains(&host)
    {
        targets.insert(0, host);
    }
    let foreign_tables: Vec<String> = crate::config::import::TABLES
        .iter()
        .filter(|t| pkg.metadata.get(**t).is_some_and(|v| v.is_object()))
        .map(|t| t.to_string())
        .collect();
    let imported_keys = if import && !foreign_tables.is_empty() {
        let binaries: Vec<String> = pkg
            .targets
            .iter()
            .filter(|t| t.is_bin())
            .map(|t| t.name.clone())
            .collect();
        let manifest_path = pkg.manifest_path.clone().into_std_path_buf();
        // Reading them now also shows at once what `dist` would refuse.
        let imported = crate::config::import::read(
            &pkg.metadata,
            Some(&foreign_tables),
            &crate::config::import::Project {
                dir: &dir,
                file: &manifest_path,
                binaries: &binaries,
                name: &pkg.name,
                hooks: false,
            },
        )?;
        ["identifier", "product-name", "icon"]
            .iter()
            .filter(|k| imported.value.get(**k).is_some())
            .map(|k| k.to_string())
            .collect()
    } else {
        Vec::new()
    };
    Ok(Suggestion {
        workspace_manifest: metadata
            .workspace_root
            .join("Cargo.toml")
            .into_std_path_buf(),
        foreign_tables,
        import,
        imported_keys,
        manifest: pkg.manifest_path.clone().into_std_path_buf(),
        package: pkg.name.to_string(),
        identifier,
        identifier_source,
        product_name: product_name(&pkg.name),
        icon: find_icon(&dir),
        targets,
        apple_framework: framework_crate(&lock).map(str::to_owned),
        categories: linux_categories(&pkg.categories),
        has_maintainer: pkg.authors.iter().any(|a| a.contains('@')),
    })
}

/// The host's target triple, from `rustc -vV`.
fn host_target() -> Option<String> {
    let out = CommandSpec::new("rustc", &["-vV"]).run().ok()?.stdout;
    out.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_owned)
}

/// A DNS label made of `s`: lowercase letters, digits and `-`.
fn label(s: &str) -> String {
    let mapped: String = s
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let trimmed = mapped.trim_matches('-');
    let mut out: String = trimmed.chars().take(63).collect();
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() { "app".into() } else { out }
}

/// `io.github.owner.name` from a forge URL, `REVERSED.HOST.name` from another
/// site, else a placeholder to replace.
fn identifier(pkg: &Package) -> (String, String) {
    let name = label(&pkg.name);
    for (key, url) in [("repository", &pkg.repository), ("homepage", &pkg.homepage)] {
        let Some(url) = url else { continue };
        let rest = url
            .split_once("://")
            .map(|(_, r)| r)
            .unwrap_or(url.as_str());
        let mut parts = rest.split('/').filter(|p| !p.is_empty());
        let Some(host) = parts.next() else { continue };
        let host = host.split(':').next().unwrap_or(host).to_lowercase();
        let host = host.strip_prefix("www.").unwrap_or(&host).to_owned();
        let owner = parts.next().map(label);
        let forge = match host.as_str() {
            "github.com" => Some("io.github"),
            "gitlab.com" => Some("io.gitlab"),
            "codeberg.org" => Some("org.codeberg"),
            "sr.ht" | "git.sr.ht" => Some("ht.sr"),
            _ => None,
        };
        let id = match (forge, owner) {
            (Some(prefix), Some(owner)) => format!("{prefix}.{owner}.{name}"),
            (Some(_), None) => continue,
            (None, _) => {
                let mut labels: Vec<String> = host.split('.').map(label).collect();
                if labels.len() < 2 {
                    continue;
                }
                labels.reverse();
                format!("{}.{name}", labels.join("."))
            }
        };
        if crate::config::rules::check_identifier(&id).is_ok() {
            return (id, format!("from `{key}` = {url}"));
        }
    }
    (
        format!("org.example.{name}"),
        "a placeholder (no `repository` or `homepage`): replace it with a domain you control"
            .into(),
    )
}

/// `hello-desktop` → `Hello Desktop`.
fn product_name(name: &str) -> String {
    name.split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// freedesktop.org main categories for crates.io category slugs (the first
/// part of each slug; unknown ones are dropped, `Utility` when none maps).
fn linux_categories(crates_io: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for slug in crates_io {
        let main = slug.split("::").next().unwrap_or(slug);
        let mapped: &[&str] = match (main, slug.as_str()) {
            (_, "multimedia::audio") => &["AudioVideo", "Audio"],
            (_, "multimedia::video") => &["AudioVideo", "Video"],
            (_, "multimedia::images") | ("graphics" | "rendering" | "visualization", _) => {
                &["Graphics"]
            }
            ("multimedia", _) => &["AudioVideo"],
            ("games" | "game-development", _) => &["Game"],
            ("development-tools", _) => &["Development"],
            ("science" | "mathematics", _) => &["Science"],
            ("network-programming" | "web-programming" | "email", _) => &["Network"],
            ("text-editors", _) => &["Utility", "TextEditor"],
            ("command-line-utilities", _) => &["Utility", "ConsoleOnly"],
            ("filesystem" | "os", _) => &["System"],
            ("authentication" | "cryptography", _) => &["Utility", "Security"],
            ("gui", _) => &["Utility"],
            _ => &[],
        };
        for c in mapped {
            if !out.iter().any(|o| o == c) {
                out.push((*c).to_owned());
            }
        }
    }
    if out.is_empty() {
        out.push("Utility".into());
    }
    out
}

/// The icon source in the package dir: an SVG (first by path), else the PNG
/// with the most pixels, in `assets/`, `icons/`, `extra/`, `resources/` and
/// their subfolders, with why it was chosen.
fn find_icon(dir: &Path) -> Option<(String, String)> {
    let mut svgs = Vec::new();
    let mut pngs = Vec::new();
    for top in ICON_DIRS {
        let Ok(entries) = crateship_support::walk::files_below(&dir.join(top)) else {
            continue;
        };
        for e in entries {
            let rel = format!("{top}/{}", e.rel);
            let lower = rel.to_lowercase();
            if lower.ends_with(".svg") {
                svgs.push(rel);
            } else if lower.ends_with(".png")
                && let Some((w, h)) = png_size(&dir.join(&rel))
            {
                pngs.push((u64::from(w) * u64::from(h), w, h, rel));
            }
        }
    }
    svgs.sort();
    if let Some(svg) = svgs.into_iter().next() {
        return Some((svg, "an SVG, which renders sharp at every size".into()));
    }
    pngs.sort_by(|a, b| b.0.cmp(&a.0).then(a.3.cmp(&b.3)));
    pngs.into_iter().next().map(|(_, w, h, rel)| {
        let note = if w < 1024 || h < 1024 {
            "; icons are best from 1024 px"
        } else {
            ""
        };
        (rel, format!("the largest PNG found, {w}×{h}{note}"))
    })
}

/// Width and height from a PNG's IHDR, or `None` for anything else.
fn png_size(path: &Path) -> Option<(u32, u32)> {
    use std::io::Read;
    let mut head = [0u8; 24];
    std::fs::File::open(path).ok()?.read_exact(&mut head).ok()?;
    if &head[..8] != b"\x89PNG\r\n\x1a\n" || &head[12..16] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(head[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(head[20..24].try_into().ok()?);
    Some((w, h))
}

/// A TOML basic string.
fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// A TOML array of strings.
fn toml_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| toml_str(s)).collect();
    format!("[{}]", quoted.join(", "))
}

/// The `[package.metadata.crateship]` table text for `s` (with comments saying
/// where each value came from).
pub fn table(s: &Suggestion) -> String {
    let mut out = String::from(
        "\n# Release config for crateship (written by `crateship init`; reference:\n\
         # crateship's docs/config.md). `crateship plan` shows what it builds.\n\
         [package.metadata.crateship]\n",
    );
    let tables: Vec<String> = s
        .foreign_tables
        .iter()
        .map(|t| format!("[package.metadata.{t}]"))
        .collect();
    if s.import && !tables.is_empty() {
        out.push_str(&format!(
            "# crateship reads {} (its keys here win; see the guide's import table).\n",
            tables.join(", ")
        ));
        out.push_str(&format!("import = {}\n", toml_list(&s.foreign_tables)));
    } else if !tables.is_empty() {
        out.push_str(&format!(
            "# {} not read: `crateship init --import` (or `import = {}`) reads them.\n",
            tables.join(", "),
            toml_list(&s.foreign_tables)
        ));
        out.push_str("import = []\n");
    }
    let from_import = |key: &str| s.imported_keys.iter().any(|k| k == key);
    if from_import("identifier") {
        out.push_str("# identifier: from the imported table\n");
    } else {
        out.push_str(&format!("# {}\n", s.identifier_source));
        out.push_str(&format!("identifier = {}\n", toml_str(&s.identifier)));
    }
    if from_import("product-name") {
        out.push_str("# product-name: from the imported table\n");
    } else {
        out.push_str(&format!("product-name = {}\n", toml_str(&s.product_name)));
    }
    match &s.icon {
        _ if from_import("icon") => out.push_str("# icon: from the imported table\n"),
        Some((icon, why)) => {
            out.push_str(&format!("# {why}\nicon = {}\n", toml_str(icon)));
        }
        None => out.push_str(
            "# No icon found under assets/, icons/, extra/ or resources/: crateship's own is used.\n\
             # icon = \"assets/icon.svg\"\n",
        ),
    }
    if let Some(framework) = &s.apple_framework {
        out.push_str(&format!(
            "# `{framework}` links an Apple framework: the Apple targets need the macOS SDK, so\n\
             # `crateship ci` builds them on a macOS runner.\n"
        ));
    }
    out.push_str(&format!("targets = {}\n", toml_list(&s.targets)));
    if !s.has_maintainer {
        out.push_str(
            "# deb, rpm and AppImage need a maintainer: add `authors = [\"Name <mail@example.org>\"]`\n\
             # to [package] and drop this line to get them too.\n",
        );
        let formats: Vec<String> = ["tar.gz", "zip", "msi", "app", "dmg", "pkg"]
            .iter()
            .map(|f| f.to_string())
            .collect();
        out.push_str(&format!("formats = {}\n", toml_list(&formats)));
    }
    out.push_str("\n[package.metadata.crateship.linux]\n");
    out.push_str(&format!("categories = {}\n", toml_list(&s.categories)));
    out
}

/// Whether the Cargo.toml text `text` has a crateship table for its package.
fn has_table(doc: &toml_edit::DocumentMut) -> bool {
    doc.get("package")
        .and_then(|p| p.get("metadata"))
        .and_then(|m| m.get("crateship"))
        .is_some()
}

/// Appends `table` to the Cargo.toml `manifest`. An existing crateship table is
/// refused unless `force`, which removes it first (everything else is kept as
/// written). The file is replaced atomically with its mode kept; a read-only
/// file is refused and left alone.
pub fn write_table(manifest: &Path, table: &str, force: bool) -> Result<()> {
    let io = |action: &'static str, e: std::io::Error| Error::Io {
        action,
        path: manifest.to_path_buf(),
        source: e,
    };
    let meta = std::fs::metadata(manifest).map_err(|e| io("cannot read", e))?;
    if meta.permissions().readonly() {
        return Err(Error::requirement(
            format!("{} is read-only", manifest.display()),
            format!(
                "make it writable (`chmod u+w {}`) and run crateship init again",
                manifest.display()
            ),
        ));
    }
    let original = std::fs::read_to_string(manifest).map_err(|e| io("cannot read", e))?;
    let mut doc: toml_edit::DocumentMut = original.parse().map_err(|e| Error::Metadata {
        manifest: manifest.to_path_buf(),
        message: format!("Cargo.toml is not valid TOML: {e}"),
    })?;
    let base = if has_table(&doc) {
        if !force {
            return Err(Error::requirement(
                format!(
                    "{} already has a [package.metadata.crateship] table",
                    manifest.display()
                ),
                "edit that table (see docs/config.md), or run `crateship init --force` to replace it",
            ));
        }
        if let Some(metadata) = doc
            .get_mut("package")
            .and_then(|p| p.get_mut("metadata"))
            .and_then(|m| m.as_table_like_mut())
        {
            metadata.remove("crateship");
        }
        doc.to_string()
    } else {
        original
    };
    let mut text = base;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(table);
    // The result must still be one TOML document with the table where Cargo reads it.
    let check: toml_edit::DocumentMut = text.parse().map_err(|e| {
        Error::requirement(
            format!(
                "the crateship table cannot be appended to {}: {e}",
                manifest.display()
            ),
            "define `package.metadata` with [package.metadata.…] headers instead of dotted keys \
             or an inline table, then run crateship init again",
        )
    })?;
    debug_assert!(has_table(&check));
    let mut out = crateship_support::AtomicFile::create(manifest)
        .map_err(|e| io("cannot write", e.source))?;
    std::io::Write::write_all(out.file(), text.as_bytes()).map_err(|e| io("cannot write", e))?;
    {
        use std::os::unix::fs::PermissionsExt;
        out.set_mode(meta.permissions().mode() & 0o7777)
            .map_err(|e| io("cannot write", e.source))?;
    }
    out.commit().map_err(|e| io("cannot write", e.source))?;
    Ok(())
}

/// Whether `id` is an identifier crateship accepts (for a prompt's answer).
pub fn check_identifier(id: &str) -> std::result::Result<(), String> {
    crate::config::rules::check_identifier(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::TargetTriple;

    #[test]
    fn names_become_labels_and_titles() {
        assert_eq!(label("Hello_Desktop"), "hello-desktop");
        assert_eq!(label("--"), "app");
        assert_eq!(product_name("hello-desktop"), "Hello Desktop");
        assert_eq!(product_name("rg"), "Rg");
    }

    #[test]
    fn crates_io_categories_map_to_menu_categories() {
        let cats =
            |c: &[&str]| linux_categories(&c.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            cats(&["multimedia::audio", "gui"]),
            ["AudioVideo", "Audio", "Utility"]
        );
        assert_eq!(cats(&["no-std"]), ["Utility"]);
        assert_eq!(
            cats(&["command-line-utilities"]),
            ["Utility", "ConsoleOnly"]
        );
    }

    #[test]
    fn every_desktop_target_is_supported() {
        for t in DESKTOP_TARGETS {
            assert!(t.parse::<TargetTriple>().is_ok(), "{t}");
        }
    }
}
