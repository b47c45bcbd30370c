//! Slow and hostile clients against the real server (`server::serve`, rules 1 to 4): half
//! the headers, half a body, headers too large, more connections than allowed, and a
//! shutdown while such clients hold their connections. Raw TCP, so nothing helps the client.

mod common;

use std::time::{Duration, Instant};

use common::TestApp;
use server::config::ServeArgs;
use server::startup::Application;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Everything the server sends until it closes the connection, or what it sent by `within`.
async fn read_all(stream: &mut TcpStream, within: Duration) -> (String, bool) {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&received).into(), true),
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
            Err(_) => return (String::from_utf8_lossy(&received).into(), false),
        }
    }
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

async fn healthy(app: &TestApp) {
    let response = TestApp::client()
        .get(app.url("/api/health"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
}

#[tokio::test]
async fn a_client_that_sends_half_its_headers_is_cut_off() {
    let app = TestApp::spawn_with(|args| args.header_timeout = 1).await;
    let mut slow = connect(&app).await;
    slow.write_all(b"GET /api/health HTTP/1.1\r\nHost: sotay\r\nX-Slow: ")
        .await
        .unwrap();
    let (answer, closed) = read_all(&mut slow, Duration::from_secs(8)).await;
    assert!(closed, "still open after 8 s: {answer:?}");
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    healthy(&app).await;
}

#[tokio::test]
async fn a_client_that_sends_half_its_body_gets_408_and_nothing_is_stored() {
    let app = TestApp::spawn_with(|args| args.request_timeout = 1).await;
    let mut slow = connect(&app).await;
    slow.write_all(
        b"POST /api/auth/login HTTP/1.1\r\nHost: sotay\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"phone\": \"09",
    )
    .await
    .unwrap();
    let (answer, _) = read_all(&mut slow, Duration::from_secs(8)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"request_timeout\""), "{answer}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'sign_in%'"),
        0
    );
    healthy(&app).await;
}

#[tokio::test]
async fn headers_over_the_limit_get_431() {
    let app = TestApp::spawn().await;
    let mut client = connect(&app).await;
    let huge = "a".repeat(server::serve::MAX_HEADER_BYTES + 1024);
    client
        .write_all(
            format!("GET /api/health HTTP/1.1\r\nHost: sotay\r\nX-Huge: {huge}\r\n\r\n").as_bytes(),
        )
        .await
        .unwrap();
    let (answer, _) = read_all(&mut client, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    healthy(&app).await;
}

#[tokio::test]
async fn past_the_connection_cap_a_client_waits_until_one_closes() {
    let app = TestApp::spawn_with(|args| args.max_connections = 1).await;
    let holder = connect(&app).await;
    // Give the server a moment to take the first connection before the second arrives.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut waiting = connect(&app).await;
    waiting
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: sotay\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (early, _) = read_all(&mut waiting, Duration::from_millis(500)).await;
    assert_eq!(early, "", "answered past the cap");
    drop(holder);
    let (answer, _) = read_all(&mut waiting, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn shutdown_ends_within_its_bound_whatever_the_clients_hold() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = ServeArgs::for_db(dir.path().join("stop.db"));
    args.demo = true;
    args.site_root = Some(dir.path().join("no-site"));
    let app = Application::build(args).await.unwrap();
    let address = format!("127.0.0.1:{}", app.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    // One client in the middle of its headers, one in the middle of a body (a request in
    // flight), one idle after an answer.
    let mut half_headers = TcpStream::connect(&address).await.unwrap();
    half_headers
        .write_all(b"GET /api/health HTTP/1.1\r\nHo")
        .await
        .unwrap();
    let mut half_body = TcpStream::connect(&address).await.unwrap();
    half_body
        .write_all(b"POST /api/auth/login HTTP/1.1\r\nHost: s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        .await
        .unwrap();
    let mut idle = TcpStream::connect(&address).await.unwrap();
    idle.write_all(b"GET /api/health HTTP/1.1\r\nHost: s\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");

    let asked = Instant::now();
    stop.send(()).unwrap();
    let bound = server::serve::SHUTDOWN_GRACE + Duration::from_secs(3);
    tokio::time::timeout(bound, server)
        .await
        .expect("the server stopped within its grace")
        .unwrap()
        .unwrap();
    assert!(asked.elapsed() <= bound);
    // No new connection is taken once stopped.
    assert!(TcpStream::connect(&address).await.is_err());
}
