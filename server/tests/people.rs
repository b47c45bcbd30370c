//! Teams, rosters and accounts over HTTP against the real server: bad input gets a clear 4xx
//! with a stable code and changes nothing; the composition rule; people who move or leave keep
//! what their phone logged; a commune's own team; a province's catalogue; passwords set by
//! someone else; the audit log.

mod common;

use app::api::{ImportReport, TeamDetail, UnitDetail, UserList};
use common::*;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

const PROVINCE_STAFF: &str = "0900000001";
const LEADER: &str = "0900000011";

/// Sends `body` (if any) with `method` to `path`; answers the status and the JSON body.
async fn send(
    app: &TestApp,
    client: &Client,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = client.request(method, app.url(path));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

/// The demo commune and its teams, as commune staff see them.
async fn commune(app: &TestApp, staff: &Client) -> UnitDetail {
    let me: app::api::Profile = app.get_json(staff, "/api/auth/me").await;
    let id = me.commune.unwrap().id;
    app.get_json(staff, &format!("/api/units/{id}")).await
}

fn rows(app: &TestApp) -> (i64, i64, i64, i64) {
    (
        app.count("SELECT COUNT(*) FROM users"),
        app.count("SELECT COUNT(*) FROM team_members"),
        app.count("SELECT COUNT(*) FROM units WHERE level = 'village'"),
        app.count("SELECT COUNT(*) FROM teams"),
    )
}

#[tokio::test]
async fn bad_input_gets_a_stable_code_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let staff = app.signed_in(COMMUNE_STAFF).await;
    let leader = app.signed_in(LEADER).await;
    let province = app.signed_in(PROVINCE_STAFF).await;
    let detail = commune(&app, &staff).await;
    let own_team = detail.teams[0].id;
    let other_team = detail.teams[1].id;
    let before = rows(&app);

    // A phone number that already has an account.
    let (status, body) = send(
        &app,
        &staff,
        Method::POST,
        &format!("/api/teams/{own_team}/members"),
        Some(json!({"name": "Người Trùng Số", "phone": "0900000001", "affiliation": "other"})),
    )
    .await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "phone_taken"));
    // A malformed phone number and an empty name.
    let (status, body) = send(
        &app,
        &staff,
        Method::POST,
        &format!("/api/teams/{own_team}/members"),
        Some(json!({"name": "Người Mới", "phone": "12345", "affiliation": "other"})),
    )
    .await;
    assert_eq!(
        (status, code(&body), body["error"]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "phone_invalid",
            Some("phone")
        )
    );
    let (status, body) = send(
        &app,
        &staff,
        Method::POST,
        &format!("/api/teams/{own_team}/members"),
        Some(json!({"name": "  ", "phone": "0912000001", "affiliation": "other"})),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "name_required")
    );
    // A leader adding someone to another team: that team does not exist for them.
    let (status, body) = send(
        &app,
        &leader,
        Method::POST,
        &format!("/api/teams/{other_team}/members"),
        Some(json!({"name": "Người Lạ", "phone": "0912000002", "affiliation": "other"})),
    )
    .await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));
    // A commune officer creating a village in another commune (of the same province).
    let other_commune =
        app.count("SELECT id FROM units WHERE level = 'commune' AND official_code = '21640'");
    let (status, body) = send(
        &app,
        &staff,
        Method::POST,
        &format!("/api/units/{other_commune}/villages"),
        Some(json!({"name": "Thôn Ngoài"})),
    )
    .await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));
    // A role at or above one's own.
    let province_id = detail.path[0].id;
    let (status, body) = send(&app, &province, Method::POST, "/api/users",
        Some(json!({"name": "Cán Bộ Tỉnh Mới", "phone": "0912000003", "role": "province_staff", "unit_id": province_id}))).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "role_not_below")
    );
    // A second team on the same village, and a village name taken.
    let village = detail.teams[0].unit.id;
    let (status, body) = send(
        &app,
        &staff,
        Method::POST,
        &format!("/api/units/{}/teams", detail.unit.id),
        Some(json!({"name": "Tổ Thứ Hai", "village_id": village})),
    )
    .await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "team_exists"));
    let (status, body) = send(
        &app,
        &staff,
        Method::POST,
        &format!("/api/units/{}/villages", detail.unit.id),
        Some(json!({"name": "Thôn Hội Khánh"})),
    )
    .await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "name_taken"));
    // A decision date that is not a date; a household count below zero.
    let (status, body) = send(
        &app,
        &staff,
        Method::PATCH,
        &format!("/api/teams/{own_team}"),
        Some(json!({"decision_date": "15/07/2025"})),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "date_invalid")
    );
    let (status, body) = send(
        &app,
        &staff,
        Method::PATCH,
        &format!("/api/units/{village}"),
        Some(json!({"household_count": -3})),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "household_count_invalid")
    );

    assert_eq!(rows(&app), before, "nothing was stored");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action NOT IN ('sign_in', 'sign_in_failed')"
        ),
        0
    );
}

#[tokio::test]
async fn a_roster_file_adds_every_good_line_and_reports_every_bad_one() {
    let app = TestApp::spawn().await;
    let staff = app.signed_in(COMMUNE_STAFF).await;
    let detail = commune(&app, &staff).await;
    let users_before = app.count("SELECT COUNT(*) FROM users");
    let csv = "Họ tên,Số điện thoại,Thôn,Vai trò\n\
               Phan Văn Một,0913000001,Thôn Hội Khánh,Đoàn Thanh niên\n\
               Phan Văn Hai,12345,Thôn Hội Khánh,Đoàn Thanh niên\n\
               Phan Văn Ba,0913000003,Thôn Không Có,Hội Phụ nữ\n\
               ,0913000004,Thôn Vĩnh Hòa,Khác\n\
               Phan Văn Năm,0913000005,Thôn Vĩnh Hòa,Hội đồng hương\n\
               Phan Văn Sáu,0900000002,Thôn Xuân Sơn,Khác\n\
               Phan Văn Một,0913000001,Thôn Hội Khánh,Đoàn Thanh niên\n\
               Phan Thị Bảy,0913000007,Thôn Xuân Sơn,Hội Phụ nữ\n\
               Phan Văn Tám,0913000008,,Khác\n";
    let (status, body) = send(
        &app,
        &staff,
        Method::POST,
        &format!("/api/units/{}/roster-import", detail.unit.id),
        Some(json!({ "csv": csv })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let report: ImportReport = serde_json::from_value(body).unwrap();
    let added: Vec<u32> = report.added.iter().map(|a| a.line).collect();
    assert_eq!(added, vec![2, 9]);
    assert!(report.added.iter().all(|a| a
        .one_time_password
        .as_deref()
        .is_some_and(|p| p.len() == 10)));
    let refused: Vec<(u32, &str)> = report
        .refused
        .iter()
        .map(|r| (r.line, r.code.as_str()))
        .collect();
    assert_eq!(
        refused,
        vec![
            (3, "phone_invalid"),
            (4, "village_unknown"),
            (5, "name_required"),
            (6, "affiliation_unknown"),
            (7, "phone_taken"),
            (8, "already_on_team"),
            (10, "no_team"),
        ]
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users") - users_before,
        2,
        "only the good lines"
    );
    // The new people must change their one-time password first.
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE phone IN ('0913000001', '0913000007') AND must_change_password = 1"), 2);

    let (status, body) = send(
        &app,
        &staff,
        Method::POST,
        &format!("/api/units/{}/roster-import", detail.unit.id),
        Some(json!({ "csv": "tên,điện thoại\nA,0913000009\n" })),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "columns")
    );
}

#[tokio::test]
async fn a_teams_page_says_what_it_lacks_under_the_composition_rule() {
    let app = TestApp::spawn().await;
    let staff = app.signed_in(COMMUNE_STAFF).await;
    let detail = commune(&app, &staff).await;
    assert!(
        detail.teams.iter().all(|t| t.gaps.is_empty()),
        "the demo teams meet the rule"
    );
    let (status, body) = send(
        &app,
        &staff,
        Method::POST,
        &format!("/api/units/{}/villages", detail.unit.id),
        Some(json!({"name": "Thôn Mới", "household_count": 150})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let village = body["id"].as_i64().unwrap();
    let (status, body) = send(&app, &staff, Method::POST, &format!("/api/units/{}/teams", detail.unit.id),
        Some(json!({"name": "Tổ Thôn Mới", "village_id": village, "decision_no": "20/QĐ-UBND", "decision_date": "2025-09-01"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let team: Uuid = serde_json::from_value(body["id"].clone()).unwrap();
    let gaps = |detail: &TeamDetail| {
        detail
            .team
            .gaps
            .iter()
            .map(|g| g.code())
            .collect::<Vec<_>>()
    };
    let fresh: TeamDetail = app.get_json(&staff, &format!("/api/teams/{team}")).await;
    assert_eq!(
        gaps(&fresh),
        vec![
            "too_few_people",
            "no_leader",
            "too_few_youth_union",
            "no_womens_union",
            "no_village_cadre"
        ]
    );
    for (i, (affiliation, leader)) in [
        ("womens_union", true),
        ("youth_union", false),
        ("village_cadre", false),
        ("other", false),
    ]
    .into_iter()
    .enumerate()
    {
        let (status, body) = send(&app, &staff, Method::POST, &format!("/api/teams/{team}/members"),
            Some(json!({"name": format!("Người Số {i}"), "phone": format!("091400000{i}"), "affiliation": affiliation, "leader": leader}))).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let now: TeamDetail = app.get_json(&staff, &format!("/api/teams/{team}")).await;
    assert_eq!(
        gaps(&now),
        vec!["leader_not_youth_union", "too_few_youth_union"]
    );
    // The commune's page counts the team that misses the rule.
    let unit = commune(&app, &staff).await;
    assert_eq!(unit.unit.teams_with_gaps, 1);
}

/// Pushes one visit at `visited_at`, optionally naming its village; answers its result.
async fn push_at(
    app: &TestApp,
    client: &Client,
    visited_at: i64,
    village: Option<i64>,
) -> (String, Option<String>) {
    push_visit(app, client, visited_at, village, None).await
}

/// Pushes one visit at `visited_at`, optionally naming its village and raising a difficulty;
/// answers its result and the reason it was refused.
async fn push_visit(
    app: &TestApp,
    client: &Client,
    visited_at: i64,
    village: Option<i64>,
    difficulty: Option<Value>,
) -> (String, Option<String>) {
    let mut record = visit(Uuid::now_v7(), 1, 0, "");
    record["visited_at"] = json!(visited_at);
    if let Some(village) = village {
        record["village_id"] = json!(village);
    }
    if let Some(difficulty) = difficulty {
        record["difficulty"] = difficulty;
    }
    let response: app::api::PushResponse = app
        .push(client, json!([record]))
        .await
        .json()
        .await
        .unwrap();
    let result = &response.results[0];
    (
        serde_json::to_value(result.result)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string(),
        result.reason.clone(),
    )
}

#[tokio::test]
async fn a_member_who_moves_keeps_their_earlier_visits_with_their_old_team() {
    let app = TestApp::spawn().await;
    let staff = app.signed_in(COMMUNE_STAFF).await;
    let member = app.signed_in(MEMBER).await;
    let detail = commune(&app, &staff).await;
    let (old_team, new_team) = (detail.teams[0].id, detail.teams[1].id);
    let member_id = app
        .get_json::<app::api::Profile>(&member, "/api/auth/me")
        .await
        .user_id;
    let before_move = now_ms();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let (status, body) = send(
        &app,
        &staff,
        Method::POST,
        &format!("/api/users/{member_id}/move"),
        Some(json!({"team_id": new_team})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;

    // A visit the phone logged before the move, sent after it, goes to the old team.
    assert_eq!(push_at(&app, &member, before_move, None).await.0, "applied");
    assert_eq!(push_at(&app, &member, now_ms(), None).await.0, "applied");
    let teams = |team: Uuid| {
        app.count(&format!(
            "SELECT COUNT(*) FROM visits WHERE team_id = '{team}'"
        ))
    };
    assert_eq!((teams(old_team), teams(new_team)), (1, 1));
    let villages = app.count(&format!(
        "SELECT COUNT(DISTINCT v.village_id) FROM visits v WHERE v.member_id = '{member_id}'"
    ));
    assert_eq!(villages, 2, "each visit in its team's village");
    // The new team's roster has them; the old one's no longer does.
    let old: TeamDetail = app
        .get_json(&staff, &format!("/api/teams/{old_team}"))
        .await;
    assert!(old.roster.iter().all(|e| e.user_id != member_id));
    // The pull feed names the team it was computed for, so the phone follows the move.
    let page: app::api::PullResponse = app.get_json(&member, "/api/sync/pull").await;
    assert_eq!(page.team_id, Some(new_team));
}

#[tokio::test]
async fn a_closed_account_may_only_send_what_it_logged_before() {
    let app = TestApp::spawn().await;
    let staff = app.signed_in(COMMUNE_STAFF).await;
    let member = app.signed_in(MEMBER).await;
    let member_id = app
        .get_json::<app::api::Profile>(&member, "/api/auth/me")
        .await
        .user_id;
    let before = now_ms();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let (status, body) = send(
        &app,
        &staff,
        Method::PATCH,
        &format!("/api/users/{member_id}"),
        Some(json!({"active": false})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["active"], json!(false));

    // Their sessions ended; signing in again still works for the grace period.
    let (status, _) = send(&app, &member, Method::GET, "/api/auth/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let member = app.signed_in(MEMBER).await;
    assert_eq!(push_at(&app, &member, before, None).await.0, "applied");
    let (result, reason) = push_at(&app, &member, now_ms(), None).await;
    assert_eq!(
        (result.as_str(), reason.as_deref()),
        ("rejected", Some("account_closed"))
    );
    let (status, body) = send(&app, &member, Method::GET, "/api/sync/pull", None).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "account_closed")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'user_closed'"),
        1
    );
}

#[tokio::test]
async fn a_commune_teams_visits_name_a_village_of_the_commune() {
    let app = TestApp::spawn().await;
    let staff = app.signed_in(COMMUNE_STAFF).await;
    let detail = commune(&app, &staff).await;
    let (status, body) = send(
        &app,
        &staff,
        Method::POST,
        &format!("/api/units/{}/teams", detail.unit.id),
        Some(json!({"name": "Tổ công nghệ số xã"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["unit"]["level"], json!("commune"));
    let team: Uuid = serde_json::from_value(body["id"].clone()).unwrap();
    let (status, body) = send(&app, &staff, Method::POST, &format!("/api/teams/{team}/members"),
        Some(json!({"name": "Tạ Văn Xã", "phone": "0915000001", "affiliation": "youth_union", "leader": true}))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let password = body["one_time_password"].as_str().unwrap().to_string();
    let person = TestApp::client();
    let (status, _) = send(
        &app,
        &person,
        Method::POST,
        "/api/auth/login",
        Some(json!({"phone": "0915000001", "password": password})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // The one-time password must be changed before anything else.
    let (status, body) = send(&app, &person, Method::GET, "/api/visits", None).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "password_change_required")
    );
    let (status, _) = send(
        &app,
        &person,
        Method::POST,
        "/api/auth/password",
        Some(json!({"current": password, "new": "mat-khau-rieng"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let me: app::api::Profile = app.get_json(&person, "/api/auth/me").await;
    let team_ref = me.team.unwrap();
    assert!(team_ref.village.is_none());
    assert_eq!(team_ref.villages.len(), 3, "every village of the commune");
    let (result, reason) = push_at(&app, &person, now_ms(), None).await;
    assert_eq!(
        (result.as_str(), reason.as_deref()),
        ("rejected", Some("village_required"))
    );
    let foreign =
        app.count("SELECT id FROM units WHERE level = 'commune' AND official_code = '21640'");
    let (result, reason) = push_at(&app, &person, now_ms(), Some(foreign)).await;
    assert_eq!(
        (result.as_str(), reason.as_deref()),
        ("rejected", Some("village_unknown"))
    );
    let village = team_ref.villages[1].id;
    assert_eq!(
        push_at(&app, &person, now_ms(), Some(village)).await.0,
        "applied"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM visits WHERE village_id = {village} AND team_id = '{team}'"
        )),
        1
    );
}

#[tokio::test]
async fn a_retired_activity_leaves_the_form_and_keeps_the_visits_logged_before() {
    let app = TestApp::spawn().await;
    let province = app.signed_in(PROVINCE_STAFF).await;
    let member = app.signed_in(MEMBER).await;
    let me: app::api::Profile = app.get_json(&province, "/api/auth/me").await;
    let gia_lai = me.province.unwrap().id;
    let before = now_ms();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let (status, body) = send(
        &app,
        &province,
        Method::PATCH,
        &format!("/api/units/{gia_lai}/activities/epayment_account"),
        Some(json!({"retired": true, "name_vi": "Mở tài khoản thanh toán (ví, ngân hàng)"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["retired_at"].is_i64());
    let offered: app::api::Catalogue = app.get_json(&member, "/api/catalogue").await;
    assert!(offered
        .activities
        .iter()
        .all(|a| a.code != "epayment_account"));

    // `common::visit` names epayment_account.
    assert_eq!(push_at(&app, &member, before, None).await.0, "applied");
    let (result, reason) = push_at(&app, &member, now_ms(), None).await;
    assert_eq!(
        (result.as_str(), reason.as_deref()),
        ("rejected", Some("activity_unknown"))
    );

    // The province's own entry is offered in Gia Lai only.
    let (status, body) = send(
        &app,
        &province,
        Method::POST,
        &format!("/api/units/{gia_lai}/activities"),
        Some(json!({"task_group": "digital_society", "name_vi": "Cài đặt ứng dụng Gia Lai Số"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["code"], json!("p52-1"));
    let offered: app::api::Catalogue = app.get_json(&member, "/api/catalogue").await;
    assert!(offered.activities.iter().any(|a| a.code == "p52-1"));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('activity_changed', 'activity_added')"
        ),
        2
    );
}

/// Pushes a visit at `visited_at` raising a difficulty of kind `category`; its result, or the
/// reason it was refused.
async fn push_difficulty(
    app: &TestApp,
    client: &Client,
    visited_at: i64,
    category: &str,
) -> String {
    let difficulty = json!({ "category": category, "note": "Không có sóng" });
    let (result, reason) = push_visit(app, client, visited_at, None, Some(difficulty)).await;
    reason.unwrap_or(result)
}

#[tokio::test]
async fn the_province_keeps_its_kinds_of_difficulty_and_the_devices_learn_them() {
    let app = TestApp::spawn().await;
    let province = app.signed_in(PROVINCE_STAFF).await;
    let member = app.signed_in(MEMBER).await;
    let me: app::api::Profile = app.get_json(&province, "/api/auth/me").await;
    let gia_lai = me.province.unwrap().id;
    let kinds = |client| {
        let app = &app;
        async move {
            let list: app::api::DifficultyCategoryList =
                app.get_json(client, "/api/difficulty-categories").await;
            list.categories
        }
    };
    let before = now_ms();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;

    // A national kind renamed and retired in Gia Lai: the national row stays as it was.
    let (status, body) = send(
        &app,
        &province,
        Method::PATCH,
        &format!("/api/units/{gia_lai}/difficulty-categories/no_signal"),
        Some(json!({"retired": true, "name_vi": "Mất sóng điện thoại"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["national"], json!(true));
    assert!(body["retired_at"].is_i64());
    let seen = kinds(&member).await;
    let no_signal = seen.iter().find(|k| k.code == "no_signal").unwrap();
    assert_eq!(
        (no_signal.name_vi.as_str(), no_signal.active),
        ("Mất sóng điện thoại", false)
    );
    assert_eq!(seen.iter().filter(|k| k.code == "no_signal").count(), 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM difficulty_categories WHERE province_id IS NULL AND code = 'no_signal' AND name_vi = 'Không có sóng, mạng yếu' AND retired_at IS NULL"),
        1
    );
    // Visits from before the retirement keep it; later ones are refused.
    assert_eq!(
        push_difficulty(&app, &member, before, "no_signal").await,
        "applied"
    );
    assert_eq!(
        push_difficulty(&app, &member, now_ms(), "no_signal").await,
        "difficulty_unknown"
    );

    // The province's own kind, offered at once and brought by the feed.
    let (status, body) = send(
        &app,
        &province,
        Method::POST,
        &format!("/api/units/{gia_lai}/difficulty-categories"),
        Some(json!({"name_vi": "  Chưa có tài khoản ngân hàng  "})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        (
            body["code"].as_str(),
            body["name_vi"].as_str(),
            body["national"].as_bool()
        ),
        (
            Some("p52-d1"),
            Some("Chưa có tài khoản ngân hàng"),
            Some(false)
        )
    );
    assert!(kinds(&member)
        .await
        .iter()
        .any(|k| k.code == "p52-d1" && k.active));
    assert_eq!(
        push_difficulty(&app, &member, now_ms(), "p52-d1").await,
        "applied"
    );
    let feed: app::api::PullResponse = app
        .get_json(&member, "/api/sync/pull?cursor=0&limit=500&v=2")
        .await;
    let from_feed: Vec<_> = feed
        .items
        .iter()
        .filter_map(|i| i.difficulty_category.as_ref())
        .filter(|c| c.code == "p52-d1" || c.code == "no_signal")
        .map(|c| (c.code.as_str(), c.active))
        .collect();
    assert!(from_feed.contains(&("p52-d1", true)), "{from_feed:?}");
    assert!(from_feed.contains(&("no_signal", false)), "{from_feed:?}");

    // Offered again; bad names and other people are refused.
    let path = format!("/api/units/{gia_lai}/difficulty-categories/no_signal");
    let (status, _) = send(
        &app,
        &province,
        Method::PATCH,
        &path,
        Some(json!({"retired": false})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        push_difficulty(&app, &member, now_ms(), "no_signal").await,
        "applied"
    );
    let (status, body) = send(
        &app,
        &province,
        Method::PATCH,
        &path,
        Some(json!({"name_vi": " \u{200b} "})),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "name_required")
    );
    let (status, _) = send(
        &app,
        &member,
        Method::PATCH,
        &path,
        Some(json!({"name_vi": "X"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = send(
        &app,
        &province,
        Method::PATCH,
        &format!("/api/units/{gia_lai}/difficulty-categories/no_such_kind"),
        Some(json!({"name_vi": "X"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('difficulty_kind_changed', 'difficulty_kind_added')"),
        3
    );
}

#[tokio::test]
async fn a_reset_password_must_be_changed_and_ends_the_other_sessions() {
    let app = TestApp::spawn().await;
    let staff = app.signed_in(COMMUNE_STAFF).await;
    let member = app.signed_in(MEMBER).await;
    let member_id = app
        .get_json::<app::api::Profile>(&member, "/api/auth/me")
        .await
        .user_id;
    let (status, body) = send(
        &app,
        &staff,
        Method::POST,
        &format!("/api/users/{member_id}/password-reset"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let one_time = body["one_time_password"].as_str().unwrap().to_string();
    let (status, _) = send(&app, &member, Method::GET, "/api/auth/me", None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a reset ends the sessions"
    );

    let first = TestApp::client();
    let second = TestApp::client();
    for client in [&first, &second] {
        let (status, body) = send(
            &app,
            client,
            Method::POST,
            "/api/auth/login",
            Some(json!({"phone": MEMBER, "password": one_time})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["must_change_password"], json!(true));
    }
    let (status, body) = send(
        &app,
        &first,
        Method::POST,
        "/api/auth/password",
        Some(json!({"current": one_time, "new": MEMBER})),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "password_is_phone")
    );
    let (status, body) = send(
        &app,
        &first,
        Method::POST,
        "/api/auth/password",
        Some(json!({"current": "sai", "new": "mat-khau-moi-1"})),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "wrong_password")
    );
    let (status, _) = send(
        &app,
        &first,
        Method::POST,
        "/api/auth/password",
        Some(json!({"current": one_time, "new": "mat-khau-moi-1"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let me: app::api::Profile = app.get_json(&first, "/api/auth/me").await;
    assert!(!me.must_change_password);
    let (status, _) = send(&app, &second, Method::GET, "/api/auth/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the other session ended");
}

#[tokio::test]
async fn the_audit_log_is_read_within_ones_place() {
    let app = TestApp::spawn().await;
    let staff = app.signed_in(COMMUNE_STAFF).await;
    let admin = app.signed_in("0900000000").await;
    let (status, _) = send(
        &app,
        &TestApp::client(),
        Method::POST,
        "/api/auth/login",
        Some(json!({"phone": "0999999999", "password": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let detail = commune(&app, &staff).await;
    send(
        &app,
        &staff,
        Method::POST,
        &format!("/api/units/{}/villages", detail.unit.id),
        Some(json!({"name": "Thôn Nhật Ký"})),
    )
    .await;

    let actions = |list: &Value| -> Vec<String> {
        list["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, commune_log) = send(&app, &staff, Method::GET, "/api/audit", None).await;
    assert!(actions(&commune_log).contains(&"village_created".to_string()));
    assert!(
        !actions(&commune_log).contains(&"sign_in_failed".to_string()),
        "unknown phones are not the commune's"
    );
    let (_, everything) = send(&app, &admin, Method::GET, "/api/audit", None).await;
    assert!(actions(&everything).contains(&"sign_in_failed".to_string()));
    let text = everything.to_string();
    assert!(!text.contains("0999999999"), "no phone number in the log");
    let users: UserList = app.get_json(&staff, "/api/users").await;
    assert!(
        users.users.iter().all(|u| u.unit.name != "Gia Lai"),
        "commune staff see their commune's accounts"
    );
    let names: Vec<&str> = users.users.iter().map(|u| u.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_by(|a, b| app::domain::text::name_order(a, b));
    assert_eq!(names, sorted, "names in the Vietnamese order");
}
