package register_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/registre/registre/register"
)

// TestEveryAuditActionIsKnown reads the package's source for its Action…
// constants: each must be in AuditActions, which a backup's import checks
// every entry against (one missing once made a register whose reminder
// settings had changed impossible to restore).
func TestEveryAuditActionIsKnown(t *testing.T) {
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	known := register.AuditActions()
	found := 0
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				for i, name := range vs.Names {
					// ActionProcessingRef is the prefix of a target, not an action.
					if !strings.HasPrefix(name.Name, "Action") || name.Name == "ActionProcessingRef" || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					v, _ := strconv.Unquote(lit.Value)
					found++
					if !slices.Contains(known, v) {
						t.Errorf("%s (%q) is not in AuditActions", name.Name, v)
					}
				}
			}
		}
	}
	if found < 30 {
		t.Fatalf("found %d Action constants; the test no longer reads them", found)
	}
}
