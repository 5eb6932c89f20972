//! ELF inspection: the architecture check every writer runs on packaged binaries,
//! and the shared-library needs (`DT_NEEDED`, glibc symbol versions) that become
//! rpm auto-requires and deb Depends.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::Read;

use crate::LinuxError;
use crate::package::{Arch, FileSource, LinuxPackage, PackageFile};

/// The shared-library needs of every ELF file in a package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ElfNeeds {
    /// `DT_NEEDED` sonames, minus the ones the package ships itself.
    pub sonames: BTreeSet<String>,
    /// Symbol versions required per soname (`libc.so.6` → `GLIBC_2.34`, ...).
    pub versions: BTreeMap<String, BTreeSet<String>>,
}

impl ElfNeeds {
    /// rpm auto-requires in rpmbuild's spelling: `libz.so.1()(64bit)` and
    /// `libc.so.6(GLIBC_2.34)(64bit)`.
    pub fn rpm_requires(&self) -> Vec<String> {
        let mut out = Vec::new();
        for soname in &self.sonames {
            out.push(format!("{soname}()(64bit)"));
            for version in self.versions.get(soname).into_iter().flatten() {
                out.push(format!("{soname}({version})(64bit)"));
            }
        }
        out
    }

    /// The highest `GLIBC_x.y` symbol version needed, as `x.y`.
    pub fn glibc_floor(&self) -> Option<String> {
        self.versions
            .values()
            .flatten()
            .filter_map(|v| v.strip_prefix("GLIBC_"))
            .filter(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
            .max_by(|a, b| cmp_dotted(a, b))
            .map(str::to_owned)
    }
}

/// Compares dotted numeric versions (`2.9` < `2.34`).
pub(crate) fn cmp_dotted(a: &str, b: &str) -> Ordering {
    let parse = |s: &str| {
        s.split('.')
            .map(|p| p.parse::<u64>().unwrap_or(0))
            .collect::<Vec<_>>()
    };
    parse(a).cmp(&parse(b))
}

fn machine_name(machine: u16) -> String {
    match machine {
        3 => "x86 (i386)".into(),
        40 => "32-bit ARM".into(),
        62 => "x86_64".into(),
        183 => "aarch64".into(),
        243 => "riscv".into(),
        other => format!("machine {other}"),
    }
}

fn read_head(file: &PackageFile) -> Result<Vec<u8>, LinuxError> {
    match &file.source {
        FileSource::Bytes(bytes) => Ok(bytes[..bytes.len().min(64)].to_vec()),
        FileSource::Path(path) => {
            let err = |source| LinuxError::ReadSource {
                path: path.clone(),
                dest: file.dest.clone(),
                source,
            };
            let mut head = Vec::with_capacity(64);
            File::open(path)
                .map_err(err)?
                .take(64)
                .read_to_end(&mut head)
                .map_err(err)?;
            Ok(head)
        }
    }
}

fn source_path(file: &PackageFile) -> std::path::PathBuf {
    match &file.source {
        FileSource::Path(p) => p.clone(),
        FileSource::Bytes(_) => std::path::PathBuf::from(format!("<generated {}>", file.dest)),
    }
}

/// Whether the file is ELF; errors if it is ELF for another machine than `pkg.arch`.
pub(crate) fn check_file_arch(arch: Arch, file: &PackageFile) -> Result<bool, LinuxError> {
    let head = read_head(file)?;
    if head.len() < 20 || &head[..4] != b"\x7fELF" {
        return Ok(false);
    }
    let machine = match head[5] {
        2 => u16::from_be_bytes([head[18], head[19]]),
        _ => u16::from_le_bytes([head[18], head[19]]),
    };
    let class64 = head[4] == 2;
    if machine != arch.elf_machine() || !class64 {
        let found = if class64 {
            machine_name(machine)
        } else {
            format!("{} (32-bit)", machine_name(machine))
        };
        return Err(LinuxError::WrongArchitecture {
            path: source_path(file),
            dest: file.dest.clone(),
            found,
            expected: arch.rpm_name().to_owned(),
        });
    }
    Ok(true)
}

/// Checks that every ELF file among `files` is for `arch` and collects their
/// shared-library needs.
///
/// Sonames that `files` ship themselves (a file whose name is the soname) are left out.
pub fn elf_needs(files: &[PackageFile], arch: Arch) -> Result<ElfNeeds, LinuxError> {
    let mut needs = ElfNeeds::default();
    let mut shipped = BTreeSet::new();
    for file in files {
        shipped.insert(file.dest.rsplit('/').next().unwrap_or_default().to_owned());
        if !check_file_arch(arch, file)? {
            continue;
        }
        let data = match &file.source {
            FileSource::Bytes(b) => b.clone(),
            FileSource::Path(path) => {
                std::fs::read(path).map_err(|source| LinuxError::ReadSource {
                    path: path.clone(),
                    dest: file.dest.clone(),
                    source,
                })?
            }
        };
        let elf = goblin::elf::Elf::parse(&data).map_err(|e| LinuxError::Elf {
            path: source_path(file),
            reason: e.to_string(),
        })?;
        for lib in &elf.libraries {
            needs.sonames.insert((*lib).to_owned());
        }
        if let Some(verneed) = &elf.verneed {
            for need in verneed.iter() {
                let Some(lib) = elf.dynstrtab.get_at(need.vn_file) else {
                    continue;
                };
                for aux in need.iter() {
                    let Some(version) = elf.dynstrtab.get_at(aux.vna_name) else {
                        continue;
                    };
                    if version.ends_with("_PRIVATE") {
                        continue;
                    }
                    needs
                        .versions
                        .entry(lib.to_owned())
                        .or_default()
                        .insert(version.to_owned());
                }
            }
        }
    }
    needs.sonames.retain(|s| !shipped.contains(s));
    needs.versions.retain(|s, _| !shipped.contains(s));
    Ok(needs)
}

/// deb Depends derived from shared-library needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DebShlibDepends {
    /// Depends entries, sorted, e.g. `libc6 (>= 2.34)`, `zlib1g`.
    pub depends: Vec<String>,
    /// Sonames the resolver could not map to a package: warn about each by name.
    pub unmapped: Vec<String>,
}

/// Maps the package's `DT_NEEDED` sonames to Debian packages, as dpkg-shlibdeps does.
///
/// `resolve` maps a soname to the package that ships it (the caller typically runs
/// `dpkg -S` or reads a config override; this crate never spawns processes). An
/// `:arch` suffix in its answer is dropped. The package that ships `libc.so.6` gets
/// `(>= X)` with X the higher of the highest `GLIBC_X` symbol version and `glibc_floor`.
pub fn deb_shlib_depends(
    pkg: &LinuxPackage,
    resolve: &dyn Fn(&str) -> Option<String>,
) -> Result<DebShlibDepends, LinuxError> {
    let needs = elf_needs(&pkg.files, pkg.arch)?;
    let mut floor = needs.glibc_floor();
    if let Some(given) = &pkg.glibc_floor
        && floor
            .as_deref()
            .is_none_or(|f| cmp_dotted(given, f) == Ordering::Greater)
    {
        floor = Some(given.clone());
    }
    let mut packages = BTreeMap::<String, Option<String>>::new();
    let mut unmapped = Vec::new();
    for soname in &needs.sonames {
        match resolve(soname) {
            Some(answer) => {
                let name = answer
                    .split(':')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_owned();
                let version = if soname.starts_with("libc.so.") {
                    floor.clone()
                } else {
                    None
                };
                let slot = packages.entry(name).or_default();
                if version.is_some() {
                    *slot = version;
                }
            }
            None => unmapped.push(soname.clone()),
        }
    }
    let depends = packages
        .into_iter()
        .filter(|(name, _)| !name.is_empty())
        .map(|(name, version)| match version {
            Some(v) => format!("{name} (>= {v})"),
            None => name,
        })
        .collect();
    Ok(DebShlibDepends { depends, unmapped })
}
