// Command yamlcheck checks every Tekton and Triggers object we ship
// (tasks/, pipelines/, triggers/, stepactions/) with hack/tektoncheck:
// Tekton's own SetDefaults and Validate, as the admission webhooks would,
// and Plumbline's rules, with images built by ko. It also checks that
// .ko.yaml builds every image. hack/catalog applies the same checks to a
// release. It lives under hack/ because Tekton must stay out of the image
// binaries.
//
//	go run ./hack/yamlcheck [ROOT]
//
// Exit status: 0 clean, 1 problems found, 2 could not run.
package main

import (
	"fmt"
	"os"
)

func main() {
	root := "."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	problems, err := Check(root)
	if err != nil {
		fmt.Fprintf(os.Stderr, "yamlcheck: %v\n", err)
		os.Exit(2)
	}
	for _, p := range problems {
		fmt.Println(p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "yamlcheck: %d problem(s)\n", len(problems))
		os.Exit(1)
	}
}
