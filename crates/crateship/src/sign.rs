//! The sign step: Authenticode for Windows exes (before they are packaged) and
//! MSIs (after), and an OpenPGP signature of `SHA256SUMS`. Keys and passwords are
//! read here, at execution, from the files and environment variables the plan
//! names; they never reach a log, an error, the plan or the manifest.

use std::path::Path;

use crateship_sign::{AuthenticodeOptions, SignReport, SigningKey};

use crate::config::{Signing, WindowsKey};
use crate::error::{Error, Result};
use crate::manifest::Signature;

/// A loaded Authenticode key with the options to sign with.
pub struct WindowsSigner {
    key: SigningKey,
    options: AuthenticodeOptions,
}

/// Loads the Authenticode key the plan names, if any.
pub fn windows_signer(signing: Option<&Signing>) -> Result<Option<WindowsSigner>> {
    let Some(signing) = signing else {
        return Ok(None);
    };
    let Some(source) = &signing.windows else {
        return Ok(None);
    };
    let read =
        |path: &str| std::fs::read(path).map_err(|e| Error::io("cannot read signing key", path, e));
    let key = match source {
        WindowsKey::Pkcs12 { file, password_env } => {
            let password = std::env::var(password_env).map_err(|_| {
                Error::Usage(format!(
                    "signing.windows-password-env names `{password_env}`, which is not set; export the .pfx password in it"
                ))
            })?;
            SigningKey::from_pkcs12(&read(file)?, &password)
        }
        WindowsKey::Pem { key, chain } => SigningKey::from_pem(&read(key)?, &read(chain)?),
    }
    .map_err(sign_error)?;
    let options = AuthenticodeOptions {
        timestamp_urls: signing.timestamp_urls.clone(),
        allow_unstamped: signing.allow_unstamped || signing.timestamp_urls.is_empty(),
        ..AuthenticodeOptions::default()
    };
    Ok(Some(WindowsSigner { key, options }))
}

impl WindowsSigner {
    /// Signs a PE file in place; returns the warnings to show.
    pub fn sign_exe(&self, path: &Path) -> Result<Vec<String>> {
        let report =
            crateship_sign::sign_pe(path, path, &self.key, &self.options).map_err(sign_error)?;
        Ok(report.warnings)
    }

    /// Signs an MSI in place; returns what the manifest records and the warnings.
    pub fn sign_msi(&self, path: &Path) -> Result<(Signature, Vec<String>)> {
        let report =
            crateship_sign::sign_msi(path, path, &self.key, &self.options).map_err(sign_error)?;
        Ok((signature(&report), report.warnings))
    }
}

/// Writes `SHA256SUMS.asc` beside `sums` when the plan names an OpenPGP key.
pub fn sign_checksums(
    signing: Option<&Signing>,
    sums: &Path,
) -> Result<Option<std::path::PathBuf>> {
    let Some(key_env) = signing.and_then(|s| s.pgp_key_env.as_ref()) else {
        return Ok(None);
    };
    let key = std::env::var(key_env).map_err(|_| {
        Error::Usage(format!("signing.pgp-key-env names `{key_env}`, which is not set; export the armoured secret key in it"))
    })?;
    let passphrase = signing
        .and_then(|s| s.pgp_passphrase_env.as_ref())
        .map(|env| std::env::var(env).unwrap_or_default())
        .unwrap_or_default();
    let data = std::fs::File::open(sums).map_err(|e| Error::io("cannot read", sums, e))?;
    let (armored, _) =
        crateship_sign::sign_detached_pgp(data, &key, &passphrase).map_err(sign_error)?;
    let asc = sums.with_file_name(format!(
        "{}.asc",
        sums.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    crate::atomic::write(&asc, armored.as_bytes())?;
    Ok(Some(asc))
}

fn signature(report: &SignReport) -> Signature {
    Signature {
        scheme: report.scheme.clone(),
        subject: report.subject.clone(),
        sha256_fingerprint: report.sha256_fingerprint.clone(),
        timestamp_server: report.timestamp_server.clone(),
    }
}

/// crateship-sign's errors never contain secrets; keep their text.
fn sign_error(e: crateship_sign::SignError) -> Error {
    Error::Command(format!("signing: {e}"))
}
