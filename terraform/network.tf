# The network belongs to another team: it is looked up, never created. Exactly one VPC must match
# the tags, and each subnet tier must span at least two availability zones (the load balancer, the
# database subnet group and the proxy all require two).

data "aws_vpcs" "this" {
  tags = var.network.vpc_tags

  lifecycle {
    postcondition {
      condition     = length(self.ids) == 1
      error_message = "VPC lookup by tags ${jsonencode(var.network.vpc_tags)} matched ${length(self.ids)} VPCs (${join(", ", self.ids)}); exactly one is required. Check network.vpc_tags against the VPC the network team tagged in ${var.region}."
    }
  }
}

data "aws_vpc" "this" {
  id = one(data.aws_vpcs.this.ids)
}

data "aws_subnets" "private" {
  tags = var.network.private_subnet_tags

  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.this.id]
  }
}

data "aws_subnets" "public" {
  tags = var.network.public_subnet_tags

  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.this.id]
  }
}

data "aws_subnet" "private" {
  for_each = toset(data.aws_subnets.private.ids)
  id       = each.value
}

data "aws_subnet" "public" {
  for_each = toset(data.aws_subnets.public.ids)
  id       = each.value
}

locals {
  vpc_id             = data.aws_vpc.this.id
  private_subnet_ids = sort(data.aws_subnets.private.ids)
  public_subnet_ids  = sort(data.aws_subnets.public.ids)
  private_azs        = sort(distinct([for s in data.aws_subnet.private : s.availability_zone]))
  public_azs         = sort(distinct([for s in data.aws_subnet.public : s.availability_zone]))
}

# The contract with the network team, checked on every plan: a failed precondition fails the whole
# plan, so nothing is created on a network that breaks it. Recorded in state so a later plan shows
# when the network under the platform changed. (Modules take the ids from the locals above, which
# are known at plan time, so the plan shows every subnet a resource lands in.)
resource "terraform_data" "network_contract" {
  input = {
    vpc_id             = data.aws_vpc.this.id
    private_subnet_ids = local.private_subnet_ids
    public_subnet_ids  = local.public_subnet_ids
  }

  lifecycle {
    precondition {
      condition     = length(local.private_azs) >= 2
      error_message = "The private subnets of ${data.aws_vpc.this.id} matching ${jsonencode(var.network.private_subnet_tags)} span ${length(local.private_azs)} availability zone(s) [${join(", ", local.private_azs)}] in ${length(local.private_subnet_ids)} subnet(s); at least two AZs are required (RDS subnet groups, RDS Proxy and Multi-AZ failover need them)."
    }

    precondition {
      condition     = length(local.public_azs) >= 2
      error_message = "The public subnets of ${data.aws_vpc.this.id} matching ${jsonencode(var.network.public_subnet_tags)} span ${length(local.public_azs)} availability zone(s) [${join(", ", local.public_azs)}] in ${length(local.public_subnet_ids)} subnet(s); at least two AZs are required (an application load balancer needs subnets in two AZs)."
    }
  }
}
