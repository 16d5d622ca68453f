//! Callback receivers on loopback addresses: they capture what the worker sends.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use poem::{EndpointExt, Route, handler, http::StatusCode, web::Data};

/// One captured callback: its headers and body.
pub type Call = (HashMap<String, String>, Vec<u8>);

/// Captured callback requests.
#[derive(Clone, Default)]
pub struct Receiver {
    pub calls: Arc<Mutex<Vec<Call>>>,
    /// Answer 500 to this many requests first.
    pub fail_first: Arc<Mutex<u32>>,
}

#[handler]
async fn hook(req: &poem::Request, body: poem::Body, Data(rx): Data<&Receiver>) -> StatusCode {
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                v.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let bytes = body.into_vec().await.unwrap_or_default();
    rx.calls.lock().unwrap().push((headers, bytes));
    let mut fail = rx.fail_first.lock().unwrap();
    if *fail > 0 {
        *fail -= 1;
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    StatusCode::NO_CONTENT
}

/// Starts a callback receiver on 127.0.0.1; returns its URL.
pub async fn callback_receiver(fail_first: u32) -> (String, Receiver) {
    callback_receiver_on("127.0.0.1", fail_first).await
}

/// A callback receiver on another loopback address (`127.0.0.2`, ...).
pub async fn callback_receiver_on(ip: &str, fail_first: u32) -> (String, Receiver) {
    let rx = Receiver {
        fail_first: Arc::new(Mutex::new(fail_first)),
        ..Default::default()
    };
    let bound = corpus_platform::server::bind(ip, 0).await.unwrap();
    let url = format!("http://{ip}:{}/hook", bound.port);
    let app = Route::new().at("/hook", poem::post(hook)).data(rx.clone());
    tokio::spawn(corpus_platform::server::serve(
        bound,
        app,
        std::future::pending(),
        Duration::from_secs(1),
    ));
    (url, rx)
}

#[handler]
async fn redirect(Data(target): Data<&String>) -> poem::Response {
    poem::Response::builder()
        .status(StatusCode::TEMPORARY_REDIRECT)
        .header("location", target.as_str())
        .finish()
}

/// A callback URL that answers 307 pointing at `target`.
pub async fn redirecting_receiver(target: &str) -> String {
    let bound = corpus_platform::server::bind("127.0.0.1", 0).await.unwrap();
    let url = format!("http://127.0.0.1:{}/redirect", bound.port);
    let app = Route::new()
        .at("/redirect", poem::post(redirect))
        .data(target.to_owned());
    tokio::spawn(corpus_platform::server::serve(
        bound,
        app,
        std::future::pending(),
        Duration::from_secs(1),
    ));
    url
}
