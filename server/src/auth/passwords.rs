//! Password hashing on a small, fixed pool of threads. Argon2id is deliberately expensive
//! (19 MiB and tens of milliseconds a hash): run on the runtime's unbounded blocking pool, a
//! burst of sign-ins spread hashes over hundreds of threads, each keeping its own allocator
//! arena, and the server grew to gigabytes it never gave back. Here at most `workers` hashes
//! run at once, always on the same threads; the others wait their turn in a bounded queue.

use std::sync::{Arc, LazyLock, Mutex};

use tokio::sync::{mpsc, oneshot};

type Job = Box<dyn FnOnce() + Send>;

/// The hashing pool.
#[derive(Clone)]
pub struct Hasher {
    jobs: mpsc::Sender<Job>,
}

/// How many hashes may wait for a worker before callers wait to queue.
const QUEUE: usize = 64;

/// A hash of a random password, checked when the phone number is unknown so that a wrong
/// number takes as long as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| password_auth::generate_hash(crate::db::sessions::new_token()));

impl Hasher {
    /// Starts `workers` hashing threads (at least one).
    pub fn new(workers: usize) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>(QUEUE);
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..workers.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("sotay-hash-{i}"))
                .spawn(move || loop {
                    let job = {
                        let mut queue = queue.lock().unwrap_or_else(|p| p.into_inner());
                        queue.blocking_recv()
                    };
                    match job {
                        Some(job) => job(),
                        None => return,
                    }
                })
                .expect("a hashing thread");
        }
        Self { jobs }
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> T {
        let (done, answer) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(work());
        });
        if self.jobs.send(job).await.is_err() {
            unreachable!("the hashing threads never stop while a sender lives");
        }
        answer.await.expect("a hashing job always answers")
    }

    /// Hashes a password (argon2id, PHC string).
    pub async fn hash(&self, password: String) -> String {
        self.run(move || password_auth::generate_hash(password))
            .await
    }

    /// Checks a password against a stored hash; with no hash (unknown phone number), checks
    /// against a dummy so that the answer takes as long.
    pub async fn verify(&self, password: String, hash: Option<String>) -> bool {
        self.run(move || match hash {
            Some(hash) => password_auth::verify_password(&password, &hash).is_ok(),
            None => {
                let _ = password_auth::verify_password(&password, &DUMMY_HASH);
                false
            }
        })
        .await
    }
}

/// Letters and digits that cannot be mistaken for one another when read aloud or typed on a
/// phone (no 0/o, 1/l/i).
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// Length of a one-time password: 31^10, about 50 bits.
const ONE_TIME_LENGTH: usize = 10;

/// A random one-time password, to be shown once and changed at the first sign-in.
pub fn one_time_password() -> String {
    let mut bytes = [0u8; ONE_TIME_LENGTH * 2];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    bytes
        .chunks(2)
        .map(|pair| {
            let n = u16::from_le_bytes([pair[0], pair[1]]) as usize;
            char::from(ALPHABET[n % ALPHABET.len()])
        })
        .collect()
}

/// Shortest password a user may choose.
pub const MIN_LENGTH: usize = 8;
/// Longest.
pub const MAX_LENGTH: usize = 128;

/// Why a new password was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordRefusal {
    /// Fewer than [`MIN_LENGTH`] characters.
    TooShort,
    /// More than [`MAX_LENGTH`] characters.
    TooLong,
    /// It is the phone number (the sign-in itself).
    IsPhone,
    /// It is the password it replaces.
    Unchanged,
}

impl PasswordRefusal {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            PasswordRefusal::TooShort => "password_too_short",
            PasswordRefusal::TooLong => "password_too_long",
            PasswordRefusal::IsPhone => "password_is_phone",
            PasswordRefusal::Unchanged => "password_unchanged",
        }
    }
}

/// The rules for a password a user chooses.
pub fn check_new(new: &str, current: &str, phone: &str) -> Result<(), PasswordRefusal> {
    let length = new.chars().count();
    if length < MIN_LENGTH {
        return Err(PasswordRefusal::TooShort);
    }
    if length > MAX_LENGTH {
        return Err(PasswordRefusal::TooLong);
    }
    let digits: String = new.chars().filter(char::is_ascii_digit).collect();
    if digits == phone && digits.len() == new.trim().len() {
        return Err(PasswordRefusal::IsPhone);
    }
    if new == current {
        return Err(PasswordRefusal::Unchanged);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_time_passwords_are_long_random_and_unambiguous() {
        let (a, b) = (one_time_password(), one_time_password());
        assert_eq!(a.len(), ONE_TIME_LENGTH);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| ALPHABET.contains(&c)));
        assert!(!a.contains(['0', 'o', '1', 'l', 'i']));
    }

    #[test]
    fn a_new_password_follows_the_rules() {
        assert_eq!(
            check_new("short", "x", "0912345678"),
            Err(PasswordRefusal::TooShort)
        );
        assert_eq!(
            check_new(&"x".repeat(129), "x", "0912345678"),
            Err(PasswordRefusal::TooLong)
        );
        assert_eq!(
            check_new("0912345678", "x", "0912345678"),
            Err(PasswordRefusal::IsPhone)
        );
        assert_eq!(
            check_new("same-old-pass", "same-old-pass", "0912345678"),
            Err(PasswordRefusal::Unchanged)
        );
        assert_eq!(check_new("hoa-sen-nở-2025", "x", "0912345678"), Ok(()));
    }

    #[tokio::test]
    async fn the_pool_hashes_and_verifies() {
        let hasher = Hasher::new(1);
        let hash = hasher.hash("mật khẩu mới".into()).await;
        assert!(
            hasher
                .verify("mật khẩu mới".into(), Some(hash.clone()))
                .await
        );
        assert!(!hasher.verify("sai".into(), Some(hash)).await);
        assert!(!hasher.verify("bất kỳ".into(), None).await);
    }
}
