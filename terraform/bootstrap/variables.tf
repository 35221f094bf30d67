variable "aws_region" {
  description = "Region of the state bucket and of the platform resources the deploy roles may manage."
  type        = string
  default     = "eu-west-1"

  # A validation may read a local since Terraform 1.9 (this repository needs 1.10):
  # https://support.hashicorp.com/hc/en-us/articles/43291233547027-Error-Invalid-reference-in-variable-validation-in-Terraform-versions-prior-to-1-9
  validation {
    condition     = can(regex(local.region_name_pattern, var.aws_region))
    error_message = "aws_region must be an AWS region name such as eu-west-1."
  }
}

variable "github_owner" {
  description = "GitHub organisation or user that owns the repository, exactly as in the repository URL. Pinned into every trust policy's sub condition."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9]([A-Za-z0-9]|-[A-Za-z0-9]){0,38}$", var.github_owner))
    error_message = "github_owner must be the exact GitHub account name (1-39 letters, digits or single inner hyphens). An empty value or a wildcard (*, ?) would let workflows of other repositories assume the deploy roles."
  }
}

variable "github_repository" {
  description = "Repository name without the owner, exactly as in the repository URL. Pinned into every trust policy's sub condition."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,100}$", var.github_repository)) && !contains([".", ".."], var.github_repository)
    error_message = "github_repository must be the exact repository name (1-100 letters, digits, '.', '_' or '-'). An empty value or a wildcard (*, ?) would let workflows of other repositories assume the deploy roles."
  }
}

variable "github_owner_id" {
  description = "Numeric id of the owner account. Set it together with github_repository_id for repositories that use GitHub's immutable subject format (repo:<owner>@<owner_id>/<repo>@<repo_id>:...); null keeps the classic repo:<owner>/<repo>:... format."
  type        = string
  default     = null

  validation {
    condition     = var.github_owner_id == null || can(regex("^[1-9][0-9]{0,19}$", var.github_owner_id))
    error_message = "github_owner_id must be the owner's numeric GitHub id (digits only, no wildcard), or null."
  }

  validation {
    condition     = (var.github_owner_id == null) == (var.github_repository_id == null)
    error_message = "github_owner_id and github_repository_id must be set together (immutable subject format) or both left null (classic format)."
  }
}

variable "github_repository_id" {
  description = "Numeric id of the repository (GET /repos/<owner>/<repo> returns it as id). Set together with github_owner_id; see that input."
  type        = string
  default     = null

  validation {
    condition     = var.github_repository_id == null || can(regex("^[1-9][0-9]{0,19}$", var.github_repository_id))
    error_message = "github_repository_id must be the repository's numeric GitHub id (digits only, no wildcard), or null."
  }
}

variable "environments" {
  description = "Deployment environments, keyed by the GitHub environment name the apply job runs in (also the root configuration's environment). state_key defaults to <service_name>/<env>/terraform.tfstate (as in terraform/environments/<env>.s3.tfbackend); resource_prefix, the name prefix the apply role may create and change resources under, defaults to <service_name>-<env>. empty_buckets_on_destroy lets the apply role delete the objects (and versions) of the environment's buckets, which a destroy of buckets with force_destroy needs: set it exactly where the root runs with deletion_protection = false."
  type = map(object({
    state_key                = optional(string)
    resource_prefix          = optional(string)
    empty_buckets_on_destroy = optional(bool, false)
  }))
  default = {
    dev  = { empty_buckets_on_destroy = true }
    prod = {}
  }

  validation {
    condition     = length(var.environments) > 0 && alltrue([for env in keys(var.environments) : can(regex("^[a-z][a-z0-9-]{0,29}$", env))])
    error_message = "environments must name at least one environment, each 1-30 lowercase letters, digits or hyphens starting with a letter. The name becomes the exact environment in the apply role's sub condition, so it can be neither empty nor a wildcard (*, ?)."
  }

  validation {
    condition     = alltrue([for env in values(var.environments) : env.state_key == null || can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*\\.tfstate$", env.state_key))])
    error_message = "environments[*].state_key must be an S3 key ending in .tfstate made of letters, digits, '_', '.', '-' and '/' separators (no wildcard, no leading slash)."
  }

  validation {
    condition     = alltrue([for env in values(var.environments) : env.resource_prefix == null || can(regex("^[a-z][a-z0-9-]{2,30}$", env.resource_prefix))])
    error_message = "environments[*].resource_prefix must be 3-31 lowercase letters, digits or hyphens starting with a letter (no wildcard: it is the boundary of what the apply role may change)."
  }
}

variable "plan_trusted_refs" {
  description = "Git refs whose workflow runs (the nightly drift check on the default branch) may assume the read-only plan roles, besides pull requests. Exact refs only."
  type        = list(string)
  default     = ["refs/heads/main"]

  validation {
    condition     = alltrue([for ref in var.plan_trusted_refs : can(regex("^refs/(heads|tags)/[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$", ref)) && !strcontains(ref, "..")])
    error_message = "plan_trusted_refs entries must be exact refs such as refs/heads/main: no wildcard (*, ?), no empty segment, no '..'."
  }
}

variable "state_bucket_name" {
  description = "Name of the Terraform state bucket. Null uses <service_name>-tfstate-<account id>; either way the output state_bucket is what STATE_BUCKET / <ENV>_STATE_BUCKET must hold."
  type        = string
  default     = null
  # No rule of its own: modules/private-s3 validates the name it is given (bucket_name), this one or
  # the default, before anything is planned.
}

variable "oidc_provider_arn" {
  description = "ARN of an existing IAM OIDC provider for token.actions.githubusercontent.com (an account holds at most one per URL). Null creates it."
  type        = string
  default     = null

  validation {
    condition     = var.oidc_provider_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", var.oidc_provider_arn))
    error_message = "oidc_provider_arn must be the ARN of the token.actions.githubusercontent.com OIDC provider (arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com), or null."
  }
}

variable "oidc_thumbprints" {
  description = "Certificate thumbprints for the OIDC provider. Empty (the default) lets IAM use its own trusted root CAs for GitHub, which AWS does for this provider anyway; set them only where an organisation policy demands explicit thumbprints."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.oidc_thumbprints) <= 5 && alltrue([for t in var.oidc_thumbprints : can(regex("^[0-9a-fA-F]{40}$", t))])
    error_message = "oidc_thumbprints must hold at most 5 SHA-1 thumbprints of 40 hex characters each."
  }
}

variable "max_session_duration" {
  description = "Maximum session length of the deploy roles in seconds (3600-43200). A prod apply waiting on RDS can take most of an hour; the workflows ask for what they need."
  type        = number
  default     = 3600

  validation {
    condition     = var.max_session_duration >= 3600 && var.max_session_duration <= 43200 && floor(var.max_session_duration) == var.max_session_duration
    error_message = "max_session_duration must be a whole number of seconds from 3600 to 43200."
  }
}

variable "permissions_boundary_arn" {
  description = "Managed policy that every IAM role the apply roles create must carry as its permissions boundary. Null leaves role creation bounded by name prefix and allowed managed policies only (see docs/cicd.md)."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex(local.aws_id_pattern.iam_policy_arn, var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be an IAM managed policy ARN (arn:aws:iam::<account>:policy/<name>), or null."
  }
}

variable "tags" {
  description = "Extra tags for every bootstrap resource (Service, Component and ManagedBy are always set)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.tags : length(k) <= 128 && length(v) <= 256])
    error_message = "tags keys must be at most 128 characters and values at most 256."
  }
}
