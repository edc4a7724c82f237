package spreadsheet

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"time"

	"github.com/registre/registre/auth/identity"
	"github.com/registre/registre/register"
)

// XLSXType is the media type of an XLSX workbook.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// RegisterXLSX writes the register of org as a workbook (register.SheetRow
// per processing, under register.SheetHeader). It returns the bytes and a
// file name for them. The workbook is built in memory: a register of
// 10,000 processings is a few megabytes.
func RegisterXLSX(ctx context.Context, svc *register.Service, p *identity.Principal, org string, now time.Time) ([]byte, string, error) {
	x, err := NewXLSX("Registre", register.SheetHeader())
	if err != nil {
		return nil, "", err
	}
	defer x.Close()
	slug := ""
	err = svc.ExportSheet(ctx, p, org, func(pr *register.Processing) error {
		slug = pr.Organisation
		return x.Row(register.SheetRow(pr))
	})
	if err != nil {
		return nil, "", err
	}
	var b bytes.Buffer
	if _, err := x.WriteTo(&b); err != nil {
		return nil, "", err
	}
	return b.Bytes(), fileName(org, slug, p, now, "xlsx"), nil
}

// RegisterCSV is RegisterXLSX as CSV (UTF-8 with a byte order mark, for
// spreadsheets; cells neutralised against formulas, SafeCell).
func RegisterCSV(ctx context.Context, svc *register.Service, p *identity.Principal, org string, now time.Time) ([]byte, string, error) {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	cw := csv.NewWriter(&b)
	if err := cw.Write(register.SheetHeader()); err != nil {
		return nil, "", err
	}
	slug := ""
	err := svc.ExportSheet(ctx, p, org, func(pr *register.Processing) error {
		slug = pr.Organisation
		row := register.SheetRow(pr)
		for i := range row {
			row[i] = SafeCell(row[i])
		}
		return cw.Write(row)
	})
	if err != nil {
		return nil, "", err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return nil, "", fmt.Errorf("csv: %w", err)
	}
	return b.Bytes(), fileName(org, slug, p, now, "csv"), nil
}

func fileName(org, slug string, p *identity.Principal, now time.Time, ext string) string {
	if slug == "" {
		slug = org
	}
	if slug == "" && p != nil {
		slug = p.Org
	}
	return "registre-" + slug + "-" + now.Format("2006-01-02") + "." + ext
}
