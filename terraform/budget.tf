# The connection budget, checked by construction on every plan: what the services can open at full
# scale-out (max_capacity x db_pool_size each) plus the connections reserved for migrations and
# on-call sessions must fit in the proxy's cap, which itself is a share of the database's
# max_connections. The outage this platform replaces came from exactly this sum exceeding the limit.

locals {
  budget_services = {
    api = {
      max_tasks       = module.api.max_capacity
      pool_size       = module.api.db_pool_size
      connections     = module.api.max_db_connections
      peak_connection = module.api.peak_db_connections
    }
    worker = {
      max_tasks       = module.worker.max_capacity
      pool_size       = module.worker.db_pool_size
      connections     = module.worker.max_db_connections
      peak_connection = module.worker.peak_db_connections
    }
  }

  budget_total = sum([for s in local.budget_services : s.connections]) + var.database.reserved_connections

  connection_budget = {
    services             = local.budget_services
    reserved_connections = var.database.reserved_connections
    total                = local.budget_total
    proxy_cap            = module.proxy.connection_cap
    max_connections      = module.database.max_connections
    headroom             = module.proxy.connection_cap - local.budget_total
    headroom_percent     = floor(100 * (module.proxy.connection_cap - local.budget_total) / module.proxy.connection_cap)
  }

  budget_lines = join(" + ", concat(
    [for k in sort(keys(local.budget_services)) : "${k} ${local.budget_services[k].max_tasks} tasks x ${local.budget_services[k].pool_size} = ${local.budget_services[k].connections}"],
    ["reserved ${var.database.reserved_connections}"],
  ))
}

resource "terraform_data" "connection_budget" {
  input = local.connection_budget

  lifecycle {
    precondition {
      condition     = local.budget_total <= module.proxy.connection_cap
      error_message = "Database connection budget exceeded: ${local.budget_lines} = ${local.budget_total} connections, but the proxy may open only ${module.proxy.connection_cap} (${var.proxy.max_connections_percent} % of max_connections ${module.database.max_connections} on ${var.database.instance_class}). Lower max_capacity or db_pool_size of a service, or choose a larger database.instance_class."
    }

    precondition {
      condition     = module.proxy.connection_cap <= module.database.max_connections
      error_message = "The proxy's connection cap (${module.proxy.connection_cap}) exceeds the database's max_connections (${module.database.max_connections}); lower proxy.max_connections_percent."
    }
  }
}

# During a deployment old and new tasks overlap (deployment maximum 200 %). The proxy queues what
# exceeds its cap (clients wait up to the borrow timeout) rather than overloading the database, so
# this is a warning to read, not an error.
check "connection_budget_during_deployments" {
  assert {
    condition     = sum([for s in local.budget_services : s.peak_connection]) + var.database.reserved_connections <= module.proxy.connection_cap
    error_message = "A deployment at full scale-out can ask for ${sum([for s in local.budget_services : s.peak_connection]) + var.database.reserved_connections} connections, above the proxy cap of ${module.proxy.connection_cap}: requests would wait for connections (borrow timeout ${var.proxy.connection_borrow_timeout} s) while old and new tasks overlap."
  }
}
