//! The sign step: Authenticode for Windows exes (before they are packaged) and MSIs
//! (after) through the configured backend (native, osslsigncode, signtool or a
//! command); OpenPGP signatures inside .rpm packages and AppImages; detached `.asc` /
//! `.minisig` signatures for artifacts and for `SHA256SUMS`. `crateship sign` uses the
//! same [`Signers`] on existing files, choosing by extension.
//!
//! Keys and passwords are read here, at execution, from the files and environment
//! variables the plan names; they never reach a log, an error, the plan or the
//! manifest. Signatures made here carry `SOURCE_DATE_EPOCH` as their time (OpenPGP,
//! minisign), so re-running a release gives the same bytes.

use std::fmt;
use std::path::{Path, PathBuf};

use crateship_sign::{
    AuthenticodeOptions, CommandSigner, KeySource, NativeSigner, OsslsigncodeSigner, PgpKey,
    Secret, SignReport, Signer, SigningKey, SigntoolSigner,
};
use serde::Serialize;

use crate::config::{DetachedKind, Signing, WindowsBackend, WindowsKey};
use crate::error::{Error, Result};
use crate::format::Format;
use crate::manifest::Signature;

/// A minisign secret key and its password, kept out of `Debug`.
struct MinisignKey {
    secret: Secret,
    password: Option<Secret>,
}

impl fmt::Debug for MinisignKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MinisignKey(<redacted>)")
    }
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
}

impl fmt::Debug for Signers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signers")
            .field("authenticode", &self.authenticode.is_some())
            .field("pgp", &self.pgp)
            .field("minisign", &self.minisign.is_some())
            .finish_non_exhaustive()
    }
}

/// What signing did to one artifact.
#[derive(Debug, Default)]
pub struct ArtifactSigning {
    /// The embedded signature (Authenticode, rpm, AppImage), else the first detached
    /// one; what the manifest records.
    pub signature: Option<Signature>,
    /// Detached signature files written beside the artifact.
    pub detached: Vec<PathBuf>,
    /// Things to show the user.
    pub warnings: Vec<String>,
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

fn env_secret(var: &str, key: &str, what: &str) -> Result<String> {
    std::env::var(var).map_err(|_| {
        Error::Usage(format!(
            "signing.{key} names `{var}`, which is not set; export {what} in it"
        ))
    })
}

/// crateship-sign's errors never contain secrets; keep their text.
fn sign_error(e: crateship_sign::SignError) -> Error {
    Error::Command(format!("signing: {e}"))
}

impl Signers {
    /// Loads every key `signing` names (reading the secrets from the environment) and
    /// checks them, so a wrong password fails before any build. `source_date_epoch`
    /// becomes the time of OpenPGP and minisign signatures.
    pub fn load(signing: Option<&Signing>, source_date_epoch: i64) -> Result<Signers> {
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
                Some(PgpKey::from_armored(&key, &passphrase).map_err(sign_error)?)
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
                };
                // Unlock once now: a wrong password fails before any build.
                minisign(&key, &b""[..], "check")?;
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
        })
    }

    /// Whether Windows files get Authenticode signatures.
    pub fn has_authenticode(&self) -> bool {
        self.authenticode.is_some()
    }

    /// Signs a PE file in place when an Authenticode backend is configured; returns
    /// the warnings to show.
    pub fn sign_exe(&self, path: &Path) -> Result<Vec<String>> {
        match &self.authenticode {
            Some(signer) => Ok(signer.sign(path, path).map_err(sign_error)?.warnings),
            None => Ok(Vec::new()),
        }
    }

    /// Signs a finished artifact of `format` as configured: MSIs with Authenticode,
    /// .rpm inside (`sign-rpm`), AppImages embedded (`sign-appimage`), then the
    /// `detached` signatures beside it.
    pub fn sign_artifact(&self, format: Format, path: &Path) -> Result<ArtifactSigning> {
        let mut out = ArtifactSigning::default();
        let embedded = match format {
            Format::Msi if self.authenticode.is_some() => Some(self.authenticode(path)?),
            Format::Rpm if self.sign_rpm => Some(self.rpm(path)?),
            Format::AppImage if self.sign_appimage => Some(self.appimage(path)?),
            _ => None,
        };
        if let Some(report) = embedded {
            out.warnings.extend(report.warnings.iter().cloned());
            out.signature = Some(signature(&report));
        }
        for kind in &self.detached {
            let (file, report) = self.detached(*kind, path)?;
            out.detached.push(file);
            out.signature.get_or_insert_with(|| signature(&report));
        }
        Ok(out)
    }

    /// Writes `SHA256SUMS.asc` (OpenPGP key) and `SHA256SUMS.minisig` (minisign key)
    /// beside `sums`; returns the files written.
    pub fn sign_checksums(&self, sums: &Path) -> Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        if self.pgp.is_some() {
            written.push(self.detached(DetachedKind::Asc, sums)?.0);
        }
        if self.minisign.is_some() {
            written.push(self.detached(DetachedKind::Minisig, sums)?.0);
        }
        Ok(written)
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
            Error::Usage(format!(
                "cannot sign `{}`: {what} is configured; set {keys} in [package.metadata.crateship.signing]",
                path.display()
            ))
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
                        let (file, report) = self.detached(kind, path)?;
                        Ok(signed_file(path, &report, Some(file)))
                    })
                    .collect()
            }
        }
    }

    fn authenticode(&self, path: &Path) -> Result<SignReport> {
        let signer = self
            .authenticode
            .as_ref()
            .ok_or_else(|| Error::Usage("no Authenticode signer is configured".into()))?;
        signer.sign(path, path).map_err(sign_error)
    }

    fn pgp(&self) -> Result<&PgpKey> {
        self.pgp.as_ref().ok_or_else(|| {
            Error::Usage(
                "signing inside packages needs an OpenPGP key: set signing.pgp-key-env".into(),
            )
        })
    }

    fn rpm(&self, path: &Path) -> Result<SignReport> {
        let key = self.pgp()?;
        crateship_linux::sign_rpm(path, path, self.time, |header, t| {
            key.sign_binary(header, Some(t)).map_err(|e| e.to_string())
        })
        .map_err(|e| Error::Command(format!("signing: {e}")))?;
        Ok(key.report("rpm-openpgp"))
    }

    fn appimage(&self, path: &Path) -> Result<SignReport> {
        let key = self.pgp()?;
        crateship_sign::sign_appimage(path, path, key, Some(self.time)).map_err(sign_error)
    }

    /// Writes `path.asc` or `path.minisig`.
    fn detached(&self, kind: DetachedKind, path: &Path) -> Result<(PathBuf, SignReport)> {
        let open = || std::fs::File::open(path).map_err(|e| Error::io("cannot read", path, e));
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (ext, text, report) = match kind {
            DetachedKind::Asc => {
                let key = self.pgp()?;
                let text = key
                    .sign_armored(open()?, Some(self.time))
                    .map_err(sign_error)?;
                ("asc", text, key.report("openpgp"))
            }
            DetachedKind::Minisig => {
                let key = self.minisign.as_ref().ok_or_else(|| {
                    Error::Usage(
                        "minisign signatures need a key: set signing.minisign-key-env".into(),
                    )
                })?;
                let comment = format!("timestamp:{}\tfile:{name}", self.time);
                let (text, report) = minisign(key, open()?, &comment)?;
                ("minisig", text, report)
            }
        };
        let file = path.with_file_name(format!("{name}.{ext}"));
        crate::atomic::write(&file, text.as_bytes())?;
        Ok((file, report))
    }
}

/// Signs a PE or MSI with a PEM key and chain, natively and without a timestamp
/// (`crateship debug sign`, used by `cargo xtask bench sign`); returns the warnings.
pub fn sign_with_pem(key: &Path, chain: &Path, input: &Path, output: &Path) -> Result<Vec<String>> {
    let source = KeySource::Pem {
        key: key.to_owned(),
        chain: chain.to_owned(),
    };
    let options = AuthenticodeOptions {
        allow_unstamped: true,
        ..AuthenticodeOptions::default()
    };
    let signer = NativeSigner::new(source.load().map_err(sign_error)?, options);
    Ok(signer.sign(input, output).map_err(sign_error)?.warnings)
}

fn minisign(
    key: &MinisignKey,
    data: impl std::io::Read,
    trusted_comment: &str,
) -> Result<(String, SignReport)> {
    crateship_sign::sign_minisign(
        data,
        key.secret.expose(),
        key.password.as_ref().map(Secret::expose),
        Some(trusted_comment),
    )
    .map_err(sign_error)
}

/// The Authenticode signer the plan names, if any.
fn authenticode(signing: &Signing) -> Result<Option<Box<dyn Signer>>> {
    let options = AuthenticodeOptions {
        timestamp_urls: signing.timestamp_urls.clone(),
        allow_unstamped: signing.allow_unstamped || signing.timestamp_urls.is_empty(),
        ..AuthenticodeOptions::default()
    };
    let source = match &signing.windows {
        Some(WindowsKey::Pkcs12 { file, password_env }) => Some(KeySource::Pkcs12 {
            file: PathBuf::from(file),
            password: Secret::new(env_secret(
                password_env,
                "windows-password-env",
                "the .pfx password",
            )?),
        }),
        Some(WindowsKey::Pem { key, chain }) => Some(KeySource::Pem {
            key: PathBuf::from(key),
            chain: PathBuf::from(chain),
        }),
        None => None,
    };
    let signer: Box<dyn Signer> = match (&signing.windows_backend, source) {
        (WindowsBackend::Native, None) => return Ok(None),
        (WindowsBackend::Native, Some(source)) => {
            let key: SigningKey = source.load().map_err(sign_error)?;
            Box::new(NativeSigner::new(key, options))
        }
        (WindowsBackend::Osslsigncode, Some(source)) => {
            Box::new(OsslsigncodeSigner::new(source, options).map_err(sign_error)?)
        }
        (WindowsBackend::Osslsigncode, None) => {
            return Err(Error::Usage(
                "signing.windows-backend = \"osslsigncode\" needs `windows-pfx` or `windows-key`"
                    .into(),
            ));
        }
        (WindowsBackend::Signtool { thumbprint }, _) => {
            Box::new(SigntoolSigner::new(thumbprint, options).map_err(sign_error)?)
        }
        (WindowsBackend::Command { argv }, _) => {
            Box::new(CommandSigner::new(argv.clone(), options).map_err(sign_error)?)
        }
    };
    Ok(Some(signer))
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
