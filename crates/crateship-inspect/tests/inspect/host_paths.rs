//! Host path leaks in real binaries, against binutils' `strings`.

use std::fs;

use crateship_inspect::{InspectError, host_paths, host_paths_in_file};

use crate::{Bin, bin, fixture_dir, run};

#[test]
fn a_compiled_in_home_path_is_found() {
    let path = bin(Bin::Leak);
    assert!(run("strings", &["-a", path.to_str().unwrap()]).contains("/home/alice/src/x.rs\n"));
    assert_eq!(host_paths_in_file(path).unwrap(), ["/home/alice/src/x.rs"]);
    assert_eq!(
        host_paths(&fs::read(path).unwrap()),
        ["/home/alice/src/x.rs"]
    );
}

#[test]
fn stripped_builds_leak_nothing() {
    for b in [Bin::GnuX64, Bin::MuslX64, Bin::WinX64, Bin::MacArm64] {
        assert_eq!(
            host_paths_in_file(bin(b)).unwrap(),
            Vec::<String>::new(),
            "{b:?}"
        );
    }
}

#[test]
fn an_unreadable_file_is_named() {
    let missing = fixture_dir().join("no-such-binary");
    let e = host_paths_in_file(&missing).unwrap_err();
    assert!(matches!(e, InspectError::Read { .. }));
    assert!(
        e.to_string().contains(&format!("`{}`", missing.display())),
        "{e}"
    );
}
