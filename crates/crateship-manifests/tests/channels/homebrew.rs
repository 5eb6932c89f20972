//! The Homebrew formula and cask: `ruby -c` (Debian ruby) accepts both, and Ruby
//! loads each with a small stand-in for Homebrew's DSL that records every `url` and
//! `sha256` with the OS and CPU blocks around it, what `install` installs and the
//! `zap` paths; every sha256 must be the one SHA256SUMS lists for its URL's file.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crateship_manifests::homebrew::homebrew;

use crate::support::{FakeRelease, file, run_ok, write};

/// Homebrew's DSL reduced to recording: blocks push their name as context, `url` and
/// `sha256` pair up per context, install calls and zap paths are listed.
const RECORDER: &str = r##"
require "json"
$record = { "downloads" => {}, "installs" => [], "tests" => 0, "fields" => {} }
$context = []
module Dsl
  def on_macos; $context.push("macos"); yield; $context.pop; end
  def on_linux; $context.push("linux"); yield; $context.pop; end
  def on_arm; $context.push("arm"); yield; $context.pop; end
  def on_intel; $context.push("intel"); yield; $context.pop; end
  def download; $record["downloads"][$context.join("/")] ||= {}; end
  def url(value, **) = download["url"] = value
  def sha256(value) = download["sha256"] = value
  %w[desc homepage version name app depends_on].each do |field|
    define_method(field) { |value = nil, **kw| $record["fields"][field] = value || kw.to_s }
  end
  def license(value = nil, **kw) = $record["fields"]["license"] = value || kw
  def zap(trash:) = $record["zap"] = trash
  def test(&block) = $record["test_block"] = block
end
class Installer
  def initialize(dir) = @dir = dir
  def install(*args)
    args.each do |arg|
      pairs = arg.is_a?(Hash) ? arg.to_a : [[arg, File.basename(arg)]]
      pairs.each { |from, to| $record["installs"] << [@dir, from, to] }
    end
  end
end
class Formula
  extend Dsl
  %w[bin man1 bash_completion zsh_completion fish_completion].each do |dir|
    define_method(dir) { Installer.new(dir) }
  end
  def assert_predicate(path, predicate) = $record["tests"] += 1
end
class Installer
  def /(other) = "#{@dir}/#{other}"
end
def cask(token, &block)
  $record["fields"]["token"] = token
  Object.new.extend(Dsl).instance_eval(&block)
end
load ARGV[0]
constant = Object.constants.find { |c| (k = Object.const_get(c)).is_a?(Class) && k < Formula }
if constant
  $record["fields"]["class"] = constant.to_s
  formula = Object.const_get(constant).new
  formula.install
  formula.instance_eval(&$record.delete("test_block"))
end
$record.delete("test_block")
puts JSON.generate($record)
"##;

fn record(dir: &Path, rb: &Path) -> serde_json::Value {
    let recorder = dir.join("recorder.rb");
    fs::write(&recorder, RECORDER).unwrap();
    let json = run_ok(dir, "ruby", &[&recorder, &rb]);
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

/// file name → sha256 as SHA256SUMS lists them.
fn sums(release_dir: &Path) -> BTreeMap<String, String> {
    fs::read_to_string(release_dir.join("SHA256SUMS"))
        .unwrap()
        .lines()
        .map(|l| {
            let (hash, name) = l.split_once("  ").unwrap();
            (name.to_owned(), hash.to_owned())
        })
        .collect()
}

/// context → (file name, sha256), each sha256 checked against SHA256SUMS.
fn downloads(
    record: &serde_json::Value,
    sums: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    record["downloads"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(context, d)| {
            let url = d["url"].as_str().unwrap();
            let name = url.strip_prefix("https://example.org/dl/v1.2.3/").unwrap();
            assert_eq!(d["sha256"].as_str(), Some(sums[name].as_str()), "{name}");
            (context.clone(), name.to_owned())
        })
        .collect()
}

#[test]
fn ruby_accepts_the_formula_and_cask_and_their_hashes_are_sha256sums() {
    let tmp = tempfile::tempdir().unwrap();
    let release_dir = tmp.path().join("release");
    let fake = FakeRelease::new(&release_dir, "https://example.org/dl/v{version}");
    let files = homebrew(&fake.release).unwrap();
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["Formula/hello.rb", "Casks/hello-desktop.rb"]);
    let tap = tmp.path().join("tap");
    write(&tap, &files);
    for rb in &paths {
        let out = run_ok(&tap, "ruby", &[&"-c", rb]);
        assert!(out.contains("Syntax OK"), "{out}");
    }
    let sums = sums(&release_dir);

    let formula = record(&tap, &tap.join("Formula/hello.rb"));
    assert_eq!(formula["fields"]["class"], "Hello");
    assert_eq!(formula["fields"]["desc"], "Says hello   from the desktop");
    assert_eq!(
        formula["fields"]["license"],
        serde_json::json!({"any_of": ["MIT", "Apache-2.0"]})
    );
    let expected: BTreeMap<String, String> = [
        ("linux/arm", "hello-1.2.3-aarch64-unknown-linux-gnu.tar.gz"),
        ("linux/intel", "hello-1.2.3-x86_64-unknown-linux-gnu.tar.gz"),
        ("macos/arm", "hello-1.2.3-aarch64-apple-darwin.tar.gz"),
        ("macos/intel", "hello-1.2.3-x86_64-apple-darwin.tar.gz"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(downloads(&formula, &sums), expected);
    assert_eq!(
        formula["installs"],
        serde_json::json!([
            ["bin", "hello", "hello"],
            ["bin", "hello-cli", "hello-cli"],
            ["man1", "doc/hello.1", "hello.1"],
            ["bash_completion", "completions/hello.bash", "hello"],
            ["zsh_completion", "completions/_hello", "_hello"],
            ["fish_completion", "completions/hello.fish", "hello.fish"],
        ])
    );
    assert_eq!(formula["tests"], 2);

    let cask = record(&tap, &tap.join("Casks/hello-desktop.rb"));
    assert_eq!(cask["fields"]["token"], "hello-desktop");
    assert_eq!(cask["fields"]["app"], "Hello Desktop.app");
    let expected: BTreeMap<String, String> = [
        ("arm", "Hello-Desktop-1.2.3-arm64.dmg"),
        ("intel", "Hello-Desktop-1.2.3-x86_64.dmg"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(downloads(&cask, &sums), expected);
    assert_eq!(
        cask["zap"],
        serde_json::json!([
            "~/Library/Application Support/org.example.hello",
            "~/Library/Caches/org.example.hello",
            "~/Library/Preferences/org.example.hello.plist",
            "~/Library/Saved Application State/org.example.hello.savedState",
        ])
    );
    assert!(file(&files, "Casks/hello-desktop.rb").contains("  app \"Hello Desktop.app\"\n"));
}
