package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/registre/registre/register"
)

// TestReportForReader draws the report as a reader who is not an
// administrator gets it (register.VerifyResult.ForReader: the chain's
// verdict without its length or head)
// and with bounded lists (how many processings each leaves out).
func TestReportForReader(t *testing.T) {
	t.Parallel()
	data := fixtureReport()
	data.Omitted, data.OverdueTotal, data.SensitiveTotal = 7, 4, 9
	tests := []struct {
		name   string
		verify register.VerifyResult
		want   []string
		absent []string
	}{
		{"Intact", register.VerifyResult{OK: true},
			[]string{"Chain intact: the whole audit trail was verified.", "… and 7 more processing(s)", "… and 3 more processing(s)"},
			[]string{"Chain head", "entries verified"}},
		{"Broken", register.VerifyResult{OK: false},
			[]string{"Chain BROKEN: an administrator has the details."},
			[]string{"Chain head", "at entry"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data.Verify = tt.verify
			var b bytes.Buffer
			if err := ComplianceReport(&b, data, Options{Lang: English}); err != nil {
				t.Fatal(err)
			}
			text := strings.Join(strings.Fields(pdfText(t, b.Bytes())), " ")
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("got no %q in the report", w)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(text, a) {
					t.Errorf("got %q in the report, want it only for administrators", a)
				}
			}
		})
	}
}
