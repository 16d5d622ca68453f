use std::time::Duration;

use hmac::{KeyInit, Mac};
use serde_json::Value;

use crate::helpers::{SECRET, callback_receiver, env, eventually, spawn_api, spawn_worker};

#[tokio::test]
async fn callback_is_signed_and_retried_until_delivered() {
    let env = env().await;
    env.put(&env.data_bucket, "cb/a.txt", "callback me").await;
    let (url, receiver) = callback_receiver(2).await;
    let api = spawn_api(env.serve_config()).await;
    let worker = spawn_worker(env.work_config()).await;
    let resp = api
        .client
        .post(format!(
            "{}/jobs?bucket={}&prefix=cb/&callback_url={url}",
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
    assert_eq!(job["callback"]["url"], url.as_str());

    let calls = receiver.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 3);
    let (headers, body) = calls.last().unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(body);
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    assert_eq!(headers["x-corpus-signature"], expected);
    assert_eq!(headers["x-corpus-job-id"], id);
    assert_eq!(headers["x-request-id"], "cb-request-7");
    assert_eq!(headers["content-type"], "application/json");
    let sent: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(sent["id"], id.as_str());
    assert_eq!(sent["status"], "completed");
    assert_eq!(sent["documents"], 1);
    worker.stop().await;
}

#[tokio::test]
async fn a_callback_that_keeps_failing_is_recorded_as_failed_after_five_tries() {
    let env = env().await;
    let (url, receiver) = callback_receiver(100).await;
    let api = spawn_api(env.serve_config()).await;
    // An empty job finishes at once; the API sends its callback.
    let job: Value = api
        .post_job(&format!(
            "bucket={}&prefix=none/&callback_url={url}",
            env.data_bucket
        ))
        .await
        .json()
        .await
        .unwrap();
    let id = job["id"].as_str().unwrap().to_owned();
    eventually(60, "callback gave up", || async {
        api.job(&id).await["callback"]["status"] == "failed"
    })
    .await;
    assert_eq!(api.job(&id).await["callback"]["attempts"], 5);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(receiver.calls.lock().unwrap().len(), 5);
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
        .post_job(&format!(
            "bucket={}&prefix=redir/&callback_url={url}",
            env.data_bucket
        ))
        .await
        .json()
        .await
        .unwrap();
    let id = job["id"].as_str().unwrap().to_owned();
    eventually(30, "callback gave up", || async {
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
