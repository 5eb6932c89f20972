//! The package-manager channels a release carries, as the plan states them: the
//! selected channels, where the release's files and repositories are served,
//! the previous release whose repositories are merged, and the check that every
//! channel's artifact is in the plan.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::TargetPlan;
use crate::config::ChannelsSettings;
use crate::error::{Error, Result};
use crate::format::Format;
use crate::target::Os;

/// What the finalize step writes under `DIST/channels/`.
#[derive(Debug, Clone, Serialize)]
pub struct ChannelsPlan {
    /// The validated settings.
    #[serde(flatten)]
    pub settings: ChannelsSettings,
    /// A previous release's out dir whose repositories are merged
    /// (`--channels-from`), so older versions stay installable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<PathBuf>,
}

impl ChannelsPlan {
    /// The previous release's directory of `channel`, if it has one.
    pub fn previous_dir(&self, channel: &str) -> Option<PathBuf> {
        let dir = self.previous.as_ref()?.join("channels").join(channel);
        dir.is_dir().then_some(dir)
    }
}

/// The channels plan, checked against the planned artifacts.
pub(super) fn plan(
    settings: Option<&ChannelsSettings>,
    targets: &[TargetPlan],
    channels_from: Option<&Path>,
) -> Result<Option<ChannelsPlan>> {
    let Some(settings) = settings else {
        if let Some(dir) = channels_from {
            return Err(Error::Usage(format!(
                "--channels-from {} was given, but no channel is configured; add \
                 [package.metadata.crateship.channels] or drop the flag",
                dir.display()
            )));
        }
        return Ok(None);
    };
    let has = |pred: &dyn Fn(&TargetPlan, Format) -> bool| {
        targets
            .iter()
            .any(|t| t.artifacts.iter().any(|a| pred(t, a.format)))
    };
    let needs: [(bool, &str, bool, &str); 7] = [
        (
            settings.apt.is_some(),
            "apt",
            has(&|_, f| f == Format::Deb),
            "a `deb` (a Linux target with the deb format)",
        ),
        (
            settings.rpm.is_some(),
            "rpm",
            has(&|_, f| f == Format::Rpm),
            "an `rpm` (a Linux target with the rpm format)",
        ),
        (
            settings.aur,
            "aur",
            has(&|t, f| f == Format::TarGz && t.triple.is_gnu_linux()),
            "a Linux gnu `tar.gz`",
        ),
        (
            settings.winget,
            "winget",
            has(&|_, f| f == Format::Msi),
            "an `msi` (a Windows target with the msi format)",
        ),
        (
            settings.scoop,
            "scoop",
            has(&|t, f| f == Format::Zip && t.os == Os::Windows),
            "a Windows `zip`",
        ),
        (
            settings.homebrew,
            "homebrew",
            has(&|t, f| (f == Format::TarGz && t.os != Os::Windows) || f == Format::Dmg),
            "a macOS or Linux `tar.gz`, or a `dmg`",
        ),
        (
            settings.install_sh,
            "install-sh",
            has(&|t, f| f == Format::TarGz && t.os != Os::Windows),
            "a macOS or Linux `tar.gz`",
        ),
    ];
    for (selected, channel, present, what) in needs {
        if selected && !present {
            return Err(Error::requirement(
                format!("the {channel} channel needs {what}, and this release has none"),
                format!(
                    "add the target and format to `targets`/`formats`, or remove `{channel}` \
                     from [package.metadata.crateship.channels]"
                ),
            ));
        }
    }
    if let Some(dir) = channels_from {
        check_previous_release(dir)?;
    }
    Ok(Some(ChannelsPlan {
        settings: settings.clone(),
        previous: channels_from.map(Path::to_path_buf),
    }))
}

/// Refuses a `--channels-from` directory that is not a crateship out dir.
fn check_previous_release(dir: &Path) -> Result<()> {
    let manifest = dir.join(crate::manifest::FILE_NAME);
    let parsed = std::fs::read_to_string(&manifest)
        .ok()
        .and_then(|text| serde_json::from_str::<crate::manifest::DistManifest>(&text).ok());
    if parsed.is_none() {
        return Err(Error::Usage(format!(
            "--channels-from {} is not a crateship release: it has no readable {}; pass the \
             out dir of the previous `crateship dist`",
            dir.display(),
            crate::manifest::FILE_NAME
        )));
    }
    Ok(())
}
