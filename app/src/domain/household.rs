//! When two households of a village are probably the same one: the same head's name, folded
//! (case, tones and marks ignored), and the same house number. The form warns before adding a
//! household that looks like an existing one; the village's list groups them for a merge.

use super::text::fold;

/// The house number of an address: its first run of digits, with `/` or `-` parts ("12/3",
/// "7-9"); an address without digits is compared whole, folded.
pub fn house_number(address: &str) -> String {
    let folded = fold(address);
    let start = folded.find(|c: char| c.is_ascii_digit());
    match start {
        Some(i) => folded[i..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '/' || *c == '-')
            .collect::<String>()
            .trim_end_matches(['/', '-'])
            .to_string(),
        None => folded,
    }
}

/// Households with equal keys look like the same household.
pub fn duplicate_key(head_name: &str, address: &str) -> String {
    format!("{}|{}", fold(head_name), house_number(address))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_head_and_house_number_look_alike_whatever_the_typing() {
        assert_eq!(
            duplicate_key("Nguyễn Văn An", "Số 12, thôn Hội Khánh"),
            duplicate_key("nguyen van an", "so 12")
        );
        assert_eq!(
            duplicate_key("Nguye\u{0302}\u{0303}n Văn An", "12"),
            duplicate_key("NGUYỄN VĂN AN", "Nhà 12")
        );
    }

    #[test]
    fn another_house_number_or_another_name_is_another_household() {
        assert_ne!(
            duplicate_key("Nguyễn Văn An", "Số 12"),
            duplicate_key("Nguyễn Văn An", "Số 14")
        );
        assert_ne!(
            duplicate_key("Nguyễn Văn An", "Số 12"),
            duplicate_key("Nguyễn Văn Bình", "Số 12")
        );
        assert_eq!(house_number("Ngõ 12/3 đường Lê Lợi"), "12/3");
        assert_eq!(house_number("Xóm Bãi"), "xom bai");
    }
}
