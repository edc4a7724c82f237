package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/internal/dbtest"
)

var addrRE = regexp.MustCompile(`msg=listening addr=(\S+)`)

// startServe runs `registre serve` in-process on 127.0.0.1:0 and returns its
// base URL; the server stops when the test ends.
func startServe(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	return serveCapture(t, env, args...).base
}

func waitListening(t *testing.T, r io.Reader) string {
	t.Helper()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if m := addrRE.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				break
			}
		}
		_, _ = io.Copy(io.Discard, r)
	}()
	select {
	case addr := <-found:
		return "http://" + addr
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
		return ""
	}
}

func TestServeAnswersHealthz(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, kind dbtest.Kind, dsn string) {
		base := startServe(t, map[string]string{"REGISTRE_DB": dsn})
		for _, path := range []string{"/healthz", "/readyz"} {
			resp, err := http.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("%s: got %d, want 200", path, resp.StatusCode)
			}
		}
	})
}

func TestMigrateCommand(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, kind dbtest.Kind, dsn string) {
		getenv := func(k string) string { return map[string]string{"REGISTRE_DB": dsn}[k] }
		for _, tt := range []struct {
			args []string
			want string
		}{
			{[]string{"migrate", "status"}, "pending"},
			{[]string{"migrate", "up"}, "applied"},
			{[]string{"migrate", "status"}, "applied"},
			{[]string{"migrate", "down"}, "rolled back"},
			{[]string{"migrate"}, "applied"},
		} {
			var out bytes.Buffer
			if err := run(context.Background(), tt.args, getenv, nil, &out, io.Discard); err != nil {
				t.Fatalf("%v: %v", tt.args, err)
			}
			if !strings.Contains(out.String(), tt.want) {
				t.Fatalf("%v: got %q, want it to contain %q", tt.args, out.String(), tt.want)
			}
		}
		if err := run(context.Background(), []string{"migrate", "sideways"}, getenv, nil, io.Discard, io.Discard); err == nil {
			t.Fatalf("migrate sideways: got nil error")
		}
	})
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	var c config
	e := &env{getenv: func(k string) string {
		return map[string]string{"REGISTRE_DB": "sqlite:env.db", "REGISTRE_ADDR": "127.0.0.1:9"}[k]
	}, stderr: io.Discard}
	fs := flagSet("serve", e, &c)
	if err := parseFlags(fs, []string{"--db", "sqlite:flag.db"}); err != nil {
		t.Fatal(err)
	}
	if c.DB != "sqlite:flag.db" || c.Addr != "127.0.0.1:9" {
		t.Fatalf("got db %q addr %q, want the flag's db and the environment's addr", c.DB, c.Addr)
	}
}

// TestFreshBinary builds the real binary with CGO_ENABLED=0 and runs it with
// nothing configured, in an empty directory: it must answer /healthz.
func TestFreshBinary(t *testing.T) {
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	base := waitListening(t, stderr)
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("got %d, want 200", resp.StatusCode)
	}
	if _, err := os.Stat(filepath.Join(dir, "registre.db")); err != nil {
		t.Fatalf("default database not created in the working directory: %v", err)
	}
}
