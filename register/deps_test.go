package register_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The domain knows nothing of HTTP, SQL drivers, bun or PDF, nor of file
// formats (spreadsheets are package spreadsheet's) or of how tokens are
// signed and passwords hashed (package auth; the domain sees auth/identity).
func TestDomainImports(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "github.com/registre/registre/register").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	// database/sql/driver is allowed: uuid implements its Valuer interface.
	for _, dep := range strings.Fields(string(out)) {
		// auth/identity (roles, Principal) is the leaf of auth the domain
		// may use; auth itself brings JWT and argon2.
		if dep == "database/sql/driver" || dep == "github.com/registre/registre/auth/identity" {
			continue
		}
		for _, banned := range []string{"net/http", "database/sql", "github.com/uptrace/bun", "modernc.org/sqlite", "github.com/jackc/pgx", "github.com/jung-kurt/gofpdf", "github.com/registre/registre/sqlstore", "github.com/registre/registre/server", "encoding/csv", "golang.org/x/text/encoding/charmap", "github.com/golang-jwt/jwt", "golang.org/x/crypto/argon2", "github.com/registre/registre/auth", "github.com/registre/registre/spreadsheet"} {
			if dep == banned || strings.HasPrefix(dep, banned+"/") {
				t.Errorf("register depends on %s", dep)
			}
		}
	}
}
