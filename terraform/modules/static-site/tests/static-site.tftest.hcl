# Checks against a mocked provider (no AWS calls): `terraform test` in the module directory.
mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::corpus-test-web" }
  }
  mock_resource "aws_cloudfront_distribution" {
    defaults = { arn = "arn:aws:cloudfront::123456789012:distribution/E0000000000000" }
  }
  mock_resource "aws_cloudfront_function" {
    defaults = { arn = "arn:aws:cloudfront::123456789012:function/corpus-test-web-spa-fallback" }
  }
}

variables {
  name                   = "corpus-test-web"
  bucket_name            = "corpus-test-web"
  kms_key_arn            = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  log_bucket_name        = "corpus-test-logs"
  api_origin_domain_name = "origin.test.corpus.example.com"
  aliases                = ["test.corpus.example.com"]
  certificate_arn        = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
}

run "distribution" {
  command = apply

  assert {
    condition = (
      aws_s3_bucket_public_access_block.this.block_public_acls && aws_s3_bucket_public_access_block.this.block_public_policy &&
      aws_s3_bucket_public_access_block.this.ignore_public_acls && aws_s3_bucket_public_access_block.this.restrict_public_buckets
    )
    error_message = "All public access must be blocked."
  }

  assert {
    condition     = aws_cloudfront_origin_access_control.this.signing_behavior == "always" && aws_cloudfront_origin_access_control.this.origin_access_control_origin_type == "s3"
    error_message = "The bucket origin must use origin access control."
  }

  assert {
    condition     = one([for b in aws_cloudfront_distribution.this[0].ordered_cache_behavior : b.cache_policy_id if b.path_pattern == "/api/*"]) == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    error_message = "/api/* must use the managed CachingDisabled policy."
  }

  assert {
    condition     = one([for b in aws_cloudfront_distribution.this[0].ordered_cache_behavior : b.origin_request_policy_id if b.path_pattern == "/api/*"]) == "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    error_message = "/api/* must forward everything but Host (AllViewerExceptHostHeader)."
  }

  assert {
    condition     = aws_cloudfront_distribution.this[0].viewer_certificate[0].minimum_protocol_version == "TLSv1.2_2021"
    error_message = "Viewers need TLS 1.2 or later."
  }

  assert {
    condition     = aws_cloudfront_response_headers_policy.web[0].security_headers_config[0].strict_transport_security[0].access_control_max_age_sec >= 31536000
    error_message = "HSTS of at least a year."
  }

  assert {
    condition     = strcontains(aws_cloudfront_response_headers_policy.web[0].security_headers_config[0].content_security_policy[0].content_security_policy, "frame-ancestors 'none'")
    error_message = "The CSP must forbid framing."
  }
}

run "rejects_a_certificate_outside_us_east_1" {
  command = plan

  variables {
    certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
  }

  expect_failures = [var.certificate_arn]
}

run "document_reads_are_cached_for_a_bounded_time" {
  command = plan

  assert {
    condition     = aws_cloudfront_distribution.this[0].ordered_cache_behavior[0].path_pattern == "/api/documents/documents/*" && aws_cloudfront_distribution.this[0].ordered_cache_behavior[1].path_pattern == "/api/*"
    error_message = "Document reads have their own behaviour, before the uncached /api/*."
  }

  assert {
    condition     = aws_cloudfront_cache_policy.documents[0].max_ttl == 300 && aws_cloudfront_cache_policy.documents[0].default_ttl == 0 && aws_cloudfront_cache_policy.documents[0].min_ttl == 0
    error_message = "The edge follows the origin's Cache-Control and never keeps a document longer than 300 s."
  }

  assert {
    condition     = contains(aws_cloudfront_cache_policy.documents[0].parameters_in_cache_key_and_forwarded_to_origin[0].headers_config[0].headers[0].items, "Authorization")
    error_message = "Authorization is part of the key, so writes reach the origin with it and never share an entry with reads."
  }
}
