package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/registre/registre/sqlstore"
	"github.com/registre/registre/translog"
)

// logOrigin is the origin line given to a new log: the flag, or the public
// URL's host and path + "/log", or a placeholder that says it was not set.
func (c *config) logOrigin() string {
	if c.LogOrigin != "" {
		return c.LogOrigin
	}
	if u, err := url.Parse(c.PublicURL); err == nil && u.Host != "" {
		return u.Host + strings.TrimSuffix(u.Path, "/") + "/log"
	}
	return "registre.invalid/log"
}

// setupLog prepares the transparency log: origin and key at the first
// start, a record for every publication made before the log existed.
func (c *config) setupLog(ctx context.Context, tl *sqlstore.TransLog, log *slog.Logger) error {
	origin := c.logOrigin()
	if !translog.ValidOrigin(origin) {
		return fmt.Errorf("REGISTRE_LOG_ORIGIN: %q is not one line of text", origin)
	}
	n, err := tl.Setup(ctx, origin, c.LogKey, time.Now())
	if err != nil {
		return err
	}
	if n > 0 {
		log.InfoContext(ctx, "transparency log: recorded publications made before it existed", "records", n)
	}
	return nil
}

// runLog serves `registre log head|keys|rotate-key`.
func runLog(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "head" && args[0] != "keys" && args[0] != "rotate-key") {
		return fmt.Errorf("log: want `log head`, `log keys` or `log rotate-key`")
	}
	var c config
	fs := flagSet("log "+args[0], e, &c)
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	app, err := c.open(ctx, e)
	if err != nil {
		return err
	}
	defer app.close()
	switch args[0] {
	case "head":
		cp, _, err := app.tlog.Checkpoint(ctx)
		if err != nil {
			return err
		}
		_, err = e.stdout.Write(cp)
		return err
	case "keys":
		keys, err := app.tlog.Keys(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, strings.Join(keys, "\n"))
		return nil
	}
	if c.LogKey != "" {
		return fmt.Errorf("log rotate-key: the operator gives the key (REGISTRE_LOG_KEY); rotate it by giving a new key with a new name")
	}
	vkey, err := app.tlog.RotateKey(ctx, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "new key (signs from now on; the old ones stay published):\n%s\n", vkey)
	return nil
}
