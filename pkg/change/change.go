package change

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/plumbline/plumbline/pkg/report"
)

// Budgets of one diff: past them the whole change counts as touching
// everything, which is the safe reading (every finding new).
const (
	MaxDiff  = 64 << 20
	MaxFiles = 100000
)

// ErrTooLarge: the diff is over a budget.
var ErrTooLarge = errors.New("diff over the budget")

// Set is the files and lines a change touched, paths relative to the
// repository root with forward slashes.
type Set struct {
	files map[string]*lines
	// moved are the paths the change touched without writing a line of
	// theirs: deleted, renamed (both names), a mode changed, an empty file
	// added. What reads them is touched.
	moved map[string]bool
	// All: the change could not be read whole; every line counts as touched.
	All bool
}

type lines struct {
	whole  bool     // a new or binary file: every line is the change's
	ranges [][2]int // first and last new line of each hunk
}

// Touched reports whether the change wrote line of file. A line of 0 (the
// whole file) is touched when the file changed at all.
func (s *Set) Touched(file string, line int) bool {
	if s == nil || s.All {
		return true
	}
	l := s.files[file]
	if l == nil {
		return false
	}
	if l.whole || line <= 0 {
		return true
	}
	for _, r := range l.ranges {
		if line >= r[0] && line <= r[1] {
			return true
		}
	}
	return false
}

// Files are the changed files, sorted.
func (s *Set) Files() []string {
	out := make([]string, 0, len(s.files))
	for f := range s.files {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

// Paths are every path the change touched, sorted: the files it wrote
// and those it deleted or renamed (both names).
func (s *Set) Paths() []string {
	out := s.Files()
	for p := range s.moved {
		if _, ok := s.files[p]; !ok {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// Under reports whether the change touched a path in dir (a
// repository-relative directory, "." for all of it) or below it; with
// All, everything is touched.
func (s *Set) Under(dir string) bool {
	if s == nil || s.All {
		return true
	}
	dir = strings.Trim(path.Clean("/"+dir), "/")
	for _, p := range s.Paths() {
		p = strings.Trim(path.Clean("/"+p), "/")
		if dir == "" || p == dir || strings.HasPrefix(p, dir+"/") {
			return true
		}
	}
	return false
}

// Mark sets Existing on each finding the change did not write: one on an
// untouched line of a file. A finding with no file (about the run or the
// repository as a whole) is never marked: nothing says it is old.
func (s *Set) Mark(fs []report.Finding) {
	for i := range fs {
		fs[i].Existing = fs[i].File != "" && !s.Touched(fs[i].File, fs[i].Line)
	}
}

// Parse reads git diff -U0 output (git's default a/ and b/ prefixes). A
// hunk's body is skipped by its counts, so a content line that looks like
// a header ("+++ x" is an added "++ x") is never read as one.
func Parse(r io.Reader) (*Set, error) {
	s := &Set{files: map[string]*lines{}, moved: map[string]bool{}}
	oldName := ""
	sc := bufio.NewScanner(io.LimitReader(r, MaxDiff+1))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var cur *lines
	created, deleted := false, false
	oldLeft, newLeft := 0, 0 // body lines of the current hunk still to come
	read, n := 0, 0
	text, headers := false, false // any text at all; any line of a diff's own
	for sc.Scan() {
		n++
		line := sc.Bytes()
		read += len(line) + 1
		if read > MaxDiff {
			return nil, fmt.Errorf("line %d: %w (%d bytes)", n, ErrTooLarge, MaxDiff)
		}
		text = text || len(bytes.TrimSpace(line)) > 0
		if oldLeft > 0 || newLeft > 0 {
			switch {
			case len(line) > 0 && line[0] == '-' && oldLeft > 0:
				oldLeft--
				continue
			case len(line) > 0 && line[0] == '+' && newLeft > 0:
				newLeft--
				continue
			case len(line) > 0 && line[0] == '\\':
				continue // "\\ No newline at end of file"
			}
			return nil, fmt.Errorf("line %d: hunk ends early (%d old and %d new lines missing)", n, oldLeft, newLeft)
		}
		switch {
		case bytes.HasPrefix(line, []byte("diff --git ")):
			cur, created, deleted, oldName = nil, false, false, ""
			headers = true
			// A file with no hunk (a mode changed, an empty file added)
			// is named only here.
			if p, ok := headerPath(string(line[len("diff --git "):])); ok && len(s.moved) < MaxFiles {
				s.moved[p] = true
			}
		case bytes.Equal(line, []byte("--- /dev/null")):
			created = true
		case bytes.HasPrefix(line, []byte("--- ")):
			if p, err := unquote(string(line[4:])); err == nil {
				oldName, _ = strings.CutPrefix(p, "a/")
			}
		case bytes.HasPrefix(line, []byte("rename from ")), bytes.HasPrefix(line, []byte("rename to ")):
			_, name, _ := bytes.Cut(line[len("rename "):], []byte(" "))
			if p, err := unquote(string(name)); err == nil && len(s.moved) < MaxFiles {
				s.moved[p] = true
			}
		case bytes.HasPrefix(line, []byte("+++ ")):
			name := string(line[4:])
			if name == "/dev/null" {
				cur, deleted = nil, true // nothing of it can hold a finding
				if oldName != "" && len(s.moved) < MaxFiles {
					s.moved[oldName] = true
				}
				continue
			}
			headers = true
			p, err := unquote(name)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			p, ok := strings.CutPrefix(p, "b/")
			if !ok {
				return nil, fmt.Errorf("line %d: new file name %q without the b/ prefix", n, report.Truncate(name, 200))
			}
			if cur, err = s.file(p); err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			cur.whole = cur.whole || created
		case bytes.HasPrefix(line, []byte("@@ ")):
			if cur == nil && !deleted {
				return nil, fmt.Errorf("line %d: hunk before a file name", n)
			}
			h, err := parseHunk(string(line))
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			oldLeft, newLeft = h.oldCount, h.newCount
			if cur != nil && h.newCount > 0 {
				cur.ranges = append(cur.ranges, [2]int{h.newFirst, h.newFirst + h.newCount - 1})
			}
		case bytes.HasPrefix(line, []byte("Binary files ")) && bytes.HasSuffix(line, []byte(" differ")):
			// "Binary files a/x and b/y differ": y changed whole.
			if _, b, ok := bytes.Cut(line, []byte(" and b/")); ok {
				f, err := s.file(string(bytes.TrimSuffix(b, []byte(" differ"))))
				if err != nil {
					return nil, fmt.Errorf("line %d: %w", n, err)
				}
				f.whole = true
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", n+1, err)
	}
	if oldLeft > 0 || newLeft > 0 {
		return nil, fmt.Errorf("line %d: diff ends inside a hunk", n)
	}
	if text && !headers {
		return nil, errors.New("not a unified diff: no file header (diff --git or +++) in it")
	}
	return s, nil
}

// headerPath is the file of a "diff --git a/P b/P" header naming one
// path (quoted as git quotes names, or not); a rename's two names are
// read from its rename lines.
func headerPath(names string) (string, bool) {
	if strings.HasPrefix(names, `"`) {
		end := strings.Index(names[1:], `" "`)
		if end < 0 {
			return "", false
		}
		a, errA := unquote(names[:end+2])
		b, errB := unquote(names[end+3:])
		if errA != nil || errB != nil || !strings.HasPrefix(a, "a/") || !strings.HasPrefix(b, "b/") || a[2:] != b[2:] {
			return "", false
		}
		return a[2:], a[2:] != ""
	}
	if len(names)%2 == 0 {
		return "", false
	}
	half := len(names) / 2
	a, b := names[:half], names[half+1:]
	if names[half] != ' ' || !strings.HasPrefix(a, "a/") || !strings.HasPrefix(b, "b/") || a[2:] != b[2:] || a == "a/" {
		return "", false
	}
	return a[2:], true
}

func (s *Set) file(p string) (*lines, error) {
	if l := s.files[p]; l != nil {
		return l, nil
	}
	if len(s.files) == MaxFiles {
		return nil, fmt.Errorf("%w (%d files)", ErrTooLarge, MaxFiles)
	}
	l := &lines{}
	s.files[p] = l
	return l, nil
}

type hunk struct{ oldCount, newFirst, newCount int }

// parseHunk reads "@@ -a[,b] +c[,d] @@ ...".
func parseHunk(h string) (hunk, error) {
	fields := strings.Fields(h)
	if len(fields) < 4 || fields[3] != "@@" || !strings.HasPrefix(fields[1], "-") || !strings.HasPrefix(fields[2], "+") {
		return hunk{}, fmt.Errorf("malformed hunk header %q", report.Truncate(h, 80))
	}
	_, oldCount, err := span(fields[1][1:])
	if err != nil {
		return hunk{}, fmt.Errorf("hunk header %q: %w", report.Truncate(h, 80), err)
	}
	first, count, err := span(fields[2][1:])
	if err != nil {
		return hunk{}, fmt.Errorf("hunk header %q: %w", report.Truncate(h, 80), err)
	}
	return hunk{oldCount: oldCount, newFirst: first, newCount: count}, nil
}

// span reads "a,b" or "a" (count 1). Counts are bounded by the diff's
// size: a hunk cannot claim more lines than MaxDiff holds.
func span(s string) (first, count int, err error) {
	a, b, has := strings.Cut(s, ",")
	if first, err = strconv.Atoi(a); err != nil || first < 0 || first > MaxDiff {
		return 0, 0, fmt.Errorf("line number %q", a)
	}
	count = 1
	if has {
		if count, err = strconv.Atoi(b); err != nil || count < 0 || count > MaxDiff {
			return 0, 0, fmt.Errorf("line count %q", b)
		}
	}
	return first, count, nil
}

// unquote reads a file name as git prints it: as is, or in double quotes
// with C escapes when it holds a quote, a backslash, a control character
// or (core.quotePath) bytes past ASCII.
func unquote(name string) (string, error) {
	if !strings.HasPrefix(name, `"`) {
		return name, nil
	}
	if len(name) < 2 || !strings.HasSuffix(name, `"`) {
		return "", fmt.Errorf("file name %q: unterminated quote", report.Truncate(name, 200))
	}
	var b strings.Builder
	in := name[1 : len(name)-1]
	for i := 0; i < len(in); i++ {
		c := in[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+1 == len(in) {
			return "", fmt.Errorf("file name %q: trailing backslash", report.Truncate(name, 200))
		}
		i++
		switch e := in[i]; e {
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'v':
			b.WriteByte('\v')
		case 'f':
			b.WriteByte('\f')
		case 'r':
			b.WriteByte('\r')
		case '"', '\\':
			b.WriteByte(e)
		default:
			if e < '0' || e > '3' || i+2 >= len(in) {
				return "", fmt.Errorf("file name %q: unknown escape", report.Truncate(name, 200))
			}
			v, err := strconv.ParseUint(in[i:i+3], 8, 8)
			if err != nil {
				return "", fmt.Errorf("file name %q: bad octal escape", report.Truncate(name, 200))
			}
			b.WriteByte(byte(v))
			i += 2
		}
	}
	return b.String(), nil
}

// Git is the change from ref to the working tree of the repository at
// dir: committed, staged and unstaged edits, and untracked files (not
// ignored) whole. Paths are relative to dir.
func Git(ctx context.Context, dir, ref string) (*Set, error) {
	diff := exec.CommandContext(ctx, "git", "-c", "core.quotePath=true", "diff", "-U0", "--no-color", "--no-ext-diff",
		"--no-textconv", "--relative", "--find-renames", ref, "--")
	diff.Dir = dir
	out, err := output("diff", diff)
	if err != nil {
		return nil, err
	}
	s, err := Parse(bytes.NewReader(out))
	if err != nil {
		return nil, fmt.Errorf("read git diff: %w", err)
	}
	others := exec.CommandContext(ctx, "git", "ls-files", "-z", "--others", "--exclude-standard")
	others.Dir = dir
	if out, err = output("ls-files", others); err != nil {
		return nil, err
	}
	for _, f := range strings.Split(string(out), "\x00") {
		if f != "" {
			l, err := s.file(f)
			if err != nil {
				return nil, err
			}
			l.whole = true
		}
	}
	return s, nil
}

// MergeBase is where HEAD of the repository at dir left ref: their merge
// base, the commit a change is counted from as forges count a pull
// request's. Against ref itself, a base that moved on since HEAD left it
// would read as this change undoing every later commit of the base.
func MergeBase(ctx context.Context, dir, ref string) (string, error) {
	if strings.HasPrefix(ref, "-") {
		return "", fmt.Errorf("%q: not a revision", ref)
	}
	cmd := exec.CommandContext(ctx, "git", "merge-base", ref, "HEAD")
	cmd.Dir = dir
	out, err := output("merge-base", cmd)
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 && len(bytes.TrimSpace(ee.Stderr)) == 0 {
		// git's answer when there is no common commit: unrelated
		// histories, or a shallow clone cut short of it.
		return "", fmt.Errorf("%s and HEAD have no commit in common (in a shallow clone, git fetch --unshallow)", ref)
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// output runs a git command; a failure says git's own words, and wraps
// its *exec.ExitError for a caller that tells exit codes apart.
func output(name string, cmd *exec.Cmd) ([]byte, error) {
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return nil, &gitError{name: name, stderr: report.Truncate(strings.TrimSpace(string(ee.Stderr)), 500), err: ee}
	}
	if err != nil {
		return nil, fmt.Errorf("git %s: %w", name, err)
	}
	return out, nil
}

// gitError is a git command that failed: its name and what it said.
type gitError struct {
	name, stderr string
	err          error
}

func (e *gitError) Error() string { return "git " + e.name + ": " + e.stderr }
func (e *gitError) Unwrap() error { return e.err }

// Load reads a change from file (git diff -U0, as the pipelines' fetch
// step writes a pull request's): nil when there is no file (a push: no
// change to narrow the run to), a Set touching everything when it cannot
// be read whole (the safe reading).
func Load(file string) (*Set, error) {
	if file == "" {
		return nil, nil
	}
	f, err := os.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", file)
	}
	s, err := Parse(f)
	if err != nil {
		return &Set{All: true}, nil
	}
	return s, nil
}
