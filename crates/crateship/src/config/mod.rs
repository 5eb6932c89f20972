//! Configuration: `[package.metadata.crateship]` as written ([`RawConfig`]),
//! validated into [`Config`].
//!
//! Validation happens once, here: every value is checked, every path made
//! absolute (and refused if it leaves the project), every key defaulted that does
//! not depend on Cargo metadata. Package-level keys override workspace-level keys
//! table by table; unknown keys are errors naming the key and the file. One
//! module per concept: [`signing`], [`macos`], [`linux`], [`windows`]; the rules
//! they share are in `rules`.

pub mod assets;
pub mod channels;
pub mod import;
pub mod linux;
pub mod macos;
mod raw;
pub(crate) mod rules;
pub mod secrets;
pub mod signing;
pub mod updates;
pub mod windows;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cargo_metadata::{Metadata, Package};
use serde::Serialize;

pub use assets::Asset;
pub use channels::{AptChannel, ChannelsSettings, RpmChannel};
pub use linux::{DebSettings, GlibcVersion, LinuxSettings, RpmSettings, ScriptFiles, ScriptSource};
pub use macos::{DocumentType, MacosBundle, MacosSettings};
pub use raw::{
    RawAppleSigning, RawAptChannel, RawChannels, RawConfig, RawDocumentType, RawLinux, RawMacos,
    RawNotarize, RawRpmChannel, RawSigning, RawUpdates, RawWindows,
};
pub use signing::{
    AppleSigning, DetachedKind, KeySource, Material, Notarize, NotaryKey, Signing, WindowsBackend,
};
pub use updates::UpdatesSettings;
pub use windows::WindowsSettings;

use crate::error::{Error, Result};
use crate::format::Format;
use crate::target::TargetTriple;
use rules::Ctx;

/// Validated configuration; paths are absolute. Defaults that depend on Cargo
/// metadata (product name, keywords, targets, formats) are the planner's.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Config {
    /// Human-readable product name.
    pub product_name: Option<String>,
    /// Reverse-DNS identifier.
    pub identifier: Option<String>,
    /// Icon source.
    pub icon: Option<PathBuf>,
    /// Hand-made icon layers by pixel size.
    pub icon_overrides: BTreeMap<u32, PathBuf>,
    /// Targets to build.
    pub targets: Option<Vec<TargetTriple>>,
    /// Formats to produce.
    pub formats: Option<Vec<Format>>,
    /// Binary names to ship.
    pub binaries: Option<Vec<String>>,
    /// Resource globs, relative to the package directory (expanded by the inputs).
    pub resources: Vec<String>,
    /// Files with destinations of their own (expanded by the inputs).
    pub assets: Vec<Asset>,
    /// Commands run before packaging, as argv lists.
    pub before_package: Vec<Vec<String>>,
    /// `[…windows]`.
    pub windows: WindowsSettings,
    /// `[…macos]`.
    pub macos: MacosSettings,
    /// `[…linux]`.
    pub linux: LinuxSettings,
    /// `[…signing]`: where keys come from (never the secrets themselves).
    pub signing: Option<Signing>,
    /// `[…updates]`: update feeds.
    pub updates: Option<UpdatesSettings>,
    /// `[…channels]`: package-manager channels.
    pub channels: Option<ChannelsSettings>,
    /// SBOM formats written beside each artifact.
    pub sbom_formats: Vec<SbomFormat>,
    /// Whether the release gets a provenance statement.
    pub provenance: bool,
    /// Whether binaries embed their dependency list (`auditable`, default on).
    pub auditable: bool,
    /// `ci.macos-runner`: build every Apple target on a macOS runner in CI.
    pub ci_macos_runner: bool,
    /// `[…check]`: what the release gate holds the release to.
    pub check: CheckSettings,
    /// What importing other tools' tables found worth telling (planning reports it).
    #[serde(skip)]
    pub warnings: Vec<String>,
}

/// `[…check]`, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CheckSettings {
    /// Run the gate at the end of `crateship dist`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub after_dist: bool,
    /// SPDX ids shipped crates' licences must be satisfiable from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_licenses: Option<Vec<String>>,
    /// Days before a certificate's expiry that it becomes a warning.
    pub cert_expiry_days: u32,
    /// The minisign public key `SHA256SUMS.minisig` must verify with (absolute).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minisign_public_key: Option<PathBuf>,
    /// The OpenPGP public key `SHA256SUMS.asc` and AppImage signatures must verify with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pgp_public_key: Option<PathBuf>,
}

impl CheckSettings {
    /// Whether everything is at its default.
    pub fn is_default(&self) -> bool {
        *self
            == CheckSettings {
                cert_expiry_days: DEFAULT_CERT_EXPIRY_DAYS,
                ..CheckSettings::default()
            }
    }
}

/// `check.cert-expiry-days` when unset.
pub const DEFAULT_CERT_EXPIRY_DAYS: u32 = 30;

/// An SBOM format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SbomFormat {
    /// CycloneDX 1.6 JSON (`NAME.cdx.json`).
    Cyclonedx,
    /// SPDX 2.3 JSON (`NAME.spdx.json`).
    Spdx,
}

/// Where a raw config table came from, for error messages.
#[derive(Debug, Clone)]
pub struct ConfigSource<'a> {
    /// The raw JSON value of the metadata table (as cargo metadata reports it).
    pub value: &'a serde_json::Value,
    /// The Cargo.toml that holds it.
    pub file: &'a Path,
    /// `package` or `workspace`, for the table name in messages.
    pub level: &'static str,
}

/// Reads and validates the package's config, merged over the workspace's; also
/// returns the Cargo.toml errors should name.
pub fn load(metadata: &Metadata, package: &Package) -> Result<(Config, PathBuf)> {
    let package_file = package.manifest_path.clone().into_std_path_buf();
    let workspace_file = metadata
        .workspace_root
        .join("Cargo.toml")
        .into_std_path_buf();
    let table = |value: &serde_json::Value, file: &Path, level: &'static str| match value
        .get("crateship")
    {
        Some(v) => parse_raw(&ConfigSource {
            value: v,
            file,
            level,
        }),
        None => Ok(RawConfig::default()),
    };
    let ws = table(&metadata.workspace_metadata, &workspace_file, "workspace")?;
    let package_dir = package_file.parent().unwrap_or(Path::new("")).to_path_buf();
    let own = package.metadata.get("crateship");
    let choice = own
        .and_then(|t| t.get("import"))
        .map(|v| {
            serde_json::from_value::<Vec<String>>(v.clone()).map_err(|e| Error::Config {
                file: package_file.clone(),
                key: "import".into(),
                message: format!("{e}; write a list such as [\"deb\", \"generate-rpm\"]"),
            })
        })
        .transpose()?;
    if let Some(bad) = choice
        .iter()
        .flatten()
        .find(|c| !import::TABLES.contains(&c.as_str()))
    {
        return Err(Error::Config {
            file: package_file.clone(),
            key: "import".into(),
            message: format!(
                "`{bad}` is not a table crateship imports; use some of {}",
                import::TABLES.join(", ")
            ),
        });
    }
    let binaries: Vec<String> = package
        .targets
        .iter()
        .filter(|t| t.is_bin())
        .map(|t| t.name.clone())
        .collect();
    let imported = import::read(
        &package.metadata,
        choice.as_deref(),
        &import::Project {
            dir: &package_dir,
            file: &package_file,
            binaries: &binaries,
            name: &package.name,
            hooks: own.and_then(|t| t.get("before-package")).is_some(),
        },
    )?;
    let merged = import::overlay(
        imported.value,
        own.cloned().unwrap_or_else(|| serde_json::json!({})),
    );
    let pkg = table(
        &serde_json::json!({ "crateship": merged }),
        &package_file,
        "package",
    )?;
    let uses_package = package.metadata.get("crateship").is_some();
    let file = if uses_package || metadata.workspace_metadata.get("crateship").is_none() {
        package_file.clone()
    } else {
        workspace_file
    };
    let mut config = validate(merge(ws, pkg), &file, &package_dir)?;
    config.warnings = imported.warnings;
    Ok((config, file))
}

/// Parses one `metadata.crateship` table, naming the file and key on error.
pub fn parse_raw(src: &ConfigSource<'_>) -> Result<RawConfig> {
    serde_path_to_error::deserialize(src.value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let key = if path == "." {
            String::new()
        } else {
            format!(" {path}")
        };
        Error::Config {
            file: src.file.to_path_buf(),
            key: format!("[{}.metadata.crateship]{key}", src.level),
            message: format!("{inner}; fix or remove the key (see docs/config.md)"),
        }
    })
}

/// Merges workspace and package tables: a package value wins over the workspace one.
pub fn merge(workspace: RawConfig, package: RawConfig) -> RawConfig {
    RawConfig {
        product_name: package.product_name.or(workspace.product_name),
        identifier: package.identifier.or(workspace.identifier),
        icon: package.icon.or(workspace.icon),
        icon_overrides: package.icon_overrides.or(workspace.icon_overrides),
        targets: package.targets.or(workspace.targets),
        formats: package.formats.or(workspace.formats),
        binaries: package.binaries.or(workspace.binaries),
        resources: package.resources.or(workspace.resources),
        assets: package.assets.or(workspace.assets),
        before_package: package.before_package.or(workspace.before_package),
        windows: package.windows.or(workspace.windows),
        macos: package.macos.or(workspace.macos),
        linux: package.linux.or(workspace.linux),
        signing: package.signing.or(workspace.signing),
        updates: package.updates.or(workspace.updates),
        channels: package.channels.or(workspace.channels),
        sbom_formats: package.sbom_formats.or(workspace.sbom_formats),
        provenance: package.provenance.or(workspace.provenance),
        auditable: package.auditable.or(workspace.auditable),
        ci: package.ci.or(workspace.ci),
        check: package.check.or(workspace.check),
        import: package.import,
        packages: workspace.packages,
    }
}

/// Validates a raw table into a [`Config`]: `file` is named in every error,
/// relative paths are resolved against `package_dir`.
pub fn validate(raw: RawConfig, file: &Path, package_dir: &Path) -> Result<Config> {
    let ctx = Ctx { file, package_dir };
    if let Some(name) = &raw.product_name {
        rules::check_product_name(name).map_err(|m| ctx.err("product-name", m))?;
    }
    if let Some(id) = &raw.identifier {
        rules::check_identifier(id).map_err(|m| ctx.err("identifier", m))?;
    }
    let targets = raw
        .targets
        .map(|ts| {
            ts.iter()
                .map(|t| {
                    t.parse::<TargetTriple>()
                        .map_err(|e| ctx.err("targets", e.to_string()))
                })
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?;
    let formats = raw
        .formats
        .map(|fs| {
            fs.iter()
                .map(|f| {
                    f.parse::<Format>()
                        .map_err(|e| ctx.err("formats", e.to_string()))
                })
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?;
    for pattern in raw.resources.iter().flatten() {
        rules::check_relative(pattern).map_err(|m| ctx.err("resources", m))?;
    }
    let mut icon_overrides = BTreeMap::new();
    for (size, path) in raw.icon_overrides.unwrap_or_default() {
        let px: u32 = size
            .parse()
            .ok()
            .filter(|px| (1..=1024).contains(px))
            .ok_or_else(|| {
                ctx.err(
                    "icon-overrides",
                    format!("`{size}` is not a pixel size; use e.g. `16 = \"assets/icon-16.png\"`"),
                )
            })?;
        icon_overrides.insert(px, ctx.path("icon-overrides", &path)?);
    }
    let mut sbom_formats = Vec::new();
    for name in raw.sbom_formats.iter().flatten() {
        let format = match name.as_str() {
            "cyclonedx" => SbomFormat::Cyclonedx,
            "spdx" => SbomFormat::Spdx,
            other => {
                return Err(ctx.err(
                    "sbom-formats",
                    format!("`{other}` is not an SBOM format; use \"cyclonedx\" and/or \"spdx\""),
                ));
            }
        };
        if !sbom_formats.contains(&format) {
            sbom_formats.push(format);
        }
    }
    // A licence allow-list is checked against the CycloneDX SBOMs.
    let wants_licenses = raw
        .check
        .as_ref()
        .is_some_and(|c| c.allowed_licenses.is_some());
    if wants_licenses && !sbom_formats.contains(&SbomFormat::Cyclonedx) {
        sbom_formats.push(SbomFormat::Cyclonedx);
    }
    let channels = raw
        .channels
        .map(|c| channels::validate(c, raw.updates.as_ref(), raw.signing.as_ref(), ctx))
        .transpose()?;
    let mut assets = assets::validate(raw.assets.unwrap_or_default(), ctx)?;
    let mut linux = linux::validate(raw.linux.unwrap_or_default(), ctx)?;
    assets::take_desktop_files(&mut assets, &mut linux, ctx)?;
    Ok(Config {
        product_name: raw.product_name,
        identifier: raw.identifier,
        icon: ctx.opt_path("icon", raw.icon.as_deref())?,
        icon_overrides,
        targets,
        formats,
        binaries: raw.binaries,
        resources: raw.resources.unwrap_or_default(),
        assets,
        before_package: assets::validate_hooks(raw.before_package.unwrap_or_default(), ctx)?,
        windows: windows::validate(raw.windows.unwrap_or_default(), ctx)?,
        macos: macos::validate(raw.macos.unwrap_or_default(), ctx)?,
        linux,
        updates: raw
            .updates
            .map(|u| updates::validate(u, raw.signing.as_ref(), ctx))
            .transpose()?,
        channels,
        sbom_formats,
        provenance: raw.provenance.unwrap_or(false),
        auditable: raw.auditable.unwrap_or(true),
        ci_macos_runner: raw.ci.and_then(|c| c.macos_runner).unwrap_or(false),
        check: check_settings(raw.check.unwrap_or_default(), ctx)?,
        warnings: Vec::new(),
        signing: raw.signing.map(|s| signing::validate(s, ctx)).transpose()?,
    })
}

/// `[…check]` validated: licence ids are SPDX-shaped, the key file stays in the project.
fn check_settings(raw: raw::RawCheck, ctx: Ctx<'_>) -> Result<CheckSettings> {
    if let Some(ids) = &raw.allowed_licenses {
        for id in ids {
            let valid = !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '+'));
            if !valid {
                return Err(ctx.err(
                    "check.allowed-licenses",
                    format!(
                        "`{id}` is not an SPDX licence id; list ids such as \"MIT\" or \"Apache-2.0\" (no expressions)"
                    ),
                ));
            }
        }
    }
    Ok(CheckSettings {
        after_dist: raw.after_dist.unwrap_or(false),
        allowed_licenses: raw.allowed_licenses,
        cert_expiry_days: raw.cert_expiry_days.unwrap_or(DEFAULT_CERT_EXPIRY_DAYS),
        minisign_public_key: ctx.opt_path(
            "check.minisign-public-key",
            raw.minisign_public_key.as_deref(),
        )?,
        pgp_public_key: ctx.opt_path("check.pgp-public-key", raw.pgp_public_key.as_deref())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(value: serde_json::Value) -> Result<Config> {
        let file = Path::new("/p/Cargo.toml");
        let raw = parse_raw(&ConfigSource {
            value: &value,
            file,
            level: "package",
        })?;
        validate(raw, file, Path::new("/p"))
    }

    #[test]
    fn unknown_key_names_key_and_file() {
        let err = parse(json!({"product-nam": "x"})).unwrap_err().to_string();
        assert!(err.contains("/p/Cargo.toml"), "{err}");
        assert!(err.contains("product-nam"), "{err}");
        let err = parse(json!({"macos": {"minimum-sytem-version": "11"}}))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("macos") && err.contains("minimum-sytem-version"),
            "{err}"
        );
    }

    #[test]
    fn empty_table_gives_defaults() {
        let c = parse(json!({})).unwrap();
        assert_eq!(c.macos.minimum_system_version, "11.0");
        assert!(c.targets.is_none() && c.formats.is_none());
    }

    #[test]
    fn values_are_validated() {
        for (value, key) in [
            (json!({"identifier": "hello"}), "identifier"),
            (json!({"targets": ["x86_64-unknown-linux-gnux"]}), "targets"),
            (json!({"formats": ["exe"]}), "formats"),
            (json!({"resources": ["../secrets/*"]}), "resources"),
            (
                json!({"windows": {"upgrade-code": "not-a-guid"}}),
                "windows.upgrade-code",
            ),
            (
                json!({"macos": {"minimum-system-version": "eleven"}}),
                "macos.minimum-system-version",
            ),
            (json!({"linux": {"max-glibc": "2"}}), "linux.max-glibc"),
        ] {
            let err = parse(value).unwrap_err().to_string();
            assert!(err.contains(&format!("`{key}`")), "{key}: {err}");
        }
    }

    #[test]
    fn package_overrides_workspace() {
        let ws = RawConfig {
            product_name: Some("W".into()),
            icon: Some("w.png".into()),
            ..Default::default()
        };
        let pkg = RawConfig {
            product_name: Some("P".into()),
            ..Default::default()
        };
        let merged = merge(ws, pkg);
        assert_eq!(merged.product_name.as_deref(), Some("P"));
        assert_eq!(merged.icon.as_deref(), Some("w.png"));
    }

    #[test]
    fn paths_are_made_absolute_against_the_package_directory() {
        let c = parse(
            json!({"icon": "assets/icon.svg", "linux": {"desktop-template": "t/app.desktop"}}),
        )
        .unwrap();
        assert_eq!(c.icon, Some(PathBuf::from("/p/assets/icon.svg")));
        assert_eq!(
            c.linux.desktop_template,
            Some(PathBuf::from("/p/t/app.desktop"))
        );
    }

    #[test]
    fn glibc_versions_order_numerically() {
        let a: GlibcVersion = "2.9".parse().unwrap();
        let b: GlibcVersion = "2.17".parse().unwrap();
        assert!(a < b);
    }
}
