//! `[package.metadata.crateship.signing]`, validated: where every key comes from
//! (files, made absolute, and the names of environment variables — never the
//! secrets themselves) and how each kind of artifact is signed.

use std::path::PathBuf;

use serde::Serialize;

use super::raw::{RawAppleSigning, RawNotarize, RawSigning};
use super::rules::{Ctx, check_timestamp_urls};
use crate::error::{Error, Result};

/// Apple's timestamp server, used when `timestamp-urls` is not set.
pub const APPLE_TIMESTAMP_URL: &str = "http://timestamp.apple.com/ts01";

/// Validated signing settings: paths and environment variable names only.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Signing {
    /// Apple Developer ID identities and notarization.
    pub apple: Option<AppleSigning>,
    /// How the Authenticode key is given, if Windows artifacts are signed.
    pub windows: Option<KeySource>,
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

/// Validated `[…signing.apple]`.
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

/// Where a key or certificate's bytes come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Material {
    /// A file (absolute).
    File(PathBuf),
    /// An environment variable holding the bytes (base64 for PKCS#12, text for PEM).
    Env(String),
}

/// Where a certificate and its key come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum KeySource {
    /// A PKCS#12 archive and the variable holding its password.
    Pkcs12 {
        /// The `.p12`/`.pfx`.
        pfx: Material,
        /// Environment variable with the password.
        password_env: String,
    },
    /// A PEM key and its PEM chain (leaf first).
    Pem {
        /// The private key.
        key: Material,
        /// The certificate chain.
        chain: Material,
    },
}

impl KeySource {
    /// The key files this source reads (not the variables).
    pub fn files(&self) -> Vec<&PathBuf> {
        fn file(m: &Material) -> Option<&PathBuf> {
            match m {
                Material::File(p) => Some(p),
                Material::Env(_) => None,
            }
        }
        match self {
            KeySource::Pkcs12 { pfx, .. } => file(pfx).into_iter().collect(),
            KeySource::Pem { key, chain } => file(key).into_iter().chain(file(chain)).collect(),
        }
    }
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

/// A certificate + key given as a `.p12` (file or variable, + password
/// variable) or as PEM key + chain (files or variables); `prefix` is the key
/// stem (`windows`, `application`, `installer`).
struct KeyKeys<'a> {
    prefix: &'a str,
    section: &'a str,
    pfx: Option<String>,
    pfx_env: Option<String>,
    password_env: Option<String>,
    key: Option<String>,
    key_env: Option<String>,
    chain: Option<String>,
    chain_env: Option<String>,
    password_example: &'a str,
}

fn key_source(k: KeyKeys<'_>, ctx: Ctx<'_>) -> Result<Option<KeySource>> {
    let p = k.prefix;
    let key_name = |suffix: &str| format!("{}{p}-{suffix}", k.section);
    let one = |file: Option<String>, env: Option<String>, what: &str| -> Result<Option<Material>> {
        match (file, env) {
            (Some(f), None) => Ok(Some(Material::File(ctx.key_path(&key_name(what), &f)?))),
            (None, Some(v)) => Ok(Some(Material::Env(check_var_name(
                &key_name(&format!("{what}-env")),
                v,
                ctx,
            )?))),
            (None, None) => Ok(None),
            (Some(_), Some(_)) => Err(ctx.err(
                &key_name(what),
                format!(
                    "give either `{p}-{what}` (a file) or `{p}-{what}-env` (a variable), not both"
                ),
            )),
        }
    };
    let pfx = one(k.pfx, k.pfx_env, "pfx")?;
    let key = one(k.key, k.key_env, "key")?;
    let chain = one(k.chain, k.chain_env, "chain")?;
    match (pfx, key, chain) {
        (Some(pfx), None, None) => {
            let password_env = k.password_env.ok_or_else(|| {
                ctx.err(
                    &key_name("password-env"),
                    format!(
                        "a .pfx/.p12 needs the name of the environment variable holding its \
                         password, e.g. \"{}\"",
                        k.password_example
                    ),
                )
            })?;
            let password_env = check_var_name(&key_name("password-env"), password_env, ctx)?;
            Ok(Some(KeySource::Pkcs12 { pfx, password_env }))
        }
        (None, Some(key), Some(chain)) => Ok(Some(KeySource::Pem { key, chain })),
        (None, None, None) => Ok(None),
        _ => Err(ctx.err(
            &key_name("pfx"),
            format!(
                "give either `{p}-pfx` (+ `{p}-password-env`) or both `{p}-key` and `{p}-chain` \
                 (each also as `…-env`)"
            ),
        )),
    }
}

/// A setting that names an environment variable must hold a name, not a value:
/// a pasted secret is refused without being echoed.
pub(super) fn check_var_name(key: &str, value: String, ctx: Ctx<'_>) -> Result<String> {
    let ok = !value.is_empty()
        && value.len() <= 128
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !value.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        Ok(value)
    } else {
        Err(ctx.err(
            key,
            format!(
                "this setting takes the NAME of an environment variable (letters, digits and `_`, \
                 e.g. \"RELEASE_KEY\"), not its value; the value given ({} characters) is not \
                 shown — if it was a secret, treat it as leaked and rotate it",
                value.chars().count()
            ),
        ))
    }
}

pub(super) fn validate(raw: RawSigning, ctx: Ctx<'_>) -> Result<Signing> {
    let err = |key: &str, message: &str| ctx.err(&format!("signing.{key}"), message);
    let windows = key_source(
        KeyKeys {
            prefix: "windows",
            section: "signing.",
            pfx: raw.windows_pfx,
            pfx_env: raw.windows_pfx_env,
            password_env: raw.windows_password_env,
            key: raw.windows_key,
            key_env: raw.windows_key_env,
            chain: raw.windows_chain,
            chain_env: raw.windows_chain_env,
            password_example: "WIN_CERT_PASSWORD",
        },
        ctx,
    )?;
    if let Some(urls) = &raw.timestamp_urls {
        check_timestamp_urls(urls).map_err(|m| err("timestamp-urls", &m))?;
    }
    let windows_backend = windows_backend(
        raw.windows_backend.as_deref(),
        raw.windows_signtool_thumbprint,
        raw.windows_command,
        ctx,
    )?;
    let needs_key = matches!(
        windows_backend,
        WindowsBackend::Native | WindowsBackend::Osslsigncode
    );
    if !needs_key && windows.is_some() {
        return Err(err(
            "windows-backend",
            "the signtool and command backends find their key themselves; remove `windows-pfx`/`windows-key` or use \"native\" or \"osslsigncode\"",
        ));
    }
    if windows_backend == WindowsBackend::Osslsigncode && windows.is_none() {
        return Err(err(
            "windows-backend",
            "osslsigncode signs with the configured key: set `windows-pfx` (+ `windows-password-env`) or `windows-key` + `windows-chain`",
        ));
    }
    let mut detached = Vec::new();
    for kind in raw.detached.iter().flatten() {
        let kind = match kind.as_str() {
            "asc" if raw.pgp_key_env.is_some() => DetachedKind::Asc,
            "minisig" if raw.minisign_key_env.is_some() => DetachedKind::Minisig,
            "asc" => return Err(err("detached", "`asc` signatures need `pgp-key-env`")),
            "minisig" => {
                return Err(err(
                    "detached",
                    "`minisig` signatures need `minisign-key-env`",
                ));
            }
            other => {
                return Err(err(
                    "detached",
                    &format!("unknown signature kind `{other}`; use \"asc\" or \"minisig\""),
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
                "signing inside packages uses the OpenPGP key: set `pgp-key-env` too",
            ));
        }
    }
    let var = |key: &str, v: Option<String>| {
        v.map(|v| check_var_name(&format!("signing.{key}"), v, ctx))
            .transpose()
    };
    let pgp_key_env = var("pgp-key-env", raw.pgp_key_env)?;
    let pgp_passphrase_env = var("pgp-passphrase-env", raw.pgp_passphrase_env)?;
    let minisign_key_env = var("minisign-key-env", raw.minisign_key_env)?;
    let minisign_password_env = var("minisign-password-env", raw.minisign_password_env)?;
    Ok(Signing {
        apple: raw.apple.map(|a| validate_apple(a, ctx)).transpose()?,
        windows,
        timestamp_urls: raw.timestamp_urls.unwrap_or_default(),
        allow_unstamped: raw.allow_unstamped.unwrap_or(false),
        pgp_key_env,
        pgp_passphrase_env,
        windows_backend,
        sign_rpm: raw.sign_rpm.unwrap_or(has_pgp),
        sign_appimage: raw.sign_appimage.unwrap_or(has_pgp),
        detached,
        minisign_key_env,
        minisign_password_env,
    })
}

fn windows_backend(
    name: Option<&str>,
    thumbprint: Option<String>,
    command: Option<Vec<String>>,
    ctx: Ctx<'_>,
) -> Result<WindowsBackend> {
    let err = |key: &str, message: &str| ctx.err(&format!("signing.{key}"), message);
    let backend = match name.unwrap_or("native") {
        "native" => WindowsBackend::Native,
        "osslsigncode" => WindowsBackend::Osslsigncode,
        "signtool" => WindowsBackend::Signtool {
            thumbprint: thumbprint.ok_or_else(|| {
                err(
                    "windows-signtool-thumbprint",
                    "`windows-backend = \"signtool\"` signs with a certificate from the Windows store: give its SHA-1 thumbprint (`certutil -store My` prints it)",
                )
            })?,
        },
        "command" => WindowsBackend::Command {
            argv: command.ok_or_else(|| {
                err(
                    "windows-command",
                    "`windows-backend = \"command\"` needs the command as a list, e.g. [\"jsign\", \"--storetype\", \"AZUREKEYVAULT\", …, \"{file}\"]",
                )
            })?,
        },
        other => {
            return Err(err(
                "windows-backend",
                &format!("unknown backend `{other}`; use \"native\", \"osslsigncode\", \"signtool\" or \"command\""),
            ));
        }
    };
    if let WindowsBackend::Command { argv } = &backend
        && (argv.is_empty() || !argv.iter().any(|a| a.contains("{file}")))
    {
        return Err(err(
            "windows-command",
            "the command must name its program first and contain `{file}` (the file to sign)",
        ));
    }
    Ok(backend)
}

fn validate_apple(raw: RawAppleSigning, ctx: Ctx<'_>) -> Result<AppleSigning> {
    let err = |key: &str, message: &str| ctx.err(&format!("signing.apple.{key}"), message);
    let application = key_source(
        KeyKeys {
            prefix: "application",
            section: "signing.apple.",
            pfx: raw.application_pfx,
            pfx_env: raw.application_pfx_env,
            password_env: raw.application_password_env,
            key: raw.application_key,
            key_env: raw.application_key_env,
            chain: raw.application_chain,
            chain_env: raw.application_chain_env,
            password_example: "APPLE_APPLICATION_PASSWORD",
        },
        ctx,
    )?;
    let installer = key_source(
        KeyKeys {
            prefix: "installer",
            section: "signing.apple.",
            pfx: raw.installer_pfx,
            pfx_env: raw.installer_pfx_env,
            password_env: raw.installer_password_env,
            key: raw.installer_key,
            key_env: raw.installer_key_env,
            chain: raw.installer_chain,
            chain_env: raw.installer_chain_env,
            password_example: "APPLE_INSTALLER_PASSWORD",
        },
        ctx,
    )?;
    let entitlements = ctx.opt_path("signing.apple.entitlements", raw.entitlements.as_deref())?;
    let timestamp_urls = raw
        .timestamp_urls
        .unwrap_or_else(|| vec![APPLE_TIMESTAMP_URL.to_owned()]);
    check_timestamp_urls(&timestamp_urls).map_err(|m| err("timestamp-urls", &m))?;
    let notarize = match raw.notarize {
        None => None,
        Some(n) => {
            if application.is_none() {
                return Err(err(
                    "notarize",
                    "notarization needs a Developer ID Application identity: set \
                     `application-pfx` or `application-key`",
                ));
            }
            if timestamp_urls.is_empty() {
                return Err(err(
                    "timestamp-urls",
                    "Apple notarizes only timestamped signatures; remove `timestamp-urls = []`",
                ));
            }
            Some(validate_notarize(n, ctx)?)
        }
    };
    Ok(AppleSigning {
        application,
        installer,
        entitlements,
        timestamp_urls,
        notarize,
    })
}

fn validate_notarize(n: RawNotarize, ctx: Ctx<'_>) -> Result<Notarize, Error> {
    let key = match (n.key_env, n.key_file) {
        (Some(name), None) => NotaryKey::Env {
            name: check_var_name("signing.apple.notarize.key-env", name, ctx)?,
        },
        (None, Some(path)) => NotaryKey::File {
            path: ctx.key_path("signing.apple.notarize.key-file", &path)?,
        },
        _ => {
            return Err(ctx.err(
                "signing.apple.notarize.key-env",
                "give exactly one of `key-env` (a variable holding the .p8 text) or `key-file`",
            ));
        }
    };
    Ok(Notarize {
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
