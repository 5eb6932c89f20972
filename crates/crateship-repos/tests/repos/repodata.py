"""Prints the package entries of a repository's primary, filelists and other
metadata, one canonical line per fact, packages sorted, so the repodata of two
repositories compare as text. The package file's mtime (`<time file=...>`) is left
out: createrepo_c takes it from the file system, crateship from the build time.

Usage: python3 repodata.py REPO_DIR   (finds the files through repodata/repomd.xml)
"""
import gzip
import sys
import xml.etree.ElementTree as ET

REPO = "{http://linux.duke.edu/metadata/repo}"
COMMON = "{http://linux.duke.edu/metadata/common}"
FILELISTS = "{http://linux.duke.edu/metadata/filelists}"
OTHER = "{http://linux.duke.edu/metadata/other}"
RPM = "{http://linux.duke.edu/metadata/rpm}"

repo = sys.argv[1]
repomd = ET.parse(f"{repo}/repodata/repomd.xml").getroot()


def load(kind):
    href = next(
        d.find(f"{REPO}location").get("href")
        for d in repomd.findall(f"{REPO}data")
        if d.get("type") == kind
    )
    return ET.fromstring(gzip.open(f"{repo}/{href}").read())


def version(v):
    return f"{v.get('epoch')}:{v.get('ver')}-{v.get('rel')}"


def primary(pkg, fact):
    fact("location", pkg.find(f"{COMMON}location").get("href"))
    for tag in ["name", "arch", "summary", "description", "packager", "url"]:
        fact(tag, repr(pkg.find(f"{COMMON}{tag}").text or ""))
    fact("version", version(pkg.find(f"{COMMON}version")))
    c = pkg.find(f"{COMMON}checksum")
    fact("checksum", c.get("type"), c.get("pkgid"), c.text)
    s = pkg.find(f"{COMMON}size")
    fact("size", s.get("package"), s.get("installed"), s.get("archive"))
    fact("build-time", pkg.find(f"{COMMON}time").get("build"))
    fmt = pkg.find(f"{COMMON}format")
    for tag in ["license", "vendor", "group", "buildhost", "sourcerpm"]:
        fact(tag, repr(fmt.find(f"{RPM}{tag}").text or ""))
    r = fmt.find(f"{RPM}header-range")
    fact("header-range", r.get("start"), r.get("end"))
    kinds = ["provides", "requires", "conflicts", "obsoletes",
             "suggests", "enhances", "recommends", "supplements"]
    for kind in kinds:
        group = fmt.find(f"{RPM}{kind}")
        for e in [] if group is None else group.findall(f"{RPM}entry"):
            attrs = ["name", "flags", "epoch", "ver", "rel", "pre"]
            fact(kind, *(f"{a}={e.get(a)}" for a in attrs if e.get(a) is not None))
    for f in fmt.findall(f"{COMMON}file"):
        fact("file", f.get("type", "file"), f.text)


def filelists(pkg, fact):
    fact("files of", pkg.get("pkgid"), pkg.get("name"), pkg.get("arch"))
    fact("version", version(pkg.find(f"{FILELISTS}version")))
    for f in pkg.findall(f"{FILELISTS}file"):
        fact("file", f.get("type", "file"), f.text)


def other(pkg, fact):
    fact("changelog of", pkg.get("pkgid"), pkg.get("name"), pkg.get("arch"))
    fact("version", version(pkg.find(f"{OTHER}version")))
    for c in pkg.findall(f"{OTHER}changelog"):
        fact("changelog", repr(c.get("author")), c.get("date"), repr(c.text or ""))


for kind, ns, describe in [("primary", COMMON, primary),
                           ("filelists", FILELISTS, filelists),
                           ("other", OTHER, other)]:
    root = load(kind)
    print(kind, "packages", root.get("packages"))
    blocks = []
    for pkg in root.findall(f"{ns}package"):
        out = []
        describe(pkg, lambda *parts: out.append(" ".join(str(p) for p in parts)))
        blocks.append("\n".join(out))
    print("\n\n".join(sorted(blocks)))
