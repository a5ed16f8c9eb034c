// Command testprovider is a real Terraform provider, plumbline.test/testlab/lab,
// built with terraform-plugin-framework. It exists only so terraform-validate's
// tests can run terraform init from a filesystem mirror and terraform validate
// against a provider schema, offline. It manages nothing: lab_vm resources
// live in Terraform state only.
package main

import (
	"context"
	"log"
	"os"
	"os/exec"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
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

func (*labProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (*labProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return &vm{} }}
}

func (*labProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

type vm struct{}

type vmModel struct {
	ID    types.String `tfsdk:"id"`
	Name  types.String `tfsdk:"name"`
	Cores types.Int64  `tfsdk:"cores"`
}

func (*vm) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_vm"
}

func (*vm) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = rschema.Schema{Attributes: map[string]rschema.Attribute{
		"id":    rschema.StringAttribute{Computed: true},
		"name":  rschema.StringAttribute{Required: true},
		"cores": rschema.Int64Attribute{Optional: true},
	}}
}

func (*vm) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m vmModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.ID = m.Name
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (*vm) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m vmModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (*vm) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m vmModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.ID = m.Name
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (*vm) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

func main() {
	err := providerserver.Serve(context.Background(), func() provider.Provider { return &labProvider{} },
		providerserver.ServeOpts{Address: Address})
	if err != nil {
		log.Fatal(err)
	}
}
