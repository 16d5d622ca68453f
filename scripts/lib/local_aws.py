"""Creates the ingest data plane in the local AWS emulator, idempotently.

Used by scripts/dev.sh and bench/ingest.sh: a jobs table (its one definition:
services/ingest/schema/jobs-table.json, also used by the tests), the
ingest queue with a dead-letter queue (redrive after 5 receives), the landing bucket
notifying the queue for objects under incoming/ and uploads/, and a data bucket for API
jobs. terraform/live/local describes the same plane as Terraform (exercised by the
Terraform suite); this script exists because applying it on every dev start is slow.

usage: python3 local_aws.py PREFIX   (prints shell `export` lines for the services)
"""

import json
import os
import pathlib
import sys

import boto3


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: local_aws.py PREFIX")
    prefix = sys.argv[1]
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    if not endpoint.startswith(("http://127.0.0.1:", "http://localhost:")):
        sys.exit("AWS_ENDPOINT_URL must point at the local emulator")
    table, queue, dlq = f"{prefix}-jobs", f"{prefix}-ingest", f"{prefix}-ingest-dlq"
    landing, data = f"{prefix}-landing", f"{prefix}-data"

    ddb = boto3.client("dynamodb")
    if table not in ddb.list_tables()["TableNames"]:
        schema_file = pathlib.Path(__file__).resolve().parents[2] / "services/ingest/schema/jobs-table.json"
        schema = json.loads(schema_file.read_text())
        ttl_attribute = schema.pop("TimeToLiveAttribute")
        schema.pop("//", None)
        ddb.create_table(TableName=table, **schema)
        ddb.update_time_to_live(
            TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl_attribute}
        )

    sqs = boto3.client("sqs")
    dlq_url = sqs.create_queue(QueueName=dlq)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue_url = sqs.create_queue(
        QueueName=queue,
        Attributes={
            "VisibilityTimeout": "60",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"}),
        },
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    origins = os.environ.get("CORPUS_WEB_ORIGINS", "http://127.0.0.1:8080,http://localhost:8080").split(",")
    s3 = boto3.client("s3")
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    for bucket in (landing, data):
        if bucket not in existing:
            s3.create_bucket(Bucket=bucket)
    s3.put_bucket_cors(
        Bucket=landing,
        CORSConfiguration={
            "CORSRules": [
                {
                    # The web app's origin only (scripts/dev.sh serves it on 127.0.0.1:8080;
                    # the browser tests pass theirs in CORPUS_WEB_ORIGINS), as in AWS where
                    # the landing bucket admits the site's own name.
                    "AllowedMethods": ["PUT"],
                    "AllowedOrigins": origins,
                    "AllowedHeaders": ["content-type", "content-length", "x-amz-*"],
                    "ExposeHeaders": ["ETag"],
                    "MaxAgeSeconds": 600,
                }
            ]
        },
    )
    s3.put_bucket_notification_configuration(
        Bucket=landing,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": queue_arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": p}]}},
                }
                for p in ("incoming/", "uploads/")
            ]
        },
    )
    print(f"export INGEST_TABLE={table}")
    print(f"export INGEST_QUEUE_URL={queue_url}")
    print(f"export INGEST_DLQ_URL={dlq_url}")
    print(f"export INGEST_BUCKET={landing}")
    print(f"export INGEST_ALLOWED_BUCKETS={data}")


if __name__ == "__main__":
    main()
