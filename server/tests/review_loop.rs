//! The review loop over HTTP (protocol 2): two devices editing one visit, a conflict settled
//! by the leader, amendments after approval, a returned visit fixed, the leader's marks and
//! team log, canonical text and strict input, households kept to their village, and the
//! unsent count a device reports.

mod common;

use app::api::{
    AuditList, ConflictList, FeedItem, FeedKind, MarkKind, Profile, PullResponse, PushOutcome,
    PushResponse, PushResult, TeamDetail, VisitList, VisitStatus,
};
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

const LEADER: &str = "0900000011";
const TEAMMATE: &str = "0900000013";
const OTHER_LEADER: &str = "0900000021";
const DAY_MS: i64 = 24 * 3600 * 1000;

/// A protocol-2 revision: its own id, the revision it was edited from, consent to the phone,
/// visited an hour ago.
fn revision(
    id: Uuid,
    version: u32,
    base_version: u32,
    revision: Uuid,
    base_revision: Option<Uuid>,
    note: &str,
) -> Value {
    let mut record = visit(id, version, base_version, note);
    record["revision"] = json!(revision);
    record["base_revision"] = json!(base_revision);
    record["household"]["phone_consent"] = json!(true);
    record["visited_at"] = json!(now_ms() - 3_600_000);
    record
}

/// The full result of each pushed record.
async fn push_results(app: &TestApp, client: &reqwest::Client, visits: Value) -> Vec<PushResult> {
    let response = app.push(client, visits).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: PushResponse = response.json().await.unwrap();
    body.results
}

/// Pushes one record and returns its result.
async fn push_one(app: &TestApp, client: &reqwest::Client, record: Value) -> PushResult {
    let mut results = push_results(app, client, json!([record])).await;
    assert_eq!(results.len(), 1);
    results.remove(0)
}

/// Every item after `cursor`, page by page, as a protocol-2 device asks for them.
async fn pull_all(
    app: &TestApp,
    client: &reqwest::Client,
    mut cursor: i64,
) -> (Vec<FeedItem>, i64) {
    let mut items = Vec::new();
    loop {
        let page: PullResponse = app
            .get_json(
                client,
                &format!("/api/sync/pull?cursor={cursor}&limit=4&v=2"),
            )
            .await;
        assert!(page.next_cursor >= cursor);
        cursor = page.next_cursor;
        items.extend(page.items);
        if !page.more {
            return (items, cursor);
        }
    }
}

/// The last state of visit `id` in a run of feed items.
fn state_of(items: &[FeedItem], id: Uuid) -> Option<VisitStatus> {
    items
        .iter()
        .rev()
        .filter(|i| i.kind == FeedKind::Visit)
        .find_map(|i| i.visit.clone().filter(|v| v.id == id))
}

/// The raw JSON of visit `id`'s latest feed item, from 0 (to check exact field shapes).
async fn raw_state(app: &TestApp, client: &reqwest::Client, id: Uuid) -> Value {
    let page: Value = app
        .get_json(client, "/api/sync/pull?cursor=0&limit=500&v=2")
        .await;
    assert_eq!(page["more"], json!(false));
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|i| i["kind"] == "visit" && i["visit"]["id"] == json!(id))
        .map(|i| i["visit"].clone())
        .unwrap_or_else(|| panic!("visit {id} is in the feed"))
}

async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    path: String,
    body: Value,
) -> reqwest::Response {
    client
        .post(app.url(&path))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn review(
    app: &TestApp,
    staff: &reqwest::Client,
    id: Uuid,
    body: Value,
) -> reqwest::Response {
    post(app, staff, format!("/api/visits/{id}/review"), body).await
}

async fn resolve(
    app: &TestApp,
    client: &reqwest::Client,
    id: Uuid,
    keep: i64,
) -> reqwest::Response {
    post(
        app,
        client,
        format!("/api/visits/{id}/resolve"),
        json!({ "keep": keep }),
    )
    .await
}

async fn mark(app: &TestApp, client: &reqwest::Client, id: Uuid, body: Value) -> reqwest::Response {
    post(app, client, format!("/api/visits/{id}/mark"), body).await
}

async fn me(app: &TestApp, client: &reqwest::Client) -> Profile {
    app.get_json(client, "/api/auth/me").await
}

/// The audit actions recorded on visit `id`, oldest first, as commune staff read them.
async fn audit_actions(app: &TestApp, staff: &reqwest::Client, id: Uuid) -> Vec<String> {
    let log: AuditList = app.get_json(staff, "/api/audit?limit=200").await;
    let target = id.to_string();
    let mut actions: Vec<String> = log
        .entries
        .iter()
        .filter(|e| e.target_id.as_deref() == Some(target.as_str()))
        .inspect(|e| assert_eq!(e.target_kind.as_deref(), Some("visit")))
        .map(|e| e.action.clone())
        .collect();
    actions.reverse();
    actions
}

/// The one visit `id` as its author reads it from `GET /api/visits`.
async fn listed(app: &TestApp, member: &reqwest::Client, id: Uuid) -> app::api::ServerVisit {
    let list: VisitList = app.get_json(member, "/api/visits").await;
    list.visits
        .into_iter()
        .find(|v| v.record.id == id)
        .unwrap_or_else(|| panic!("visit {id} is listed"))
}

#[tokio::test]
async fn two_devices_editing_one_visit_end_in_a_conflict_the_leader_settles() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(MEMBER).await;
    let leader = app.signed_in(LEADER).await;
    let staff = app.signed_in(COMMUNE_STAFF).await;
    let leader_id = me(&app, &leader).await.user_id;
    let (_, cursor) = pull_all(&app, &member, 0).await;
    let id = Uuid::now_v7();
    let (r1, a2, b2, b3) = (
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
    );

    let first = push_one(&app, &member, revision(id, 1, 0, r1, None, "lần đầu")).await;
    assert_eq!(first.result, PushOutcome::Applied);
    let from_a = push_one(&app, &member, revision(id, 2, 1, a2, Some(r1), "máy A")).await;
    assert_eq!(from_a.result, PushOutcome::Applied);

    // Device B edited version 1 too: its "version 2" is stale, and the answer carries A's.
    let from_b = push_one(&app, &member, revision(id, 2, 1, b2, Some(r1), "máy B")).await;
    assert_eq!((from_b.id, from_b.version), (id, 2));
    assert_eq!(from_b.result, PushOutcome::Stale);
    assert_eq!(from_b.reason, None);
    let current = from_b
        .current
        .expect("a stale answer carries the current revision");
    assert_eq!(
        (current.id, current.version, current.status.as_str()),
        (id, 2, "submitted")
    );
    assert_eq!(current.revision, Some(a2));
    let record = current.record.expect("the current revision's content");
    assert_eq!((record.note.as_str(), record.revision), ("máy A", Some(a2)));

    // B keeps editing its own copy: version 3 from b2, which is not the current revision.
    let b_three = revision(id, 3, 2, b3, Some(b2), "máy B sửa tiếp");
    let again = push_one(&app, &member, b_three.clone()).await;
    assert_eq!(again.result, PushOutcome::Conflict);
    assert!(again.current.is_none());
    let (items, _) = pull_all(&app, &member, cursor).await;
    let flagged = state_of(&items, id).expect("the flagged visit is in the feed");
    assert_eq!(
        (flagged.version, flagged.revision, flagged.conflict),
        (2, Some(a2), true),
        "A's revision stays current, flagged"
    );

    let list: ConflictList = app.get_json(&leader, "/api/sync/conflicts").await;
    assert_eq!(list.conflicts.len(), 1);
    let conflict = &list.conflicts[0];
    assert_eq!((conflict.visit_id, conflict.current_version), (id, 2));
    assert_eq!(conflict.member_id, me(&app, &member).await.user_id);
    let seen: Vec<_> = conflict
        .revisions
        .iter()
        .map(|r| {
            (
                r.version,
                r.base_version,
                r.outcome.as_str(),
                r.revision,
                r.record.as_ref().map(|rec| rec.note.as_str()),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (1, 0, "applied", Some(r1), Some("lần đầu")),
            (2, 1, "applied", Some(a2), Some("máy A")),
            (2, 1, "stale", Some(b2), Some("máy B")),
            (3, 2, "conflict", Some(b3), Some("máy B sửa tiếp")),
        ]
    );
    let numbers: Vec<i64> = conflict.revisions.iter().map(|r| r.number).collect();
    assert!(
        numbers.windows(2).all(|w| w[0] < w[1]) && numbers[0] > 0,
        "each revision has its own number: {numbers:?}"
    );
    let keep = numbers[3];
    let member_view: ConflictList = app.get_json(&member, "/api/sync/conflicts").await;
    assert_eq!(
        member_view.conflicts, list.conflicts,
        "the author sees it too"
    );

    // Refusals while the conflict is open.
    let by_staff = resolve(&app, &staff, id, keep).await;
    assert_eq!(by_staff.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(by_staff).await, "forbidden");
    let other = Uuid::now_v7();
    push_one(
        &app,
        &member,
        revision(other, 1, 0, Uuid::now_v7(), None, ""),
    )
    .await;
    let others_number = app.count(&format!(
        "SELECT id FROM visit_revisions WHERE visit_id = '{other}'"
    ));
    let foreign = resolve(&app, &leader, id, others_number).await;
    assert_eq!(foreign.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(foreign).await, "revision_unknown");

    // The leader keeps B's version 3: written as version 4, current, back to review.
    let settled = resolve(&app, &leader, id, keep).await;
    assert_eq!(settled.status(), StatusCode::OK);
    let settled: VisitStatus = settled.json().await.unwrap();
    assert_eq!(
        (settled.id, settled.version, settled.status.as_str()),
        (id, 4, "submitted")
    );
    assert!(!settled.conflict);
    let new_revision = settled.revision.expect("a new revision id");
    assert!(![r1, a2, b2, b3].contains(&new_revision));
    let record = settled.record.clone().expect("the kept content");
    assert_eq!(
        (
            record.version,
            record.base_version,
            record.note.as_str(),
            record.revision
        ),
        (4, 2, "máy B sửa tiếp", Some(new_revision))
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM visit_revisions WHERE visit_id = '{id}' AND version = 4 \
             AND revision = '{new_revision}' AND json_extract(payload, '$.base_revision') = '{a2}'"
        )),
        1,
        "written as edited from the current revision"
    );

    // The author's devices learn the settled state.
    let (items, _) = pull_all(&app, &member, cursor).await;
    let pulled = state_of(&items, id).expect("the settled visit is in the feed");
    assert_eq!(
        (pulled.version, pulled.status.as_str(), pulled.conflict),
        (4, "submitted", false)
    );
    assert_eq!(pulled.revision, Some(new_revision));
    let record = pulled.record.expect("the current revision");
    assert_eq!(record.note, "máy B sửa tiếp");
    assert_eq!(record.revision, Some(new_revision));
    let list: ConflictList = app.get_json(&leader, "/api/sync/conflicts").await;
    assert!(list.conflicts.is_empty(), "the flag is cleared");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM visit_revisions WHERE visit_id = '{id}' AND version = 4 \
             AND written_by = '{leader_id}'"
        )),
        1,
        "recorded as written by the one who settled it"
    );

    let replay = push_one(&app, &member, b_three).await;
    assert_eq!(
        replay.result,
        PushOutcome::AlreadyHad,
        "B resending is a no-op"
    );
    let twice = resolve(&app, &leader, id, keep).await;
    assert_eq!(twice.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(twice).await, "no_conflict");
    assert_eq!(audit_actions(&app, &staff, id).await, ["conflict_settled"]);
}

#[tokio::test]
async fn an_edit_after_approval_waits_as_an_amendment_until_staff_decide() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(MEMBER).await;
    let staff = app.signed_in(COMMUNE_STAFF).await;
    let id = Uuid::now_v7();
    let (r1, r2, r3) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    push_one(&app, &member, revision(id, 1, 0, r1, None, "đã duyệt")).await;
    assert_eq!(
        review(&app, &staff, id, json!({"action": "approve"}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );

    let edit = push_one(&app, &member, revision(id, 2, 1, r2, Some(r1), "sửa lần 1")).await;
    assert_eq!(edit.result, PushOutcome::Locked);
    let stored = listed(&app, &member, id).await;
    assert_eq!(
        (
            stored.status.as_str(),
            stored.record.version,
            stored.record.note.as_str()
        ),
        ("approved", 1, "đã duyệt"),
        "the visit stays approved with the old content"
    );
    let raw = raw_state(&app, &member, id).await;
    assert_eq!(
        (&raw["status"], &raw["version"]),
        (&json!("approved"), &json!(1))
    );
    assert_eq!(raw["amendment"]["status"], json!("pending"));
    assert_eq!(raw["amendment"]["version"], json!(2));
    assert!(raw["amendment"].get("reason").is_none());
    assert_eq!(
        raw["amendment"]["record"]["village_id"], raw["record"]["village_id"],
        "the waiting edit is shown as approving it would make it, in the visit's village"
    );
    assert!(raw["record"]["village_id"].is_i64());

    assert_eq!(
        review(&app, &staff, id, json!({"action": "approve"}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let (items, _) = pull_all(&app, &member, 0).await;
    let state = state_of(&items, id).unwrap();
    assert_eq!(
        (state.version, state.status.as_str(), state.revision),
        (2, "approved", Some(r2)),
        "the amendment is the current, approved revision"
    );
    assert_eq!(state.amendment, None, "nothing waits any more");
    assert_eq!(state.record.unwrap().note, "sửa lần 1");
    assert!(raw_state(&app, &member, id)
        .await
        .get("amendment")
        .is_none());

    // A second edit is refused: the approved version 2 stays, the author learns why.
    let edit = push_one(&app, &member, revision(id, 3, 2, r3, Some(r2), "sửa lần 2")).await;
    assert_eq!(edit.result, PushOutcome::Locked);
    let refused = review(
        &app,
        &staff,
        id,
        json!({"action": "return", "reason": "Không cần sửa nữa"}),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::NO_CONTENT);
    let stored = listed(&app, &member, id).await;
    assert_eq!(
        (
            stored.status.as_str(),
            stored.record.version,
            stored.record.note.as_str()
        ),
        ("approved", 2, "sửa lần 1")
    );
    let (items, _) = pull_all(&app, &member, 0).await;
    let state = state_of(&items, id).unwrap();
    assert_eq!(
        (
            state.version,
            state.status.as_str(),
            state.reason.as_deref()
        ),
        (2, "approved", None)
    );
    let amendment = state.amendment.expect("the refused amendment");
    assert_eq!(
        (
            amendment.status.as_str(),
            amendment.version,
            amendment.reason.as_deref()
        ),
        ("refused", 3, Some("Không cần sửa nữa"))
    );

    let nothing = review(&app, &staff, id, json!({"action": "approve"})).await;
    assert_eq!(nothing.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(nothing).await, "not_submitted");
    assert_eq!(
        audit_actions(&app, &staff, id).await,
        ["visit_approved", "amendment_approved", "amendment_refused"]
    );
}

#[tokio::test]
async fn a_returned_visit_that_is_fixed_goes_back_to_review_with_the_reason_cleared() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(MEMBER).await;
    let staff = app.signed_in(COMMUNE_STAFF).await;
    let id = Uuid::now_v7();
    let (r1, r2) = (Uuid::now_v7(), Uuid::now_v7());
    push_one(&app, &member, revision(id, 1, 0, r1, None, "")).await;
    let returned = review(
        &app,
        &staff,
        id,
        json!({"action": "return", "reason": "Thiếu số điện thoại"}),
    )
    .await;
    assert_eq!(returned.status(), StatusCode::NO_CONTENT);
    let (items, cursor) = pull_all(&app, &member, 0).await;
    let state = state_of(&items, id).unwrap();
    assert_eq!(
        (state.status.as_str(), state.reason.as_deref()),
        ("returned", Some("Thiếu số điện thoại"))
    );
    assert!(state.reviewed_at.is_some());

    let fix = push_one(
        &app,
        &member,
        revision(id, 2, 1, r2, Some(r1), "đã bổ sung"),
    )
    .await;
    assert_eq!(fix.result, PushOutcome::Applied);
    let (items, _) = pull_all(&app, &member, cursor).await;
    let state = state_of(&items, id).expect("the fixed visit is in the feed");
    assert_eq!(
        (
            state.version,
            state.status.as_str(),
            state.reason,
            state.revision
        ),
        (2, "submitted", None, Some(r2))
    );
    assert_eq!(listed(&app, &member, id).await.status, "submitted");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM visits WHERE id = '{id}' AND review_reason IS NULL"
        )),
        1
    );
    assert_eq!(audit_actions(&app, &staff, id).await, ["visit_returned"]);
}

#[tokio::test]
async fn a_team_leader_marks_visits_of_their_team_and_the_author_sees_the_mark() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(MEMBER).await;
    let leader = app.signed_in(LEADER).await;
    let other_member = app.signed_in(OTHER_MEMBER).await;
    let leader_id = me(&app, &leader).await.user_id;
    let (id, elsewhere) = (Uuid::now_v7(), Uuid::now_v7());
    push_one(&app, &member, revision(id, 1, 0, Uuid::now_v7(), None, "")).await;
    push_one(
        &app,
        &other_member,
        revision(elsewhere, 1, 0, Uuid::now_v7(), None, ""),
    )
    .await;
    let (_, cursor) = pull_all(&app, &member, 0).await;

    let bare = mark(&app, &leader, id, json!({"mark": "has_issues"})).await;
    assert_eq!(bare.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(bare).await, "comment_required");
    let blank = mark(
        &app,
        &leader,
        id,
        json!({"mark": "has_issues", "comment": "  "}),
    )
    .await;
    assert_eq!(blank.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(blank).await, "comment_required");

    let before = now_ms();
    let marked = mark(
        &app,
        &leader,
        id,
        json!({"mark": "has_issues", "comment": "Ghi rõ ví nào"}),
    )
    .await;
    assert_eq!(marked.status(), StatusCode::NO_CONTENT);
    let (items, _) = pull_all(&app, &member, cursor).await;
    let state = state_of(&items, id).expect("the marked visit is in the author's feed");
    let seen = state.mark.expect("the leader's mark");
    assert_eq!(
        (seen.mark, seen.comment.as_deref(), seen.by),
        (MarkKind::HasIssues, Some("Ghi rõ ví nào"), leader_id)
    );
    assert!(seen.at >= before && seen.at <= now_ms());
    assert_eq!(state.status, "submitted", "a mark is not a review");

    let by_member = mark(&app, &member, id, json!({"mark": "reviewed"})).await;
    assert_eq!(by_member.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(by_member).await, "forbidden");
    let other_team = mark(&app, &leader, elsewhere, json!({"mark": "reviewed"})).await;
    assert_eq!(other_team.status(), StatusCode::NOT_FOUND);
    let other_leader = app.signed_in(OTHER_LEADER).await;
    let not_theirs = mark(&app, &other_leader, id, json!({"mark": "reviewed"})).await;
    assert_eq!(not_theirs.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM visits WHERE id = '{elsewhere}' AND mark IS NULL"
        )),
        1
    );
}

#[tokio::test]
async fn a_head_name_typed_decomposed_with_a_zero_width_space_is_stored_composed_without_it() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(MEMBER).await;
    let id = Uuid::now_v7();
    let mut record = revision(id, 1, 0, Uuid::now_v7(), None, "");
    let typed = "Nguye\u{0302}\u{0303}n\u{200B} V\u{0103}n An";
    record["household"]["head_name"] = json!(typed);
    assert_eq!(
        push_one(&app, &member, record).await.result,
        PushOutcome::Applied
    );
    let stored = listed(&app, &member, id).await;
    assert_eq!(
        stored.record.household.head_name,
        "Nguy\u{1EC5}n V\u{0103}n An"
    );
    assert!(!stored.record.household.head_name.contains('\u{200B}'));
}

#[tokio::test]
async fn strict_input_is_refused_with_its_code() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(MEMBER).await;
    let reason = |r: &PushResult| (r.result, r.reason.clone().unwrap_or_default());
    let rejected = |code: &str| (PushOutcome::Rejected, code.to_string());

    let mut odd_date = visit(Uuid::now_v7(), 1, 0, "");
    odd_date["outcome"] = json!("follow_up");
    odd_date["follow_up_on"] = json!("+999-+1-+1");
    // 1_780_000_000_000 is 28 May 2026 20:26 UTC, already 29 May in Vietnam.
    let mut before_visit = visit(Uuid::now_v7(), 1, 0, "");
    before_visit["outcome"] = json!("follow_up");
    before_visit["follow_up_on"] = json!("2026-05-28");
    let mut same_day = visit(Uuid::now_v7(), 1, 0, "");
    same_day["outcome"] = json!("follow_up");
    same_day["follow_up_on"] = json!("2026-05-29");
    let mut no_consent = revision(Uuid::now_v7(), 1, 0, Uuid::now_v7(), None, "");
    no_consent["household"]
        .as_object_mut()
        .unwrap()
        .remove("phone_consent");
    let mut unknown_difficulty = revision(Uuid::now_v7(), 1, 0, Uuid::now_v7(), None, "");
    unknown_difficulty["difficulty"] = json!({"category": "no_electricity", "note": "Mất điện"});

    let results = push_results(
        &app,
        &member,
        json!([
            odd_date,
            before_visit,
            same_day,
            no_consent,
            unknown_difficulty
        ]),
    )
    .await;
    let seen: Vec<_> = results.iter().map(reason).collect();
    assert_eq!(
        seen,
        [
            rejected("follow_up_required"),
            rejected("follow_up_before_visit"),
            (PushOutcome::Applied, String::new()),
            rejected("phone_consent_required"),
            rejected("difficulty_unknown"),
        ]
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM visits"), 1);
}

#[tokio::test]
async fn a_visit_may_only_name_a_household_of_its_own_village() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(MEMBER).await;
    let other = app.signed_in(OTHER_MEMBER).await;
    let first = Uuid::now_v7();
    push_one(&app, &member, visit(first, 1, 0, "")).await;
    let household = Uuid::from_u128(first.as_u128() ^ 1);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM households WHERE id = '{household}'"
        )),
        1
    );

    let intruder = Uuid::now_v7();
    let mut record = visit(intruder, 1, 0, "");
    record["household"]["id"] = json!(household);
    record["household"]["head_name"] = json!("Lê Văn Khác");
    let result = push_one(&app, &other, record).await;
    assert_eq!(
        (result.result, result.reason.as_deref()),
        (PushOutcome::Rejected, Some("household_elsewhere"))
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM households WHERE id = '{household}' \
             AND head_name = 'Nguyễn Văn An'"
        )),
        1,
        "the household's name is unchanged"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM visits WHERE id = '{intruder}'"
        )),
        0
    );
}

#[tokio::test]
async fn a_team_leaders_feed_carries_the_teams_visits_of_the_last_two_months() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(MEMBER).await;
    let teammate = app.signed_in(TEAMMATE).await;
    let leader = app.signed_in(LEADER).await;
    let teammate_profile = me(&app, &teammate).await;
    let (a, b, old) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let mut long_ago = revision(old, 1, 0, Uuid::now_v7(), None, "hai tháng trước");
    long_ago["visited_at"] = json!(now_ms() - 70 * DAY_MS);
    let pushed = push_results(
        &app,
        &teammate,
        json!([
            revision(a, 1, 0, Uuid::now_v7(), None, "nhà thứ nhất"),
            revision(b, 1, 0, Uuid::now_v7(), None, "nhà thứ hai"),
            long_ago
        ]),
    )
    .await;
    assert!(pushed.iter().all(|r| r.result == PushOutcome::Applied));

    let (items, _) = pull_all(&app, &leader, 0).await;
    for (id, note) in [(a, "nhà thứ nhất"), (b, "nhà thứ hai")] {
        let state = state_of(&items, id).expect("a teammate's visit is in the leader's feed");
        assert_eq!(state.member_id, Some(teammate_profile.user_id));
        assert_eq!(
            state.member_name.as_deref(),
            Some(teammate_profile.name.as_str())
        );
        assert_eq!(state.record.expect("the current revision").note, note);
    }
    assert!(
        state_of(&items, old).is_none(),
        "a visit older than 62 days is not sent to the leader"
    );

    let (items, _) = pull_all(&app, &teammate, 0).await;
    assert!(
        [a, b, old].iter().all(|id| state_of(&items, *id).is_some()),
        "the author receives all their own visits"
    );
    let (items, _) = pull_all(&app, &member, 0).await;
    assert!(
        items.iter().all(|i| i.kind != FeedKind::Visit),
        "a member does not receive a teammate's visits"
    );
}

#[tokio::test]
async fn the_unsent_count_a_device_reports_reaches_the_leaders_roster() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(MEMBER).await;
    let leader = app.signed_in(LEADER).await;
    let before = now_ms();
    let page: PullResponse = app
        .get_json(&member, "/api/sync/pull?cursor=0&unsent=3")
        .await;
    let after = now_ms();
    let team = page.team_id.expect("the member's team");

    let detail: TeamDetail = app.get_json(&leader, &format!("/api/teams/{team}")).await;
    let entry = detail
        .roster
        .iter()
        .find(|e| e.phone == MEMBER)
        .expect("the member is on the roster");
    assert_eq!(entry.unsent, Some(3));
    let at = entry.unsent_at.expect("when it was reported");
    assert!(at >= before && at <= after, "{at} within {before}..{after}");
    let teammate = detail
        .roster
        .iter()
        .find(|e| e.phone == TEAMMATE)
        .expect("the teammate is on the roster");
    assert_eq!((teammate.unsent, teammate.unsent_at), (None, None));

    for query in ["unsent=-1", "unsent=100001", "unsent=abc"] {
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
}
