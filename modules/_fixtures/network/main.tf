# The network every module example stands on: a VPC, optional public subnets behind an internet
# gateway, optional private subnets with no route out. A test fixture, not a published module: the
# platform looks up the network another team owns instead of creating one.

locals {
  # The first zones of the region by name, fixed so the subnets never move when the region gains a zone.
  azs = [for letter in slice(["a", "b", "c"], 0, var.az_count) : "${var.region}${letter}"]
}

resource "aws_vpc" "this" {
  #checkov:skip=CKV2_AWS_11:A test fixture's VPC; flow logs belong to the platform's network, which another team owns and this repository only looks up.
  cidr_block = var.cidr_block
  tags       = { Name = var.name }
}

# Nothing may use the default security group: adopting it removes all its rules (CKV2_AWS_12).
# https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/default_security_group
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id
}

resource "aws_internet_gateway" "this" {
  count = var.public_subnets ? 1 : 0

  vpc_id = aws_vpc.this.id
  tags   = { Name = var.name }
}

resource "aws_subnet" "public" {
  count = var.public_subnets ? var.az_count : 0

  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(var.cidr_block, 8, count.index)
  availability_zone = local.azs[count.index]
  tags              = { Name = "${var.name}-public-${count.index}" }
}

# An internet-facing load balancer needs its subnets routed to an internet gateway:
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#subnets-load-balancer
resource "aws_route_table" "public" {
  count = var.public_subnets ? 1 : 0

  vpc_id = aws_vpc.this.id
  tags   = { Name = "${var.name}-public" }

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.this[0].id
  }
}

resource "aws_route_table_association" "public" {
  count = length(aws_subnet.public)

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public[0].id
}

# In the platform these route to a NAT gateway or VPC endpoints; the examples need no route out.
resource "aws_subnet" "private" {
  count = var.private_subnets ? var.az_count : 0

  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(var.cidr_block, 8, 10 + count.index)
  availability_zone = local.azs[count.index]
  tags              = { Name = "${var.name}-private-${count.index}" }
}
