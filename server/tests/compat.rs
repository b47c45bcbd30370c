//! Both ways compatible: a phone still running the previous app (protocol 1) keeps pushing and
//! pulling against a protocol-2 server, and the new app skips feed kinds it does not know.

mod common;

use app::api::{FeedKind, PullResponse, VisitList};
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

/// The previous client's pull types, frozen as they were before protocol 2: four kinds and no
/// fallback, the five fields of a visit's status, a household without `business`. Like the old
/// code, no `deny_unknown_fields`: fields added later are ignored.
mod old {
    use serde::Deserialize;
    use uuid::Uuid;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum OldKind {
        Visit,
        Household,
        Roster,
        Activity,
    }

    #[derive(Debug, Clone, Deserialize)]
    pub struct OldVisitStatus {
        pub id: Uuid,
        pub version: u32,
        pub status: String,
        pub reason: Option<String>,
        pub reviewed_at: Option<i64>,
    }

    #[derive(Debug, Clone, Deserialize)]
    pub struct OldHousehold {
        pub id: Uuid,
        pub village_id: i64,
        pub head_name: String,
        pub address: String,
        pub phone: Option<String>,
    }

    #[derive(Debug, Clone, Deserialize)]
    pub struct FeedItem {
        pub seq: i64,
        pub kind: OldKind,
        pub visit: Option<OldVisitStatus>,
        pub household: Option<OldHousehold>,
        pub member: Option<serde_json::Value>,
        pub activity: Option<serde_json::Value>,
    }

    #[derive(Debug, Clone, Deserialize)]
    pub struct PullResponse {
        pub items: Vec<FeedItem>,
        pub next_cursor: i64,
        pub more: bool,
        pub team_id: Option<Uuid>,
    }
}

const LEADER: &str = "0900000011";

/// A page of the feed as the server sends it, unparsed.
async fn pull_text(app: &TestApp, client: &reqwest::Client, query: &str) -> String {
    let response = client
        .get(app.url(&format!("/api/sync/pull?{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    response.text().await.unwrap()
}

/// Every page from 0 as the previous app asked for them (no `v`), each parsed with the old
/// types: a page the old app could not parse would stop its sync for good.
async fn pull_all_as_old_app(app: &TestApp, client: &reqwest::Client) -> Vec<old::FeedItem> {
    let mut cursor = 0;
    let mut items = Vec::new();
    loop {
        let text = pull_text(app, client, &format!("cursor={cursor}&limit=3")).await;
        let page: old::PullResponse = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("the previous app cannot parse {text}: {e}"));
        assert!(page.next_cursor >= cursor);
        assert!(page.team_id.is_some(), "a member's feed names its team");
        cursor = page.next_cursor;
        items.extend(page.items);
        if !page.more {
            return items;
        }
    }
}

/// A protocol-2 revision: its own id, the one it was edited from, consent to the phone, a
/// household business, a difficulty, visited an hour ago (within the leader's two months).
fn protocol_two(id: Uuid, version: u32, revision: Uuid, base: Option<Uuid>, note: &str) -> Value {
    let mut record = visit(id, version, version - 1, note);
    record["revision"] = json!(revision);
    record["base_revision"] = json!(base);
    record["household"]["phone_consent"] = json!(true);
    record["household"]["business"] = json!(true);
    record["visited_at"] = json!(now_ms() - 3_600_000);
    record["difficulty"] = json!({"category": "no_signal", "note": "Cả xóm không có sóng 4G"});
    record
}

#[tokio::test]
async fn a_push_in_the_previous_clients_shape_is_applied() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(MEMBER).await;
    let id = Uuid::now_v7();
    let record = visit(id, 1, 0, "máy cũ");
    assert!(record.get("revision").is_none());
    assert!(record["household"].get("phone_consent").is_none());
    assert!(record["household"]["phone"].is_string());

    assert_eq!(
        results(app.push(&member, json!([record])).await).await,
        ["applied"]
    );
    let list: VisitList = app.get_json(&member, "/api/visits").await;
    assert_eq!(list.visits.len(), 1);
    let stored = &list.visits[0];
    assert_eq!(
        (
            stored.record.id,
            stored.record.version,
            stored.status.as_str()
        ),
        (id, 1, "submitted")
    );
    assert_eq!(
        stored.record.revision, None,
        "the old client names no revision"
    );
    assert_eq!(
        stored.record.household.phone.as_deref(),
        Some("0912345678"),
        "the phone is kept: consent is only asked of protocol-2 clients"
    );
    assert_eq!(stored.record.note, "máy cũ");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM households WHERE id = '{}' AND phone_consent_at IS NULL",
            stored.record.household.id
        )),
        1,
        "no consent is recorded for it"
    );
}

#[tokio::test]
async fn the_previous_app_parses_every_page_it_asks_for_and_only_v2_brings_the_new_kinds() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(MEMBER).await;
    let leader = app.signed_in(LEADER).await;
    let staff = app.signed_in(COMMUNE_STAFF).await;

    // A rich server state: a protocol-2 visit with a difficulty, consent and a business,
    // marked by the leader, approved, then amended; and an old-shape visit beside it.
    let (rich, old_shape) = (Uuid::now_v7(), Uuid::now_v7());
    let (r1, r2) = (Uuid::now_v7(), Uuid::now_v7());
    let mut legacy = visit(old_shape, 1, 0, "máy cũ");
    legacy["visited_at"] = json!(now_ms() - 7_200_000);
    assert_eq!(
        results(
            app.push(
                &member,
                json!([protocol_two(rich, 1, r1, None, "lần đầu"), legacy])
            )
            .await
        )
        .await,
        ["applied", "applied"]
    );
    let mark = leader
        .post(app.url(&format!("/api/visits/{rich}/mark")))
        .json(&json!({"mark": "has_issues", "comment": "Ghi rõ ví nào"}))
        .send()
        .await
        .unwrap();
    assert_eq!(mark.status(), StatusCode::NO_CONTENT);
    let approve = staff
        .post(app.url(&format!("/api/visits/{rich}/review")))
        .json(&json!({"action": "approve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(approve.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        results(
            app.push(
                &member,
                json!([protocol_two(rich, 2, r2, Some(r1), "sửa sau duyệt")])
            )
            .await
        )
        .await,
        ["locked"]
    );

    // The old request (no `v`): every page parses with the old types, for the member and
    // for the leader, whose feed now also carries the team's visits.
    for (who, client) in [("member", &member), ("leader", &leader)] {
        let items = pull_all_as_old_app(&app, client).await;
        let kinds: Vec<old::OldKind> = items.iter().map(|i| i.kind).collect();
        assert!(kinds.contains(&old::OldKind::Activity), "{who}");
        assert!(kinds.contains(&old::OldKind::Roster), "{who}");
        assert!(items.windows(2).all(|w| w[0].seq < w[1].seq), "{who}");
        let status = items
            .iter()
            .filter(|i| i.kind == old::OldKind::Visit)
            .find_map(|i| i.visit.clone().filter(|v| v.id == rich))
            .unwrap_or_else(|| panic!("{who}: the rich visit is in the old feed"));
        assert_eq!(
            (status.version, status.status.as_str(), status.reason),
            (1, "approved", None),
            "{who}: the approved revision stays current while the amendment waits"
        );
        assert!(status.reviewed_at.is_some(), "{who}");
        assert!(
            items
                .iter()
                .any(|i| i.visit.as_ref().is_some_and(|v| v.id == old_shape)),
            "{who}: the old-shape visit too"
        );
        let household = items
            .iter()
            .find_map(|i| i.household.clone())
            .unwrap_or_else(|| panic!("{who}: the household is in the old feed"));
        assert_eq!(household.head_name, "Nguyễn Văn An", "{who}");
        assert!(household.village_id > 0 && !household.address.is_empty());
        assert_eq!(household.phone.as_deref(), Some("0912345678"), "{who}");
        assert!(!household.id.is_nil());
        assert!(items
            .iter()
            .filter(|i| i.kind == old::OldKind::Roster)
            .all(|i| i.member.is_some()));
        assert!(items
            .iter()
            .filter(|i| i.kind == old::OldKind::Activity)
            .all(|i| i.activity.is_some()));
    }

    // `v=2`: the page brings the difficulty categories, which the old types cannot parse
    // (an unknown variant and no fallback) — the reason the server only sends them on `v=2`.
    let text = pull_text(&app, &member, "cursor=0&limit=500&v=2").await;
    let raw: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(raw["more"], json!(false), "one page holds the whole feed");
    let categories: Vec<&Value> = raw["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "difficulty_category")
        .collect();
    assert_eq!(categories.len(), 5, "the national list");
    assert_eq!(
        categories[0]["difficulty_category"]["code"],
        json!("no_smartphone")
    );
    let old_parse = serde_json::from_str::<old::PullResponse>(&text)
        .expect_err("the previous app cannot parse a page with a kind it does not know");
    assert!(
        old_parse.to_string().contains("difficulty_category"),
        "{old_parse}"
    );

    let page: PullResponse = serde_json::from_str(&text).expect("the new types parse it");
    let new_categories: Vec<_> = page
        .items
        .iter()
        .filter(|i| i.kind == FeedKind::DifficultyCategory)
        .filter_map(|i| i.difficulty_category.clone())
        .collect();
    assert_eq!(new_categories.len(), 5);
    assert!(new_categories
        .iter()
        .any(|c| c.code == "no_signal" && c.active));
    let status = page
        .items
        .iter()
        .find_map(|i| i.visit.clone().filter(|v| v.id == rich))
        .expect("the rich visit");
    assert_eq!((status.version, status.status.as_str()), (1, "approved"));
    assert_eq!(status.revision, Some(r1));
    let difficulty = status.difficulty.expect("the difficulty it raised");
    assert_eq!(
        (difficulty.category.as_str(), difficulty.status.as_str()),
        ("no_signal", "open")
    );
    let mark = status.mark.expect("the leader's mark");
    assert_eq!(mark.comment.as_deref(), Some("Ghi rõ ví nào"));
    let amendment = status.amendment.expect("the waiting amendment");
    assert_eq!(
        (amendment.status.as_str(), amendment.version),
        ("pending", 2)
    );
    assert!(
        status
            .record
            .expect("the current revision")
            .household
            .business,
        "the household business flag"
    );

    // Without `v` the same feed has no difficulty categories at all.
    let text = pull_text(&app, &member, "cursor=0&limit=500").await;
    let raw: Value = serde_json::from_str(&text).unwrap();
    assert!(raw["items"].as_array().unwrap().iter().all(|i| [
        "visit",
        "household",
        "roster",
        "activity"
    ]
    .contains(&i["kind"].as_str().unwrap())));
}

#[tokio::test]
async fn the_new_app_skips_a_kind_it_does_not_know() {
    let page: PullResponse = serde_json::from_value(json!({
        "items": [
            { "seq": 4, "kind": "roster", "member": {
                "team_id": Uuid::nil(), "user_id": Uuid::nil(), "name": "Trần Văn Bình",
                "position": "leader", "affiliation": "youth_union" } },
            { "seq": 5, "kind": "something_new", "something_new": { "code": "x", "weight": 3 } }
        ],
        "next_cursor": 5,
        "more": false
    }))
    .expect("a kind from a newer server does not break the page");
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.items[0].kind, FeedKind::Roster);
    let unknown = &page.items[1];
    assert_eq!((unknown.seq, unknown.kind), (5, FeedKind::Unknown));
    assert!(
        unknown.visit.is_none()
            && unknown.household.is_none()
            && unknown.member.is_none()
            && unknown.activity.is_none()
            && unknown.difficulty_category.is_none()
    );
    assert_eq!(page.next_cursor, 5, "the cursor still advances past it");
}
