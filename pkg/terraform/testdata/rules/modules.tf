module "registry_unpinned" {
  source = "terraform-aws-modules/vpc/aws"
}

module "registry_pinned" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.1.0"
}

module "git_unpinned" {
  source = "git::https://example.com/infra/modules.git//vm"
}

module "git_pinned" {
  source = "git::https://example.com/infra/modules.git//vm?ref=v1.2.0"
}

module "local" {
  source = "./child"
  region = var.regoin
  # plumbline:ignore terraform/undeclared-variable
  other = var.nope
  # plumbline:ignore terraform/no-such-rule because
  more = var.region
}
