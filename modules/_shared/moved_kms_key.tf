# Shared block: a module that created its own KMS key and alias before modules/kms-key existed keeps
# them (and so everything they encrypt stays readable) when its key moved into `module "kms_key"`
# (count 0 or 1, like the key before it). Linked as moved_kms_key.tf into each such module (ADR 0024);
# a moved block sits in the module whose state it rewrites, and "removing a moved block is a
# breaking change": https://developer.hashicorp.com/terraform/language/modules/develop/refactoring
# The migration is the same in every module, so it is one text; a major version that drops it
# removes the links.
moved {
  from = aws_kms_key.this[0]
  to   = module.kms_key[0].aws_kms_key.this
}

moved {
  from = aws_kms_alias.this[0]
  to   = module.kms_key[0].aws_kms_alias.this
}
