proxmox_endpoint = "https://pve1.home.arpa:8006/"
# Mistake: a plain-text token committed to Git.
proxmox_api_token = "terraform@pve!ci=3f1c2a9e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
