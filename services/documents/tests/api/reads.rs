//! A read by id is one statement exchange with PostgreSQL (issue 11, item 3): no ping of
//! the connection when a pool takes it back, which doubled the database's work per read.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

use crate::helpers::{config, fresh_database, spawn_with};

/// A TCP proxy in front of PostgreSQL that counts what clients send (one count per read
/// of the client's socket: on loopback, one per message batch the client sends).
async fn counting_proxy(target: String) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let sends = Arc::new(AtomicUsize::new(0));
    let counter = sends.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let target = target.clone();
            let counter = counter.clone();
            tokio::spawn(async move {
                let server = TcpStream::connect(target.as_str()).await.unwrap();
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let up = async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    while let Ok(n) = cr.read(&mut buf).await {
                        if n == 0 || sw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                        counter.fetch_add(1, Ordering::SeqCst);
                    }
                };
                let down = async move {
                    let _ = tokio::io::copy(&mut sr, &mut cw).await;
                };
                tokio::join!(up, down);
            });
        }
    });
    (port, sends)
}

#[tokio::test]
async fn a_read_by_id_is_one_exchange_with_the_database() {
    let direct = fresh_database().await;
    let authority = direct
        .split('@')
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let (port, sends) = counting_proxy(authority.clone()).await;
    let proxied = direct.replace(&authority, &format!("127.0.0.1:{port}"));
    let mut cfg = config(&proxied, "");
    // The path under test is the database's: without the task's cache of documents.
    cfg.document_cache_bytes = 0;
    let app = spawn_with(cfg, direct).await;
    let doc = app.create("counted", "a document read many times").await;
    let path = format!("/documents/{}", doc["id"].as_str().unwrap());
    // Warm up: the connection is opened and the statement prepared.
    assert_eq!(app.get_json(&path).await.0, 200);

    let before = sends.load(Ordering::SeqCst);
    let reads = 20;
    for _ in 0..reads {
        assert_eq!(app.get_json(&path).await.0, 200);
    }
    // Let anything sent after the responses (a pool's ping on release) arrive.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let per_read = (sends.load(Ordering::SeqCst) - before) as f64 / f64::from(reads);
    assert!(
        per_read <= 1.1,
        "{per_read} sends to PostgreSQL per read by id (one is the statement; a second is a ping)"
    );
}
