output "hostname" {
  description = "The container's hostname."
  value       = var.hostname
}
