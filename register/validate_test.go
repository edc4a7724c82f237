package register

import (
	"strings"
	"testing"
)

func validFields() Fields {
	return Fields{Unit: "etat-civil", Title: "Registre des naissances", Purpose: "Tenir le registre."}
}

func TestValidateFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(f *Fields)
		field  string // "" for valid
	}{
		{"OK", func(f *Fields) {}, ""},
		{"OKAccentsCountAsOneCharacter", func(f *Fields) { f.Title = "Été" }, ""},
		{"ErrTitleTooShort", func(f *Fields) { f.Title = "ab" }, "title"},
		{"ErrTitleTooLong", func(f *Fields) { f.Title = strings.Repeat("é", 201) }, "title"},
		{"OKTitle200Chars", func(f *Fields) { f.Title = strings.Repeat("é", 200) }, ""},
		{"ErrTitleMissing", func(f *Fields) { f.Title = "" }, "title"},
		{"ErrPurposeMissing", func(f *Fields) { f.Purpose = "" }, "purpose"},
		{"ErrPurposeTooLong", func(f *Fields) { f.Purpose = strings.Repeat("a", 5001) }, "purpose"},
		{"ErrUnitNotSlug", func(f *Fields) { f.Unit = "État Civil" }, "unit"},
		{"ErrUnitTooShort", func(f *Fields) { f.Unit = "a" }, "unit"},
		{"ErrUnitLeadingDash", func(f *Fields) { f.Unit = "-ab" }, "unit"},
		{"ErrLegalBasisType", func(f *Fields) { f.LegalBases = []LegalBasis{{Type: "whim"}} }, "legal_bases[0].type"},
		{"ErrLegalBasisTypeCase", func(f *Fields) { f.LegalBases = []LegalBasis{{Type: "LAW"}} }, "legal_bases[0].type"},
		{"ErrLegalBasisURLScheme", func(f *Fields) {
			f.LegalBases = []LegalBasis{{Type: BasisLaw, URL: "javascript:alert(1)"}}
		}, "legal_bases[0].url"},
		{"ErrLegalBasisURLFTP", func(f *Fields) { f.LegalBases = []LegalBasis{{Type: BasisLaw, URL: "ftp://x.ch/a"}} }, "legal_bases[0].url"},
		{"OKLegalBasisURL", func(f *Fields) {
			f.LegalBases = []LegalBasis{{Type: BasisLaw, URL: "https://silgeneve.ch/legis/data/rsg_a2_08.htm"}}
		}, ""},
		{"ErrRetentionGarbage", func(f *Fields) { f.Retention.Period = "10 years" }, "retention.period"},
		{"ErrRetentionZero", func(f *Fields) { f.Retention.Period = "P0D" }, "retention.period"},
		{"ErrRetentionUnderADay", func(f *Fields) { f.Retention.Period = "PT23H" }, "retention.period"},
		{"OKRetentionOneDay", func(f *Fields) { f.Retention.Period = "P1D" }, ""},
		{"OKRetention150Years", func(f *Fields) { f.Retention.Period = "P150Y" }, ""},
		{"OKRetention1800Months", func(f *Fields) { f.Retention.Period = "P1800M" }, ""},
		{"ErrRetention151Years", func(f *Fields) { f.Retention.Period = "P151Y" }, "retention.period"},
		{"ErrRetentionOver150YearsInDays", func(f *Fields) { f.Retention.Period = "P54800D" }, "retention.period"},
		{"ErrRetentionMisordered", func(f *Fields) { f.Retention.Period = "P1D1Y" }, "retention.period"},
		{"ErrRetentionLowercase", func(f *Fields) { f.Retention.Period = "p10y" }, "retention.period"},
		{"ErrRetentionDisposal", func(f *Fields) { f.Retention.Disposal = "burn" }, "retention.disposal"},
		{"ErrCountry", func(f *Fields) { f.Transfers = []Transfer{{Country: "XX", Safeguard: SafeguardSCC}} }, "transfers[0].country"},
		{"ErrCountryLowercase", func(f *Fields) { f.Transfers = []Transfer{{Country: "fr", Safeguard: SafeguardSCC}} }, "transfers[0].country"},
		{"ErrCountryAlpha3", func(f *Fields) { f.Transfers = []Transfer{{Country: "FRA", Safeguard: SafeguardSCC}} }, "transfers[0].country"},
		{"ErrSafeguard", func(f *Fields) { f.Transfers = []Transfer{{Country: "FR", Safeguard: "pinky"}} }, "transfers[0].safeguard"},
		{"ErrProcessorCountry", func(f *Fields) { f.Processors = []Processor{{Name: "Acme", Country: "ZZ"}} }, "processors[0].country"},
		{"ErrDateDoesNotExist", func(f *Fields) { f.ReviewDue = "2027-02-30" }, "review_due"},
		{"ErrDateFormat", func(f *Fields) { f.ReviewDue = "30.06.2027" }, "review_due"},
		{"ErrDPIADate", func(f *Fields) { f.DPIA.CompletedOn = "2026-13-01" }, "dpia.completed_on"},
		{"OKLeapDay", func(f *Fields) { f.ReviewDue = "2028-02-29" }, ""},
		{"ErrDPIAStatus", func(f *Fields) { f.DPIA.Status = "finished" }, "dpia.status"},
		{"ErrSecurityCategory", func(f *Fields) { f.SecurityMeasures = []SecurityMeasure{{Category: "magic"}} }, "security_measures[0].category"},
		{"ErrRecipientType", func(f *Fields) { f.Recipients = []Recipient{{Name: "OCPM", Type: "friend"}} }, "recipients[0].type"},
		{"ErrRecipientName", func(f *Fields) { f.Recipients = []Recipient{{Type: RecipientInternal}} }, "recipients[0].name"},
		{"ErrControlChar", func(f *Fields) { f.Purpose = "a\x00b" }, "purpose"},
		{"ErrCarriageReturn", func(f *Fields) { f.Description = "a\rb" }, "description"},
		{"ErrEscapeInNestedField", func(f *Fields) { f.Accesses = []Access{{Institution: "OCPM", Scope: "x\x1by"}} }, "accesses[0].scope"},
		{"ErrDEL", func(f *Fields) { f.DataSubjects = []string{"a\x7fb"} }, "data_subjects[0]"},
		{"OKNewlineAndTab", func(f *Fields) { f.Purpose = "a\n\tb" }, ""},
		{"ErrEmptySubject", func(f *Fields) { f.DataSubjects = []string{""} }, "data_subjects[0]"},
	}
	v := NewValidator()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := validFields()
			tt.change(&f)
			err := v.Struct(&f)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				return
			}
			e, ok := AsError(err)
			if !ok || e.Code != EInvalid {
				t.Fatalf("got %v, want an EInvalid error", err)
			}
			var fields []string
			for _, fe := range e.Fields {
				fields = append(fields, fe.Field)
				if fe.Field == tt.field {
					if fe.Message == "" {
						t.Fatalf("field %s has no message", fe.Field)
					}
					return
				}
			}
			t.Fatalf("got fields %v, want %s", fields, tt.field)
		})
	}
}

func TestSlugs(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"ge": true, "ville-de-geneve": true, "a1": true, strings.Repeat("a", 40): true,
		"a": false, strings.Repeat("a", 41): false, "Ge": false, "ge-": false, "-ge": false,
		"gé": false, "ge_x": false, "": false,
	} {
		if got := ValidSlug(s); got != want {
			t.Errorf("ValidSlug(%q): got %v, want %v", s, got, want)
		}
	}
}

func TestSearchKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Géolocalisation", "geolocalisation"},
		{"ÉTAT CIVIL", "etat civil"},
		{"Œuvre sociale", "oeuvre sociale"},
		{"Straße", "strasse"},
		{"naïve façade", "naive facade"},
	}
	for _, tt := range tests {
		if got := SearchKey(tt.in); got != tt.want {
			t.Errorf("SearchKey(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
	if got, want := LikePattern("50%_a\\"), `%50\%\_a\\%`; got != want {
		t.Errorf("LikePattern: got %q, want %q", got, want)
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"P10Y", "P6M", "P1Y6M", "PT48H", "P", "PT", "P1D1Y", "P99999999999Y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			return
		}
		if d.ApproxDays() < 0 {
			t.Fatalf("%q: negative length", s)
		}
	})
}
