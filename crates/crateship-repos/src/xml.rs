//! Text and attribute values for the repodata XML: escaped, and with the characters
//! XML 1.0 cannot hold at all (most C0 controls) dropped.

/// `value` ready to go between tags or inside a double-quoted attribute.
pub(crate) fn text(value: &str) -> String {
    let allowed: String = value
        .chars()
        .filter(|&c| matches!(c, '\t' | '\n' | '\r') || !c.is_control())
        .collect();
    crateship_template::xml_escape(&allowed)
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            super::text("a<b & \"c\"\u{1}\n"),
            "a&lt;b &amp; &quot;c&quot;\n"
        );
    }
}
