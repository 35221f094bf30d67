output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "public_subnet_ids" {
  description = "Public subnets, one per zone (empty without public_subnets). Known only once their route to the internet gateway exists, so an internet-facing load balancer placed in them is created after it."
  value       = aws_subnet.public[*].id

  depends_on = [aws_route_table_association.public]
}

output "private_subnet_ids" {
  description = "Private subnets, one per zone (empty without private_subnets)."
  value       = aws_subnet.private[*].id
}
