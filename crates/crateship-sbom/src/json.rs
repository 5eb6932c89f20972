//! The one JSON layout every document uses: pretty-printed, newline-terminated.

use serde::Serialize;

use crate::SbomError;

/// `value` as pretty-printed JSON with a final newline; `document` names it in errors.
pub(crate) fn pretty(value: &impl Serialize, document: &'static str) -> Result<Vec<u8>, SbomError> {
    let mut bytes = serde_json::to_vec_pretty(value)
        .map_err(|source| SbomError::Serialize { document, source })?;
    bytes.push(b'\n');
    Ok(bytes)
}
