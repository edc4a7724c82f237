// Package demo loads a realistic demo register: the canton of Geneva and
// three cities, their units, and about forty processings in every state of
// the workflow. Legal references are real (shared/reference); contacts are
// fictitious. Everything goes through register.Service, so every change has
// its audit entry, and loading twice changes nothing.
package demo

import (
	"context"
	"fmt"
	"strings"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/register"
)

// Summary says what a load did.
type Summary struct {
	Organisations int
	Units         int
	Processings   int
	Skipped       int            // already there from an earlier load
	ByState       map[string]int // of the processings created now
}

func (s Summary) String() string {
	if s.Processings == 0 && s.Organisations == 0 {
		return fmt.Sprintf("demo already loaded (%d processings found)", s.Skipped)
	}
	return fmt.Sprintf("demo loaded: %d organisations, %d units, %d processings (draft %d, in review %d, published %d, archived %d, with a newer draft %d, returned %d)",
		s.Organisations, s.Units, s.Processings, s.ByState[draft], s.ByState[inReview], s.ByState[published],
		s.ByState[archived], s.ByState[republished], s.ByState[returned])
}

// principal is who the demo acts as, in the audit trail: the command line
// ("cli:demo"), which no account can pass for.
func principal() *auth.Principal { return register.CommandLine("demo") }

// Load loads the demo register, skipping what is already there.
func Load(ctx context.Context, svc *register.Service) (Summary, error) {
	p := principal()
	sum := Summary{ByState: map[string]int{}}
	for _, o := range organisations() {
		if _, err := svc.GetOrganisation(ctx, p, o.org.Slug); register.ErrorCode(err) == register.ENotFound {
			if _, err := svc.CreateOrganisation(ctx, p, o.org); err != nil {
				return sum, fmt.Errorf("organisation %s: %w", o.org.Slug, err)
			}
			sum.Organisations++
		} else if err != nil {
			return sum, err
		}
		existing, err := svc.ListUnits(ctx, p, o.org.Slug)
		if err != nil {
			return sum, err
		}
		have := map[string]bool{}
		for _, u := range existing {
			have[u.Slug] = true
		}
		for _, u := range o.units {
			if have[u[0]] {
				continue
			}
			if _, err := svc.CreateUnit(ctx, p, o.org.Slug, register.Unit{Slug: u[0], Name: u[1]}); err != nil {
				return sum, fmt.Errorf("unit %s/%s: %w", o.org.Slug, u[0], err)
			}
			sum.Units++
		}
	}
	for _, sp := range specs() {
		exists, err := referenceExists(ctx, svc, p, sp.org, sp.ref)
		if err != nil {
			return sum, err
		}
		if exists {
			sum.Skipped++
			continue
		}
		if err := load(ctx, svc, p, sp); err != nil {
			return sum, fmt.Errorf("processing %s: %w", sp.ref, err)
		}
		sum.Processings++
		sum.ByState[sp.state]++
	}
	return sum, nil
}

func referenceExists(ctx context.Context, svc *register.Service, p *auth.Principal, org, ref string) (bool, error) {
	items, _, err := svc.ListProcessings(ctx, p, register.ProcessingFilter{Organisation: org, Query: ref, PerPage: register.MaxPerPage})
	if err != nil {
		return false, err
	}
	for _, it := range items {
		if it.Reference == ref {
			return true, nil
		}
	}
	return false, nil
}

// load creates one processing and walks it to its state.
func load(ctx context.Context, svc *register.Service, p *auth.Principal, sp spec) error {
	pr, err := svc.CreateProcessing(ctx, p, sp.org, build(sp))
	if err != nil {
		return err
	}
	step := func(s register.Step, comment string) error {
		var err error
		pr, err = svc.Transition(ctx, p, pr.ID, s, nil, comment)
		return err
	}
	switch sp.state {
	case inReview:
		return step(register.StepSubmit, "")
	case published, archived, republished:
		if err := step(register.StepSubmit, ""); err != nil {
			return err
		}
		if sp.override != nil {
			if pr, err = svc.OverrideFinding(ctx, p, pr.ID, nil, *sp.override); err != nil {
				return err
			}
		}
		if err := step(register.StepPublish, ""); err != nil {
			return err
		}
		if sp.state == archived {
			return step(register.StepArchive, "")
		}
		if sp.state == republished {
			f := build(sp)
			f.Purpose += " Révision en cours : précision des durées de conservation."
			f.InternalNotes = "Révision annuelle demandée par la déléguée à la protection des données."
			_, err := svc.UpdateProcessing(ctx, p, pr.ID, pr.Revision, f)
			return err
		}
	case returned:
		if err := step(register.StepSubmit, ""); err != nil {
			return err
		}
		return step(register.StepReturn, "Merci de citer la base légale précise et de justifier la durée de conservation.")
	}
	return nil
}

// build turns a spec into the fields of a processing.
func build(sp spec) register.Fields {
	f := register.Fields{
		Unit: sp.unit, Reference: sp.ref, Title: sp.title, Purpose: sp.purpose, PublicSummary: sp.summary,
		LegalBases: sp.bases, DataSubjects: sp.subjects, Recipients: sp.recipients, Processors: sp.processors,
		Transfers: sp.transfers, Accesses: sp.accesses, Sources: sp.sources,
		Retention:         sp.retention,
		Information:       sp.info,
		DPIA:              sp.dpia,
		ReviewDue:         sp.reviewDue,
		Profiling:         sp.profiling,
		AutomatedDecision: sp.automated,
		InternalNotes:     "Fiche de démonstration.",
		CommonIdentifier:  sp.commonID,
	}
	f.Retention.Period, f.Retention.Trigger, f.Retention.Disposal = sp.period, sp.trigger, sp.disposal
	if len(f.Sources) == 0 && !sp.incomplete {
		// Unless a spec says otherwise, the data come from the person.
		f.Sources = []string{"la personne concernée"}
	}
	if !sp.incomplete {
		f.Controller = register.Party{Name: controller(sp), Contact: "protection.donnees@" + sp.org + ".example"}
		f.Description = "Traitement de démonstration de Registre : " + strings.ToLower(sp.title[:1]) + sp.title[1:] + "."
	}
	for _, c := range sp.categories {
		f.DataCategories = append(f.DataCategories, register.DataCategory{Name: strings.TrimPrefix(c, "!"), Sensitive: strings.HasPrefix(c, "!")})
	}
	for _, s := range sp.security {
		f.SecurityMeasures = append(f.SecurityMeasures, register.SecurityMeasure{Category: s, Details: "Mesure décrite dans le dossier de sécurité interne."})
	}
	return f
}

// controller names the unit responsible, from the organisation table.
func controller(sp spec) string {
	for _, o := range organisations() {
		if o.org.Slug != sp.org {
			continue
		}
		for _, u := range o.units {
			if u[0] == sp.unit {
				return u[1] + ", " + o.org.Name
			}
		}
	}
	return sp.org
}
