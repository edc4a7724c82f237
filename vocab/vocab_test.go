package vocab

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoad(t *testing.T) {
	v, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Subjects) < 20 || len(v.Categories) < 40 || len(v.Laws) < 40 {
		t.Fatalf("subjects %d, categories %d, laws %d: the files were not read whole", len(v.Subjects), len(v.Categories), len(v.Laws))
	}
	for _, terms := range [][]Term{v.Subjects, v.Categories} {
		for _, term := range terms {
			if term.FR == "" || term.EN == "" {
				t.Errorf("%s: a name is missing on one side (fr %q, en %q)", term.Key, term.FR, term.EN)
			}
		}
	}
	sensitive := 0
	for _, c := range v.Categories {
		if c.Sensitive {
			sensitive++
		}
	}
	if sensitive == 0 || sensitive == len(v.Categories) {
		t.Errorf("%d of %d categories sensitive: the column was misread", sensitive, len(v.Categories))
	}
}

func TestLawURL(t *testing.T) {
	v, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ ref, want string }{
		{"LIPAD", "https://silgeneve.ch/legis/data/rsg_a2_08.htm"},
		{"LIPAD art. 35", "https://silgeneve.ch/legis/data/rsg_a2_08.htm"},
		{"RIPAD art. 16", "https://silgeneve.ch/legis/data/rsg_a2_08p01.htm"},
		{"LIPADX", ""},
		{"", ""},
	}
	for _, c := range cases {
		if got := v.LawURL(c.ref); got != c.want {
			t.Errorf("LawURL(%q) = %q, want %q", c.ref, got, c.want)
		}
	}
}

// TestCopiesInStep compares the embedded copies with the shared reference
// files when they are at hand (a developer's machine; not a clean clone).
func TestCopiesInStep(t *testing.T) {
	for _, name := range []string{"vocabulary.csv", "legal_references.csv"} {
		orig, err := os.ReadFile(filepath.Join("..", "..", "shared", "reference", name))
		if err != nil {
			t.Skipf("shared/reference not at hand: %v", err)
		}
		cp, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if string(orig) != string(cp) {
			t.Errorf("vocab/%s differs from shared/reference/%s: copy it again", name, name)
		}
	}
}
