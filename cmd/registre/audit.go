package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/registre/registre/register"
)

// runAudit serves `registre audit verify [--head H]` and `registre audit head`.
func runAudit(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "head") {
		return fmt.Errorf("audit: want `audit verify [--head SEQ:HASH]` or `audit head`")
	}
	var c config
	fs := flagSet("audit "+args[0], e, &c)
	head := fs.String("head", "", "a head saved earlier (`registre audit head`): the trail must still pass through it")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	app, err := c.open(ctx, e)
	if err != nil {
		return err
	}
	defer app.close()
	svc := app.svc
	res, err := svc.VerifyAudit(ctx, nil, *head)
	if err != nil {
		return err
	}
	if args[0] == "head" {
		if !res.OK {
			fmt.Fprintf(e.stderr, "warning: the trail is broken at entry %d (%s); this head is not trustworthy\n", res.FirstBad, res.Reason)
		}
		fmt.Fprintln(e.stdout, register.FormatHead(res.Entries, res.Head))
		return nil
	}
	if *asJSON {
		b, _ := json.Marshal(res)
		fmt.Fprintln(e.stdout, string(b))
	} else if res.OK {
		fmt.Fprintf(e.stdout, "ok: %d entries, head %s\n", res.Entries, register.FormatHead(res.Entries, res.Head))
	} else {
		fmt.Fprintf(e.stdout, "BROKEN: first bad entry is seq %d: %s (%d entries verified before it)\n", res.FirstBad, res.Reason, res.Entries)
	}
	if !res.OK {
		return exitCode(1)
	}
	return nil
}
