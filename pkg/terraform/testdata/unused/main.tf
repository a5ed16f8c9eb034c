# Declarations used and unused in every way a reference can be written:
# tflint's terraform_unused_declarations is the oracle (TestUnusedAsTflint).

variable "used_in_resource" {
  type = string
}

variable "unused" {
  type = string
}

variable "only_in_own_validation" {
  type = number
  validation {
    condition     = var.only_in_own_validation > 0
    error_message = "must be positive"
  }
}

variable "in_template" {
  type = string
}

variable "in_dynamic" {
  type = list(string)
}

variable "in_count" {
  type = number
}

variable "in_output" {
  type = string
}

variable "in_index" {
  type = map(string)
}

locals {
  used_local     = "${var.in_template}-x"
  unused_local   = "nothing"
  chain_a        = local.chain_b
  chain_b        = "b"
  from_data      = data.http.used.response_body
  unused_literal = 3
}

data "http" "used" {
  url = "https://example.com/${var.in_index["k"]}"
}

data "http" "unused" {
  url = "https://example.com/"
}

data "http" "splat" {
  count = var.in_count
  url   = "https://example.com/"
}

resource "null_resource" "r" {
  count = length(data.http.splat[*].id)
  triggers = {
    a = var.used_in_resource
    b = local.used_local
    c = local.from_data
  }
  dynamic "x" {
    for_each = var.in_dynamic
    content {
      v = x.value
    }
  }
}

output "o" {
  value = var.in_output
}
