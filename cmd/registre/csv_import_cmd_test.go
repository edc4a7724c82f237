package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/registre/registre/internal/dbtest"
)

func TestImportCSVCommand(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, kind dbtest.Kind, dsn string) {
		cmdRun(t, dsn, nil, "demo")
		getenv := func(k string) string { return map[string]string{"REGISTRE_DB": dsn}[k] }
		var out, errb bytes.Buffer
		err := run(context.Background(), []string{"import", "--csv", "-", "--org", "carouge", "--unit", "administration"}, getenv,
			strings.NewReader("Nom du traitement;Finalité;Durées de conservation\nArchives photographiques;Conserver les photographies;dix ans\n"), &out, &errb)
		var code exitCode
		if !errors.As(err, &code) || code != 1 || !strings.Contains(errb.String(), `line 2, column "Durées de conservation"`) {
			t.Fatalf("bad file: got %v, stderr %q", err, errb.String())
		}
		out.Reset()
		if err := run(context.Background(), []string{"import", "--csv", "../../docs/examples/registre-cnil.csv", "--org", "carouge"}, getenv, nil, &out, &errb); err == nil {
			t.Fatalf("units missing in carouge: want an error")
		}
		err = run(context.Background(), []string{"import", "--csv", "-", "--org", "carouge", "--unit", "administration"}, getenv,
			strings.NewReader("Nom du traitement;Finalité;Durées de conservation\nArchives photographiques;Conserver les photographies;10 ans\n"), &out, &errb)
		if err != nil || !strings.Contains(out.String(), "imported 1 processings as drafts into carouge") {
			t.Fatalf("good file: got %v, %q", err, out.String())
		}
	})
}
