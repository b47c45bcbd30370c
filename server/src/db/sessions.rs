//! Sign-in sessions. The cookie holds a random token; the table holds only its SHA-256.

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::users::{Account, CLOSED_GRACE_MS};
use super::{DbError, Store};

/// How long a session lives after its last use: 30 days.
pub const LIFETIME_MS: i64 = 30 * 24 * 3600 * 1000;
/// A session is extended at most once per this period, to spare the writer.
pub const SLIDE_EVERY_MS: i64 = 24 * 3600 * 1000;
/// Live sessions one user may hold (phones, browsers); a new sign-in past it ends the one
/// used longest ago, so sign-ins in a loop cannot grow the table.
pub const MAX_PER_USER: i64 = 10;

const INSERT: &str =
    "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)";
/// A live session of an open account, or of one closed less than the grace period ago.
const LOOKUP: &str =
    "SELECT s.user_id, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
     WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND (u.active = 1 OR u.closed_at > ?3)";
const END_OTHERS: &str = "DELETE FROM sessions WHERE user_id = ?1 AND token_hash <> ?2";
const EXTEND: &str = "UPDATE sessions SET expires_at = ?2 WHERE token_hash = ?1";
const DELETE: &str = "DELETE FROM sessions WHERE token_hash = ?1";
const PURGE: &str = "DELETE FROM sessions WHERE expires_at <= ?1";
/// Ends a user's sessions past the `?2` used most recently (a session's expiry moves with use).
const TRIM: &str = "DELETE FROM sessions WHERE user_id = ?1 AND token_hash NOT IN \
     (SELECT token_hash FROM sessions WHERE user_id = ?1 \
      ORDER BY expires_at DESC, created_at DESC LIMIT ?2)";

#[cfg(test)]
pub(crate) const STATEMENTS: &[&str] = &[INSERT, LOOKUP, EXTEND, DELETE, PURGE, END_OTHERS, TRIM];

/// A new random session token (256 bits, hex).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the table stores for a token.
pub fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Stores a new session; also clears expired ones, and the user's sessions past
/// [`MAX_PER_USER`] (the new one is the most recent, so it stays).
pub fn create(conn: &Connection, token: &str, user: Uuid, now: i64) -> Result<(), DbError> {
    conn.prepare_cached(PURGE)?.execute([now])?;
    conn.prepare_cached(INSERT)?.execute(params![
        hash_token(token),
        user.to_string(),
        now,
        now + LIFETIME_MS
    ])?;
    conn.prepare_cached(TRIM)?
        .execute(params![user.to_string(), MAX_PER_USER])?;
    Ok(())
}

/// The live session for `token`: its user and expiry.
pub fn lookup(conn: &Connection, token: &str, now: i64) -> Result<Option<(Uuid, i64)>, DbError> {
    let row = conn
        .prepare_cached(LOOKUP)?
        .query_row(
            params![hash_token(token), now, now - CLOSED_GRACE_MS],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
        )
        .optional()?;
    Ok(row.and_then(|(user, expires)| Uuid::parse_str(&user).ok().map(|u| (u, expires))))
}

/// Whether a session used at `now` and expiring at `expires_at` should be pushed forward.
pub fn should_slide(expires_at: i64, now: i64) -> bool {
    expires_at - now < LIFETIME_MS - SLIDE_EVERY_MS
}

/// Moves the expiry to `now + 30 days`.
pub fn extend(conn: &Connection, token: &str, now: i64) -> Result<(), DbError> {
    conn.prepare_cached(EXTEND)?
        .execute(params![hash_token(token), now + LIFETIME_MS])?;
    Ok(())
}

/// Ends a session.
pub fn delete(conn: &Connection, token: &str) -> Result<(), DbError> {
    conn.prepare_cached(DELETE)?.execute([hash_token(token)])?;
    Ok(())
}

/// Ends every session of `user` but the one with token `keep`.
pub fn end_others(conn: &Connection, user: Uuid, keep: &str) -> Result<(), DbError> {
    conn.prepare_cached(END_OTHERS)?
        .execute(params![user.to_string(), hash_token(keep)])?;
    Ok(())
}

/// A live session: whose, until when.
#[derive(Clone, Debug)]
pub struct Live {
    /// The account.
    pub account: Account,
    /// When the session expires (ms).
    pub expires_at: i64,
}

impl Store {
    /// The live session for `token` and its account.
    pub async fn session(&self, token: String, now: i64) -> Result<Option<Live>, DbError> {
        self.db
            .read(move |conn| {
                let Some((user, expires_at)) = lookup(conn, &token, now)? else {
                    return Ok(None);
                };
                Ok(super::users::account(conn, user)?.map(|account| Live {
                    account,
                    expires_at,
                }))
            })
            .await
    }

    /// Starts a session (and clears expired ones).
    pub async fn open_session(&self, token: String, user: Uuid, now: i64) -> Result<(), DbError> {
        self.db
            .write(move |conn| create(conn, &token, user, now))
            .await
    }

    /// Moves a session's expiry forward.
    pub async fn extend_session(&self, token: String, now: i64) -> Result<(), DbError> {
        self.db.write(move |conn| extend(conn, &token, now)).await
    }

    /// Ends a session.
    pub async fn end_session(&self, token: String) -> Result<(), DbError> {
        self.db.write(move |conn| delete(conn, &token)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_stored_only_as_hashes() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_ne!(hash_token(&a), a);
        assert_eq!(hash_token(&a), hash_token(&a));
    }

    #[test]
    fn a_session_slides_at_most_once_a_day() {
        let now = 1_000_000_000_000;
        assert!(!should_slide(now + LIFETIME_MS, now));
        assert!(!should_slide(now + LIFETIME_MS - SLIDE_EVERY_MS + 1, now));
        assert!(should_slide(now + LIFETIME_MS - SLIDE_EVERY_MS - 1, now));
    }
}
