use std::{sync::Arc, time::Duration};

use serde_json::Value;
use tokio::{
    net::{TcpListener, TcpStream},
    sync::watch,
};

use crate::helpers::{admin_url, config, fresh_database, spawn_with};

#[tokio::test]
async fn healthz_and_readyz_answer() {
    let app = crate::helpers::spawn_app().await;
    let (status, body) = app.get_json("/healthz").await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
    let (status, body) = app.get_json("/readyz").await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ready")));
}

/// A TCP proxy in front of PostgreSQL that the test can cut: while it is down every
/// connection through it is closed at once, like a database that went away.
struct Proxy {
    port: u16,
    up: watch::Sender<bool>,
}

async fn start_proxy(target: String) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (up, up_rx) = watch::channel(true);
    let target = Arc::new(target);
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else {
                return;
            };
            if !*up_rx.borrow() {
                drop(client);
                continue;
            }
            let target = target.clone();
            let mut cut = up_rx.clone();
            tokio::spawn(async move {
                let Ok(mut server) = TcpStream::connect(target.as_str()).await else {
                    return;
                };
                tokio::select! {
                    _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                    _ = cut.wait_for(|up| !*up) => {}
                }
            });
        }
    });
    Proxy { port, up }
}

#[tokio::test]
async fn readiness_flips_while_the_database_is_unreachable_and_recovers() {
    let direct = fresh_database().await;
    // postgres://user@127.0.0.1:PORT/name -> route through the proxy.
    let authority = direct
        .split('@')
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let proxy = start_proxy(authority.clone()).await;
    let proxied = direct.replace(&authority, &format!("127.0.0.1:{}", proxy.port));
    let _ = admin_url();
    let app = spawn_with(config(&proxied, ""), direct).await;

    let (status, _) = app.get_json("/readyz").await;
    assert_eq!(status, 200);

    proxy.up.send(false).unwrap();
    let resp = app.client.get(app.url("/readyz")).send().await.unwrap();
    let problem = crate::helpers::assert_problem(resp, 503).await;
    assert!(problem["detail"].as_str().unwrap().contains("database"));
    // Liveness does not depend on the database.
    let (status, _) = app.get_json("/healthz").await;
    assert_eq!(status, 200);
    // A data request fails with a problem, not a hang.
    let resp = app.client.get(app.url("/documents")).send().await.unwrap();
    let status = resp.status().as_u16();
    assert!(status == 503 || status == 500, "{status}");

    proxy.up.send(true).unwrap();
    let mut last = 0;
    for _ in 0..50 {
        let (status, body) = app.get_json("/readyz").await;
        last = status;
        if status == 200 {
            assert_eq!(body["status"], Value::from("ready"));
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(last, 200, "readiness did not recover");
    let (status, _) = app.get_json("/documents").await;
    assert_eq!(status, 200);
}
