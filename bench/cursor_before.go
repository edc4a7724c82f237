//go:build before

package main

import (
	"context"
	"fmt"

	"github.com/registre/registre/register"
)

// cursorPages: the service before issue 17 has no cursors.
func cursorPages(context.Context, *register.Service, int) error {
	fmt.Println("public list by cursor: not available before issue 17")
	return nil
}
