package labels_test

import (
	"strings"
	"testing"

	"github.com/registre/registre/labels"
	"github.com/registre/registre/register"
)

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// Every value of every enumeration the domain knows has words in every
// language of the register: a value added to the domain, or a language
// added to Languages, fails here until its words are written.
func TestEveryEnumValueHasWordsInEveryLanguage(t *testing.T) {
	t.Parallel()
	table := labels.New()
	kinds := map[string][]string{
		labels.Basis:     strs(register.LegalBasisTypes()),
		labels.Recipient: strs(register.RecipientTypes()),
		labels.Safeguard: strs(register.Safeguards()),
		labels.Disposal:  strs(register.Disposals()),
		labels.Security:  strs(register.SecurityCategories()),
		labels.DPIA:      strs(register.DPIAStatuses()),
		labels.Status:    strs(register.Statuses()),
		labels.Severity:  {string(register.SeverityError), string(register.SeverityWarning)},
		labels.Criterion: strs(register.DPIACriteria()),
		labels.Authority: strs(register.Authorities()),
		labels.Provision: strs(register.Provisions()),
		labels.Exception: strs(register.InfoExceptions()),
	}
	for kind, values := range kinds {
		if len(values) == 0 {
			t.Errorf("%s: the domain lists no values", kind)
		}
		for _, v := range values {
			for _, l := range labels.Languages() {
				s, ok := table.Enum(l, kind, v)
				if !ok || strings.TrimSpace(s) == "" {
					t.Errorf("%s %q has no words in %s", kind, v, l)
				}
			}
		}
	}
}

func TestUnknownValueHasNoWords(t *testing.T) {
	t.Parallel()
	if s, ok := labels.New().Enum(labels.French, labels.Basis, "new_kind"); ok {
		t.Errorf("got %q for an unknown value, want none", s)
	}
	m := labels.Map[register.LegalBasisType](labels.New(), labels.English, labels.Basis)
	if m[register.BasisVitalInterest] != "Vital interests" {
		t.Errorf("Map: got %q", m[register.BasisVitalInterest])
	}
}
