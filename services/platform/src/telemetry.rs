//! Logs and traces: JSON lines on stdout, OTLP export when configured.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::{Resource, propagation::TraceContextPropagator, trace::SdkTracerProvider};
use tracing_subscriber::{EnvFilter, Layer, layer::SubscriberExt, util::SubscriberInitExt};

use crate::config::{ConfigError, Env, LogFormat};

/// Flushes and shuts down trace export when dropped: keep it alive until `main` returns.
pub struct Guard {
    provider: Option<SdkTracerProvider>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take()
            && let Err(err) = provider.shutdown()
        {
            eprintln!("telemetry: flushing traces failed: {err}");
        }
    }
}

/// Installs the global subscriber: `RUST_LOG` filter (default `info`), `LOG_FORMAT`
/// (`json` default, or `pretty`), the W3C trace-context propagator, and an OTLP/HTTP span
/// exporter when `OTEL_EXPORTER_OTLP_ENDPOINT` is set. Call it before starting the tokio
/// runtime (the exporter's HTTP client blocks on its own thread).
pub fn init(service_name: &'static str, env: &Env) -> Result<Guard, ConfigError> {
    let format = env.parse_or("LOG_FORMAT", LogFormat::Json)?;
    // sqlx reports harmless server NOTICEs (e.g. "relation already exists, skipping") at info.
    let filter = EnvFilter::try_new(
        env.raw("RUST_LOG")
            .unwrap_or("info,sqlx::postgres::notice=warn"),
    )
    .map_err(|e| ConfigError::new("RUST_LOG", e.to_string()))?;

    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let mut builder = SdkTracerProvider::builder()
        .with_resource(Resource::builder().with_service_name(service_name).build());
    if let Some(endpoint) = env.raw("OTEL_EXPORTER_OTLP_ENDPOINT") {
        let endpoint = format!("{}/v1/traces", endpoint.trim_end_matches('/'));
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_endpoint(endpoint)
            .build()
            .map_err(|e| ConfigError::new("OTEL_EXPORTER_OTLP_ENDPOINT", e.to_string()))?;
        builder = builder.with_batch_exporter(exporter);
    }
    let provider = builder.build();
    let tracer = provider.tracer(service_name);
    opentelemetry::global::set_tracer_provider(provider.clone());

    let fmt_layer = match format {
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(true)
            .with_target(true)
            .boxed(),
        LogFormat::Pretty => tracing_subscriber::fmt::layer().boxed(),
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(tracing_opentelemetry::layer().with_tracer(tracer))
        .with(fmt_layer)
        .try_init()
        .map_err(|e| ConfigError::new("RUST_LOG", format!("logging already initialised: {e}")))?;
    Ok(Guard {
        provider: Some(provider),
    })
}
