//! User templates named in config (Info.plist, Distribution, PackageInfo,
//! `.desktop`, metainfo): read when the bundle is written, named in errors.

use std::path::Path;

use crateship_template::UserTemplate;

use crate::error::{Error, Result};

/// Reads a user template named in config; errors name the file.
pub fn read_template(path: Option<&Path>) -> Result<Option<UserTemplate>> {
    let Some(path) = path else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::Usage(format!(
            "cannot read the template `{}`: {e}; fix the path in [package.metadata.crateship] \
             (it is relative to the package directory)",
            path.display()
        ))
    })?;
    Ok(Some(UserTemplate {
        name: path.display().to_string(),
        text,
    }))
}
