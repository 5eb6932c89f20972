//! `RawConfig`: the `[package.metadata.crateship]` table exactly as written.
//!
//! Every field is optional and unknown keys are rejected, so a typo is an error
//! rather than a silently ignored setting. The doc comments here are the config
//! reference: `cargo xtask codegen` renders them into docs/config.md.

use schemars::JsonSchema;
use serde::Deserialize;

/// `[package.metadata.crateship]` (or `[workspace.metadata.crateship]`).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    /// Human-readable product name shown in installers and archive READMEs.
    /// Default: the package name.
    pub product_name: Option<String>,
    /// Reverse-DNS application identifier, e.g. `org.example.hello`. Required for
    /// macOS formats; used to derive stable installer GUIDs.
    pub identifier: Option<String>,
    /// Source image for every icon (PNG of at least 1024 px, or SVG), relative to
    /// the package directory. Default: crateship's built-in icon.
    pub icon: Option<String>,
    /// Hand-drawn PNGs that replace the generated icon at one pixel size, e.g.
    /// `icon-overrides = { 16 = "assets/icon-16.png" }`; each must be exactly that size.
    pub icon_overrides: Option<std::collections::BTreeMap<String, String>>,
    /// Rust target triples to build. Default: the host target.
    pub targets: Option<Vec<String>>,
    /// Artifact formats to produce. Default: every available format that applies
    /// to each target (`tar.gz` for Linux and macOS, `zip` for Windows).
    pub formats: Option<Vec<String>>,
    /// Binary targets of the package to ship. Default: every `[[bin]]` target.
    pub binaries: Option<Vec<String>>,
    /// Extra files to ship beside the binary, as glob patterns relative to the
    /// package directory; a pattern may not leave the project.
    pub resources: Option<Vec<String>>,
    /// Windows settings.
    pub windows: Option<RawWindows>,
    /// macOS settings.
    pub macos: Option<RawMacos>,
    /// Linux settings.
    pub linux: Option<RawLinux>,
    /// Signing settings. Secrets are never written here: only the names of the
    /// environment variables (or the files) that hold them.
    pub signing: Option<RawSigning>,
}

/// `[package.metadata.crateship.signing]`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSigning {
    /// Authenticode certificate and key as PKCS#12 (`.pfx`/`.p12`), relative to
    /// the package directory; signs Windows exes (before they are packaged) and MSIs.
    pub windows_pfx: Option<String>,
    /// Environment variable holding the PKCS#12 password.
    pub windows_password_env: Option<String>,
    /// Authenticode private key as PEM (PKCS#8, RSA or EC), instead of a `.pfx`.
    pub windows_key: Option<String>,
    /// PEM certificate chain (leaf first) that goes with `windows-key`.
    pub windows_chain: Option<String>,
    /// RFC 3161 timestamp servers, tried in order until one answers.
    pub timestamp_urls: Option<Vec<String>>,
    /// Sign without a timestamp (loudly) when every timestamp server fails.
    /// Default: `false` (the release fails).
    pub allow_unstamped: Option<bool>,
    /// Environment variable holding an ASCII-armoured OpenPGP secret key; when set,
    /// `SHA256SUMS.asc` is written beside `SHA256SUMS`.
    pub pgp_key_env: Option<String>,
    /// Environment variable holding the OpenPGP key's passphrase (empty if unset).
    pub pgp_passphrase_env: Option<String>,
}

/// `[package.metadata.crateship.windows]`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawWindows {
    /// MSI UpgradeCode (a GUID) that stays the same across versions so new
    /// versions replace old ones. Default: derived from `identifier`.
    pub upgrade_code: Option<String>,
    /// The app opens its own window: fail the release if a Windows binary is a
    /// console-subsystem exe (it would open a console window beside the app; the
    /// fix is `#![windows_subsystem = "windows"]`). Default: `false`.
    pub windowed: Option<bool>,
    /// Install the MSI for the current user only (into
    /// `%LOCALAPPDATA%\Programs`, no administrator rights). Default: `false`
    /// (per machine, into `Program Files`).
    pub per_user: Option<bool>,
    /// Also put a shortcut on the desktop. Default: `false` (Start menu only).
    pub desktop_shortcut: Option<bool>,
}

/// `[package.metadata.crateship.macos]`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawMacos {
    /// Oldest macOS release the binaries run on, passed to the linker as
    /// `MACOSX_DEPLOYMENT_TARGET`. Default: `11.0`.
    pub minimum_system_version: Option<String>,
    /// App Store category (`LSApplicationCategoryType`), e.g.
    /// `public.app-category.developer-tools`. Default: `public.app-category.utilities`.
    pub category: Option<String>,
    /// URL schemes the app handles (`CFBundleURLTypes`), e.g. `["hello"]`.
    pub url_schemes: Option<Vec<String>>,
    /// Document types the app opens (`CFBundleDocumentTypes`), e.g.
    /// `[{ name = "Hello Document", extensions = ["hello"], role = "Editor" }]`.
    pub document_types: Option<Vec<RawDocumentType>>,
    /// Further Info.plist keys, e.g. `info-plist = { NSCameraUsageDescription = "To wave." }`.
    /// TOML strings, booleans, numbers, arrays and tables map to their plist types.
    /// A key crateship generates (identifier, version, …) is an error naming its setting.
    pub info_plist: Option<std::collections::BTreeMap<String, serde_json::Value>>,
    /// Your own Info.plist template, relative to the package directory; copy
    /// crateship's `templates/Info.plist` to start (its `{{placeholders}}` are filled).
    pub info_plist_template: Option<String>,
    /// Your own `.pkg` Distribution template (start from `templates/Distribution.xml`).
    pub distribution_template: Option<String>,
    /// Your own `.pkg` PackageInfo template (start from `templates/PackageInfo.xml`).
    pub package_info_template: Option<String>,
    /// Script (starting with `#!`) the `.pkg` runs as root before installing.
    pub preinstall: Option<String>,
    /// Script (starting with `#!`) the `.pkg` runs as root after installing.
    pub postinstall: Option<String>,
    /// Volume name of the `.dmg`. Default: the product name.
    pub dmg_volume_name: Option<String>,
    /// Set the hardened-runtime flag in the app's code signature (required for
    /// notarization). Default: `false`.
    pub hardened_runtime: Option<bool>,
}

/// One entry of `macos.document-types`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawDocumentType {
    /// Name shown by Finder, e.g. `Hello Document`.
    pub name: String,
    /// File name extensions without the dot, e.g. `["hello"]`.
    pub extensions: Vec<String>,
    /// `Editor`, `Viewer`, `Shell` or `None`. Default: `Viewer`.
    pub role: Option<String>,
}

/// `[package.metadata.crateship.linux]`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawLinux {
    /// freedesktop.org menu categories, e.g. `["Utility"]`.
    pub categories: Option<Vec<String>>,
    /// Highest glibc version a gnu binary may require, e.g. `"2.31"`. The build
    /// fails if a binary needs a newer glibc. Default: no ceiling.
    pub max_glibc: Option<String>,
    /// AppImage update information written into the runtime's `.upd_info`
    /// section, e.g. `zsync|https://example.org/Hello-latest-x86_64.AppImage.zsync`.
    pub update_information: Option<String>,
    /// Search keywords for the desktop entry and AppStream metainfo. Default:
    /// the package's `keywords`.
    pub keywords: Option<Vec<String>>,
    /// MIME types the app opens, e.g. `["text/markdown"]` (adds `%F` to `Exec`).
    pub mime_types: Option<Vec<String>>,
    /// Your own `.desktop` template, relative to the package directory; copy
    /// crateship's `templates/app.desktop` to start (its `{{placeholders}}` are filled).
    pub desktop_template: Option<String>,
    /// Your own AppStream metainfo template (start from `templates/metainfo.xml`).
    pub metainfo_template: Option<String>,
}
