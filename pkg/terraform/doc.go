// Package terraform is the terraform-validate check. It finds every root
// module under the given paths and checks it in passes, cheapest first:
//
//  1. syntax: every .tf, .tf.json, .tfvars and .tfvars.json parsed with hcl/v2;
//  2. static rules on the parsed files (docs/rules/terraform.md), honouring
//     "# plumbline:ignore <rule> <reason>" comments;
//  3. format: terraform fmt -check, one finding per file with the diff;
//  4. terraform init -backend=false and terraform validate -json per root
//     module, in parallel, offline from a provider mirror or plugin dir.
//
// The terraform binary sits behind the Terraform interface (Check's
// NewTerraform, which a test uses to make a provider hang); the real one,
// Exec, runs it through pkg/proc, in its own process group with a
// environment of its own (BaseEnv), so a timeout ends providers too.
package terraform
