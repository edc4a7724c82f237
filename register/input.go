package register

import (
	"strings"
	"unicode/utf8"
)

// Text that reaches the store as a lookup key or a search term must be
// UTF-8 without NUL: PostgreSQL refuses other bytes, and cuts the text of a
// query at a NUL, so such input would come back as a database error (a
// 500) instead of the caller's mistake. The HTTP side refuses it before
// routing; these checks keep every other caller (commands, tests, future
// handlers) from handing it to the store.

// storable reports whether s is UTF-8 text without NUL.
func storable(s string) bool {
	return strings.IndexByte(s, 0) < 0 && utf8.ValidString(s)
}

// checkTerms refuses search terms and filters that are not storable text;
// pairs are field name, value.
func checkTerms(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if !storable(pairs[i+1]) {
			return invalid(FieldError{Field: pairs[i], Message: "must be UTF-8 text without NUL characters"})
		}
	}
	return nil
}

// storableKeys reports whether every key (a slug, a username) is storable
// text; a key that is not cannot name anything, so callers answer "not
// found".
func storableKeys(keys ...string) bool {
	for _, k := range keys {
		if !storable(k) {
			return false
		}
	}
	return true
}

func (f PublicFilter) check() error {
	return checkTerms("org", f.Organisation, "q", f.Query, "category", f.Category, "legal_basis", string(f.BasisType))
}

func (f ProcessingFilter) check() error {
	return checkTerms("org", f.Organisation, "unit", f.Unit, "status", string(f.Status), "q", f.Query)
}

func (f AuditFilter) check() error {
	return checkTerms("org", f.Organisation, "actor", f.Actor, "target", f.Target, "action", f.Action)
}
