//! `sotay backup` while members push, and `sotay restore` (`docs/deploy.md`, "Backups"): the
//! copy taken under load is consistent, a restore is refused while a server has the database
//! open, and a restored database serves the same counts per commune.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{TestApp, MEMBER, OTHER_MEMBER, PASSWORD};
use serde_json::json;
use server::config::ServeArgs;
use server::startup::Application;
use uuid::Uuid;

fn sotay(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sotay"))
        .args(args)
        .output()
        .expect("sotay runs")
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Visits per commune, and the integrity check, of a database file.
fn inspect(db: &Path) -> (String, Vec<(i64, i64)>, i64, i64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    let per_commune = conn
        .prepare(
            "SELECT c.id, COUNT(*) FROM visits v JOIN units vu ON vu.id = v.village_id \
             JOIN units c ON c.id = vu.parent_id GROUP BY c.id ORDER BY c.id",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let visits: i64 = conn
        .query_row("SELECT COUNT(*) FROM visits", [], |r| r.get(0))
        .unwrap();
    let with_history: i64 = conn
        .query_row(
            "SELECT COUNT(DISTINCT visit_id) FROM visit_revisions",
            [],
            |r| r.get(0),
        )
        .unwrap();
    (integrity, per_commune, visits, with_history)
}

#[tokio::test]
async fn a_backup_under_load_is_consistent_restore_waits_for_the_server_and_serves_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.db");
    let mut args = ServeArgs::for_db(live.clone());
    args.demo = true;
    args.site_root = Some(dir.path().join("no-site"));
    let app = Application::build(args.clone()).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));

    // Two members push visits without pause while the backup runs.
    let running = Arc::new(AtomicBool::new(true));
    let pushed = Arc::new(AtomicUsize::new(0));
    let mut pushers = Vec::new();
    for phone in [MEMBER, OTHER_MEMBER] {
        let client = TestApp::client();
        let login = client
            .post(format!("{base}/api/auth/login"))
            .json(&json!({"phone": phone, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), 200);
        let (running, pushed, base) = (running.clone(), pushed.clone(), base.clone());
        pushers.push(tokio::spawn(async move {
            while running.load(Ordering::Relaxed) {
                let batch: Vec<_> = (0..20)
                    .map(|_| common::visit(Uuid::now_v7(), 1, 0, "tải"))
                    .collect();
                let response = client
                    .post(format!("{base}/api/sync/push"))
                    .json(&json!({ "visits": batch }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
                pushed.fetch_add(20, Ordering::Relaxed);
            }
        }));
    }
    while pushed.load(Ordering::Relaxed) < 200 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let under_load = dir.path().join("under-load.db");
    let output = tokio::task::spawn_blocking({
        let (live, under_load) = (live.clone(), under_load.clone());
        move || sotay(&["backup", path(&under_load), "--db", path(&live)])
    })
    .await
    .unwrap();
    assert!(output.status.success(), "{output:?}");
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(printed.contains("integrity check ok"), "{printed}");
    assert!(pushed.load(Ordering::Relaxed) > 200, "the pushes went on");
    running.store(false, Ordering::Relaxed);
    for pusher in pushers {
        pusher.await.unwrap();
    }

    // The copy is sound and consistent: every visit in it has its history, and no history
    // without its visit (a push is one transaction, the copy one read of it).
    let (integrity, per_commune, visits, with_history) = inspect(&under_load);
    assert_eq!(integrity, "ok");
    assert!(visits >= 200, "{visits}");
    assert_eq!(visits, with_history);
    assert!(!per_commune.is_empty());

    // A restore over the running server's database is refused, and changes nothing.
    let before = inspect(&live);
    let refused = sotay(&["restore", path(&under_load), "--db", path(&live)]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("stop it first"),
        "{refused:?}"
    );
    assert_eq!(inspect(&live), before);
    // A second server on the same database is refused too.
    assert!(Application::build(args.clone()).await.is_err());

    // Once the server is stopped, the quiet backup restores into place and serves the same.
    let quiet = dir.path().join("quiet.db");
    assert!(sotay(&["backup", path(&quiet), "--db", path(&live)])
        .status
        .success());
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    let fresh = live.clone();
    let restored = sotay(&["restore", path(&quiet), "--db", path(&fresh)]);
    assert!(restored.status.success(), "{restored:?}");
    assert_eq!(inspect(&fresh).1, before.1, "the counts per commune");
    // And a damaged file is never restored.
    let damaged = dir.path().join("damaged.db");
    std::fs::write(&damaged, b"SQLite format 3\0 but not really").unwrap();
    assert!(!sotay(&["restore", path(&damaged), "--db", path(&fresh)])
        .status
        .success());
    assert_eq!(inspect(&fresh).1, before.1);

    let mut again = ServeArgs::for_db(fresh);
    again.site_root = Some(dir.path().join("no-site"));
    let app = Application::build(again).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let health = reqwest::get(format!("{base}/api/health")).await.unwrap();
    assert_eq!(health.status(), 200);
}
