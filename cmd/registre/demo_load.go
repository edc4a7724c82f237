package main

import (
	"context"
	"fmt"

	"github.com/registre/registre/internal/demo"
)

// runDemoLoad serves `registre demo`: it loads the demo register (the canton
// and three cities, about forty processings in every state). Loading twice
// changes nothing.
func runDemoLoad(ctx context.Context, e *env, args []string) error {
	var c config
	fs := flagSet("demo", e, &c)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	app, err := c.open(ctx, e)
	if err != nil {
		return err
	}
	defer app.close()
	sum, err := demo.Load(ctx, app.svc)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintln(e.stdout, sum)
	return nil
}
