//! User templates the plan names (Info.plist, Distribution, PackageInfo,
//! `.desktop`, metainfo): read when the artifact is written, named in errors.

use std::path::Path;

use crateship_template::UserTemplate;

use crate::error::{Error, Result};

/// Reads a user template named in the plan; errors name the file.
pub(crate) fn read(path: Option<&Path>) -> Result<Option<UserTemplate>> {
    let Some(path) = path else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::requirement(
            format!("cannot read the template `{}`: {e}", path.display()),
            "fix the path in [package.metadata.crateship] (it is relative to the package directory)",
        )
    })?;
    Ok(Some(UserTemplate {
        name: path.display().to_string(),
        text,
    }))
}
