# Not a module: the shared inputs' home (ADR 0023). Each module links the files it takes and states
# its own requirements; this block is for the folder linted or validated on its own
# (tflint's terraform_required_version), and matches the modules' versions.tf.
terraform {
  required_version = ">= 1.10"
}
