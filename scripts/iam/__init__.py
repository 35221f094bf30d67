"""The IAM proof: what a Terraform run asks of AWS, evaluated against the roles that must allow it."""
