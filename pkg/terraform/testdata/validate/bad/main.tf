terraform {
  required_providers {
    lab = {
      source  = "plumbline.test/testlab/lab"
      version = "0.1.0"
    }
  }
}

resource "lab_vm" "missing_name" {
  cores = 2
}

resource "lab_vm" "typo" {
  name   = "dns2"
  corse  = 4
}
