package zonefile

import (
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestText: kept runs and written lines come out in order, whether the
// runs are copied (short) or referenced (long), across block ends.
func TestText(t *testing.T) {
	long := strings.Repeat("a A 1.2.3.4\n", minRun/12+1)
	data := "x\n" + long + "y\n"
	type op struct {
		keep   bool
		lo, hi int
		line   string
	}
	big := strings.Repeat("b", textBlock)
	for _, tc := range []struct {
		name string
		ops  []op
		want string
	}{
		{"nothing", nil, ""},
		{"all kept", []op{{keep: true, lo: 0, hi: len(data)}}, data},
		{"kept in pieces", []op{{keep: true, lo: 0, hi: 2}, {keep: true, lo: 2, hi: len(data)}}, data},
		{"short run then written", []op{{keep: true, lo: 0, hi: 2}, {line: "w"}, {keep: true, lo: len(data) - 2, hi: len(data)}}, "x\nw\ny\n"},
		{"long run between written", []op{{line: "w"}, {keep: true, lo: 2, hi: 2 + len(long)}, {line: "v"}}, "w\n" + long + "v\n"},
		{"over a block", []op{{line: big}, {line: "c"}, {keep: true, lo: 0, hi: 2}}, big + "\nc\nx\n"},
		{"not contiguous", []op{{keep: true, lo: 0, hi: 2}, {keep: true, lo: len(data) - 2, hi: len(data)}}, "x\ny\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			txt := &text{data: []byte(data)}
			for _, o := range tc.ops {
				if o.keep {
					txt.keep(o.lo, o.hi)
				} else {
					txt.write(o.line)
				}
			}
			got, err := io.ReadAll(txt.reader())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("text (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEstimateRecords(t *testing.T) {
	for _, tc := range []struct {
		text string
		want int
	}{
		{"", 0},
		{"$TTL 60\n; c\n\n@ SOA ns h (\n 1 ; serial (one)\n 2 3 4 5 )\n NS ns\nns A 1.2.3.4", 3},
		{"a RRSIG A 8 2 300 (\n\t\t1 2 3 a.\n\t\tAAAA\n\t\tBBBB )\n\t\t300 NSEC b A RRSIG\n", 2},
		{"x TXT ( a ) )\ny A 1.2.3.4\n", 2}, // too many closed: no negative depth
	} {
		if got := EstimateRecords([]byte(tc.text)); got != tc.want {
			t.Errorf("EstimateRecords(%q) = %d, want %d", tc.text, got, tc.want)
		}
	}
}
