//! The `newc` cpio stream an rpm's payload is.

use std::io::Read;

use crate::Visitor;

/// Visits every regular file of the cpio `newc` stream `input`.
pub(crate) fn members(mut input: impl Read, visit: &mut Visitor<'_>) -> std::io::Result<()> {
    let invalid = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
    loop {
        let mut header = [0u8; 110];
        input.read_exact(&mut header)?;
        match &header[..6] {
            b"070701" | b"070702" => {}
            b"07070X" => {
                return Err(invalid(
                    "the payload is a stripped cpio (rpm's large-file form), which is not read"
                        .into(),
                ));
            }
            other => {
                return Err(invalid(format!(
                    "a cpio header starts with {:?}, not the newc magic 070701",
                    String::from_utf8_lossy(other)
                )));
            }
        }
        let field = |index: usize| {
            let text = std::str::from_utf8(&header[6 + index * 8..14 + index * 8]).unwrap_or("");
            u64::from_str_radix(text, 16)
                .map_err(|_| invalid(format!("a cpio header field is not hex: {text:?}")))
        };
        let (mode, size, name_len) = (field(1)?, field(6)?, field(11)?);
        if name_len == 0 || name_len > 4096 {
            return Err(invalid(format!("a cpio name of {name_len} bytes")));
        }
        let mut name = vec![0u8; name_len as usize];
        input.read_exact(&mut name)?;
        skip(&mut input, pad(110 + name_len))?;
        let name = String::from_utf8_lossy(&name[..name.len() - 1]).into_owned();
        if name == "TRAILER!!!" {
            return Ok(());
        }
        let mut data = (&mut input).take(size);
        if mode & 0o170000 == 0o100000 {
            visit(&crate::relative(&name), &mut data)?;
        }
        std::io::copy(&mut data, &mut std::io::sink())?;
        if data.limit() != 0 {
            return Err(invalid(format!("`{name}` ends early (truncated?)")));
        }
        skip(&mut input, pad(size))?;
    }
}

/// Bytes of padding after `len` bytes, to the next multiple of 4.
fn pad(len: u64) -> u64 {
    (4 - len % 4) % 4
}

fn skip(input: &mut impl Read, n: u64) -> std::io::Result<()> {
    let copied = std::io::copy(&mut input.take(n), &mut std::io::sink())?;
    if copied != n {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    Ok(())
}
