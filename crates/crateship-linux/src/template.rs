//! A deliberately tiny template language for the text files users may override.
//!
//! `{{key}}` is replaced by its value. A line on which any placeholder expands to
//! the empty string is dropped, so optional fields need no conditionals
//! (`Keywords={{keywords}}` disappears when there are no keywords). Unknown
//! placeholders are an error that lists the known ones.

use crate::LinuxError;

/// Fills `template` (named `name` in errors) from `values`.
pub(crate) fn render(
    name: &str,
    template: &str,
    values: &[(&str, String)],
) -> Result<String, LinuxError> {
    let mut out = String::with_capacity(template.len() * 2);
    for line in template.split_inclusive('\n') {
        let mut rendered = String::with_capacity(line.len());
        let mut rest = line;
        let mut drop_line = false;
        while let Some(start) = rest.find("{{") {
            let Some(len) = rest[start + 2..].find("}}") else {
                break;
            };
            let key = rest[start + 2..start + 2 + len].trim();
            let Some((_, value)) = values.iter().find(|(k, _)| *k == key) else {
                return Err(LinuxError::UnknownPlaceholder {
                    template: name.to_owned(),
                    placeholder: key.to_owned(),
                    known: values
                        .iter()
                        .map(|(k, _)| *k)
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            };
            drop_line |= value.is_empty();
            rendered.push_str(&rest[..start]);
            rendered.push_str(value);
            rest = &rest[start + 2 + len + 2..];
        }
        rendered.push_str(rest);
        if !drop_line {
            out.push_str(&rendered);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_lines_with_empty_values() {
        let values = [("a", "x".to_owned()), ("b", String::new())];
        assert_eq!(
            render("t", "A={{a}}\nB={{ b }}\nC\n", &values).unwrap(),
            "A=x\nC\n"
        );
    }

    #[test]
    fn unknown_placeholder_is_an_error() {
        let err = render("t", "{{nope}}", &[("a", String::new())])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("nope") && err.contains("known placeholders: a"),
            "{err}"
        );
    }
}
