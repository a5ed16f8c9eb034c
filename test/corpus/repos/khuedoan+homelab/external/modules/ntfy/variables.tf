variable "auth" {
  type = object({
    url   = string
    topic = string
  })
}
