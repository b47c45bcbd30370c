//! Extractors and checks for what requests carry, each refusing with the API's own error
//! shape: path ids (a malformed id is no record: 404), queries (422 `invalid_query`), and
//! the fields of the administration forms (422 with a code and the field).

use app::domain::text::{char_len, clean};
use app::domain::time::Date;
use app::domain::PhoneNumber;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Path parameters; a malformed one answers 404, as a record that does not exist.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| ApiPath(value))
            .map_err(|_: PathRejection| ApiError::NotFound)
    }
}

/// A query string; a malformed one answers 422 `invalid_query`.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| ApiQuery(value))
            .map_err(|e: QueryRejection| {
                ApiError::InvalidQuery(crate::error::without_values(&e.body_text()))
            })
    }
}

/// Longest name of a person, a team, a village.
pub const MAX_NAME: usize = 100;

/// A name: cleaned, 1 to [`MAX_NAME`] characters.
pub fn name(raw: &str, field: &'static str) -> Result<String, ApiError> {
    let name = clean(raw);
    if name.is_empty() {
        return Err(ApiError::invalid("name_required", field, "enter a name"));
    }
    if char_len(&name) > MAX_NAME {
        return Err(ApiError::invalid(
            "name_too_long",
            field,
            "a name has at most 100 characters",
        ));
    }
    Ok(name)
}

/// A name that may be left out.
pub fn optional_name(raw: Option<&str>, field: &'static str) -> Result<Option<String>, ApiError> {
    raw.map(|n| name(n, field)).transpose()
}

/// A phone number in canonical form.
pub fn phone(raw: &str) -> Result<PhoneNumber, ApiError> {
    PhoneNumber::parse(raw).map_err(|_| {
        ApiError::invalid(
            "phone_invalid",
            "phone",
            "a phone number has 10 digits and starts with 0",
        )
    })
}

/// A date `yyyy-mm-dd`, or nothing for an empty value.
pub fn date(raw: Option<&str>, field: &'static str) -> Result<Option<String>, ApiError> {
    match raw.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(None),
        Some(d) if Date::parse_iso(d).is_some() => Ok(Some(d.to_string())),
        Some(_) => Err(ApiError::invalid(
            "date_invalid",
            field,
            "a date is written yyyy-mm-dd",
        )),
    }
}

/// Short free text (a decision number): cleaned, at most 100 characters, nothing if empty.
pub fn short_text(raw: Option<&str>, field: &'static str) -> Result<Option<String>, ApiError> {
    match raw.map(clean).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) if char_len(&t) <= MAX_NAME => Ok(Some(t)),
        Some(_) => Err(ApiError::invalid(
            "text_too_long",
            field,
            "at most 100 characters",
        )),
    }
}

/// Most households a village may count.
pub const MAX_HOUSEHOLDS: i64 = 100_000;

/// An official household count.
pub fn household_count(raw: Option<i64>) -> Result<Option<i64>, ApiError> {
    match raw {
        Some(n) if !(0..=MAX_HOUSEHOLDS).contains(&n) => Err(ApiError::invalid(
            "household_count_invalid",
            "household_count",
            "a household count is between 0 and 100000",
        )),
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_and_bounded() {
        assert_eq!(
            name("  Thôn   Hội Khánh ", "name").unwrap(),
            "Thôn Hội Khánh"
        );
        assert_eq!(name(" ", "name").unwrap_err().code(), "name_required");
        assert_eq!(
            name(&"ư".repeat(101), "name").unwrap_err().code(),
            "name_too_long"
        );
    }

    #[test]
    fn dates_and_counts_are_checked() {
        assert_eq!(
            date(Some("2025-07-15"), "d").unwrap().as_deref(),
            Some("2025-07-15")
        );
        assert_eq!(date(Some(""), "d").unwrap(), None);
        assert_eq!(
            date(Some("15/07/2025"), "d").unwrap_err().code(),
            "date_invalid"
        );
        assert!(household_count(Some(-1)).is_err());
        assert_eq!(household_count(Some(412)).unwrap(), Some(412));
    }
}
