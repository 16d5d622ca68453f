locals {
  # AWS managed policies (fixed IDs, identical in every account).
  cache_policy_caching_optimized               = "658327ea-f89d-4fab-a63d-7e88639e58f6"
  cache_policy_caching_disabled                = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
  origin_request_policy_all_viewer_except_host = "b689b0a8-53d0-40ab-baf2-68738e2966ac"

  s3_origin_id  = "web-bucket"
  api_origin_id = "api-alb"

  default_csp = join("; ", [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    join(" ", concat(["connect-src 'self'"], var.csp_connect_src_extra)),
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "upgrade-insecure-requests",
  ])

  full_features = !var.emulator_compatible
}

# ---------------------------------------------------------------------------------------
# Bucket: private, versioned, KMS-encrypted, TLS only, readable only by this distribution.
# ---------------------------------------------------------------------------------------

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_144:The bucket only holds build output that the pipeline re-creates from git; cross-region replication adds nothing.
  #checkov:skip=CKV2_AWS_62:Nothing reacts to object changes in the web bucket; the pipeline invalidates CloudFront itself after a sync.
  bucket        = var.bucket_name
  force_destroy = var.force_destroy

  tags = merge(var.tags, { Name = var.bucket_name })
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = "expire-old-builds"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = 30
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_logging" "this" {
  bucket        = aws_s3_bucket.this.id
  target_bucket = var.log_bucket_name
  target_prefix = "s3/${var.bucket_name}/"
}

data "aws_iam_policy_document" "bucket" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.this.arn,
      "${aws_s3_bucket.this.arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  dynamic "statement" {
    for_each = aws_cloudfront_distribution.this

    content {
      sid       = "CloudFrontReadsThroughOriginAccessControl"
      actions   = ["s3:GetObject"]
      resources = ["${aws_s3_bucket.this.arn}/*"]

      principals {
        type        = "Service"
        identifiers = ["cloudfront.amazonaws.com"]
      }

      condition {
        test     = "StringEquals"
        variable = "AWS:SourceArn"
        values   = [statement.value.arn]
      }
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.bucket.json

  depends_on = [aws_s3_bucket_public_access_block.this]
}

# ---------------------------------------------------------------------------------------
# CloudFront
# ---------------------------------------------------------------------------------------

resource "aws_cloudfront_origin_access_control" "this" {
  name                              = "${var.name}-s3"
  description                       = "CloudFront ${var.name} signs its requests to ${var.bucket_name}"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

# SPA fallback without touching /api/*: paths without a file extension are rewritten to
# /index.html at the edge, so the client router handles them. Custom error responses are
# distribution-wide and would also turn the API's own 404/403 problem documents into HTML.
resource "aws_cloudfront_function" "spa" {
  count = local.full_features ? 1 : 0

  name    = "${var.name}-spa-fallback"
  runtime = "cloudfront-js-2.0"
  comment = "Serve index.html for client-side routes"
  publish = true
  code    = file("${path.module}/spa-fallback.js")
}

# Document reads: cached by the origin's Cache-Control, never longer than the bound.
# Authorization is in the key (so it reaches the origin for DELETE, and a keyed request
# never shares an entry with an anonymous one); the browser sends it only on writes.
resource "aws_cloudfront_cache_policy" "documents" {
  count = local.full_features && var.api_origin_domain_name != null ? 1 : 0

  name        = "${var.name}-documents"
  comment     = "Immutable document reads: origin Cache-Control, at most ${var.document_cache_max_seconds} s"
  min_ttl     = 0
  default_ttl = 0
  max_ttl     = var.document_cache_max_seconds

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_gzip   = true
    enable_accept_encoding_brotli = true

    headers_config {
      header_behavior = "whitelist"
      headers {
        items = ["Authorization"]
      }
    }
    cookies_config {
      cookie_behavior = "none"
    }
    query_strings_config {
      query_string_behavior = "none"
    }
  }
}

# The request id and trace context still reach the service on a cache miss.
resource "aws_cloudfront_origin_request_policy" "documents" {
  count = local.full_features && var.api_origin_domain_name != null ? 1 : 0

  name    = "${var.name}-documents"
  comment = "Forward the request id and trace context of document reads"

  headers_config {
    header_behavior = "whitelist"
    headers {
      items = ["x-request-id", "traceparent", "tracestate", "content-type"]
    }
  }
  cookies_config {
    cookie_behavior = "none"
  }
  query_strings_config {
    query_string_behavior = "none"
  }
}

resource "aws_cloudfront_response_headers_policy" "web" {
  count = local.full_features ? 1 : 0

  name    = "${var.name}-web-security"
  comment = "Security headers of the web app"

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = 63072000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }

    content_security_policy {
      content_security_policy = coalesce(var.content_security_policy, local.default_csp)
      override                = true
    }

    content_type_options {
      override = true
    }

    frame_options {
      frame_option = "DENY"
      override     = true
    }

    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }

    xss_protection {
      protection = true
      mode_block = true
      override   = true
    }
  }
}

# The API's responses are JSON (and the Swagger UI page at /api/*/docs, which needs inline
# scripts): same transport headers, no document CSP, and the services' own headers win.
resource "aws_cloudfront_response_headers_policy" "api" {
  count = local.full_features && var.api_origin_domain_name != null ? 1 : 0

  name    = "${var.name}-api-security"
  comment = "Security headers of the API behaviour"

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = 63072000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }

    content_type_options {
      override = true
    }

    frame_options {
      frame_option = "DENY"
      override     = true
    }

    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = false
    }
  }
}

resource "aws_cloudfront_distribution" "this" {
  # The emulator does not round-trip a distribution (origin access control, certificate,
  # cache policies): skipped there, the bucket and origin access control stay.
  count = local.full_features ? 1 : 0

  #checkov:skip=CKV_AWS_310:Origin failover needs a second copy of the bucket; the web app is rebuilt from git and the API origin is a multi-AZ ALB.
  #checkov:skip=CKV_AWS_374:The service is meant to be reachable worldwide; no geo restriction.
  #checkov:skip=CKV2_AWS_47:A CLOUDFRONT-scope web ACL lives in us-east-1 and is attached through waf_web_acl_arn (prod config); the ALB behind /api/* has its own WAF with the Log4j rules.
  enabled             = true
  comment             = "${var.name}: web app and /api/* to the load balancer"
  default_root_object = "index.html"
  http_version        = "http2and3"
  is_ipv6_enabled     = true
  price_class         = var.price_class
  aliases             = var.aliases
  web_acl_id          = var.waf_web_acl_arn

  origin {
    origin_id                = local.s3_origin_id
    domain_name              = aws_s3_bucket.this.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.this.id
  }

  dynamic "origin" {
    for_each = var.api_origin_domain_name != null ? [var.api_origin_domain_name] : []

    content {
      origin_id   = local.api_origin_id
      domain_name = origin.value

      custom_origin_config {
        http_port                = 80
        https_port               = 443
        origin_protocol_policy   = "https-only"
        origin_ssl_protocols     = ["TLSv1.2"]
        origin_read_timeout      = 60
        origin_keepalive_timeout = 5
      }
    }
  }

  default_cache_behavior {
    target_origin_id           = local.s3_origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.cache_policy_caching_optimized
    response_headers_policy_id = one(aws_cloudfront_response_headers_policy.web[*].id)

    dynamic "function_association" {
      for_each = aws_cloudfront_function.spa

      content {
        event_type   = "viewer-request"
        function_arn = function_association.value.arn
      }
    }
  }

  # A document's metadata and text never change once stored (docs/architecture.md,
  # "Caching documents"): the edge keeps them as long as the service's Cache-Control says
  # (s-maxage=300), at most document_cache_max_seconds. Listed before /api/* so it wins.
  dynamic "ordered_cache_behavior" {
    for_each = var.api_origin_domain_name != null ? [1] : []

    content {
      path_pattern               = "/api/documents/documents/*"
      target_origin_id           = local.api_origin_id
      viewer_protocol_policy     = "redirect-to-https"
      allowed_methods            = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
      cached_methods             = ["GET", "HEAD"]
      compress                   = true
      cache_policy_id            = aws_cloudfront_cache_policy.documents[0].id
      origin_request_policy_id   = aws_cloudfront_origin_request_policy.documents[0].id
      response_headers_policy_id = one(aws_cloudfront_response_headers_policy.api[*].id)
    }
  }

  dynamic "ordered_cache_behavior" {
    for_each = var.api_origin_domain_name != null ? [1] : []

    content {
      path_pattern               = "/api/*"
      target_origin_id           = local.api_origin_id
      viewer_protocol_policy     = "redirect-to-https"
      allowed_methods            = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
      cached_methods             = ["GET", "HEAD"]
      compress                   = true
      cache_policy_id            = local.cache_policy_caching_disabled
      origin_request_policy_id   = local.origin_request_policy_all_viewer_except_host
      response_headers_policy_id = one(aws_cloudfront_response_headers_policy.api[*].id)
    }
  }

  logging_config {
    bucket          = "${var.log_bucket_name}.s3.amazonaws.com"
    prefix          = "cloudfront/${var.name}/"
    include_cookies = false
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    acm_certificate_arn      = var.certificate_arn
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.2_2021"
  }

  tags = merge(var.tags, { Name = var.name })
}
