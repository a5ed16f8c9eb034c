package addr

import "testing"

// FuzzTerraform: any module text gives claims and findings, never a
// panic (evaluation included: count, for_each, cidrhost on any input).
func FuzzTerraform(f *testing.F) {
	f.Add([]byte(`resource "proxmox_vm_qemu" "a" {
  count = 3
  name = "k${count.index}"
  ipconfig0 = "ip=${cidrhost("10.0.0.0/24", -1 - count.index)}/24"
}`))
	f.Add([]byte(`locals { m = { a = 1 } }
resource "proxmox_virtual_environment_vm" "b" {
  for_each = local.m
  name = each.key
  initialization { ip_config { ipv4 { address = format("10.0.0.%d/24", each.value) } } }
}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := &Plan{}
		p.Terraform("a/main.tf", data)
		p.Terraform("a/other.tf", data)
		_ = p.Findings()
	})
}
