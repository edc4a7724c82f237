package dbtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
)

// EnvPostgresBin names the directory of PostgreSQL's programs (initdb,
// pg_ctl) for tests that run a server of their own; empty: Debian's
// /usr/lib/postgresql/*/bin, then PATH.
const EnvPostgresBin = "REGISTRE_POSTGRES_BIN"

// Cluster is a PostgreSQL server of one test's own, which the test may stop
// and start again under a running service (the shared test server cannot
// be stopped). It listens on 127.0.0.1 only and is removed when t ends.
type Cluster struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	DSN  string // the postgres database, as superuser postgres
}

// NewCluster initialises and starts a cluster. Without PostgreSQL's
// programs it skips t, or fails it when REGISTRE_REQUIRE_POSTGRES=1.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	bin := postgresBin()
	if bin == "" {
		if os.Getenv(EnvRequirePostgres) == "1" {
			t.Fatalf("PostgreSQL's initdb and pg_ctl not found (set %s) but %s=1", EnvPostgresBin, EnvRequirePostgres)
		}
		t.Skipf("PostgreSQL's initdb and pg_ctl not found (set %s)", EnvPostgresBin)
	}
	// /tmp rather than t.TempDir(): when running as root the server runs as
	// the postgres user, who must reach the directory.
	dir, err := os.MkdirTemp("", "registre-cluster-")
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{t: t, bin: bin, dir: dir, port: freePort(t)}
	t.Cleanup(func() {
		_ = c.run("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop")
		_ = os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root, PostgreSQL needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.run("initdb", "-D", c.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v", err)
	}
	conf := fmt.Sprintf("listen_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\nfsync = off\nsynchronous_commit = off\n", c.port, dir)
	if err := os.WriteFile(filepath.Join(c.data(), "postgresql.auto.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	c.DSN = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
	c.Start()
	return c
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

// Start starts the server and waits until it accepts connections.
func (c *Cluster) Start() {
	c.t.Helper()
	if err := c.run("pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "server.log"), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		c.t.Fatalf("pg_ctl start: %v\n%s", err, log)
	}
}

// Stop stops the server the way an operator does (fast: sessions are
// ended, committed work is kept).
func (c *Cluster) Stop() {
	c.t.Helper()
	if err := c.run("pg_ctl", "-D", c.data(), "-m", "fast", "-w", "-t", "60", "stop"); err != nil {
		c.t.Fatalf("pg_ctl stop: %v", err)
	}
}

func (c *Cluster) run(prog string, args ...string) error {
	path := filepath.Join(c.bin, prog)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = c.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", prog, err, out)
	}
	return nil
}

// postgresBin finds the directory holding initdb and pg_ctl.
func postgresBin() string {
	has := func(dir string) bool {
		for _, p := range []string{"initdb", "pg_ctl"} {
			if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
				return false
			}
		}
		return true
	}
	if d := os.Getenv(EnvPostgresBin); d != "" {
		if has(d) {
			return d
		}
		return ""
	}
	if dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin"); len(dirs) > 0 {
		for i := len(dirs) - 1; i >= 0; i-- { // the newest version first
			if has(dirs[i]) {
				return dirs[i]
			}
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil && has(filepath.Dir(p)) {
		return filepath.Dir(p)
	}
	return ""
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
