//! The sign step: every key the plan names, loaded once before the builds, and
//! every signature a release carries.
//!
//! * Authenticode for Windows exes (before they are packaged) and MSIs, through
//!   the configured backend (native, osslsigncode, signtool or a command);
//! * OpenPGP signatures inside .rpm packages and AppImages;
//! * Developer ID signatures of `.dmg` (application identity) and `.pkg`
//!   (installer identity, then notarized and stapled); the `.app` itself is
//!   signed by the bundle writer with the same identity;
//! * detached `.asc` / `.minisig` signatures of artifacts and of `SHA256SUMS`.
//!
//! Embedded signatures are applied to the staged file (`sign_embedded`), before
//! it gets its final name. `crateship sign` uses the same [`Signers`] on
//! existing files, choosing by extension. Keys and passwords are read here, at
//! execution, from the files and environment variables the plan names; they
//! never reach a log, an error, the plan or the manifest. OpenPGP and minisign
//! signatures carry `SOURCE_DATE_EPOCH` as their time, so re-running a release
//! gives the same bytes.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crateship_macos::{AppleIdentity, ApplePurpose, DmgSignOptions, PkgSignOptions};
use crateship_sign::{
    AuthenticodeOptions, CommandSigner, NativeSigner, OsslsigncodeSigner, PgpKey, Secret,
    SignReport, Signer, SigningKey, SigntoolSigner,
};
use serde::Serialize;

use super::ArtifactCtx;
use super::notarize::NotaryClient;
use crate::error::{Error, Result};
use crate::format::{Family, LinuxKind, MacosKind};
use crate::manifest::Signature;
use crate::plan::{DetachedKind, KeySource, Material, Plan, Signing, WindowsBackend};

/// How long one timestamp server may take.
pub(crate) const TIMESTAMP_TIMEOUT: Duration = Duration::from_secs(20);

/// A minisign secret key and its password, kept out of `Debug`.
struct MinisignKey {
    secret: Secret,
    password: Option<Secret>,
    /// Where the key came from, for messages (`the environment variable X (…)`).
    origin: String,
    /// Where the password came from.
    password_origin: String,
}

impl fmt::Debug for MinisignKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MinisignKey(<redacted>)")
    }
}

/// Developer ID identities and the notary client, loaded before the builds.
#[derive(Default)]
pub(crate) struct AppleKeys {
    /// Signs the `.app` and the `.dmg`.
    pub application: Option<AppleIdentity>,
    /// Signs the `.pkg`.
    pub installer: Option<AppleIdentity>,
    /// Notarizes and staples the `.app` and the `.pkg`.
    pub notary: Option<NotaryClient>,
    /// RFC 3161 servers for the secure timestamp.
    pub timestamp_urls: Vec<String>,
    /// Entitlements sealed into the app's signature.
    pub entitlements: Option<PathBuf>,
}

/// Every key the plan names, loaded and checked, ready to sign.
pub struct Signers {
    authenticode: Option<Box<dyn Signer>>,
    pgp: Option<PgpKey>,
    minisign: Option<MinisignKey>,
    sign_rpm: bool,
    sign_appimage: bool,
    detached: Vec<DetachedKind>,
    time: u32,
    pub(crate) apple: AppleKeys,
    /// Sparkle's EdDSA key, for appcasts.
    sparkle: Option<crateship_sign::SparkleKey>,
}

impl fmt::Debug for Signers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signers")
            .field("authenticode", &self.authenticode.is_some())
            .field("pgp", &self.pgp)
            .field("minisign", &self.minisign.is_some())
            .field("apple_application", &self.apple.application.is_some())
            .field("apple_installer", &self.apple.installer.is_some())
            .finish_non_exhaustive()
    }
}

/// What signing a staged artifact did.
#[derive(Debug, Default)]
pub(crate) struct Embedded {
    /// The signature now inside the file, if any.
    pub signature: Option<Signature>,
    /// Things to show the user (e.g. no timestamp).
    pub warnings: Vec<String>,
}

/// A detached signature of an artifact, to be written beside it.
#[derive(Debug)]
pub(crate) struct Detached {
    /// `NAME.asc` or `NAME.minisig`.
    pub file_name: String,
    /// The signature file's text.
    pub text: String,
    /// What the manifest records about it.
    pub signature: Signature,
}

/// One signature `crateship sign` made; serialised in its `--json` output.
#[derive(Debug, Clone, Serialize)]
pub struct SignedFile {
    /// The artifact.
    pub path: PathBuf,
    /// `authenticode-pe`, `authenticode-msi`, `rpm-openpgp`, `appimage-openpgp`,
    /// `openpgp` (detached `.asc`) or `minisign` (`.minisig`).
    pub scheme: String,
    /// Certificate subject or OpenPGP user id.
    pub subject: String,
    /// SHA-256 of the certificate, the OpenPGP fingerprint or the minisign key id.
    pub sha256_fingerprint: String,
    /// The RFC 3161 server that timestamped an Authenticode signature.
    pub timestamp_server: Option<String>,
    /// The detached signature file, if the signature is not embedded.
    pub signature_file: Option<PathBuf>,
    /// Things to show the user (e.g. no timestamp).
    pub warnings: Vec<String>,
}

/// The value of the environment variable `var` that `signing.{key}` names.
fn env_secret(var: &str, key: &str, what: &str) -> Result<String> {
    env_secret_in(var, &format!("signing.{key}"), what)
}

/// The value of the environment variable `var` that the setting `key` names.
fn env_secret_in(var: &str, key: &str, what: &str) -> Result<String> {
    std::env::var(var).map_err(|_| {
        Error::requirement(
            format!("{key} names `{var}`, which is not set"),
            format!("export {what} in it"),
        )
    })
}

/// A key that could not be loaded (crateship-sign's errors never contain secrets).
fn key_error(what: &str) -> impl Fn(crateship_sign::SignError) -> Error + '_ {
    move |e| Error::input(format!("cannot load the {what}"), e)
}

/// A signer's failure on `path`.
fn sign_failed(path: &Path) -> impl Fn(crateship_sign::SignError) -> Error + '_ {
    move |e| Error::artifact(path, e)
}

impl Signers {
    /// Loads every key the plan names (reading the secrets from the
    /// environment) and checks them, so a wrong password fails before any build.
    pub fn load(plan: &Plan) -> Result<Signers> {
        let mut signers = Self::load_signing(plan.signing.as_ref(), plan.source_date_epoch)?;
        if let Some(var) = plan
            .updates
            .as_ref()
            .and_then(|u| u.sparkle_key_env.as_ref())
        {
            let exported = Secret::new(env_secret_in(
                var,
                "updates.sparkle-key-env",
                "Sparkle's EdDSA private key (`generate_keys -x` prints it)",
            )?);
            signers.sparkle = Some(
                crateship_sign::SparkleKey::from_exported(&exported, var)
                    .map_err(key_error("Sparkle key in updates.sparkle-key-env"))?,
            );
        }
        Ok(signers)
    }

    /// A DSSE signer over the minisign key's Ed25519 key (key id = minisign's),
    /// when one is configured.
    #[allow(clippy::type_complexity)]
    pub(crate) fn dsse_signer(
        &self,
    ) -> Result<Option<impl FnOnce(&[u8]) -> std::result::Result<(String, Vec<u8>), Error> + use<>>>
    {
        if self.minisign.is_none() {
            return Ok(None);
        }
        let key = self.minisign_key()?;
        Ok(Some(move |message: &[u8]| {
            Ok((
                key.key_id().to_owned(),
                key.sign_raw_ed25519(message).to_vec(),
            ))
        }))
    }

    /// The OpenPGP key package repositories are signed with.
    pub(crate) fn repository_key(&self, channel: &str) -> Result<&PgpKey> {
        self.pgp.as_ref().ok_or_else(|| {
            Error::requirement(
                format!(
                    "the {channel} repository is signed with an OpenPGP key, and none is loaded"
                ),
                "set signing.pgp-key-env",
            )
        })
    }

    /// The public keys `SHA256SUMS`' signatures are checked with, for `install.sh`:
    /// the minisign key line (`RW…`) and the armoured OpenPGP key, of those configured.
    pub(crate) fn checksum_public_keys(&self) -> Result<(Option<String>, Option<String>)> {
        let minisign = match &self.minisign {
            Some(_) => {
                let text = self
                    .minisign_key()?
                    .public_key_text()
                    .map_err(key_error("minisign key"))?;
                text.lines().last().map(str::to_owned)
            }
            None => None,
        };
        let openpgp = self
            .pgp
            .as_ref()
            .map(|k| k.public_key_armored().map_err(key_error("OpenPGP key")))
            .transpose()?;
        Ok((minisign, openpgp))
    }

    /// The Tauri / cargo-packager updater's `pubkey`: base64 of the minisign
    /// public-key file of `signing.minisign-key-env`.
    pub fn updater_public_key(&self) -> Result<String> {
        let key = self.minisign_key()?;
        let text = key.public_key_text().map_err(key_error("minisign key"))?;
        crateship_feeds::tauri::updater_public_key(&text)
            .map_err(|e| Error::input("the minisign public key", e))
    }

    /// Sparkle's `SUPublicEDKey`, when a Sparkle key is configured.
    pub fn sparkle_public_key(&self) -> Option<String> {
        self.sparkle
            .as_ref()
            .map(crateship_sign::SparkleKey::public_key)
    }

    /// The minisign signature text of the file at `path` with `trusted_comment`,
    /// as the updater's `latest.json` carries it.
    pub(crate) fn updater_signature(&self, path: &Path, trusted_comment: &str) -> Result<String> {
        let file = std::fs::File::open(path).map_err(|e| Error::io("cannot read", path, e))?;
        let (text, _) = self
            .minisign_key()?
            .sign(file, Some(trusted_comment))
            .map_err(sign_failed(path))?;
        Ok(text)
    }

    /// Sparkle's `edSignature` of the file at `path`, when a Sparkle key is configured.
    pub(crate) fn sparkle_signature(&self, path: &Path) -> Result<Option<String>> {
        match &self.sparkle {
            Some(key) => Ok(Some(
                key.sign_file(path).map_err(sign_failed(path))?.ed_signature,
            )),
            None => Ok(None),
        }
    }

    fn minisign_key(&self) -> Result<crateship_sign::MinisignSecretKey> {
        let key = self.minisign.as_ref().ok_or_else(|| {
            Error::requirement(
                "update feeds are signed with a minisign key, and none is configured",
                "set signing.minisign-key-env",
            )
        })?;
        unlock(key)
    }

    /// [`Signers::load`] for a signing section alone; `source_date_epoch` becomes
    /// the time of OpenPGP and minisign signatures.
    pub fn load_signing(signing: Option<&Signing>, source_date_epoch: i64) -> Result<Signers> {
        let time = u32::try_from(source_date_epoch.max(0)).unwrap_or(u32::MAX);
        let Some(signing) = signing else {
            return Ok(Signers {
                authenticode: None,
                pgp: None,
                minisign: None,
                sign_rpm: false,
                sign_appimage: false,
                detached: Vec::new(),
                time,
                apple: AppleKeys::default(),
                sparkle: None,
            });
        };
        let pgp = match &signing.pgp_key_env {
            Some(var) => {
                let key = env_secret(var, "pgp-key-env", "the armoured OpenPGP secret key")?;
                let passphrase = signing
                    .pgp_passphrase_env
                    .as_ref()
                    .map(|env| std::env::var(env).unwrap_or_default())
                    .unwrap_or_default();
                Some(
                    PgpKey::from_armored(&key, &passphrase)
                        .map_err(key_error("OpenPGP key in signing.pgp-key-env"))?,
                )
            }
            None => None,
        };
        let minisign = match &signing.minisign_key_env {
            Some(var) => {
                let secret = env_secret(
                    var,
                    "minisign-key-env",
                    "the minisign secret key file's text",
                )?;
                let password = match &signing.minisign_password_env {
                    Some(env) => Some(Secret::new(env_secret(
                        env,
                        "minisign-password-env",
                        "the minisign key's password",
                    )?)),
                    None => None,
                };
                let key = MinisignKey {
                    secret: Secret::new(secret),
                    password,
                    origin: format!("the environment variable {var} (signing.minisign-key-env)"),
                    password_origin: signing
                        .minisign_password_env
                        .as_ref()
                        .map(|v| {
                            format!("the environment variable {v} (signing.minisign-password-env)")
                        })
                        .unwrap_or_default(),
                };
                // Unlock once now: a bad key or a wrong password fails before any build.
                unlock(&key)?;
                Some(key)
            }
            None => None,
        };
        Ok(Signers {
            authenticode: authenticode(signing)?,
            pgp,
            minisign,
            sign_rpm: signing.sign_rpm,
            sign_appimage: signing.sign_appimage,
            detached: signing.detached.clone(),
            time,
            apple: apple_keys(signing)?,
            sparkle: None,
        })
    }

    /// Signs a Windows exe in place when an Authenticode backend is configured;
    /// returns the warnings to show.
    pub fn sign_exe(&self, path: &Path) -> Result<Vec<String>> {
        match &self.authenticode {
            Some(signer) => Ok(signer.sign(path, path).map_err(sign_failed(path))?.warnings),
            None => Ok(Vec::new()),
        }
    }

    /// Applies the embedded signature `ctx.artifact`'s format carries to the
    /// staged file at `staged`: Authenticode on MSIs, OpenPGP inside .rpm
    /// (`sign-rpm`) and AppImages (`sign-appimage`), Developer ID on `.dmg` and
    /// `.pkg` (which is then notarized and stapled).
    pub(crate) fn sign_embedded(&self, ctx: &ArtifactCtx<'_>, staged: &Path) -> Result<Embedded> {
        let report = match ctx.artifact.format.family() {
            Family::Msi => match &self.authenticode {
                Some(_) => self.authenticode(staged)?,
                None => return Ok(Embedded::default()),
            },
            Family::Linux(LinuxKind::Rpm) if self.sign_rpm => self.rpm(staged)?,
            Family::AppImage if self.sign_appimage => self.appimage(staged)?,
            Family::Macos(MacosKind::Dmg) => return self.dmg(ctx, staged),
            Family::Macos(MacosKind::Pkg) => return self.pkg(ctx, staged),
            Family::Linux(LinuxKind::Rpm)
            | Family::AppImage
            | Family::Linux(LinuxKind::Deb)
            | Family::Macos(MacosKind::App)
            | Family::Macos(MacosKind::AppTarGz)
            | Family::Archive(_) => return Ok(Embedded::default()),
        };
        Ok(Embedded {
            signature: Some(signature(&report)),
            warnings: report.warnings,
        })
    }

    /// The configured detached signatures of the file at `path`, to be written
    /// beside it as `NAME.asc` / `NAME.minisig` (`name` is its final file name).
    pub(crate) fn detached(&self, path: &Path, name: &str) -> Result<Vec<Detached>> {
        self.detached
            .iter()
            .map(|&kind| {
                let (ext, text, report) = self.detached_text(kind, path, name)?;
                Ok(Detached {
                    file_name: format!("{name}.{ext}"),
                    text,
                    signature: signature(&report),
                })
            })
            .collect()
    }

    /// Writes `SHA256SUMS.asc` (OpenPGP key) and `SHA256SUMS.minisig` (minisign key)
    /// beside `sums`; returns the files written.
    pub fn sign_checksums(&self, sums: &Path) -> Result<Vec<PathBuf>> {
        let mut kinds = Vec::new();
        if self.pgp.is_some() {
            kinds.push(DetachedKind::Asc);
        }
        if self.minisign.is_some() {
            kinds.push(DetachedKind::Minisig);
        }
        kinds
            .into_iter()
            .map(|kind| self.write_detached(kind, sums).map(|(file, _)| file))
            .collect()
    }

    /// Signs an existing file by its extension: `.exe`/`.dll`/`.msi` with
    /// Authenticode, `.rpm` inside, `.AppImage` embedded, anything else with the
    /// configured detached signatures (default: `.asc` if an OpenPGP key is set,
    /// else `.minisig`).
    pub fn sign_by_extension(&self, path: &Path) -> Result<Vec<SignedFile>> {
        if !path.is_file() {
            return Err(Error::Usage(format!(
                "`{}` is not a file; pass the artifacts to sign",
                path.display()
            )));
        }
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let missing = |what: &str, keys: &str| {
            Error::requirement(
                format!("cannot sign `{}`: {what} is configured", path.display()),
                format!("set {keys} in [package.metadata.crateship.signing]"),
            )
        };
        let embedded = |report: SignReport| vec![signed_file(path, &report, None)];
        match ext.as_str() {
            "exe" | "dll" | "msi" => {
                if self.authenticode.is_none() {
                    return Err(missing(
                        "no Authenticode key or backend",
                        "`windows-pfx` (+ `windows-password-env`), `windows-key` + `windows-chain`, or `windows-backend`",
                    ));
                }
                Ok(embedded(self.authenticode(path)?))
            }
            "rpm" => {
                if self.pgp.is_none() {
                    return Err(missing("no OpenPGP key", "`pgp-key-env`"));
                }
                Ok(embedded(self.rpm(path)?))
            }
            "appimage" => {
                if self.pgp.is_none() {
                    return Err(missing("no OpenPGP key", "`pgp-key-env`"));
                }
                Ok(embedded(self.appimage(path)?))
            }
            _ => {
                let kinds = if !self.detached.is_empty() {
                    self.detached.clone()
                } else if self.pgp.is_some() {
                    vec![DetachedKind::Asc]
                } else if self.minisign.is_some() {
                    vec![DetachedKind::Minisig]
                } else {
                    return Err(missing(
                        "no OpenPGP or minisign key",
                        "`pgp-key-env` or `minisign-key-env`",
                    ));
                };
                kinds
                    .into_iter()
                    .map(|kind| {
                        let (file, report) = self.write_detached(kind, path)?;
                        Ok(signed_file(path, &report, Some(file)))
                    })
                    .collect()
            }
        }
    }

    fn authenticode(&self, path: &Path) -> Result<SignReport> {
        let signer = self.authenticode.as_ref().ok_or_else(|| {
            Error::requirement(
                "no Authenticode signer is configured",
                "set `windows-pfx` or `windows-key` in [package.metadata.crateship.signing]",
            )
        })?;
        signer.sign(path, path).map_err(sign_failed(path))
    }

    fn pgp(&self) -> Result<&PgpKey> {
        self.pgp.as_ref().ok_or_else(|| {
            Error::requirement(
                "signing inside packages needs an OpenPGP key",
                "set signing.pgp-key-env",
            )
        })
    }

    fn rpm(&self, path: &Path) -> Result<SignReport> {
        let key = self.pgp()?;
        crateship_linux::sign_rpm(path, path, self.time, |header, t| {
            key.sign_binary(header, Some(t)).map_err(|e| e.to_string())
        })
        .map_err(|e| Error::artifact(path, e))?;
        Ok(key.report("rpm-openpgp"))
    }

    fn appimage(&self, path: &Path) -> Result<SignReport> {
        let key = self.pgp()?;
        crateship_sign::sign_appimage(path, path, key, Some(self.time)).map_err(sign_failed(path))
    }

    /// Signs the staged `.dmg` with the application identity, if configured.
    fn dmg(&self, ctx: &ArtifactCtx<'_>, staged: &Path) -> Result<Embedded> {
        let Some(identity) = &self.apple.application else {
            return Ok(Embedded::default());
        };
        let name = &ctx.artifact.file_name;
        let report = crateship_macos::sign_dmg(
            staged,
            staged,
            &DmgSignOptions {
                identity: Some(identity),
                // The final name, not the staging one, identifies the image.
                identifier: Some(name.strip_suffix(".dmg").unwrap_or(name).to_owned()),
                signing_time: ctx.plan.source_date_epoch.max(0) as u64,
                timestamp_urls: self.apple.timestamp_urls.clone(),
                timestamp_timeout: TIMESTAMP_TIMEOUT,
            },
        )
        .map_err(|e| ctx.fail(e))?;
        Ok(Embedded {
            signature: Some(apple_signature(identity, report.timestamp_server, None)),
            warnings: Vec::new(),
        })
    }

    /// Signs the staged `.pkg` with the installer identity, if configured, then
    /// notarizes and staples it.
    fn pkg(&self, ctx: &ArtifactCtx<'_>, staged: &Path) -> Result<Embedded> {
        let Some(identity) = &self.apple.installer else {
            return Ok(Embedded::default());
        };
        let report = crateship_macos::sign_pkg(
            staged,
            staged,
            &PkgSignOptions {
                identity,
                signing_time: ctx.plan.source_date_epoch.max(0) as u64,
                timestamp_urls: self.apple.timestamp_urls.clone(),
                timestamp_timeout: TIMESTAMP_TIMEOUT,
            },
        )
        .map_err(|e| ctx.fail(e))?;
        let notarized = match &self.apple.notary {
            Some(client) => Some(client.notarize_pkg(staged)?),
            None => None,
        };
        Ok(Embedded {
            signature: Some(apple_signature(
                identity,
                report.timestamp_server,
                notarized,
            )),
            warnings: Vec::new(),
        })
    }

    /// The text of a detached signature of `path`, named `name` in minisign's
    /// trusted comment.
    fn detached_text(
        &self,
        kind: DetachedKind,
        path: &Path,
        name: &str,
    ) -> Result<(&'static str, String, SignReport)> {
        let open = || std::fs::File::open(path).map_err(|e| Error::io("cannot read", path, e));
        match kind {
            DetachedKind::Asc => {
                let key = self.pgp()?;
                let text = key
                    .sign_armored(open()?, Some(self.time))
                    .map_err(sign_failed(path))?;
                Ok(("asc", text, key.report("openpgp")))
            }
            DetachedKind::Minisig => {
                let key = self.minisign.as_ref().ok_or_else(|| {
                    Error::requirement(
                        "minisign signatures need a key",
                        "set signing.minisign-key-env",
                    )
                })?;
                let comment = format!("timestamp:{}\tfile:{name}", self.time);
                let (text, report) = unlock(key)?
                    .sign(open()?, Some(&comment))
                    .map_err(sign_failed(path))?;
                Ok(("minisig", text, report))
            }
        }
    }

    /// Writes `path.asc` or `path.minisig` beside `path`.
    fn write_detached(&self, kind: DetachedKind, path: &Path) -> Result<(PathBuf, SignReport)> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (ext, text, report) = self.detached_text(kind, path, &name)?;
        let file = path.with_file_name(format!("{name}.{ext}"));
        crateship_support::atomic::write(&file, text.as_bytes())?;
        Ok((file, report))
    }
}

/// The minisign key, unlocked; errors name where the key and password came from.
fn unlock(key: &MinisignKey) -> Result<crateship_sign::MinisignSecretKey> {
    crateship_sign::MinisignSecretKey::load(
        &key.secret,
        &key.origin,
        key.password
            .as_ref()
            .map(|p| (p, key.password_origin.as_str())),
    )
    .map_err(key_error("minisign key"))
}

/// The bytes of a key or certificate: a file's, or a variable's (base64-decoded
/// for PKCS#12, `binary`). `key` names the setting in messages.
fn material(m: &Material, key: &str, binary: bool) -> Result<Vec<u8>> {
    match m {
        Material::File(path) => {
            std::fs::read(path).map_err(|e| Error::io("cannot read the key file", path, e))
        }
        Material::Env(var) => {
            let text = env_secret(var, key, "the key material")?;
            if !binary {
                return Ok(text.into_bytes());
            }
            let compact: String = text.split_whitespace().collect();
            <base64ct::Base64 as base64ct::Encoding>::decode_vec(&compact).map_err(|_| {
                Error::requirement(
                    format!("signing.{key}: `{var}` does not hold base64 (its value is not shown)"),
                    "put the .pfx/.p12 into it base64-encoded, e.g. `base64 -w0 cert.pfx`",
                )
            })
        }
    }
}

/// The Authenticode key a [`KeySource`] names, loaded and checked in-process.
fn signing_key(source: &KeySource) -> Result<SigningKey> {
    let load_error = key_error("Authenticode key (signing.windows-pfx / windows-key)");
    match source {
        KeySource::Pkcs12 { pfx, password_env } => {
            let bytes = material(pfx, "windows-pfx-env", true)?;
            let password = env_secret(password_env, "windows-password-env", "the .pfx password")?;
            SigningKey::from_pkcs12(&bytes, &password).map_err(load_error)
        }
        KeySource::Pem { key, chain } => {
            let key = material(key, "windows-key-env", false)?;
            let chain = material(chain, "windows-chain-env", false)?;
            SigningKey::from_pem(&key, &chain).map_err(load_error)
        }
    }
}

/// The key files a [`KeySource`] names, as the external backends take them
/// (they read files; keys from variables are for the native backend).
fn file_key_source(source: &KeySource) -> Result<crateship_sign::KeySource> {
    let file = |m: &Material| match m {
        Material::File(p) => Ok(p.clone()),
        Material::Env(var) => Err(Error::requirement(
            format!(
                "signing.windows-backend = \"osslsigncode\" reads the key from a file, but it is in `{var}`"
            ),
            "give the key as a file (`windows-pfx` / `windows-key`), or use the native backend",
        )),
    };
    Ok(match source {
        KeySource::Pkcs12 { pfx, password_env } => crateship_sign::KeySource::Pkcs12 {
            file: file(pfx)?,
            password: Secret::new(env_secret(
                password_env,
                "windows-password-env",
                "the .pfx password",
            )?),
        },
        KeySource::Pem { key, chain } => crateship_sign::KeySource::Pem {
            key: file(key)?,
            chain: file(chain)?,
        },
    })
}

/// The Authenticode signer the plan names, if any.
fn authenticode(signing: &Signing) -> Result<Option<Box<dyn Signer>>> {
    let options = AuthenticodeOptions {
        timestamp_urls: signing.timestamp_urls.clone(),
        allow_unstamped: signing.allow_unstamped || signing.timestamp_urls.is_empty(),
        ..AuthenticodeOptions::default()
    };
    let load_error = key_error("Authenticode key (signing.windows-pfx / windows-key)");
    let signer: Box<dyn Signer> = match (&signing.windows_backend, &signing.windows) {
        (WindowsBackend::Native, None) => return Ok(None),
        (WindowsBackend::Native, Some(source)) => {
            Box::new(NativeSigner::new(signing_key(source)?, options))
        }
        (WindowsBackend::Osslsigncode, Some(source)) => Box::new(
            OsslsigncodeSigner::new(file_key_source(source)?, options).map_err(&load_error)?,
        ),
        (WindowsBackend::Osslsigncode, None) => {
            return Err(Error::requirement(
                "signing.windows-backend = \"osslsigncode\" has no key",
                "set `windows-pfx` or `windows-key`",
            ));
        }
        (WindowsBackend::Signtool { thumbprint }, _) => {
            Box::new(SigntoolSigner::new(thumbprint, options).map_err(&load_error)?)
        }
        (WindowsBackend::Command { argv }, _) => {
            Box::new(CommandSigner::new(argv.clone(), options).map_err(&load_error)?)
        }
    };
    Ok(Some(signer))
}

/// The Developer ID identities and notary client the plan names.
fn apple_keys(signing: &Signing) -> Result<AppleKeys> {
    let Some(apple) = &signing.apple else {
        return Ok(AppleKeys::default());
    };
    let load = |source: Option<&KeySource>, purpose: ApplePurpose, role: &str| {
        let Some(source) = source else {
            return Ok(None);
        };
        let what = format!("Developer ID {role} identity (signing.apple.{role}-pfx / -key)");
        let identity = match source {
            KeySource::Pkcs12 { pfx, password_env } => {
                let bytes = material(pfx, &format!("apple.{role}-pfx-env"), true)?;
                let password = env_secret(
                    password_env,
                    &format!("apple.{role}-password-env"),
                    &format!("the password of the {role} .p12"),
                )?;
                AppleIdentity::from_pkcs12(&bytes, &password, purpose)
            }
            KeySource::Pem { key, chain } => AppleIdentity::from_pem(
                &material(key, &format!("apple.{role}-key-env"), false)?,
                &material(chain, &format!("apple.{role}-chain-env"), false)?,
                purpose,
            ),
        };
        identity
            .map(Some)
            .map_err(|e| Error::input(format!("cannot load the {what}"), e))
    };
    Ok(AppleKeys {
        application: load(
            apple.application.as_ref(),
            ApplePurpose::Application,
            "application",
        )?,
        installer: load(
            apple.installer.as_ref(),
            ApplePurpose::Installer,
            "installer",
        )?,
        notary: apple
            .notarize
            .as_ref()
            .map(NotaryClient::load)
            .transpose()?,
        timestamp_urls: apple.timestamp_urls.clone(),
        entitlements: apple.entitlements.clone(),
    })
}

/// What the manifest records about a Developer ID signature.
pub(crate) fn apple_signature(
    identity: &AppleIdentity,
    timestamp_server: Option<String>,
    notarization: Option<String>,
) -> Signature {
    Signature {
        scheme: "apple-developer-id".into(),
        subject: identity.subject().to_owned(),
        sha256_fingerprint: identity.sha256_fingerprint().to_owned(),
        timestamp_server,
        notarization,
    }
}

fn signature(report: &SignReport) -> Signature {
    Signature {
        scheme: report.scheme.clone(),
        subject: report.subject.clone(),
        sha256_fingerprint: report.sha256_fingerprint.clone(),
        timestamp_server: report.timestamp_server.clone(),
        notarization: None,
    }
}

fn signed_file(path: &Path, report: &SignReport, file: Option<PathBuf>) -> SignedFile {
    SignedFile {
        path: path.to_owned(),
        scheme: report.scheme.clone(),
        subject: report.subject.clone(),
        sha256_fingerprint: report.sha256_fingerprint.clone(),
        timestamp_server: report.timestamp_server.clone(),
        signature_file: file,
        warnings: report.warnings.clone(),
    }
}
