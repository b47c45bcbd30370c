//! API tests: the real server on a random port with a temporary database and demo data.

mod common;

use app::api::{ErrorBody, Health, Profile, PushResponse, VisitList};
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

#[tokio::test]
async fn health_answers_ok_with_version_and_database() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(app.url("/api/health")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let health: Health = response.json().await.unwrap();
    assert_eq!(health.status, "ok");
    assert_eq!(health.database, "ok");
    assert_eq!(health.version, env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn signing_in_with_the_right_password_sets_a_strict_http_only_cookie() {
    let app = TestApp::spawn().await;
    let response = TestApp::client()
        .post(app.url("/api/auth/login"))
        .json(&json!({ "phone": "+84 900 000 012", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("sotay_session="));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    assert!(cookie.contains("Max-Age=2592000"), "30 days: {cookie}");
    let profile: Profile = response.json().await.unwrap();
    assert_eq!(profile.phone, MEMBER);
    assert_eq!(
        profile.team.unwrap().village.unwrap().name,
        "Thôn Hội Khánh"
    );
}

#[tokio::test]
async fn signing_in_with_a_wrong_password_or_unknown_phone_is_refused_alike() {
    let app = TestApp::spawn().await;
    for (phone, password) in [(MEMBER, "wrong"), ("0999999999", PASSWORD)] {
        let response = TestApp::client()
            .post(app.url("/api/auth/login"))
            .json(&json!({ "phone": phone, "password": password }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.headers().get("set-cookie").is_none());
        assert_eq!(error_code(response).await, "wrong_credentials");
    }
}

#[tokio::test]
async fn the_session_identifies_the_user_until_sign_out() {
    let app = TestApp::spawn().await;
    let client = app.signed_in(MEMBER).await;
    let me: Profile = app.get_json(&client, "/api/auth/me").await;
    assert_eq!(me.phone, MEMBER);
    let out = client
        .post(app.url("/api/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let after = client.get(app.url("/api/auth/me")).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(after).await, "unauthenticated");
}

#[tokio::test]
async fn a_pushed_visit_is_applied_and_stored_once() {
    let app = TestApp::spawn().await;
    let client = app.signed_in(MEMBER).await;
    let id = Uuid::now_v7();
    let response = app.push(&client, json!([visit(id, 1, 0, "lần đầu")])).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: PushResponse = response.json().await.unwrap();
    assert_eq!(body.results.len(), 1);
    assert_eq!(body.results[0].id, id);
    assert_eq!(
        serde_json::to_value(body.results[0].result).unwrap(),
        "applied"
    );

    let list: VisitList = app.get_json(&client, "/api/visits").await;
    assert_eq!(list.visits.len(), 1);
    assert_eq!(
        list.visits[0].record.household.phone.as_deref(),
        Some("0912345678")
    );
    assert_eq!(list.visits[0].status, "submitted");
    assert_eq!(app.count("SELECT COUNT(*) FROM visits"), 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM visit_revisions"), 1);
}

#[tokio::test]
async fn pushing_the_same_visit_again_is_acknowledged_and_still_one_row() {
    let app = TestApp::spawn().await;
    let client = app.signed_in(MEMBER).await;
    let record = visit(Uuid::now_v7(), 1, 0, "");
    app.push(&client, json!([record.clone()])).await;
    for _ in 0..3 {
        let again: PushResponse = app
            .push(&client, json!([record.clone()]))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            serde_json::to_value(again.results[0].result).unwrap(),
            "already_had"
        );
    }
    // Twice in one batch too.
    let twice: PushResponse = app
        .push(&client, json!([record.clone(), record]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(twice.results.len(), 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM visits"), 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM visit_revisions"), 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM households"), 1);
}

#[tokio::test]
async fn an_edit_becomes_current_and_an_old_revision_is_stale() {
    let app = TestApp::spawn().await;
    let client = app.signed_in(MEMBER).await;
    let id = Uuid::now_v7();
    app.push(&client, json!([visit(id, 1, 0, "một")])).await;
    let edit: PushResponse = app
        .push(&client, json!([visit(id, 2, 1, "hai")]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(edit.results[0].result).unwrap(),
        "applied"
    );
    let stale: PushResponse = app
        .push(&client, json!([visit(id, 1, 0, "khác")]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(stale.results[0].result).unwrap(),
        "stale"
    );
    let conflict: PushResponse = app
        .push(&client, json!([visit(id, 3, 1, "ba")]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(conflict.results[0].result).unwrap(),
        "conflict"
    );
    let list: VisitList = app.get_json(&client, "/api/visits").await;
    assert_eq!(list.visits[0].record.version, 2);
    assert_eq!(list.visits[0].record.note, "hai");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM visit_revisions"),
        4,
        "every revision is kept"
    );
}

#[tokio::test]
async fn an_invalid_visit_is_rejected_with_its_reasons_and_not_stored() {
    let app = TestApp::spawn().await;
    let client = app.signed_in(MEMBER).await;
    let mut bad = visit(Uuid::now_v7(), 1, 0, "");
    bad["household"]["head_name"] = json!("   ");
    bad["activities"] = json!([{ "code": "no_such_activity", "people": 1 }]);
    let good = visit(Uuid::now_v7(), 1, 0, "");
    let body: PushResponse = app
        .push(&client, json!([bad, good]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(body.results[0].result).unwrap(),
        "rejected"
    );
    let reason = body.results[0].reason.clone().unwrap();
    assert!(
        reason.contains("head_name_required") && reason.contains("activity_unknown"),
        "{reason}"
    );
    assert_eq!(
        serde_json::to_value(body.results[1].result).unwrap(),
        "applied"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM visits"), 1);
}

#[tokio::test]
async fn a_malformed_body_gets_a_clear_json_error_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let client = app.signed_in(MEMBER).await;
    let cases: [(&str, &str, StatusCode); 4] = [
        (
            "application/json",
            "{\"visits\": [",
            StatusCode::BAD_REQUEST,
        ),
        (
            "application/json",
            "{\"visits\": [{\"id\": \"not-a-uuid\"}]}",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "application/json",
            "{\"records\": []}",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "text/plain",
            "{\"visits\": []}",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
    ];
    for (content_type, body, status) in cases {
        let response = client
            .post(app.url("/api/sync/push"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{body}");
        assert_eq!(error_code(response).await, "invalid_body");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM visits"), 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM visit_revisions"), 0);
}

#[tokio::test]
async fn a_batch_over_the_limit_gets_413_with_the_limit() {
    let app = TestApp::spawn().await;
    let client = app.signed_in(MEMBER).await;
    let many: Vec<Value> = (0..=app::api::MAX_PUSH_BATCH)
        .map(|_| visit(Uuid::now_v7(), 1, 0, ""))
        .collect();
    let response = app.push(&client, json!(many)).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: ErrorBody = response.json().await.unwrap();
    assert_eq!(body.error.code, "too_large");
    assert_eq!(body.error.limit, Some(app::api::MAX_PUSH_BATCH as u64));

    let huge = visit(Uuid::now_v7(), 1, 0, &"x".repeat(app::api::MAX_PUSH_BYTES));
    let response = app.push(&client, json!([huge])).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: ErrorBody = response.json().await.unwrap();
    assert_eq!(body.error.limit, Some(app::api::MAX_PUSH_BYTES as u64));
    assert_eq!(app.count("SELECT COUNT(*) FROM visits"), 0);
}

#[tokio::test]
async fn pushing_without_a_session_is_401_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let response = app
        .push(&TestApp::client(), json!([visit(Uuid::now_v7(), 1, 0, "")]))
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(response).await, "unauthenticated");
    assert_eq!(app.count("SELECT COUNT(*) FROM visits"), 0);
}

#[tokio::test]
async fn a_member_cannot_revise_another_members_visit() {
    let app = TestApp::spawn().await;
    let id = Uuid::now_v7();
    app.push(&app.signed_in(MEMBER).await, json!([visit(id, 1, 0, "")]))
        .await;
    let other = app.signed_in(OTHER_MEMBER).await;
    let body: PushResponse = app
        .push(&other, json!([visit(id, 2, 1, "sửa trộm")]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(body.results[0].result).unwrap(),
        "rejected"
    );
    assert_eq!(body.results[0].reason.as_deref(), Some("not_author"));
    let list: VisitList = app.get_json(&other, "/api/visits").await;
    assert!(
        list.visits.is_empty(),
        "a member sees only their own visits"
    );
}

#[tokio::test]
async fn commune_staff_see_the_communes_visits_but_cannot_push() {
    let app = TestApp::spawn().await;
    app.push(
        &app.signed_in(MEMBER).await,
        json!([visit(Uuid::now_v7(), 1, 0, "")]),
    )
    .await;
    let staff = app.signed_in(COMMUNE_STAFF).await;
    let list: VisitList = app.get_json(&staff, "/api/visits").await;
    assert_eq!(list.visits.len(), 1);
    let response = app
        .push(&staff, json!([visit(Uuid::now_v7(), 1, 0, "")]))
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn unknown_api_routes_answer_json_404() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(app.url("/api/nope")).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(response).await, "not_found");
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let app = TestApp::spawn().await;
    let doc: Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/health",
        "/api/auth/login",
        "/api/auth/logout",
        "/api/auth/me",
        "/api/catalogue",
        "/api/sync/push",
        "/api/sync/pull",
        "/api/sync/conflicts",
        "/api/visits",
        "/api/visits/{id}/review",
    ] {
        assert!(paths.contains_key(path), "{path} missing from openapi.json");
    }
    assert!(doc["components"]["schemas"]["VisitRecord"].is_object());
}

#[tokio::test]
async fn pages_render_in_vietnamese_with_the_manifest_whatever_the_browser_asks() {
    let app = TestApp::spawn().await;
    for route in app::ROUTES {
        let path = &route.cache_path();
        let response = reqwest::Client::new()
            .get(app.url(path))
            .header("accept-language", "en-US,en;q=0.9")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let html = response.text().await.unwrap();
        let html_tag = &html[html.find("<html").unwrap()..];
        let html_tag = &html_tag[..html_tag.find('>').unwrap()];
        assert!(html_tag.contains("lang=\"vi\""), "{path}: {html_tag}");
        assert!(
            html.contains("rel=\"manifest\" href=\"/manifest.webmanifest\""),
            "{path}"
        );
    }
    let missing = reqwest::get(app.url("/no-such-page")).await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_catalogue_lists_the_seed_activities_in_four_groups() {
    let app = TestApp::spawn().await;
    let anonymous = reqwest::get(app.url("/api/catalogue")).await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let member = app.signed_in(MEMBER).await;
    let catalogue: app::api::Catalogue = app.get_json(&member, "/api/catalogue").await;
    assert_eq!(catalogue.activities.len(), 9);
    assert_eq!(catalogue.activities[0].code, "information");
}
