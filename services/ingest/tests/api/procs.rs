//! The real `ingest` binary as a child process, its JSON log lines captured.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

use serde_json::Value;

use crate::helpers::{API_KEY, Env, SECRET};

pub const BIN: &str = env!("CARGO_BIN_EXE_ingest");

pub struct Proc {
    pub child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proc {
    pub fn logs(&self) -> Vec<Value> {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    pub fn signal(&self, sig: &str) {
        let status = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

pub fn start(env: &Env, command: &str, extra: &[(&str, String)]) -> Proc {
    let mut cmd = Command::new(BIN);
    cmd.arg(command)
        .env("INGEST_TABLE", &env.table)
        .env("INGEST_QUEUE_URL", &env.queue_url)
        .env("INGEST_BUCKET", &env.bucket)
        .env("INGEST_ALLOWED_BUCKETS", &env.data_bucket)
        .env("CALLBACK_SECRET", SECRET)
        .env("CALLBACK_ALLOW_PRIVATE", "true")
        .env("DATABASE_URL", &env.worker_url)
        .env("API_KEY_SHA256", corpus_platform::auth::sha256_hex(API_KEY))
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .env("BIND_ADDRESS", "127.0.0.1")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    Proc { child, lines }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub async fn wait_exit(mut proc: Proc, secs: u64) -> (Option<i32>, Vec<Value>) {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(status) = proc.child.try_wait().unwrap() {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let logs = proc.logs();
            return (status.code(), logs);
        }
        assert!(std::time::Instant::now() < deadline, "process did not exit");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
