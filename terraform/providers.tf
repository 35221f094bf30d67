provider "aws" {
  region = var.region

  # Every resource carries who owns it and who pays for it; Cost Explorer groups by these keys
  # once they are activated as cost allocation tags.
  default_tags {
    tags = merge(var.tags, {
      Service     = var.service_name
      Environment = var.environment
      Owner       = var.owner
      CostCenter  = var.cost_center
      ManagedBy   = "terraform"
    })
  }
}
