// Command catalog turns tasks/ and pipelines/ into a versioned, digest-pinned
// catalog in the Tekton Hub layout (TEP-0003), checks a catalog the way
// catlin and the Hub do, and pushes one Tekton bundle per catalog item.
//
//	catalog generate -version X.Y -refs build/images.txt [-out catalog] [-key cosign.key]
//	catalog check [-root .]
//	catalog bundles -version X.Y -repo REGISTRY/REPO [-out catalog]
//
// It lives in hack/ because it imports Tekton (to validate what it writes).
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "catalog:", err)
		os.Exit(2)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New("usage: catalog generate|check|bundles [flags]")
	}
	fs := flag.NewFlagSet("catalog "+args[0], flag.ContinueOnError)
	root := fs.String("root", ".", "the repository")
	out := fs.String("out", "", "the catalog directory (default ROOT/catalog)")
	version := fs.String("version", "", "the catalog version, X.Y")
	refs := fs.String("refs", "", "image references from make images (ko --image-refs)")
	repo := fs.String("repo", "", "where bundles go (REGISTRY/REPO); each is REPO/bundles/NAME:VERSION")
	key := fs.String("key", "", "sign every Task and Pipeline with this cosign (or PEM) private `KEY`, for Tekton's trusted resources (password: COSIGN_PASSWORD)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *out == "" {
		*out = *root + "/catalog"
	}
	switch args[0] {
	case "generate":
		images, err := readRefs(*refs)
		if err != nil {
			return err
		}
		var opts []Option
		if *key != "" {
			signer, err := LoadSigner(*key)
			if err != nil {
				return err
			}
			opts = append(opts, WithSigner(signer))
		}
		written, err := Generate(*root, *out, *version, images, opts...)
		for _, f := range written {
			fmt.Println(f)
		}
		return err
	case "check":
		problems, err := Check(*root, *out)
		if err != nil {
			return err
		}
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, p)
		}
		if len(problems) > 0 {
			return fmt.Errorf("%d problems", len(problems))
		}
		return nil
	case "bundles":
		pushed, err := Bundles(*out, *version, *repo)
		for _, p := range pushed {
			fmt.Println(p)
		}
		return err
	}
	return fmt.Errorf("unknown command %q (generate, check, bundles)", args[0])
}
