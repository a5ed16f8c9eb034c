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

// Write encodes one suite at a time, the document's totals counted first:
// a merged report's 40,000 findings as one document held each message
// three times over.
func (*JUnit) Write(w io.Writer, r *Report) error {
	groups := byTool(r)
	doc := junitSuites{Name: r.Tool}
	for _, g := range groups {
		tests, failures := junitCounts(g)
		doc.Tests += tests
		doc.Failures += failures
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	start := xml.StartElement{Name: xml.Name{Local: "testsuites"}, Attr: []xml.Attr{
		{Name: xml.Name{Local: "name"}, Value: doc.Name},
		{Name: xml.Name{Local: "tests"}, Value: fmt.Sprint(doc.Tests)},
		{Name: xml.Name{Local: "failures"}, Value: fmt.Sprint(doc.Failures)},
		{Name: xml.Name{Local: "errors"}, Value: fmt.Sprint(doc.Errors)},
	}}
	if err := enc.EncodeToken(start); err != nil {
		return err
	}
	for _, g := range groups {
		if err := enc.EncodeElement(junitSuiteOf(g), xml.StartElement{Name: xml.Name{Local: "testsuite"}}); err != nil {
			return err
		}
	}
	if err := enc.EncodeToken(start.End()); err != nil {
		return err
	}
	if err := enc.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitCounts is a suite's testcases (its files, or one) and those that
// fail, without building it.
func junitCounts(g toolGroup) (tests, failures int) {
	failing := map[string]bool{}
	for _, f := range g.findings {
		name := f.File
		if name == "" {
			name = "(" + g.tool + ")"
		}
		failing[name] = failing[name] || f.Severity != Note
	}
	for _, fails := range failing {
		if fails {
			failures++
		}
	}
	return max(len(failing), 1), failures
}

func junitSuiteOf(g toolGroup) junitSuite {
	suite := junitSuite{Name: g.tool}
	if g.version != "" {
		suite.Properties = []junitProperty{{Name: "version", Value: g.version}}
	}
	index := map[string]int{}
	notes := map[int][]string{}
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
			notes[i] = append(notes[i], detail)
			continue
		}
		c.Failures = append(c.Failures, junitFailure{Message: oneLine(f.Message), Type: f.Rule, Text: detail})
	}
	for i, n := range notes {
		suite.Cases[i].SystemOut = strings.Join(n, "\n")
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
	return suite
}
