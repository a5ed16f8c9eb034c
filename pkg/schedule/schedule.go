package schedule

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/tree"
)

// Tool names the command and its reports.
const Tool = "schedule"

// MaxTemplate bounds the run template (a TaskRun is a few KiB).
const MaxTemplate = 256 << 10

// API creates an object in a namespace and returns the name it got.
type API interface {
	Create(ctx context.Context, namespace, resource string, obj []byte) (string, error)
}

// Check is schedule: it starts the run its template describes.
type Check struct {
	// API is how the run is created; nil is the pod's own in-cluster
	// service account.
	API            API
	template       string
	namespace      string
	serviceAccount string
}

var _ cli.Check = (*Check)(nil)

// Command is the report image's second command: a CronJob runs
// `report schedule --template FILE`.
func Command() cli.Command {
	return cli.Command{Name: Tool, Synopsis: "--template FILE",
		Summary: "Start the TaskRun or PipelineRun the template describes (YAML or JSON), in the pod's namespace, as its service account: a scheduled run.",
		Check:   &Check{}}
}

func (c *Check) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.template, "template", "", "the run to start, a TaskRun or PipelineRun of tekton.dev/v1 as YAML or JSON `FILE` (a ConfigMap's key); metadata.generateName names each run")
	fs.StringVar(&c.namespace, "namespace", "", "where to start it (default: the pod's own namespace)")
	fs.StringVar(&c.serviceAccount, "service-account", ServiceAccount, "`DIR` holding the service account's token, ca.crt and namespace, as Kubernetes mounts them in a pod")
}

func (c *Check) Run(ctx context.Context, req cli.Request) (*report.Report, error) {
	if c.template == "" {
		return nil, cli.Usagef("--template FILE is required")
	}
	data, err := tree.ReadFile(filepath.Dir(c.template), c.template, MaxTemplate)
	if err != nil {
		return nil, cli.Usagef("--template: %w", err)
	}
	obj, resource, err := parse(data)
	if err != nil {
		return nil, cli.Usagef("--template %s: %w", c.template, err)
	}
	api := c.API
	ns := c.namespace
	if api == nil {
		ic, err := InClusterAPI(c.serviceAccount)
		if err != nil {
			return nil, err
		}
		api = ic
		if ns == "" {
			ns = ic.Namespace
		}
	}
	if ns == "" {
		return nil, cli.Usagef("--namespace is required outside a pod")
	}
	meta, _ := obj["metadata"].(map[string]any)
	meta["namespace"] = ns
	labels, _ := meta["labels"].(map[string]any)
	if labels == nil {
		labels = map[string]any{}
		meta["labels"] = labels
	}
	labels["plumbline.dev/scheduled"] = "true"
	body, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	name, err := api.Create(ctx, ns, resource, body)
	if err != nil {
		return nil, fmt.Errorf("start the %s: %w", strings.TrimSuffix(resource, "s"), err)
	}
	fmt.Fprintf(req.Progress, "started %s/%s/%s\n", resource, ns, name)
	return &report.Report{Tool: Tool, Findings: []report.Finding{}, Details: map[string]string{"started": resource + "/" + ns + "/" + name}}, nil
}

// parse reads the template: one TaskRun or PipelineRun of tekton.dev/v1.
func parse(data []byte) (map[string]any, string, error) {
	var obj map[string]any
	if err := yaml.Unmarshal(data, &obj); err != nil {
		return nil, "", err
	}
	if obj == nil {
		return nil, "", errors.New("empty")
	}
	resource := ""
	switch obj["kind"] {
	case "TaskRun":
		resource = "taskruns"
	case "PipelineRun":
		resource = "pipelineruns"
	default:
		return nil, "", fmt.Errorf("kind %v: want a TaskRun or a PipelineRun", obj["kind"])
	}
	if obj["apiVersion"] != "tekton.dev/v1" {
		return nil, "", fmt.Errorf("apiVersion %v: want tekton.dev/v1", obj["apiVersion"])
	}
	meta, ok := obj["metadata"].(map[string]any)
	if !ok {
		return nil, "", errors.New("no metadata")
	}
	if meta["name"] == nil && meta["generateName"] == nil {
		return nil, "", errors.New("metadata.generateName (or name) is required: each scheduled run needs a name of its own")
	}
	return obj, resource, nil
}

// InCluster is the Kubernetes API as a pod's service account reaches it.
type InCluster struct {
	Host      string // https://HOST:PORT
	Token     string
	Namespace string
	Client    *http.Client
}

var _ API = (*InCluster)(nil)

// ServiceAccount is where Kubernetes mounts a pod's token.
const ServiceAccount = "/var/run/secrets/kubernetes.io/serviceaccount"

// InClusterAPI is the API of the cluster the pod runs in
// (KUBERNETES_SERVICE_HOST and _PORT), as the service account whose
// token, ca.crt and namespace are in dir.
func InClusterAPI(dir string) (*InCluster, error) {
	host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
	if host == "" || port == "" {
		return nil, errors.New("not in a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set): give --namespace and run it there")
	}
	token, err := os.ReadFile(filepath.Join(dir, "token"))
	if err != nil {
		return nil, fmt.Errorf("the service account's token (is automountServiceAccountToken off?): %w", err)
	}
	ca, err := os.ReadFile(filepath.Join(dir, "ca.crt"))
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return nil, errors.New("the service account's ca.crt holds no certificate")
	}
	ns, _ := os.ReadFile(filepath.Join(dir, "namespace"))
	return &InCluster{Host: "https://" + net.JoinHostPort(host, port), Token: strings.TrimSpace(string(token)), Namespace: strings.TrimSpace(string(ns)),
		Client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}}, nil
}

func (k *InCluster) Create(ctx context.Context, namespace, resource string, obj []byte) (string, error) {
	u := fmt.Sprintf("%s/apis/tekton.dev/v1/namespaces/%s/%s", strings.TrimRight(k.Host, "/"), namespace, resource)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(obj))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+k.Token)
	client := k.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusCreated {
		// The API server's Status says why (forbidden, invalid).
		var st struct {
			Message string `json:"message"`
		}
		json.Unmarshal(body, &st)
		if st.Message == "" {
			st.Message = report.Truncate(strings.TrimSpace(string(body)), 300)
		}
		return "", fmt.Errorf("%s: %s", resp.Status, st.Message)
	}
	var created struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(body, &created); err != nil || created.Metadata.Name == "" {
		return "", fmt.Errorf("the API server's answer names no object: %v", err)
	}
	return created.Metadata.Name, nil
}
