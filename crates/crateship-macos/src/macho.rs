//! Mach-O inspection and the universal ("fat") binary writer.
//!
//! [`merge_universal`] writes what `lipo -create` writes for an x86_64 and an
//! arm64 executable: a big-endian fat header, one `fat_arch` record per slice
//! (x86_64 first, then arm64) and each slice at an offset aligned to 2^14 bytes
//! (the arm64 page size, which `lipo` also uses for x86_64 today), zero padding
//! between. Slices are copied verbatim, so their own (linker) signatures stay valid.

use crate::MacosError;

/// `CPU_TYPE_X86_64`.
pub const CPU_TYPE_X86_64: u32 = 0x0100_0007;
/// `CPU_TYPE_ARM64`.
pub const CPU_TYPE_ARM64: u32 = 0x0100_000c;
const MH_MAGIC_64: u32 = 0xfeed_facf;
const FAT_MAGIC: u32 = 0xcafe_babe;
const FAT_CIGAM: u32 = 0xbeba_feca;
const SLICE_ALIGN_LOG2: u32 = 14;
const LC_BUILD_VERSION: u32 = 0x32;
const LC_VERSION_MIN_MACOSX: u32 = 0x24;
const PLATFORM_MACOS: u32 = 1;

/// The CPU of a thin Mach-O file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MachArch {
    /// Intel 64-bit.
    X86_64,
    /// Apple silicon.
    Arm64,
    /// Another 64-bit CPU type (raw `cputype`).
    Other(u32),
}

impl MachArch {
    fn from_cputype(cputype: u32) -> Self {
        match cputype {
            CPU_TYPE_X86_64 => Self::X86_64,
            CPU_TYPE_ARM64 => Self::Arm64,
            other => Self::Other(other),
        }
    }
}

impl std::fmt::Display for MachArch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::X86_64 => f.write_str("x86_64"),
            Self::Arm64 => f.write_str("arm64"),
            Self::Other(t) => write!(f, "cputype {t:#x}"),
        }
    }
}

/// What kind of Mach-O a file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MachKind {
    /// A single-architecture 64-bit little-endian Mach-O.
    Thin(MachArch),
    /// A universal binary with these slices.
    Universal(Vec<MachArch>),
}

fn u32_le(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u32_be(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Identifies `bytes` (at least the first 4 KiB of a file) as a thin or universal
/// Mach-O, or says what it is instead (`what` names the input in the error).
pub fn macho_kind(bytes: &[u8], what: &str) -> Result<MachKind, MacosError> {
    let err = |reason: String| MacosError::MachO {
        what: what.to_owned(),
        reason,
    };
    match (u32_le(bytes, 0), u32_be(bytes, 0)) {
        (Some(MH_MAGIC_64), _) => {
            let cputype = u32_le(bytes, 4).ok_or_else(|| err("truncated Mach-O header".into()))?;
            Ok(MachKind::Thin(MachArch::from_cputype(cputype)))
        }
        (_, Some(FAT_MAGIC)) => {
            let n = u32_be(bytes, 4).ok_or_else(|| err("truncated fat header".into()))?;
            // Java class files share the magic; they have a version >= 45 here.
            if n == 0 || n > 30 {
                return Err(err(format!("fat header claims {n} slices")));
            }
            (0..n as usize)
                .map(|i| {
                    u32_be(bytes, 8 + 20 * i)
                        .map(MachArch::from_cputype)
                        .ok_or_else(|| err("truncated fat header".into()))
                })
                .collect::<Result<_, _>>()
                .map(MachKind::Universal)
        }
        (Some(0xfeed_face), _) | (Some(0xcefa_edfe), _) | (_, Some(FAT_CIGAM)) => Err(err(
            "it is a 32-bit or big-endian Mach-O; build for x86_64-apple-darwin or aarch64-apple-darwin"
                .into(),
        )),
        _ => Err(err(format!(
            "it is not a Mach-O file ({}); build it for an *-apple-darwin target",
            describe_magic(bytes)
        ))),
    }
}

fn describe_magic(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"\x7fELF") {
        "an ELF file, i.e. a Linux binary"
    } else if bytes.starts_with(b"MZ") {
        "a PE file, i.e. a Windows binary"
    } else if bytes.starts_with(b"#!") {
        "a script"
    } else if bytes.len() < 4 {
        "shorter than a Mach-O header"
    } else {
        "unknown magic"
    }
}

fn thin(bytes: &[u8], expect: MachArch, what: &str) -> Result<(u32, u32), MacosError> {
    match macho_kind(bytes, what)? {
        MachKind::Thin(arch) if arch == expect => {
            let cputype = u32_le(bytes, 4).unwrap_or_default();
            let subtype = u32_le(bytes, 8).ok_or_else(|| MacosError::MachO {
                what: what.to_owned(),
                reason: "truncated Mach-O header".into(),
            })?;
            Ok((cputype, subtype))
        }
        MachKind::Thin(arch) => Err(MacosError::MachO {
            what: what.to_owned(),
            reason: format!(
                "it is a {arch} Mach-O, expected {expect}; pass the binaries in the right order"
            ),
        }),
        MachKind::Universal(_) => Err(MacosError::MachO {
            what: what.to_owned(),
            reason: "it is already a universal binary; pass the thin per-target binaries".into(),
        }),
    }
}

/// Merges a thin x86_64 and a thin arm64 Mach-O into one universal binary.
///
/// Errors name the input that is not a thin Mach-O of the expected CPU, or a
/// result that would not fit 32-bit fat offsets (over 4 GiB).
pub fn merge_universal(x86_64: &[u8], arm64: &[u8]) -> Result<Vec<u8>, MacosError> {
    let (xc, xs) = thin(x86_64, MachArch::X86_64, "x86_64 binary")?;
    let (ac, asub) = thin(arm64, MachArch::Arm64, "arm64 binary")?;
    build_fat(&[
        (xc, xs, SLICE_ALIGN_LOG2, x86_64),
        (ac, asub, SLICE_ALIGN_LOG2, arm64),
    ])
    .map_err(|reason| MacosError::MachO {
        what: "universal binary".into(),
        reason,
    })
}

/// Lays out a fat binary: header, `fat_arch` records (cputype, cpusubtype,
/// offset, size, align), each slice at a `2^align` boundary, zero padding.
pub(crate) fn build_fat<D: AsRef<[u8]>>(slices: &[(u32, u32, u32, D)]) -> Result<Vec<u8>, String> {
    let header_len = 8 + 20 * slices.len() as u64;
    let mut offset = header_len;
    let mut records = Vec::new();
    for (cputype, subtype, align, data) in slices {
        let data = data.as_ref();
        if *align > 20 {
            return Err(format!("slice alignment 2^{align} is implausible"));
        }
        let a = 1u64 << align;
        offset = offset.div_ceil(a) * a;
        let size = data.len() as u64;
        let (Ok(off32), Ok(size32)) = (u32::try_from(offset), u32::try_from(size)) else {
            return Err("the slices exceed the 4 GiB that 32-bit fat offsets can address".into());
        };
        records.push((*cputype, *subtype, off32, size32, *align, data));
        offset += size;
    }
    let mut out = Vec::with_capacity(offset as usize);
    out.extend_from_slice(&FAT_MAGIC.to_be_bytes());
    out.extend_from_slice(&(records.len() as u32).to_be_bytes());
    for (cputype, subtype, off, size, align, _) in &records {
        for v in [*cputype, *subtype, *off, *size, *align] {
            out.extend_from_slice(&v.to_be_bytes());
        }
    }
    for (_, _, off, _, _, data) in records {
        out.resize(off as usize, 0);
        out.extend_from_slice(data);
    }
    Ok(out)
}

/// The minimum macOS version (`minos` of `LC_BUILD_VERSION`, or
/// `LC_VERSION_MIN_MACOSX`) of a thin 64-bit Mach-O, as `X.Y` or `X.Y.Z`.
pub fn macho_min_os(bytes: &[u8]) -> Option<String> {
    if u32_le(bytes, 0)? != MH_MAGIC_64 {
        return None;
    }
    let ncmds = u32_le(bytes, 16)?;
    let mut at = 32usize;
    for _ in 0..ncmds {
        let cmd = u32_le(bytes, at)?;
        let size = u32_le(bytes, at + 4)? as usize;
        let version = match cmd {
            LC_BUILD_VERSION if u32_le(bytes, at + 8)? == PLATFORM_MACOS => u32_le(bytes, at + 12),
            LC_VERSION_MIN_MACOSX => u32_le(bytes, at + 8),
            _ => None,
        };
        if let Some(v) = version {
            let (major, minor, patch) = (v >> 16, (v >> 8) & 0xff, v & 0xff);
            return Some(if patch == 0 {
                format!("{major}.{minor}")
            } else {
                format!("{major}.{minor}.{patch}")
            });
        }
        if size < 8 {
            return None;
        }
        at = at.checked_add(size)?;
    }
    None
}

/// The thin slices of a Mach-O file: itself if thin, each `fat_arch` slice if
/// universal, nothing if it is not a (64-bit little-endian) Mach-O.
pub fn macho_slices(bytes: &[u8]) -> Vec<&[u8]> {
    match u32_be(bytes, 0) {
        Some(FAT_MAGIC) => {
            let n = u32_be(bytes, 4).unwrap_or(0).min(30) as usize;
            (0..n)
                .filter_map(|i| {
                    let off = u32_be(bytes, 8 + 20 * i + 8)? as usize;
                    let size = u32_be(bytes, 8 + 20 * i + 12)? as usize;
                    bytes.get(off..off.checked_add(size)?)
                })
                .collect()
        }
        _ if u32_le(bytes, 0) == Some(MH_MAGIC_64) => vec![bytes],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thin_macho(cputype: u32) -> Vec<u8> {
        let mut b = Vec::new();
        for v in [MH_MAGIC_64, cputype, 3, 2, 0, 0, 0, 0] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        b.extend_from_slice(&[0xab; 100]);
        b
    }

    #[test]
    fn fat_layout_matches_lipo() {
        let x = thin_macho(CPU_TYPE_X86_64);
        let a = thin_macho(CPU_TYPE_ARM64);
        let fat = merge_universal(&x, &a).unwrap();
        assert_eq!(&fat[..4], &[0xca, 0xfe, 0xba, 0xbe]);
        assert_eq!(u32_be(&fat, 8 + 8), Some(0x4000));
        assert_eq!(u32_be(&fat, 8 + 16), Some(14));
        assert_eq!(u32_be(&fat, 28 + 8), Some(0x8000));
        assert_eq!(&fat[0x4000..0x4000 + x.len()], &x[..]);
        assert_eq!(&fat[0x8000..], &a[..]);
        assert_eq!(
            macho_kind(&fat, "t").unwrap(),
            MachKind::Universal(vec![MachArch::X86_64, MachArch::Arm64])
        );
    }

    #[test]
    fn wrong_inputs_are_named() {
        let x = thin_macho(CPU_TYPE_X86_64);
        let a = thin_macho(CPU_TYPE_ARM64);
        let e = merge_universal(&a, &x).unwrap_err().to_string();
        assert!(
            e.contains("x86_64 binary") && e.contains("arm64 Mach-O"),
            "{e}"
        );
        let e = merge_universal(b"\x7fELF....", &a).unwrap_err().to_string();
        assert!(e.contains("ELF"), "{e}");
    }
}
