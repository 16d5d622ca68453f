//! AWS SDK clients. Endpoints and credentials come only from the SDK's own configuration
//! (`AWS_ENDPOINT_URL`, `AWS_REGION`, the credential chain).

use aws_config::BehaviorVersion;

#[derive(Clone, Debug)]
pub struct Clients {
    pub s3: aws_sdk_s3::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub dynamodb: aws_sdk_dynamodb::Client,
}

impl Clients {
    pub async fn from_env() -> Self {
        let shared = aws_config::defaults(BehaviorVersion::latest()).load().await;
        // A custom endpoint (an emulator, a VPC endpoint URL) has no per-bucket DNS names:
        // address buckets by path there.
        let custom_endpoint = std::env::var_os("AWS_ENDPOINT_URL").is_some()
            || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
        let s3_config = aws_sdk_s3::config::Builder::from(&shared)
            .force_path_style(custom_endpoint)
            .build();
        Self {
            s3: aws_sdk_s3::Client::from_conf(s3_config),
            sqs: aws_sdk_sqs::Client::new(&shared),
            dynamodb: aws_sdk_dynamodb::Client::new(&shared),
        }
    }
}

impl Clients {
    /// Clients that never load configuration or credentials (building the OpenAPI
    /// document needs the types, not AWS).
    pub fn offline() -> Self {
        let region = aws_config::Region::from_static("us-east-1");
        let behavior = BehaviorVersion::latest();
        Self {
            s3: aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::Config::builder()
                    .behavior_version(behavior)
                    .region(region.clone())
                    .build(),
            ),
            sqs: aws_sdk_sqs::Client::from_conf(
                aws_sdk_sqs::Config::builder()
                    .behavior_version(behavior)
                    .region(region.clone())
                    .build(),
            ),
            dynamodb: aws_sdk_dynamodb::Client::from_conf(
                aws_sdk_dynamodb::Config::builder()
                    .behavior_version(behavior)
                    .region(region)
                    .build(),
            ),
        }
    }
}

pub use corpus_platform::error_chain as chain;
