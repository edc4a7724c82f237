package register_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/internal/demo"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// sentinelRecord is a publishable record with every list holding an item
// and, by reflection, a sentinel string ("S3NT1N3L-n") in every string
// field the validator accepts one in: internal fields included, and any
// field added to Fields later, which the walk reaches by itself.
func sentinelRecord(t *testing.T, unit string) (register.Fields, map[string]string) {
	t.Helper()
	f := demo.Publishable(unit, "Modèle de registre", "Tenir le registre.", "Résumé public.", "Description.")
	f.JointControllers = []register.Party{{Name: "Coresponsable", Contact: "co@example.ch"}}
	f.Processors = []register.Processor{{Name: "Hébergeur", Country: "CH", Contract: true}}
	f.Accesses = []register.Access{{Institution: "Office cantonal", LegalBasis: "LIPAD art. 39", Scope: "lecture"}}
	f.Retention.PerCategory = []register.CategoryRetention{{Category: f.DataCategories[0].Name, Period: "P5Y"}}
	f.SecurityMeasures = []register.SecurityMeasure{{Category: register.SecAccessControl, Details: "x"}}
	f.DPIA.Consultation = &register.Consultation{Authority: register.AuthorityPPDT, ConsultedOn: "2026-01-05"}
	f.Transfers = []register.Transfer{{Country: "FR", Safeguard: register.SafeguardAdequacy, Details: "x"}}
	val := register.NewValidator()
	if err := val.Struct(&f); err != nil {
		t.Fatalf("the base record is not valid: %v", err)
	}
	paths := map[string]string{} // sentinel → field path
	n := 0
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() {
				t.Fatalf("%s is nil in the base record: give it a value so that the walk reaches its fields", path)
			}
			walk(v.Elem(), path)
		case reflect.Struct:
			for i := range v.NumField() {
				sf := v.Type().Field(i)
				if sf.IsExported() {
					walk(v.Field(i), path+"."+sf.Name)
				}
			}
		case reflect.Slice:
			if v.Type().Elem().Kind() == reflect.Struct && v.Len() == 0 {
				t.Fatalf("%s is empty in the base record: add an item so that the walk reaches its fields", path)
			}
			for i := range v.Len() {
				walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
			}
		case reflect.String:
			if v.Type() != reflect.TypeFor[string]() || path == ".Unit" {
				return // enumerations keep their values; the unit is the copier's
			}
			old := v.String()
			n++
			s := fmt.Sprintf("S3NT1N3L-%d", n)
			v.SetString(s)
			if val.Struct(&f) != nil {
				v.SetString(old) // a date, a country, a URL, a duration: no free text there
				return
			}
			paths[s] = path
		}
	}
	walk(reflect.ValueOf(&f).Elem(), "")
	// A retention per category names one of the record's categories.
	delete(paths, f.Retention.PerCategory[0].Category)
	f.Retention.PerCategory[0].Category = f.DataCategories[0].Name
	return f, paths
}

var sentinelRE = regexp.MustCompile(`S3NT1N3L-[0-9]+`)

// TestModelCopyCarriesOnlyPublicFields: a published processing full of
// sentinels is marked as a model by its DPO; an editor of another
// organisation starts a draft from it. Every sentinel in the draft is one
// the public register shows of the model; none of the internal fields
// (internal notes, security details, impact-assessment and consultation
// references and outcome, common identifier) reaches it; nor the model's
// organisation's own (reference, controller). The draft's creation names
// the model in the history.
func TestModelCopyCarriesOnlyPublicFields(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clk := &standClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
		svc := standingFixture(t, db, clk)
		f, paths := sentinelRecord(t, "social")
		if len(paths) < 25 {
			t.Fatalf("only %d fields took a sentinel", len(paths))
		}
		p, err := svc.CreateProcessing(ctx, standDPO, "", f)
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.SetModel(ctx, standDPO, p.ID, true); register.ErrorCode(err) != register.EConflict {
			t.Fatalf("a draft marked as a model: %v, want EConflict", err)
		}
		if p, err = svc.Transition(ctx, standDPO, p.ID, register.StepSubmit, &p.Revision, ""); err != nil {
			t.Fatal(err)
		}
		sub := p
		if p, err = svc.Transition(ctx, standDPO, p.ID, register.StepPublish, &p.Revision, ""); err != nil {
			org, _ := svc.Store().GetOrganisation(ctx, "carouge")
			t.Fatalf("publish: %v: %+v", err, register.Blocking(register.Check(sub, org, clk.now())))
		}
		onexDPO := &auth.Principal{Subject: "olga", Role: auth.RoleDPO, Org: "onex"}
		onexEditor := &auth.Principal{Subject: "oscar", Role: auth.RoleEditor, Org: "onex", Units: []string{"culture"}}
		if err := svc.SetModel(ctx, onexDPO, p.ID, true); register.ErrorCode(err) != register.ENotFound {
			t.Fatalf("another organisation's DPO marked it: %v", err)
		}
		if err := svc.SetModel(ctx, standEve, p.ID, true); register.ErrorCode(err) != register.EForbidden {
			t.Fatalf("an editor marked it: %v", err)
		}
		if _, err := svc.StartFromModel(ctx, onexEditor, "", p.ID, "culture"); register.ErrorCode(err) != register.ENotFound {
			t.Fatalf("a processing not marked was copied: %v", err)
		}
		if err := svc.SetModel(ctx, standDPO, p.ID, true); err != nil {
			t.Fatal(err)
		}
		models, err := svc.ListModels(ctx, onexEditor)
		if err != nil || len(models) != 1 || models[0].Public.ID != p.ID {
			t.Fatalf("models: %+v, %v", models, err)
		}
		if _, err := svc.StartFromModel(ctx, onexEditor, "", p.ID, "social"); register.ErrorCode(err) != register.EForbidden {
			t.Fatalf("an editor copied into a unit not theirs: %v", err)
		}
		cp, err := svc.StartFromModel(ctx, onexEditor, "", p.ID, "culture")
		if err != nil {
			t.Fatal(err)
		}
		if cp.Organisation != "onex" || cp.Unit != "culture" || cp.Status != register.StatusDraft {
			t.Fatalf("copy %s/%s %s", cp.Organisation, cp.Unit, cp.Status)
		}
		pub, err := json.Marshal(register.Public(p, clk.now()))
		if err != nil {
			t.Fatal(err)
		}
		public := map[string]bool{}
		for _, s := range sentinelRE.FindAllString(string(pub), -1) {
			public[s] = true
		}
		stored, err := svc.GetProcessing(ctx, onexEditor, cp.ID)
		if err != nil {
			t.Fatal(err)
		}
		copied, err := json.Marshal(stored)
		if err != nil {
			t.Fatal(err)
		}
		got := sentinelRE.FindAllString(string(copied), -1)
		if len(got) < 10 {
			t.Fatalf("only %d sentinels copied: the copy takes too little to prove anything", len(got))
		}
		for _, s := range got {
			if !public[s] {
				t.Errorf("%s (field %s) reached the copy but is not public", s, paths[s])
			}
		}
		must, inCopy := map[string]bool{}, map[string]bool{}
		for _, s := range got {
			must[paths[s]], inCopy[s] = true, true
		}
		for s, path := range paths {
			internal := strings.Contains(path, "InternalNotes") || strings.Contains(path, "Details") && strings.Contains(path, "SecurityMeasures") ||
				strings.Contains(path, "DPIA.Reference") || strings.Contains(path, "Consultation.Reference") || strings.Contains(path, "Outcome") ||
				strings.Contains(path, "CommonIdentifier") || path == ".Reference" || strings.HasPrefix(path, ".Controller")
			if internal && inCopy[s] {
				t.Errorf("%s (%s) reached the copy", path, s)
			}
		}
		entries, err := svc.History(ctx, onexEditor, cp.ID)
		if err != nil {
			t.Fatal(err)
		}
		origin := fmt.Sprintf("from model carouge/%s version %d", p.ID, p.Version)
		found := false
		for _, e := range entries {
			found = found || (e.Action == register.ActionCreate && e.Comment == origin)
		}
		if !found {
			t.Errorf("the history does not say %q: %+v", origin, entries)
		}
		t.Logf("%d fields took a sentinel, %d reached the copy, all public", len(paths), len(must))
	})
}
