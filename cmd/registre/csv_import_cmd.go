package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/registre/registre/register"
)

// runCSVImport serves `registre import --csv FILE --org O [--unit U]`: a
// spreadsheet exported as CSV becomes drafts of O, all rows or none. Every
// error is printed with its line and column.
func runCSVImport(ctx context.Context, e *env, args []string) error {
	var c config
	fs := flagSet("import", e, &c)
	file := fs.String("csv", "", "the spreadsheet, exported as CSV (- for standard input)")
	org := fs.String("org", "", "organisation slug")
	unit := fs.String("unit", "", "unit for rows without a unit column")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *file == "" || *org == "" || fs.NArg() > 0 {
		return fmt.Errorf("import: want --csv FILE --org O [--unit U]")
	}
	var in io.Reader = e.stdin
	if *file != "-" {
		f, err := os.Open(*file)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		in = f
	}
	app, err := c.open(ctx, e)
	if err != nil {
		return err
	}
	defer app.close()
	operator := register.CommandLine("import")
	items, err := app.svc.ImportCSV(ctx, operator, *org, *unit, in)
	if err != nil {
		if de, ok := register.AsError(err); ok && len(de.Fields) > 0 {
			fmt.Fprintln(e.stderr, de.Message)
			for _, fe := range de.Fields {
				fmt.Fprintf(e.stderr, "%s: %s\n", fe.Field, fe.Message)
			}
			return exitCode(1)
		}
		return describe(err)
	}
	fmt.Fprintf(e.stdout, "imported %d processings as drafts into %s\n", len(items), *org)
	return nil
}
