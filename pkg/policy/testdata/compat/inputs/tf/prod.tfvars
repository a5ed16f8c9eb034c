node          = "pve1"
root_password = "plaintext"
sizes         = [1, 2, 3]
