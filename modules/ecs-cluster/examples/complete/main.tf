# An ECS cluster with Container Insights (enhanced), FARGATE and FARGATE_SPOT capacity providers, a
# default strategy that keeps one task on on-demand Fargate and puts the rest mostly on Spot, and an
# encrypted audit log for ECS Exec sessions.
# The versions, the provider and the name and region inputs come from providers.tf, a link to the
# examples' shared harness modules/_fixtures/example/providers.tf: copy that file with the example
# (ADR 0022).

module "cluster" {
  source = "../.."

  name               = var.name
  container_insights = "enhanced"

  default_capacity_provider_strategy = [
    { capacity_provider = "FARGATE", base = 1, weight = 1 },
    { capacity_provider = "FARGATE_SPOT", weight = 3 },
  ]

  exec_log_retention_in_days               = 365
  container_insights_log_retention_in_days = 14
  tags                                     = { Team = "platform" }
}
