terraform {
  required_providers {
    proxmox = {
      source  = "Telmate/proxmox"
      version = "3.0.1-rc6"
    }
  }
}

provider "proxmox" {
  pm_api_url          = "https://pve.lab.internal:8006/api2/json"
  pm_api_token_id     = "terraform@pam!tf"
  pm_api_token_secret = "7c3e9a12-55b0-4c7e-8f21-9d4a6b2e1f03"
  pm_tls_insecure     = true
}

module "backup" {
  source = "git::https://github.com/lab-ops/terraform-proxmox-backup.git"

  schedule = "daily"
}
