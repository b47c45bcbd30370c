//! The sync protocol over HTTP: every per-record push result, the pull feed and its cursor,
//! review (approve, return with a reason), amendments after approval, withdrawal, conflicts.

mod common;

use app::api::{ConflictList, FeedKind, PullResponse};
use common::*;
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

async fn pull(app: &TestApp, client: &reqwest::Client, cursor: i64, limit: u32) -> PullResponse {
    let response = client
        .get(app.url(&format!("/api/sync/pull?cursor={cursor}&limit={limit}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// Every item after `cursor`, page by page, as a device would.
async fn pull_all(
    app: &TestApp,
    client: &reqwest::Client,
    mut cursor: i64,
) -> (Vec<app::api::FeedItem>, i64) {
    let mut items = Vec::new();
    loop {
        let page = pull(app, client, cursor, 3).await;
        assert!(page.next_cursor >= cursor);
        cursor = page.next_cursor;
        items.extend(page.items);
        if !page.more {
            return (items, cursor);
        }
    }
}

async fn review(
    app: &TestApp,
    staff: &reqwest::Client,
    id: Uuid,
    body: serde_json::Value,
) -> reqwest::Response {
    staff
        .post(app.url(&format!("/api/visits/{id}/review")))
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn every_push_result_is_reachable() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(MEMBER).await;
    let staff = app.signed_in(COMMUNE_STAFF).await;
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());

    let mut invalid = visit(Uuid::now_v7(), 1, 0, "");
    invalid["activities"] = json!([]);
    assert_eq!(
        results(app.push(&member, json!([visit(a, 1, 0, "")])).await).await,
        ["applied"]
    );
    assert_eq!(
        results(app.push(&member, json!([visit(a, 1, 0, "")])).await).await,
        ["already_had"]
    );
    assert_eq!(
        results(app.push(&member, json!([visit(a, 2, 1, "sửa")])).await).await,
        ["applied"]
    );
    assert_eq!(
        results(app.push(&member, json!([visit(a, 2, 1, "khác")])).await).await,
        ["stale"]
    );
    assert_eq!(
        results(
            app.push(&member, json!([visit(a, 3, 1, "song song")]))
                .await
        )
        .await,
        ["conflict"]
    );
    assert_eq!(
        results(app.push(&member, json!([invalid])).await).await,
        ["rejected"]
    );

    app.push(&member, json!([visit(b, 1, 0, "")])).await;
    assert_eq!(
        review(&app, &staff, b, json!({"action": "approve"}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        results(
            app.push(&member, json!([visit(b, 2, 1, "sau duyệt")]))
                .await
        )
        .await,
        ["locked"]
    );
    assert_eq!(
        app.count(&format!("SELECT amendment FROM visits WHERE id = '{b}'")),
        1,
        "an edit after approval goes back to review as an amendment"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM visits WHERE id = '{b}' AND version = 1 AND status = 'approved'"
        )),
        1,
        "the approved version stays current"
    );
}

#[tokio::test]
async fn a_new_device_pulls_the_catalogue_roster_and_nothing_else_from_zero() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(MEMBER).await;
    let (items, cursor) = pull_all(&app, &member, 0).await;
    let count = |kind| items.iter().filter(|i| i.kind == kind).count();
    assert_eq!(count(FeedKind::Activity), 9);
    assert_eq!(count(FeedKind::Roster), 4, "the member's own team only");
    assert_eq!(count(FeedKind::Household) + count(FeedKind::Visit), 0);
    assert!(items.windows(2).all(|w| w[0].seq < w[1].seq), "feed order");
    assert_eq!(
        pull(&app, &member, cursor, 100).await.items.len(),
        0,
        "nothing new after the cursor"
    );
}

#[tokio::test]
async fn a_returned_visit_reaches_its_author_with_the_reason_and_a_fix_resubmits_it() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(MEMBER).await;
    let staff = app.signed_in(COMMUNE_STAFF).await;
    let (_, cursor) = pull_all(&app, &member, 0).await;
    let id = Uuid::now_v7();
    app.push(&member, json!([visit(id, 1, 0, "")])).await;

    let returned = review(
        &app,
        &staff,
        id,
        json!({"action": "return", "reason": "Thiếu số điện thoại"}),
    )
    .await;
    assert_eq!(returned.status(), StatusCode::NO_CONTENT);
    let (items, cursor) = pull_all(&app, &member, cursor).await;
    let status = items
        .iter()
        .find_map(|i| i.visit.clone())
        .expect("the visit's status is in the feed");
    assert_eq!((status.id, status.status.as_str()), (id, "returned"));
    assert_eq!(status.reason.as_deref(), Some("Thiếu số điện thoại"));
    assert!(
        items.iter().any(|i| i.kind == FeedKind::Household),
        "the household joins the village list"
    );

    assert_eq!(
        results(
            app.push(&member, json!([visit(id, 2, 1, "đã bổ sung")]))
                .await
        )
        .await,
        ["applied"]
    );
    let (items, _) = pull_all(&app, &member, cursor).await;
    let status = items.iter().find_map(|i| i.visit.clone()).unwrap();
    assert_eq!(
        (status.version, status.status.as_str(), status.reason),
        (2, "submitted", None)
    );
}

#[tokio::test]
async fn reviews_are_checked() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(MEMBER).await;
    let staff = app.signed_in(COMMUNE_STAFF).await;
    let id = Uuid::now_v7();
    app.push(&member, json!([visit(id, 1, 0, "")])).await;

    assert_eq!(
        review(&app, &member, id, json!({"action": "approve"}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let no_reason = review(
        &app,
        &staff,
        id,
        json!({"action": "return", "reason": "  "}),
    )
    .await;
    assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(no_reason).await, "reason_required");
    let unknown = review(&app, &staff, Uuid::now_v7(), json!({"action": "approve"})).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        review(&app, &staff, id, json!({"action": "approve"}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let again = review(
        &app,
        &staff,
        id,
        json!({"action": "return", "reason": "muộn"}),
    )
    .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(again).await, "not_submitted");
}

#[tokio::test]
async fn a_submitted_visit_can_be_withdrawn_but_not_after_approval() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(MEMBER).await;
    let staff = app.signed_in(COMMUNE_STAFF).await;
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    app.push(&member, json!([visit(a, 1, 0, ""), visit(b, 1, 0, "")]))
        .await;
    let mut withdraw_a = visit(a, 2, 1, "");
    withdraw_a["withdrawn"] = json!(true);
    assert_eq!(
        results(app.push(&member, json!([withdraw_a])).await).await,
        ["applied"]
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM visits WHERE id = '{a}' AND status = 'withdrawn'"
        )),
        1
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM visit_revisions WHERE visit_id = '{a}'"
        )),
        2
    );

    review(&app, &staff, b, json!({"action": "approve"})).await;
    let mut withdraw_b = visit(b, 2, 1, "");
    withdraw_b["withdrawn"] = json!(true);
    assert_eq!(
        results(app.push(&member, json!([withdraw_b])).await).await,
        ["locked"]
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM visits WHERE id = '{b}' AND status = 'approved'"
        )),
        1
    );
}

#[tokio::test]
async fn conflicts_are_listed_for_the_team_leader() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(MEMBER).await;
    let id = Uuid::now_v7();
    app.push(
        &member,
        json!([
            visit(id, 1, 0, ""),
            visit(id, 2, 1, "máy 1"),
            visit(id, 2, 1, "máy 2")
        ]),
    )
    .await;
    app.push(&member, json!([visit(id, 3, 1, "máy 3")])).await;

    let leader = app.signed_in("0900000011").await;
    let list: ConflictList = app.get_json(&leader, "/api/sync/conflicts").await;
    assert_eq!(list.conflicts.len(), 1);
    let conflict = &list.conflicts[0];
    assert_eq!((conflict.visit_id, conflict.current_version), (id, 2));
    let outcomes: Vec<_> = conflict
        .revisions
        .iter()
        .map(|r| r.outcome.as_str())
        .collect();
    assert_eq!(outcomes, ["applied", "applied", "stale", "conflict"]);

    let other_leader = app.signed_in("0900000021").await;
    let list: ConflictList = app.get_json(&other_leader, "/api/sync/conflicts").await;
    assert!(
        list.conflicts.is_empty(),
        "another village's leader sees nothing"
    );
}

#[tokio::test]
async fn a_member_pulls_only_what_their_unit_covers() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(MEMBER).await;
    let other = app.signed_in(OTHER_MEMBER).await;
    app.push(&member, json!([visit(Uuid::now_v7(), 1, 0, "")]))
        .await;
    let (items, _) = pull_all(&app, &other, 0).await;
    assert!(items
        .iter()
        .all(|i| i.kind == FeedKind::Activity || i.kind == FeedKind::Roster));
    assert!(items
        .iter()
        .filter_map(|i| i.member.as_ref())
        .all(|m| m.name != "Nguyễn Thị Hoa"));
}

#[tokio::test]
async fn bad_pull_parameters_get_422() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(MEMBER).await;
    for query in ["cursor=-1", "limit=0", "limit=501", "cursor=abc"] {
        let response = member
            .get(app.url(&format!("/api/sync/pull?{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}"
        );
        assert_eq!(error_code(response).await, "invalid_query");
    }
    let anonymous = TestApp::client()
        .get(app.url("/api/sync/pull"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}
