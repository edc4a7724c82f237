package jsonapi

import (
	"net/url"
	"strings"

	"github.com/registre/registre/register"
	"github.com/registre/registre/server/httpkit"
)

// listFilters reads the register list's filters on the standing kept with
// each record: sensitive, blocking and overdue (true or false), view, and
// sort (a column, "-" first for descending: sort=-updated). Unknown views
// and sort columns are the service's to refuse (422).
func listFilters(q url.Values, f *register.ProcessingFilter) error {
	var bad []register.FieldError
	for _, b := range []struct {
		name string
		dst  **bool
	}{{"sensitive", &f.Sensitive}, {"blocking", &f.Blocking}} {
		switch v := q.Get(b.name); v {
		case "":
		case "true", "false":
			x := v == "true"
			*b.dst = &x
		default:
			bad = append(bad, register.FieldError{Field: b.name, Message: "must be true or false"})
		}
	}
	switch v := q.Get("overdue"); v {
	case "", "false":
	case "true":
		f.Overdue = true
	default:
		bad = append(bad, register.FieldError{Field: "overdue", Message: "must be true or false"})
	}
	if bad != nil {
		return httpkit.BadRequest("a query parameter has the wrong type", bad...)
	}
	f.View = register.View(q.Get("view"))
	if s := q.Get("sort"); s != "" {
		f.Desc = strings.HasPrefix(s, "-")
		f.Sort = register.SortKey(strings.TrimPrefix(s, "-"))
		if f.Sort == "" {
			f.Sort = register.SortKey(s) // "-" alone: refused by the service as it is
		}
	}
	return nil
}
