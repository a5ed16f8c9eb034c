terraform {
  required_providers {
    lab = {
      source  = "plumbline.test/testlab/lab"
      version = "0.1.0"
    }
  }
}

module "dns1" {
  source = "../modules/vm"
  name   = "dns1"
}
