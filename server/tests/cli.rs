//! The `sotay` command as a deployment uses it: the real binary on a temporary database, the
//! password piped on standard input; then the real server on the same file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use app::api::{Profile, Role};
use reqwest::StatusCode;
use serde_json::json;
use server::config::ServeArgs;
use server::db::{self, teams, units};
use server::startup::Application;
use uuid::Uuid;

const PASSWORD: &str = "hoa-sen-nở-2025";
const ADMIN_PHONE: &str = "0912345678";

/// A temporary folder with the path of a database that does not exist yet.
struct Deployment {
    db: PathBuf,
    _dir: tempfile::TempDir,
}

impl Deployment {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self {
            db: dir.path().join("data").join("sotay.db"),
            _dir: dir,
        }
    }

    /// Runs `sotay ARGS --db <db>` with `stdin` piped in.
    fn sotay(&self, args: &[&str], stdin: &str) -> Output {
        let mut args = args.to_vec();
        args.extend(["--db", self.db.to_str().unwrap()]);
        sotay(&args, stdin)
    }

    fn count(&self, sql: &str) -> i64 {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    fn admin(&self, phone: &str, password: &str) -> Output {
        self.sotay(
            &[
                "admin",
                "create",
                "--phone",
                phone,
                "--name",
                "Nguyễn Văn An",
                "--province",
                "52",
            ],
            &format!("{password}\n"),
        )
    }
}

fn sotay(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sotay"))
        .args(args)
        .env("RUST_LOG", "warn")
        .env_remove("SOTAY_DB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sotay binary runs");
    // The command may exit before reading (a clap error): a broken pipe is no failure.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts success and returns standard output.
fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status,
        stdout(output),
        stderr(output)
    );
    stdout(output)
}

/// Asserts a failure (exit code 1) and returns standard error.
fn failed(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(1),
        "stdout: {}\nstderr: {}",
        stdout(output),
        stderr(output)
    );
    stderr(output)
}

/// The real server on the database the command made; its base URL.
async fn serve(db: &Path) -> String {
    let mut args = ServeArgs::for_db(db.to_path_buf());
    args.site_root = Some(db.with_file_name("no-site"));
    let app = Application::build(args).await.expect("server starts");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    base
}

async fn sign_in(base: &str, phone: &str, password: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/api/auth/login"))
        .json(&json!({ "phone": phone, "password": password }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_administrator_made_from_the_shell_on_an_empty_database_can_sign_in() {
    let deployment = Deployment::new();
    let out = succeeded(&deployment.admin(ADMIN_PHONE, PASSWORD));
    assert!(out.contains("Loaded the national list"), "{out}");
    assert!(
        out.contains("Created administrator Nguyễn Văn An (phone 0912345678"),
        "{out}"
    );
    assert!(out.contains("Works in: Gia Lai."), "{out}");
    assert_eq!(
        deployment.count("SELECT COUNT(*) FROM units WHERE level = 'province'"),
        34
    );

    let base = serve(&deployment.db).await;
    let response = sign_in(&base, ADMIN_PHONE, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let profile: Profile = response.json().await.unwrap();
    assert_eq!(profile.role, Role::Admin);
    assert_eq!(profile.unit.name, "Gia Lai");
    assert!(
        !profile.must_change_password,
        "its owner typed the password"
    );

    let conn = rusqlite::Connection::open(&deployment.db).unwrap();
    let (actor, target, unit, detail): (Option<String>, String, i64, String) = conn
        .query_row(
            "SELECT actor_id, target_id, unit_id, detail FROM audit_log \
             WHERE action = 'user_created'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(actor, None, "by the command line");
    assert_eq!(target, profile.user_id.to_string());
    assert_eq!(unit, profile.unit.id);
    assert!(!detail.contains(ADMIN_PHONE), "{detail}");
    assert!(!detail.contains(PASSWORD), "{detail}");
}

#[test]
fn a_second_account_with_the_same_phone_number_is_refused() {
    let deployment = Deployment::new();
    succeeded(&deployment.admin(ADMIN_PHONE, PASSWORD));
    let err = failed(&deployment.admin("0912 345 678", "another-password"));
    assert!(
        err.contains("another account already has the phone number 0912345678"),
        "{err}"
    );
    assert_eq!(deployment.count("SELECT COUNT(*) FROM users"), 1);
    assert_eq!(deployment.count("SELECT COUNT(*) FROM audit_log"), 1);
}

#[test]
fn a_password_shorter_than_eight_characters_or_equal_to_the_phone_is_refused() {
    let deployment = Deployment::new();
    let err = failed(&deployment.admin(ADMIN_PHONE, "short"));
    assert!(err.contains("at least 8 characters"), "{err}");
    let err = failed(&deployment.admin(ADMIN_PHONE, ADMIN_PHONE));
    assert!(err.contains("must not be the phone number"), "{err}");
    let err = failed(&deployment.admin(ADMIN_PHONE, ""));
    assert!(err.contains("at least 8 characters"), "{err}");
    let err = failed(&deployment.sotay(
        &[
            "admin",
            "create",
            "--phone",
            ADMIN_PHONE,
            "--name",
            "A",
            "--province",
            "52",
        ],
        "",
    ));
    assert!(err.contains("no password on standard input"), "{err}");
    assert_eq!(deployment.count("SELECT COUNT(*) FROM users"), 0);
}

#[test]
fn a_password_cannot_be_given_as_a_flag() {
    let deployment = Deployment::new();
    for args in [
        &[
            "admin",
            "create",
            "--phone",
            ADMIN_PHONE,
            "--name",
            "A",
            "--province",
            "52",
            "--password",
            PASSWORD,
        ][..],
        &[
            "user",
            "add",
            "--role",
            "admin",
            "--phone",
            ADMIN_PHONE,
            "--name",
            "A",
            "--unit",
            "52",
            "--password",
            PASSWORD,
        ][..],
    ] {
        let output = deployment.sotay(args, "");
        assert_eq!(output.status.code(), Some(2), "a usage error");
        let err = stderr(&output);
        assert!(err.contains("unexpected argument '--password'"), "{err}");
    }
    assert!(!deployment.db.exists(), "nothing was touched");
}

#[test]
fn commune_staff_are_made_with_a_commune_code_and_refused_a_province_code() {
    let deployment = Deployment::new();
    let add = |unit: &str| {
        deployment.sotay(
            &[
                "user",
                "add",
                "--role",
                "commune_staff",
                "--phone",
                "0987654321",
                "--name",
                "Lý Văn Hùng",
                "--unit",
                unit,
            ],
            &format!("{PASSWORD}\n"),
        )
    };
    let err = failed(&add("52"));
    assert!(
        err.contains(
            "52 is the code of the province Gia Lai, but commune staff accounts work in a commune"
        ),
        "{err}"
    );
    let err = failed(&add("99999"));
    assert!(
        err.contains("no commune has the official code \"99999\""),
        "{err}"
    );
    let out = succeeded(&add("21628"));
    assert!(out.contains("Created commune staff Lý Văn Hùng"), "{out}");
    assert!(out.contains("Works in: Xã An Hòa, Gia Lai."), "{out}");
    assert_eq!(
        deployment.count(
            "SELECT COUNT(*) FROM users u JOIN units n ON n.id = u.unit_id \
             WHERE u.role = 'commune_staff' AND n.official_code = '21628' \
               AND u.must_change_password = 0"
        ),
        1
    );
}

#[tokio::test]
async fn members_and_leaders_join_the_team_given_by_its_id() {
    let deployment = Deployment::new();
    let out = succeeded(&deployment.sotay(&["import-units"], ""));
    assert!(out.contains("Imported 3321 rows"), "{out}");
    let team = {
        let conn = db::connect(&deployment.db).unwrap();
        let commune = units::commune_id(&conn, "21628").unwrap();
        let village =
            units::add_village(&conn, commune, "thôn", "Thôn Hội Khánh", Some(412), 1).unwrap();
        teams::create(
            &conn,
            village,
            commune,
            "Tổ công nghệ số cộng đồng Thôn Hội Khánh",
            (None, None),
            1,
        )
        .unwrap()
    };
    let team_id = team.to_string();
    let add = |role: &str, phone: &str, name: &str, extra: &[&str]| {
        let mut args = vec![
            "user", "add", "--role", role, "--phone", phone, "--name", name,
        ];
        args.extend_from_slice(extra);
        deployment.sotay(&args, &format!("{PASSWORD}\n"))
    };

    let err = failed(&add("member", "0911111111", "Nguyễn Thị Hoa", &[]));
    assert!(
        err.contains("--team UUID is needed for a team member"),
        "{err}"
    );
    let unknown = Uuid::now_v7().to_string();
    let err = failed(&add(
        "member",
        "0911111111",
        "Nguyễn Thị Hoa",
        &["--team", &unknown],
    ));
    assert!(err.contains("no team has the id"), "{err}");
    let err = failed(&add(
        "member",
        "0911111111",
        "Nguyễn Thị Hoa",
        &["--team", &team_id, "--unit", "21628"],
    ));
    assert!(err.contains("give --team, not --unit"), "{err}");
    let err = failed(&add(
        "member",
        "091 111",
        "Nguyễn Thị Hoa",
        &["--team", &team_id],
    ));
    assert!(err.contains("is not a phone number"), "{err}");

    let out = succeeded(&add(
        "leader",
        "0922222222",
        "Trần Văn Bình",
        &["--team", &team_id, "--affiliation", "youth_union"],
    ));
    assert!(
        out.contains("Works on: Tổ công nghệ số cộng đồng Thôn Hội Khánh"),
        "{out}"
    );
    assert!(
        out.contains("as leader, in Thôn Hội Khánh, Xã An Hòa, Gia Lai."),
        "{out}"
    );
    succeeded(&add(
        "member",
        "0911111111",
        "Nguyễn Thị Hoa",
        &["--team", &team_id],
    ));
    assert_eq!(
        deployment.count(&format!(
            "SELECT COUNT(*) FROM team_members m JOIN users u ON u.id = m.user_id \
             WHERE m.team_id = '{team_id}' AND m.left_at IS NULL AND ( \
               (u.phone = '0922222222' AND m.position = 'leader' AND m.affiliation = 'youth_union') \
               OR (u.phone = '0911111111' AND m.position = 'member' AND m.affiliation = 'other'))"
        )),
        2
    );
    assert_eq!(
        deployment.count(
            "SELECT COUNT(*) FROM audit_log WHERE actor_id IS NULL AND action = 'roster_added'"
        ),
        2
    );

    let base = serve(&deployment.db).await;
    let response = sign_in(&base, "0922222222", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let profile: Profile = response.json().await.unwrap();
    assert_eq!(profile.role, Role::Leader);
    assert_eq!(profile.team.map(|t| t.id), Some(team));
    assert_eq!(profile.unit.name, "Thôn Hội Khánh");
}

#[test]
fn import_units_on_an_empty_database_loads_34_provinces_and_3321_communes() {
    let deployment = Deployment::new();
    succeeded(&deployment.sotay(&["import-units"], ""));
    assert_eq!(
        deployment.count("SELECT COUNT(*) FROM units WHERE level = 'province'"),
        34
    );
    assert_eq!(
        deployment.count("SELECT COUNT(*) FROM units WHERE level = 'commune'"),
        3321
    );
    let again = succeeded(&deployment.sotay(&["import-units"], ""));
    assert!(
        again.contains("0 provinces or communes added or changed"),
        "{again}"
    );
}

#[test]
fn the_help_documents_every_subcommand_and_flag() {
    let top = succeeded(&sotay(&["--help"], ""));
    for word in [
        "serve",
        "migrate",
        "import-units",
        "admin",
        "user",
        "admin create",
    ] {
        assert!(top.contains(word), "sotay --help lacks {word}:\n{top}");
    }
    let add = succeeded(&sotay(&["user", "add", "--help"], ""));
    for word in [
        "--role",
        "--phone",
        "--name",
        "--unit",
        "--team",
        "--affiliation",
        "--db",
        "member",
        "leader",
        "commune_staff",
        "province_staff",
        "admin",
        "youth_union",
        "womens_union",
        "village_cadre",
        "police",
        "other",
        "never a flag",
        "standard input",
    ] {
        assert!(
            add.contains(word),
            "sotay user add --help lacks {word}:\n{add}"
        );
    }
    let create = succeeded(&sotay(&["admin", "create", "--help"], ""));
    for word in ["--phone", "--name", "--province", "--db", "never a flag"] {
        assert!(
            create.contains(word),
            "sotay admin create --help lacks {word}:\n{create}"
        );
    }
}
