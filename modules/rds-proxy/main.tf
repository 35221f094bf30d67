locals {
  # The master secret first, then the further users' secrets in a stable (key) order.
  secrets = concat(
    [{ arn = var.master_user_secret_arn, description = "RDS-managed master user" }],
    [for k in sort(keys(var.additional_secret_arns)) : { arn = var.additional_secret_arns[k], description = "Database user ${k}" }],
  )
  secret_arns = [for s in local.secrets : s.arn]

  # What the pool may take from the database, and what it keeps open while idle.
  connection_cap       = floor(var.db_max_connections * var.max_connections_percent / 100)
  idle_connection_keep = floor(var.db_max_connections * var.max_idle_connections_percent / 100)
}

# --- IAM role: read the secrets, decrypt them only through Secrets Manager -----------------

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["rds.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

data "aws_iam_policy_document" "secrets" {
  statement {
    sid       = "ReadDatabaseSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = local.secret_arns
  }

  statement {
    sid       = "DecryptThroughSecretsManager"
    actions   = ["kms:Decrypt"]
    resources = var.secrets_kms_key_arns

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = "${var.name}-rds-proxy"
  description          = "RDS proxy ${var.name}: reads its database secrets"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  permissions_boundary = var.permissions_boundary
  tags                 = var.tags
}

resource "aws_iam_role_policy" "secrets" {
  name   = "read-database-secrets"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.secrets.json
}

# --- Network --------------------------------------------------------------------------------

resource "aws_security_group" "this" {
  #checkov:skip=CKV2_AWS_5:Attached to aws_db_proxy.this through vpc_security_group_ids; checkov does not count a DB proxy as an attachment.
  name_prefix = "${var.name}-proxy-"
  description = "RDS proxy ${var.name}: ingress from client security groups, egress only to the database"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-proxy" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "clients" {
  for_each = var.allowed_security_group_ids

  security_group_id            = aws_security_group.this.id
  description                  = "PostgreSQL clients: ${each.key}"
  ip_protocol                  = "tcp"
  from_port                    = var.db_port
  to_port                      = var.db_port
  referenced_security_group_id = each.value
  tags                         = var.tags
}

resource "aws_vpc_security_group_egress_rule" "database" {
  security_group_id            = aws_security_group.this.id
  description                  = "PostgreSQL to the database"
  ip_protocol                  = "tcp"
  from_port                    = var.db_port
  to_port                      = var.db_port
  referenced_security_group_id = var.db_security_group_id
  tags                         = var.tags
}

# --- Logs -----------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention is the log_retention_in_days input (30 days by default): proxy logs serve troubleshooting, long-term evidence belongs to the audit trail.
  # RDS Proxy writes its logs to /aws/rds/proxy/<proxy name> and creates that group itself when it
  # is missing, never expiring and encrypted only with the CloudWatch Logs service key (CloudWatch
  # logs of RDS Proxy: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.troubleshooting.html).
  # Created first, it gets the retention and the customer-managed key instead.
  name              = "/aws/rds/proxy/${var.name}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

# --- Proxy ----------------------------------------------------------------------------------

resource "aws_db_proxy" "this" {
  name                   = var.name
  engine_family          = "POSTGRESQL"
  role_arn               = aws_iam_role.this.arn
  vpc_subnet_ids         = var.subnet_ids
  vpc_security_group_ids = [aws_security_group.this.id]
  require_tls            = true
  idle_client_timeout    = var.idle_client_timeout
  debug_logging          = var.debug_logging
  tags                   = var.tags

  # Clients authenticate with IAM tokens; the proxy logs in to the database with the secrets.
  dynamic "auth" {
    for_each = local.secrets

    content {
      auth_scheme = "SECRETS"
      iam_auth    = "REQUIRED"
      secret_arn  = auth.value.arn
      description = auth.value.description
    }
  }

  # The role must be able to read the secrets before the proxy first connects, and the log group
  # must exist before the proxy first logs, or RDS creates its own.
  depends_on = [aws_iam_role_policy.secrets, aws_cloudwatch_log_group.this]
}

resource "aws_db_proxy_default_target_group" "this" {
  db_proxy_name = aws_db_proxy.this.name

  connection_pool_config {
    max_connections_percent      = var.max_connections_percent
    max_idle_connections_percent = var.max_idle_connections_percent
    connection_borrow_timeout    = var.connection_borrow_timeout
    session_pinning_filters      = var.session_pinning_filters
  }
}

resource "aws_db_proxy_target" "this" {
  db_proxy_name          = aws_db_proxy.this.name
  target_group_name      = aws_db_proxy_default_target_group.this.name
  db_instance_identifier = var.db_instance_identifier
}
