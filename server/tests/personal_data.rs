//! A household's personal data over HTTP: commune staff export everything held about it and
//! erase it; the visits stay in the figures; devices learn the erasure from the feed; a later
//! edit from an offline phone does not bring the name back; nothing of it is left in the
//! database file; both are audited, without the name.

mod common;

use app::api::{
    AuditList, Erased, HouseholdExport, HouseholdList, Profile, PullResponse, UnitFigures,
};
use common::{error_code, results, TestApp, COMMUNE_STAFF, MEMBER};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

const NAME: &str = "Trần Thị Mận";
const ADDRESS: &str = "Số 47, xóm Giếng Mận";
const PHONE: &str = "0987654321";
const NOTE: &str = "Bà Mận nhờ con gái đọc mã OTP";
const DETAIL: &str = "tài khoản của bà Mận";

/// A revision of visit `id` to household `household`, carrying every kind of personal data.
fn record(id: Uuid, household: Uuid, version: u32, base: u32, note: &str) -> Value {
    json!({
        "id": id,
        "version": version,
        "base_version": base,
        "household": {
            "id": household,
            "head_name": NAME,
            "address": ADDRESS,
            "phone": PHONE,
            "business": true
        },
        "visited_at": 1_780_000_000_000i64,
        "activities": [
            { "code": "epayment_account", "detail": DETAIL, "people": 2 },
            { "code": "public_service_account", "people": 1 }
        ],
        "outcome": "done",
        "note": note,
        "difficulty": { "category": "no_id_card", "note": "Mận mất căn cước" }
    })
}

async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    body: Value,
) -> reqwest::Response {
    client.post(app.url(path)).json(&body).send().await.unwrap()
}

/// Every personal value sent, as the database or an answer could hold it.
const PERSONAL: [&str; 4] = ["Mận", PHONE, "con gái đọc mã", "đã dùng được ví"];

/// The database file and its write-ahead log, as text.
fn stored_bytes(app: &TestApp) -> Vec<(String, String)> {
    ["", "-wal"]
        .iter()
        .filter_map(|suffix| {
            let path = format!("{}{suffix}", app.db.display());
            let bytes = std::fs::read(&path).ok()?;
            Some((path, String::from_utf8_lossy(&bytes).into_owned()))
        })
        .collect()
}

fn assert_clean(what: &str, text: &str) {
    for value in PERSONAL {
        assert!(!text.contains(value), "{value:?} is still in {what}");
    }
}

#[tokio::test]
async fn an_erased_household_keeps_its_counted_visits_and_nothing_brings_its_name_back() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(MEMBER).await;
    let staff = app.signed_in(COMMUNE_STAFF).await;
    let me: Profile = app.get_json(&staff, "/api/auth/me").await;
    let commune = me.commune.unwrap().id;

    // A visit, edited once on the phone, approved by the commune.
    let (visit, household) = (Uuid::now_v7(), Uuid::now_v7());
    let first = record(visit, household, 1, 0, NOTE);
    let second = record(visit, household, 2, 1, &format!("{NOTE}, lần hai"));
    assert_eq!(
        results(app.push(&member, json!([first.clone()])).await).await,
        ["applied"]
    );
    assert_eq!(
        results(app.push(&member, json!([second.clone()])).await).await,
        ["applied"]
    );
    let review = post(
        &app,
        &staff,
        &format!("/api/visits/{visit}/review"),
        json!({"action": "approve"}),
    )
    .await;
    assert_eq!(review.status(), StatusCode::NO_CONTENT);
    let village = app.count(&format!(
        "SELECT village_id FROM visits WHERE id = '{visit}'"
    ));
    let figures_of = |unit: i64| format!("/api/units/{unit}/figures?period=Y2026");
    let before: (UnitFigures, UnitFigures) = (
        app.get_json(&staff, &figures_of(village)).await,
        app.get_json(&staff, &figures_of(commune)).await,
    );

    // The export holds everything, as a file to save, and lists itself.
    let response = staff
        .get(app.url(&format!("/api/households/{household}/export")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"ho-{household}.json\"")
    );
    let export: HouseholdExport = response.json().await.unwrap();
    assert_eq!(
        (
            export.household.household.head_name.as_str(),
            export.household.household.phone.as_deref()
        ),
        (NAME, Some(PHONE))
    );
    assert!(
        export.household.phone_consent_at.is_none(),
        "no consent was given with a protocol 1 record"
    );
    assert_eq!(export.visits.len(), 1);
    assert_eq!(export.visits[0].status, "approved");
    assert_eq!(export.revisions.len(), 2);
    assert_eq!(export.revisions[1].record.note, format!("{NOTE}, lần hai"));
    let actions: Vec<&str> = export.history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["household_exported"]);

    // (The files hold the name before erasure: the check at the end is not vacuous.)
    assert!(stored_bytes(&app)
        .iter()
        .any(|(_, text)| text.contains(NAME)));

    // Erasure: the household, its visit and both revisions.
    let erased = post(
        &app,
        &staff,
        &format!("/api/households/{household}/erase"),
        json!({}),
    )
    .await;
    assert_eq!(erased.status(), StatusCode::OK);
    let erased: Erased = erased.json().await.unwrap();
    assert_eq!(
        (erased.households, erased.visits, erased.revisions),
        (1, 1, 2)
    );
    let again = post(
        &app,
        &staff,
        &format!("/api/households/{household}/erase"),
        json!({}),
    )
    .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(again).await, "already_erased");

    // The figures did not move.
    let after: (UnitFigures, UnitFigures) = (
        app.get_json(&staff, &figures_of(village)).await,
        app.get_json(&staff, &figures_of(commune)).await,
    );
    assert_eq!(after, before);
    assert_eq!(
        app.count("SELECT count(*) FROM visits WHERE status = 'approved'"),
        1
    );

    // The member's phone learns it from the feed: the household is erased, the visit's copy
    // is what is left.
    let pull: Value = app.get_json(&member, "/api/sync/pull?cursor=0").await;
    assert_clean("the member's feed", &pull.to_string());
    let pull: PullResponse = serde_json::from_value(pull).unwrap();
    let item = pull
        .items
        .iter()
        .find_map(|i| i.household.as_ref().filter(|h| h.id == household));
    assert!(item.is_some_and(|h| h.erased && h.head_name == "—" && h.phone.is_none()));
    let status = pull
        .items
        .iter()
        .find_map(|i| i.visit.as_ref().filter(|v| v.id == visit))
        .unwrap();
    assert!(status.household_erased);
    let kept = status.record.as_ref().unwrap();
    assert_eq!(
        (
            kept.note.as_str(),
            kept.activities.len(),
            kept.activities[0].people
        ),
        ("", 2, 2)
    );

    // An offline phone sends what it held: the second revision again (its acknowledgement was
    // lost), then an edit of it. Both are kept as the protocol says, without the name.
    assert_eq!(
        results(app.push(&member, json!([second])).await).await,
        ["already_had"]
    );
    let third = record(visit, household, 3, 2, "Bà Mận đã dùng được ví");
    assert_eq!(
        results(app.push(&member, json!([third.clone()])).await).await,
        ["locked"]
    );
    assert_eq!(
        results(app.push(&member, json!([third])).await).await,
        ["already_had"]
    );
    // A new visit from another phone that still lists the household.
    let other_visit = Uuid::now_v7();
    let new_one = record(other_visit, household, 1, 0, NOTE);
    let new_one_result = results(app.push(&member, json!([new_one])).await).await;
    assert_eq!(new_one_result, ["applied"]);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM visits WHERE household_id = '{household}'"
        )),
        2
    );

    // Merging with an erased household is refused.
    let (merge_visit, other_household) = (Uuid::now_v7(), Uuid::now_v7());
    let mut other = record(merge_visit, other_household, 1, 0, "");
    other["household"]["head_name"] = json!("Lê Văn Tám");
    other["household"]["address"] = json!("Số 8");
    other["household"]["phone"] = Value::Null;
    other["activities"][0]["detail"] = Value::Null;
    other["difficulty"] = Value::Null;
    assert_eq!(
        results(app.push(&member, json!([other])).await).await,
        ["applied"]
    );
    let merge = post(
        &app,
        &staff,
        &format!("/api/households/{other_household}/merge"),
        json!({"into": household}),
    )
    .await;
    assert_eq!(merge.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(merge).await, "household_erased");

    // Nothing of it anywhere an answer reads: the village list, the export, the feed.
    let list: Value = app
        .get_json(&staff, &format!("/api/units/{village}/households"))
        .await;
    assert_clean("the village's household list", &list.to_string());
    let list: HouseholdList = serde_json::from_value(list).unwrap();
    let entry = list
        .households
        .iter()
        .find(|e| e.household.id == household)
        .unwrap();
    assert!(entry.household.erased && entry.duplicate_group.is_none());
    assert_eq!(entry.visits, 2);
    let export: Value = app
        .get_json(&staff, &format!("/api/households/{household}/export"))
        .await;
    assert_clean("the export after erasure", &export.to_string());
    let export: HouseholdExport = serde_json::from_value(export).unwrap();
    assert_eq!(
        export.revisions.len(),
        4,
        "every revision is kept, scrubbed"
    );
    assert!(export.household.erased_at.is_some());
    let pull: Value = app.get_json(&member, "/api/sync/pull?cursor=0").await;
    assert_clean("the member's feed after the late edits", &pull.to_string());
    let leader = app.signed_in("0900000011").await;
    let pull: Value = app.get_json(&leader, "/api/sync/pull?cursor=0").await;
    assert_clean("the leader's feed", &pull.to_string());

    // Both are audited, without the name.
    let audit: AuditList = app.get_json(&staff, "/api/audit").await;
    let text = serde_json::to_string(&audit).unwrap();
    assert_clean("the audit log", &text);
    let erasures = audit
        .entries
        .iter()
        .filter(|e| e.action == "household_erased")
        .count();
    let exports = audit
        .entries
        .iter()
        .filter(|e| e.action == "household_exported")
        .count();
    assert_eq!((erasures, exports), (1, 2));

    // Nor in the database file, its log, or the space SQLite freed.
    let conn = rusqlite::Connection::open(&app.db).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    drop(conn);
    for (path, text) in stored_bytes(&app) {
        assert_clean(&path, &text);
    }
}

#[tokio::test]
async fn only_commune_staff_of_the_household_reach_its_data() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(MEMBER).await;
    let (visit, household) = (Uuid::now_v7(), Uuid::now_v7());
    assert_eq!(
        results(
            app.push(&member, json!([record(visit, household, 1, 0, NOTE)]))
                .await
        )
        .await,
        ["applied"]
    );
    // The member who logged it may neither export nor erase.
    let response = member
        .get(app.url(&format!("/api/households/{household}/export")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = post(
        &app,
        &member,
        &format!("/api/households/{household}/erase"),
        json!({}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Nor may province staff: the commune answers for it.
    let province = app.signed_in("0900000001").await;
    let response = post(
        &app,
        &province,
        &format!("/api/households/{household}/erase"),
        json!({}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // A household nobody recorded does not exist.
    let staff = app.signed_in(COMMUNE_STAFF).await;
    let response = post(
        &app,
        &staff,
        &format!("/api/households/{}/erase", Uuid::now_v7()),
        json!({}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // Nothing changed.
    assert_eq!(
        app.text(&format!(
            "SELECT head_name FROM households WHERE id = '{household}'"
        )),
        NAME
    );
}
