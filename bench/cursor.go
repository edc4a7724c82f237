//go:build !before

package main

import (
	"context"
	"fmt"

	"github.com/registre/registre/register"
)

// cursorPages measures the first and the last page of the public list and
// of a frequent-word search by cursor, through the domain service (the HTTP
// side of cursors is wired separately). The walk to the last page stops at
// page 400: a search that ranks every match of a frequent word (before
// SearchRankCap) would otherwise take hours to walk.
func cursorPages(ctx context.Context, svc *register.Service, reqs int) error {
	for _, q := range []string{"", "registre"} {
		f := register.PublicFilter{Query: q, PerPage: 50}
		first := f
		pages := 0
		for {
			page, err := svc.ListPublicPage(ctx, f)
			if err != nil {
				return err
			}
			pages++
			if page.NextCursor == "" || pages == 400 {
				break
			}
			f.Cursor = page.NextCursor
		}
		last := f // the filter that fetched the last page
		for _, c := range []struct {
			name string
			f    register.PublicFilter
		}{{"first", first}, {"last", last}} {
			l, err := latency(reqs/4, 1, func(int) error {
				_, err := svc.ListPublicPage(ctx, c.f)
				return err
			})
			if err != nil {
				return err
			}
			fmt.Printf("public list by cursor q=%q %s of %d pages (domain): %s\n", q, c.name, pages, l)
		}
	}
	return nil
}
