//! Artifact file names per DESIGN §6: `Hello-1.2.3-arm64.dmg`,
//! `Hello-1.2.3-universal.dmg`, `Hello-1.2.3.pkg`.

/// Which binaries a `.dmg` holds, for its file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DmgArch {
    /// Apple silicon only (`aarch64-apple-darwin`).
    Arm64,
    /// Intel only (`x86_64-apple-darwin`).
    X86_64,
    /// A universal binary.
    Universal,
}

impl DmgArch {
    /// The spelling used in file names.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Arm64 => "arm64",
            Self::X86_64 => "x86_64",
            Self::Universal => "universal",
        }
    }

    /// The architecture of a Rust target triple (`aarch64-apple-darwin` → arm64,
    /// `universal-apple-darwin` → universal), or `None` for a non-Apple triple.
    pub fn from_target(triple: &str) -> Option<Self> {
        match triple.split_once("-apple-darwin")?.0 {
            "aarch64" | "arm64" => Some(Self::Arm64),
            "x86_64" => Some(Self::X86_64),
            "universal" => Some(Self::Universal),
            _ => None,
        }
    }
}

/// `PRODUCT-VERSION-ARCH.dmg`, spaces in the product name replaced by `-`.
pub fn dmg_file_name(product: &str, version: &str, arch: DmgArch) -> String {
    format!(
        "{}-{version}-{}.dmg",
        product.replace(' ', "-"),
        arch.as_str()
    )
}

/// `PRODUCT-VERSION.pkg` (a pkg may hold a universal or a thin app).
pub fn pkg_file_name(product: &str, version: &str) -> String {
    format!("{}-{version}.pkg", product.replace(' ', "-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_design() {
        assert_eq!(
            dmg_file_name("Hello", "1.2.3", DmgArch::Arm64),
            "Hello-1.2.3-arm64.dmg"
        );
        assert_eq!(
            dmg_file_name(
                "Hello",
                "1.2.3",
                DmgArch::from_target("universal-apple-darwin").unwrap()
            ),
            "Hello-1.2.3-universal.dmg"
        );
        assert_eq!(
            pkg_file_name("Hello Desktop", "1.2.3"),
            "Hello-Desktop-1.2.3.pkg"
        );
        assert_eq!(DmgArch::from_target("x86_64-unknown-linux-gnu"), None);
    }
}
