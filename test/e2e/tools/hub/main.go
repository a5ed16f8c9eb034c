// hub answers the two Artifact Hub API calls Tekton's hub resolver makes
// (the package's versions, then one version's manifest) from a directory
// laid out as DIR/<catalog>/<name>/<version>.yaml. Artifact Hub is a SaaS
// the e2e machine cannot reach; the response shapes are those of its API
// documentation (package: available_versions[].version; version:
// data.manifestRaw) as the resolver reads them.
//
// usage: hub ADDR DIR
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: hub ADDR DIR")
	}
	addr, dir := os.Args[1], os.Args[2]
	// /api/v1/packages/tekton-<kind>/<catalog>/<name>[/<version>]
	http.HandleFunc("/api/v1/packages/", func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/api/v1/packages/"), "/")
		log.Printf("%s %s", r.Method, r.URL.Path)
		if len(parts) < 3 || !strings.HasPrefix(parts[0], "tekton-") || strings.Contains(r.URL.Path, "..") {
			http.NotFound(w, r)
			return
		}
		pkg := filepath.Join(dir, parts[1], parts[2])
		switch len(parts) {
		case 3:
			files, _ := filepath.Glob(filepath.Join(pkg, "*.yaml"))
			if len(files) == 0 {
				http.NotFound(w, r)
				return
			}
			type version struct {
				Version    string `json:"version"`
				Prerelease bool   `json:"prerelease"`
			}
			var out struct {
				AvailableVersions []version `json:"available_versions"`
				Version           string    `json:"version"`
			}
			for _, f := range files {
				v := strings.TrimSuffix(filepath.Base(f), ".yaml")
				out.AvailableVersions = append(out.AvailableVersions, version{Version: v})
				out.Version = v
			}
			json.NewEncoder(w).Encode(out)
		case 4:
			data, err := os.ReadFile(filepath.Join(pkg, parts[3]+".yaml"))
			if err != nil {
				http.NotFound(w, r)
				return
			}
			var out struct {
				Data struct {
					ManifestRaw string `json:"manifestRaw"`
				} `json:"data"`
			}
			out.Data.ManifestRaw = string(data)
			json.NewEncoder(w).Encode(out)
		default:
			http.NotFound(w, r)
		}
	})
	log.Printf("serving %s on %s", dir, addr)
	log.Fatal(http.ListenAndServe(addr, nil))
}
