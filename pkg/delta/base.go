package delta

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/plumbline/plumbline/pkg/kustomize"
	"github.com/plumbline/plumbline/pkg/proc"
)

// Export writes the tree of the commit ref of the git repository root
// into dir, as `git archive` gives it: regular files and directories only
// (a symlink is left out, as the renderer would not follow it out of the
// tree), within the renderer's budget for a repository.
func Export(ctx context.Context, root, ref, dir string) error {
	if strings.HasPrefix(ref, "-") {
		return fmt.Errorf("base %q: not a revision", ref)
	}
	cmd := proc.Command(ctx, "git", "-C", root, "archive", "--format=tar", ref+"^{tree}")
	var out bytes.Buffer
	cmd.Stdout = &out
	res, err := proc.Run(ctx, cmd)
	if err != nil {
		return fmt.Errorf("git archive %s: %w", ref, err)
	}
	if res.Code != 0 {
		return fmt.Errorf("git archive %s: %s", ref, strings.TrimSpace(string(res.Stderr)))
	}
	tr := tar.NewReader(&out)
	total, files := int64(0), 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("git archive %s: %w", ref, err)
		}
		name := filepath.Clean(filepath.FromSlash(h.Name))
		if filepath.IsAbs(name) || name == ".." || strings.HasPrefix(name, ".."+string(filepath.Separator)) {
			continue
		}
		p := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if files++; files > kustomize.MaxTreeFiles {
				return fmt.Errorf("base %s: more than %d files", ref, kustomize.MaxTreeFiles)
			}
			if total += h.Size; total > kustomize.MaxTreeBytes {
				return fmt.Errorf("base %s: more than %d MiB", ref, kustomize.MaxTreeBytes>>20)
			}
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, io.LimitReader(tr, h.Size))
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
	}
}
