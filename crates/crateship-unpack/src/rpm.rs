//! .rpm packages: the header gives the metadata; the payload after it is a
//! compressed cpio stream of every installed file.

use std::io::BufReader;
use std::path::Path;

use crate::{Metadata, UnpackError, Visitor};

/// Visits the installed files of the .rpm at `path`.
/// Without a visitor only the header is read.
pub(crate) fn read(path: &Path, visit: Option<&mut Visitor<'_>>) -> Result<Metadata, UnpackError> {
    let io = UnpackError::io(path);
    let bad = UnpackError::format(path, ".rpm");
    let mut input = BufReader::new(std::fs::File::open(path).map_err(&io)?);
    let package = rpm::PackageMetadata::parse(&mut input).map_err(|e| bad(e.to_string()))?;
    let mut metadata = Metadata::default();
    let header = &package;
    let mut put = |key: &str, value: Result<String, rpm::Error>| {
        if let Ok(value) = value {
            metadata.fields.insert(key.to_owned(), value);
        }
    };
    put("Name", header.get_name().map(str::to_owned));
    put("Epoch", header.get_epoch().map(|e| e.to_string()));
    put("Version", header.get_version().map(str::to_owned));
    put("Release", header.get_release().map(str::to_owned));
    put("Arch", header.get_arch().map(str::to_owned));
    let tags = [
        rpm::IndexSignatureTag::RPMSIGTAG_OPENPGP,
        rpm::IndexSignatureTag::RPMSIGTAG_RSA,
        rpm::IndexSignatureTag::RPMSIGTAG_DSA,
    ];
    if let Some(signature) = tags
        .into_iter()
        .find_map(|tag| package.signature.get_entry_data_as_binary(tag).ok())
    {
        metadata.header_signature = Some(crate::HeaderSignature {
            signature: signature.to_vec(),
            signed: package
                .header_bytes()
                .map_err(|e| bad(format!("its header cannot be re-encoded: {e}")))?,
        });
    }
    let Some(visit) = visit else {
        return Ok(metadata);
    };
    let compressor = header
        .get_payload_compressor()
        .map_err(|e| bad(format!("its payload compressor cannot be read: {e}")))?;
    let payload: Box<dyn std::io::Read> = match compressor {
        rpm::CompressionType::None => Box::new(input),
        rpm::CompressionType::Gzip => Box::new(flate2::read::MultiGzDecoder::new(input)),
        rpm::CompressionType::Xz => Box::new(liblzma::read::XzDecoder::new(input)),
        rpm::CompressionType::Zstd => Box::new(
            ruzstd::decoding::StreamingDecoder::new(input)
                .map_err(|e| bad(format!("its zstd payload cannot be read: {e}")))?,
        ),
        rpm::CompressionType::Bzip2 => {
            return Err(bad("its payload is bzip2, which is not read".into()));
        }
    };
    crate::cpio::members(payload, visit)
        .map_err(|e| bad(format!("its payload cannot be read: {e}")))?;
    Ok(metadata)
}
