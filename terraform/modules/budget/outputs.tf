output "name" {
  description = "Name of the budget."
  value       = aws_budgets_budget.this.name
}

output "limit_amount" {
  description = "The monthly limit (USD) as AWS Budgets stores it."
  value       = aws_budgets_budget.this.limit_amount
}
