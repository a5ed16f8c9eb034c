variable "net" {
  type    = string
  default = "10.0.20"
}

variable "dns_count" {
  type    = number
  default = 2
}
