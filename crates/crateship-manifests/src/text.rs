//! Quoting values into the languages the channel files are written in: shell
//! (PKGBUILD, install.sh), Ruby (Homebrew) and YAML (winget). Each function gives a
//! literal that reads back as exactly the value given.

/// A POSIX shell single-quoted word: `'it'\''s'`.
pub(crate) fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// A Ruby double-quoted string literal with `\`, `"` and `#` escaped (no interpolation).
pub(crate) fn ruby_string(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '"' => out.push_str("\\\""),
            '#' => out.push_str("\\#"),
            '\n' => out.push_str(r"\n"),
            '\t' => out.push_str(r"\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A YAML scalar for a string value: plain when that cannot be read as anything else
/// (a number, a boolean, null, a mapping, a comment), else double-quoted JSON style,
/// which YAML reads the same way.
pub(crate) fn yaml_string(value: &str) -> String {
    if is_plain_yaml(value) {
        value.to_owned()
    } else {
        serde_json::Value::String(value.to_owned()).to_string()
    }
}

fn is_plain_yaml(value: &str) -> bool {
    const WORDS: [&str; 12] = [
        "true", "false", "yes", "no", "on", "off", "null", "y", "n", "~", "nan", "inf",
    ];
    let starts_with_letter = value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic());
    starts_with_letter
        && !WORDS.contains(&value.to_ascii_lowercase().as_str())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " ._/:+-()@,".contains(c))
        && !value.contains(": ")
        && !value.ends_with([':', ' '])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_so_they_read_back_unchanged() {
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(ruby_string(r#"a "b" #{x} \"#), r#""a \"b\" \#{x} \\""#);
        assert_eq!(yaml_string("Hello Desktop"), "Hello Desktop");
        assert_eq!(
            yaml_string("https://example.org/x"),
            "https://example.org/x"
        );
        assert_eq!(yaml_string("1.10"), "\"1.10\"");
        assert_eq!(yaml_string("yes"), "\"yes\"");
        assert_eq!(yaml_string("a: b"), "\"a: b\"");
        assert_eq!(yaml_string("{ABC}"), "\"{ABC}\"");
        assert_eq!(yaml_string("x # y"), "\"x # y\"");
    }
}
