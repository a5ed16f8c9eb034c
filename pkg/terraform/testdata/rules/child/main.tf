variable "region" {
  type        = string
  description = "Where."
}

variable "other" {
  type        = string
  description = "Other."
}

variable "more" {
  type        = string
  description = "More."
}
