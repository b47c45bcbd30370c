//! Password hashing on a small, fixed pool of threads. Argon2id is deliberately expensive
//! (19 MiB and tens of milliseconds a hash): run on the runtime's unbounded blocking pool, a
//! burst of sign-ins spread hashes over hundreds of threads, each keeping its own allocator
//! arena, and the server grew to gigabytes it never gave back. Here at most `workers` hashes
//! run at once, always on the same threads; the others wait their turn in a bounded queue.
//! And each thread allocates argon2's 19 MiB of working memory once and reuses it: freeing
//! and allocating it for every hash fragments the allocator's arenas (glibc keeps them), which
//! alone took the server to 240–560 MB after 1,000 sign-ins. The hashes are the standard PHC
//! strings `password-auth` makes and reads (argon2id, its default parameters).

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
    LazyLock::new(|| hash_reusing_memory(&crate::db::sessions::new_token()));

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
        self.run(move || hash_reusing_memory(&password)).await
    }

    /// Checks a password against a stored hash; with no hash (unknown phone number), checks
    /// against a dummy so that the answer takes as long.
    pub async fn verify(&self, password: String, hash: Option<String>) -> bool {
        self.run(move || match hash {
            Some(hash) => verify_reusing_memory(&password, &hash),
            None => {
                let _ = verify_reusing_memory(&password, &DUMMY_HASH);
                false
            }
        })
        .await
    }
}

thread_local! {
    /// The argon2 working memory of a hashing thread, allocated once and reused.
    static BLOCKS: std::cell::RefCell<Vec<argon2::Block>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs argon2 with the thread's reused working memory.
fn argon2_into(
    argon: &argon2::Argon2<'_>,
    params: &argon2::Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> bool {
    let count = params.block_count();
    BLOCKS.with_borrow_mut(|blocks| {
        if blocks.len() < count {
            blocks.resize(count, argon2::Block::default());
        }
        argon
            .hash_password_into_with_memory(password, salt, out, &mut blocks[..count])
            .is_ok()
    })
}

/// `password_auth::generate_hash`, with the thread's reused memory: argon2id, default
/// parameters, a random 16-byte salt, as a PHC string.
fn hash_reusing_memory(password: &str) -> String {
    use argon2::password_hash::{Output, PasswordHash, SaltString};
    use argon2::{Algorithm, Argon2, Params, Version};
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system's random source");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a salt");
    let params = Params::default();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut raw = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let mut salt_bytes = [0u8; 16];
    let decoded = salt
        .decode_b64(&mut salt_bytes)
        .expect("a salt just encoded");
    assert!(
        argon2_into(&argon, &params, password.as_bytes(), decoded, &mut raw),
        "argon2 with its default parameters"
    );
    PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params).try_into().expect("default parameters"),
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&raw).expect("32 bytes of output")),
    }
    .to_string()
}

/// `password_auth::verify_password`, with the thread's reused memory. Any PHC string that does
/// not parse, or names another algorithm, does not verify.
fn verify_reusing_memory(password: &str, phc: &str) -> bool {
    use argon2::password_hash::{Output, PasswordHash, Salt};
    use argon2::{Algorithm, Argon2, Params, Version};
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) =
        (Algorithm::try_from(hash.algorithm), Params::try_from(&hash))
    else {
        return false;
    };
    let Ok(version) = hash.version.map(Version::try_from).transpose() else {
        return false;
    };
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return false;
    };
    let mut salt_buf = [0u8; Salt::MAX_LENGTH];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let argon = Argon2::new(algorithm, version.unwrap_or_default(), params.clone());
    let mut out = vec![0u8; expected.len()];
    // `Output` compares in constant time.
    argon2_into(&argon, &params, password.as_bytes(), salt, &mut out)
        && Output::new(&out).is_ok_and(|o| o == expected)
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

    #[test]
    fn hashes_are_the_phc_strings_password_auth_reads_and_makes() {
        let ours = hash_reusing_memory("mật khẩu");
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        assert!(password_auth::verify_password("mật khẩu", &ours).is_ok());
        let theirs = password_auth::generate_hash("mật khẩu");
        assert!(verify_reusing_memory("mật khẩu", &theirs));
        assert!(!verify_reusing_memory("mật khẩu sai", &theirs));
        assert!(!verify_reusing_memory("mật khẩu", "not a hash"));
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
