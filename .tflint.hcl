# TFLint for every module, example and root (pre-commit hook terraform_tflint and the pull-request
# checks job). The plugins are downloaded by `tflint --init`, which needs GitHub: it runs in CI and
# on laptops, not on the offline build machine (docs/cicd.md, "Local checks").

config {
  # Lint local module calls with the values the caller passes.
  call_module_type = "local"
  force            = false
}

plugin "terraform" {
  enabled = true
  version = "0.10.0"
  source  = "github.com/terraform-linters/tflint-ruleset-terraform"
  preset  = "recommended"
}

plugin "aws" {
  enabled = true
  version = "0.40.0"
  source  = "github.com/terraform-linters/tflint-ruleset-aws"
  # deep_check calls AWS APIs to validate values (AMIs, instance profiles); linting stays credential-free.
  deep_check = false
}

# Modules document every input and output (HashiCorp style; terraform-docs renders them).
rule "terraform_documented_variables" {
  enabled = true
}

rule "terraform_documented_outputs" {
  enabled = true
}

rule "terraform_typed_variables" {
  enabled = true
}

rule "terraform_naming_convention" {
  enabled = true
  format  = "snake_case"
}
