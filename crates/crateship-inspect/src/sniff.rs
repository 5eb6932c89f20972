//! The first look at a file: its first 4 KiB say whether it is an ELF, PE or
//! Mach-O binary (then, and only then, the whole file is read) or what else it
//! is — empty, a `#!` script, text, a known non-program format, or unknown bytes.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::InspectError;

/// How many bytes decide what a file is.
const HEAD_LEN: u64 = 4096;

/// A binary container format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Elf,
    Pe,
    MachO,
}

impl Format {
    /// The name used in messages ("a damaged ELF file").
    pub(crate) fn name(self) -> &'static str {
        match self {
            Format::Elf => "ELF",
            Format::Pe => "PE",
            Format::MachO => "Mach-O",
        }
    }
}

/// A file that is no binary, and what it is instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NotAProgram {
    Empty,
    /// A `#!` script; the rest of its first line (`/usr/bin/env python3`).
    Script {
        interpreter: String,
    },
    /// Anything else, as a noun phrase ("a zip archive").
    Other {
        description: String,
    },
}

/// What [`read`] found.
pub(crate) enum Content {
    /// A binary of `Format`; every byte of the file.
    Binary(Format, Vec<u8>),
    NotAProgram(NotAProgram),
}

/// Reads the head of `path`, and all of it when the head is a binary's.
///
/// The parsers need random access to headers spread over the file (ELF
/// section headers sit at its end, PE debug records anywhere), so a binary is
/// read whole; anything else is judged by its first 4 KiB alone.
pub(crate) fn read(path: &Path) -> Result<Content, InspectError> {
    let read_error = |source| InspectError::Read {
        path: path.to_owned(),
        source,
    };
    let mut file = File::open(path).map_err(read_error)?;
    let mut bytes = Vec::new();
    (&mut file)
        .take(HEAD_LEN)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    match classify(&bytes) {
        Ok(format) => {
            let len = file.metadata().map_err(read_error)?.len();
            bytes.reserve(
                usize::try_from(len)
                    .unwrap_or(0)
                    .saturating_sub(bytes.len()),
            );
            file.read_to_end(&mut bytes).map_err(read_error)?;
            Ok(Content::Binary(format, bytes))
        }
        Err(not) => Ok(Content::NotAProgram(not)),
    }
}

/// Decides from the first bytes of a file what it is.
pub(crate) fn classify(head: &[u8]) -> Result<Format, NotAProgram> {
    const THIN_MACHO: [[u8; 4]; 4] = [
        [0xfe, 0xed, 0xfa, 0xce],
        [0xfe, 0xed, 0xfa, 0xcf],
        [0xce, 0xfa, 0xed, 0xfe],
        [0xcf, 0xfa, 0xed, 0xfe],
    ];
    if head.is_empty() {
        return Err(NotAProgram::Empty);
    }
    if head.starts_with(b"\x7fELF") {
        return Ok(Format::Elf);
    }
    if head.starts_with(b"MZ") {
        return Ok(Format::Pe);
    }
    if head.len() >= 4 && THIN_MACHO.iter().any(|m| head.starts_with(m)) {
        return Ok(Format::MachO);
    }
    if head.starts_with(&[0xca, 0xfe, 0xba, 0xbe]) && head.len() >= 8 {
        // Java class files share the magic; their next word (minor, major
        // version >= 45) is far above any real count of fat slices.
        let count = u32::from_be_bytes([head[4], head[5], head[6], head[7]]);
        if count < 45 {
            return Ok(Format::MachO);
        }
        return Err(other("a Java class file"));
    }
    if let Some(line) = head.strip_prefix(b"#!") {
        return Err(NotAProgram::Script {
            interpreter: shebang(line),
        });
    }
    Err(NotAProgram::Other {
        description: describe_other(head),
    })
}

fn other(description: &str) -> NotAProgram {
    NotAProgram::Other {
        description: description.to_owned(),
    }
}

/// The interpreter command of a `#!` line, bounded and printable.
fn shebang(after_magic: &[u8]) -> String {
    let line = after_magic
        .split(|&b| b == b'\n')
        .next()
        .unwrap_or_default();
    let text = String::from_utf8_lossy(line);
    let text = text.trim();
    let shown: String = text.chars().take(120).collect();
    if shown.len() < text.len() {
        format!("{shown}…")
    } else {
        shown
    }
}

/// A noun phrase for a file that is not a binary.
fn describe_other(head: &[u8]) -> String {
    const MAGICS: &[(&[u8], &str)] = &[
        (b"PK\x03\x04", "a zip archive"),
        (b"\x1f\x8b", "a gzip file"),
        (b"\xfd7zXZ\x00", "an xz file"),
        (b"\x28\xb5\x2f\xfd", "a zstd file"),
        (b"BZh", "a bzip2 file"),
        (b"!<arch>\n", "an ar archive (a static library or a .deb)"),
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\0asm", "a WebAssembly module"),
        (b"%PDF", "a PDF document"),
        (b"hsqs", "a squashfs image"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            "a compound file (an MSI installer or an old Office document)",
        ),
    ];
    if let Some((_, name)) = MAGICS.iter().find(|(magic, _)| head.starts_with(magic)) {
        return (*name).to_owned();
    }
    if let Some(text) = as_text(head) {
        let first_line = text.lines().next().unwrap_or_default().trim();
        let shown: String = first_line.chars().take(40).collect();
        return format!("a text file starting {shown:?}");
    }
    let hex: Vec<String> = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("unrecognised data (first bytes {})", hex.join(" "))
}

/// `head` as text when it is UTF-8 (a character cut at the end is fine)
/// without control characters other than tab, newline, carriage return, form feed.
fn as_text(head: &[u8]) -> Option<&str> {
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    let printable = text
        .chars()
        .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\x0c'));
    printable.then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn described(head: &[u8]) -> String {
        match classify(head) {
            Err(NotAProgram::Other { description }) => description,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn binaries_are_told_apart_by_their_magic() {
        assert_eq!(classify(b"\x7fELF\x02\x01"), Ok(Format::Elf));
        assert_eq!(classify(b"MZ\x90\x00"), Ok(Format::Pe));
        assert_eq!(
            classify(&[0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]),
            Ok(Format::MachO)
        );
        assert_eq!(
            classify(&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2]),
            Ok(Format::MachO)
        );
    }

    #[test]
    fn a_java_class_is_not_a_fat_macho() {
        assert_eq!(
            described(&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52]),
            "a Java class file"
        );
    }

    #[test]
    fn scripts_name_their_interpreter() {
        assert_eq!(
            classify(b"#!/usr/bin/env python3\nprint(1)\n"),
            Err(NotAProgram::Script {
                interpreter: "/usr/bin/env python3".into()
            })
        );
        assert_eq!(classify(b""), Err(NotAProgram::Empty));
    }

    #[test]
    fn other_files_are_named_or_shown_by_their_first_bytes() {
        assert_eq!(described(b"PK\x03\x04rest"), "a zip archive");
        assert_eq!(
            described(b"hello world\nmore"),
            "a text file starting \"hello world\""
        );
        assert_eq!(
            described(&[0x3f, 0x2a, 0x99, 0x10, 0x00, 0xff, 0x01, 0x02, 0x03]),
            "unrecognised data (first bytes 3f 2a 99 10 00 ff 01 02)"
        );
        // A multi-byte character cut by the 4 KiB head is still text.
        let cut = "grüß".as_bytes().split_last().unwrap().1;
        assert_eq!(described(cut), "a text file starting \"grü\"");
    }
}
