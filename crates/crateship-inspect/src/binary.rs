//! What a binary is: the plain-data answer of [`inspect`](crate::inspect), and the
//! one-phrase descriptions ("a static x86-64 Linux program") messages are made of.

use std::fmt;
use std::path::PathBuf;

use crate::version::{GlibcVersion, OsVersion};

/// A program (or library) read from a file: its format-specific facts and
/// whether it still carries debug information.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binary {
    /// The file it was read from, as given by the caller (messages show it).
    pub path: PathBuf,
    /// Format and format-specific facts.
    pub kind: Kind,
    /// Why the binary is not stripped, or `None` if it carries no debug
    /// information (see [`DebugInfo`] for exactly what counts).
    pub debug_info: Option<DebugInfo>,
}

/// The container format of a binary with its facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// An ELF file (Linux and other Unix systems).
    Elf(ElfInfo),
    /// A PE/COFF image (Windows).
    Pe(PeInfo),
    /// A Mach-O file (macOS), thin or fat.
    MachO(MachOInfo),
}

/// A CPU architecture as the three formats name it (ELF `e_machine`, PE
/// `Machine`, Mach-O `cputype`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Machine {
    /// x86-64 / amd64 / x64.
    X86_64,
    /// 64-bit ARM (aarch64, arm64, arm64e).
    Aarch64,
    /// 32-bit x86 (i386).
    X86,
    /// 32-bit ARM.
    Arm,
    /// Anything else, named by the format's own field, e.g. `ELF machine 243 (RISCV)`.
    Other(String),
}

impl fmt::Display for Machine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Machine::X86_64 => "x86-64",
            Machine::Aarch64 => "arm64",
            Machine::X86 => "32-bit x86",
            Machine::Arm => "32-bit ARM",
            Machine::Other(name) => name,
        })
    }
}

/// What a binary is for: run, be loaded, or be linked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileType {
    /// A program the OS can start (ELF `ET_EXEC` or PIE, PE without the DLL
    /// flag, Mach-O `MH_EXECUTE`).
    Executable,
    /// A shared library or plug-in (ELF `ET_DYN` that is not a PIE, PE DLL,
    /// Mach-O `MH_DYLIB`/`MH_BUNDLE`).
    SharedLibrary,
    /// An unlinked object file (ELF `ET_REL`, Mach-O `MH_OBJECT`).
    Object,
    /// Anything else (core dump, dSYM companion, static library slice), described.
    Other(String),
}

impl FileType {
    /// The noun for messages: "program", "shared library", …
    fn noun(&self) -> &str {
        match self {
            FileType::Executable => "program",
            FileType::SharedLibrary => "shared library",
            FileType::Object => "object file",
            FileType::Other(what) => what,
        }
    }
}

/// Facts of an ELF file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElfInfo {
    /// `e_machine`.
    pub machine: Machine,
    /// `ELFCLASS64` (true) or `ELFCLASS32`.
    pub is_64: bool,
    /// `e_ident[EI_OSABI]`: 0 (System V) or 3 (GNU/Linux) for Linux programs;
    /// 9 is FreeBSD, and so on.
    pub os_abi: u8,
    /// Program, shared library or object file (`e_type`, with `ET_DYN` split
    /// into PIE programs and libraries as [`is_pie`](Self::is_pie) says).
    pub file_type: FileType,
    /// The dynamic loader named by `PT_INTERP`, e.g. `/lib64/ld-linux-x86-64.so.2`.
    pub interpreter: Option<String>,
    /// The `DT_NEEDED` libraries in file order, e.g. `libc.so.6`.
    pub needed: Vec<String>,
    /// No `PT_INTERP` and no `DT_NEEDED`: runs without any shared library
    /// (a static-pie counts as static).
    pub is_static: bool,
    /// The highest `GLIBC_x.y` symbol version required, `None` when no glibc
    /// symbol is needed (static or musl programs).
    pub glibc_floor: Option<GlibcVersion>,
    /// A position-independent executable: `ET_DYN` with `DF_1_PIE` set or with
    /// a `PT_INTERP` (older linkers set no flag).
    pub is_pie: bool,
    /// A `.symtab` section is present. A symbol table names functions and is
    /// removed by `strip`, but it is not debug information (see [`DebugInfo`]).
    pub has_symbol_table: bool,
}

impl ElfInfo {
    /// The libc its loader and libraries belong to: musl for an `ld-musl-*`
    /// loader or a `libc.musl-*` library, glibc for any other loader or
    /// `libc.so.6`, and [`Libc::None`](crate::Libc::None) for a static program.
    pub fn dynamic_libc(&self) -> crate::Libc {
        let musl = self
            .interpreter
            .iter()
            .chain(&self.needed)
            .any(|name| name.contains("ld-musl") || name.contains("libc.musl"));
        if musl {
            crate::Libc::Musl
        } else if self.is_static {
            crate::Libc::None
        } else {
            crate::Libc::Gnu
        }
    }

    /// Whether `e_ident[EI_OSABI]` allows Linux (System V or GNU/Linux).
    pub fn runs_on_linux(&self) -> bool {
        matches!(self.os_abi, 0 | 3)
    }
}

/// The PE subsystem field: which kind of Windows program this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subsystem {
    /// `IMAGE_SUBSYSTEM_WINDOWS_GUI` (2): starts without a console window.
    Gui,
    /// `IMAGE_SUBSYSTEM_WINDOWS_CUI` (3): opens a console window when started
    /// from Explorer.
    Console,
    /// Anything else (native, EFI, …), with its number.
    Other(u16),
}

impl fmt::Display for Subsystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subsystem::Gui => f.write_str("GUI"),
            Subsystem::Console => f.write_str("console"),
            Subsystem::Other(n) => write!(f, "subsystem {n}"),
        }
    }
}

/// Facts of a PE image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeInfo {
    /// COFF `Machine`.
    pub machine: Machine,
    /// PE32+ (true) or PE32.
    pub is_64: bool,
    /// Program or DLL (`IMAGE_FILE_DLL`).
    pub file_type: FileType,
    /// The optional header's `Subsystem`.
    pub subsystem: Subsystem,
    /// The certificate-table data directory is non-empty: an Authenticode
    /// signature is attached (whether it is valid is not checked here).
    pub has_certificate_table: bool,
    /// The PDB file named by a CodeView (`RSDS` or `NB10`) debug-directory
    /// entry, exactly as stored (often a build-machine path).
    pub pdb_path: Option<String>,
}

/// Facts of a Mach-O file: one thin slice, or every slice of a fat (universal) one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachOInfo {
    /// A fat container (`FAT_MAGIC`), even if it holds only one slice.
    pub is_fat: bool,
    /// The thin binary, or the fat binary's slices in file order.
    pub slices: Vec<MachOSlice>,
}

/// Facts of one Mach-O slice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachOSlice {
    /// `cputype` (arm64e counts as arm64).
    pub machine: Machine,
    /// Program, library, object (`filetype`); a static library inside a fat file
    /// is [`FileType::Other`].
    pub file_type: FileType,
    /// The platform of `LC_BUILD_VERSION` or the `LC_VERSION_MIN_*` command,
    /// `None` when the slice declares none.
    pub platform: Option<ApplePlatform>,
    /// The minimum OS version of that command (`minos`), e.g. 11.0.
    pub minimum_os: Option<OsVersion>,
    /// An `LC_CODE_SIGNATURE` is present (ad-hoc, linker-signed or Developer ID;
    /// not verified here).
    pub has_code_signature: bool,
}

/// An Apple platform number of `LC_BUILD_VERSION` (1 is macOS, 2 iOS, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ApplePlatform(pub u32);

impl ApplePlatform {
    /// macOS (`PLATFORM_MACOS`).
    pub const MACOS: ApplePlatform = ApplePlatform(1);

    /// Whether this is macOS itself (Mac Catalyst and simulators are not).
    pub fn is_macos(self) -> bool {
        self == ApplePlatform::MACOS
    }
}

impl fmt::Display for ApplePlatform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.0 {
            1 => "macOS",
            2 => "iOS",
            3 => "tvOS",
            4 => "watchOS",
            5 => "bridgeOS",
            6 => "Mac Catalyst",
            7 => "iOS simulator",
            8 => "tvOS simulator",
            9 => "watchOS simulator",
            10 => "DriverKit",
            11 => "visionOS",
            12 => "visionOS simulator",
            n => return write!(f, "Apple platform {n}"),
        };
        f.write_str(name)
    }
}

/// The evidence that a binary is not stripped of debug information.
///
/// What counts:
/// * ELF and PE: a section named `.debug_*` or `.zdebug_*` (DWARF, also when
///   compressed) that occupies bytes in the file.
/// * Mach-O: a `__DWARF` segment or a `__debug_*` section (DWARF inside the
///   binary), or STABS symbols (`N_SO`/`N_OSO`…): the debug map that points a
///   debugger at the object files and records their build paths.
/// * PE: a CodeView debug-directory entry naming a PDB file.
///
/// What does not count: a `.symtab` or COFF symbol table (function names only,
/// see [`ElfInfo::has_symbol_table`]), `.gnu_debuglink` or a build id (they name
/// a separate debug file without carrying any), unwind tables (`.eh_frame`,
/// `.pdata`) and PE debug-directory entries other than CodeView (`REPRO`, `POGO`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DebugInfo {
    /// DWARF sections in the file: their names (sorted, distinct) and total size.
    Sections {
        /// e.g. `.debug_info`, or `__DWARF` / `__debug_line` for Mach-O.
        names: Vec<String>,
        /// Bytes they occupy in the file.
        bytes: u64,
    },
    /// A PE CodeView record naming a PDB.
    PdbPath(String),
    /// Mach-O STABS debug-map symbols.
    Stabs {
        /// How many symbols have an `N_STAB` type.
        count: usize,
        /// The first object or source path they name, if any.
        example: Option<String>,
    },
}

impl fmt::Display for DebugInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DebugInfo::Sections { names, bytes } => {
                const SHOWN: usize = 4;
                let mut list = names
                    .iter()
                    .take(SHOWN)
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(", ");
                if names.len() > SHOWN {
                    list.push_str(&format!(" and {} more", names.len() - SHOWN));
                }
                let kind = if names.len() == 1 {
                    "section"
                } else {
                    "sections"
                };
                write!(f, "DWARF {kind} {list} ({bytes} bytes)")
            }
            DebugInfo::PdbPath(path) => write!(f, "a CodeView record naming the PDB `{path}`"),
            DebugInfo::Stabs { count, example } => {
                write!(f, "a STABS debug map ({count} symbols")?;
                if let Some(example) = example {
                    write!(f, ", e.g. `{example}`")?;
                }
                f.write_str(")")
            }
        }
    }
}

impl Binary {
    /// A noun phrase saying what this is, for messages: "a static x86-64 Linux
    /// program", "an arm64 Windows program (console)", "a universal macOS
    /// program with x86-64 and arm64 slices".
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Elf(elf) => describe_elf(elf),
            Kind::Pe(pe) => describe_pe(pe),
            Kind::MachO(macho) => describe_macho(macho),
        }
    }

    /// The glibc floor of an ELF program (see [`ElfInfo::glibc_floor`]); `None`
    /// for other formats and for programs that need no glibc.
    pub fn glibc_floor(&self) -> Option<GlibcVersion> {
        match &self.kind {
            Kind::Elf(elf) => elf.glibc_floor,
            _ => None,
        }
    }

    /// The macOS version a Mach-O binary needs: the highest `minos` of its macOS
    /// slices (a universal binary is only as portable as its pickiest slice).
    /// `None` for other formats or when no slice declares one.
    pub fn macos_minimum(&self) -> Option<OsVersion> {
        match &self.kind {
            Kind::MachO(macho) => macho
                .slices
                .iter()
                .filter(|s| s.platform.is_none_or(ApplePlatform::is_macos))
                .filter_map(|s| s.minimum_os)
                .max(),
            _ => None,
        }
    }

    /// The PE subsystem of a Windows binary; `None` for other formats.
    pub fn subsystem(&self) -> Option<Subsystem> {
        match &self.kind {
            Kind::Pe(pe) => Some(pe.subsystem),
            _ => None,
        }
    }

    /// True when [`debug_info`](Self::debug_info) found nothing.
    pub fn is_stripped(&self) -> bool {
        self.debug_info.is_none()
    }
}

/// "a"/"an" for the sound of `word` ("an x86-64", "a 32-bit", "an arm64").
pub(crate) fn article(word: &str) -> &'static str {
    let first = word.chars().next().unwrap_or('x').to_ascii_lowercase();
    if "aeiox".contains(first) { "an" } else { "a" }
}

/// `word` with its article: "an x86-64".
pub(crate) fn with_article(phrase: &str) -> String {
    format!("{} {phrase}", article(phrase))
}

fn elf_os_name(os_abi: u8) -> String {
    match os_abi {
        0 | 3 => "Linux".into(),
        1 => "HP-UX".into(),
        2 => "NetBSD".into(),
        6 => "Solaris".into(),
        7 => "AIX".into(),
        8 => "IRIX".into(),
        9 => "FreeBSD".into(),
        12 => "OpenBSD".into(),
        255 => "standalone (bare-metal)".into(),
        n => format!("ELF OS/ABI {n}"),
    }
}

/// The machine phrase with "32-bit" for an ELFCLASS32/PE32 file of a 64-bit
/// machine (x32, or PE32 with an x64 machine, which Windows refuses).
fn machine_phrase(machine: &Machine, is_64: bool) -> String {
    match machine {
        Machine::X86_64 | Machine::Aarch64 if !is_64 => format!("32-bit {machine}"),
        _ => machine.to_string(),
    }
}

fn describe_elf(elf: &ElfInfo) -> String {
    let what = format!(
        "{} {} {}",
        machine_phrase(&elf.machine, elf.is_64),
        elf_os_name(elf.os_abi),
        elf.file_type.noun()
    );
    if elf.file_type != FileType::Executable {
        return with_article(&what);
    }
    if elf.is_static {
        return format!("a static {what}");
    }
    let mut details = Vec::new();
    if let Some(interpreter) = &elf.interpreter {
        details.push(format!("interpreter `{interpreter}`"));
    }
    if !elf.needed.is_empty() {
        details.push(format!("needs {}", elf.needed.join(", ")));
    }
    format!("a dynamically linked {what} ({})", details.join("; "))
}

fn describe_pe(pe: &PeInfo) -> String {
    let machine = machine_phrase(&pe.machine, pe.is_64);
    match pe.file_type {
        FileType::Executable => {
            with_article(&format!("{machine} Windows program ({})", pe.subsystem))
        }
        FileType::SharedLibrary => with_article(&format!("{machine} Windows DLL")),
        ref other => with_article(&format!("{machine} Windows {}", other.noun())),
    }
}

fn describe_slice(slice: &MachOSlice) -> String {
    let platform = slice
        .platform
        .map_or_else(|| "Mach-O".to_owned(), |p| p.to_string());
    let noun = match slice.file_type {
        FileType::SharedLibrary => "dynamic library",
        ref other => other.noun(),
    };
    format!("{} {platform} {noun}", slice.machine)
}

fn describe_macho(macho: &MachOInfo) -> String {
    match macho.slices.as_slice() {
        [only] if !macho.is_fat => with_article(&describe_slice(only)),
        slices => {
            let machines: Vec<String> = slices.iter().map(|s| s.machine.to_string()).collect();
            let first = slices.first().map(describe_slice).unwrap_or_default();
            let platform_and_noun = first.split_once(' ').map_or("", |(_, rest)| rest);
            match machines.as_slice() {
                [] => "an empty universal Mach-O file (no slices)".to_owned(),
                [one] => format!(
                    "a universal {platform_and_noun} with only {} slice",
                    with_article(one)
                ),
                many => format!(
                    "a universal {platform_and_noun} with {} slices",
                    join_and(many)
                ),
            }
        }
    }
}

/// "a", "a and b", "a, b and c".
pub(crate) fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
