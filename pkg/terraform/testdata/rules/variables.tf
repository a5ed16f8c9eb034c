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

variable "private_key_path" {
  type        = string
  description = "A path, but the name looks secret."
  default     = "~/.ssh/id_ed25519" # plumbline:ignore terraform/secret-literal a file path, not a key
  sensitive   = false
}
