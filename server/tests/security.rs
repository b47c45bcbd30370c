//! The rules of `server::security` on the real server (`docs/security.md`): the headers of
//! every answer, requests from other sites, TLS, oversized bodies refused before anything
//! else, and errors that never repeat what was sent.

mod common;

use common::{error_code, TestApp, COMMUNE_STAFF, MEMBER, PASSWORD};
use reqwest::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, SET_COOKIE, STRICT_TRANSPORT_SECURITY,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} on {}", response.url()))
        .to_str()
        .unwrap()
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_api_answers_are_never_stored() {
    let app = TestApp::spawn().await;
    let client = TestApp::client();
    for path in [
        "/login",
        "/api/health",
        "/api/nowhere",
        "/sw.js",
        "/no-such-page",
    ] {
        let response = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(
            header(&response, "x-content-type-options"),
            "nosniff",
            "{path}"
        );
        assert_eq!(
            header(&response, "referrer-policy"),
            "no-referrer",
            "{path}"
        );
        assert_eq!(header(&response, "x-frame-options"), "DENY", "{path}");
        let policy = header(&response, CONTENT_SECURITY_POLICY.as_str());
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        assert!(
            response.headers().get(STRICT_TRANSPORT_SECURITY).is_none(),
            "not over TLS"
        );
        let cache = header(&response, CACHE_CONTROL.as_str());
        if path.starts_with("/api/") {
            assert_eq!(cache, "no-store", "{path}");
        } else {
            assert_eq!(cache, "no-cache", "{path}");
        }
    }
}

#[tokio::test]
async fn a_page_names_the_nonce_of_its_inline_script_in_its_policy_and_each_page_has_its_own() {
    let app = TestApp::spawn().await;
    let client = TestApp::client();
    let mut seen = Vec::new();
    for _ in 0..2 {
        let response = client.get(app.url("/login")).send().await.unwrap();
        let policy = header(&response, CONTENT_SECURITY_POLICY.as_str()).to_string();
        assert!(policy.contains("'wasm-unsafe-eval'"), "{policy}");
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a nonce in the policy")
            .to_string();
        let html = response.text().await.unwrap();
        let inline_scripts = html.matches("<script").count();
        assert!(inline_scripts > 0);
        assert_eq!(
            html.matches(&format!("nonce=\"{nonce}\"")).count(),
            html.matches(" nonce=\"").count(),
            "every nonce on the page is the policy's"
        );
        assert!(
            !html.contains(" style=\""),
            "no inline style: the policy allows none"
        );
        seen.push(nonce);
    }
    assert_ne!(seen[0], seen[1]);
}

#[tokio::test]
async fn a_change_asked_by_another_sites_page_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let staff = app.signed_in(COMMUNE_STAFF).await;
    // Signing out from another site's page: refused, the session lives on.
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "https://evil.example"),
        ("origin", "null"),
    ] {
        let response = staff
            .post(app.url("/api/auth/logout"))
            .header(name, value)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}: {value}");
        assert_eq!(error_code(response).await, "cross_site");
        let me = staff.get(app.url("/api/auth/me")).send().await.unwrap();
        assert_eq!(
            me.status(),
            StatusCode::OK,
            "still signed in after {name}: {value}"
        );
    }
    // Signing in from another site: refused before the password is even checked.
    let response = TestApp::client()
        .post(app.url("/api/auth/login"))
        .header("sec-fetch-site", "cross-site")
        .json(&json!({"phone": MEMBER, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Reading from anywhere is not a change.
    let read = staff
        .get(app.url("/api/auth/me"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    // The app's own page, and a script without either header, may sign out.
    let own = staff
        .post(app.url("/api/auth/logout"))
        .header("sec-fetch-site", "same-origin")
        .header("origin", app.base.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::NO_CONTENT);
    let script = app.signed_in(COMMUNE_STAFF).await;
    let plain = script
        .post(app.url("/api/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::NO_CONTENT);
}

async fn sign_in_cookie(app: &TestApp, forwarded_proto: Option<&str>) -> reqwest::Response {
    let mut request = TestApp::client()
        .post(app.url("/api/auth/login"))
        .json(&json!({"phone": MEMBER, "password": PASSWORD}));
    if let Some(proto) = forwarded_proto {
        request = request.header("x-forwarded-proto", proto);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response
}

fn cookie_is_secure(response: &reqwest::Response) -> bool {
    let cookie = header(response, SET_COOKIE.as_str());
    cookie.split(';').any(|p| p.trim() == "Secure")
}

#[tokio::test]
async fn over_tls_the_cookie_is_secure_and_browsers_are_told_to_keep_to_https() {
    // Told it runs behind TLS.
    let told = TestApp::spawn_with(|args| args.behind_tls = true).await;
    let response = sign_in_cookie(&told, None).await;
    assert!(cookie_is_secure(&response));
    assert_eq!(
        header(&response, STRICT_TRANSPORT_SECURITY.as_str()),
        "max-age=31536000"
    );

    // A trusted proxy that says https; the same header from anyone else means nothing.
    let proxied = TestApp::spawn_with(|args| {
        args.trusted_proxy = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    assert!(cookie_is_secure(
        &sign_in_cookie(&proxied, Some("https")).await
    ));
    assert!(!cookie_is_secure(
        &sign_in_cookie(&proxied, Some("http")).await
    ));
    let direct = TestApp::spawn().await;
    let response = sign_in_cookie(&direct, Some("https")).await;
    assert!(
        !cookie_is_secure(&response),
        "an untrusted peer's header is ignored"
    );
    assert!(response.headers().get(STRICT_TRANSPORT_SECURITY).is_none());
}

#[tokio::test]
async fn a_body_declared_over_the_limit_is_refused_with_413_before_anything_else() {
    let app = TestApp::spawn().await;
    let client = TestApp::client();
    // Not signed in: the size is checked first (413, not 401), nothing is read.
    for (path, size) in [
        ("/api/sync/push", app::api::MAX_PUSH_BYTES + 1),
        ("/api/auth/login", server::error::DEFAULT_BODY_LIMIT + 1),
        (
            "/api/visits/00000000-0000-7000-8000-000000000000/review",
            100_000,
        ),
    ] {
        let response = client
            .post(app.url(path))
            .header(CONTENT_TYPE, "application/json")
            .body(vec![b' '; size])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "too_large", "{path}");
        assert!(body["error"]["limit"].as_u64().unwrap() < size as u64);
    }
    // The server is alive and nothing was stored.
    let health = client.get(app.url("/api/health")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM visits"), 0);
}

#[tokio::test]
async fn an_error_never_repeats_what_was_sent() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(MEMBER).await;
    let secret = "Nguyễn Thị Bí Mật 0912345678";
    let mut visit = common::visit(uuid::Uuid::now_v7(), 1, 0, "");
    visit["visited_at"] = json!(secret);
    let cases = [
        member
            .post(app.url("/api/sync/push"))
            .json(&json!({ "visits": [visit] })),
        member
            .post(app.url("/api/sync/push"))
            .json(&json!({ "visits": [{ "id": secret }] })),
        member
            .post(app.url("/api/auth/password"))
            .json(&json!({ "current": 5, "new": [secret] })),
        member
            .post(app.url("/api/auth/login"))
            .json(&json!({ "phone": {"name": secret}, "password": PASSWORD })),
        member.get(app.url(&format!("/api/difficulties?status={secret}"))),
        member.get(app.url(&format!("/api/sync/pull?cursor={secret}"))),
        member.get(app.url(&format!("/api/units/{secret}/figures"))),
    ];
    for case in cases {
        let response = case.send().await.unwrap();
        let status = response.status();
        assert!(status.is_client_error(), "{status}");
        let text = response.text().await.unwrap();
        let body: Value = serde_json::from_str(&text).expect("the JSON error shape");
        assert!(body["error"]["code"].is_string(), "{text}");
        for part in ["Nguyễn", "Bí Mật", "0912345678", "Nguy"] {
            assert!(!text.contains(part), "{status}: {text}");
        }
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM visits"), 0);
}

#[tokio::test]
async fn a_user_holds_at_most_ten_sessions_and_a_new_sign_in_ends_the_one_used_longest_ago() {
    let app = TestApp::spawn_with(|args| args.sign_in_limit_phone = 0).await;
    let mut clients = Vec::new();
    for _ in 0..12 {
        clients.push(app.signed_in(MEMBER).await);
    }
    let max = server::db::sessions::MAX_PER_USER;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.phone = '{MEMBER}'"
        )),
        max
    );
    let mut live = Vec::new();
    for client in &clients {
        live.push(
            client
                .get(app.url("/api/auth/me"))
                .send()
                .await
                .unwrap()
                .status(),
        );
    }
    let ended = (12 - max) as usize;
    assert!(
        live[..ended].iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{live:?}"
    );
    assert!(
        live[ended..].iter().all(|s| *s == StatusCode::OK),
        "{live:?}"
    );
}

/// Each pushed record's `result` and `reason`.
async fn outcomes(response: reqwest::Response) -> Vec<(String, Option<String>)> {
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["result"].as_str().unwrap().to_string(),
                r["reason"].as_str().map(str::to_string),
            )
        })
        .collect()
}

#[tokio::test]
async fn revisions_past_their_bounds_are_refused_never_stored_and_a_replay_is_still_acknowledged() {
    let app = TestApp::spawn_with(|args| {
        args.max_revisions_per_visit = 3;
        args.max_revisions_per_day = 5;
    })
    .await;
    let member = app.signed_in(MEMBER).await;
    let id = uuid::Uuid::now_v7();
    let first = common::visit(id, 1, 0, "lần đầu");
    let got = outcomes(app.push(&member, json!([first])).await).await;
    assert_eq!(got, [("applied".to_string(), None)]);
    // Two more revisions of the same version: kept in history as stale; the visit now holds 3.
    let stale: Vec<Value> = ["hai", "ba"]
        .iter()
        .map(|n| common::visit(id, 1, 0, n))
        .collect();
    let got = outcomes(app.push(&member, json!(stale)).await).await;
    assert!(got.iter().all(|(r, _)| r == "stale"), "{got:?}");
    // The fourth is refused, with its code, and not stored; the first again is acknowledged.
    let fourth = common::visit(id, 1, 0, "bốn");
    let got = outcomes(app.push(&member, json!([fourth, first])).await).await;
    assert_eq!(
        got,
        [
            (
                "rejected".to_string(),
                Some("revisions_per_visit".to_string())
            ),
            ("already_had".to_string(), None)
        ]
    );
    let held = |sql: &str| app.count(sql);
    assert_eq!(
        held(&format!(
            "SELECT COUNT(*) FROM visit_revisions WHERE visit_id = '{id}'"
        )),
        3
    );
    // The member has sent 3 revisions today: two new visits fit the day's 5, a third does not.
    let new: Vec<Value> = (0..3)
        .map(|i| common::visit(uuid::Uuid::now_v7(), 1, 0, &format!("mới {i}")))
        .collect();
    let got = outcomes(app.push(&member, json!(new)).await).await;
    assert_eq!(
        got.iter()
            .map(|(r, why)| (r.as_str(), why.as_deref()))
            .collect::<Vec<_>>(),
        [
            ("applied", None),
            ("applied", None),
            ("rejected", Some("revisions_per_day"))
        ]
    );
    assert_eq!(held("SELECT COUNT(*) FROM visits"), 3);
    assert_eq!(held("SELECT COUNT(*) FROM visit_revisions"), 5);
    // Another member's day is their own.
    let other = app.signed_in(common::OTHER_MEMBER).await;
    let theirs = common::visit(uuid::Uuid::now_v7(), 1, 0, "");
    let got = outcomes(app.push(&other, json!([theirs])).await).await;
    assert_eq!(got, [("applied".to_string(), None)]);
}

#[tokio::test]
async fn every_request_is_logged_at_info_with_its_id_and_status_and_never_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let port = common::free_port();
    let log_path = dir.path().join("sotay.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sotay"))
        .args(["serve", "--demo", "--addr", &format!("127.0.0.1:{port}")])
        .arg("--db")
        .arg(dir.path().join("log.db"))
        .arg("--site-root")
        .arg(dir.path().join("no-site"))
        .env_remove("RUST_LOG")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = TestApp::client();
    let mut up = false;
    for _ in 0..100 {
        if client
            .get(format!("{base}/api/health"))
            .send()
            .await
            .is_ok()
        {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(up, "the server started");
    let login = client
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"phone": MEMBER, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let id = header(&login, "x-request-id").to_string();
    let visit = common::visit(uuid::Uuid::now_v7(), 1, 0, "Ghi chú riêng của hộ");
    let pushed = client
        .post(format!("{base}/api/sync/push"))
        .json(&json!({ "visits": [visit] }))
        .send()
        .await
        .unwrap();
    assert_eq!(pushed.status(), StatusCode::OK);
    let searched = client
        .get(format!("{base}/api/users?q=Nguyễn Văn An 0912345678"))
        .header("x-request-id", "Nguyễn Văn An")
        .send()
        .await
        .unwrap();
    assert_ne!(
        header(&searched, "x-request-id"),
        "Nguyễn Văn An",
        "the server names requests"
    );
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    child.kill().unwrap();
    child.wait().unwrap();
    let all = std::fs::read_to_string(&log_path).unwrap();
    // The log's events (the banner of demo sign-ins printed at start is not the log).
    let log = all
        .lines()
        .filter(|l| {
            [" INFO ", " WARN ", " ERROR ", " DEBUG "]
                .iter()
                .any(|level| l.contains(level))
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(!log.contains('\u{1b}'), "no colours in a file");
    let answered: Vec<&str> = log.lines().filter(|l| l.contains("answered")).collect();
    assert!(answered.len() >= 4, "{log}");
    assert!(
        answered.iter().any(|l| l.contains(&id)
            && l.contains("path=/api/auth/login")
            && l.contains("status=200")),
        "{log}"
    );
    assert!(answered
        .iter()
        .any(|l| l.contains("path=/api/sync/push") && l.contains("status=200")));
    for secret in [
        "Nguyễn", "0912", "345 678", "Ghi chú", "q=", PASSWORD, MEMBER,
    ] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
}
