# Image repositories for the two services: immutable tags (a tag names one build forever, so a
# rollback returns to exactly what ran before), scan on push, KMS encryption, and a lifecycle policy
# so old images do not accumulate storage cost.

locals {
  repositories = toset(["api", "worker"])
}

resource "aws_ecr_repository" "this" {
  for_each = local.repositories

  name                 = "${local.name}/${each.key}"
  image_tag_mutability = "IMMUTABLE"
  force_delete         = !var.deletion_protection

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = module.operations_key.key_arn
  }
}

resource "aws_ecr_lifecycle_policy" "this" {
  for_each = local.repositories

  repository = aws_ecr_repository.this[each.key].name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Untagged layers left by interrupted pushes"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = 1
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the newest images: enough to roll back several releases"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = local.production_like ? 50 : 15
        }
        action = { type = "expire" }
      },
    ]
  })
}
