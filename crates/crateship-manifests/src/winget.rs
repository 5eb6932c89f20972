//! The winget channel: the multi-file manifest (schema version
//! [`MANIFEST_VERSION`]) that winget-pkgs takes, for the release's MSIs.
//!
//! * `<Id>.yaml` (version): the identifier, version and default locale;
//! * `<Id>.locale.en-US.yaml` (defaultLocale): publisher, name, licence, description;
//! * `<Id>.installer.yaml` (installer): one `wix` installer per architecture with
//!   its URL, SHA-256, scope and ProductCode, and `AppsAndFeaturesEntries` carrying
//!   the ProductCode and UpgradeCode winget matches installed copies by.
//!
//! Strings that YAML could read as something else (versions, GUIDs) are quoted.

use crate::release::lower_hex;
use crate::spdx::License;
use crate::text::yaml_string;
use crate::{Arch, ArtifactFormat, ChannelFile, ManifestError, MsiScope, Os, Release};

const CHANNEL: &str = "winget";

/// The manifest schema version written (winget-cli `schemas/JSON/manifests/v1.10.0`).
pub const MANIFEST_VERSION: &str = "1.10.0";

/// The three manifest files of `release`'s MSIs.
pub fn winget(release: &Release) -> Result<Vec<ChannelFile>, ManifestError> {
    release.check_common(CHANNEL)?;
    let id = package_identifier(release)?;
    let license = License::parse(&release.license)?.expression();
    check_length("summary", &release.summary, 3, 256)?;
    check_length("product name", &release.product_name, 2, 256)?;
    check_length("maintainer", release.publisher(), 2, 256)?;
    let mut installers = String::new();
    for (arch, name) in [
        (Arch::X86_64, "x64"),
        (Arch::Aarch64, "arm64"),
        (Arch::X86, "x86"),
    ] {
        let Some(msi) = release.find(CHANNEL, Os::Windows, arch, None, &ArtifactFormat::Msi)?
        else {
            continue;
        };
        let facts = msi.msi.as_ref().ok_or_else(|| {
            ManifestError::invalid(
                Some(CHANNEL),
                "MSI facts",
                &msi.file_name,
                "pass the MSI's ProductCode, UpgradeCode and scope (crateship_windows::msi_codes gives them)",
            )
        })?;
        for (field, code) in [
            ("ProductCode", &facts.product_code),
            ("UpgradeCode", &facts.upgrade_code),
        ] {
            check_guid(field, code)?;
        }
        let scope = match facts.scope {
            MsiScope::Machine => "machine",
            MsiScope::User => "user",
        };
        let product_code = yaml_string(&facts.product_code);
        installers.push_str(&format!(
            "- Architecture: {name}\n  InstallerUrl: {}\n  InstallerSha256: {}\n  Scope: {scope}\n  ProductCode: {product_code}\n  AppsAndFeaturesEntries:\n  - DisplayName: {}\n",
            yaml_string(&release.url(msi)?),
            lower_hex(&msi.sha256).to_ascii_uppercase(),
            yaml_string(&release.product_name),
        ));
        if facts.product_version != release.version {
            installers.push_str(&format!(
                "    DisplayVersion: {}\n",
                yaml_string(&facts.product_version)
            ));
        }
        installers.push_str(&format!(
            "    ProductCode: {product_code}\n    UpgradeCode: {}\n",
            yaml_string(&facts.upgrade_code)
        ));
    }
    if installers.is_empty() {
        return Err(ManifestError::MissingArtifact {
            channel: CHANNEL,
            needs: "an MSI".into(),
            fix: "add `msi` to `formats` and a `*-pc-windows-*` target, or remove `winget` from the channels".into(),
        });
    }
    let head = |kind: &str| {
        format!(
            "# yaml-language-server: $schema=https://aka.ms/winget-manifest.{kind}.{MANIFEST_VERSION}.schema.json\n# Written by crateship from the release; regenerate it rather than editing.\n\nPackageIdentifier: {}\nPackageVersion: {}\n",
            yaml_string(&id),
            yaml_string(&release.version)
        )
    };
    let tail = |kind: &str| format!("ManifestType: {kind}\nManifestVersion: {MANIFEST_VERSION}\n");
    let version = format!(
        "{}DefaultLocale: en-US\n{}",
        head("version"),
        tail("version")
    );
    let locale = format!(
        "{}PackageLocale: en-US\nPublisher: {}\nPackageName: {}\nPackageUrl: {}\nLicense: {}\nShortDescription: {}\nMoniker: {}\n{}",
        head("defaultLocale"),
        yaml_string(release.publisher()),
        yaml_string(&release.product_name),
        yaml_string(&release.homepage),
        yaml_string(&license),
        yaml_string(&release.summary),
        yaml_string(&release.name.to_ascii_lowercase()),
        tail("defaultLocale"),
    );
    let installer = format!(
        "{}InstallerType: wix\nUpgradeBehavior: install\nInstallers:\n{installers}{}",
        head("installer"),
        tail("installer"),
    );
    Ok(vec![
        ChannelFile::text(format!("{id}.yaml"), version),
        ChannelFile::text(format!("{id}.locale.en-US.yaml"), locale),
        ChannelFile::text(format!("{id}.installer.yaml"), installer),
    ])
}

/// The configured identifier, or the reverse-DNS identifier without its first label.
fn package_identifier(release: &Release) -> Result<String, ManifestError> {
    let (id, field) = match &release.winget_identifier {
        Some(id) => (id.clone(), "winget identifier"),
        None => (
            release
                .identifier
                .split_once('.')
                .map(|(_, rest)| rest.to_owned())
                .unwrap_or_default(),
            "identifier",
        ),
    };
    let segments: Vec<&str> = id.split('.').collect();
    let ok = (2..=8).contains(&segments.len())
        && id.len() <= 128
        && segments.iter().all(|s| {
            (1..=32).contains(&s.chars().count())
                && !s
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || "\\/:*?\"<>|".contains(c))
        });
    if ok {
        Ok(id)
    } else {
        let value = if field == "identifier" {
            &release.identifier
        } else {
            &id
        };
        Err(ManifestError::invalid(
            Some(CHANNEL),
            field,
            value,
            "a winget PackageIdentifier is 2 to 8 dot-separated parts of 1 to 32 characters (`Publisher.Package`); set `winget-identifier`, or use a reverse-DNS identifier of at least three labels (`org.example.hello` gives `example.hello`)",
        ))
    }
}

fn check_length(field: &str, value: &str, min: usize, max: usize) -> Result<(), ManifestError> {
    let len = value.chars().count();
    if (min..=max).contains(&len) {
        Ok(())
    } else {
        Err(ManifestError::invalid(
            Some(CHANNEL),
            field,
            value,
            format!("winget takes {min} to {max} characters here; it has {len}"),
        ))
    }
}

fn check_guid(field: &str, value: &str) -> Result<(), ManifestError> {
    let inner = value.strip_prefix('{').and_then(|v| v.strip_suffix('}'));
    let ok = inner.is_some_and(|g| {
        g.len() == 36
            && g.char_indices().all(|(i, c)| {
                if matches!(i, 8 | 13 | 18 | 23) {
                    c == '-'
                } else {
                    c.is_ascii_hexdigit()
                }
            })
    });
    if ok {
        Ok(())
    } else {
        Err(ManifestError::invalid(
            Some(CHANNEL),
            field,
            value,
            "give the GUID braced as the MSI's Property table has it, e.g. `{6F1C0A4E-3E1A-4F43-9A51-7B0B1B7B3F10}`",
        ))
    }
}
