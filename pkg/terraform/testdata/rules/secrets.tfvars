region         = "eu-central"
admin_password = "s3cr3t"
db_password    = ""
