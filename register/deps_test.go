package register_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The domain knows nothing of HTTP, SQL drivers, bun or PDF.
func TestDomainImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/registre/registre/register").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	// database/sql/driver is allowed: uuid implements its Valuer interface.
	for _, dep := range strings.Fields(string(out)) {
		if dep == "database/sql/driver" {
			continue
		}
		for _, banned := range []string{"net/http", "database/sql", "github.com/uptrace/bun", "modernc.org/sqlite", "github.com/jackc/pgx", "github.com/jung-kurt/gofpdf", "github.com/registre/registre/sqlstore", "github.com/registre/registre/server"} {
			if dep == banned || strings.HasPrefix(dep, banned+"/") {
				t.Errorf("register depends on %s", dep)
			}
		}
	}
}
