# Web ACL on the load balancer: AWS managed rule groups, a per-IP rate limit on POST /start-job
# (the endpoint that costs money: each call starts a classification job) and a general per-IP
# flood limit. WAF counts over windows of at most 10 minutes and its smallest limit is 10, so
# "20 jobs per hour per IP" cannot be expressed exactly here: the WAF rule is a coarse first line
# (start_job_limit per start_job_window_seconds) and the API enforces the exact hourly quota.

locals {
  # WAF delivers logs only to a destination whose name starts with aws-waf-logs-
  # (https://docs.aws.amazon.com/waf/latest/APIReference/API_LoggingConfiguration.html). With service_name
  # at most 16 characters the name stays far below CloudWatch Logs' 512 and inside its character set
  # (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html).
  waf_log_group_name = "aws-waf-logs-${local.name}"
}

resource "aws_wafv2_web_acl" "this" {
  name        = local.name
  description = "${local.name}: managed rule groups and per-IP rate limits"
  scope       = "REGIONAL"

  default_action {
    allow {}
  }

  rule {
    name     = "start-job-per-ip"
    priority = 0

    action {
      block {
        custom_response {
          response_code = 429
        }
      }
    }

    statement {
      # Limit and window are checked against the API's ranges in variables.tf (var.waf).
      rate_based_statement {
        limit                 = var.waf.start_job_limit
        evaluation_window_sec = var.waf.start_job_window_seconds
        aggregate_key_type    = "IP"

        scope_down_statement {
          and_statement {
            statement {
              byte_match_statement {
                search_string         = "/start-job"
                positional_constraint = "EXACTLY"

                field_to_match {
                  uri_path {}
                }

                text_transformation {
                  priority = 0
                  type     = "LOWERCASE"
                }
              }
            }

            statement {
              byte_match_statement {
                search_string         = "POST"
                positional_constraint = "EXACTLY"

                field_to_match {
                  method {}
                }

                text_transformation {
                  priority = 0
                  type     = "NONE"
                }
              }
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.name}-start-job-per-ip"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "all-requests-per-ip"
    priority = 1

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit                 = var.waf.ip_limit
        evaluation_window_sec = 300
        aggregate_key_type    = "IP"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.name}-all-requests-per-ip"
      sampled_requests_enabled   = true
    }
  }

  # Known malicious sources (bots, reconnaissance).
  rule {
    name     = "AWSManagedRulesAmazonIpReputationList"
    priority = 10

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesAmazonIpReputationList"
        vendor_name = "AWS"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.name}-AWSManagedRulesAmazonIpReputationList"
      sampled_requests_enabled   = true
    }
  }

  # OWASP-style common exploits.
  rule {
    name     = "AWSManagedRulesCommonRuleSet"
    priority = 20

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesCommonRuleSet"
        vendor_name = "AWS"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.name}-AWSManagedRulesCommonRuleSet"
      sampled_requests_enabled   = true
    }
  }

  # Known bad inputs, including Log4j (CVE-2021-44228) lookups.
  rule {
    name     = "AWSManagedRulesKnownBadInputsRuleSet"
    priority = 30

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
        vendor_name = "AWS"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.name}-AWSManagedRulesKnownBadInputsRuleSet"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = local.name
    sampled_requests_enabled   = true
  }
}

resource "aws_cloudwatch_log_group" "waf" {
  name = local.waf_log_group_name
  # Only blocked requests are logged (see the filter below): a year of them is cheap and is what an
  # incident review or audit asks for. 365 is one of the values CloudWatch Logs accepts
  # (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html).
  retention_in_days = 365
  kms_key_id        = module.operations_key.key_arn
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  resource_arn            = aws_wafv2_web_acl.this.arn
  log_destination_configs = [aws_cloudwatch_log_group.waf.arn]

  redacted_fields {
    single_header {
      name = "authorization"
    }
  }

  # Allowed requests are counted in metrics; only blocked ones are worth a log line each.
  logging_filter {
    default_behavior = "DROP"

    filter {
      behavior    = "KEEP"
      requirement = "MEETS_ANY"

      condition {
        action_condition {
          action = "BLOCK"
        }
      }
    }
  }
}
