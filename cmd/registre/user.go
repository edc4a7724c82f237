package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/register"
)

// runUser serves `registre user add`: it creates a local account from the
// command line of the server, where whoever runs it already holds the
// database; the audit trail signs it "cli:user-add" (role "cli").
func runUser(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("user: want `user add --username U --role R [--org O] [--units a,b] [--email E]`")
	}
	var c config
	fs := flagSet("user add", e, &c)
	username := fs.String("username", "", "account name: 2 to 64 characters of a-z, 0-9, '.', '_', '@', '-'")
	role := fs.String("role", "", "admin, dpo, editor or auditor")
	org := fs.String("org", "", "organisation slug (not for admin)")
	units := fs.String("units", "", "comma-separated unit slugs (editor only)")
	email := fs.String("email", "", "the address the reminders' digests go to (optional)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	password, generated, err := readPassword(e)
	if err != nil {
		return err
	}
	app, err := c.open(ctx, e)
	if err != nil {
		return err
	}
	defer app.close()
	svc := app.svc
	a, err := svc.CreateUserAsOperator(ctx, register.NewAccount{
		Username: *username, Password: password, Role: *role, Org: *org, Units: splitList(*units), Email: *email,
	})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(e.stdout, "created account %s (role %s", a.Username, a.Role)
	if a.Org != "" {
		fmt.Fprintf(e.stdout, ", organisation %s", a.Org)
	}
	if len(a.Units) > 0 {
		fmt.Fprintf(e.stdout, ", units %s", strings.Join(a.Units, ","))
	}
	if a.Email != "" {
		fmt.Fprintf(e.stdout, ", e-mail %s", a.Email)
	}
	fmt.Fprintln(e.stdout, ")")
	if generated {
		fmt.Fprintf(e.stdout, "password (shown only now): %s\n", password)
	}
	return nil
}

// readPassword takes the first line of stdin as the password; an empty
// first line, or no input at all, asks for a generated one. A terminal gets
// a prompt on stderr (the password is echoed there: prefer a pipe).
func readPassword(e *env) (password string, generated bool, err error) {
	if e.stdin != nil {
		if f, ok := e.stdin.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				fmt.Fprint(e.stderr, "password (at least 12 characters, not a common one; empty line: generate one): ")
			}
		}
		line, err := bufio.NewReaderSize(io.LimitReader(e.stdin, auth.MaxPasswordLength+2), 4096).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", false, fmt.Errorf("reading the password from stdin: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	if password != "" {
		return password, false, nil
	}
	password, err = auth.GeneratePassword()
	return password, true, err
}

// describe turns a domain error into a message for the terminal, field by
// field; the password itself is never part of it.
func describe(err error) error {
	e, ok := register.AsError(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	var b strings.Builder
	b.WriteString(e.Message)
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "\n  %s: %s", f.Field, f.Message)
	}
	return errors.New(b.String())
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
