output "key_arn" {
  description = "ARN of the key: what resources and IAM policies reference (aliases are not accepted everywhere)."
  # coalesce() marks the value, unknown until the key exists, as never null: a module that creates its
  # own key only when `kms_key_arn == null` can then decide its count at plan time (a bare unknown
  # ARN could be null, and count would be unknown: "Invalid count argument").
  value = coalesce(aws_kms_key.this.arn)
}

output "key_id" {
  description = "Key ID (the UUID) of the key."
  value       = aws_kms_key.this.key_id
}

output "alias_name" {
  description = "Name of the key's alias (alias/...)."
  value       = aws_kms_alias.this.name
}
