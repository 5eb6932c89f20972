//! Integration tests of crateship-inspect on real binaries compiled at test time
//! by zig's C compiler for every target, cross-checked against tools we did not
//! write: `file`, binutils' `readelf`/`objdump`, Python `pefile` (PE) and `lief`
//! (Mach-O).
//!
//! Needs: `apt-get install -y file binutils python3-pefile` and
//! `pip install ziglang lief`.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]
// tests and tools print and panic on failure

// Spawning zig and the verifiers is the point of these tests.
#![allow(clippy::disallowed_methods)]

mod debug_info;
mod elf;
mod host_paths;
mod macho;
mod pe;
mod refusals;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// A C program that prints, and nothing else.
const HELLO_C: &str = "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n";
/// The same with a build-machine path compiled in.
const LEAK_C: &str = "#include <stdio.h>\n\
    static const char where[] = \"/home/alice/src/x.rs\";\n\
    int main(void) { puts(where); return 0; }\n";

/// Every fixture binary, compiled once per test run on first use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bin {
    /// x86-64 glibc (2.34 floor), dynamic, stripped.
    GnuX64,
    /// The same with DWARF (`-g`).
    GnuX64Debug,
    /// `GnuX64Debug` after `objcopy --strip-debug`: a `.symtab`, no DWARF.
    GnuX64Symbols,
    /// An x86-64 glibc shared library.
    GnuX64Library,
    /// arm64 glibc, PIE, stripped.
    GnuArm64Pie,
    /// x86-64 musl, static, stripped.
    MuslX64,
    /// x86-64 musl, dynamically linked (`/lib/ld-musl-x86_64.so.1`).
    MuslX64Dynamic,
    /// arm64 musl, static, stripped.
    MuslArm64,
    /// x64 Windows console program, stripped.
    WinX64,
    /// x64 Windows GUI program (`--subsystem,windows`), stripped.
    WinX64Gui,
    /// x64 Windows console program with a PDB (`-g`).
    WinX64Debug,
    /// arm64 Windows console program, stripped.
    WinArm64,
    /// 32-bit x86 Windows console program (PE32), stripped.
    WinX86,
    /// x86_64 macOS 10.15 program, stripped.
    MacX64,
    /// arm64 macOS 11.0 program, stripped (zig signs arm64 ad hoc).
    MacArm64,
    /// arm64 macOS 11.0 program with a STABS debug map (`-g`).
    MacArm64Debug,
    /// x86-64 glibc program holding `/home/alice/src/x.rs`.
    Leak,
}

const ALL: [Bin; 17] = [
    Bin::GnuX64,
    Bin::GnuX64Debug,
    Bin::GnuX64Symbols,
    Bin::GnuX64Library,
    Bin::GnuArm64Pie,
    Bin::MuslX64,
    Bin::MuslX64Dynamic,
    Bin::MuslArm64,
    Bin::WinX64,
    Bin::WinX64Gui,
    Bin::WinX64Debug,
    Bin::WinArm64,
    Bin::WinX86,
    Bin::MacX64,
    Bin::MacArm64,
    Bin::MacArm64Debug,
    Bin::Leak,
];

/// How a fixture is made: file name, zig target, extra flags, source.
struct Recipe {
    file: &'static str,
    zig_target: &'static str,
    flags: &'static [&'static str],
    source: &'static str,
}

const STRIPPED: &[&str] = &["-O1", "-g0", "-s"];

impl Bin {
    /// How zig makes it; `None` for the one fixture objcopy derives.
    fn recipe(self) -> Option<Recipe> {
        let r = |file, zig_target, flags, source| {
            Some(Recipe {
                file,
                zig_target,
                flags,
                source,
            })
        };
        match self {
            Bin::GnuX64 => r("gnu-x64", "x86_64-linux-gnu.2.34", STRIPPED, HELLO_C),
            Bin::GnuX64Debug => r(
                "gnu-x64-debug",
                "x86_64-linux-gnu.2.34",
                &["-O1", "-g"],
                HELLO_C,
            ),
            Bin::GnuX64Symbols => None,
            Bin::GnuX64Library => r(
                "libgnu-x64.so",
                "x86_64-linux-gnu.2.34",
                &["-O1", "-g0", "-s", "-shared"],
                HELLO_C,
            ),
            Bin::GnuArm64Pie => r(
                "gnu-arm64-pie",
                "aarch64-linux-gnu",
                &["-O1", "-g0", "-s", "-fPIE", "-pie"],
                HELLO_C,
            ),
            Bin::MuslX64 => r("musl-x64", "x86_64-linux-musl", STRIPPED, HELLO_C),
            Bin::MuslX64Dynamic => r(
                "musl-x64-dynamic",
                "x86_64-linux-musl",
                &["-O1", "-g0", "-s", "-dynamic"],
                HELLO_C,
            ),
            Bin::MuslArm64 => r("musl-arm64", "aarch64-linux-musl", STRIPPED, HELLO_C),
            Bin::WinX64 => r("win-x64.exe", "x86_64-windows-gnu", STRIPPED, HELLO_C),
            Bin::WinX64Gui => r(
                "win-x64-gui.exe",
                "x86_64-windows-gnu",
                &["-O1", "-g0", "-s", "-Wl,--subsystem,windows"],
                HELLO_C,
            ),
            Bin::WinX64Debug => r(
                "win-x64-debug.exe",
                "x86_64-windows-gnu",
                &["-O1", "-g"],
                HELLO_C,
            ),
            Bin::WinArm64 => r("win-arm64.exe", "aarch64-windows-gnu", STRIPPED, HELLO_C),
            Bin::WinX86 => r("win-x86.exe", "x86-windows-gnu", STRIPPED, HELLO_C),
            Bin::MacX64 => r("mac-x64", "x86_64-macos.10.15", STRIPPED, HELLO_C),
            Bin::MacArm64 => r("mac-arm64", "aarch64-macos.11.0", STRIPPED, HELLO_C),
            Bin::MacArm64Debug => r(
                "mac-arm64-debug",
                "aarch64-macos.11.0",
                &["-O1", "-g"],
                HELLO_C,
            ),
            Bin::Leak => r("leak", "x86_64-linux-gnu.2.34", STRIPPED, LEAK_C),
        }
    }
}

/// The fixture `bin`, compiled on first use.
pub fn bin(bin: Bin) -> &'static Path {
    static BUILT: [OnceLock<PathBuf>; ALL.len()] = [const { OnceLock::new() }; ALL.len()];
    let index = ALL.iter().position(|b| *b == bin).unwrap();
    BUILT[index].get_or_init(|| build(bin))
}

/// The directory fixtures are written to (under the target dir, rewritten each run).
pub fn fixture_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("crateship-inspect");
        fs::create_dir_all(&dir).unwrap();
        dir
    })
}

fn build(bin: Bin) -> PathBuf {
    let dir = fixture_dir();
    let Some(recipe) = bin.recipe() else {
        let out = dir.join("gnu-x64-symbols");
        let debug = self::bin(Bin::GnuX64Debug);
        run(
            "objcopy",
            &[
                "--strip-debug",
                debug.to_str().unwrap(),
                out.to_str().unwrap(),
            ],
        );
        return out;
    };
    let source = dir.join(format!("{}.c", recipe.file));
    fs::write(&source, recipe.source).unwrap();
    let out = dir.join(recipe.file);
    let mut args = vec!["-m", "ziglang", "cc", "-target", recipe.zig_target];
    args.extend(recipe.flags);
    args.extend([source.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    run("python3", &args);
    out
}

/// A fat Mach-O with the x86_64 and arm64 fixtures, made by crateship-macos.
pub fn universal() -> &'static Path {
    static FAT: OnceLock<PathBuf> = OnceLock::new();
    FAT.get_or_init(|| {
        let x86 = fs::read(bin(Bin::MacX64)).unwrap();
        let arm = fs::read(bin(Bin::MacArm64)).unwrap();
        let path = fixture_dir().join("mac-universal");
        fs::write(&path, crateship_macos::merge_universal(&x86, &arm).unwrap()).unwrap();
        path
    })
}

/// A fat Mach-O holding only the arm64 fixture: the fat header, one `fat_arch`
/// record (cputype, cpusubtype, offset, size, align 2^14), the slice at 16 KiB.
pub fn fat_arm64_only() -> &'static Path {
    static FAT: OnceLock<PathBuf> = OnceLock::new();
    FAT.get_or_init(|| {
        let arm = fs::read(bin(Bin::MacArm64)).unwrap();
        let cputype = u32::from_le_bytes(arm[4..8].try_into().unwrap());
        let cpusubtype = u32::from_le_bytes(arm[8..12].try_into().unwrap());
        let mut fat = Vec::new();
        for word in [
            0xcafe_babe,
            1,
            cputype,
            cpusubtype,
            16384,
            arm.len() as u32,
            14,
        ] {
            fat.extend_from_slice(&u32::to_be_bytes(word));
        }
        fat.resize(16384, 0);
        fat.extend_from_slice(&arm);
        let path = fixture_dir().join("mac-fat-arm64-only");
        fs::write(&path, fat).unwrap();
        path
    })
}

/// Writes a small input file for the refusal tests.
pub fn write_input(name: &str, bytes: &[u8]) -> PathBuf {
    let path = fixture_dir().join(name);
    fs::write(&path, bytes).unwrap();
    path
}

/// How to install each external program the tests run.
fn install_hint(program: &str) -> &'static str {
    match program {
        "python3" => "pip install ziglang lief",
        "/usr/bin/python3" => "apt-get install -y python3-pefile",
        "file" => "apt-get install -y file",
        _ => "apt-get install -y binutils",
    }
}

/// Runs `program` with `args`, panicking (with how to install it) unless it
/// succeeds; returns its stdout.
pub fn run<S: AsRef<std::ffi::OsStr>>(program: &str, args: &[S]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {program}: {e}; install it: {}",
                install_hint(program)
            )
        });
    assert!(
        out.status.success(),
        "{program} {:?} failed ({}); is it installed ({})?\nstdout:\n{}\nstderr:\n{}",
        args.iter()
            .map(|a| a.as_ref().to_owned())
            .collect::<Vec<_>>(),
        out.status,
        install_hint(program),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs a Python snippet with `python` (`python3` for lief, `/usr/bin/python3`
/// for Debian's pefile) on `file`; returns its stdout.
pub fn python(python: &str, code: &str, file: &Path) -> String {
    run(python, &["-c".as_ref(), code.as_ref(), file.as_os_str()])
}

/// `file -b` of `path`.
pub fn file_says(path: &Path) -> String {
    run("file", &["-b".as_ref(), path.as_os_str()])
}
