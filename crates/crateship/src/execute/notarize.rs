//! Notarization of signed macOS artifacts through crateship-sign's notary client
//! (behind the `notarize` cargo feature): submit, wait for Apple's verdict, staple
//! the ticket. Returns the submission id the manifest records.

use std::path::Path;

use crateship_macos::AppSignReport;

use crate::error::{Error, Result};
use crate::plan::Notarize;

/// Credentials and endpoints, loaded before the builds so a missing API key
/// fails the run early.
pub struct NotaryClient {
    #[cfg(feature = "notarize")]
    inner: (
        crateship_sign::notary::NotaryCredentials,
        crateship_sign::notary::NotaryEndpoints,
        crateship_sign::notary::NotarizeOptions,
    ),
}

#[cfg(feature = "notarize")]
impl NotaryClient {
    /// Reads the API key named by `settings` (environment variable or file).
    pub fn load(settings: &Notarize) -> Result<Self> {
        use crate::plan::NotaryKey;
        use crateship_sign::notary::{NotarizeOptions, NotaryCredentials, NotaryEndpoints};
        let creds = match &settings.key {
            NotaryKey::Env { name } => {
                NotaryCredentials::from_env(&settings.key_id, &settings.issuer_id, name)
            }
            NotaryKey::File { path } => {
                NotaryCredentials::from_file(&settings.key_id, &settings.issuer_id, path)
            }
        }
        .map_err(|e| Error::input("signing.apple.notarize: the App Store Connect API key", e))?;
        let endpoints = NotaryEndpoints {
            api_base: settings.api_base.clone(),
            cloudkit_base: settings.cloudkit_base.clone(),
            s3_endpoint_override: settings.s3_endpoint.clone(),
        };
        let options = NotarizeOptions {
            poll_interval: std::time::Duration::from_secs(settings.poll_seconds.max(1)),
            timeout: std::time::Duration::from_secs(settings.timeout_seconds.max(1)),
            ..NotarizeOptions::default()
        };
        Ok(Self {
            inner: (creds, endpoints, options),
        })
    }

    /// Notarizes a signed `.app` (uploaded as a zip made in `staging`) and
    /// staples its ticket into the bundle.
    pub fn notarize_app(
        &self,
        app_dir: &Path,
        report: &AppSignReport,
        staging: &Path,
    ) -> Result<String> {
        use crateship_archive::{ArchiveKind, ArchiveSpec};
        use crateship_sign::notary;
        let (creds, endpoints, options) = &self.inner;
        let cdhash = report.cdhashes.first().ok_or_else(|| {
            Error::requirement(
                format!(
                    "cannot notarize {}: its signature has no code directory",
                    app_dir.display()
                ),
                "sign the bundle with a Developer ID Application identity",
            )
        })?;
        let root = app_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let zip = staging.join("notarize.zip");
        let spec =
            ArchiveSpec::from_dir(app_dir, &root, 0).map_err(|e| Error::artifact(&zip, e))?;
        crateship_archive::write_file(ArchiveKind::Zip, &spec, &zip)
            .map_err(|e| Error::artifact(&zip, e))?;
        let submitted = notary::notarize(&zip, creds, endpoints, options).map_err(fail(app_dir));
        let _ = std::fs::remove_file(&zip);
        let submitted = submitted?;
        let ticket =
            notary::fetch_ticket(&cdhash[..20], endpoints, options).map_err(fail(app_dir))?;
        notary::staple_app(app_dir, &ticket).map_err(fail(app_dir))?;
        Ok(submitted.submission_id)
    }

    /// Notarizes a signed `.pkg` and staples its ticket to it.
    pub fn notarize_pkg(&self, pkg: &Path) -> Result<String> {
        use crateship_sign::notary;
        let (creds, endpoints, options) = &self.inner;
        let submitted = notary::notarize(pkg, creds, endpoints, options).map_err(fail(pkg))?;
        let ticket = notary::fetch_pkg_ticket(pkg, endpoints, options).map_err(fail(pkg))?;
        notary::staple_pkg(pkg, &ticket).map_err(fail(pkg))?;
        Ok(submitted.submission_id)
    }
}

#[cfg(feature = "notarize")]
fn fail(path: &Path) -> impl Fn(crateship_sign::notary::NotaryError) -> Error + '_ {
    move |e| Error::input(format!("cannot notarize {}", path.display()), e)
}

#[cfg(not(feature = "notarize"))]
impl NotaryClient {
    /// Without the `notarize` feature, a configured notarization is an error.
    pub fn load(_settings: &Notarize) -> Result<Self> {
        Err(not_built_in())
    }

    /// Unreachable without the feature: [`NotaryClient::load`] fails.
    pub fn notarize_app(&self, _: &Path, _: &AppSignReport, _: &Path) -> Result<String> {
        Err(not_built_in())
    }

    /// Unreachable without the feature: [`NotaryClient::load`] fails.
    pub fn notarize_pkg(&self, _: &Path) -> Result<String> {
        Err(not_built_in())
    }
}

#[cfg(not(feature = "notarize"))]
fn not_built_in() -> Error {
    Error::requirement(
        "signing.apple.notarize is set but this crateship was built without the `notarize` feature",
        "build it with `--features notarize` (the crateship CLI has it) or remove `signing.apple.notarize`",
    )
}
