// Loopback-only OCI registry (go-containerregistry's in-process registry with on-disk blobs).
package main

import (
	"log"
	"net/http"
	"os"

	"github.com/google/go-containerregistry/pkg/registry"
)

// usage: registry ADDR BLOBDIR
func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: registry ADDR BLOBDIR")
	}
	addr, dir := os.Args[1], os.Args[2]
	os.MkdirAll(dir, 0o755)
	h := registry.New(registry.WithBlobHandler(registry.NewDiskBlobHandler(dir)))
	log.Printf("serving on %s", addr)
	log.Fatal(http.ListenAndServe(addr, h))
}
