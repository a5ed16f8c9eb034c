package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	yamlv3 "gopkg.in/yaml.v3"
	"sigs.k8s.io/yaml"
)

// Labels mark what install created; uninstall deletes by them.
const (
	labelPartOf    = "app.kubernetes.io/part-of"
	labelInstalled = "plumbline.dev/installed-by"
	installedBy    = "make-install"
	// createdNamespace marks a namespace install created (and uninstall
	// may delete); one that existed before is left.
	createdNamespace = "plumbline.dev/created-by-install"
	// localRepo is the name imported images carry in containerd.
	localRepo = "plumbline.local"
)

// namespacedKinds are what install may create in the namespace, for
// uninstall (cluster-scoped: ClusterRoleBindings, found by their subject).
var (
	namespacedKinds = "stepactions.tekton.dev,tasks.tekton.dev,pipelines.tekton.dev,eventlisteners.triggers.tekton.dev," +
		"triggers.triggers.tekton.dev,triggerbindings.triggers.tekton.dev,triggertemplates.triggers.tekton.dev," +
		"serviceaccounts,rolebindings,secrets,deployments,services,roles.rbac.authorization.k8s.io,cronjobs.batch,configmaps,persistentvolumeclaims"
)

type options struct {
	root, namespace, mode, repo, ctr, platform, version string
	from, distDir                                       string
	scheduleRepo, scheduleRevision, schedule            string
	gitea                                               bool
	out                                                 io.Writer
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("install", flag.ContinueOnError)
	o := options{out: out}
	fs.StringVar(&o.root, "root", ".", "the repository")
	fs.StringVar(&o.namespace, "namespace", envOr("NAMESPACE", "plumbline"), "the `NAMESPACE` to install into")
	fs.StringVar(&o.repo, "repo", os.Getenv("KO_DOCKER_REPO"), "registry `REPO` ko pushes to (registry mode)")
	fs.StringVar(&o.mode, "mode", os.Getenv("INSTALL_MODE"), "registry or import (default: registry when -repo is set, else import)")
	fs.StringVar(&o.ctr, "ctr", os.Getenv("CTR"), "the ctr `COMMAND` of the node's containerd (default: k3s ctr when k3s is installed, else ctr)")
	fs.StringVar(&o.platform, "platform", os.Getenv("PLATFORM"), "`OS/ARCH` to build for (import mode default: the first node's; registry mode: linux/amd64,linux/arm64)")
	fs.StringVar(&o.version, "version", envOr("VERSION", "dev"), "the version stamped into the binaries")
	fs.StringVar(&o.from, "from", "", "install from the release archive unpacked in `DIR` (its images and YAML): no Go, no ko")
	fs.StringVar(&o.distDir, "out", "build/dist", "where dist writes the archives (`DIR`)")
	fs.BoolVar(&o.gitea, "gitea", os.Getenv("INSTALL_GITEA") != "", "also the Gitea/Forgejo EventListener and interceptor")
	fs.StringVar(&o.scheduleRepo, "schedule-repo", os.Getenv("SCHEDULE_REPO"), "also the drift check on a schedule (schedules/drift.yaml) of the repository at `URL`")
	fs.StringVar(&o.scheduleRevision, "schedule-revision", envOr("SCHEDULE_REVISION", "main"), "the `BRANCH` the scheduled run checks")
	fs.StringVar(&o.schedule, "schedule", envOr("SCHEDULE", "0 * * * *"), "when the scheduled run starts, as a CronJob's `SCHEDULE`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: install [flags] install|uninstall|dist")
	}
	if o.mode == "" {
		o.mode = "import"
		if o.repo != "" {
			o.mode = "registry"
		}
	}
	if o.mode != "import" && o.mode != "registry" {
		return fmt.Errorf("-mode %q: want registry or import", o.mode)
	}
	if fs.Arg(0) == "dist" {
		return o.dist(ctx)
	}
	if o.mode == "registry" && o.repo == "" {
		return errors.New("registry mode needs KO_DOCKER_REPO (or -repo)")
	}
	if o.ctr == "" {
		o.ctr = "ctr"
		if _, err := exec.LookPath("k3s"); err == nil {
			o.ctr = "k3s ctr"
		}
	}
	switch fs.Arg(0) {
	case "install":
		return o.install(ctx)
	case "uninstall":
		return o.uninstall(ctx)
	}
	return fmt.Errorf("%q: want install, uninstall or dist", fs.Arg(0))
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func (o *options) say(format string, args ...any) {
	fmt.Fprintf(o.out, "install: "+format+"\n", args...)
}

// sh runs a command, its output to o.out, and returns its stdout.
func (o *options) sh(ctx context.Context, stdin []byte, env []string, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = o.root
	cmd.Env = append(os.Environ(), env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.Bytes(), fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, bytes.TrimSpace(stderr.Bytes()))
	}
	return stdout.Bytes(), nil
}

// kubectl runs kubectl and prints what it says it did.
func (o *options) kubectl(ctx context.Context, stdin []byte, args ...string) ([]byte, error) {
	out, err := o.sh(ctx, stdin, nil, "kubectl", args...)
	if err == nil && len(bytes.TrimSpace(out)) > 0 && args[0] != "get" {
		o.out.Write(out)
	}
	return out, err
}

func (o *options) install(ctx context.Context) error {
	o.say("installing Plumbline into namespace %s (%s mode)", o.namespace, o.mode)
	if err := o.ensureNamespace(ctx); err != nil {
		return err
	}
	files := distFiles[distYAML]
	if o.gitea {
		files = append(files, distFiles[distGiteaYAML]...)
	}
	if o.scheduleRepo != "" {
		files = append(files, distFiles[distSchedule]...)
	}
	images := o.images
	if o.from != "" {
		images = func(ctx context.Context, _ []string) ([]byte, error) { return o.fromArchive(ctx) }
	}
	resolved, err := images(ctx, files)
	if err != nil {
		return err
	}
	if o.scheduleRepo != "" {
		if resolved, err = o.fillSchedule(resolved); err != nil {
			return err
		}
		o.say("drift check of %s (%s) scheduled at %q: chats are told when drift appears or goes (docs/schedule.md)", o.scheduleRepo, o.scheduleRevision, o.schedule)
	}
	docs, err := o.label(resolved)
	if err != nil {
		return err
	}
	if _, err := o.kubectl(ctx, docs, "apply", "-n", o.namespace, "-f", "-"); err != nil {
		return err
	}
	if err := o.secrets(ctx); err != nil {
		return err
	}
	o.adviseSidecars(ctx)
	return nil
}

// fillSchedule writes the repository, its branch and the schedule into
// schedules/drift.yaml's marked lines.
func (o *options) fillSchedule(stream []byte) ([]byte, error) {
	u, err := url.Parse(o.scheduleRepo)
	if err != nil || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("-schedule-repo %q: want the repository's clone URL, without credentials (plumbline-git holds them)", o.scheduleRepo)
	}
	if f := strings.Fields(o.schedule); len(f) != 5 && !(len(f) == 1 && strings.HasPrefix(f[0], "@")) {
		return nil, fmt.Errorf("-schedule %q: want a CronJob schedule (five fields, \"0 * * * *\", or @hourly)", o.schedule)
	}
	name := strings.TrimSuffix(strings.Trim(u.Path, "/"), ".git")
	for _, f := range []struct{ marker, value string }{
		{"SCHEDULE_REPO_NAME", name}, {"SCHEDULE_REPO", o.scheduleRepo}, {"SCHEDULE_REVISION", o.scheduleRevision}, {"SCHEDULE", o.schedule},
	} {
		re := regexp.MustCompile(`(?m)^(\s*(?:value|schedule): ).*# ` + f.marker + `(?:$|[ :].*$)`)
		if !re.Match(stream) {
			return nil, fmt.Errorf("schedules/drift.yaml has no line marked %s", f.marker)
		}
		quoted, _ := json.Marshal(f.value)
		stream = re.ReplaceAll(stream, append([]byte("${1}"), bytes.ReplaceAll(quoted, []byte("$"), []byte("$$"))...))
	}
	return stream, nil
}

func (o *options) ensureNamespace(ctx context.Context) error {
	if _, err := o.sh(ctx, nil, nil, "kubectl", "get", "namespace", o.namespace); err == nil {
		o.say("namespace %s exists: uninstall will leave it", o.namespace)
		return nil
	}
	ns := fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels:\n    %s: plumbline\n  annotations:\n    %s: \"true\"\n",
		o.namespace, labelPartOf, createdNamespace)
	_, err := o.kubectl(ctx, []byte(ns), "apply", "-f", "-")
	return err
}

// images resolves the ko:// references in files: built and pushed to the
// registry, or built, imported into containerd and named there.
func (o *options) images(ctx context.Context, files []string) ([]byte, error) {
	ko := filepath.Join(o.root, "build", "tools", "ko")
	args := []string{"resolve", "-B", "--image-user=65532"}
	for _, f := range files {
		args = append(args, "-f", f)
	}
	env := []string{"VERSION=" + o.version}
	if o.mode == "registry" {
		platforms := o.platform
		if platforms == "" {
			platforms = "linux/amd64,linux/arm64"
		}
		o.say("ko builds every image for %s and pushes it to %s", platforms, o.repo)
		return o.sh(ctx, nil, append(env, "KO_DOCKER_REPO="+o.repo), ko, append(args, "--platform="+platforms)...)
	}
	platform := o.platform
	if platform == "" {
		arch, err := o.sh(ctx, nil, nil, "kubectl", "get", "nodes", "-o", "jsonpath={.items[0].status.nodeInfo.architecture}")
		if err != nil || len(arch) == 0 {
			return nil, fmt.Errorf("the node's architecture (set -platform): %v", err)
		}
		platform = "linux/" + string(arch)
	}
	reg, err := startRegistry()
	if err != nil {
		return nil, err
	}
	defer reg.Close()
	o.say("ko builds every image for %s into a registry inside this process (%s)", platform, reg.addr)
	resolved, err := o.sh(ctx, nil, append(env, "KO_DOCKER_REPO="+reg.addr+"/plumbline"), ko, append(args, "--platform="+platform)...)
	if err != nil {
		return nil, err
	}
	// Every reference ko wrote, to its image's local name.
	refRE := regexp.MustCompile(regexp.QuoteMeta(reg.addr+"/plumbline/") + `([a-z0-9-]+)@(sha256:[0-9a-f]{64})`)
	images := map[string]string{} // local name -> pushed ref
	for _, m := range refRE.FindAllSubmatch(resolved, -1) {
		images[string(m[1])] = string(m[0])
	}
	archive := filepath.Join(os.TempDir(), fmt.Sprintf("plumbline-images-%d.tar", os.Getpid()))
	defer os.Remove(archive)
	if err := writeArchive(archive, images, localRepo, o.version); err != nil {
		return nil, err
	}
	ctr := strings.Fields(o.ctr)
	o.say("importing %d images into the node's containerd (%s): %s", len(images), o.ctr, strings.Join(sortedKeys(images), ", "))
	out, err := o.sh(ctx, nil, nil, ctr[0], append(ctr[1:], "-n", "k8s.io", "images", "import", archive)...)
	if err != nil {
		return nil, fmt.Errorf("import (is this the node, as root, and is -ctr right?): %w", err)
	}
	o.out.Write(out)
	return refRE.ReplaceAll(resolved, []byte(localRepo+"/$1@$2")), nil
}

// label marks every object as install's, and names the namespace where a
// cluster-scoped object points into one.
func (o *options) label(stream []byte) ([]byte, error) {
	var out bytes.Buffer
	dec := yamlv3.NewDecoder(bytes.NewReader(stream))
	for {
		var doc map[string]any
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("the resolved YAML: %w", err)
		}
		if doc == nil {
			continue // only comments
		}
		meta, _ := doc["metadata"].(map[string]any)
		if meta == nil {
			return nil, fmt.Errorf("a %v without metadata", doc["kind"])
		}
		labels, _ := meta["labels"].(map[string]any)
		if labels == nil {
			labels = map[string]any{}
		}
		labels[labelPartOf], labels[labelInstalled] = "plumbline", installedBy
		meta["labels"] = labels
		if doc["kind"] == "ClusterRoleBinding" {
			if subjects, ok := doc["subjects"].([]any); ok {
				for _, s := range subjects {
					if s, ok := s.(map[string]any); ok && s["kind"] == "ServiceAccount" {
						s["namespace"] = o.namespace
					}
				}
			}
			if o.namespace != "plumbline" {
				meta["name"] = fmt.Sprint(meta["name"]) + "-" + o.namespace
			}
		}
		b, err := yaml.Marshal(doc)
		if err != nil {
			return nil, err
		}
		out.WriteString("---\n")
		out.Write(b)
	}
	return out.Bytes(), nil
}

// secrets creates the Secrets the runs look for, once: the webhook secret
// (generated, printed this once) and an empty plumbline-notify.
func (o *options) secrets(ctx context.Context) error {
	webhooks := []string{"github-webhook"}
	if o.gitea {
		webhooks = append(webhooks, "forge-webhook")
	}
	for _, name := range webhooks {
		if _, err := o.sh(ctx, nil, nil, "kubectl", "get", "secret", name, "-n", o.namespace); err == nil {
			o.say("secret/%s exists: kept", name)
			continue
		}
		b := make([]byte, 32)
		rand.Read(b)
		secret := hex.EncodeToString(b)
		if err := o.createSecret(ctx, name, map[string]string{"secret": secret}); err != nil {
			return err
		}
		o.say("secret/%s created; its webhook secret, shown this once: %s", name, secret)
	}
	if _, err := o.sh(ctx, nil, nil, "kubectl", "get", "secret", "plumbline-notify", "-n", o.namespace); err == nil {
		o.say("secret/plumbline-notify exists: kept")
	} else {
		if err := o.createSecret(ctx, "plumbline-notify", nil); err != nil {
			return err
		}
		o.say("secret/plumbline-notify created empty: add github-token (or gitea-token) and webhook-url to be told (docs/quickstart.md §5)")
	}
	// The Secrets webhook runs of trusted changes mount (triggers/): made
	// empty so a run finds them, filled by the operator (quickstart §4).
	for _, s := range []struct{ name, what string }{
		{"plumbline-git", ".git-credentials and .gitconfig for a private repository"},
		{"plumbline-dns", "the TSIG key or Technitium token files your zones name"},
		{"plumbline-terraform", "terraform-plan's environment: one key per variable (PROXMOX_VE_API_TOKEN, the state backend's credentials)"},
	} {
		if _, err := o.sh(ctx, nil, nil, "kubectl", "get", "secret", s.name, "-n", o.namespace); err == nil {
			o.say("secret/%s exists: kept", s.name)
			continue
		}
		if err := o.createSecret(ctx, s.name, nil); err != nil {
			return err
		}
		o.say("secret/%s created empty: add %s (docs/quickstart.md §4)", s.name, s.what)
	}
	o.say("done. Next: expose el-plumbline-github (docs/quickstart.md §3); fill plumbline-git and plumbline-dns if your repository is private or your zones need a key, plumbline-terraform to plan Terraform (§4)")
	if o.gitea {
		o.say("Gitea: run hack/forge-interceptor-tls.sh %s for the interceptor's certificate", o.namespace)
	}
	return nil
}

func (o *options) createSecret(ctx context.Context, name string, data map[string]string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  labels:\n    %s: plumbline\n    %s: %s\ntype: Opaque\n", name, labelPartOf, labelInstalled, installedBy)
	if len(data) > 0 {
		b.WriteString("stringData:\n")
		for k, v := range data {
			fmt.Fprintf(&b, "  %s: %q\n", k, v)
		}
	}
	_, err := o.sh(ctx, []byte(b.String()), nil, "kubectl", "create", "-n", o.namespace, "-f", "-")
	return err
}

func (o *options) uninstall(ctx context.Context) error {
	o.say("removing what make install put into namespace %s", o.namespace)
	sel := labelInstalled + "=" + installedBy
	if _, err := o.kubectl(ctx, nil, "delete", "-n", o.namespace, namespacedKinds, "-l", sel, "--ignore-not-found"); err != nil {
		return err
	}
	// Cluster-scoped objects: only those that point into this namespace.
	names, err := o.sh(ctx, nil, nil, "kubectl", "get", "clusterrolebindings", "-l", sel,
		"-o", `jsonpath={range .items[?(@.subjects[0].namespace=="`+o.namespace+`")]}{.metadata.name}{"\n"}{end}`)
	if err != nil {
		return err
	}
	for _, n := range strings.Fields(string(names)) {
		if _, err := o.kubectl(ctx, nil, "delete", "clusterrolebinding", n, "--ignore-not-found"); err != nil {
			return err
		}
	}
	created, _ := o.sh(ctx, nil, nil, "kubectl", "get", "namespace", o.namespace, "-o", "jsonpath={.metadata.annotations.plumbline\\.dev/created-by-install}")
	if string(created) == "true" {
		if _, err := o.kubectl(ctx, nil, "delete", "namespace", o.namespace, "--wait=true"); err != nil {
			return err
		}
	} else {
		o.say("namespace %s was there before install: left", o.namespace)
	}
	if o.mode == "import" {
		ctr := strings.Fields(o.ctr)
		list, err := o.sh(ctx, nil, nil, ctr[0], append(ctr[1:], "-n", "k8s.io", "images", "ls", "-q")...)
		if err != nil {
			o.say("images: not removed (%v)", err)
			return nil
		}
		var ours []string
		for _, ref := range strings.Fields(string(list)) {
			if strings.HasPrefix(ref, localRepo+"/") {
				ours = append(ours, ref)
			}
		}
		if len(ours) > 0 {
			o.say("removing %d imported image names from containerd", len(ours))
			if _, err := o.sh(ctx, nil, nil, ctr[0], append(append(ctr[1:], "-n", "k8s.io", "images", "rm"), ours...)...); err != nil {
				return err
			}
		}
	}
	return nil
}
