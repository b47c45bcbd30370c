//! Free text typed on a phone, in canonical form: Unicode NFC (a letter typed as a base and
//! combining marks is stored as the one precomposed letter), control and invisible format
//! characters (NUL, zero-width space, right-to-left override...) removed, trimmed, inner runs
//! of whitespace collapsed, length-checked in characters (not bytes: Vietnamese letters take
//! two or three bytes each).

/// Unicode NFC. The server uses the `unicode-normalization` crate; the browser its own
/// `String.prototype.normalize`, which costs nothing to download. Both follow the Unicode
/// standard, so both sides store the same text.
pub fn nfc(raw: &str) -> String {
    #[cfg(feature = "ssr")]
    {
        use unicode_normalization::UnicodeNormalization;
        raw.nfc().collect()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        String::from(js_sys::JsString::from(raw).normalize("NFC"))
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        raw.to_string()
    }
}

/// A character nobody means to type in a name or a note: a control character other than
/// whitespace, or an invisible format character (Unicode general category Cf: soft hyphen,
/// zero-width space and joiners, direction marks and overrides, byte-order mark, tags...).
pub fn is_invisible(c: char) -> bool {
    (c.is_control() && !c.is_whitespace())
        || matches!(c,
            '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}'
            | '\u{0890}'..='\u{0891}' | '\u{08E2}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{110BD}' | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
}

/// Canonical one-line text: NFC, invisible characters removed, trimmed, every run of
/// whitespace collapsed to one space.
pub fn clean(raw: &str) -> String {
    let visible: String = raw.chars().filter(|c| !is_invisible(*c)).collect();
    nfc(&visible)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
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

/// Where a letter stands in the Vietnamese alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ
/// p q r s t u ư v x y, with f j w z where Latin puts them), and its tone (0: none, then
/// huyền, hỏi, ngã, sắc, nặng), for a lowercase precomposed letter. Other characters keep
/// their code point, after every letter.
fn letter(c: char) -> (u32, u8) {
    const VOWELS: [(&str, u32); 12] = [
        ("aàảãáạ", A),
        ("ăằẳẵắặ", A + 1),
        ("âầẩẫấậ", A + 2),
        ("eèẻẽéẹ", E),
        ("êềểễếệ", E + 1),
        ("iìỉĩíị", 13),
        ("oòỏõóọ", O),
        ("ôồổỗốộ", O + 1),
        ("ơờởỡớợ", O + 2),
        ("uùủũúụ", U),
        ("ưừửữứự", U + 1),
        ("yỳỷỹýỵ", 32),
    ];
    // Consonants (and f j w z) by rank - 4; a space holds a vowel's place.
    const OTHERS: &str = "bcdđ  fgh jklmn   pqrst  vwx z";
    for (forms, rank) in VOWELS {
        if let Some(tone) = forms.chars().position(|f| f == c) {
            return (rank, tone as u8);
        }
    }
    match OTHERS.chars().position(|l| l == c && l != ' ') {
        Some(i) => (4 + i as u32, 0),
        None => (1000 + c as u32, 0),
    }
}

const A: u32 = 1;
const E: u32 = 8;
const O: u32 = 19;
const U: u32 = 27;

/// Applies a combining mark (text typed in decomposed form) to the letter before it.
fn combine(previous: (u32, u8), mark: char) -> Option<(u32, u8)> {
    let (rank, tone) = previous;
    Some(match mark {
        '\u{0300}' => (rank, 1),
        '\u{0309}' => (rank, 2),
        '\u{0303}' => (rank, 3),
        '\u{0301}' => (rank, 4),
        '\u{0323}' => (rank, 5),
        '\u{0306}' if rank == A => (A + 1, tone),
        '\u{0302}' if rank == A => (A + 2, tone),
        '\u{0302}' if rank == E => (E + 1, tone),
        '\u{0302}' if rank == O => (O + 1, tone),
        '\u{031B}' if rank == O => (O + 2, tone),
        '\u{031B}' if rank == U => (U + 1, tone),
        _ => return None,
    })
}

/// A key that orders text the Vietnamese way: by letters of the Vietnamese alphabet first,
/// case ignored, then by tones; composed and decomposed forms give the same key.
pub fn collation_key(text: &str) -> Vec<u32> {
    let mut letters: Vec<(u32, u8)> = Vec::with_capacity(text.len());
    for c in clean(text).chars().flat_map(char::to_lowercase) {
        if let Some(combined) = letters.last().and_then(|last| combine(*last, c)) {
            *letters.last_mut().expect("a letter to combine with") = combined;
            continue;
        }
        letters.push(if c == ' ' { (0, 0) } else { letter(c) });
    }
    let mut key: Vec<u32> = letters.iter().map(|(rank, _)| *rank).collect();
    key.push(0);
    key.extend(letters.iter().map(|(_, tone)| u32::from(*tone)));
    key
}

/// Text with case, tones and letter marks taken off (`Đoàn Thanh niên` → `doan thanh nien`),
/// in composed or decomposed form alike: for matching what people type.
pub fn fold(text: &str) -> String {
    const BASES: [(&str, char); 6] = [
        ("aàảãáạăằẳẵắặâầẩẫấậ", 'a'),
        ("eèẻẽéẹêềểễếệ", 'e'),
        ("iìỉĩíị", 'i'),
        ("oòỏõóọôồổỗốộơờởỡớợ", 'o'),
        ("uùủũúụưừửữứự", 'u'),
        ("yỳỷỹýỵ", 'y'),
    ];
    clean(text)
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| !('\u{0300}'..='\u{036F}').contains(c))
        .map(|c| match c {
            'đ' => 'd',
            _ => BASES
                .iter()
                .find(|(forms, _)| forms.contains(c))
                .map_or(c, |(_, base)| *base),
        })
        .collect()
}

/// Orders people's names as Vietnamese lists do: by the given name (the last word), then by
/// the whole name from the family name on.
pub fn name_order(a: &str, b: &str) -> std::cmp::Ordering {
    let given = |name: &str| collation_key(name.split_whitespace().last().unwrap_or(""));
    given(a)
        .cmp(&given(b))
        .then_with(|| collation_key(a).cmp(&collation_key(b)))
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
    fn names_sort_by_the_given_name_first() {
        let mut names = vec![
            "Trần Thị Bình",
            "Nguyễn Văn An",
            "Lê Văn Ân",
            "Phạm Thị Ánh",
        ];
        names.sort_by(|a, b| name_order(a, b));
        assert_eq!(
            names,
            vec![
                "Nguyễn Văn An",
                "Phạm Thị Ánh",
                "Lê Văn Ân",
                "Trần Thị Bình"
            ]
        );
    }

    #[test]
    fn the_vietnamese_letters_have_their_own_places() {
        let order = [
            "an", "ăn", "ân", "bo", "da", "đa", "em", "êm", "ong", "ông", "ơn", "uy", "ưa", "xe",
            "yên",
        ];
        for pair in order.windows(2) {
            assert!(collation_key(pair[0]) < collation_key(pair[1]), "{pair:?}");
        }
    }

    #[test]
    fn tones_come_after_letters_and_case_is_ignored() {
        assert!(collation_key("ma") < collation_key("mà"));
        assert!(collation_key("mà") < collation_key("mả"));
        assert!(collation_key("mạ") < collation_key("mai"));
        assert_eq!(collation_key("NGUYỄN"), collation_key("nguyễn"));
    }

    #[test]
    fn decomposed_text_sorts_like_composed_text() {
        assert_eq!(
            collation_key("Nguye\u{0302}\u{0303}n"),
            collation_key("Nguyễn")
        );
        assert_eq!(
            collation_key("\u{0111}o\u{031B}\u{0300}i"),
            collation_key("đời")
        );
    }

    #[test]
    fn folding_drops_case_tones_and_marks() {
        assert_eq!(fold("Đoàn Thanh niên"), "doan thanh nien");
        assert_eq!(fold("NGUYỄN  Văn Ánh"), "nguyen van anh");
        assert_eq!(fold("Nguye\u{0302}\u{0303}n"), "nguyen");
    }

    #[test]
    fn decomposed_text_is_stored_composed() {
        assert_eq!(clean("Nguye\u{0302}\u{0303}n Va\u{0306}n"), "Nguyễn Văn");
        assert_eq!(clean("Nguye\u{0302}\u{0303}n"), clean("Nguyễn"));
    }

    #[test]
    fn controls_and_invisible_format_characters_are_removed() {
        assert_eq!(clean("An\u{0}h"), "Anh");
        assert_eq!(clean("Bi\u{200B}nh\u{FEFF}"), "Binh");
        assert_eq!(clean("\u{202E}Ánh\u{202C}"), "Ánh");
        assert_eq!(
            clean_multiline("dòng một\u{7}\ndòng hai"),
            "dòng một\ndòng hai"
        );
    }

    #[test]
    fn length_counts_vietnamese_letters_once() {
        assert_eq!(char_len("Ễ"), 1);
        assert_eq!(char_len("Nguyễn"), 6);
    }
}
