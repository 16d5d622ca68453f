# The only line that differs between the test and prod copies of a root.
locals {
  env      = "test"
  resource = "frontend"
}
