# Plan checks against a mocked provider (no AWS calls): `terraform test` in the module directory.
mock_provider "aws" {
  mock_resource "aws_acm_certificate" {
    # The real provider knows the validation options' names at plan time.
    override_during = plan
    defaults = {
      arn = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
      domain_validation_options = [
        {
          domain_name           = "test.corpus.example.com"
          resource_record_name  = "_x1.test.corpus.example.com."
          resource_record_type  = "CNAME"
          resource_record_value = "_y1.acm-validations.aws."
        },
      ]
    }
  }
}

variables {
  zone_id     = "Z0123456789ABCDEFGHIJ"
  domain_name = "test.corpus.example.com"
}

run "dns_validated_certificate" {
  command = plan

  assert {
    condition     = aws_acm_certificate.this.validation_method == "DNS"
    error_message = "DNS validation only."
  }

  assert {
    condition     = length(aws_route53_record.validation) == 1 && length(aws_acm_certificate_validation.this) == 1
    error_message = "One validation record per name, and the wait for issuance."
  }
}

run "skip_the_wait" {
  command = plan

  variables {
    wait_for_validation = false
  }

  assert {
    condition     = length(aws_acm_certificate_validation.this) == 0
    error_message = "Without the wait there is no validation resource."
  }
}
