variable "admin_password" {
  type        = string
  description = "Literal default, not sensitive: two findings."
  default     = "hunter2"
}

variable "api_token" {
  type        = string
  description = "Sensitive, no default: fine."
  sensitive   = true
}

variable "db_password" {
  type        = string
  description = "Empty default, sensitive: fine."
  default     = ""
  sensitive   = true
}

variable "region" {
}

# plumbline:ignore terraform/secret-literal the lab's throwaway password, documented in README
variable "lab_secret" {
  type        = string
  description = "Suppressed literal; still not sensitive."
  default     = "lab"
}

variable "deploy_private_key" {
  type        = string
  description = "A literal key, its finding suppressed by a trailing comment."
  default     = "not-a-real-key" # plumbline:ignore terraform/secret-literal a throwaway key for the lab
  sensitive   = false
}
