package server_test

import (
	"io"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/reports"
	"github.com/registre/registre/server"
)

// TestReportSlotsApart holds the only report slot with a report that does
// not finish: a second report waits and gets 429, while the public notice,
// which has one render slot of its own, is still drawn.
func TestReportSlotsApart(t *testing.T) {
	db := dbtest.Open(t, dbtest.SQLiteDSN(t))
	drawing, release := make(chan struct{}), make(chan struct{})
	e := apitest.Start(t, db, withPDF(func(c *server.PDFConfig) {
		c.Concurrency, c.Reports, c.Wait = 1, 1, 200*time.Millisecond
		c.Report = func(w io.Writer, data reports.ReportData, opts reports.Options) error {
			drawing <- struct{}{}
			<-release
			return reports.ComplianceReport(w, data, opts)
		}
	}))
	e.Seed("geneve")
	id := publishOne(t, e, "geneve", "Registre des naissances")
	dpo := e.Token(auth.RoleDPO, "geneve")
	first := make(chan *apitest.Response)
	go func() { first <- e.Do("GET", "/api/v1/compliance/report.pdf", dpo, nil) }()
	<-drawing

	r := e.Do("GET", "/api/v1/compliance/report.pdf", e.Token(auth.RoleAuditor, "geneve"), nil)
	checkProblem(t, r, 429, "")
	if r.Header.Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After")
	}
	isPDF(t, e.Must(200, "GET", "/public/v1/processings/"+id+"/notice.pdf", "", nil))
	isPDF(t, e.Must(200, "GET", "/api/v1/processings/"+id+"/notice.pdf", dpo, nil))

	close(release)
	isPDF(t, <-first)
	go func() { <-drawing }() // the next report is drawn at once
	isPDF(t, e.Must(200, "GET", "/api/v1/compliance/report.pdf", dpo, nil))
}
