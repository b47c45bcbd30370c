//! The figures of a unit over HTTP (`GET /api/units/{id}/figures`): approved visits only, each
//! village's row equal to a plain `GROUP BY` over the raw visits, the commune's the sum of its
//! villages', the province's rows its communes', visits awaiting review apart, coverage over
//! the villages with an official count, and who may read them.

mod common;

use app::api::{Profile, UnitFigures};
use common::*;
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

const PROVINCE_STAFF: &str = "0900000001";
/// 28 May 2026, 03:06 in Vietnam: `common::visit`'s time.
const QUARTER: &str = "Q2026-2";

/// Pushes `count` visits (each its own household) as `client`; returns their ids.
async fn log(app: &TestApp, client: &reqwest::Client, count: usize) -> Vec<Uuid> {
    let ids: Vec<Uuid> = (0..count).map(|_| Uuid::now_v7()).collect();
    let visits: Vec<_> = ids.iter().map(|id| visit(*id, 1, 0, "")).collect();
    assert!(results(app.push(client, json!(visits)).await)
        .await
        .iter()
        .all(|r| r == "applied"));
    ids
}

async fn review(app: &TestApp, staff: &reqwest::Client, id: Uuid, action: &str) {
    let response = staff
        .post(app.url(&format!("/api/visits/{id}/review")))
        .json(&json!({"action": action, "reason": "Thiếu số người"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

/// Approved visits, distinct households and people helped of a village, by a plain `GROUP BY`
/// over the raw visits of the quarter.
fn raw(app: &TestApp, village: i64) -> (i64, i64, i64) {
    let (start, end) = app::domain::period::Period::parse(QUARTER)
        .unwrap()
        .span_ms();
    let filter = format!(
        "FROM visits WHERE village_id = {village} AND status = 'approved' \
         AND visited_at >= {start} AND visited_at < {end}"
    );
    (
        app.count(&format!("SELECT COUNT(*) {filter}")),
        app.count(&format!("SELECT COUNT(DISTINCT household_id) {filter}")),
        app.count(&format!(
            "SELECT COALESCE(SUM(json_extract(a.value, '$.people')), 0) \
             FROM visits, json_each(visits.activities) a WHERE visits.id IN (SELECT id {filter})"
        )),
    )
}

#[tokio::test]
async fn a_communes_figures_are_its_villages_approved_visits_and_a_provinces_its_communes() {
    let app = TestApp::spawn().await;
    let staff = app.signed_in(COMMUNE_STAFF).await;
    let province = app.signed_in(PROVINCE_STAFF).await;
    let member = app.signed_in(MEMBER).await;
    let other = app.signed_in(OTHER_MEMBER).await;
    let me: Profile = app.get_json(&staff, "/api/auth/me").await;
    let commune = me.commune.unwrap().id;

    // Village A: 3 approved, 1 returned, 1 awaiting review. Village B: 2 approved.
    let a = log(&app, &member, 5).await;
    for id in &a[..3] {
        review(&app, &staff, *id, "approve").await;
    }
    review(&app, &staff, a[3], "return").await;
    let b = log(&app, &other, 2).await;
    for id in &b {
        review(&app, &staff, *id, "approve").await;
    }
    let village_of =
        |id: Uuid| app.count(&format!("SELECT village_id FROM visits WHERE id = '{id}'"));
    let (village_a, village_b) = (village_of(a[0]), village_of(b[0]));
    assert_ne!(village_a, village_b);
    // Village A's official household count.
    let response = staff
        .patch(app.url(&format!("/api/units/{village_a}")))
        .json(&json!({"household_count": 120}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let figures: UnitFigures = app
        .get_json(
            &staff,
            &format!("/api/units/{commune}/figures?period={QUARTER}"),
        )
        .await;
    assert_eq!(
        (
            figures.period.as_str(),
            figures.first_day.as_str(),
            figures.last_day.as_str()
        ),
        (QUARTER, "2026-04-01", "2026-06-30")
    );
    let child = |id: i64| {
        figures
            .children
            .iter()
            .find(|c| c.unit_id == id)
            .unwrap()
            .figures
            .clone()
    };
    for village in [village_a, village_b] {
        let f = child(village);
        assert_eq!(
            (f.visits, f.households, f.people),
            raw(&app, village),
            "village {village}"
        );
    }
    let fa = child(village_a);
    assert_eq!((fa.visits, fa.households, fa.people), (3, 3, 9));
    assert_eq!(fa.awaiting_review, 1, "apart, never in the figures");
    let epayment = fa
        .activities
        .iter()
        .find(|x| x.code == "epayment_account")
        .unwrap();
    assert_eq!(
        (epayment.visits, epayment.people, epayment.households),
        (3, 3, 3)
    );
    assert_eq!((fa.active_teams, fa.active_members), (1, 1));
    assert_eq!(
        (
            fa.coverage.reached,
            fa.coverage.households,
            fa.coverage.villages_without_count
        ),
        (3, 120, 0)
    );

    // The commune is the sum of its villages; its coverage leaves out the village without a
    // count and says so.
    let total = &figures.total;
    let sum = |f: fn(&app::api::Figures) -> i64| {
        figures.children.iter().map(|c| f(&c.figures)).sum::<i64>()
    };
    assert_eq!(total.visits, sum(|f| f.visits));
    assert_eq!(total.households, sum(|f| f.households));
    assert_eq!(total.people, sum(|f| f.people));
    assert_eq!(total.awaiting_review, 1);
    assert_eq!(total.active_teams, 2);
    assert_eq!(total.coverage.reached, sum(|f| f.coverage.reached));
    assert_eq!(total.coverage.households, sum(|f| f.coverage.households));
    assert_eq!(
        total.coverage.villages_without_count,
        sum(|f| f.coverage.villages_without_count)
    );
    assert_eq!(total.coverage.villages, figures.children.len() as i64);
    // A village without an official count is left out of both sums, and said to be.
    let uncounted = figures
        .children
        .iter()
        .filter(|c| c.figures.coverage.villages_without_count == 1)
        .count() as i64;
    assert_eq!(
        uncounted,
        app.count(&format!(
            "SELECT COUNT(*) FROM units WHERE parent_id = {commune} AND household_count IS NULL"
        ))
    );
    let may = figures
        .trend
        .iter()
        .find(|m| m.period == "M2026-05")
        .unwrap();
    assert_eq!(
        (may.visits, may.households),
        (total.visits, total.households)
    );

    // The province: its commune's row is the commune's total.
    let province_id = me.province.unwrap().id;
    let upper: UnitFigures = app
        .get_json(
            &province,
            &format!("/api/units/{province_id}/figures?period={QUARTER}"),
        )
        .await;
    let ours = upper
        .children
        .iter()
        .find(|c| c.unit_id == commune)
        .unwrap();
    assert_eq!(ours.figures.visits, total.visits);
    assert_eq!(ours.figures.households, total.households);
    assert_eq!(ours.figures.coverage, total.coverage);
    assert_eq!(
        upper.total.visits,
        upper.children.iter().map(|c| c.figures.visits).sum::<i64>()
    );

    // Another period has none of them; a bad period and a member are refused.
    let later: UnitFigures = app
        .get_json(
            &staff,
            &format!("/api/units/{commune}/figures?period=Q2026-3"),
        )
        .await;
    assert_eq!(later.total.visits, 0);
    let bad = staff
        .get(app.url(&format!("/api/units/{commune}/figures?period=Q2026-5")))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(bad).await, "invalid_query");
    let forbidden = member
        .get(app.url(&format!("/api/units/{commune}/figures")))
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
}

/// The cells of the report's sheet, as text, row by row.
fn sheet(bytes: Vec<u8>) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = workbook.worksheet_range("Báo cáo").unwrap();
    range
        .rows()
        .map(|row| row.iter().map(|cell| cell.to_string()).collect())
        .collect()
}

/// The column of `name` in the header row, and the header row's index.
fn column(rows: &[Vec<String>], name: &str) -> (usize, usize) {
    let header = rows
        .iter()
        .position(|r| r.first().is_some_and(|c| c == "Cấp"))
        .unwrap();
    (header, rows[header].iter().position(|c| c == name).unwrap())
}

#[tokio::test]
async fn the_quarterly_report_reads_back_with_the_databases_figures_as_xlsx_and_csv() {
    let app = TestApp::spawn().await;
    let staff = app.signed_in(COMMUNE_STAFF).await;
    let member = app.signed_in(MEMBER).await;
    let me: Profile = app.get_json(&staff, "/api/auth/me").await;
    let commune = me.commune.unwrap().id;
    for id in log(&app, &member, 3).await.iter().take(2) {
        review(&app, &staff, *id, "approve").await;
    }

    let response = staff
        .get(app.url(&format!("/api/units/{commune}/report?period={QUARTER}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let rows = sheet(response.bytes().await.unwrap().to_vec());
    assert!(rows[0][0].contains("BÁO CÁO KẾT QUẢ"));
    assert_eq!(
        rows[1][0],
        "Kỳ báo cáo: Quý 2/2026 (01/04/2026 – 30/06/2026)"
    );
    assert!(rows[2][0].starts_with("Ngày lập: "));
    let (header, households) = column(&rows, "Số hộ được hỗ trợ");
    let (_, epayment) = column(&rows, "Số hộ: Mở tài khoản thanh toán điện tử");
    let (_, name) = column(&rows, "Đơn vị");
    let total = &rows[header + 1];
    assert!(total[0].starts_with("Tổng cộng"));
    let villages = &rows[header + 2..];
    let units = app.count(&format!(
        "SELECT COUNT(*) FROM units WHERE parent_id = {commune} AND level = 'village'"
    ));
    assert_eq!(villages.len() as i64, units, "one row per village");
    let mut sum = 0;
    for row in villages {
        let village = app.count(&format!(
            "SELECT id FROM units WHERE parent_id = {commune} AND name = '{}'",
            row[name]
        ));
        let (_, reached, _) = raw(&app, village);
        assert_eq!(row[households], reached.to_string(), "{}", row[name]);
        let (start, end) = app::domain::period::Period::parse(QUARTER)
            .unwrap()
            .span_ms();
        let paid = app.count(&format!(
            "SELECT COUNT(DISTINCT household_id) FROM visits, json_each(visits.activities) a \
             WHERE village_id = {village} AND status = 'approved' AND visited_at >= {start} \
               AND visited_at < {end} AND json_extract(a.value, '$.code') = 'epayment_account'"
        ));
        assert_eq!(row[epayment], paid.to_string(), "{}", row[name]);
        sum += reached;
    }
    assert_eq!(total[households], sum.to_string());
    assert_eq!(total[households], "2");

    // The same as CSV, in UTF-8 with a byte-order mark.
    let response = staff
        .get(app.url(&format!(
            "/api/units/{commune}/report?period={QUARTER}&format=csv"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let csv_rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(csv_rows[header - 1..], rows[header..], "the same table");

    // Both exports are in the audit log; a bad format is refused.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'report_exported'"),
        2
    );
    let bad = staff
        .get(app.url(&format!("/api/units/{commune}/report?format=pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_best_teams_and_youth_union_members_rank_by_households_then_people_then_visits() {
    let app = TestApp::spawn().await;
    let staff = app.signed_in(COMMUNE_STAFF).await;
    let hoa = app.signed_in(MEMBER).await; // Women's Union, team of Thôn Hội Khánh
    let huy = app.signed_in("0900000014").await; // Youth Union, same team
    let quan = app.signed_in(OTHER_MEMBER).await; // Youth Union, another village's team
    let me: Profile = app.get_json(&staff, "/api/auth/me").await;
    let commune = me.commune.unwrap().id;
    for (client, count) in [(&hoa, 2), (&huy, 1), (&quan, 2)] {
        for id in log(&app, client, count).await {
            review(&app, &staff, id, "approve").await;
        }
    }
    // One more visit of Quân's, awaiting review: it counts for nobody yet.
    log(&app, &quan, 1).await;

    let ranking: app::api::Ranking = app
        .get_json(
            &staff,
            &format!("/api/units/{commune}/ranking?period={QUARTER}"),
        )
        .await;
    let teams: Vec<(u32, i64, i64, i64)> = ranking
        .teams
        .iter()
        .map(|t| (t.rank, t.households, t.people, t.visits))
        .collect();
    assert_eq!(teams, [(1, 3, 9, 3), (2, 2, 6, 2)]);
    // Youth Union members only: Huy and Quân, not Hoa; Quân reached more households.
    let members: Vec<(u32, &str, i64)> = ranking
        .members
        .iter()
        .map(|m| (m.rank, m.name.as_str(), m.households))
        .collect();
    assert_eq!(
        members,
        [(1, "Đặng Minh Quân", 2), (2, "Đinh Quang Huy", 1)]
    );
    assert_eq!(ranking.members[1].within, ranking.teams[0].name);

    let limited: app::api::Ranking = app
        .get_json(
            &staff,
            &format!("/api/units/{commune}/ranking?period={QUARTER}&limit=1"),
        )
        .await;
    assert_eq!((limited.teams.len(), limited.members.len()), (1, 1));
    let bad = staff
        .get(app.url(&format!("/api/units/{commune}/ranking?limit=0")))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// A target set, or refused with its code.
async fn set_target(
    app: &TestApp,
    client: &reqwest::Client,
    unit: i64,
    body: serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    let response = client
        .put(app.url(&format!("/api/units/{unit}/targets")))
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

#[tokio::test]
async fn the_province_sets_a_communes_target_the_commune_splits_it_and_both_read_progress() {
    use app::domain::target::{split, Indicator};
    let app = TestApp::spawn().await;
    let staff = app.signed_in(COMMUNE_STAFF).await;
    let province_staff = app.signed_in(PROVINCE_STAFF).await;
    let member = app.signed_in(MEMBER).await;
    let me: Profile = app.get_json(&staff, "/api/auth/me").await;
    let commune = me.commune.unwrap().id;
    let province = app.count(&format!("SELECT parent_id FROM units WHERE id = {commune}"));
    for id in log(&app, &member, 3).await {
        review(&app, &staff, id, "approve").await;
    }
    let village = app.count("SELECT village_id FROM visits LIMIT 1");
    let other_village = app.count(&format!(
        "SELECT id FROM units WHERE parent_id = {commune} AND level = 'village' AND id <> {village} LIMIT 1"
    ));
    let epayment = "activity:epayment_account";
    let target = |value: serde_json::Value| json!({"period": QUARTER, "indicator": epayment, "value": value});

    // The province sets the commune's target; the commune may not set its own.
    let (status, saved) = set_target(&app, &province_staff, commune, target(json!(10))).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(
        saved["targets"],
        json!([{"indicator": epayment, "value": 10}])
    );
    let (status, refused) = set_target(&app, &staff, commune, target(json!(12))).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );

    // The commune splits it among two villages, one short.
    for (unit, value) in [(village, 6), (other_village, 3)] {
        let (status, body) = set_target(&app, &staff, unit, target(json!(value))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let figures: UnitFigures = app
        .get_json(
            &staff,
            &format!("/api/units/{commune}/figures?period={QUARTER}"),
        )
        .await;
    let indicator = Indicator::parse(epayment).unwrap();
    let of = |unit: i64| figures.children.iter().find(|c| c.unit_id == unit).unwrap();
    assert_eq!(
        app::domain::target::target_of(&figures.total, &indicator),
        Some(10)
    );
    assert_eq!(
        app::domain::target::target_of(&of(village).figures, &indicator),
        Some(6)
    );
    assert_eq!(
        indicator.value(&of(village).figures),
        3,
        "three households paid"
    );
    let shares = split(
        &figures.total,
        figures.children.iter().map(|c| &c.figures),
        &indicator,
    );
    assert_eq!(shares.sum, 9);
    assert_eq!(
        shares.difference,
        Some(-1),
        "the page says the split is 1 short"
    );

    // The province reads its commune's target, and its own as the sum of its communes'.
    let top: UnitFigures = app
        .get_json(
            &province_staff,
            &format!("/api/units/{province}/figures?period={QUARTER}"),
        )
        .await;
    let ours = top.children.iter().find(|c| c.unit_id == commune).unwrap();
    assert_eq!(
        app::domain::target::target_of(&ours.figures, &indicator),
        Some(10)
    );
    assert_eq!(
        app::domain::target::target_of(&top.total, &indicator),
        Some(10)
    );
    // A month shows no targets: they belong to quarters and years.
    let month: UnitFigures = app
        .get_json(
            &staff,
            &format!("/api/units/{commune}/figures?period=M2026-05"),
        )
        .await;
    assert!(month.total.targets.is_empty());

    // The report carries the target and the share reached beside the indicator.
    let response = province_staff
        .get(app.url(&format!("/api/units/{province}/report?period={QUARTER}")))
        .send()
        .await
        .unwrap();
    let rows = sheet(response.bytes().await.unwrap().to_vec());
    let name = "Số hộ: Mở tài khoản thanh toán điện tử";
    let (header, figure) = column(&rows, name);
    let (_, goal) = column(&rows, &format!("Chỉ tiêu — {name}"));
    let (_, reached) = column(&rows, &format!("Đạt chỉ tiêu (%) — {name}"));
    assert_eq!(
        (goal, reached),
        (figure + 1, figure + 2),
        "beside the indicator"
    );
    let (_, unit_name) = column(&rows, "Đơn vị");
    let village_name: String = app.text(&format!("SELECT name FROM units WHERE id = {village}"));
    let commune_name: String = app.text(&format!("SELECT name FROM units WHERE id = {commune}"));
    let row = |n: &str| {
        rows[header + 1..]
            .iter()
            .find(|r| r[unit_name] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(row(&commune_name)[goal], "10");
    assert_eq!(row(&commune_name)[reached], "30");
    assert_eq!(row(&village_name)[figure], "3");
    assert_eq!(row(&village_name)[goal], "6");
    assert_eq!(row(&village_name)[reached], "50");

    // Bad targets are refused with their code and change nothing; null clears one.
    for (body, code) in [
        (
            json!({"period": "M2026-05", "indicator": epayment, "value": 1}),
            "target_period",
        ),
        (
            json!({"period": QUARTER, "indicator": "coverage", "value": 1}),
            "indicator_invalid",
        ),
        (
            json!({"period": QUARTER, "indicator": "activity:no_such", "value": 1}),
            "unknown_activity",
        ),
        (target(json!(-1)), "target_invalid"),
        (target(json!(10_000_001)), "target_invalid"),
    ] {
        let (status, refused) = set_target(&app, &staff, village, body).await;
        assert_eq!(
            (status, refused["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(code))
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM targets"), 3);
    let (status, cleared) = set_target(&app, &staff, other_village, target(json!(null))).await;
    assert_eq!(
        (status, cleared["targets"].clone()),
        (StatusCode::OK, json!([]))
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'target_set'"),
        4
    );
}

#[tokio::test]
async fn the_visits_behind_a_villages_figures_are_its_approved_ones_by_team_and_activity() {
    use app::api::CountedVisits;
    let app = TestApp::spawn().await;
    let staff = app.signed_in(COMMUNE_STAFF).await;
    let member = app.signed_in(MEMBER).await;
    let ids = log(&app, &member, 4).await;
    for id in &ids[..3] {
        review(&app, &staff, *id, "approve").await;
    }
    let village = app.count(&format!(
        "SELECT village_id FROM visits WHERE id = '{}'",
        ids[0]
    ));
    let team = app.text(&format!(
        "SELECT team_id FROM visits WHERE id = '{}'",
        ids[0]
    ));
    let url = |query: &str| format!("/api/units/{village}/counted-visits?period={QUARTER}{query}");
    let all: CountedVisits = app.get_json(&staff, &url("")).await;
    assert_eq!(
        all.total, 3,
        "approved only: the one awaiting review is not behind a figure"
    );
    let mut listed: Vec<Uuid> = all.visits.iter().map(|v| v.id).collect();
    listed.sort();
    let mut approved = ids[..3].to_vec();
    approved.sort();
    assert_eq!(listed, approved);
    assert_eq!(all.teams.len(), 1);
    assert_eq!(
        (all.teams[0].team_id.to_string(), all.teams[0].visits),
        (team.clone(), 3)
    );
    let figures: UnitFigures = app
        .get_json(
            &staff,
            &format!("/api/units/{village}/figures?period={QUARTER}"),
        )
        .await;
    assert_eq!(
        all.total, figures.total.visits,
        "the list is what the figure counts"
    );
    assert!(all
        .visits
        .iter()
        .all(|v| !v.household_name.is_empty() && !v.member_name.is_empty()));

    let of_team: CountedVisits = app.get_json(&staff, &url(&format!("&team={team}"))).await;
    assert_eq!(of_team.total, 3);
    let other_team: CountedVisits = app
        .get_json(&staff, &url(&format!("&team={}", Uuid::now_v7())))
        .await;
    assert_eq!(other_team.total, 0);
    let paid: CountedVisits = app
        .get_json(&staff, &url("&activity=epayment_account"))
        .await;
    let with_epayment = figures
        .total
        .activities
        .iter()
        .find(|a| a.code == "epayment_account")
        .map_or(0, |a| a.visits);
    assert_eq!(paid.total, with_epayment);
    let limited: CountedVisits = app.get_json(&staff, &url("&limit=2")).await;
    assert_eq!((limited.total, limited.visits.len()), (3, 2));
    assert!(
        limited.visits[0].visited_at >= limited.visits[1].visited_at,
        "newest first"
    );

    // A commune is not a village; a bad query is refused.
    let me: Profile = app.get_json(&staff, "/api/auth/me").await;
    for bad in [
        format!("/api/units/{}/counted-visits", me.commune.unwrap().id),
        url("&limit=0"),
        url("&activity=Có dấu"),
    ] {
        let response = staff.get(app.url(&bad)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
}
