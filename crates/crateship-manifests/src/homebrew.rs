//! The Homebrew channel: a formula (`Formula/<name>.rb`) for the macOS and Linux
//! tar.gz and a cask (`Casks/<token>.rb`) for the `.dmg`, as a tap holds them.
//!
//! The formula picks its `url`/`sha256` with `on_macos`/`on_linux` and
//! `on_arm`/`on_intel` (a universal macOS archive serves both CPUs; on Linux the gnu
//! build, else the musl one), installs the programs with `bin.install`, man pages
//! with `manN.install` and completions under the names each shell looks for, and
//! tests that every program was installed executable. Homebrew enters an archive's
//! single top directory before `install`, so paths are relative to it.
//!
//! The cask picks its `.dmg` per CPU, installs `Product.app`, and `zap`s the
//! application's support, cache, preferences and saved-state paths, named after the
//! identifier.

use crate::release::{check_archive_path, file_name_of, lower_hex, man_section};
use crate::spdx::License;
use crate::text::ruby_string;
use crate::{Arch, ArtifactFormat, ChannelFile, Libc, ManifestError, Os, Release, ReleaseArtifact};

const CHANNEL: &str = "homebrew";

/// The formula and/or the cask, whichever the release has artifacts for; an error
/// when it has neither.
pub fn homebrew(release: &Release) -> Result<Vec<ChannelFile>, ManifestError> {
    let has = |os: Os, format: ArtifactFormat| {
        release
            .artifacts
            .iter()
            .any(|a| a.os == os && a.format == format)
    };
    let mut files = Vec::new();
    if has(Os::Macos, ArtifactFormat::TarGz) || has(Os::Linux, ArtifactFormat::TarGz) {
        files.push(formula(release)?);
    }
    if has(Os::Macos, ArtifactFormat::Dmg) {
        files.push(cask(release)?);
    }
    if files.is_empty() {
        return Err(ManifestError::MissingArtifact {
            channel: CHANNEL,
            needs: "a macOS or Linux tar.gz (for a formula) or a macOS .dmg (for a cask)".into(),
            fix: "add `tar.gz` or `dmg` to `formats` with an `*-apple-darwin` or `*-linux-*` target, or remove `homebrew` from the channels".into(),
        });
    }
    Ok(files)
}

/// `Formula/<name>.rb` for the macOS and Linux tar.gz.
pub fn formula(release: &Release) -> Result<ChannelFile, ManifestError> {
    release.check_common(CHANNEL)?;
    let name = release.name.to_ascii_lowercase();
    let class = class_name(&name);
    let tar_gz = ArtifactFormat::TarGz;
    let mac = |arch| release.find(CHANNEL, Os::Macos, arch, None, &tar_gz);
    let linux = |arch| -> Result<Option<&ReleaseArtifact>, ManifestError> {
        match release.find(CHANNEL, Os::Linux, arch, Some(Libc::Gnu), &tar_gz)? {
            Some(gnu) => Ok(Some(gnu)),
            None => release.find(CHANNEL, Os::Linux, arch, Some(Libc::Musl), &tar_gz),
        }
    };
    let universal = mac(Arch::Universal)?;
    let mac_arm = mac(Arch::Aarch64)?.or(universal);
    let mac_intel = mac(Arch::X86_64)?.or(universal);
    let linux_arm = linux(Arch::Aarch64)?;
    let linux_intel = linux(Arch::X86_64)?;
    if [mac_arm, mac_intel, linux_arm, linux_intel]
        .iter()
        .all(Option::is_none)
    {
        return Err(ManifestError::MissingArtifact {
            channel: CHANNEL,
            needs: "a macOS or Linux tar.gz for x86_64 or aarch64 (for the formula)".into(),
            fix: "add `tar.gz` to `formats` with an `*-apple-darwin` or `*-linux-*` target".into(),
        });
    }

    let mut out = String::new();
    out.push_str("# Written by crateship from the release; regenerate it rather than editing.\n");
    out.push_str(&format!("class {class} < Formula\n"));
    out.push_str(&format!("  desc {}\n", ruby_string(&desc(release))));
    out.push_str(&format!("  homepage {}\n", ruby_string(&release.homepage)));
    out.push_str(&format!("  version {}\n", ruby_string(&release.version)));
    out.push_str(&format!(
        "  license {}\n",
        License::parse(&release.license)?.homebrew()
    ));
    for (block, arm, intel) in [
        ("on_macos", mac_arm, mac_intel),
        ("on_linux", linux_arm, linux_intel),
    ] {
        if arm.is_none() && intel.is_none() {
            continue;
        }
        out.push_str(&format!("\n  {block} do\n"));
        for (cpu, artifact) in [("on_arm", arm), ("on_intel", intel)] {
            if let Some(a) = artifact {
                out.push_str(&format!(
                    "    {cpu} do\n      url {}\n      sha256 {}\n    end\n",
                    ruby_string(&release.url(a)?),
                    ruby_string(&lower_hex(&a.sha256))
                ));
            }
        }
        out.push_str("  end\n");
    }
    out.push_str("\n  def install\n");
    for bin in &release.binaries {
        out.push_str(&format!("    bin.install {}\n", ruby_string(bin)));
    }
    for page in &release.man_pages {
        let section = man_section(CHANNEL, page)?;
        out.push_str(&format!(
            "    man{}.install {}\n",
            &section[..1],
            ruby_string(page)
        ));
    }
    let main = release.main_binary();
    for (kind, path, installed) in [
        (
            "bash_completion",
            &release.completions.bash,
            main.to_owned(),
        ),
        (
            "zsh_completion",
            &release.completions.zsh,
            format!("_{main}"),
        ),
        (
            "fish_completion",
            &release.completions.fish,
            format!("{main}.fish"),
        ),
    ] {
        if let Some(path) = path {
            check_archive_path(CHANNEL, "completion", path)?;
            let line = if file_name_of(path) == installed {
                format!("    {kind}.install {}\n", ruby_string(path))
            } else {
                format!(
                    "    {kind}.install {} => {}\n",
                    ruby_string(path),
                    ruby_string(&installed)
                )
            };
            out.push_str(&line);
        }
    }
    out.push_str("  end\n\n  test do\n");
    for bin in &release.binaries {
        out.push_str(&format!(
            "    assert_predicate bin/{}, :executable?\n",
            ruby_string(bin)
        ));
    }
    out.push_str("  end\nend\n");
    Ok(ChannelFile::text(format!("Formula/{name}.rb"), out))
}

/// `Casks/<token>.rb` for the macOS `.dmg`.
pub fn cask(release: &Release) -> Result<ChannelFile, ManifestError> {
    release.check_common(CHANNEL)?;
    check_identifier(&release.identifier)?;
    let dmg = ArtifactFormat::Dmg;
    let universal = release.find(CHANNEL, Os::Macos, Arch::Universal, None, &dmg)?;
    let arm = release.find(CHANNEL, Os::Macos, Arch::Aarch64, None, &dmg)?;
    let intel = release.find(CHANNEL, Os::Macos, Arch::X86_64, None, &dmg)?;
    let token = cask_token(&release.product_name);
    let mut out = String::new();
    out.push_str("# Written by crateship from the release; regenerate it rather than editing.\n");
    out.push_str(&format!("cask {} do\n", ruby_string(&token)));
    out.push_str(&format!("  version {}\n", ruby_string(&release.version)));
    let stanza = |indent: &str, a: &ReleaseArtifact| -> Result<String, ManifestError> {
        Ok(format!(
            "{indent}sha256 {}\n{indent}url {}\n",
            ruby_string(&lower_hex(&a.sha256)),
            ruby_string(&release.url(a)?)
        ))
    };
    match (arm.or(universal), intel.or(universal)) {
        (Some(a), Some(i)) if a == i => out.push_str(&stanza("  ", a)?),
        (None, None) => {
            return Err(ManifestError::MissingArtifact {
                channel: CHANNEL,
                needs: "a macOS .dmg (for the cask)".into(),
                fix: "add `dmg` to `formats` with an `*-apple-darwin` target".into(),
            });
        }
        (arm, intel) => {
            out.push('\n');
            for (block, artifact) in [("on_arm", arm), ("on_intel", intel)] {
                if let Some(a) = artifact {
                    out.push_str(&format!("  {block} do\n{}  end\n", stanza("    ", a)?));
                }
            }
            if arm.is_none() || intel.is_none() {
                let only = if arm.is_some() { ":arm64" } else { ":x86_64" };
                out.push_str(&format!("\n  depends_on arch: {only}\n"));
            }
        }
    }
    out.push('\n');
    out.push_str(&format!("  name {}\n", ruby_string(&release.product_name)));
    out.push_str(&format!("  desc {}\n", ruby_string(&desc(release))));
    out.push_str(&format!(
        "  homepage {}\n\n",
        ruby_string(&release.homepage)
    ));
    out.push_str(&format!(
        "  app {}\n\n",
        ruby_string(&format!("{}.app", release.product_name))
    ));
    let id = &release.identifier;
    let zap = [
        format!("~/Library/Application Support/{id}"),
        format!("~/Library/Caches/{id}"),
        format!("~/Library/Preferences/{id}.plist"),
        format!("~/Library/Saved Application State/{id}.savedState"),
    ];
    out.push_str("  zap trash: [\n");
    for path in zap {
        out.push_str(&format!("    {},\n", ruby_string(&path)));
    }
    out.push_str("  ]\nend\n");
    Ok(ChannelFile::text(format!("Casks/{token}.rb"), out))
}

/// Homebrew's class name of a formula: `hello-desktop` → `HelloDesktop`.
fn class_name(name: &str) -> String {
    name.split(['-', '_', '.'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// A cask token from the product name: `Hello Desktop` → `hello-desktop`.
fn cask_token(product_name: &str) -> String {
    let mut token = String::new();
    for c in product_name.chars() {
        if c.is_ascii_alphanumeric() {
            token.push(c.to_ascii_lowercase());
        } else if !token.ends_with('-') && !token.is_empty() {
            token.push('-');
        }
    }
    token.trim_end_matches('-').to_owned()
}

/// The summary as `brew audit` wants a `desc`: no trailing period.
fn desc(release: &Release) -> String {
    release.summary.trim().trim_end_matches('.').to_owned()
}

/// The identifier names the zapped paths: a reverse-DNS name with no `/` or `..`.
fn check_identifier(identifier: &str) -> Result<(), ManifestError> {
    let ok = identifier.contains('.')
        && identifier.split('.').all(|label| {
            !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
    if ok {
        Ok(())
    } else {
        Err(ManifestError::invalid(
            Some(CHANNEL),
            "identifier",
            identifier,
            "the cask's zap paths are named after a reverse-DNS identifier such as `org.example.hello`; set `identifier`",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_homebrew() {
        assert_eq!(class_name("hello-desktop"), "HelloDesktop");
        assert_eq!(class_name("fd_find"), "FdFind");
        assert_eq!(cask_token("Hello Desktop"), "hello-desktop");
        assert_eq!(cask_token("Grüße App!"), "gr-e-app");
    }
}
