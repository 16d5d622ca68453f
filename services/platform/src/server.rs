//! Binding, serving and graceful shutdown.

use std::{future::Future, io, net::SocketAddr, time::Duration};

use poem::{
    Endpoint, Server,
    listener::{Acceptor, Listener, TcpAcceptor, TcpListener},
};

/// A bound listener and the port it really got (port 0 asks for a free one).
pub struct Bound {
    pub acceptor: TcpAcceptor,
    pub port: u16,
}

/// Binds `address:port`.
pub async fn bind(address: &str, port: u16) -> io::Result<Bound> {
    let acceptor = TcpListener::bind(format!("{address}:{port}"))
        .into_acceptor()
        .await?;
    let port = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().map(SocketAddr::port))
        .ok_or_else(|| io::Error::other("listener has no socket address"))?;
    Ok(Bound { acceptor, port })
}

/// Serves `app` until `shutdown` resolves, then stops accepting and lets in-flight requests
/// finish for at most `grace`.
pub async fn serve<E>(
    bound: Bound,
    app: E,
    shutdown: impl Future<Output = ()> + Send,
    grace: Duration,
) -> io::Result<()>
where
    E: Endpoint + 'static,
{
    Server::new_with_acceptor(bound.acceptor)
        .run_with_graceful_shutdown(app, shutdown, Some(grace))
        .await
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutdown signal received; draining in-flight requests");
}

/// A bound HTTP app, ready to run: what each service's `Application` wraps.
pub struct App {
    name: &'static str,
    bound: Bound,
    endpoint: poem::endpoint::BoxEndpoint<'static>,
    grace: Duration,
}

impl App {
    pub fn new(
        name: &'static str,
        bound: Bound,
        endpoint: poem::endpoint::BoxEndpoint<'static>,
        grace: Duration,
    ) -> Self {
        Self {
            name,
            bound,
            endpoint,
            grace,
        }
    }

    /// The port really bound.
    pub fn port(&self) -> u16 {
        self.bound.port
    }

    /// Serves until SIGTERM/Ctrl-C, then drains.
    pub async fn run_until_stopped(self) -> io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `shutdown` resolves, then drains (tests).
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send) -> io::Result<()> {
        tracing::info!(service = self.name, port = self.bound.port, "listening");
        serve(self.bound, self.endpoint, shutdown, self.grace).await
    }
}
