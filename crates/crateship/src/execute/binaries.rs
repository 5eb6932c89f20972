//! Checking the built binaries before anything packages them: each exists, is
//! for its target's architecture, needs no newer glibc than the ceiling, is a
//! GUI program when `windowed`; and reading what each needs from its host (the
//! glibc floor of ELF binaries, the minimum macOS version of Mach-O binaries).

use std::path::Path;

use crate::error::{Error, Result};
use crate::manifest::Requirements;
use crate::plan::{BuildStep, GlibcVersion, Plan, TargetPlan};
use crate::target::{Arch, Os};

/// Checks that every binary of `target` exists and meets the plan's
/// requirements; returns what they need from the host.
pub(crate) fn check(plan: &Plan, target: &TargetPlan) -> Result<Requirements> {
    let mut reqs = Requirements::default();
    for bin in &target.binaries {
        if !bin.path.is_file() {
            let fix = match &target.build {
                BuildStep::Prebuilt { .. } => {
                    "put the binary there, or drop --no-build to let crateship build it"
                }
                BuildStep::Cargo { .. } | BuildStep::Universal { .. } => {
                    "the build finished without it; check the [[bin]] name"
                }
            };
            return Err(Error::requirement(
                format!(
                    "binary `{}` for {} not found at {}",
                    bin.name,
                    target.triple,
                    bin.path.display()
                ),
                fix,
            ));
        }
        let floor = if target.triple.is_gnu_linux() {
            glibc_floor(&bin.path, target.arch)?
        } else {
            None
        };
        if let (Some(floor), Some(max)) = (floor, plan.max_glibc)
            && floor > max
        {
            return Err(Error::requirement(
                format!(
                    "{} requires glibc >= {floor}, above the configured ceiling linux.max-glibc = \"{max}\"",
                    bin.path.display()
                ),
                format!(
                    "build against an older glibc (cargo zigbuild --target {}.{max}) or raise the ceiling",
                    target.triple
                ),
            ));
        }
        if target.os == Os::Windows && plan.windows.windowed {
            crateship_windows::exe::check_windowed(&bin.path).map_err(|e| {
                Error::input(format!("the Windows binary {}", bin.path.display()), e)
            })?;
        }
        if target.os == Os::Macos {
            reqs.macos = macos_minimum(&bin.path)?;
        }
        if let Some(floor) = floor {
            let current: Option<GlibcVersion> = reqs.glibc.as_deref().and_then(|g| g.parse().ok());
            if current.is_none_or(|c| floor > c) {
                reqs.glibc = Some(floor.to_string());
            }
        }
    }
    Ok(reqs)
}

/// The highest `GLIBC_x.y` symbol version an ELF binary for `arch` requires, or
/// `None` for binaries that need no glibc (static musl). A file that is not a
/// 64-bit ELF for `arch` is an error naming it, found from its header alone.
fn glibc_floor(path: &Path, arch: Arch) -> Result<Option<GlibcVersion>> {
    check_header(path, arch)?;
    let bytes = std::fs::read(path).map_err(|e| Error::io("cannot read", path, e))?;
    glibc_floor_of(&bytes).map_err(|m| {
        Error::requirement(
            format!("cannot read ELF binary {}: {m}", path.display()),
            "give a Linux program built for this target",
        )
    })
}

/// Checks the ELF magic, class and machine without reading the whole file.
fn check_header(path: &Path, arch: Arch) -> Result<()> {
    let mut header = [0u8; 20];
    let mut f = std::fs::File::open(path).map_err(|e| Error::io("cannot read", path, e))?;
    let n =
        std::io::Read::read(&mut f, &mut header).map_err(|e| Error::io("cannot read", path, e))?;
    let machine = u16::from_le_bytes([header[18], header[19]]);
    let expected: u16 = match arch {
        Arch::X86_64 => 62,
        Arch::Aarch64 => 183,
        Arch::Universal => 0, // no ELF is universal: always refused below
    };
    if n < 20 || &header[..4] != b"\x7fELF" {
        return Err(Error::requirement(
            format!("{} is not an ELF executable", path.display()),
            format!("give a Linux binary built for {arch:?}"),
        ));
    }
    if header[4] != 2 || header[5] != 1 || machine != expected {
        return Err(Error::requirement(
            format!(
                "{} is an ELF binary for another architecture (e_machine {machine})",
                path.display()
            ),
            format!("build it for {arch:?}"),
        ));
    }
    Ok(())
}

/// [`glibc_floor`] on bytes already in memory.
fn glibc_floor_of(bytes: &[u8]) -> Result<Option<GlibcVersion>, String> {
    let elf = goblin::elf::Elf::parse(bytes).map_err(|e| e.to_string())?;
    let mut floor: Option<GlibcVersion> = None;
    if let Some(verneed) = &elf.verneed {
        for need in verneed.iter() {
            for aux in need.iter() {
                let Some(name) = elf.dynstrtab.get_at(aux.vna_name) else {
                    continue;
                };
                if let Some(v) = name
                    .strip_prefix("GLIBC_")
                    .and_then(|v| v.parse::<GlibcVersion>().ok())
                {
                    floor = floor.max(Some(v));
                }
            }
        }
    }
    Ok(floor)
}

/// The minimum macOS version a Mach-O binary declares (`LC_BUILD_VERSION` or
/// `LC_VERSION_MIN_MACOSX`), e.g. `11.0`; `None` if it declares none.
fn macos_minimum(path: &Path) -> Result<Option<String>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("cannot read", path, e))?;
    let bad = |m: String| {
        Error::requirement(
            format!("cannot read Mach-O binary {}: {m}", path.display()),
            "give a macOS program built for this target",
        )
    };
    let macho = match goblin::mach::Mach::parse(&bytes).map_err(|e| bad(e.to_string()))? {
        goblin::mach::Mach::Binary(m) => m,
        goblin::mach::Mach::Fat(fat) => match fat.get(0).map_err(|e| bad(e.to_string()))? {
            goblin::mach::SingleArch::MachO(m) => m,
            goblin::mach::SingleArch::Archive(_) => {
                return Err(bad("a fat archive is not an executable".into()));
            }
        },
    };
    use goblin::mach::load_command::CommandVariant;
    let encoded = macho.load_commands.iter().find_map(|lc| match &lc.command {
        CommandVariant::BuildVersion(b) => Some(b.minos),
        CommandVariant::VersionMinMacosx(v) => Some(v.version),
        _ => None,
    });
    Ok(encoded.map(|v| {
        let (major, minor, patch) = (v >> 16, (v >> 8) & 0xff, v & 0xff);
        if patch == 0 {
            format!("{major}.{minor}")
        } else {
            format!("{major}.{minor}.{patch}")
        }
    }))
}
