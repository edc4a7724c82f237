package register

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// CleanStoredTextStep names the one-time step queued by migration
// 20261130000010_clean_text: records stored before bidirectional controls,
// non-characters and mailto parameters in contacts were refused lose them.
const CleanStoredTextStep = "clean-text-20261130"

// ActionTextClean is the audit action of a record the cleaning changed; its
// comment names the migration and the fields, never their values.
const ActionTextClean = "text.clean"

// MaintenanceStore is the part of Store the steps queued by migrations
// need.
type MaintenanceStore interface {
	// PendingMaintenance lists the queued steps, oldest first.
	PendingMaintenance(ctx context.Context) ([]string, error)
	// FinishMaintenance removes a step from the queue.
	FinishMaintenance(ctx context.Context, name string) error
	// UpdateUnitName sets the name of a unit.
	UpdateUnitName(ctx context.Context, u *Unit) error
	// RewriteVersion replaces the data of a saved version, published or
	// not. Only the cleaning uses it: published versions otherwise never
	// change.
	RewriteVersion(ctx context.Context, v *Version) error
}

// RunMaintenance runs the steps that migrations queued, each in one write
// transaction with the audit entries of what it changed, and returns how
// many records were changed. serve and `registre migrate up` call it after
// migrating; with nothing queued it costs one query.
func (s *Service) RunMaintenance(ctx context.Context) (int, error) {
	ms := s.store
	steps, err := ms.PendingMaintenance(ctx)
	if err != nil || len(steps) == 0 {
		return 0, err
	}
	total := 0
	for _, step := range steps {
		var n int
		err := s.store.InTx(ctx, func(tx Store) error {
			mt := tx
			// Another process may have run it since the list was read.
			pending, err := mt.PendingMaintenance(ctx)
			if err != nil || !slices.Contains(pending, step) {
				return err
			}
			switch step {
			case CleanStoredTextStep:
				if n, err = s.cleanStoredText(ctx, mt); err != nil {
					return err
				}
			default:
				return fmt.Errorf("maintenance step %q is unknown to this version of registre", step)
			}
			return mt.FinishMaintenance(ctx, step)
		})
		if err != nil {
			return total, fmt.Errorf("maintenance %s: %w", step, err)
		}
		s.log.InfoContext(ctx, "maintenance step done", "step", step, "records", n)
		total += n
	}
	return total, nil
}

// cleanComment is the audit comment of a cleaned record: the migration and
// the paths of the fields changed (never their values).
func cleanComment(paths []string) string {
	c := "migration 20261130000010_clean_text: " + strings.Join(paths, ", ")
	if len(c) > 2000 {
		c = c[:1997] + "..."
	}
	return c
}

// cleanStoredText cleans every organisation, unit and processing (head,
// every saved version, the public record) in tx, and appends one audit
// entry, signed "system", per record it changed.
func (s *Service) cleanStoredText(ctx context.Context, tx Store) (int, error) {
	now := s.clock()
	changed := 0
	orgs, err := tx.ListOrganisations(ctx)
	if err != nil {
		return 0, err
	}
	for i := range orgs {
		o := orgs[i]
		if paths := cleanStrings(reflect.ValueOf(&o).Elem(), ""); len(paths) > 0 {
			o.UpdatedAt = now // documents keyed on it are made again
			if err := tx.UpdateOrganisation(ctx, &o); err != nil {
				return 0, err
			}
			if err := s.audit(ctx, tx, nil, now, o.Slug, ActionTextClean, "organisation/"+o.Slug, 0, cleanComment(paths)); err != nil {
				return 0, err
			}
			changed++
		}
		units, err := tx.ListUnits(ctx, o.Slug)
		if err != nil {
			return 0, err
		}
		for j := range units {
			u := units[j]
			if paths := cleanStrings(reflect.ValueOf(&u).Elem(), ""); len(paths) > 0 {
				if err := tx.UpdateUnitName(ctx, &u); err != nil {
					return 0, err
				}
				if err := s.audit(ctx, tx, nil, now, o.Slug, ActionTextClean, "unit/"+o.Slug+"/"+u.Slug, 0, cleanComment(paths)); err != nil {
					return 0, err
				}
				changed++
			}
		}
	}
	// Collect the ids first: cleaning rewrites rows the listing reads.
	var ids []string
	for page := 1; ; page++ {
		items, _, err := tx.ListProcessings(ctx, ProcessingFilter{Page: page, PerPage: MaxPerPage})
		if err != nil {
			return 0, err
		}
		for _, p := range items {
			ids = append(ids, p.ID)
		}
		if len(items) < MaxPerPage {
			break
		}
	}
	for _, id := range ids {
		paths, err := s.cleanProcessing(ctx, tx, id)
		if err != nil {
			return 0, fmt.Errorf("processing %s: %w", id, err)
		}
		if len(paths) == 0 {
			continue
		}
		cur, err := tx.GetProcessing(ctx, id)
		if err != nil {
			return 0, err
		}
		if err := s.audit(ctx, tx, nil, now, cur.Organisation, ActionTextClean, "processing/"+id, cur.Version, cleanComment(paths)); err != nil {
			return 0, err
		}
		changed++
	}
	return changed, nil
}

// cleanProcessing cleans the head, the versions and the publication of one
// processing and returns the paths changed in any of them. The head's
// revision moves, so an ETag read before is stale; its version and dates
// stay, since its content did not change in any way a person meant.
func (s *Service) cleanProcessing(ctx context.Context, tx Store, id string) ([]string, error) {
	seen := map[string]bool{}
	var paths []string
	note := func(ps []string) {
		for _, p := range ps {
			if !seen[p] {
				seen[p] = true
				paths = append(paths, p)
			}
		}
	}
	cur, err := tx.GetProcessing(ctx, id)
	if err != nil {
		return nil, err
	}
	next := *cur
	next.Fields = cloneFields(cur.Fields)
	if ps := cleanStrings(reflect.ValueOf(&next.Fields).Elem(), ""); len(ps) > 0 {
		next.Revision = cur.Revision + 1
		if err := s.stand(ctx, tx, &next, nil, nil, s.clock()); err != nil {
			return nil, err
		}
		if err := tx.UpdateProcessing(ctx, &next, processingSearchKey(&next.Fields), cur.Revision); err != nil {
			return nil, err
		}
		note(ps)
	}
	versions, err := tx.ListVersions(ctx, id)
	if err != nil {
		return nil, err
	}
	for i := range versions {
		v := versions[i]
		var old Processing
		if err := json.Unmarshal(v.Data, &old); err != nil {
			return nil, fmt.Errorf("version %d: %w", v.Number, err)
		}
		ps := cleanStrings(reflect.ValueOf(&old.Fields).Elem(), "")
		if len(ps) == 0 {
			continue
		}
		if v.Data, err = json.Marshal(&old); err != nil {
			return nil, fmt.Errorf("version %d: %w", v.Number, err)
		}
		if err := tx.RewriteVersion(ctx, &v); err != nil {
			return nil, err
		}
		note(ps)
	}
	pubRow, err := tx.GetPublication(ctx, id)
	switch {
	case ErrorCode(err) == ENotFound:
	case err != nil:
		return nil, err
	default:
		var pub PublicProcessing
		if err := json.Unmarshal(pubRow.Data, &pub); err != nil {
			return nil, fmt.Errorf("publication: %w", err)
		}
		if ps := cleanStrings(reflect.ValueOf(&pub).Elem(), ""); len(ps) > 0 {
			if err := tx.PutPublication(ctx, publicationOf(&pub, pubRow.Version, pubRow.PublishedAt, pubRow.RulesVersion)); err != nil {
				return nil, err
			}
			note(ps)
		}
	}
	return paths, nil
}

// cloneFields copies the lists of f, so that cleaning the copy leaves f as
// it was.
func cloneFields(f Fields) Fields {
	b, err := json.Marshal(f)
	if err != nil {
		panic(fmt.Sprintf("encode fields: %v", err)) // strings, numbers and bools only
	}
	var out Fields
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("decode fields: %v", err))
	}
	return out
}

// contactFields are the JSON names of the fields that pages may make a
// mailto link of.
func isContactField(name string) bool {
	return name == "contact" || name == "dpo_contact" || name == "lipad_contact"
}

// cleanStrings applies CleanText to every string reachable from v (which
// must be settable) and CleanContact to contacts, and returns the JSON
// paths of the strings it changed.
func cleanStrings(v reflect.Value, path string) []string {
	var changed []string
	eachString(v, path, func(v reflect.Value, path string) {
		s := v.String()
		clean := CleanText(s)
		name := path[strings.LastIndexAny(path, ".]")+1:]
		if isContactField(name) {
			clean = CleanContact(clean)
		}
		if clean != s && v.CanSet() {
			v.SetString(clean)
			changed = append(changed, path)
		}
	})
	return changed
}
