# Inputs every concern reads. Each concern keeps its own resources and locals in a file of its own:
# logs.tf, iam.tf, task.tf, network.tf, load_balancer.tf, service.tf, autoscaling.tf.

locals {
  cluster_name  = element(split("/", var.cluster_arn), 1)
  load_balanced = var.load_balancer != null

  # --- Database connection budget ---------------------------------------------------------------
  # Every task opens db_pool_size connections. At full scale-out the service holds max_capacity of
  # them; during a deployment at full scale-out ECS may run up to deployment_maximum_percent of it.
  max_db_connections  = var.max_capacity * var.db_pool_size
  peak_tasks          = ceil(var.max_capacity * var.deployment_maximum_percent / 100)
  peak_db_connections = local.peak_tasks * var.db_pool_size
}
