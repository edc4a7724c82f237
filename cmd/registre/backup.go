package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/registre/registre/register"
)

// runExport serves `registre export [--out FILE]`: the whole register, every
// version, the audit trail and (unless --no-secrets) the accounts and signing
// keys, as one JSON document.
func runExport(ctx context.Context, e *env, args []string) error {
	var c config
	fs := flagSet("export", e, &c)
	out := fs.String("out", "-", "file to write, - for standard output")
	noSecrets := fs.Bool("no-secrets", false, "leave out accounts, password hashes and signing keys")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	app, err := c.open(ctx, e)
	if err != nil {
		return err
	}
	defer app.close()
	b, err := app.svc.Export(ctx, nil)
	if err != nil {
		return err
	}
	if *noSecrets {
		b.Secrets = nil
	}
	data, err := encodeBackup(b)
	if err != nil {
		return err
	}
	if *out == "-" {
		_, err = e.stdout.Write(data)
		return err
	}
	// 0600: the document holds password hashes and private keys.
	return os.WriteFile(*out, data, 0o600)
}

// encodeBackup writes the document compactly: the versions inside it are
// then the very bytes they were saved with.
func encodeBackup(b *register.Backup) ([]byte, error) {
	data, err := json.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("encode export: %w", err)
	}
	return append(data, '\n'), nil
}

// runImport serves `registre import FILE` (a document of `registre export`,
// into an empty database) and `registre import --csv FILE --org O` (a
// spreadsheet, see docs/migrating.md).
func runImport(ctx context.Context, e *env, args []string) error {
	for _, a := range args {
		if a == "--csv" || a == "-csv" || strings.HasPrefix(a, "--csv=") || strings.HasPrefix(a, "-csv=") {
			return runCSVImport(ctx, e, args)
		}
	}
	var c config
	fs := flagSet("import", e, &c)
	var opts register.ImportOptions
	fs.BoolVar(&opts.WithAccounts, "with-accounts", false, "restore the accounts, password hashes and signing keys of the document (it is refused if it holds some and neither this nor --no-accounts is given)")
	fs.BoolVar(&opts.WithoutAccounts, "no-accounts", false, "leave the accounts and signing keys of the document out")
	fs.StringVar(&opts.ExpectHead, "expect-head", "", "a head saved from the source (`registre audit head`): the document's audit trail must pass through it")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("import: want one FILE (a document of `registre export`, - for standard input), or --csv FILE --org O")
	}
	var data []byte
	var err error
	if fs.Arg(0) == "-" {
		data, err = io.ReadAll(e.stdin)
	} else {
		data, err = os.ReadFile(fs.Arg(0))
	}
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	var b register.Backup
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return fmt.Errorf("import: not a document of `registre export`: %w", err)
	}
	if err := compactData(&b); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	app, err := c.open(ctx, e)
	if err != nil {
		return err
	}
	defer app.close()
	if err := app.svc.Import(ctx, &b, opts); err != nil {
		return describe(fmt.Errorf("import: %w", err))
	}
	fmt.Fprintf(e.stdout, "imported %d organisations, %d processings, %d versions, %d audit entries; audit head %s\n",
		len(b.Organisations), len(b.Processings), len(b.Versions), len(b.Audit), b.AuditHead)
	if n, admins := register.ImportSummary(&b); n > 0 {
		list := "none"
		if len(admins) > 0 {
			list = strings.Join(admins, ", ")
		}
		fmt.Fprintf(e.stdout, "restored %d accounts; administrators: %s\n", n, list)
	}
	return nil
}

// compactData undoes any pretty-printing of the embedded records, so that
// they are stored as the compact bytes they were exported as.
func compactData(b *register.Backup) error {
	compact := func(raw *json.RawMessage) error {
		var buf bytes.Buffer
		if err := json.Compact(&buf, *raw); err != nil {
			return err
		}
		*raw = buf.Bytes()
		return nil
	}
	for i := range b.Processings {
		if err := compact(&b.Processings[i].Data); err != nil {
			return fmt.Errorf("processings[%d].data: %w", i, err)
		}
	}
	for i := range b.Versions {
		if err := compact(&b.Versions[i].Data); err != nil {
			return fmt.Errorf("versions[%d].data: %w", i, err)
		}
	}
	for i := range b.Publications {
		if err := compact(&b.Publications[i].Data); err != nil {
			return fmt.Errorf("publications[%d].data: %w", i, err)
		}
	}
	return nil
}
