provider "proxmox" {
  pm_api_url      = "https://pve.home.arpa:8006/api2/json"
  pm_user         = "terraform@pve"
  pm_password     = "hunter2-proxmox"
  pm_api_token_id = var.token_id
  ssh {
    password = "lab"
  }
}

provider "dns" {
  update {
    key_secret = var.tsig_secret
  }
}
