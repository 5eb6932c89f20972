//! The crates compiled into a package's binaries for one target, computed from
//! `cargo metadata --filter-platform TARGET` and `Cargo.lock`.
//!
//! The walk starts at the package and follows **normal** dependency edges only
//! (build- and dev-dependencies are not part of the binary). `--filter-platform` has
//! already dropped the edges whose `[target.'cfg(…)'.dependencies]` do not match the
//! target; the edges it keeps still name their `cfg(…)` expression, so an edge with a
//! target is taken as matched, except a plain-triple target (`[target.TRIPLE…]`),
//! which must equal the requested triple. Proc-macros are in the set (as in
//! `cargo tree -e normal`), marked, and so are the crates reached only through them
//! ([`Crate::build_only`]): those run inside the compiler and are not linked.

use std::collections::{HashMap, VecDeque};

use cargo_metadata::{DependencyKind, Metadata, Node, Package, TargetKind};
use serde::Serialize;

use crate::SbomError;
use crate::license::spdx_expression;
use crate::lockfile::LockChecksums;
use crate::source::{CrateSource, purl};

/// One crate of a [`DepSet`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Crate {
    /// The crate (package) name, e.g. `serde`.
    pub name: String,
    /// Its version, e.g. `1.0.229`.
    pub version: String,
    /// Where it came from.
    pub source: CrateSource,
    /// Its `pkg:cargo/…` package URL.
    pub purl: String,
    /// Its licence as an SPDX expression (`None` when the package declares only a
    /// licence file or nothing).
    pub license: Option<String>,
    /// The SHA-256 of the `.crate` file recorded in `Cargo.lock` (registry crates).
    pub sha256: Option<String>,
    /// Whether it is a proc-macro crate.
    pub proc_macro: bool,
    /// Whether it is only reached through proc-macros, so it runs at build time and
    /// is not linked into the binary (proc-macros themselves are build-only too).
    pub build_only: bool,
    /// Indices (into [`DepSet::crates`]) of its normal dependencies, ascending.
    pub dependencies: Vec<usize>,
}

/// The crates compiled into a package's binaries for one target, sorted by name,
/// version and source, with the dependency graph between them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DepSet {
    target: String,
    root: usize,
    crates: Vec<Crate>,
}

impl DepSet {
    /// Computes the set of `package` (a workspace member's name) for `target` from the
    /// stdout of `cargo metadata --format-version 1 --filter-platform TARGET` (without
    /// `--no-deps`) and the text of the workspace's `Cargo.lock`.
    pub fn from_metadata_json(
        metadata_json: &str,
        cargo_lock: &str,
        package: &str,
        target: &str,
    ) -> Result<DepSet, SbomError> {
        let metadata: Metadata = serde_json::from_str(metadata_json)
            .map_err(|source| SbomError::MetadataJson { source })?;
        DepSet::from_metadata(&metadata, cargo_lock, package, target)
    }

    /// [`DepSet::from_metadata_json`] for metadata the caller has already parsed.
    pub fn from_metadata(
        metadata: &Metadata,
        cargo_lock: &str,
        package: &str,
        target: &str,
    ) -> Result<DepSet, SbomError> {
        let resolve = metadata
            .resolve
            .as_ref()
            .ok_or_else(|| SbomError::NoResolve {
                target: target.to_owned(),
            })?;
        let checksums = LockChecksums::parse(cargo_lock)?;
        let packages: HashMap<&str, &Package> = metadata
            .packages
            .iter()
            .map(|p| (p.id.repr.as_str(), p))
            .collect();
        let nodes: HashMap<&str, &Node> = resolve
            .nodes
            .iter()
            .map(|n| (n.id.repr.as_str(), n))
            .collect();
        let root_id = root_package_id(metadata, &packages, package)?;
        let graph = Graph {
            packages: &packages,
            nodes: &nodes,
            target,
        };
        let reached = graph.reach(root_id)?;

        let mut ids: Vec<&str> = reached.keys().copied().collect();
        ids.sort_by(|a, b| {
            let (pa, pb) = (packages[a], packages[b]);
            (&pa.name, &pa.version, a).cmp(&(&pb.name, &pb.version, b))
        });
        let index: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let mut crates = Vec::with_capacity(ids.len());
        for id in &ids {
            let package = packages[id];
            let source_repr = package.source.as_ref().map(|s| s.repr.as_str());
            let source = CrateSource::parse(source_repr);
            let version = package.version.to_string();
            let mut dependencies: Vec<usize> = graph
                .normal_deps(id)?
                .into_iter()
                .map(|dep| index[dep])
                .collect();
            dependencies.sort_unstable();
            dependencies.dedup();
            crates.push(Crate {
                purl: purl(&package.name, &version, &source),
                sha256: source_repr
                    .and_then(|s| checksums.get(&package.name, &version, s))
                    .map(str::to_owned),
                license: package.license.as_deref().and_then(spdx_expression),
                proc_macro: is_proc_macro(package),
                build_only: reached[id] == Reach::Build,
                dependencies,
                name: package.name.clone(),
                version,
                source,
            });
        }
        Ok(DepSet {
            target: target.to_owned(),
            root: index[root_id],
            crates,
        })
    }

    /// The target triple the set was computed for.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The package whose binaries these are.
    pub fn root(&self) -> &Crate {
        &self.crates[self.root]
    }

    /// The index of [`DepSet::root`] in [`DepSet::crates`].
    pub fn root_index(&self) -> usize {
        self.root
    }

    /// Every crate, the root included, sorted by name, version and source.
    pub fn crates(&self) -> &[Crate] {
        &self.crates
    }
}

/// How a crate is reached from the root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reach {
    /// Through normal dependencies that are not proc-macros: linked into the binary.
    Runtime,
    /// Only through a proc-macro (or it is one): runs inside the compiler.
    Build,
}

/// The resolve graph with the lookups the walk needs.
struct Graph<'m> {
    packages: &'m HashMap<&'m str, &'m Package>,
    nodes: &'m HashMap<&'m str, &'m Node>,
    target: &'m str,
}

impl<'m> Graph<'m> {
    /// Every package reachable from `root` over normal edges, and how.
    fn reach(&self, root: &'m str) -> Result<HashMap<&'m str, Reach>, SbomError> {
        let mut reached = HashMap::from([(root, Reach::Runtime)]);
        let mut macros = Vec::new();
        let mut queue = VecDeque::from([root]);
        while let Some(id) = queue.pop_front() {
            for dep in self.normal_deps(id)? {
                if reached.contains_key(dep) {
                    continue;
                }
                if is_proc_macro(self.package(dep)?) {
                    reached.insert(dep, Reach::Build);
                    macros.push(dep);
                } else {
                    reached.insert(dep, Reach::Runtime);
                    queue.push_back(dep);
                }
            }
        }
        let mut queue = VecDeque::from(macros);
        while let Some(id) = queue.pop_front() {
            for dep in self.normal_deps(id)? {
                if !reached.contains_key(dep) {
                    reached.insert(dep, Reach::Build);
                    queue.push_back(dep);
                }
            }
        }
        Ok(reached)
    }

    /// The package ids `id` depends on through a normal edge for the target.
    fn normal_deps(&self, id: &str) -> Result<Vec<&'m str>, SbomError> {
        let node = self
            .nodes
            .get(id)
            .ok_or_else(|| SbomError::DanglingPackageId { id: id.to_owned() })?;
        let mut deps = Vec::new();
        for dep in &node.deps {
            let normal = dep.dep_kinds.iter().any(|kind| {
                kind.kind == DependencyKind::Normal
                    && kind.target.as_ref().is_none_or(|platform| {
                        // `cfg(…)` survived `--filter-platform`; a bare triple must match.
                        let platform = platform.to_string();
                        platform.starts_with("cfg(") || platform == self.target
                    })
            });
            if normal {
                self.package(&dep.pkg.repr)?;
                deps.push(dep.pkg.repr.as_str());
            }
        }
        Ok(deps)
    }

    fn package(&self, id: &str) -> Result<&'m Package, SbomError> {
        self.packages
            .get(id)
            .copied()
            .ok_or_else(|| SbomError::DanglingPackageId { id: id.to_owned() })
    }
}

/// The package id of the workspace member named `package`.
fn root_package_id<'m>(
    metadata: &'m Metadata,
    packages: &HashMap<&str, &'m Package>,
    package: &str,
) -> Result<&'m str, SbomError> {
    metadata
        .workspace_members
        .iter()
        .map(|id| id.repr.as_str())
        .find(|id| packages.get(id).is_some_and(|p| p.name == package))
        .ok_or_else(|| {
            let mut members: Vec<&str> = metadata
                .workspace_members
                .iter()
                .filter_map(|id| packages.get(id.repr.as_str()).map(|p| p.name.as_str()))
                .collect();
            members.sort_unstable();
            SbomError::UnknownPackage {
                package: package.to_owned(),
                members: members.join(", "),
            }
        })
}

/// Whether the package's library target is a proc-macro.
fn is_proc_macro(package: &Package) -> bool {
    package
        .targets
        .iter()
        .any(|t| t.kind.contains(&TargetKind::ProcMacro))
}
