terraform {
  required_providers {
    lab = {
      source  = "plumbline.test/testlab/lab"
      version = "0.1.0"
    }
  }
}

variable "name" {
  type        = string
  description = "VM name."
}

resource "lab_vm" "this" {
  name  = var.name
  cores = 2
}
