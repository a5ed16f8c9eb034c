package helm

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"helm.sh/helm/v4/pkg/chart/loader/archive"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/ignore"
)

// MaxChart bounds the files of one chart, its subcharts included, as
// Helm's own loader bounds a chart archive.
var MaxChart = archive.MaxDecompressedChartSize

// File is one file of a chart: its path inside the chart directory
// (slash-separated) and its bytes. Archive is a packaged chart (.tgz)
// instead: a cached chart, or a subchart under charts/.
type File struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// Load is loader.LoadDir on files already read: the .helmignore rules
// and Helm's defaults drop what `helm template DIR` would not see, a byte
// order mark is trimmed, and a subchart archive under charts/ is loaded
// as Helm loads it.
func Load(files []File) (*chart.Chart, error) {
	rules := ignore.Empty()
	for _, f := range files {
		if f.Name == ignore.HelmIgnore {
			r, err := ignore.Parse(bytes.NewReader(f.Data))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", ignore.HelmIgnore, err)
			}
			rules = r
		}
	}
	rules.AddDefaults()
	files = slices.Clone(files)
	// In the order of LoadDir's walk: by name within each directory.
	slices.SortFunc(files, func(a, b File) int {
		return slices.Compare(strings.Split(a.Name, "/"), strings.Split(b.Name, "/"))
	})
	var kept []*archive.BufferedFile
	total := int64(0)
	for _, f := range files {
		if ignored(rules, f.Name) {
			continue
		}
		if total += int64(len(f.Data)); total > MaxChart {
			return nil, fmt.Errorf("chart is larger than %d MiB", MaxChart>>20)
		}
		kept = append(kept, &archive.BufferedFile{Name: f.Name, Data: bytes.TrimPrefix(f.Data, utf8bom)})
	}
	return loader.LoadFiles(kept)
}

var utf8bom = []byte{0xEF, 0xBB, 0xBF}

// ignored applies rules as LoadDir's walk does: a directory the rules
// match hides all below it, then the file itself.
func ignored(rules *ignore.Rules, name string) bool {
	parts := strings.Split(name, "/")
	for i := 1; i < len(parts); i++ {
		if rules.Ignore(strings.Join(parts[:i], "/"), info{name: parts[i-1], dir: true}) {
			return true
		}
	}
	return rules.Ignore(name, info{name: path.Base(name)})
}

// info is the little of fs.FileInfo the ignore rules read.
type info struct {
	name string
	dir  bool
}

func (i info) Name() string       { return i.name }
func (i info) Size() int64        { return 0 }
func (i info) Mode() fs.FileMode  { return map[bool]fs.FileMode{true: fs.ModeDir}[i.dir] }
func (i info) ModTime() time.Time { return time.Time{} }
func (i info) IsDir() bool        { return i.dir }
func (i info) Sys() any           { return nil }

// LoadArchive loads a packaged chart (a cached .tgz), bounded by Helm's
// own budget for a decompressed chart.
func LoadArchive(data []byte) (*chart.Chart, error) {
	return loader.LoadArchive(bytes.NewReader(data))
}
