package main

import (
	"context"
	"fmt"

	"github.com/registre/registre/migrations"
	"github.com/registre/registre/sqlstore"
)

func runMigrate(ctx context.Context, e *env, args []string) error {
	var c config
	fs := flagSet("migrate", e, &c)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	action := "up"
	if fs.NArg() > 0 {
		action = fs.Arg(0)
	}
	if fs.NArg() > 1 {
		return fmt.Errorf("migrate: one action at most, got %q", fs.Args())
	}
	db, err := sqlstore.Open(ctx, c.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	switch action {
	case "up":
		names, err := migrations.Up(ctx, db.Bun())
		if err != nil {
			return err
		}
		log, err := c.logger(e.stderr)
		if err != nil {
			return err
		}
		if err := runMaintenance(ctx, newService(db, log), log); err != nil {
			return err
		}
		if len(names) == 0 {
			fmt.Fprintln(e.stdout, "nothing to apply: the schema is up to date")
		}
		for _, n := range names {
			fmt.Fprintln(e.stdout, "applied", n)
		}
	case "down":
		names, err := migrations.Down(ctx, db.Bun())
		if err != nil {
			return err
		}
		if len(names) == 0 {
			fmt.Fprintln(e.stdout, "nothing to roll back")
		}
		for _, n := range names {
			fmt.Fprintln(e.stdout, "rolled back", n)
		}
	case "status":
		list, err := migrations.List(ctx, db.Bun())
		if err != nil {
			return err
		}
		for _, m := range list {
			state := "pending"
			if m.Applied {
				state = "applied"
			}
			fmt.Fprintf(e.stdout, "%-8s %s_%s\n", state, m.Name, m.Comment)
		}
	default:
		return fmt.Errorf("migrate: unknown action %q (want up, down or status)", action)
	}
	return nil
}
