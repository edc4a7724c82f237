package register

import (
	"testing"
)

func TestBadCharactersRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(f *Fields)
		field  string // "" for valid
	}{
		{"OKAccentsAndArabic", func(f *Fields) { f.Title = "Registre العربية et Genève" }, ""},
		{"OKZeroWidthJoinerEmoji", func(f *Fields) { f.Description = "famille 👨\u200d👩\u200d👧" }, ""},
		{"ErrRightToLeftOverride", func(f *Fields) { f.Title = "\u202egnp.exe" }, "title"},
		{"ErrLeftToRightEmbedding", func(f *Fields) { f.Purpose = "a\u202ab" }, "purpose"},
		{"ErrIsolate", func(f *Fields) { f.Description = "a\u2066b\u2069" }, "description"},
		{"ErrFirstStrongIsolate", func(f *Fields) { f.Description = "\u2068x" }, "description"},
		{"ErrLeftToRightMark", func(f *Fields) { f.PublicSummary = "x\u200e" }, "public_summary"},
		{"ErrRightToLeftMark", func(f *Fields) { f.InternalNotes = "x\u200f" }, "internal_notes"},
		{"ErrArabicLetterMark", func(f *Fields) { f.Retention.Trigger = "x\u061c" }, "retention.trigger"},
		{"ErrNonCharacterFFFE", func(f *Fields) { f.DataSubjects = []string{"ok", "x\ufffe"} }, "data_subjects[1]"},
		{"ErrNonCharacterFFFF", func(f *Fields) { f.Sources = []string{"x\uffff"} }, "sources[0]"},
		{"ErrNonCharacterFDD0", func(f *Fields) {
			f.DataCategories = []DataCategory{{Name: "santé"}, {Name: "x\ufdd0y"}}
		}, "data_categories[1].name"},
		{"ErrNonCharacterFDEF", func(f *Fields) { f.Accesses = []Access{{Institution: "OCPM", Scope: "\ufdef"}} }, "accesses[0].scope"},
		{"ErrNonCharacterPlane16", func(f *Fields) { f.Controller.Name = "x\U0010FFFF" }, "controller.name"},
		{"ErrNonCharacterPlane1", func(f *Fields) { f.JointControllers = []Party{{Name: "ok", Contact: "\U0001FFFE"}} }, "joint_controllers[0].contact"},
		{"OKPrivateUseAndFFFD", func(f *Fields) { f.Description = "\ufffd \ue000 \ufdcf \ufdf0" }, ""},
		{"OKContactAddress", func(f *Fields) { f.Controller.Contact = "dpo@ville-ge.ch" }, ""},
		{"OKContactTextWithAddress", func(f *Fields) {
			f.Controller.Contact = "Service juridique <juridique@ville-ge.ch>, +41 22 418 00 00"
		}, ""},
		{"OKContactPhone", func(f *Fields) { f.Controller.Contact = "+41 22 418 00 00\nRue de l'Hôtel-de-Ville 2" }, ""},
		{"OKContactHandle", func(f *Fields) { f.Controller.Contact = "@villegeneve" }, ""},
		{"ErrContactMailtoParams", func(f *Fields) { f.Controller.Contact = "ctl@x.example?cc=someone%40elsewhere&body=hi" }, "controller.contact"},
		{"ErrContactMailtoScheme", func(f *Fields) { f.Controller.Contact = "mailto:ctl@x.example" }, "controller.contact"},
		{"ErrContactMailtoInText", func(f *Fields) { f.Controller.Contact = "Écrire à <MAILTO:a@b.ch>" }, "controller.contact"},
		{"ErrContactBcc", func(f *Fields) {
			f.JointControllers = []Party{{Name: "Alpha", Contact: "a@b.ch"}, {Name: "Beta", Contact: "b@c.ch&bcc=x@y.z"}}
		}, "joint_controllers[1].contact"},
	}
	v := NewValidator()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := validFields()
			tc.change(&f)
			err := v.Struct(&f)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				return
			}
			e, ok := AsError(err)
			if !ok || e.Code != EInvalid || len(e.Fields) != 1 || e.Fields[0].Field != tc.field {
				t.Fatalf("got %+v, want one field error at %q", err, tc.field)
			}
		})
	}
}

func TestOrganisationContactsRefuseMailtoParameters(t *testing.T) {
	t.Parallel()
	v := NewValidator()
	for _, field := range []string{"dpo_contact", "lipad_contact"} {
		o := Organisation{Slug: "geneve", Name: "Ville de Genève"}
		bad := "dpo@geneve.ch?cc=someone%40elsewhere"
		if field == "dpo_contact" {
			o.DPOContact = bad
		} else {
			o.LIPADContact = bad
		}
		e, ok := AsError(v.Struct(&o))
		if !ok || len(e.Fields) != 1 || e.Fields[0].Field != field {
			t.Errorf("%s: got %+v, want a field error", field, e)
		}
	}
}

func TestMailAddress(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"dpo@ville-ge.ch":             true,
		"jean.dupont+rgpd@etat.ge.ch": true,
		"o'brien@example.ie":          true,
		"élise@genève.ch":             true,
		"a@localhost":                 false,
		"a@b.ch?cc=c@d.ch":            false,
		"a%40b@c.ch":                  false,
		"a@b.ch&body=x":               false,
		"a@b.ch/":                     false,
		".a@b.ch":                     false,
		"a..b@c.ch":                   false,
		"a@-b.ch":                     false,
		"a@b..ch":                     false,
		"mailto:a@b.ch":               false,
		"a b@c.ch":                    false,
		"":                            false,
		"a@b.ch\u202e":                false,
	} {
		if got := MailAddress(s); got != want {
			t.Errorf("MailAddress(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestCleanTextAndContact(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"\u202egnp.exe":         "gnp.exe",
		"a\u2066b\u2069c\ufffe": "abc",
		"clean":                 "clean",
	} {
		if got := CleanText(in); got != want {
			t.Errorf("CleanText(%+q) = %+q, want %+q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"ctl@x.example?cc=someone%40elsewhere&body=hi": "ctl@x.example",
		"mailto:dpo@ge.ch": "dpo@ge.ch",
		"DPO <mailto:dpo@ge.ch?bcc=x@y.z>, tél. 022": "DPO <dpo@ge.ch>, tél. 022",
		"Rue du Marché 1\n1204 Genève":               "Rue du Marché 1\n1204 Genève",
	} {
		got := CleanContact(in)
		if got != want {
			t.Errorf("CleanContact(%q) = %q, want %q", in, got, want)
		}
		if contactProblem(got) != "" {
			t.Errorf("CleanContact(%q) = %q is still refused", in, got)
		}
	}
}
