//! Callbacks through the outbox: signed with a timestamp, retried off the file loops,
//! settled once, shown publicly by origin only.

use std::time::Duration;

use hmac::{KeyInit, Mac};
use serde_json::Value;

use crate::helpers::{SECRET, callback_receiver, env, eventually, spawn_api, spawn_worker};

fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[tokio::test]
async fn callback_is_signed_with_a_timestamp_and_retried_until_delivered() {
    let env = env().await;
    env.put(&env.data_bucket, "cb/a.txt", "callback me").await;
    let (url, receiver) = callback_receiver(2).await;
    let api = spawn_api(env.serve_config()).await;
    let worker = spawn_worker(env.work_config()).await;
    let resp = api
        .client
        .post(format!(
            "{}/jobs?bucket={}&prefix=cb/&callback_url={url}?token=s3cr3t",
            api.base, env.data_bucket
        ))
        .bearer_auth(crate::helpers::API_KEY)
        .header("x-request-id", "cb-request-7")
        .send()
        .await
        .unwrap();
    let job: Value = resp.json().await.unwrap();
    let id = job["id"].as_str().unwrap().to_owned();
    eventually(30, "callback delivered", || async {
        api.job(&id).await["callback"]["status"] == "delivered"
    })
    .await;
    let job = api.job(&id).await;
    assert_eq!(job["callback"]["attempts"], 3);
    // The public view shows where callbacks go, never the path or query (a token).
    let origin = url.trim_end_matches("/hook");
    assert_eq!(job["callback"]["url"], origin);
    assert!(!job.to_string().contains("s3cr3t"), "{job}");

    let calls = receiver.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 3);
    let (headers, body) = calls.last().unwrap();
    let timestamp = &headers["x-corpus-timestamp"];
    let sent_at: i64 = timestamp.parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - sent_at).abs() < 60);
    assert_eq!(headers["x-corpus-signature"], sign(SECRET, timestamp, body));
    // A replayed body under another timestamp does not verify.
    assert_ne!(headers["x-corpus-signature"], sign(SECRET, "1", body));
    assert_eq!(headers["x-corpus-job-id"], id);
    assert_eq!(headers["x-request-id"], "cb-request-7");
    assert_eq!(headers["content-type"], "application/json");
    let sent: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(sent["id"], id.as_str());
    assert_eq!(sent["status"], "completed");
    assert_eq!(sent["documents"], 1);
    assert_eq!(sent["callback"]["url"], origin);
    assert!(!String::from_utf8_lossy(body).contains("s3cr3t"));
    worker.stop().await;
}

#[tokio::test]
async fn during_a_rotation_each_callback_is_signed_with_both_secrets() {
    let env = env().await;
    let (url, receiver) = callback_receiver(0).await;
    let mut serve = env.serve_config();
    serve.common.callback_secret_previous = Some("the-old-secret".to_owned().into());
    let mut work = env.work_config();
    work.common.callback_secret_previous = Some("the-old-secret".to_owned().into());
    let api = spawn_api(serve).await;
    let worker = spawn_worker(work).await;
    let job: Value = api
        .start_job(&format!(
            "bucket={}&prefix=none/&callback_url={url}",
            env.data_bucket
        ))
        .await;
    let id = job["id"].as_str().unwrap().to_owned();
    eventually(30, "callback delivered", || async {
        api.job(&id).await["callback"]["status"] == "delivered"
    })
    .await;
    let (headers, body) = receiver.calls.lock().unwrap()[0].clone();
    let ts = &headers["x-corpus-timestamp"];
    let signatures: Vec<&str> = headers["x-corpus-signature"].split(',').collect();
    assert_eq!(
        signatures,
        vec![
            sign(SECRET, ts, &body).as_str(),
            sign("the-old-secret", ts, &body).as_str()
        ]
    );
    worker.stop().await;
}

#[tokio::test]
async fn a_callback_that_keeps_failing_is_recorded_as_failed_after_five_tries() {
    let env = env().await;
    let (url, receiver) = callback_receiver(100).await;
    let api = spawn_api(env.serve_config()).await;
    let worker = spawn_worker(env.work_config()).await;
    // An empty job finishes at once; its callback goes through the outbox.
    let job: Value = api
        .start_job(&format!(
            "bucket={}&prefix=none/&callback_url={url}",
            env.data_bucket
        ))
        .await;
    let id = job["id"].as_str().unwrap().to_owned();
    eventually(90, "callback gave up", || async {
        api.job(&id).await["callback"]["status"] == "failed"
    })
    .await;
    assert_eq!(api.job(&id).await["callback"]["attempts"], 5);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.calls.lock().unwrap().len(), 5);
    // Settled: nothing left on the queue or its dead-letter queue.
    eventually(10, "queue drained", || async {
        env.queue_depth(&env.queue_url).await == 0
    })
    .await;
    assert_eq!(env.queue_depth(&env.dlq_url).await, 0);
    worker.stop().await;
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let env = env().await;
    env.put(&env.data_bucket, "redir/a.txt", "redirect me")
        .await;
    let (target, target_rx) = callback_receiver(0).await;
    let url = crate::helpers::redirecting_receiver(&target).await;
    let api = spawn_api(env.serve_config()).await;
    let worker = spawn_worker(env.work_config()).await;
    let job: Value = api
        .start_job(&format!(
            "bucket={}&prefix=redir/&callback_url={url}",
            env.data_bucket
        ))
        .await;
    let id = job["id"].as_str().unwrap().to_owned();
    eventually(90, "callback gave up", || async {
        api.job(&id).await["callback"]["status"] == "failed"
    })
    .await;
    assert_eq!(api.job(&id).await["callback"]["attempts"], 5);
    assert!(
        target_rx.calls.lock().unwrap().is_empty(),
        "the redirect was followed"
    );
    worker.stop().await;
}

/// The fenced code block of `lang` in docs/callbacks.md.
fn doc_snippet(lang: &str) -> String {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/callbacks.md"
    ))
    .unwrap();
    let start = doc.find(&format!("```{lang}\n")).unwrap() + lang.len() + 4;
    let end = start + doc[start..].find("```").unwrap();
    doc[start..end].to_owned()
}

/// Runs the documented verifier of `lang` on one case; its answer.
fn run_snippet(lang: &str, dir: &std::path::Path, case: &Value) -> bool {
    let case_file = dir.join("case.json");
    std::fs::write(&case_file, case.to_string()).unwrap();
    let (program, script) = match lang {
        "python" => {
            std::fs::write(dir.join("verify.py"), doc_snippet("python")).unwrap();
            let harness = "import base64, json, sys\nsys.path.insert(0, sys.argv[1])\nfrom verify import verify\nc = json.load(open(sys.argv[2]))\nprint(verify(c['secrets'], c['headers'], base64.b64decode(c['body']), now=c['now']))\n";
            ("python3", harness.to_owned())
        }
        _ => {
            std::fs::write(dir.join("verify.mjs"), doc_snippet("js")).unwrap();
            let harness = "const [dir, file] = process.argv.slice(2);\nconst { verify } = await import(`${dir}/verify.mjs`);\nconst c = JSON.parse((await import('node:fs')).readFileSync(file, 'utf8'));\nconsole.log(verify(c.secrets, c.headers, Buffer.from(c.body, 'base64'), 300, c.now) ? 'True' : 'False');\n";
            ("node", harness.to_owned())
        }
    };
    let harness_file = dir.join(if lang == "python" {
        "harness.py"
    } else {
        "harness.mjs"
    });
    std::fs::write(&harness_file, script).unwrap();
    let out = std::process::Command::new(program)
        .arg(&harness_file)
        .arg(dir)
        .arg(&case_file)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} is needed to test the documented {lang} verifier: {e}")
        });
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim() == "True"
}

#[tokio::test]
async fn the_documented_verifiers_accept_real_callbacks_and_refuse_forgeries() {
    use base64::Engine as _;
    let env = env().await;
    let (url, receiver) = callback_receiver(0).await;
    let mut serve = env.serve_config();
    serve.common.callback_secret_previous = Some("old-secret".to_owned().into());
    let mut work = env.work_config();
    work.common.callback_secret_previous = Some("old-secret".to_owned().into());
    let api = spawn_api(serve).await;
    let worker = spawn_worker(work).await;
    let job: Value = api
        .start_job(&format!(
            "bucket={}&prefix=none/&callback_url={url}",
            env.data_bucket
        ))
        .await;
    let id = job["id"].as_str().unwrap().to_owned();
    eventually(30, "callback delivered", || async {
        !receiver.calls.lock().unwrap().is_empty()
    })
    .await;
    worker.stop().await;
    let (headers, body) = receiver.calls.lock().unwrap()[0].clone();
    let ts: i64 = headers["x-corpus-timestamp"].parse().unwrap();
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let case = |secrets: &[&str], body: &[u8], now: i64| serde_json::json!({"secrets": secrets, "headers": headers, "body": b64(body), "now": now});
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    let dir = std::env::temp_dir().join(format!("verify-{id}"));
    std::fs::create_dir_all(&dir).unwrap();
    for lang in ["python", "js"] {
        assert!(
            run_snippet(lang, &dir, &case(&[SECRET], &body, ts)),
            "{lang}: valid"
        );
        assert!(
            run_snippet(lang, &dir, &case(&["old-secret"], &body, ts + 10)),
            "{lang}: rotation"
        );
        assert!(
            !run_snippet(lang, &dir, &case(&[SECRET], &tampered, ts)),
            "{lang}: tampered"
        );
        assert!(
            !run_snippet(lang, &dir, &case(&[SECRET], &body, ts + 301)),
            "{lang}: stale"
        );
        assert!(
            !run_snippet(lang, &dir, &case(&["wrong"], &body, ts)),
            "{lang}: wrong secret"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
