//! One deb822 paragraph (`Field: value` lines, continuation lines starting with a
//! space): the `control` file of a .deb read in, a `Packages` stanza written out.

/// Fields in their original order; a multi-line value keeps its continuation lines
/// (`first\n second\n .`), leading space included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Paragraph {
    fields: Vec<(String, String)>,
}

impl Paragraph {
    /// Parses a single paragraph; the error says what is wrong with `text`.
    pub fn parse(text: &str) -> Result<Paragraph, String> {
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut ended = false;
        for (number, line) in text.lines().enumerate() {
            let number = number + 1;
            let line = line.trim_end();
            if line.is_empty() {
                ended = !fields.is_empty();
                continue;
            }
            if ended {
                return Err(format!(
                    "has a second paragraph at line {number} (a control file holds one)"
                ));
            }
            if line.starts_with([' ', '\t']) {
                let Some((_, value)) = fields.last_mut() else {
                    return Err(format!("starts with a continuation line (line {number})"));
                };
                value.push('\n');
                value.push_str(line);
                continue;
            }
            let Some((name, value)) = line.split_once(':') else {
                return Err(format!(
                    "has a line without `Field:` (line {number}: {line:?})"
                ));
            };
            if name.is_empty()
                || name.starts_with(['#', '-'])
                || !name.bytes().all(|b| b.is_ascii_graphic())
            {
                return Err(format!(
                    "has an invalid field name {name:?} (line {number})"
                ));
            }
            if fields.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                return Err(format!("has the field {name} twice (line {number})"));
            }
            fields.push((name.to_owned(), value.trim_start().to_owned()));
        }
        Ok(Paragraph { fields })
    }

    /// The value of `name` (field names compare case-insensitively).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Removes `name` if present.
    pub fn remove(&mut self, name: &str) {
        self.fields.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// Appends `name: value` (a single-line value), replacing any earlier one.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.remove(name);
        self.fields.push((name.to_owned(), value.into()));
    }

    /// The paragraph as text, every line ending in `\n`, no blank line after it.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (name, value) in &self.fields {
            out.push_str(name);
            out.push(':');
            if !value.is_empty() && !value.starts_with('\n') {
                out.push(' ');
            }
            out.push_str(value);
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_multiline_values() {
        let text = "Package: hello\nVersion: 1.0\nDescription: Greets\n Long text.\n .\n More.\nDepends:\n libc6\n";
        let p = Paragraph::parse(text).unwrap();
        assert_eq!(p.get("version"), Some("1.0"));
        assert_eq!(
            p.get("Description"),
            Some("Greets\n Long text.\n .\n More.")
        );
        assert_eq!(p.render(), text);
    }

    #[test]
    fn rejects_what_is_not_one_paragraph() {
        for (text, want) in [
            ("Package: a\n\nPackage: b\n", "second paragraph"),
            (" x\n", "continuation"),
            ("Package a\n", "without `Field:`"),
            ("Package: a\npackage: b\n", "twice"),
        ] {
            let err = Paragraph::parse(text).unwrap_err();
            assert!(err.contains(want), "{text:?}: {err}");
        }
    }
}
