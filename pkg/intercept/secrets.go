package intercept

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// maxSecret bounds a webhook secret file: a Kubernetes Secret holds at
// most 1 MiB.
const maxSecret = 1 << 20

// Dir reads secrets from a directory, a Secret mounted as a volume: one
// file per key. Each request reads the file again, so a rotated Secret
// takes effect without a restart. The bytes are used as they are, newline
// and all, as Triggers' GitHub interceptor does.
type Dir string

var _ Secrets = Dir("")

func (d Dir) Secret(key string) ([]byte, error) {
	f, err := os.Open(filepath.Join(string(d), key))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecret+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxSecret {
		return nil, fmt.Errorf("longer than %d bytes", maxSecret)
	}
	return b, nil
}
