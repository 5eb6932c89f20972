//! Hello Desktop: the example application that crateship packages.
//!
//! It prints its name, version and the build information crateship passes to
//! the compiler (see docs/guide.md, "Build information").

/// Build information baked in at compile time by crateship (absent in a plain `cargo build`).
struct BuildInfo {
    version: &'static str,
    commit: &'static str,
    dirty: &'static str,
    time: &'static str,
    target: &'static str,
}

const BUILD: BuildInfo = BuildInfo {
    version: env!("CARGO_PKG_VERSION"),
    commit: match option_env!("CRATESHIP_GIT_COMMIT") {
        Some(c) => c,
        None => "unknown",
    },
    dirty: match option_env!("CRATESHIP_GIT_DIRTY") {
        Some(d) => d,
        None => "unknown",
    },
    time: match option_env!("CRATESHIP_BUILD_TIME") {
        Some(t) => t,
        None => "unknown",
    },
    target: match option_env!("CRATESHIP_TARGET") {
        Some(t) => t,
        None => "unknown",
    },
};

fn main() {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("--version") | Some("-V") => {
            println!("hello-desktop {}", BUILD.version);
        }
        Some("--help") | Some("-h") => {
            println!(
                "Hello Desktop {}\n\nUsage: hello-desktop [--version] [--build-info] [NAME]",
                BUILD.version
            );
        }
        Some("--build-info") => print_build_info(),
        Some(name) => println!("Hello, {name}!"),
        None => {
            println!("Hello Desktop {}", BUILD.version);
            print_build_info();
        }
    }
}

fn print_build_info() {
    let dirty = if BUILD.dirty == "true" {
        " (dirty)"
    } else {
        ""
    };
    println!("version:    {}", BUILD.version);
    println!("commit:     {}{dirty}", BUILD.commit);
    println!("built:      {}", BUILD.time);
    println!("target:     {}", BUILD.target);
}
