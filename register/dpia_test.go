package register

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// rulesOf lists the rule IDs of fs, in order.
func rulesOf(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

// TestDPIACriteriaDecide: each criterion alone and in combination makes the
// assessment required; the client's "required" never does by itself; a
// disagreement is a warning; an assessment not done blocks; a high residual
// risk blocks until the consultation of the authority is recorded.
func TestDPIACriteriaDecide(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	consulted := &Consultation{Authority: AuthorityPPDT, ConsultedOn: "2026-10-01", Reference: "PPDT-2026-14"}
	type tc struct {
		name       string
		dpia       DPIA
		wantNeeded bool
		wantRules  []string // DPIA findings, in rule-table order
	}
	var tests []tc
	for _, c := range DPIACriteria() {
		tests = append(tests,
			tc{"Only" + string(c) + "NotDone", DPIA{Required: true, Criteria: []DPIACriterion{c}, Status: DPIAInProgress}, true, []string{"dpia-required"}},
			tc{"Only" + string(c) + "Done", DPIA{Required: true, Criteria: []DPIACriterion{c}, Status: DPIADone, ResidualRisk: ResidualAcceptable}, true, nil})
	}
	tests = append(tests,
		tc{"NoCriterionNotRequired", DPIA{Status: DPIANotNeeded}, false, nil},
		tc{"TwoCriteriaNotStarted", DPIA{Required: true, Criteria: []DPIACriterion{CritSensitiveLargeScale, CritAutomatedDecision}, Status: DPIANotStarted}, true, []string{"dpia-required"}},
		tc{"AllCriteriaDone", DPIA{Required: true, Criteria: DPIACriteria(), Status: DPIADone}, true, nil},
		// The client says no, the criteria say yes: the criteria win (the gate
		// applies) and a warning says why.
		tc{"ClientSaysNoCriteriaSayYes", DPIA{Required: false, Criteria: []DPIACriterion{CritPublicMonitoring}}, true, []string{"dpia-required", "dpia-required-mismatch"}},
		// The client says yes with no criterion: not required, a warning.
		tc{"ClientSaysYesNoCriterion", DPIA{Required: true, Status: DPIANotStarted}, false, []string{"dpia-required-mismatch"}},
		tc{"HighResidualRiskNotConsulted", DPIA{Required: true, Criteria: []DPIACriterion{CritNewTechnology}, Status: DPIADone, ResidualRisk: ResidualHigh}, true, []string{"dpia-consultation"}},
		tc{"HighResidualRiskConsultationWithoutDate", DPIA{Required: true, Criteria: []DPIACriterion{CritNewTechnology}, Status: DPIADone, ResidualRisk: ResidualHigh,
			Consultation: &Consultation{Authority: AuthorityFDPIC}}, true, []string{"dpia-consultation"}},
		tc{"HighResidualRiskConsulted", DPIA{Required: true, Criteria: []DPIACriterion{CritNewTechnology}, Status: DPIADone, ResidualRisk: ResidualHigh, Consultation: consulted}, true, nil},
	)
	for _, reg := range Regimes() {
		for _, tt := range tests {
			t.Run(string(reg)+"/"+tt.name, func(t *testing.T) {
				p, org := completeProcessing()
				org.Regime = reg
				p.DPIA = tt.dpia
				if got := p.DPIA.Needed(); got != tt.wantNeeded {
					t.Fatalf("Needed() = %v, want %v", got, tt.wantNeeded)
				}
				if got := Public(p, now).DPIA.Required; got != tt.wantNeeded {
					t.Fatalf("public dpia.required = %v, want the derived %v", got, tt.wantNeeded)
				}
				var got []string
				for _, f := range Check(p, org, now) {
					if f.Field == "dpia.status" || f.Field == "dpia.required" || f.Field == "dpia.consultation" {
						got = append(got, f.Rule)
					}
				}
				if !slices.Equal(got, tt.wantRules) {
					t.Fatalf("findings %v, want %v", got, tt.wantRules)
				}
				blocks := len(Blocking(Check(p, org, now))) > 0
				wantBlocks := slices.Contains(tt.wantRules, "dpia-required") || slices.Contains(tt.wantRules, "dpia-consultation")
				if blocks != wantBlocks {
					t.Fatalf("blocks publication = %v, want %v", blocks, wantBlocks)
				}
			})
		}
	}
}

// TestConsultationPublicPart: the authority and the date reach the public
// shape; the reference and the outcome do not.
func TestConsultationPublicPart(t *testing.T) {
	p, _ := completeProcessing()
	p.DPIA = DPIA{Criteria: []DPIACriterion{CritPublicMonitoring}, Status: DPIADone, ResidualRisk: ResidualHigh,
		Consultation: &Consultation{Authority: AuthorityPPDT, ConsultedOn: "2026-10-01", Reference: "internal-ref", Outcome: "internal-outcome"}}
	got := Public(p, time.Now()).DPIA.Consultation
	if got == nil || *got != (PublicConsultation{Authority: AuthorityPPDT, ConsultedOn: "2026-10-01"}) {
		t.Fatalf("public consultation %+v", got)
	}
}

// TestRetentionPeriodOrCriteria: a period, criteria or both pass; neither
// blocks; per-category retentions name a category of the record and say
// how long.
func TestRetentionPeriodOrCriteria(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		r    Retention
		want []string
	}{
		{"PeriodOnly", Retention{Period: "P10Y"}, nil},
		{"CriteriaOnly", Retention{Criteria: "jusqu'à la fin de la scolarité, puis deux ans"}, nil},
		{"Both", Retention{Period: "P2Y", Criteria: "après la fin du contrat"}, nil},
		{"Neither", Retention{Trigger: "fin du dossier"}, []string{"retention"}},
		{"BlankCriteria", Retention{Criteria: "   "}, []string{"retention"}},
		{"PerCategoryWithPurgeAndSchedule", Retention{Criteria: "durée du dossier", PurgeFrequency: "P1Y", Schedule: "Calendrier de conservation DIP 2024, rubrique 3.2",
			PerCategory: []CategoryRetention{{Category: "identité", Period: "P5Y", Disposal: DisposalArchive}}}, nil},
		{"PerCategoryByCriteria", Retention{Period: "P1Y", PerCategory: []CategoryRetention{{Category: "identité", Criteria: "jusqu'au départ"}}}, nil},
		{"PerCategoryUnknownCategory", Retention{Period: "P1Y", PerCategory: []CategoryRetention{{Category: "santé", Period: "P1Y"}}}, []string{"retention-category"}},
		{"PerCategoryWithoutPeriodOrCriteria", Retention{Period: "P1Y", PerCategory: []CategoryRetention{{Category: "identité"}}}, []string{"retention-category"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, org := completeProcessing()
			p.Retention = tt.r
			if got := rulesOf(Check(p, org, now)); !slices.Equal(got, tt.want) {
				t.Fatalf("findings %v, want %v", got, tt.want)
			}
			if err := NewValidator().Struct(&p.Fields); err != nil {
				t.Fatalf("valid input refused: %v", err)
			}
		})
	}
}

// TestNewFieldsRefuseBadValues: the new enumerations and durations are
// checked like the others, with the JSON path of the field.
func TestNewFieldsRefuseBadValues(t *testing.T) {
	tests := []struct {
		name   string
		change func(f *Fields)
		field  string
	}{
		{"ErrUnknownCriterion", func(f *Fields) { f.DPIA.Criteria = []DPIACriterion{"big-data"} }, "dpia.criteria[0]"},
		{"ErrUnknownResidualRisk", func(f *Fields) { f.DPIA.ResidualRisk = "medium" }, "dpia.residual_risk"},
		{"ErrUnknownAuthority", func(f *Fields) { f.DPIA.Consultation = &Consultation{Authority: "cnil"} }, "dpia.consultation.authority"},
		{"ErrBadConsultationDate", func(f *Fields) {
			f.DPIA.Consultation = &Consultation{Authority: AuthorityPPDT, ConsultedOn: "2026-02-30"}
		}, "dpia.consultation.consulted_on"},
		{"ErrBadPurgeFrequency", func(f *Fields) { f.Retention.PurgeFrequency = "yearly" }, "retention.purge_frequency"},
		{"ErrCategoryRetentionWithoutCategory", func(f *Fields) { f.Retention.PerCategory = []CategoryRetention{{Period: "P1Y"}} }, "retention.per_category[0].category"},
		{"ErrUnknownProvision", func(f *Fields) { f.Information.Provision = "sometimes" }, "information.provision"},
		{"ErrUnknownException", func(f *Fields) { f.Information.Exception = "secret" }, "information.exception"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := completeProcessing()
			tt.change(&p.Fields)
			err := NewValidator().Struct(&p.Fields)
			var e *Error
			if !errors.As(err, &e) || len(e.Fields) == 0 || e.Fields[0].Field != tt.field {
				t.Fatalf("got %v, want a field error on %s", err, tt.field)
			}
		})
	}
}
