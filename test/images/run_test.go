package images

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/plumbline/plumbline/internal/imagetest"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
)

// taskCommand is what a Task's step runs: its StepAction's args with
// params (defaults, or the given values), workspaces and step results
// paths filled in as Tekton would, its env and working directory.
type taskCommand struct {
	args, env []string
	dir       string
}

// Where the workspaces are mounted in our runs; an optional workspace
// that is not bound has an empty path, as in Tekton.
var workspacePaths = map[string]string{"source": "/src", "reports": "/reports"}

func commandOf(t *testing.T, root, image string, params map[string][]string) taskCommand {
	t.Helper()
	task := imagetest.TaskFor(t, root, image)
	values := defaults(task.Spec.Params)
	for k, v := range params {
		values[k] = v
	}
	for _, w := range task.Spec.Workspaces {
		values["workspaces."+w.Name+".path"] = []string{workspacePaths[w.Name]}
	}
	// The Task's one step runs its StepAction: the step's params, filled
	// from the Task's, are the StepAction's, which fill its args and env.
	step := task.Spec.Steps[0]
	if step.Ref == nil {
		t.Fatalf("%s: its step runs no StepAction", task.Name)
	}
	action := imagetest.StepActionFor(t, root, step.Ref.Name)
	inner := defaults(action.Spec.Params)
	for _, p := range step.Params {
		switch {
		case p.Value.Type == pipelinev1.ParamTypeArray:
			inner[p.Name] = expand(p.Value.ArrayVal, values)
		case strings.HasSuffix(p.Value.StringVal, "[*])"): // "$(params.x[*])": the Task's array x, whole
			inner[p.Name] = expand([]string{p.Value.StringVal}, values)
		default:
			inner[p.Name] = []string{subst(p.Value.StringVal, values)}
		}
	}
	for _, r := range action.Spec.Results {
		inner["step.results."+r.Name+".path"] = []string{"/results/" + r.Name}
	}
	c := taskCommand{args: expand(action.Spec.Args, inner), dir: "/"}
	for _, e := range action.Spec.Env {
		c.env = append(c.env, e.Name+"="+subst(e.Value, inner))
	}
	if action.Spec.WorkingDir != "" {
		c.dir = subst(action.Spec.WorkingDir, inner)
	}
	return c
}

func defaults(specs pipelinev1.ParamSpecs) map[string][]string {
	values := map[string][]string{}
	for _, p := range specs {
		switch {
		case p.Default == nil:
		case p.Default.Type == pipelinev1.ParamTypeArray:
			values[p.Name] = p.Default.ArrayVal
		default:
			values[p.Name] = []string{p.Default.StringVal}
		}
	}
	return values
}

// subst replaces $(params.NAME) and the other $(…) keys of values in s,
// as Tekton does (an array joined by commas, which no shipped arg needs).
func subst(s string, values map[string][]string) string {
	for k, v := range values {
		key := k
		if !strings.Contains(k, ".") {
			key = "params." + k
		}
		s = strings.ReplaceAll(s, "$("+key+")", strings.Join(v, ","))
	}
	return s
}

// expand substitutes each of args, an arg that is a whole array param
// ($(params.NAME[*])) becoming its items.
func expand(args []string, values map[string][]string) []string {
	var out []string
	for _, a := range args {
		if strings.HasPrefix(a, "$(params.") && strings.HasSuffix(a, "[*])") {
			out = append(out, values[strings.TrimSuffix(strings.TrimPrefix(a, "$(params."), "[*])")]...)
			continue
		}
		out = append(out, subst(a, values))
	}
	return out
}

// world is a run's shared volumes on the host: the repository, the
// reports and the results, bind-mounted into each image's filesystem.
type world struct {
	dir, src, reports, results string
}

func newWorld(t *testing.T, root string) *world {
	t.Helper()
	w := &world{dir: t.TempDir()}
	w.src, w.reports, w.results = filepath.Join(w.dir, "src"), filepath.Join(w.dir, "reports"), filepath.Join(w.dir, "results")
	if out, err := exec.Command("cp", "-a", filepath.Join(root, "examples", "homelab"), w.src).CombinedOutput(); err != nil {
		t.Fatalf("copy the example: %v\n%s", err, out)
	}
	for _, d := range []string{w.reports, w.results} {
		if err := os.MkdirAll(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	// The steps run as 65532, like the Tasks; fsGroup does this on a cluster.
	if out, err := exec.Command("chmod", "-R", "a+rwX", w.dir).CombinedOutput(); err != nil {
		t.Fatalf("chmod: %v\n%s", err, out)
	}
	return w
}

// extract writes an image's filesystem into dir, as a container runtime
// lays it out (crane export): layers from the top down, the first
// occurrence of a path wins, whiteouts hide what is below. Names are
// normalised first: ko writes "/var/run/ko", Debian "var/run", and they
// are the same path.
func extract(t *testing.T, img v1.Image, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(flatten(img, pw)) }()
	cmd := exec.Command("tar", "-x", "-p", "--numeric-owner", "-C", dir)
	cmd.Stdin = pr
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("extract: %v\n%s", err, out)
	}
	for _, d := range []string{"src", "reports", "results", "dev", "proc", "tmp"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	os.Chmod(filepath.Join(dir, "tmp"), 0o1777)
}

func flatten(img v1.Image, w io.Writer) error {
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	tw := tar.NewWriter(w)
	seen, gone := map[string]bool{}, map[string]bool{}
	hidden := func(name string) bool {
		for p := name; p != "."; p = path.Dir(p) {
			if gone[p] {
				return true
			}
		}
		return false
	}
	for i := len(layers) - 1; i >= 0; i-- {
		rc, err := layers[i].Uncompressed()
		if err != nil {
			return err
		}
		tr := tar.NewReader(rc)
		var deleted []string
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				rc.Close()
				return err
			}
			name := strings.TrimPrefix(path.Clean("/"+h.Name), "/")
			if name == "" {
				continue
			}
			if base := path.Base(name); strings.HasPrefix(base, ".wh.") {
				deleted = append(deleted, path.Join(path.Dir(name), strings.TrimPrefix(base, ".wh.")))
				continue
			}
			if seen[name] || hidden(name) {
				continue
			}
			seen[name] = true
			h.Name = name
			if h.Typeflag == tar.TypeLink {
				h.Linkname = strings.TrimPrefix(path.Clean("/"+h.Linkname), "/")
			}
			if err := tw.WriteHeader(h); err != nil {
				rc.Close()
				return err
			}
			if _, err := io.Copy(tw, tr); err != nil {
				rc.Close()
				return err
			}
		}
		rc.Close()
		for _, d := range deleted { // whiteouts hide lower layers only
			gone[d] = true
		}
	}
	return tw.Close()
}

// runIn runs argv inside the image filesystem fs as UID 65532, in new
// mount and pid namespaces, with the world's volumes, /dev and /proc
// mounted as a kubelet would; it returns the exit code and output.
func runIn(t *testing.T, w *world, fs string, imageEnv []string, c taskCommand, results string, argv ...string) (int, string) {
	t.Helper()
	mount, _ := exec.LookPath("mount")
	unshare, _ := exec.LookPath("unshare")
	if err := os.MkdirAll(filepath.Join(w.results, results), 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(w.results, results), 0o777)
	script := fmt.Sprintf(`set -e
%[1]s --bind %[3]q %[2]q/src
%[1]s --bind %[4]q %[2]q/reports
%[1]s --bind %[5]q %[2]q/results
%[1]s --rbind /dev %[2]q/dev
%[1]s -t proc proc %[2]q/proc
exec %[6]s --root=%[2]q --wd=%[7]q --setuid=65532 --setgid=65532 -- "$@"`,
		mount, fs, w.src, w.reports, filepath.Join(w.results, results), unshare, c.dir)
	cmd := exec.Command(unshare, append([]string{"--mount", "--pid", "--fork", "--", "/bin/sh", "-c", script, "sh"}, argv...)...)
	cmd.Env = append(append([]string{}, imageEnv...), c.env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", argv, err)
	}
	return code, string(out)
}
