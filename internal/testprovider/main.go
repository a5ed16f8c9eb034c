// Command testprovider is a real Terraform provider, plumbline.test/testlab/lab,
// built with terraform-plugin-framework. It exists only so terraform-validate's
// and terraform-plan's tests can run terraform init from a filesystem mirror,
// validate against a provider schema and plan, offline. Its "cloud" is a
// directory (the provider's endpoint): a lab_vm is a JSON file there, so a
// test can change one outside Terraform and see the plan find the drift.
// Without an endpoint, lab_vm resources live in Terraform state only.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"log"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// HangEnv, when set in its environment, makes the provider hang.
const HangEnv = "PLUMBLINE_TESTPROVIDER_HANG"

// Address is where the provider lives in a mirror.
const Address = "plumbline.test/testlab/lab"

type labProvider struct{}

func (*labProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "lab"
	resp.Version = "0.1.0"
}

func (*labProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	// A hostile or broken provider: it never answers, and a helper it
	// started keeps terraform's output pipes open (the timeout tests).
	if os.Getenv(HangEnv) != "" {
		_ = exec.Command("sleep", "3600").Start()
		select {}
	}
	resp.Schema = pschema.Schema{Attributes: map[string]pschema.Attribute{
		"endpoint": pschema.StringAttribute{Optional: true, Description: "Where the lab would be."},
	}}
}

type providerModel struct {
	Endpoint types.String `tfsdk:"endpoint"`
}

func (*labProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if os.Getenv(TokenEnv) == "" && m.Endpoint.ValueString() != "" {
		resp.Diagnostics.AddError("no credentials", "set "+TokenEnv+" to reach the lab at "+m.Endpoint.ValueString())
		return
	}
	resp.ResourceData = cloud(m.Endpoint.ValueString())
}

// TokenEnv is the credential a provider with an endpoint wants, as a real
// cloud's provider wants its API token.
const TokenEnv = "LAB_TOKEN"

// cloud is the directory the lab's VMs are kept in; "" keeps none.
type cloud string

func (c cloud) file(name string) string { return filepath.Join(string(c), name+".json") }

func (c cloud) put(m *vmModel) error {
	if c == "" {
		return nil
	}
	data, err := json.Marshal(vmJSON{m.Name.ValueString(), m.Cores.ValueInt64Pointer(), m.DiskSize.ValueInt64Pointer(),
		m.Privileged.ValueBoolPointer(), m.IP.ValueStringPointer(), m.Password.ValueStringPointer()})
	if err != nil {
		return err
	}
	return os.WriteFile(c.file(m.Name.ValueString()), data, 0o644)
}

// get reads a VM back; false when it is gone (deleted outside Terraform).
func (c cloud) get(m *vmModel) (bool, error) {
	if c == "" {
		return true, nil
	}
	data, err := os.ReadFile(c.file(m.Name.ValueString()))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var v vmJSON
	if err := json.Unmarshal(data, &v); err != nil {
		return false, err
	}
	m.Cores, m.DiskSize = types.Int64PointerValue(v.Cores), types.Int64PointerValue(v.DiskSize)
	m.Privileged, m.IP, m.Password = types.BoolPointerValue(v.Privileged), types.StringPointerValue(v.IP), types.StringPointerValue(v.Password)
	return true, nil
}

type vmJSON struct {
	Name       string  `json:"name"`
	Cores      *int64  `json:"cores,omitempty"`
	DiskSize   *int64  `json:"disk_size,omitempty"`
	Privileged *bool   `json:"privileged,omitempty"`
	IP         *string `json:"ip,omitempty"`
	Password   *string `json:"password,omitempty"`
}

func (*labProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return &vm{} }}
}

func (*labProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

type vm struct{ cloud cloud }

type vmModel struct {
	ID         types.String `tfsdk:"id"`
	Name       types.String `tfsdk:"name"`
	Cores      types.Int64  `tfsdk:"cores"`
	DiskSize   types.Int64  `tfsdk:"disk_size"`
	Privileged types.Bool   `tfsdk:"privileged"`
	IP         types.String `tfsdk:"ip"`
	Password   types.String `tfsdk:"password"`
}

func (v *vm) Configure(_ context.Context, req resource.ConfigureRequest, _ *resource.ConfigureResponse) {
	if c, ok := req.ProviderData.(cloud); ok {
		v.cloud = c
	}
}

func (*vm) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_vm"
}

func (*vm) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = rschema.Schema{Attributes: map[string]rschema.Attribute{
		"id":         rschema.StringAttribute{Computed: true},
		"name":       rschema.StringAttribute{Required: true, PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}},
		"cores":      rschema.Int64Attribute{Optional: true},
		"disk_size":  rschema.Int64Attribute{Optional: true, Description: "GiB"},
		"privileged": rschema.BoolAttribute{Optional: true},
		"ip":         rschema.StringAttribute{Optional: true},
		"password":   rschema.StringAttribute{Optional: true, Sensitive: true},
	}}
}

func (v *vm) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m vmModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.ID = m.Name
	if err := v.cloud.put(&m); err != nil {
		resp.Diagnostics.AddError("create", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (v *vm) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m vmModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	found, err := v.cloud.get(&m)
	switch {
	case err != nil:
		resp.Diagnostics.AddError("read", err.Error())
	case !found:
		resp.State.RemoveResource(ctx)
	default:
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	}
}

func (v *vm) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m vmModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.ID = m.Name
	if err := v.cloud.put(&m); err != nil {
		resp.Diagnostics.AddError("update", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (v *vm) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m vmModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if v.cloud != "" {
		if err := os.Remove(v.cloud.file(m.Name.ValueString())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			resp.Diagnostics.AddError("delete", err.Error())
		}
	}
}

func main() {
	err := providerserver.Serve(context.Background(), func() provider.Provider { return &labProvider{} },
		providerserver.ServeOpts{Address: Address})
	if err != nil {
		log.Fatal(err)
	}
}
