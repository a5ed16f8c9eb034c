package tekton

import (
	"os"
	"testing"
)

// FuzzRepo: any YAML read as Tekton YAML gives findings, never a panic.
func FuzzRepo(f *testing.F) {
	for _, name := range []string{"pipeline.yaml", "run.yaml", "trigger.yaml", "yamllint.yaml"} {
		data, err := os.ReadFile("testdata/repo/.tekton/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &Repo{}
		r.File("a.yaml", data)
		r.File("b.yaml", data)
		_ = r.Findings()
	})
}
