//! Importing the packaging a project already describes for other tools:
//! `[package.metadata.deb]` (cargo-deb), `generate-rpm` (cargo-generate-rpm),
//! `wix` (cargo-wix), `bundle` (cargo-bundle) and `packager` (cargo-packager).
//!
//! Each table is translated into crateship's own keys as JSON; crateship's table
//! is then laid over it key by key ([`overlay`]), so what the user wrote for
//! crateship always wins. Keys with no crateship equivalent are named in one
//! warning per table with the reason; keys no tool defines are warned about
//! too. A source file that does not exist is an error naming the foreign key.
//! The mapping table is in docs/guide.md ("Importing cargo-deb …").

use std::path::Path;

use serde_json::{Map, Value, json};

use crate::error::{Error, Result};

/// The foreign tables crateship reads, by their `metadata` key.
pub const TABLES: &[&str] = &["deb", "generate-rpm", "wix", "bundle", "packager"];

/// What importing found.
#[derive(Debug, Default)]
pub struct Imported {
    /// crateship's keys, as JSON in the shape of `[package.metadata.crateship]`.
    pub value: Value,
    /// Ignored and unknown keys, and the note that tables were read.
    pub warnings: Vec<String>,
}

/// The project facts translation needs.
pub struct Project<'a> {
    /// The package directory (sources are relative to it).
    pub dir: &'a Path,
    /// The Cargo.toml, named in errors.
    pub file: &'a Path,
    /// The package's binary names (cargo-deb's `target/release/NAME` assets are
    /// the binaries crateship ships anyway).
    pub binaries: &'a [String],
    /// The package name.
    pub name: &'a str,
    /// Whether crateship's table has `before-package` commands, which may write
    /// the files an asset names (checked again after they ran).
    pub hooks: bool,
}

/// Translates the foreign tables of `metadata` that `choice` selects (`None`:
/// every one present, with a warning saying so).
pub fn read(
    metadata: &Value,
    choice: Option<&[String]>,
    project: &Project<'_>,
) -> Result<Imported> {
    let present: Vec<&str> = TABLES
        .iter()
        .copied()
        .filter(|t| metadata.get(*t).is_some_and(Value::is_object))
        .collect();
    let selected: Vec<&str> = match choice {
        Some(list) => present
            .iter()
            .copied()
            .filter(|t| list.iter().any(|c| c == t))
            .collect(),
        None => present.clone(),
    };
    let mut imported = Imported {
        value: json!({}),
        warnings: Vec::new(),
    };
    if choice.is_none() && !present.is_empty() {
        let names: Vec<String> = present
            .iter()
            .map(|t| format!("[package.metadata.{t}]"))
            .collect();
        imported.warnings.push(format!(
            "crateship reads {} (your crateship keys win); set `import = [{}]` in [package.metadata.crateship] to say so, or `import = []` to ignore them",
            names.join(", "),
            present
                .iter()
                .map(|t| format!("\"{t}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let both_linux = selected.contains(&"deb") && selected.contains(&"generate-rpm");
    for table in selected {
        let source = &metadata[table];
        let mut t = Translation {
            table,
            project,
            out: Map::new(),
            ignored: Vec::new(),
            unknown: Vec::new(),
        };
        match table {
            "deb" => t.deb(source, both_linux)?,
            "generate-rpm" => t.generate_rpm(source, both_linux)?,
            "wix" => t.wix(source),
            "bundle" => t.bundle(source)?,
            _ => t.packager(source)?,
        }
        if !t.ignored.is_empty() {
            imported.warnings.push(format!(
                "[package.metadata.{table}]: not imported: {}",
                t.ignored.join("; ")
            ));
        }
        if !t.unknown.is_empty() {
            imported.warnings.push(format!(
                "[package.metadata.{table}]: unknown keys ignored: {}",
                t.unknown.join(", ")
            ));
        }
        imported.value = combine(imported.value, Value::Object(t.out));
    }
    Ok(imported)
}

/// `top` laid over `base`: tables merge key by key, anything else in `top`
/// replaces what `base` has.
pub fn overlay(base: Value, top: Value) -> Value {
    merge(base, top, false)
}

/// `rel` with `.` and `dir/..` pairs removed, as cargo-deb resolves
/// `target/release/../man/eza.1`; a `..` that would leave the package stays
/// (and is refused as leaving the project).
fn normalize(rel: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// Two imported tables together: lists (assets, relationships) are joined,
/// tables merged, and otherwise the later table's value is taken.
fn combine(base: Value, top: Value) -> Value {
    merge(base, top, true)
}

/// `top` merged into `base` table by table; lists are joined when `join_lists`,
/// else `top`'s value replaces `base`'s.
fn merge(base: Value, top: Value, join_lists: bool) -> Value {
    match (base, top) {
        (Value::Object(mut base), Value::Object(top)) => {
            for (key, value) in top {
                let merged = match base.remove(&key) {
                    Some(old) => merge(old, value, join_lists),
                    None => value,
                };
                base.insert(key, merged);
            }
            Value::Object(base)
        }
        (Value::Array(mut base), Value::Array(top)) if join_lists => {
            base.extend(top);
            Value::Array(base)
        }
        (_, top) => top,
    }
}

/// One table being translated.
struct Translation<'a> {
    table: &'static str,
    project: &'a Project<'a>,
    out: Map<String, Value>,
    ignored: Vec<String>,
    unknown: Vec<String>,
}

impl Translation<'_> {
    /// An error about `key` of this table.
    fn err(&self, key: &str, message: String) -> Error {
        Error::Config {
            file: self.project.file.to_path_buf(),
            key: format!("[package.metadata.{}] {key}", self.table),
            message,
        }
    }

    /// Sets `path` (dotted, crateship's names) in the output.
    fn set(&mut self, path: &str, value: Value) {
        let mut node = &mut self.out;
        let parts: Vec<&str> = path.split('.').collect();
        for part in &parts[..parts.len() - 1] {
            node = node
                .entry((*part).to_owned())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("import paths are tables");
        }
        node.insert(parts[parts.len() - 1].to_owned(), value);
    }

    /// Appends to the list at `path`.
    fn push(&mut self, path: &str, items: Vec<Value>) {
        if items.is_empty() {
            return;
        }
        let mut node = &mut self.out;
        let parts: Vec<&str> = path.split('.').collect();
        for part in &parts[..parts.len() - 1] {
            node = node
                .entry((*part).to_owned())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("import paths are tables");
        }
        let list = node
            .entry(parts[parts.len() - 1].to_owned())
            .or_insert_with(|| json!([]));
        if let Value::Array(list) = list {
            list.extend(items);
        }
    }

    fn ignore(&mut self, key: &str, why: &str) {
        self.ignored.push(format!("`{key}` ({why})"));
    }

    /// A string value, or an error naming the key.
    fn string(&self, key: &str, value: &Value) -> Result<String> {
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| self.err(key, format!("is {value}, expected a string")))
    }

    /// A project file named by `key`: it must exist.
    fn existing(&self, key: &str, rel: &str) -> Result<String> {
        let rel = &normalize(rel);
        let path = self.project.dir.join(rel);
        if !path.exists() {
            return Err(self.err(
                key,
                format!(
                    "{} does not exist (crates.io tarballs often leave packaging files out); add the file, a `before-package` command that writes it, or set `import = []` in [package.metadata.crateship] to ignore this table",
                    path.display()
                ),
            ));
        }
        Ok(rel.to_owned())
    }

    /// A relationship list written as cargo-deb does: a comma-separated
    /// string or a list, without cargo-deb's `$auto` (crateship derives those).
    fn deb_list(&self, key: &str, value: &Value) -> Result<Vec<Value>> {
        let items: Vec<String> = match value {
            Value::String(s) => s.split(',').map(str::to_owned).collect(),
            Value::Array(a) => a
                .iter()
                .map(|v| self.string(key, v))
                .collect::<Result<_>>()?,
            other => return Err(self.err(key, format!("is {other}, expected a string or list"))),
        };
        Ok(items
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty() && !s.starts_with('$'))
            .map(|s| json!(s))
            .collect())
    }

    /// Whether an asset source is a binary crateship ships anyway.
    fn is_binary(&self, source: &str) -> bool {
        let source = source.trim_start_matches("./");
        let file = source.rsplit('/').next().unwrap_or(source);
        source.starts_with("target/")
            && source.contains("/release/")
            && self.project.binaries.iter().any(|b| b == file)
    }

    /// One asset: a binary is skipped, a missing source (no glob) is an error.
    fn asset(
        &mut self,
        key: &str,
        source: &str,
        dest: &str,
        mode: Option<String>,
        formats: Option<&[&str]>,
    ) -> Result<()> {
        if self.is_binary(source) {
            return Ok(());
        }
        let source = if source.contains(['*', '?', '[']) || self.project.hooks {
            normalize(source)
        } else {
            self.existing(key, source)?
        };
        let mut asset = json!({ "source": source, "dest": dest.trim_start_matches('/') });
        if let Some(mode) = mode {
            asset["mode"] = json!(mode);
        }
        if let Some(formats) = formats {
            asset["formats"] = json!(formats);
        }
        self.push("assets", vec![asset]);
        Ok(())
    }

    fn deb(&mut self, table: &Value, with_rpm: bool) -> Result<()> {
        // With a generate-rpm table too, each tool's assets go to its own format.
        let formats: Option<&[&str]> = with_rpm.then_some(&["deb"]);
        let mut maintainer_scripts: Option<String> = None;
        let mut units: Vec<Value> = Vec::new();
        for (key, value) in table.as_object().into_iter().flatten() {
            match key.as_str() {
                "depends" | "recommends" | "suggests" | "conflicts" | "provides" | "replaces" => {
                    let items = self.deb_list(key, value)?;
                    self.push(&format!("linux.deb.{key}"), items);
                }
                "section" | "priority" => {
                    let v = self.string(key, value)?;
                    self.set(&format!("linux.deb.{key}"), json!(v));
                }
                "extended-description" => {
                    let v = self.string(key, value)?;
                    self.set("linux.deb.extended-description", json!(v));
                }
                "extended-description-file" => {
                    let rel = self.string(key, value)?;
                    let rel = self.existing(key, &rel)?;
                    let path = self.project.dir.join(&rel);
                    let text = std::fs::read_to_string(&path)
                        .map_err(|e| Error::io("cannot read", &path, e))?;
                    self.set("linux.deb.extended-description", json!(text.trim()));
                }
                "assets" => {
                    for (i, asset) in value.as_array().into_iter().flatten().enumerate() {
                        let k = format!("assets[{i}]");
                        let parts = asset.as_array().filter(|a| a.len() >= 2).ok_or_else(|| {
                            self.err(&k, format!("is {asset}, expected [\"source\", \"dest\", \"mode\"]"))
                        })?;
                        let source = self.string(&k, &parts[0])?;
                        let dest = self.string(&k, &parts[1])?;
                        let mode = parts.get(2).map(|m| self.string(&k, m)).transpose()?;
                        self.asset(&k, &source, &dest, mode, formats)?;
                    }
                }
                "conf-files" => {
                    for file in value.as_array().into_iter().flatten() {
                        let file = self.string(key, file)?;
                        if !file.trim_start_matches('/').starts_with("etc/") {
                            self.ignore(&format!("conf-files: {file}"), "only files under /etc are conffiles in crateship");
                        }
                    }
                }
                "maintainer-scripts" => {
                    let dir = self.string(key, value)?;
                    let dir = self.existing(key, dir.trim_end_matches('/'))?;
                    maintainer_scripts = Some(dir);
                }
                "systemd-units" => {
                    units = match value {
                        Value::Array(a) => a.clone(),
                        other => vec![other.clone()],
                    };
                }
                "maintainer" | "copyright" | "license-file" | "changelog" => self.ignore(
                    key,
                    "crateship derives it from Cargo.toml's authors, the licence files and the version",
                ),
                "name" | "revision" | "essential" | "profile" | "features"
                | "default-features" | "separate-debug-symbols" | "compress-debug-symbols"
                | "preserve-symlinks" | "triggers-file" | "pre-depends" | "breaks"
                | "enhances" | "variants" | "merge-assets" | "dbgsym" | "build-depends"
                | "multiarch" => self.ignore(key, "no crateship equivalent"),
                other => self.unknown.push(format!("`{other}`")),
            }
        }
        if let Some(dir) = &maintainer_scripts {
            for (file, key) in [
                ("preinst", "pre-install"),
                ("postinst", "post-install"),
                ("prerm", "pre-remove"),
                ("postrm", "post-remove"),
            ] {
                let rel = format!("{dir}/{file}");
                if self.project.dir.join(&rel).is_file() {
                    self.set(&format!("linux.scripts.{key}"), json!(rel));
                }
            }
        }
        for (i, unit) in units.iter().enumerate() {
            let k = format!("systemd-units[{i}]");
            let dir = match unit.get("unit-scripts") {
                Some(v) => self.existing(&k, self.string(&k, v)?.trim_end_matches('/'))?,
                None => maintainer_scripts.clone().ok_or_else(|| {
                    self.err(&k, "names no `unit-scripts` directory and there is no `maintainer-scripts`; set one of them".into())
                })?,
            };
            let name = match unit.get("unit-name") {
                Some(v) => self.string(&k, v)?,
                None => self.project.name.to_owned(),
            };
            let mut found = false;
            for suffix in ["service", "socket", "timer", "path", "mount", "target"] {
                let rel = format!("{dir}/{name}.{suffix}");
                if self.project.dir.join(&rel).is_file() {
                    self.asset(&k, &rel, "usr/lib/systemd/system/", None, formats)?;
                    found = true;
                }
            }
            if !found {
                return Err(self.err(
                    &k,
                    format!("no unit file {dir}/{name}.service (or .socket, .timer, …); add it or fix `unit-name`/`unit-scripts`"),
                ));
            }
            for opt in [
                "enable",
                "start",
                "restart-after-upgrade",
                "stop-on-upgrade",
            ] {
                if unit.get(opt).is_some_and(|v| v == &json!(false)) {
                    self.ignore(
                        &format!("{k}.{opt} = false"),
                        "crateship always enables, starts and restarts units",
                    );
                }
            }
        }
        Ok(())
    }

    /// cargo-generate-rpm relationships: `{ name = "spec" }` with spec `*` or `>= 1.2`.
    fn rpm_relations(&self, key: &str, value: &Value) -> Result<Vec<Value>> {
        let table = value.as_object().ok_or_else(|| {
            self.err(
                key,
                format!("is {value}, expected a table like {{ foo = \">= 1.0\" }}"),
            )
        })?;
        table
            .iter()
            .map(|(name, spec)| {
                let spec = self.string(&format!("{key}.{name}"), spec)?;
                let spec = spec.trim();
                Ok(if spec.is_empty() || spec == "*" {
                    json!(name)
                } else {
                    json!(format!("{name} {spec}"))
                })
            })
            .collect()
    }

    fn generate_rpm(&mut self, table: &Value, with_deb: bool) -> Result<()> {
        let formats: Option<&[&str]> = with_deb.then_some(&["rpm"]);
        for (key, value) in table.as_object().into_iter().flatten() {
            match key.as_str() {
                "requires" | "recommends" | "suggests" | "obsoletes" | "provides" | "conflicts" => {
                    let items = self.rpm_relations(key, value)?;
                    self.push(&format!("linux.rpm.{key}"), items);
                }
                "assets" => {
                    for (i, asset) in value.as_array().into_iter().flatten().enumerate() {
                        let k = format!("assets[{i}]");
                        let field = |f: &str| asset.get(f);
                        let source = self.string(
                            &format!("{k}.source"),
                            field("source").unwrap_or(&Value::Null),
                        )?;
                        let dest = self
                            .string(&format!("{k}.dest"), field("dest").unwrap_or(&Value::Null))?;
                        let mode = field("mode")
                            .map(|m| self.string(&format!("{k}.mode"), m))
                            .transpose()?;
                        if field("config").is_some_and(|c| c == &json!(true))
                            && !dest.trim_start_matches('/').starts_with("etc/")
                        {
                            self.ignore(
                                &format!("{k}.config"),
                                "only files under /etc are conffiles in crateship",
                            );
                        }
                        self.asset(&k, &source, &dest, mode, formats)?;
                    }
                }
                "pre_install_script"
                | "post_install_script"
                | "pre_uninstall_script"
                | "post_uninstall_script" => {
                    if with_deb {
                        self.ignore(
                            key,
                            "the cargo-deb maintainer scripts are used for both formats",
                        );
                        continue;
                    }
                    let target = match key.as_str() {
                        "pre_install_script" => "pre-install",
                        "post_install_script" => "post-install",
                        "pre_uninstall_script" => "pre-remove",
                        _ => "post-remove",
                    };
                    let text = match value {
                        Value::Object(o) if o.contains_key("file") => {
                            json!(self.existing(key, &self.string(key, &o["file"])?)?)
                        }
                        other => {
                            let s = self.string(key, other)?;
                            if !s.contains('\n') && self.project.dir.join(&s).is_file() {
                                json!(s)
                            } else {
                                json!({ "inline": s })
                            }
                        }
                    };
                    self.set(&format!("linux.scripts.{target}"), text);
                }
                "name" | "summary" | "license" | "url" | "vendor" | "package" => {
                    self.ignore(key, "crateship takes it from Cargo.toml")
                }
                "release"
                | "epoch"
                | "auto-req"
                | "require-sh"
                | "supplements"
                | "enhances"
                | "pre_trans_script"
                | "post_trans_script"
                | "pre_untrans_script"
                | "post_untrans_script"
                | "variants" => self.ignore(key, "no crateship equivalent"),
                other => self.unknown.push(format!("`{other}`")),
            }
        }
        Ok(())
    }

    fn wix(&mut self, table: &Value) {
        for (key, value) in table.as_object().into_iter().flatten() {
            match key.as_str() {
                "upgrade-guid" => self.set("windows.upgrade-code", value.clone()),
                "path-guid" => {
                    self.ignore(key, "crateship derives component GUIDs from the identifier")
                }
                "product-icon" => self.ignore(key, "the MSI's icon is made from `icon`"),
                "license" | "eula" | "banner" | "dialog" => {
                    self.ignore(key, "crateship's MSI has no dialogs")
                }
                "name" | "product-name" | "manufacturer" | "version" | "description"
                | "help-url" => {
                    self.ignore(key, "crateship takes it from Cargo.toml and `product-name`")
                }
                "include" | "compiler-args" | "linker-args" | "culture" | "dbg-build"
                | "dbg-name" | "no-build" | "output" | "target" | "toolset" | "locale"
                | "bin-path" | "binary-name" | "profile" | "install" | "install-version" => {
                    self.ignore(key, "crateship writes the MSI itself, without WiX")
                }
                other => self.unknown.push(format!("`{other}`")),
            }
        }
    }

    /// The icon to use from a list: the first SVG, else the largest PNG file.
    fn pick_icon(&self, key: &str, value: &Value) -> Result<Option<String>> {
        let mut files = Vec::new();
        for v in value
            .as_array()
            .cloned()
            .unwrap_or_else(|| vec![value.clone()])
        {
            let pattern = self.string(key, &v)?;
            let full = self.project.dir.join(&pattern);
            for path in glob::glob(&full.to_string_lossy())
                .into_iter()
                .flatten()
                .flatten()
            {
                if let Ok(rel) = path.strip_prefix(self.project.dir) {
                    files.push(rel.to_string_lossy().into_owned());
                }
            }
        }
        if let Some(svg) = files.iter().find(|f| f.ends_with(".svg")) {
            return Ok(Some(svg.clone()));
        }
        Ok(files
            .iter()
            .filter(|f| f.ends_with(".png"))
            .max_by_key(|f| {
                std::fs::metadata(self.project.dir.join(f))
                    .map(|m| m.len())
                    .unwrap_or(0)
            })
            .cloned())
    }

    fn bundle(&mut self, table: &Value) -> Result<()> {
        for (key, value) in table.as_object().into_iter().flatten() {
            match key.as_str() {
                "name" => self.set("product-name", value.clone()),
                "identifier" => self.set("identifier", value.clone()),
                "icon" => match self.pick_icon(key, value)? {
                    Some(icon) => self.set("icon", json!(icon)),
                    None => self.ignore(key, "no PNG or SVG among the icons"),
                },
                "resources" => self.set("resources", value.clone()),
                "osx_minimum_system_version" => {
                    self.set("macos.minimum-system-version", value.clone())
                }
                "deb_depends" => {
                    let items = self.deb_list(key, value)?;
                    self.push("linux.deb.depends", items);
                }
                "linux_mime_types" => self.set("linux.mime-types", value.clone()),
                "version" | "copyright" | "short_description" | "long_description" => {
                    self.ignore(key, "crateship takes it from Cargo.toml")
                }
                "category" | "osx_frameworks" | "osx_url_schemes" | "linux_exec_args"
                | "linux_use_terminal" | "script" => self.ignore(key, "no crateship equivalent"),
                other => self.unknown.push(format!("`{other}`")),
            }
        }
        Ok(())
    }

    fn packager(&mut self, table: &Value) -> Result<()> {
        for (key, value) in table.as_object().into_iter().flatten() {
            match key.as_str() {
                "product-name" => self.set("product-name", value.clone()),
                "identifier" => self.set("identifier", value.clone()),
                "icons" => match self.pick_icon(key, value)? {
                    Some(icon) => self.set("icon", json!(icon)),
                    None => self.ignore(key, "no PNG or SVG among the icons"),
                },
                "resources" => {
                    let globs: Vec<Value> = value
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|v| v.is_string())
                        .cloned()
                        .collect();
                    if globs.len() != value.as_array().map_or(0, Vec::len) {
                        self.ignore(
                            "resources { src, target }",
                            "crateship places resources itself",
                        );
                    }
                    self.set("resources", json!(globs));
                }
                "deb" => {
                    if let Some(depends) = value.get("depends") {
                        let items = self.deb_list("deb.depends", depends)?;
                        self.push("linux.deb.depends", items);
                    }
                    if let Some(section) = value.get("section") {
                        self.set("linux.deb.section", section.clone());
                    }
                }
                "macos" => {
                    if let Some(v) = value.get("minimum-system-version") {
                        self.set("macos.minimum-system-version", v.clone());
                    }
                }
                "version" | "description" | "long-description" | "authors" | "publisher"
                | "homepage" | "license-file" | "copyright" | "name" => {
                    self.ignore(key, "crateship takes it from Cargo.toml")
                }
                "formats"
                | "category"
                | "before-packaging-command"
                | "before-each-package-command"
                | "out-dir"
                | "binaries"
                | "binaries-dir"
                | "file-associations"
                | "deep-link-protocols"
                | "external-binaries"
                | "windows"
                | "wix"
                | "nsis"
                | "dmg"
                | "appimage"
                | "pacman"
                | "linux"
                | "log-level"
                | "target-triple"
                | "enabled" => self.ignore(
                    key,
                    "no crateship equivalent, or crateship's own key differs",
                ),
                other => self.unknown.push(format!("`{other}`")),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(dir: &Path) -> Project<'_> {
        Project {
            dir,
            file: Path::new("/p/Cargo.toml"),
            binaries: &[],
            name: "hello",
            hooks: false,
        }
    }

    #[test]
    fn paths_are_resolved_as_cargo_deb_resolves_them() {
        assert_eq!(normalize("target/release/../man/eza.1"), "target/man/eza.1");
        assert_eq!(normalize("./doc//rg.1"), "doc/rg.1");
        assert_eq!(normalize("../outside"), "../outside");
    }

    #[test]
    fn crateship_keys_win_over_imported_ones_key_by_key() {
        let base = json!({"linux": {"deb": {"section": "net", "depends": ["a"]}}, "assets": [1]});
        let top = json!({"linux": {"deb": {"section": "sound"}}, "assets": [2]});
        assert_eq!(
            overlay(base, top),
            json!({"linux": {"deb": {"section": "sound", "depends": ["a"]}}, "assets": [2]})
        );
    }

    #[test]
    fn cargo_deb_relationships_drop_auto_and_split_at_commas() {
        let tmp = tempfile::tempdir().unwrap();
        let meta = json!({"deb": {"depends": "$auto, libfoo1 (>= 2), a | b", "section": "net", "frobnicate": 1}});
        let got = read(&meta, None, &project(tmp.path())).unwrap();
        assert_eq!(
            got.value,
            json!({"linux": {"deb": {"depends": ["libfoo1 (>= 2)", "a | b"], "section": "net"}}})
        );
        assert!(
            got.warnings[0].contains("import = [\"deb\"]"),
            "{:?}",
            got.warnings
        );
        assert!(
            got.warnings[1].contains("`frobnicate`"),
            "{:?}",
            got.warnings
        );
        let quiet = read(&meta, Some(&["deb".to_owned()]), &project(tmp.path())).unwrap();
        assert!(!quiet.warnings.iter().any(|w| w.contains("import =")));
        let none = read(&meta, Some(&[]), &project(tmp.path())).unwrap();
        assert_eq!(none.value, json!({}));
    }

    #[test]
    fn a_missing_asset_source_names_the_foreign_key() {
        let tmp = tempfile::tempdir().unwrap();
        let meta = json!({"deb": {"assets": [["doc/gone.1", "usr/share/man/man1/", "644"]]}});
        let err = read(&meta, None, &project(tmp.path()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("[package.metadata.deb] assets[0]"), "{err}");
        assert!(err.contains("gone.1"), "{err}");
    }

    #[test]
    fn generate_rpm_relationships_and_inline_scripts() {
        let tmp = tempfile::tempdir().unwrap();
        let meta = json!({"generate-rpm": {
            "requires": {"bash": "*", "openssl-libs": ">= 3.0"},
            "post_install_script": "systemctl daemon-reload",
        }});
        let got = read(
            &meta,
            Some(&["generate-rpm".to_owned()]),
            &project(tmp.path()),
        )
        .unwrap();
        assert_eq!(
            got.value["linux"]["rpm"]["requires"],
            json!(["bash", "openssl-libs >= 3.0"])
        );
        assert_eq!(
            got.value["linux"]["scripts"]["post-install"],
            json!({"inline": "systemctl daemon-reload"})
        );
    }
}
