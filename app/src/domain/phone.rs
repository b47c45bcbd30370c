//! Vietnamese phone numbers, stored in one canonical form: ten digits starting with `0`.

use serde::{Deserialize, Serialize};

/// A phone number in canonical national form, e.g. `0912345678`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

/// Why a phone number was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhoneError {
    /// Not ten digits starting with 0 (after removing spaces, dots, dashes and a +84 prefix).
    Invalid,
}

impl std::fmt::Display for PhoneError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a phone number has 10 digits and starts with 0")
    }
}

impl std::error::Error for PhoneError {}

impl PhoneNumber {
    /// Parses what a person types: `0912 345 678`, `0912.345.678`, `+84 912 345 678`.
    pub fn parse(raw: &str) -> Result<Self, PhoneError> {
        let trimmed = raw.trim();
        let (international, rest) = match trimmed.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let mut digits = String::with_capacity(12);
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '.' | '-' => {}
                _ => return Err(PhoneError::Invalid),
            }
        }
        let national = if international || (digits.len() == 11 && digits.starts_with("84")) {
            match digits.strip_prefix("84") {
                Some(local) if !local.starts_with('0') => format!("0{local}"),
                _ => return Err(PhoneError::Invalid),
            }
        } else {
            digits
        };
        if national.len() == 10 && national.starts_with('0') {
            Ok(Self(national))
        } else {
            Err(PhoneError::Invalid)
        }
    }

    /// The canonical ten-digit form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = PhoneError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PhoneNumber> for String {
    fn from(value: PhoneNumber) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spaced_national_number_is_accepted_in_canonical_form() {
        assert_eq!(
            PhoneNumber::parse(" 0912 345 678 ").unwrap().as_str(),
            "0912345678"
        );
    }

    #[test]
    fn dots_and_dashes_are_ignored() {
        assert_eq!(
            PhoneNumber::parse("0912.345-678").unwrap().as_str(),
            "0912345678"
        );
    }

    #[test]
    fn the_international_prefix_becomes_a_leading_zero() {
        assert_eq!(
            PhoneNumber::parse("+84 912 345 678").unwrap().as_str(),
            "0912345678"
        );
        assert_eq!(
            PhoneNumber::parse("84912345678").unwrap().as_str(),
            "0912345678"
        );
    }

    #[test]
    fn too_short_too_long_or_lettered_numbers_are_refused() {
        for raw in [
            "",
            "091234567",
            "09123456789",
            "09123a5678",
            "1912345678",
            "+840912345678",
        ] {
            assert_eq!(PhoneNumber::parse(raw), Err(PhoneError::Invalid), "{raw}");
        }
    }
}
