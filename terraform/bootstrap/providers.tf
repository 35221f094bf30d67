# No backend block on purpose: the first apply creates the bucket every other state lives in, so
# it starts with local state. README.md ("Moving this state into the bucket") shows how to migrate
# it with `terraform init -migrate-state` once the bucket exists.

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge(var.tags, {
      Service   = var.service_name
      Component = "delivery"
      ManagedBy = "terraform"
    })
  }
}
