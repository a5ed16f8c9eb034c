// Command install puts everything Plumbline ships onto the cluster of the
// current kubeconfig, into one namespace (make install), and takes away
// exactly what it put there (make uninstall).
//
//	install [flags] install|uninstall
//
// With a registry (-repo, KO_DOCKER_REPO) ko builds and pushes there and
// the applied YAML names each image by digest. Without one (-mode import,
// the default then) ko pushes into a registry inside this process, the
// images are written as one OCI archive and imported into the node's
// containerd (k3s ctr, or ctr), and the YAML names them
// plumbline.local/NAME@sha256:…: the kubelet finds them there and never
// asks a registry. See docs/quickstart.md.
//
// It lives in hack/ because it drives ko, kubectl and ctr.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "install:", err)
		os.Exit(2)
	}
}
