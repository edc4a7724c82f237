package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"

	"github.com/registre/registre/register"
	"github.com/registre/registre/reports"
)

// runPDF serves `registre pdf notice ID`, `registre pdf register --org O`
// and `registre pdf report --org O`: the documents of the HTTP API, written
// to stdout. The notice and the register are the published ones, as the
// public gets them; the report is the auditor's, read as an administrator.
func runPDF(ctx context.Context, e *env, args []string) error {
	const use = "pdf: want `pdf notice ID [--lang fr|en]`, `pdf register --org O [--lang fr|en]` or `pdf report --org O [--lang fr|en]`"
	if len(args) == 0 {
		return fmt.Errorf("%s", use)
	}
	kind := args[0]
	if kind != "notice" && kind != "register" && kind != "report" {
		return fmt.Errorf("%s", use)
	}
	var c config
	fs := flagSet("pdf "+kind, e, &c)
	lang := fs.String("lang", "fr", "language of the document: fr or en")
	org := fs.String("org", "", "organisation slug (register, report)")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	l, err := reports.ParseLang(*lang)
	if err != nil {
		return fmt.Errorf("pdf: --lang: %w", err)
	}
	switch {
	case kind == "notice" && len(pos) != 1:
		return fmt.Errorf("pdf notice: give one processing id")
	case kind != "notice" && len(pos) != 0:
		return fmt.Errorf("pdf %s: unexpected argument %q", kind, pos[0])
	case kind != "notice" && *org == "":
		return fmt.Errorf("pdf %s: --org is required", kind)
	}
	app, err := c.open(ctx, e)
	if err != nil {
		return err
	}
	defer app.close()
	svc := app.svc
	opts := reports.Options{Lang: l, PublicURL: c.PublicURL}
	var buf bytes.Buffer
	switch kind {
	case "notice":
		err = pdfNotice(ctx, svc, pos[0], &buf, opts)
	case "register":
		err = pdfRegister(ctx, svc, *org, &buf, opts)
	case "report":
		var data *register.AuditorReport
		operator := register.CommandLine("pdf")
		if data, err = svc.AuditorReport(ctx, operator, *org, 0); err == nil {
			err = reports.ComplianceReport(&buf, *data, opts)
		}
	}
	if err != nil {
		return fmt.Errorf("pdf %s: %w", kind, err)
	}
	_, err = e.stdout.Write(buf.Bytes())
	return err
}

// pdfNotice draws the notice of the published version of a processing.
func pdfNotice(ctx context.Context, svc *register.Service, id string, buf *bytes.Buffer, opts reports.Options) error {
	pub, err := svc.PublicProcessing(ctx, id)
	if err != nil {
		if register.ErrorCode(err) == register.ENotFound {
			return fmt.Errorf("processing %s is not published (or does not exist)", id)
		}
		return err
	}
	var p register.PublicProcessing
	if err := json.Unmarshal(pub.Data, &p); err != nil {
		return fmt.Errorf("decode publication: %w", err)
	}
	org, err := svc.Store().GetOrganisation(ctx, pub.Organisation)
	if err != nil {
		return err
	}
	return reports.Notice(buf, &p, org, opts)
}

// pdfRegister draws the public register of an organisation.
func pdfRegister(ctx context.Context, svc *register.Service, slug string, buf *bytes.Buffer, opts reports.Options) error {
	org, err := svc.Store().GetOrganisation(ctx, slug)
	if err != nil {
		if register.ErrorCode(err) == register.ENotFound {
			return fmt.Errorf("no organisation %q", slug)
		}
		return err
	}
	var ps []*register.PublicProcessing
	f := register.PublicFilter{Organisation: slug, PerPage: register.MaxPerPage}
	for f.Page = 1; ; f.Page++ {
		items, total, err := svc.ListPublic(ctx, f)
		if err != nil {
			return err
		}
		for _, it := range items {
			p := new(register.PublicProcessing)
			if err := json.Unmarshal(it.Data, p); err != nil {
				return fmt.Errorf("decode publication %s: %w", it.ProcessingID, err)
			}
			ps = append(ps, p)
		}
		if f.Page*f.PerPage >= total || len(items) == 0 {
			break
		}
	}
	return reports.Register(buf, org, ps, opts)
}

// parseInterleaved parses flags that may come before or after positional
// arguments (`pdf notice ID --lang en`); the flag package stops at the
// first positional one.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
