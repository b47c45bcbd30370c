//! Shared by the black-box tests: the real server on a random port, a temporary database with
//! demo data, and helpers to sign in, push and count rows.
#![allow(dead_code)]

use app::api::ErrorBody;
use reqwest::StatusCode;
use serde_json::{json, Value};
use server::config::ServeArgs;
use server::startup::Application;
use uuid::Uuid;

pub const MEMBER: &str = "0900000012";
pub const OTHER_MEMBER: &str = "0900000022";
pub const COMMUNE_STAFF: &str = "0900000002";
pub const PASSWORD: &str = "sotay2025";

pub struct TestApp {
    pub base: String,
    pub db: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// The server with demo data, after `configure` changed its settings.
    pub async fn spawn_with(configure: impl FnOnce(&mut ServeArgs)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("test.db");
        let mut args = ServeArgs::for_db(db.clone());
        args.demo = true;
        args.site_root = Some(dir.path().join("no-site"));
        configure(&mut args);
        let app = Application::build(args).await.expect("server starts");
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        Self {
            base,
            db,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client with its own cookie jar.
    pub fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap()
    }

    pub async fn signed_in(&self, phone: &str) -> reqwest::Client {
        let client = Self::client();
        let response = client
            .post(self.url("/api/auth/login"))
            .json(&json!({ "phone": phone, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        client
    }

    pub async fn push(&self, client: &reqwest::Client, visits: Value) -> reqwest::Response {
        client
            .post(self.url("/api/sync/push"))
            .json(&json!({ "visits": visits }))
            .send()
            .await
            .unwrap()
    }

    /// `GET path` with `client`, expecting 200 and JSON.
    pub async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        client: &reqwest::Client,
        path: &str,
    ) -> T {
        let response = client.get(self.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        response.json().await.unwrap()
    }

    pub fn count(&self, sql: &str) -> i64 {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    pub fn text(&self, sql: &str) -> String {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

/// A free TCP port on 127.0.0.1, for a server started as its own process.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn now_ms() -> i64 {
    app::domain::time::now_ms()
}

pub fn visit(id: Uuid, version: u32, base_version: u32, note: &str) -> Value {
    json!({
        "id": id,
        "version": version,
        "base_version": base_version,
        "household": {
            "id": Uuid::from_u128(id.as_u128() ^ 1),
            "head_name": "Nguyễn Văn An",
            "address": "Số 12, Thôn Hội Khánh",
            "phone": "0912 345 678"
        },
        "visited_at": 1_780_000_000_000i64,
        "activities": [
            { "code": "public_service_account", "detail": "VNeID mức 2", "people": 2 },
            { "code": "epayment_account", "people": 1 }
        ],
        "outcome": "done",
        "note": note
    })
}

pub async fn error_code(response: reqwest::Response) -> String {
    let body: ErrorBody = response.json().await.expect("a JSON error body");
    body.error.code
}

/// The `result` of each pushed record, as strings.
pub async fn results(response: reqwest::Response) -> Vec<String> {
    assert_eq!(response.status(), StatusCode::OK);
    let body: app::api::PushResponse = response.json().await.unwrap();
    body.results
        .iter()
        .map(|r| {
            serde_json::to_value(r.result)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}
