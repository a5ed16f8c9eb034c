package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// JUnit writes one testsuite per tool and one testcase per file; each error
// or warning is a failure of its file's testcase, notes go to system-out.
// CI dashboards that only read JUnit still see what failed and where.
type JUnit struct{}

var _ Writer = (*JUnit)(nil)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string         `xml:"name,attr"`
	Classname string         `xml:"classname,attr"`
	Failures  []junitFailure `xml:"failure"`
	SystemOut string         `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func (*JUnit) Write(w io.Writer, r *Report) error {
	doc := junitSuites{Name: r.Tool}
	for _, g := range byTool(r) {
		suite := junitSuite{Name: g.tool}
		if g.version != "" {
			suite.Properties = []junitProperty{{Name: "version", Value: g.version}}
		}
		index := map[string]int{}
		for _, f := range g.findings {
			name := f.File
			if name == "" {
				name = "(" + g.tool + ")"
			}
			i, ok := index[name]
			if !ok {
				i = len(suite.Cases)
				index[name] = i
				suite.Cases = append(suite.Cases, junitCase{Name: name, Classname: g.tool})
			}
			c := &suite.Cases[i]
			detail := strings.Join(strings.Fields(fmt.Sprintf("%s %s %s:", f.Severity, f.Location(), f.Rule)), " ") + " " + f.Message
			if f.Snippet != "" {
				detail += "\n" + f.Snippet
			}
			if f.Severity == Note {
				c.SystemOut = strings.TrimPrefix(c.SystemOut+"\n"+detail, "\n")
				continue
			}
			c.Failures = append(c.Failures, junitFailure{Message: oneLine(f.Message), Type: f.Rule, Text: detail})
		}
		if len(suite.Cases) == 0 {
			suite.Cases = []junitCase{{Name: "(all files)", Classname: g.tool}}
		}
		for _, c := range suite.Cases {
			if len(c.Failures) > 0 {
				suite.Failures++
			}
		}
		suite.Tests = len(suite.Cases)
		doc.Tests += suite.Tests
		doc.Failures += suite.Failures
		doc.Suites = append(doc.Suites, suite)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
