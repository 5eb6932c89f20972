//! Configuration: [`RawConfig`] as written, validated into [`Config`].
//!
//! Package-level keys override workspace-level keys table by table; unknown keys
//! are errors naming the key and the file.

mod raw;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use raw::{
    RawAppleSigning, RawConfig, RawDocumentType, RawLinux, RawMacos, RawNotarize, RawSigning,
    RawWindows,
};

use crate::error::{Error, Result};
use crate::format::Format;
use crate::target::TargetTriple;

/// Validated configuration: every value checked, defaults not yet applied
/// where they depend on Cargo metadata (the planner does that).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Config {
    /// Human-readable product name.
    pub product_name: Option<String>,
    /// Reverse-DNS identifier.
    pub identifier: Option<String>,
    /// Icon source, relative to the package directory.
    pub icon: Option<String>,
    /// Hand-made icon layers by pixel size, relative to the package directory.
    pub icon_overrides: std::collections::BTreeMap<u32, String>,
    /// Targets to build.
    pub targets: Option<Vec<TargetTriple>>,
    /// Formats to produce.
    pub formats: Option<Vec<Format>>,
    /// Binary names to ship.
    pub binaries: Option<Vec<String>>,
    /// Resource globs.
    pub resources: Vec<String>,
    /// MSI upgrade code.
    pub upgrade_code: Option<String>,
    /// Windows binaries must be GUI-subsystem exes.
    pub windows_windowed: bool,
    /// Per-user MSI installs.
    pub windows_per_user: bool,
    /// MSI desktop shortcut.
    pub windows_desktop_shortcut: bool,
    /// `MACOSX_DEPLOYMENT_TARGET`.
    pub macos_minimum_system_version: String,
    /// Info.plist, .pkg and .dmg settings.
    pub macos_bundle: MacosBundle,
    /// freedesktop categories.
    pub linux_categories: Vec<String>,
    /// Desktop entry / metainfo keywords (empty: the package's keywords).
    pub linux_keywords: Option<Vec<String>>,
    /// MIME types the app opens.
    pub linux_mime_types: Vec<String>,
    /// User `.desktop` template (relative to the package directory, absolute in a plan).
    pub linux_desktop_template: Option<PathBuf>,
    /// User AppStream metainfo template.
    pub linux_metainfo_template: Option<PathBuf>,
    /// Bundle non-base shared libraries into AppImages.
    pub linux_bundle_libraries: bool,
    /// glibc ceiling.
    pub max_glibc: Option<GlibcVersion>,
    /// AppImage update information.
    pub update_information: Option<String>,
    /// Where signing keys come from (never the secrets themselves).
    pub signing: Option<Signing>,
}

/// Validated `[…signing.apple]`: paths (relative in a [`Config`], absolute in a
/// plan) and environment variable names only.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AppleSigning {
    /// "Developer ID Application" identity: signs the .app and the .dmg.
    pub application: Option<KeySource>,
    /// "Developer ID Installer" identity: signs the .pkg.
    pub installer: Option<KeySource>,
    /// Entitlements plist.
    pub entitlements: Option<PathBuf>,
    /// Timestamp servers (empty: no timestamp).
    pub timestamp_urls: Vec<String>,
    /// Notarization, if configured.
    pub notarize: Option<Notarize>,
}

/// Where a certificate and its key come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum KeySource {
    /// A PKCS#12 file and the variable holding its password.
    Pkcs12 {
        /// The `.p12`/`.pfx` file.
        file: PathBuf,
        /// Environment variable with the password.
        password_env: String,
    },
    /// A PEM key and its PEM chain (leaf first).
    Pem {
        /// The private key file.
        key: PathBuf,
        /// The certificate chain file.
        chain: PathBuf,
    },
}

/// Validated notarization settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notarize {
    /// App Store Connect API key id.
    pub key_id: String,
    /// Issuer id.
    pub issuer_id: String,
    /// Where the `.p8` key comes from.
    pub key: NotaryKey,
    /// Notary API base URL.
    pub api_base: String,
    /// Ticket service base URL.
    pub cloudkit_base: String,
    /// Upload endpoint override (tests).
    pub s3_endpoint: Option<String>,
    /// Overall wait limit in seconds.
    pub timeout_seconds: u64,
    /// Poll interval in seconds.
    pub poll_seconds: u64,
}

/// Where the notary API key comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum NotaryKey {
    /// An environment variable holding the PEM text.
    Env {
        /// The variable's name.
        name: String,
    },
    /// A `.p8` file.
    File {
        /// The file.
        path: PathBuf,
    },
}

/// Apple's timestamp server, used when `timestamp-urls` is not set.
pub const APPLE_TIMESTAMP_URL: &str = "http://timestamp.apple.com/ts01";

/// Validated macOS bundle settings; paths are relative to the package directory
/// in a [`Config`] and absolute in a plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MacosBundle {
    /// `LSApplicationCategoryType`.
    pub category: String,
    /// `CFBundleURLTypes` schemes.
    pub url_schemes: Vec<String>,
    /// `CFBundleDocumentTypes`.
    pub document_types: Vec<DocumentType>,
    /// Extra Info.plist keys (JSON values mapped to plist types when written).
    pub info_plist: std::collections::BTreeMap<String, serde_json::Value>,
    /// User Info.plist template.
    pub info_plist_template: Option<PathBuf>,
    /// User Distribution template.
    pub distribution_template: Option<PathBuf>,
    /// User PackageInfo template.
    pub package_info_template: Option<PathBuf>,
    /// `.pkg` preinstall script.
    pub preinstall: Option<PathBuf>,
    /// `.pkg` postinstall script.
    pub postinstall: Option<PathBuf>,
    /// `.dmg` volume name (`None`: the product name).
    pub dmg_volume_name: Option<String>,
    /// Hardened runtime flag in the code signature.
    pub hardened_runtime: bool,
}

/// A validated `macos.document-types` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentType {
    /// Name shown by Finder.
    pub name: String,
    /// Extensions without the dot.
    pub extensions: Vec<String>,
    /// `Editor`, `Viewer`, `Shell` or `None`.
    pub role: String,
}

/// Default `LSApplicationCategoryType`.
pub const DEFAULT_MACOS_CATEGORY: &str = "public.app-category.utilities";

/// Validated signing settings: paths and environment variable names only.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Signing {
    /// Apple Developer ID identities and notarization.
    pub apple: Option<AppleSigning>,
    /// How the Authenticode key is given, if Windows artifacts are signed.
    pub windows: Option<WindowsKey>,
    /// RFC 3161 servers in order of preference.
    pub timestamp_urls: Vec<String>,
    /// Sign without a timestamp when every server fails.
    pub allow_unstamped: bool,
    /// Environment variable with the armoured OpenPGP secret key.
    pub pgp_key_env: Option<String>,
    /// Environment variable with the OpenPGP passphrase.
    pub pgp_passphrase_env: Option<String>,
    /// Who makes Authenticode signatures.
    pub windows_backend: WindowsBackend,
    /// Sign .rpm packages inside with the OpenPGP key.
    pub sign_rpm: bool,
    /// Embed an OpenPGP signature in AppImages.
    pub sign_appimage: bool,
    /// Detached signatures written beside every artifact.
    pub detached: Vec<DetachedKind>,
    /// Environment variable with the minisign secret key.
    pub minisign_key_env: Option<String>,
    /// Environment variable with the minisign key's password.
    pub minisign_password_env: Option<String>,
}

/// The Authenticode backend.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum WindowsBackend {
    /// In-process (crateship-sign), on any host.
    #[default]
    Native,
    /// `osslsigncode sign`, with the configured key.
    Osslsigncode,
    /// `signtool sign /sha1 THUMBPRINT` (Windows certificate store).
    Signtool {
        /// SHA-1 thumbprint of the certificate.
        thumbprint: String,
    },
    /// A custom command (argv template).
    Command {
        /// The argv, with `{file}`, `{out}`, `{timestamp-url}` placeholders.
        argv: Vec<String>,
    },
}

/// A kind of detached signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DetachedKind {
    /// OpenPGP, ASCII-armoured (`.asc`).
    Asc,
    /// minisign (`.minisig`).
    Minisig,
}

/// Where the Authenticode key and certificate come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum WindowsKey {
    /// A PKCS#12 file and the variable holding its password.
    Pkcs12 {
        /// The `.pfx` file, relative to the package directory.
        file: String,
        /// Environment variable with the password.
        password_env: String,
    },
    /// A PEM private key and certificate chain.
    Pem {
        /// The key file, relative to the package directory.
        key: String,
        /// The chain file, leaf first.
        chain: String,
    },
}

/// A glibc version such as 2.17, ordered numerically; serialised as `"2.17"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GlibcVersion {
    /// Major version (2 for every glibc in use).
    pub major: u32,
    /// Minor version.
    pub minor: u32,
}

impl std::fmt::Display for GlibcVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl Serialize for GlibcVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::str::FromStr for GlibcVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a glibc version MAJOR.MINOR");
        let parts: Vec<u32> = s
            .split('.')
            .map(|p| p.parse::<u32>().map_err(|_| bad()))
            .collect::<Result<_, _>>()?;
        match parts.as_slice() {
            [major, minor] | [major, minor, _] => Ok(GlibcVersion {
                major: *major,
                minor: *minor,
            }),
            _ => Err(bad()),
        }
    }
}

/// Default `MACOSX_DEPLOYMENT_TARGET` when the config names none.
pub const DEFAULT_MACOS_MINIMUM: &str = "11.0";

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

/// Parses one `metadata.crateship` table, naming the file and key on error.
pub fn parse_raw(src: &ConfigSource<'_>) -> Result<RawConfig> {
    serde_path_to_error::deserialize(src.value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let key = if path == "." { String::new() } else { path };
        Error::Config {
            file: src.file.to_path_buf(),
            key: format!("[{}.metadata.crateship]{}", src.level, prefixed(&key)),
            message: format!("{inner}; fix or remove the key (see docs/config.md)"),
        }
    })
}

fn prefixed(key: &str) -> String {
    if key.is_empty() {
        String::new()
    } else {
        format!(" {key}")
    }
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
        windows: package.windows.or(workspace.windows),
        macos: package.macos.or(workspace.macos),
        linux: package.linux.or(workspace.linux),
        signing: package.signing.or(workspace.signing),
    }
}

/// Validates a raw table into a [`Config`]; `file` is named in every error.
pub fn validate(raw: RawConfig, file: &Path) -> Result<Config> {
    let err = |key: &str, message: String| Error::Config {
        file: PathBuf::from(file),
        key: key.to_owned(),
        message,
    };
    if let Some(id) = &raw.identifier {
        validate_identifier(id).map_err(|m| err("identifier", m))?;
    }
    let targets = raw
        .targets
        .map(|ts| {
            ts.iter()
                .map(|t| {
                    t.parse::<TargetTriple>()
                        .map_err(|e| err("targets", e.to_string()))
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
                        .map_err(|e| err("formats", e.to_string()))
                })
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?;
    for pattern in raw.resources.iter().flatten() {
        validate_resource_pattern(pattern).map_err(|m| err("resources", m))?;
    }
    let mut icon_overrides = std::collections::BTreeMap::new();
    for (size, path) in raw.icon_overrides.unwrap_or_default() {
        let px: u32 = size
            .parse()
            .ok()
            .filter(|px| (1..=1024).contains(px))
            .ok_or_else(|| {
                err(
                    "icon-overrides",
                    format!("`{size}` is not a pixel size; use e.g. `16 = \"assets/icon-16.png\"`"),
                )
            })?;
        validate_resource_pattern(&path).map_err(|m| err("icon-overrides", m))?;
        icon_overrides.insert(px, path);
    }
    if let Some(icon) = &raw.icon {
        validate_resource_pattern(icon).map_err(|m| err("icon", m))?;
    }
    let windows = raw.windows.unwrap_or_default();
    if let Some(code) = &windows.upgrade_code {
        validate_guid(code).map_err(|m| err("windows.upgrade-code", m))?;
    }
    let mut macos = raw.macos.unwrap_or_default();
    let macos_min = macos
        .minimum_system_version
        .take()
        .unwrap_or_else(|| DEFAULT_MACOS_MINIMUM.into());
    validate_macos_version(&macos_min).map_err(|m| err("macos.minimum-system-version", m))?;
    let macos_bundle = validate_macos_bundle(macos, &err)?;
    let linux = raw.linux.unwrap_or_default();
    for (key, path) in [
        ("linux.desktop-template", &linux.desktop_template),
        ("linux.metainfo-template", &linux.metainfo_template),
    ] {
        if let Some(p) = path {
            validate_resource_pattern(p).map_err(|m| err(key, m))?;
        }
    }
    for mime in linux.mime_types.iter().flatten() {
        let ok = mime.split_once('/').is_some_and(|(a, b)| {
            !a.is_empty() && !b.is_empty() && !mime.contains([' ', ';', ','])
        });
        if !ok {
            return Err(err(
                "linux.mime-types",
                format!("`{mime}` is not a MIME type; write it like \"text/markdown\""),
            ));
        }
    }
    let max_glibc = linux
        .max_glibc
        .map(|v| {
            v.parse::<GlibcVersion>()
                .map_err(|m| err("linux.max-glibc", format!("{m}, e.g. \"2.31\"")))
        })
        .transpose()?;
    Ok(Config {
        product_name: raw.product_name,
        identifier: raw.identifier,
        icon: raw.icon,
        icon_overrides,
        targets,
        formats,
        binaries: raw.binaries,
        resources: raw.resources.unwrap_or_default(),
        upgrade_code: windows.upgrade_code,
        windows_windowed: windows.windowed.unwrap_or(false),
        windows_per_user: windows.per_user.unwrap_or(false),
        windows_desktop_shortcut: windows.desktop_shortcut.unwrap_or(false),
        macos_minimum_system_version: macos_min,
        macos_bundle,
        linux_categories: linux.categories.unwrap_or_default(),
        linux_keywords: linux.keywords,
        linux_mime_types: linux.mime_types.unwrap_or_default(),
        linux_desktop_template: linux.desktop_template.map(PathBuf::from),
        linux_metainfo_template: linux.metainfo_template.map(PathBuf::from),
        linux_bundle_libraries: linux.bundle_libraries.unwrap_or(false),
        max_glibc,
        update_information: linux.update_information,
        signing: raw.signing.map(|s| validate_signing(s, file)).transpose()?,
    })
}

fn validate_macos_bundle(
    raw: RawMacos,
    err: &dyn Fn(&str, String) -> Error,
) -> Result<MacosBundle> {
    let category = raw
        .category
        .unwrap_or_else(|| DEFAULT_MACOS_CATEGORY.into());
    let suffix = category.strip_prefix("public.app-category.").unwrap_or("");
    if suffix.is_empty() || !suffix.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
        return Err(err(
            "macos.category",
            format!(
                "`{category}` is not an App Store category; use one of Apple's \
                 `public.app-category.*` values, e.g. \"public.app-category.developer-tools\""
            ),
        ));
    }
    let url_schemes = raw.url_schemes.unwrap_or_default();
    for scheme in &url_schemes {
        if !crateship_macos::is_url_scheme(scheme) {
            return Err(err(
                "macos.url-schemes",
                format!(
                    "`{scheme}` is not a URL scheme; it starts with a letter and has only \
                     letters, digits, `+`, `-` and `.` (no `://`)"
                ),
            ));
        }
    }
    let mut document_types = Vec::new();
    for t in raw.document_types.unwrap_or_default() {
        let role = t.role.unwrap_or_else(|| "Viewer".into());
        if !crateship_macos::DOCUMENT_ROLES.contains(&role.as_str()) {
            return Err(err(
                "macos.document-types",
                format!(
                    "role `{role}` of `{}` must be Editor, Viewer, Shell or None",
                    t.name
                ),
            ));
        }
        if t.extensions.is_empty() || t.extensions.iter().any(|e| e.is_empty() || e.contains('.')) {
            return Err(err(
                "macos.document-types",
                format!(
                    "`{}` needs extensions without the dot, e.g. extensions = [\"hello\"]",
                    t.name
                ),
            ));
        }
        document_types.push(DocumentType {
            name: t.name,
            extensions: t.extensions,
            role,
        });
    }
    let info_plist = raw.info_plist.unwrap_or_default();
    for (key, value) in &info_plist {
        if contains_null(value) {
            return Err(err(
                "macos.info-plist",
                format!("`{key}` has no plist equivalent (null); give it a value"),
            ));
        }
    }
    for (key, path) in [
        ("macos.info-plist-template", &raw.info_plist_template),
        ("macos.distribution-template", &raw.distribution_template),
        ("macos.package-info-template", &raw.package_info_template),
        ("macos.preinstall", &raw.preinstall),
        ("macos.postinstall", &raw.postinstall),
    ] {
        if let Some(p) = path {
            validate_resource_pattern(p).map_err(|m| err(key, m))?;
        }
    }
    if let Some(name) = &raw.dmg_volume_name
        && (name.trim().is_empty() || name.contains(['/', ':']) || name.chars().count() > 255)
    {
        return Err(err(
            "macos.dmg-volume-name",
            format!("`{name}` cannot name an HFS+ volume; use 1–255 characters without `/` or `:`"),
        ));
    }
    Ok(MacosBundle {
        category,
        url_schemes,
        document_types,
        info_plist,
        info_plist_template: raw.info_plist_template.map(PathBuf::from),
        distribution_template: raw.distribution_template.map(PathBuf::from),
        package_info_template: raw.package_info_template.map(PathBuf::from),
        preinstall: raw.preinstall.map(PathBuf::from),
        postinstall: raw.postinstall.map(PathBuf::from),
        dmg_volume_name: raw.dmg_volume_name,
        hardened_runtime: raw.hardened_runtime.unwrap_or(false),
    })
}

fn contains_null(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Null => true,
        serde_json::Value::Array(items) => items.iter().any(contains_null),
        serde_json::Value::Object(map) => map.values().any(contains_null),
        _ => false,
    }
}

fn validate_apple(raw: RawAppleSigning, file: &Path) -> Result<AppleSigning> {
    let err = |key: &str, message: String| Error::Config {
        file: file.to_path_buf(),
        key: format!("signing.apple.{key}"),
        message,
    };
    let source = |role: &str,
                  pfx: Option<String>,
                  password_env: Option<String>,
                  key: Option<String>,
                  chain: Option<String>|
     -> Result<Option<KeySource>> {
        match (pfx, key, chain) {
            (Some(pfx), None, None) => {
                validate_resource_pattern(&pfx).map_err(|m| err(&format!("{role}-pfx"), m))?;
                let password_env = password_env.ok_or_else(|| {
                    err(
                        &format!("{role}-password-env"),
                        format!(
                            "a .p12 needs the name of the environment variable holding its \
                             password, e.g. \"APPLE_{}_PASSWORD\"",
                            role.to_uppercase()
                        ),
                    )
                })?;
                Ok(Some(KeySource::Pkcs12 {
                    file: pfx.into(),
                    password_env,
                }))
            }
            (None, Some(key), Some(chain)) => {
                validate_resource_pattern(&key).map_err(|m| err(&format!("{role}-key"), m))?;
                validate_resource_pattern(&chain).map_err(|m| err(&format!("{role}-chain"), m))?;
                Ok(Some(KeySource::Pem {
                    key: key.into(),
                    chain: chain.into(),
                }))
            }
            (None, None, None) => Ok(None),
            _ => Err(err(
                &format!("{role}-pfx"),
                format!(
                    "give either `{role}-pfx` (+ `{role}-password-env`) or both `{role}-key` and `{role}-chain`"
                ),
            )),
        }
    };
    let application = source(
        "application",
        raw.application_pfx,
        raw.application_password_env,
        raw.application_key,
        raw.application_chain,
    )?;
    let installer = source(
        "installer",
        raw.installer_pfx,
        raw.installer_password_env,
        raw.installer_key,
        raw.installer_chain,
    )?;
    if let Some(e) = &raw.entitlements {
        validate_resource_pattern(e).map_err(|m| err("entitlements", m))?;
    }
    let timestamp_urls = raw
        .timestamp_urls
        .unwrap_or_else(|| vec![APPLE_TIMESTAMP_URL.to_owned()]);
    for url in &timestamp_urls {
        if !url.starts_with("http://") {
            return Err(err(
                "timestamp-urls",
                format!("`{url}` is not an http:// URL (RFC 3161 servers speak plain HTTP)"),
            ));
        }
    }
    let notarize = match raw.notarize {
        None => None,
        Some(n) => {
            if application.is_none() {
                return Err(err(
                    "notarize",
                    "notarization needs a Developer ID Application identity: set \
                     `application-pfx` or `application-key`"
                        .into(),
                ));
            }
            if timestamp_urls.is_empty() {
                return Err(err(
                    "timestamp-urls",
                    "Apple notarizes only timestamped signatures; remove `timestamp-urls = []`"
                        .into(),
                ));
            }
            let key = match (n.key_env, n.key_file) {
                (Some(name), None) => NotaryKey::Env { name },
                (None, Some(path)) => {
                    validate_resource_pattern(&path).map_err(|m| err("notarize.key-file", m))?;
                    NotaryKey::File { path: path.into() }
                }
                _ => {
                    return Err(err(
                        "notarize.key-env",
                        "give exactly one of `key-env` (a variable holding the .p8 text) or \
                         `key-file`"
                            .into(),
                    ));
                }
            };
            Some(Notarize {
                key_id: n.key_id,
                issuer_id: n.issuer_id,
                key,
                api_base: n
                    .api_base
                    .unwrap_or_else(|| "https://appstoreconnect.apple.com".into()),
                cloudkit_base: n
                    .cloudkit_base
                    .unwrap_or_else(|| "https://api.apple-cloudkit.com".into()),
                s3_endpoint: n.s3_endpoint,
                timeout_seconds: n.timeout_seconds.unwrap_or(1800),
                poll_seconds: n.poll_seconds.unwrap_or(10),
            })
        }
    };
    Ok(AppleSigning {
        application,
        installer,
        entitlements: raw.entitlements.map(PathBuf::from),
        timestamp_urls,
        notarize,
    })
}

fn validate_signing(raw: RawSigning, file: &Path) -> Result<Signing> {
    let err = |key: &str, message: String| Error::Config {
        file: file.to_path_buf(),
        key: format!("signing.{key}"),
        message,
    };
    let windows = match (raw.windows_pfx, raw.windows_key, raw.windows_chain) {
        (Some(pfx), None, None) => {
            validate_resource_pattern(&pfx).map_err(|m| err("windows-pfx", m))?;
            let password_env = raw.windows_password_env.ok_or_else(|| {
                err("windows-password-env", "a .pfx needs the name of the environment variable holding its password, e.g. \"WIN_CERT_PASSWORD\"".into())
            })?;
            Some(WindowsKey::Pkcs12 {
                file: pfx,
                password_env,
            })
        }
        (None, Some(key), Some(chain)) => {
            validate_resource_pattern(&key).map_err(|m| err("windows-key", m))?;
            validate_resource_pattern(&chain).map_err(|m| err("windows-chain", m))?;
            Some(WindowsKey::Pem { key, chain })
        }
        (None, None, None) => None,
        _ => {
            return Err(err(
                "windows-pfx",
                "give either `windows-pfx` (+ `windows-password-env`) or both `windows-key` and `windows-chain`".into(),
            ));
        }
    };
    for url in raw.timestamp_urls.iter().flatten() {
        if !url.starts_with("http://") {
            return Err(err(
                "timestamp-urls",
                format!("`{url}` is not an http:// URL (RFC 3161 servers speak plain HTTP)"),
            ));
        }
    }
    let windows_backend = match raw.windows_backend.as_deref().unwrap_or("native") {
        "native" => WindowsBackend::Native,
        "osslsigncode" => WindowsBackend::Osslsigncode,
        "signtool" => WindowsBackend::Signtool {
            thumbprint: raw.windows_signtool_thumbprint.clone().ok_or_else(|| {
                err(
                    "windows-signtool-thumbprint",
                    "`windows-backend = \"signtool\"` signs with a certificate from the Windows store: give its SHA-1 thumbprint (`certutil -store My` prints it)".into(),
                )
            })?,
        },
        "command" => WindowsBackend::Command {
            argv: raw.windows_command.clone().ok_or_else(|| {
                err(
                    "windows-command",
                    "`windows-backend = \"command\"` needs the command as a list, e.g. [\"jsign\", \"--storetype\", \"AZUREKEYVAULT\", …, \"{file}\"]".into(),
                )
            })?,
        },
        other => {
            return Err(err(
                "windows-backend",
                format!("unknown backend `{other}`; use \"native\", \"osslsigncode\", \"signtool\" or \"command\""),
            ));
        }
    };
    if let WindowsBackend::Command { argv } = &windows_backend
        && (argv.is_empty() || !argv.iter().any(|a| a.contains("{file}")))
    {
        return Err(err(
            "windows-command",
            "the command must name its program first and contain `{file}` (the file to sign)"
                .into(),
        ));
    }
    let needs_key = matches!(
        windows_backend,
        WindowsBackend::Native | WindowsBackend::Osslsigncode
    );
    if !needs_key && windows.is_some() {
        return Err(err(
            "windows-backend",
            "the signtool and command backends find their key themselves; remove `windows-pfx`/`windows-key` or use \"native\" or \"osslsigncode\"".into(),
        ));
    }
    if windows_backend == WindowsBackend::Osslsigncode && windows.is_none() {
        return Err(err(
            "windows-backend",
            "osslsigncode signs with the configured key: set `windows-pfx` (+ `windows-password-env`) or `windows-key` + `windows-chain`".into(),
        ));
    }
    let mut detached = Vec::new();
    for kind in raw.detached.iter().flatten() {
        let kind = match kind.as_str() {
            "asc" if raw.pgp_key_env.is_some() => DetachedKind::Asc,
            "minisig" if raw.minisign_key_env.is_some() => DetachedKind::Minisig,
            "asc" => {
                return Err(err(
                    "detached",
                    "`asc` signatures need `pgp-key-env`".into(),
                ));
            }
            "minisig" => {
                return Err(err(
                    "detached",
                    "`minisig` signatures need `minisign-key-env`".into(),
                ));
            }
            other => {
                return Err(err(
                    "detached",
                    format!("unknown signature kind `{other}`; use \"asc\" or \"minisig\""),
                ));
            }
        };
        if !detached.contains(&kind) {
            detached.push(kind);
        }
    }
    let has_pgp = raw.pgp_key_env.is_some();
    for (key, value) in [
        ("sign-rpm", raw.sign_rpm),
        ("sign-appimage", raw.sign_appimage),
    ] {
        if value == Some(true) && !has_pgp {
            return Err(err(
                key,
                "signing inside packages uses the OpenPGP key: set `pgp-key-env` too".into(),
            ));
        }
    }
    Ok(Signing {
        apple: raw.apple.map(|a| validate_apple(a, file)).transpose()?,
        windows,
        timestamp_urls: raw.timestamp_urls.unwrap_or_default(),
        allow_unstamped: raw.allow_unstamped.unwrap_or(false),
        pgp_key_env: raw.pgp_key_env,
        pgp_passphrase_env: raw.pgp_passphrase_env,
        windows_backend,
        sign_rpm: raw.sign_rpm.unwrap_or(has_pgp),
        sign_appimage: raw.sign_appimage.unwrap_or(has_pgp),
        detached,
        minisign_key_env: raw.minisign_key_env,
        minisign_password_env: raw.minisign_password_env,
    })
}

fn validate_identifier(id: &str) -> Result<(), String> {
    let parts: Vec<&str> = id.split('.').collect();
    let ok_part =
        |p: &&str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if parts.len() < 2 || !parts.iter().all(ok_part) {
        return Err(format!(
            "`{id}` is not a reverse-DNS identifier; use letters, digits and '-' in dot-separated parts, e.g. \"org.example.hello\""
        ));
    }
    Ok(())
}

fn validate_guid(code: &str) -> Result<(), String> {
    let trimmed = code.trim_start_matches('{').trim_end_matches('}');
    let groups: Vec<&str> = trimmed.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    let ok = groups.len() == 5
        && groups
            .iter()
            .zip(lens)
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{code}` is not a GUID; write it as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
        ))
    }
}

fn validate_macos_version(v: &str) -> Result<(), String> {
    let parts: Vec<&str> = v.split('.').collect();
    if (1..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.parse::<u32>().is_ok())
    {
        Ok(())
    } else {
        Err(format!(
            "`{v}` is not a macOS version; write it like \"11.0\""
        ))
    }
}

fn validate_resource_pattern(pattern: &str) -> Result<(), String> {
    let escapes = Path::new(pattern).is_absolute()
        || pattern.starts_with('/')
        || pattern.split(['/', '\\']).any(|c| c == "..");
    if escapes {
        Err(format!(
            "`{pattern}` leaves the project; paths and patterns must be relative and stay inside the package directory"
        ))
    } else {
        Ok(())
    }
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
        validate(raw, file)
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
        assert_eq!(c.macos_minimum_system_version, "11.0");
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
    fn glibc_versions_order_numerically() {
        let a: GlibcVersion = "2.9".parse().unwrap();
        let b: GlibcVersion = "2.17".parse().unwrap();
        assert!(a < b);
    }
}
