//! Whether a binary is a program for a target: OS, architecture, static musl,
//! both universal slices, the GUI subsystem. Every refusal names the file, what
//! it is, what the target needs and the fix.

use std::path::Path;

use crate::binary::{
    Binary, ElfInfo, FileType, Kind, MachOInfo, Machine, PeInfo, Subsystem, join_and,
};
use crate::error::{InspectError, Refusal, Refused};
use crate::sniff::{self, Content, NotAProgram};
use crate::target::{Arch, Expected, Libc, Os};

/// Reads `path` and checks that it is a program for `expected`'s target.
///
/// Refused: an empty file; a `#!` script; anything that is not an ELF, PE or
/// Mach-O binary; a damaged binary; a binary for another OS or architecture;
/// a shared library or object file; for musl targets a dynamically linked ELF;
/// for gnu targets an ELF that loads musl; for `universal-apple-darwin` anything
/// but a fat Mach-O with both an x86-64 and an arm64 slice. A thin target
/// accepts a fat Mach-O that holds its slice. Every Mach-O slice must be a
/// macOS one. On success the binary's facts are returned (subsystem, debug
/// info, glibc floor, macOS minimum) for the caller's further rules.
pub fn check(path: &Path, expected: &Expected) -> Result<Binary, InspectError> {
    let binary = match sniff::read(path)? {
        Content::Binary(format, bytes) => crate::parse(path, format, &bytes, Some(expected))?,
        Content::NotAProgram(what) => return Err(not_a_program(path, &what, Some(expected))),
    };
    check_binary(&binary, expected)?;
    Ok(binary)
}

/// The checks of [`check`] on a binary already read with [`inspect`](crate::inspect).
pub fn check_binary(binary: &Binary, expected: &Expected) -> Result<(), InspectError> {
    match (&binary.kind, expected.os) {
        (Kind::Elf(elf), Os::Linux) => check_elf(binary, elf, expected),
        (Kind::Pe(pe), Os::Windows) => check_pe(binary, pe, expected),
        (Kind::MachO(macho), Os::Macos) => check_macho(binary, macho, expected),
        _ => Err(refuse(
            binary,
            expected,
            Refusal::WrongOs,
            rebuild(expected),
        )),
    }
}

/// Refuses a Windows binary that does not use the GUI subsystem (a console
/// window would open beside a windowed app).
pub fn require_gui(binary: &Binary) -> Result<(), InspectError> {
    if binary.subsystem() == Some(Subsystem::Gui) {
        return Ok(());
    }
    Err(InspectError::Refused(Box::new(Refused {
        path: binary.path.clone(),
        refusal: Refusal::NotGui,
        found: binary.describe(),
        target: None,
        needs: "a windowed app needs a Windows program with the GUI subsystem".into(),
        fix: "add `#![windows_subsystem = \"windows\"]` at the top of the binary's main.rs \
              (or link with `-Wl,--subsystem,windows`), or set `windowed = false` for a \
              console app"
            .into(),
        source: None,
    })))
}

/// The refusal of something that is no binary; `expected` is `None` for [`inspect`](crate::inspect).
pub(crate) fn not_a_program(
    path: &Path,
    what: &NotAProgram,
    expected: Option<&Expected>,
) -> InspectError {
    let (refusal, found, fix) = match what {
        NotAProgram::Empty => (
            Refusal::Empty,
            "an empty file".to_owned(),
            "the build was interrupted or the file was truncated: build it again".to_owned(),
        ),
        NotAProgram::Script { interpreter } => (
            Refusal::Script,
            format!("a script run by `{interpreter}`"),
            "ship the compiled program, not a launcher script".to_owned(),
        ),
        NotAProgram::Other { description } => (
            Refusal::NotAProgram,
            description.clone(),
            "point at the compiled program".to_owned(),
        ),
    };
    let fix = match expected {
        Some(expected) => format!("{fix}; {}", rebuild(expected)),
        None => fix,
    };
    InspectError::Refused(Box::new(Refused {
        path: path.to_owned(),
        refusal,
        found,
        target: expected.map(|e| e.target.clone()),
        needs: needs(expected),
        fix,
        source: None,
    }))
}

/// What is needed, as a clause: the target's need, or any program.
pub(crate) fn needs(expected: Option<&Expected>) -> String {
    match expected {
        Some(e) => format!("{} needs {}", e.target, e.describe()),
        None => "a program (ELF, PE or Mach-O) was expected".to_owned(),
    }
}

/// The usual fix: build for the target, or point at the right build.
fn rebuild(expected: &Expected) -> String {
    let target = &expected.target;
    if expected.arch == Arch::Universal {
        return "build both x86_64-apple-darwin and aarch64-apple-darwin and merge them into \
                one fat binary (`--target universal-apple-darwin` does both), or point \
                --binary-dir at the universal build"
            .to_owned();
    }
    format!("build it with `--target {target}`, or point --binary-dir at the {target} build")
}

fn refuse(binary: &Binary, expected: &Expected, refusal: Refusal, fix: String) -> InspectError {
    InspectError::Refused(Box::new(Refused {
        path: binary.path.clone(),
        refusal,
        found: binary.describe(),
        target: Some(expected.target.clone()),
        needs: needs(Some(expected)),
        fix,
        source: None,
    }))
}

/// Whether a 64-bit binary for `machine` runs as `arch`.
fn machine_is(machine: &Machine, is_64: bool, arch: Arch) -> bool {
    match arch {
        Arch::X86_64 => is_64 && *machine == Machine::X86_64,
        Arch::Aarch64 => is_64 && *machine == Machine::Aarch64,
        Arch::Universal => false,
    }
}

/// The fix for a library or object file given as the program.
fn not_executable_fix(expected: &Expected) -> String {
    format!(
        "point at the program itself (the [[bin]] target's file, e.g. target/{}/release/NAME), \
         not a library or object file",
        expected.target
    )
}

/// The rules every ELF and PE program meets: the target's machine and word
/// size, and a program rather than a library.
fn check_program(
    binary: &Binary,
    (machine, is_64, file_type): (&Machine, bool, &FileType),
    expected: &Expected,
) -> Result<(), InspectError> {
    if !machine_is(machine, is_64, expected.arch) {
        return Err(refuse(
            binary,
            expected,
            Refusal::WrongArch,
            rebuild(expected),
        ));
    }
    if *file_type != FileType::Executable {
        let fix = not_executable_fix(expected);
        return Err(refuse(binary, expected, Refusal::NotExecutable, fix));
    }
    Ok(())
}

fn check_elf(binary: &Binary, elf: &ElfInfo, expected: &Expected) -> Result<(), InspectError> {
    if !elf.runs_on_linux() {
        return Err(refuse(
            binary,
            expected,
            Refusal::WrongOs,
            rebuild(expected),
        ));
    }
    check_program(binary, (&elf.machine, elf.is_64, &elf.file_type), expected)?;
    match expected.libc {
        Libc::Musl if !elf.is_static => {
            let fix = format!(
                "build it with `--target {}` (Rust links musl programs statically unless \
                 `-C target-feature=-crt-static` is set), or point --binary-dir at that build",
                expected.target
            );
            Err(refuse(binary, expected, Refusal::NotStatic, fix))
        }
        Libc::Gnu if elf.dynamic_libc() == Libc::Musl => Err(refuse(
            binary,
            expected,
            Refusal::WrongLibc,
            rebuild(expected),
        )),
        _ => Ok(()),
    }
}

fn check_pe(binary: &Binary, pe: &PeInfo, expected: &Expected) -> Result<(), InspectError> {
    check_program(binary, (&pe.machine, pe.is_64, &pe.file_type), expected)
}

fn check_macho(
    binary: &Binary,
    macho: &MachOInfo,
    expected: &Expected,
) -> Result<(), InspectError> {
    if macho
        .slices
        .iter()
        .any(|s| s.platform.is_some_and(|p| !p.is_macos()))
    {
        return Err(refuse(
            binary,
            expected,
            Refusal::WrongOs,
            rebuild(expected),
        ));
    }
    if macho
        .slices
        .iter()
        .any(|s| s.file_type != FileType::Executable)
    {
        return Err(refuse(
            binary,
            expected,
            Refusal::NotExecutable,
            not_executable_fix(expected),
        ));
    }
    let has = |arch: Arch| {
        macho
            .slices
            .iter()
            .any(|s| machine_is(&s.machine, true, arch))
    };
    if expected.arch == Arch::Universal {
        if macho.is_fat && has(Arch::X86_64) && has(Arch::Aarch64) {
            return Ok(());
        }
        let missing: Vec<String> = [Arch::X86_64, Arch::Aarch64]
            .into_iter()
            .filter(|&arch| !has(arch))
            .map(|arch| arch.to_string())
            .collect();
        let fix = if macho.is_fat {
            format!(
                "merge in the missing {} build; {}",
                join_and(&missing),
                rebuild(expected)
            )
        } else {
            rebuild(expected)
        };
        return Err(refuse(binary, expected, Refusal::NotUniversal, fix));
    }
    if has(expected.arch) {
        Ok(())
    } else {
        Err(refuse(
            binary,
            expected,
            Refusal::WrongArch,
            rebuild(expected),
        ))
    }
}
