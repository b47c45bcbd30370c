//! Signing in against the real server on a random port, with demo data: the limits per phone
//! number and per client address, the audit of failed sign-ins, the same answer for an
//! unknown phone number and a wrong password, and `X-Forwarded-For` with and without a
//! trusted proxy.

mod common;

use app::api::ErrorBody;
use common::{COMMUNE_STAFF, MEMBER, OTHER_MEMBER, PASSWORD};
use reqwest::StatusCode;
use serde_json::json;
use server::config::ServeArgs;

/// A phone number no demo account has.
const UNKNOWN: &str = "0987650000";
/// A wrong password, distinctive enough to be searched for in the audit log.
const WRONG: &str = "sai-mat-khau-7319";

/// The real server (`common::TestApp`) with the sign-in checks these tests need.
struct Server(common::TestApp);

impl std::ops::Deref for Server {
    type Target = common::TestApp;

    fn deref(&self) -> &common::TestApp {
        &self.0
    }
}

impl Server {
    /// The server with demo data and the given settings.
    async fn spawn(configure: impl FnOnce(&mut ServeArgs)) -> Self {
        Server(common::TestApp::spawn_with(configure).await)
    }

    /// One sign-in attempt, optionally claiming to come from `forwarded_for`.
    async fn attempt(
        &self,
        phone: &str,
        password: &str,
        forwarded_for: Option<&str>,
    ) -> reqwest::Response {
        let mut request = reqwest::Client::new()
            .post(format!("{}/api/auth/login", self.base))
            .json(&json!({ "phone": phone, "password": password }));
        if let Some(address) = forwarded_for {
            request = request.header("x-forwarded-for", address);
        }
        request.send().await.unwrap()
    }

    /// Status and error code of an attempt (code empty on success).
    async fn outcome(
        &self,
        phone: &str,
        password: &str,
        forwarded_for: Option<&str>,
    ) -> (StatusCode, String) {
        let response = self.attempt(phone, password, forwarded_for).await;
        let status = response.status();
        if status.is_success() {
            return (status, String::new());
        }
        (status, error_body(response).await.error.code)
    }

    /// Every audit row as (action, address, every column as text).
    fn audit(&self) -> Vec<(String, Option<String>, String)> {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        let mut stmt = conn
            .prepare("SELECT action, address, * FROM audit_log ORDER BY id")
            .unwrap();
        let columns = stmt.column_count();
        stmt.query_map([], |r| {
            let text: Vec<String> = (2..columns)
                .map(|i| match r.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Null => "NULL".to_string(),
                    rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                    rusqlite::types::ValueRef::Real(x) => x.to_string(),
                    rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                        String::from_utf8_lossy(t).into_owned()
                    }
                })
                .collect();
            Ok((r.get(0)?, r.get(1)?, text.join("|")))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    /// Addresses of the audit rows of `action`.
    fn addresses(&self, action: &str) -> Vec<Option<String>> {
        self.audit()
            .into_iter()
            .filter(|(a, _, _)| a == action)
            .map(|(_, address, _)| address)
            .collect()
    }
}

async fn error_body(response: reqwest::Response) -> ErrorBody {
    response.json().await.expect("a JSON error body")
}

/// Asserts a 429 `rate_limited` with a `Retry-After` of at least one second.
async fn assert_rate_limited(response: reqwest::Response) {
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response
        .headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in seconds");
    assert!(
        (1..=15 * 60).contains(&retry_after),
        "Retry-After: {retry_after}"
    );
    assert_eq!(error_body(response).await.error.code, "rate_limited");
}

#[tokio::test]
async fn the_fourth_attempt_for_a_phone_is_refused_right_or_wrong_while_another_phone_gets_through()
{
    let server = Server::spawn(|args| {
        args.sign_in_limit_phone = 3;
        args.sign_in_limit_address = 0;
    })
    .await;
    for (phone, last_password) in [(MEMBER, PASSWORD), (OTHER_MEMBER, WRONG)] {
        for password in [WRONG, WRONG, PASSWORD] {
            let response = server.attempt(phone, password, None).await;
            assert_ne!(response.status(), StatusCode::TOO_MANY_REQUESTS, "{phone}");
        }
        assert_rate_limited(server.attempt(phone, last_password, None).await).await;
    }
    assert_eq!(
        server.outcome(COMMUNE_STAFF, PASSWORD, None).await.0,
        StatusCode::OK,
        "another phone number has its own allowance"
    );
    assert_eq!(
        server.outcome(UNKNOWN, WRONG, None).await,
        (StatusCode::UNAUTHORIZED, "wrong_credentials".into())
    );
    // "0900 000 012" is the same phone number as "0900000012": it counts against it.
    assert_rate_limited(server.attempt("0900 000 012", PASSWORD, None).await).await;
}

#[tokio::test]
async fn the_attempt_after_the_address_limit_is_refused_whatever_the_phone() {
    let server = Server::spawn(|args| {
        args.sign_in_limit_phone = 0;
        args.sign_in_limit_address = 3;
    })
    .await;
    assert_eq!(
        server.outcome(MEMBER, WRONG, None).await.1,
        "wrong_credentials"
    );
    assert_eq!(
        server.outcome(UNKNOWN, WRONG, None).await.1,
        "wrong_credentials"
    );
    assert_eq!(
        server.outcome(OTHER_MEMBER, PASSWORD, None).await.0,
        StatusCode::OK
    );
    assert_rate_limited(server.attempt(COMMUNE_STAFF, PASSWORD, None).await).await;
    assert_rate_limited(server.attempt("0900000031", WRONG, None).await).await;
}

#[tokio::test]
async fn failed_sign_ins_are_audited_with_the_address_and_never_the_phone_or_password() {
    let server = Server::spawn(|_| {}).await;
    assert_eq!(
        server.outcome(MEMBER, WRONG, None).await.1,
        "wrong_credentials"
    );
    assert_eq!(
        server.outcome(UNKNOWN, WRONG, None).await.1,
        "wrong_credentials"
    );
    assert_eq!(
        server.outcome(MEMBER, PASSWORD, None).await.0,
        StatusCode::OK
    );

    let rows = server.audit();
    let failed: Vec<_> = rows
        .iter()
        .filter(|(action, _, _)| action == "sign_in_failed")
        .collect();
    assert_eq!(failed.len(), 2, "{rows:?}");
    for (_, address, text) in &failed {
        assert_eq!(address.as_deref(), Some("127.0.0.1"), "{text}");
        for secret in [MEMBER, UNKNOWN, WRONG, PASSWORD] {
            assert!(!text.contains(secret), "{secret} in the row {text}");
        }
    }
    let member_id: String = rusqlite::Connection::open(&server.db)
        .unwrap()
        .query_row("SELECT id FROM users WHERE phone = ?1", [MEMBER], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(
        failed[0].2.contains(&member_id),
        "a wrong password names the account by its id: {}",
        failed[0].2
    );
    let signed_in: Vec<_> = rows
        .iter()
        .filter(|(action, _, _)| action == "sign_in")
        .collect();
    assert_eq!(signed_in.len(), 1, "{rows:?}");
    assert_eq!(signed_in[0].1.as_deref(), Some("127.0.0.1"));
    assert!(signed_in[0].2.contains(&member_id));
    assert!(!signed_in[0].2.contains(MEMBER) && !signed_in[0].2.contains(PASSWORD));
}

#[tokio::test]
async fn an_unknown_phone_and_a_wrong_password_get_the_same_answer() {
    let server = Server::spawn(|_| {}).await;
    let wrong = server.attempt(MEMBER, WRONG, None).await;
    let unknown = server.attempt(UNKNOWN, WRONG, None).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), wrong.status());
    let (wrong, unknown) = (error_body(wrong).await, error_body(unknown).await);
    assert_eq!(wrong.error.code, "wrong_credentials");
    assert_eq!(unknown, wrong, "the whole body is the same");
}

#[tokio::test]
async fn without_a_trusted_proxy_x_forwarded_for_is_ignored() {
    let server = Server::spawn(|args| {
        args.sign_in_limit_phone = 0;
        args.sign_in_limit_address = 3;
        assert!(args.trusted_proxy.is_empty());
    })
    .await;
    for i in 1..=3 {
        let fake = format!("203.0.113.{i}");
        assert_eq!(
            server.outcome(UNKNOWN, WRONG, Some(&fake)).await.1,
            "wrong_credentials"
        );
    }
    for i in 4..=8 {
        let fake = format!("203.0.113.{i}");
        assert_rate_limited(server.attempt(MEMBER, PASSWORD, Some(&fake)).await).await;
    }
    assert_eq!(
        server.addresses("sign_in_failed"),
        vec![Some("127.0.0.1".to_string()); 3],
        "the peer is the client"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_the_client() {
    let server = Server::spawn(|args| {
        args.sign_in_limit_phone = 0;
        args.sign_in_limit_address = 2;
        args.trusted_proxy = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let first = Some("203.0.113.1");
    assert_eq!(
        server.outcome(UNKNOWN, WRONG, first).await.1,
        "wrong_credentials"
    );
    assert_eq!(
        server.outcome(MEMBER, WRONG, first).await.1,
        "wrong_credentials"
    );
    assert_rate_limited(server.attempt(MEMBER, PASSWORD, first).await).await;
    for i in 2..=6 {
        let client = format!("203.0.113.{i}");
        assert_eq!(
            server.outcome(UNKNOWN, WRONG, Some(&client)).await.1,
            "wrong_credentials",
            "{client} has its own allowance"
        );
    }
    // A client's own left-most entry is not believed: the proxy appended the real one.
    assert_eq!(
        server
            .outcome(MEMBER, PASSWORD, Some("198.51.100.1, 203.0.113.7"))
            .await
            .0,
        StatusCode::OK
    );
    let failed = server.addresses("sign_in_failed");
    let expected: Vec<Option<String>> = ["203.0.113.1", "203.0.113.1"]
        .into_iter()
        .map(String::from)
        .chain((2..=6).map(|i| format!("203.0.113.{i}")))
        .map(Some)
        .collect();
    assert_eq!(failed, expected);
    assert_eq!(
        server.addresses("sign_in"),
        vec![Some("203.0.113.7".to_string())]
    );
}
