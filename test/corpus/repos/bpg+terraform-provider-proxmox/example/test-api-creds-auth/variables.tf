
variable "auth_ticket" { default = null }
variable "csrf_prevention_token" { default = null }

variable "api_token" { default = null }

variable "otp" { default = null }

variable "username" { default = null }
variable "password" { default = null }

