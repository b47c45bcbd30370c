//! Free text typed on a phone: trimmed, inner runs of whitespace collapsed, length-checked in
//! characters (not bytes: Vietnamese letters take two or three bytes each).

/// Trims and collapses every run of whitespace to one space.
pub fn clean(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Like [`clean`] but keeps line breaks, for notes.
pub fn clean_multiline(raw: &str) -> String {
    raw.lines()
        .map(clean)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// Number of characters (Unicode scalar values).
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_trims_and_collapses_spaces() {
        assert_eq!(clean("  Nguyễn   Văn\tAn \n"), "Nguyễn Văn An");
    }

    #[test]
    fn clean_multiline_keeps_lines_but_drops_blank_edges() {
        assert_eq!(
            clean_multiline("\n  hẹn  lại \n thứ hai  \n"),
            "hẹn lại\nthứ hai"
        );
    }

    #[test]
    fn length_counts_vietnamese_letters_once() {
        assert_eq!(char_len("Ễ"), 1);
        assert_eq!(char_len("Nguyễn"), 6);
    }
}
