package leak

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/zricethezav/gitleaks/v8/detect"

	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/tree"
)

// Rule ids.
const (
	// RuleToken: a credential of a known format (gitleaks' rules, ours).
	RuleToken = "secret/token"
	// RulePrivateKey: a private key block.
	RulePrivateKey = "secret/private-key"
	// RuleGeneric: gitleaks' generic-api-key, a credential-named key with
	// a random-looking value; a warning, being a guess.
	RuleGeneric = "secret/generic"
	// RuleAssignment: a credential-named key or argument with a literal.
	RuleAssignment = "secret/assignment"
	// RuleKubernetesSecret: a Kubernetes Secret's data in plain text.
	RuleKubernetesSecret = "secret/kubernetes-secret"
	// RuleURL: a URL carrying a password.
	RuleURL = "secret/url-credentials"
	// RuleTooLarge: a note; a file over MaxFileSize was not scanned.
	RuleTooLarge = "secret/not-scanned"
)

// Rules are the rule ids this package reports.
var Rules = []string{RuleToken, RulePrivateKey, RuleGeneric, RuleAssignment, RuleKubernetesSecret, RuleURL, RuleTooLarge}

// MaxFileSize is the largest file scanned: a credential is typed into a
// configuration file, not a multi-megabyte data dump.
const MaxFileSize = 2 << 20

const helpBase = "https://github.com/plumbline/plumbline/blob/main/docs/rules/secret.md#"

// hit is one credential in one file, before it becomes a finding.
type hit struct {
	rule   string
	detail string // what it is, for the message
	line   int    // 1-based
	col    int    // 1-based byte column of the value, 0 when unknown
	length int    // the value's length in bytes
}

// priority orders hits on one line: the most specific is kept.
func priority(rule string) int {
	return slices.Index([]string{RulePrivateKey, RuleToken, RuleKubernetesSecret, RuleAssignment, RuleURL, RuleGeneric}, rule)
}

// File returns the credentials in one file's contents; name is the path
// shown in findings (and matched by gitleaks' path allowlist: lock files,
// vendored packages).
func File(ctx context.Context, name string, data []byte) ([]report.Finding, error) {
	det, err := tokens()
	if err != nil {
		return nil, err
	}
	if binary(data) || bytes.HasPrefix(data, []byte("$ANSIBLE_VAULT;")) {
		return nil, nil
	}
	lines := splitLines(data)
	var hits []hit
	hits = append(hits, tokenHits(ctx, det, name, data, lines)...)
	switch structured(name) {
	case "yaml":
		ys, sealed := yamlHits(data, lines)
		hits = append(slices.DeleteFunc(hits, func(h hit) bool { return inside(h.line, sealed) }), ys...)
	case "hcl":
		hits = append(hits, hclHits(name, data, lines)...)
	case "env":
		hits = append(hits, envHits(lines)...)
	}
	hits = append(hits, urlHits(lines)...)
	return findings(name, lines, hits), nil
}

// tokenHits runs gitleaks' detector over the file.
func tokenHits(ctx context.Context, det *detect.Detector, name string, data []byte, lines []string) []hit {
	var out []hit
	raw := string(data)
	if rule, ok := det.Config.Rules[genericRule]; ok && genericIdle(rule, det.MaxDecodeDepth, raw, strings.ToLower(raw)) {
		if d, err := withoutGeneric(); err == nil {
			det = d
		}
	}
	for _, f := range det.DetectContext(ctx, detect.Fragment{Raw: raw, FilePath: filepath.ToSlash(name)}) {
		if f.Secret == "" || placeholder(f.Secret) {
			continue
		}
		h := hit{rule: RuleToken, detail: f.RuleID + " (gitleaks rule)", line: f.StartLine + 1, length: len(f.Secret)}
		switch f.RuleID {
		case "private-key":
			h.rule, h.detail = RulePrivateKey, "a private key"
		case "hashicorp-tf-password":
			// gitleaks' name for any password argument in HCL.
			h.rule, h.detail = RuleAssignment, "a value for password (gitleaks rule hashicorp-tf-password)"
		case "generic-api-key":
			h.rule, h.detail = RuleGeneric, "a credential-looking value (gitleaks rule generic-api-key)"
		}
		if h.line >= 1 && h.line <= len(lines) {
			if i := strings.Index(lines[h.line-1], f.Secret); i >= 0 {
				h.col = i + 1
			}
		}
		out = append(out, h)
	}
	return out
}

func inside(line int, ranges [][2]int) bool {
	for _, r := range ranges {
		if line >= r[0] && line <= r[1] {
			return true
		}
	}
	return false
}

// structured says which structured reader a file gets, by name.
func structured(name string) string {
	base := strings.ToLower(filepath.Base(name))
	switch {
	case strings.HasSuffix(base, ".yaml"), strings.HasSuffix(base, ".yml"):
		return "yaml"
	case strings.HasSuffix(base, ".tf"), strings.HasSuffix(base, ".tofu"), strings.HasSuffix(base, ".tfvars"), strings.HasSuffix(base, ".hcl"):
		return "hcl"
	case base == ".env", strings.HasSuffix(base, ".env"), strings.HasPrefix(base, ".env."):
		return "env"
	}
	return ""
}

// findings keeps one hit per line, the most specific, in line order, and
// words each as a finding whose snippet has the value masked.
func findings(name string, lines []string, hits []hit) []report.Finding {
	slices.SortStableFunc(hits, func(a, b hit) int {
		if a.line != b.line {
			return a.line - b.line
		}
		return priority(a.rule) - priority(b.rule)
	})
	var out []report.Finding
	for i, h := range hits {
		if i > 0 && hits[i-1].line == h.line {
			continue
		}
		if h.line >= 1 && h.line <= len(lines) && strings.Contains(lines[h.line-1], "gitleaks:allow") {
			continue // gitleaks' own inline waiver, for every rule
		}
		f := report.Finding{Rule: h.rule, Severity: report.Error, File: name, Line: h.line, Column: h.col,
			Help: helpBase + strings.TrimPrefix(h.rule, "secret/")}
		if h.rule == RuleGeneric {
			f.Severity = report.Warning
		}
		f.Message = fmt.Sprintf("%s in plain text (%d characters): %s", h.detail, h.length, advice(h.rule))
		if h.line >= 1 && h.line <= len(lines) {
			f.Snippet = mask(lines[h.line-1], h.col, h.length)
		}
		out = append(out, f)
	}
	return out
}

func advice(rule string) string {
	switch rule {
	case RuleKubernetesSecret:
		return "encrypt it (SOPS, SealedSecret) or use an ExternalSecret"
	case RuleGeneric:
		return "if it is a credential, revoke it and load it from a secret store"
	}
	return "revoke it, then keep it out of the repository (ansible-vault, SOPS, a secret store)"
}

// mask replaces the value at col (1-based) of length n with ****; with no
// column, everything after the first = or : goes.
func mask(line string, col, n int) string {
	line = strings.TrimRight(line, "\r")
	if col >= 1 && col-1+n <= len(line) {
		return strings.TrimSpace(line[:col-1] + "****" + line[col-1+n:])
	}
	if i := strings.IndexAny(line, "=:"); i >= 0 {
		return strings.TrimSpace(line[:i+1] + " ****")
	}
	return "****"
}

// binary is git's test: a NUL in the first 8000 bytes.
func binary(data []byte) bool {
	return bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0
}

func splitLines(data []byte) []string {
	return strings.Split(string(data), "\n")
}

// Stats counts what a tree scan read.
type Stats struct {
	Files int // text files scanned
}

// Tree scans every regular file under paths (a directory or a file each),
// in parallel, never leaving the tree a path is in (tree.Root) through a
// symlink and skipping what a walk of the tree always skips (.git,
// .terraform, node_modules) and paths ignore matches. Findings are in
// path order.
func Tree(ctx context.Context, walk *tree.Walk, paths []string, ignore *regexp.Regexp, jobs int) ([]report.Finding, Stats, error) {
	var st Stats
	if _, err := tokens(); err != nil {
		return nil, st, err
	}
	type file struct {
		path string
		rd   *tree.Reader
	}
	var files []file
	for _, p := range paths {
		rd, err := tree.NewReader(tree.Root(p))
		if err != nil {
			return nil, st, err
		}
		defer rd.Close()
		names, err := walk.Files(p, ignore)
		if err != nil {
			return nil, st, err
		}
		for _, n := range names {
			files = append(files, file{n, rd})
		}
	}
	results := make([][]report.Finding, len(files))
	errs := make([]error, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(jobs, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i], errs[i] = scanOne(ctx, files[i].rd, files[i].path)
			}
		}()
	}
	for i := range files {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, st, err
	}
	var out []report.Finding
	for i, fs := range results {
		if errs[i] != nil {
			return nil, st, errs[i]
		}
		out = append(out, fs...)
	}
	st.Files = len(files)
	return out, st, nil
}

// scanOne reads and scans one file; a file that is too large, or not a
// regular file inside the root, is a note, not a broken run.
func scanOne(ctx context.Context, rd *tree.Reader, path string) ([]report.Finding, error) {
	name, _ := report.RelPath(path)
	data, err := rd.ReadFile(path, MaxFileSize)
	var te *tree.Error
	if errors.As(err, &te) {
		return []report.Finding{{Rule: RuleTooLarge, Severity: report.Note, File: name,
			Message: "not scanned for credentials: " + te.Msg, Help: helpBase + "not-scanned"}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return File(ctx, name, data)
}
