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
    /// Files placed at a destination of their own: man pages, shell
    /// completions, systemd units, `/etc` configuration files, data. Each is
    /// `{ source = "doc/hello.1", dest = "usr/share/man/man1/", mode = "644" }`;
    /// `source` is a file or glob relative to the package directory (a file a
    /// `before-package` hook writes may not exist yet when planning), `dest` a
    /// path inside the Linux packages (ending in `/`: into that directory),
    /// `mode` octal, `formats` the formats that carry it. Known kinds get their
    /// conventions: `*.1`…`*.9` man pages are gzipped into
    /// `usr/share/man/manN/`; `*.bash`, `*.zsh`/`_NAME` and `*.fish`
    /// completions go to bash-completion's, zsh's and fish's vendor directories;
    /// `*.service`/`*.socket`/`*.timer` units to `usr/lib/systemd/system/`
    /// (enabled and started by the deb/rpm scripts); files under `etc/` are
    /// conffiles (`%config(noreplace)`). Without `dest` the kind's directory is
    /// used, else `usr/share/NAME/`. Units and `etc/` files go into .deb and
    /// .rpm only, man pages and completions also into archives; everything else
    /// into every format. Outside .deb/.rpm/AppImage an asset goes where
    /// `resources` go (below `usr/share/NAME/` keeps its path, else its file name).
    pub assets: Option<Vec<RawAsset>>,
    /// Commands run in order in the package directory after the builds and
    /// before any artifact is written, e.g.
    /// `[["cargo", "run", "--release", "--", "--generate", "man"]]`: argv
    /// lists, no shell, with the build's environment (`SOURCE_DATE_EPOCH`…). A
    /// failing command stops the release before anything is written.
    pub before_package: Option<Vec<Vec<String>>>,
    /// Windows settings.
    pub windows: Option<RawWindows>,
    /// macOS settings.
    pub macos: Option<RawMacos>,
    /// Linux settings.
    pub linux: Option<RawLinux>,
    /// Signing settings. Secrets are never written here: only the names of the
    /// environment variables (or the files) that hold them.
    pub signing: Option<RawSigning>,
    /// Update feeds for the updaters apps already use (Tauri / cargo-packager,
    /// Sparkle, AppImage zsync).
    pub updates: Option<RawUpdates>,
    /// Distribution channels written from the finished release under
    /// `DIST/channels/NAME/`: signed apt and dnf repositories, AUR, winget, Scoop
    /// and Homebrew manifests, and a verifying `install.sh`.
    pub channels: Option<RawChannels>,
    /// SBOMs written beside each artifact, naming the crates compiled into its
    /// binaries for its target: `"cyclonedx"` (CycloneDX 1.6, `NAME.cdx.json`)
    /// and/or `"spdx"` (SPDX 2.3, `NAME.spdx.json`). Default: none.
    pub sbom_formats: Option<Vec<String>>,
    /// Write `provenance.intoto.json`, an in-toto Statement v1 with an SLSA
    /// Provenance v1 predicate over every file of the release (and, with
    /// `signing.minisign-key-env`, `provenance.intoto.dsse.json`: the statement in
    /// an Ed25519-signed DSSE envelope). Default: `false`.
    pub provenance: Option<bool>,
    /// Embed each binary's dependency list the way `cargo auditable` does (a
    /// `.dep-v0` section that `cargo audit bin`, `rust-audit-info`, syft and
    /// Trivy read), for every target, with nothing to install. Default: `true`.
    pub auditable: Option<bool>,
    /// The release workflow `crateship ci github|gitlab` generates.
    pub ci: Option<RawCi>,
    /// What `crateship check`, the release gate, holds the release to.
    pub check: Option<RawCheck>,
    /// In `[workspace.metadata.crateship]` only: the workspace packages
    /// `crateship dist` (and `plan`, `build`) release together, each into its
    /// own `DIST/NAME/` with its own `SHA256SUMS` and manifest, e.g.
    /// `packages = ["server", "client"]`. `--package` (repeatable) chooses instead.
    pub packages: Option<Vec<String>>,
    /// Which packaging tables of other tools to read: `"deb"` (cargo-deb),
    /// `"generate-rpm"`, `"wix"`, `"bundle"`, `"packager"`; crateship's own keys
    /// win over what they say. Default: every one present, with a warning that
    /// names them; `import = []` reads none.
    pub import: Option<Vec<String>>,
}

/// One entry of `assets`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawAsset {
    /// File or glob relative to the package directory, e.g. `"doc/hello.1"`.
    pub source: String,
    /// Destination inside the Linux packages, e.g. `"usr/share/man/man1/"`
    /// (a directory: ends in `/`) or `"etc/hello.conf"` (a file). Default: the
    /// kind's directory (see `assets`).
    pub dest: Option<String>,
    /// Octal permission bits, e.g. `"644"`. Default: `755` below `usr/bin`,
    /// else `644`.
    pub mode: Option<String>,
    /// The formats that carry this asset, e.g. `["deb", "rpm"]`. Default: see `assets`.
    pub formats: Option<Vec<String>>,
}

/// `[package.metadata.crateship.ci]`: how the generated release workflow builds.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawCi {
    /// Build every Apple target on a macOS runner. Default: `false`, so Apple
    /// targets cross-build on Linux unless the project links an Apple framework
    /// (a dependency such as `objc2-app-kit` or `core-foundation` in Cargo.lock),
    /// which needs the macOS SDK only a macOS runner has.
    pub macos_runner: Option<bool>,
}

/// `[package.metadata.crateship.check]`: what the release gate holds the release to
/// beyond its built-in checks.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawCheck {
    /// Run `crateship check` on each out dir when `crateship dist` has written
    /// it, as `dist --check` does: a blocking failure exits 1 (the files stay).
    /// Default: `false`.
    pub after_dist: Option<bool>,
    /// SPDX licence ids each shipped crate's licence expression must be
    /// satisfiable from, e.g. `["MIT", "Apache-2.0"]` (`MIT OR GPL-3.0` passes
    /// with `MIT`; `MIT AND GPL-3.0` needs both). Read from the release's
    /// CycloneDX SBOMs, so setting it turns `sbom-formats = ["cyclonedx"]` on.
    /// Default: no allow-list.
    pub allowed_licenses: Option<Vec<String>>,
    /// A signing certificate that expires within this many days is a warning
    /// (an expired one blocks). Default: `30`.
    pub cert_expiry_days: Option<u32>,
    /// The minisign public key file (`minisign.pub`, relative to the package
    /// directory) that `SHA256SUMS.minisig` must verify with. Default: the
    /// signature's presence is checked, not its validity.
    pub minisign_public_key: Option<String>,
    /// The armoured OpenPGP public key file (relative to the package directory)
    /// that `SHA256SUMS.asc`, every signed .rpm and every signed AppImage must verify
    /// with. Default: their presence is checked, not their validity.
    pub pgp_public_key: Option<String>,
}

/// `[package.metadata.crateship.channels]`: each channel set here is written after
/// every signature, listed in the manifest and `SHA256SUMS`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawChannels {
    /// Where the release's files are downloaded from (http or https); `{version}`
    /// is replaced by the version, e.g.
    /// `https://github.com/OWNER/REPO/releases/download/v{version}`.
    /// Default: `updates.base-url`.
    pub base_url: Option<String>,
    /// A signed apt repository of the release's `.deb`s (`channels/apt/`); needs
    /// `signing.pgp-key-env`. `apt = {}` takes every default.
    pub apt: Option<RawAptChannel>,
    /// A signed dnf/yum repository of the release's `.rpm`s (`channels/rpm/`);
    /// needs `signing.pgp-key-env`. `rpm = {}` takes every default.
    pub rpm: Option<RawRpmChannel>,
    /// An AUR `-bin` package (`PKGBUILD` and `.SRCINFO`) installing the Linux gnu
    /// `tar.gz`.
    pub aur: Option<bool>,
    /// winget manifests for the MSI.
    pub winget: Option<bool>,
    /// winget's package identifier (`Publisher.Package`). Default: the identifier
    /// without its first label (`org.example.hello` → `example.hello`).
    pub winget_identifier: Option<String>,
    /// A Scoop manifest for the Windows `zip`.
    pub scoop: Option<bool>,
    /// The page Scoop's `checkver` reads for the newest version. Default: the
    /// GitHub releases page of a `github.com` base-url, else the homepage.
    pub scoop_checkver_url: Option<String>,
    /// A Homebrew formula for the macOS/Linux `tar.gz` and a cask for the `.dmg`.
    pub homebrew: Option<bool>,
    /// An `install.sh` that picks the host's build, verifies it against
    /// `SHA256SUMS` (and its signature) and installs it.
    pub install_sh: Option<bool>,
}

/// `[package.metadata.crateship.channels.apt]`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawAptChannel {
    /// Where users reach the repository (a stable http(s) address, no
    /// `{version}`). Default: `BASE-URL/channels/apt` when `base-url` has no
    /// `{version}`.
    pub url: Option<String>,
    /// The suite (`dists/SUITE`). Default: `stable`.
    pub suite: Option<String>,
    /// The one component. Default: `main`.
    pub component: Option<String>,
    /// `Origin` of the Release file (users can pin by it). Default: the package name.
    pub origin: Option<String>,
    /// `Label` of the Release file. Default: the package name.
    pub label: Option<String>,
}

/// `[package.metadata.crateship.channels.rpm]`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawRpmChannel {
    /// Where users reach the repository (a stable http(s) address, no
    /// `{version}`). Default: `BASE-URL/channels/rpm` when `base-url` has no
    /// `{version}`.
    pub url: Option<String>,
    /// The `name=` users see in the `.repo` file. Default: the product name.
    pub title: Option<String>,
}

/// `[package.metadata.crateship.updates]`: written after every signature, so no
/// hash in a feed goes stale. The Tauri feed is signed with `signing.minisign-key-env`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawUpdates {
    /// Where this release's files will be served (http or https); `{version}` is
    /// replaced by the version, e.g. `https://example.org/releases/{version}`.
    pub base_url: String,
    /// Where the feeds (`latest.json`, `appcast.xml`, the AppImages' `.zsync`) are
    /// served at a stable address the apps poll. Default: `base-url` (which then
    /// may not contain `{version}`).
    pub feed_url: Option<String>,
    /// Release notes for this version: a text file, relative to the package.
    pub notes_file: Option<String>,
    /// A `CHANGELOG.md` whose `## VERSION` (or `## [VERSION]`) section becomes the
    /// release notes, instead of `notes-file`.
    pub changelog: Option<String>,
    /// Environment variable holding Sparkle's EdDSA private key (`generate_keys -x`
    /// output): macOS releases then get `appcast.xml`, and the app's Info.plist
    /// `SUFeedURL` and `SUPublicEDKey`.
    pub sparkle_key_env: Option<String>,
    /// Write a `.zsync` for each AppImage and point its update information at it.
    /// Default: `true`.
    pub zsync: Option<bool>,
}

/// `[package.metadata.crateship.signing]`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSigning {
    /// Apple Developer ID signing and notarization (`[…signing.apple]`).
    pub apple: Option<RawAppleSigning>,
    /// Authenticode certificate and key as PKCS#12 (`.pfx`/`.p12`): a path
    /// (absolute, `~/…`, or relative to the package directory — keep keys out of
    /// the checkout); signs Windows exes (before they are packaged) and MSIs.
    pub windows_pfx: Option<String>,
    /// Environment variable holding the PKCS#12 itself, base64-encoded (as CI
    /// systems hand secrets over), instead of `windows-pfx`.
    pub windows_pfx_env: Option<String>,
    /// Environment variable holding the PKCS#12 password.
    pub windows_password_env: Option<String>,
    /// Authenticode private key as PEM (PKCS#8, RSA or EC), instead of a `.pfx`.
    pub windows_key: Option<String>,
    /// Environment variable holding the PEM private key text, instead of `windows-key`.
    pub windows_key_env: Option<String>,
    /// PEM certificate chain (leaf first) that goes with `windows-key`.
    pub windows_chain: Option<String>,
    /// Environment variable holding the PEM chain text, instead of `windows-chain`.
    pub windows_chain_env: Option<String>,
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
    /// Who makes Authenticode signatures: `native` (in-process, any host),
    /// `osslsigncode`, `signtool` (Windows hosts, certificate store) or `command`
    /// (`windows-command`, e.g. jsign or Azure Trusted Signing). Default: `native`.
    pub windows_backend: Option<String>,
    /// SHA-1 thumbprint of the certificate in the Windows store that `signtool`
    /// signs with (`/sha1`); no password is passed on its command line.
    pub windows_signtool_thumbprint: Option<String>,
    /// The signing command as an argv list (no shell) for `windows-backend =
    /// "command"`. Placeholders: `{file}` (required), `{out}`, `{timestamp-url}`.
    /// Credentials reach it only through the environment it inherits.
    pub windows_command: Option<Vec<String>>,
    /// Sign .rpm packages inside (header signature) with the OpenPGP key.
    /// Default: `true` when `pgp-key-env` is set.
    pub sign_rpm: Option<bool>,
    /// Embed an OpenPGP signature in AppImages (`.sha256_sig`/`.sig_key`, as
    /// appimagetool does). Default: `true` when `pgp-key-env` is set.
    pub sign_appimage: Option<bool>,
    /// Detached signatures written beside every artifact: `"asc"` (OpenPGP, needs
    /// `pgp-key-env`) and/or `"minisig"` (needs `minisign-key-env`). Default: none
    /// (`SHA256SUMS.asc` / `SHA256SUMS.minisig` cover every artifact).
    pub detached: Option<Vec<String>>,
    /// Environment variable holding a minisign secret key (the text of a
    /// `minisign -G` key file); when set, `SHA256SUMS.minisig` is written.
    pub minisign_key_env: Option<String>,
    /// Environment variable holding the minisign key's password (unset: the key is
    /// not encrypted).
    pub minisign_password_env: Option<String>,
}

/// `[package.metadata.crateship.signing.apple]`: Developer ID identities for
/// macOS artifacts and App Store Connect credentials for notarization. Key paths
/// may be absolute, `~/…` or relative to the package directory; every key can
/// instead come from an environment variable (`…-env`).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawAppleSigning {
    /// "Developer ID Application" certificate and key as PKCS#12; signs the `.app`
    /// (every slice of its executable) and the `.dmg`.
    pub application_pfx: Option<String>,
    /// Environment variable holding the application `.p12`, base64-encoded.
    pub application_pfx_env: Option<String>,
    /// Environment variable holding the application `.p12` password.
    pub application_password_env: Option<String>,
    /// Application key as PEM, instead of a `.p12` (with `application-chain`).
    pub application_key: Option<String>,
    /// Environment variable holding the application key's PEM text.
    pub application_key_env: Option<String>,
    /// PEM certificate chain (leaf first) for `application-key`.
    pub application_chain: Option<String>,
    /// Environment variable holding the application chain's PEM text.
    pub application_chain_env: Option<String>,
    /// "Developer ID Installer" certificate and key as PKCS#12; signs the `.pkg`.
    pub installer_pfx: Option<String>,
    /// Environment variable holding the installer `.p12`, base64-encoded.
    pub installer_pfx_env: Option<String>,
    /// Environment variable holding the installer `.p12` password.
    pub installer_password_env: Option<String>,
    /// Installer key as PEM, instead of a `.p12` (with `installer-chain`).
    pub installer_key: Option<String>,
    /// Environment variable holding the installer key's PEM text.
    pub installer_key_env: Option<String>,
    /// PEM certificate chain (leaf first) for `installer-key`.
    pub installer_chain: Option<String>,
    /// Environment variable holding the installer chain's PEM text.
    pub installer_chain_env: Option<String>,
    /// Entitlements (an XML plist) sealed into the app's signature.
    pub entitlements: Option<String>,
    /// RFC 3161 servers for the secure timestamp, tried in order. Default:
    /// `["http://timestamp.apple.com/ts01"]`; `[]` signs without a timestamp
    /// (notarization then fails).
    pub timestamp_urls: Option<Vec<String>>,
    /// Notarize the signed app, dmg and pkg with Apple and staple the tickets.
    pub notarize: Option<RawNotarize>,
}

/// `notarize = { … }` under `[…signing.apple]`: an App Store Connect API key.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawNotarize {
    /// The API key's id (from App Store Connect → Users and Access → Keys).
    pub key_id: String,
    /// The issuer id shown on the same page.
    pub issuer_id: String,
    /// Environment variable holding the `.p8` private key's PEM text.
    pub key_env: Option<String>,
    /// Path of the `.p8` private key file, instead of `key-env`.
    pub key_file: Option<String>,
    /// Notary API base URL. Default: `https://appstoreconnect.apple.com` (tests
    /// point it at a local mock).
    pub api_base: Option<String>,
    /// Ticket service base URL. Default: `https://api.apple-cloudkit.com`.
    pub cloudkit_base: Option<String>,
    /// Upload endpoint instead of Apple's S3 bucket host (tests only).
    pub s3_endpoint: Option<String>,
    /// Give up waiting for Apple's verdict after this many seconds. Default: 1800.
    pub timeout_seconds: Option<u64>,
    /// Seconds between status checks. Default: 10.
    pub poll_seconds: Option<u64>,
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
    /// The glibc every `*-linux-gnu` binary is linked against, e.g. `"2.17"`
    /// (CentOS 7, RHEL 8 have 2.28, Debian 11 2.31, Ubuntu 20.04 2.31): every
    /// gnu target, the host's too, is built with cargo-zigbuild's glibc suffix
    /// (`--target x86_64-unknown-linux-gnu.2.17`), the build fails if a binary
    /// still needs more, and the .deb `Depends` / .rpm `Requires` follow.
    /// 2.17 (what Rust's standard library needs) to 2.41. Default: the build
    /// host's glibc.
    pub glibc: Option<String>,
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
    /// Copy the shared libraries the AppImage's binary needs beyond those every
    /// desktop has (the AppImage excludelist: glibc, libGL, fontconfig, X11, …) from
    /// this build host into the AppImage's `usr/lib`, with their own dependencies;
    /// `AppRun` then puts them on the loader path. Default: `false` (they are named
    /// in a warning instead, and users must install them).
    pub bundle_libraries: Option<bool>,
    /// Debian package fields beyond those crateship derives.
    pub deb: Option<RawDeb>,
    /// rpm package fields beyond those crateship derives.
    pub rpm: Option<RawRpm>,
    /// Maintainer scripts (.deb) and scriptlets (.rpm), each a POSIX `sh` file
    /// relative to the package directory, with or without its `#!` line.
    pub scripts: Option<RawScripts>,
}

/// `[package.metadata.crateship.linux.deb]`: relationships are added to the
/// ones crateship derives (`libc6`, shared libraries), written as Debian
/// writes them (`"foo (>= 1.2) | bar"`).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawDeb {
    /// Extra `Depends`.
    pub depends: Option<Vec<String>>,
    /// `Recommends`.
    pub recommends: Option<Vec<String>>,
    /// `Suggests`.
    pub suggests: Option<Vec<String>>,
    /// `Conflicts`.
    pub conflicts: Option<Vec<String>>,
    /// `Provides`.
    pub provides: Option<Vec<String>>,
    /// `Replaces`.
    pub replaces: Option<Vec<String>>,
    /// `Section`. Default: `utils`.
    pub section: Option<String>,
    /// `Priority`. Default: `optional`.
    pub priority: Option<String>,
    /// The long description of the .deb and .rpm. Default: the README's first
    /// paragraph that does not repeat the summary.
    pub extended_description: Option<String>,
    /// Lintian tags to override, each `TAG` or `TAG [CONTEXT]`, shipped in
    /// `usr/share/lintian/overrides/NAME` (the package name is prefixed).
    pub lintian_overrides: Option<Vec<String>>,
}

/// `[package.metadata.crateship.linux.rpm]`: entries `name` or
/// `name OP version` (OP one of `>= > = <= <`).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawRpm {
    /// Extra `Requires` (crateship adds glibc and the shared libraries).
    pub requires: Option<Vec<String>>,
    /// `Recommends`.
    pub recommends: Option<Vec<String>>,
    /// `Suggests`.
    pub suggests: Option<Vec<String>>,
    /// `Obsoletes`.
    pub obsoletes: Option<Vec<String>>,
    /// `Provides`.
    pub provides: Option<Vec<String>>,
    /// `Conflicts`.
    pub conflicts: Option<Vec<String>>,
}

/// `[package.metadata.crateship.linux.scripts]`: deb `preinst`/`postinst`/
/// `prerm`/`postrm`, rpm `%pre`/`%post`/`%preun`/`%postun`. crateship's own
/// snippets (systemd units) are added to them. Each is a POSIX `sh` file relative
/// to the package directory (with or without its `#!` line; a `#DEBHELPER#` line
/// is dropped), or `{ inline = "..." }` for a short script.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawScripts {
    /// Runs before the files are unpacked.
    pub pre_install: Option<RawScript>,
    /// Runs after the files are unpacked.
    pub post_install: Option<RawScript>,
    /// Runs before the files are removed.
    pub pre_remove: Option<RawScript>,
    /// Runs after the files are removed.
    pub post_remove: Option<RawScript>,
}

/// A maintainer script: a file, or its text.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawScript {
    /// A file relative to the package directory, e.g. `"pkg/postinst"`.
    File(String),
    /// The script itself: `{ inline = "ldconfig" }`.
    Inline {
        /// The POSIX `sh` text.
        inline: String,
    },
}
