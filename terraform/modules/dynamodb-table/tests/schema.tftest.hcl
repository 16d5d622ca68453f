# The table matches its one definition, services/ingest/schema/jobs-table.json (the tests'
# and the local stack's table): same keys, attributes, indexes and time-to-live attribute.
mock_provider "aws" {}

variables {
  name        = "corpus-test-jobs"
  kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  schema      = jsondecode(file("../../../services/ingest/schema/jobs-table.json"))
}

run "matches_the_schema_file" {
  command = plan

  assert {
    condition     = aws_dynamodb_table.this.hash_key == one([for k in var.schema.KeySchema : k.AttributeName if k.KeyType == "HASH"])
    error_message = "hash key differs from jobs-table.json"
  }
  assert {
    condition     = aws_dynamodb_table.this.range_key == one([for k in var.schema.KeySchema : k.AttributeName if k.KeyType == "RANGE"])
    error_message = "range key differs from jobs-table.json"
  }
  assert {
    condition     = toset([for a in aws_dynamodb_table.this.attribute : a.name]) == toset([for a in var.schema.AttributeDefinitions : a.AttributeName])
    error_message = "attributes differ from jobs-table.json"
  }
  assert {
    condition = toset([for i in aws_dynamodb_table.this.global_secondary_index : "${i.name}:${i.hash_key}:${i.range_key}:${i.projection_type}"]) == toset([
      for i in var.schema.GlobalSecondaryIndexes : "${i.IndexName}:${one([for k in i.KeySchema : k.AttributeName if k.KeyType == "HASH"])}:${one([for k in i.KeySchema : k.AttributeName if k.KeyType == "RANGE"])}:${i.Projection.ProjectionType}"
    ])
    error_message = "global secondary indexes differ from jobs-table.json"
  }
  assert {
    condition     = one(aws_dynamodb_table.this.ttl).attribute_name == var.schema.TimeToLiveAttribute
    error_message = "time-to-live attribute differs from jobs-table.json"
  }
}
