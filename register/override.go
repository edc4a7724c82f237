package register

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/registre/registre/auth/identity"
)

// ActionOverride is the audit action of a DPO overruling a blocking finding.
const ActionOverride = "override"

// Override is a DPO's decision that a blocking finding does not apply to a
// record ("no recipients: the data never leave the unit"). It is kept on the
// record, in its audit entry and in the history; it applies only while the
// field it concerns keeps the value it had (ValueHash).
type Override struct {
	Rule          string    `json:"rule"`
	Field         string    `json:"field"`
	Justification string    `json:"justification"`
	By            string    `json:"by"`
	At            time.Time `json:"at"`
	ValueHash     string    `json:"value_hash"`
}

// OverrideInput is what a DPO sends to overrule a finding.
type OverrideInput struct {
	Rule          string `json:"rule"`
	Field         string `json:"field"`
	Justification string `json:"justification"`
}

var pathPart = regexp.MustCompile(`^([a-z_]+)(?:\[(\d+)\])?$`)

// fieldValue returns the JSON of the value at a finding's field path in the
// record (or, for "organisation.…", in its organisation).
func fieldValue(p *Processing, org *Organisation, path string) string {
	var root any = p.Fields
	if rest, ok := strings.CutPrefix(path, "organisation."); ok {
		root, path = org, rest
	}
	b, err := json.Marshal(root)
	if err != nil {
		return ""
	}
	var v any
	if json.Unmarshal(b, &v) != nil {
		return ""
	}
	for _, part := range strings.Split(path, ".") {
		m := pathPart.FindStringSubmatch(part)
		if m == nil {
			return ""
		}
		obj, _ := v.(map[string]any)
		v = obj[m[1]]
		if m[2] != "" {
			i, _ := strconv.Atoi(m[2])
			list, _ := v.([]any)
			if i >= len(list) {
				v = nil
				continue
			}
			v = list[i]
		}
	}
	out, _ := json.Marshal(v)
	return string(out)
}

func valueHash(p *Processing, org *Organisation, path string) string {
	sum := sha256.Sum256([]byte(path + "\x00" + fieldValue(p, org, path)))
	return hex.EncodeToString(sum[:16])
}

// activeOverride returns the override of (rule, field) on p if the field
// still holds the value it had when the DPO overruled the finding.
func activeOverride(p *Processing, org *Organisation, rule, field string) *Override {
	for i := range p.Overrides {
		o := &p.Overrides[i]
		if o.Rule == rule && o.Field == field && o.ValueHash == valueHash(p, org, field) {
			cp := *o
			return &cp
		}
	}
	return nil
}

// liveOverrides keeps the overrides that still apply to p.
func liveOverrides(p *Processing, org *Organisation) []Override {
	var out []Override
	for _, o := range p.Overrides {
		if o.ValueHash == valueHash(p, org, o.Field) {
			out = append(out, o)
		}
	}
	return out
}

// OverrideFinding lets a DPO overrule one blocking finding of a processing
// with a written justification. The finding must be a current error finding
// of the record; the override lapses as soon as the field changes. ifMatch,
// when not nil, is the revision the caller last saw.
func (s *Service) OverrideFinding(ctx context.Context, p *identity.Principal, id string, ifMatch *int64, in OverrideInput) (*Processing, error) {
	in.Justification = strings.TrimSpace(in.Justification)
	var fields []FieldError
	if in.Rule == "" {
		fields = append(fields, FieldError{Field: "rule", Message: "is required"})
	}
	if in.Field == "" {
		fields = append(fields, FieldError{Field: "field", Message: "is required"})
	}
	if n := len([]rune(in.Justification)); n < 10 || n > 2000 {
		fields = append(fields, FieldError{Field: "justification", Message: "must be 10 to 2000 characters long: say why the finding does not apply"})
	}
	for _, f := range []struct{ name, v string }{{"rule", in.Rule}, {"field", in.Field}, {"justification", in.Justification}} {
		if bad := badText(f.v); bad != "" {
			fields = append(fields, FieldError{Field: f.name, Message: bad})
		}
	}
	var out *Processing
	err := s.store.InTx(ctx, func(tx Store) error {
		cur, err := s.getProcessing(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := requireRole(p, identity.RoleDPO, identity.RoleAdmin); err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != cur.Revision {
			return Errorf(EPreconditionFailed, "the processing was changed since you read it; read it again")
		}
		if cur.Status == StatusArchived {
			return Errorf(EConflict, "an archived processing cannot be changed")
		}
		if fields != nil {
			return invalid(fields...)
		}
		org, err := tx.GetOrganisation(ctx, cur.Organisation)
		if err != nil {
			return err
		}
		now := s.clock()
		found := false
		for _, f := range Check(cur, org, now) {
			if f.Rule == in.Rule && f.Field == in.Field && f.Severity == SeverityError {
				found = true
			}
		}
		if !found {
			return invalid(FieldError{Field: "rule", Message: "is not a blocking finding of this processing on that field"})
		}
		next := *cur
		next.Overrides = []Override{}
		for _, o := range liveOverrides(cur, org) {
			if o.Rule != in.Rule || o.Field != in.Field {
				next.Overrides = append(next.Overrides, o)
			}
		}
		next.Overrides = append(next.Overrides, Override{Rule: in.Rule, Field: in.Field, Justification: in.Justification,
			By: p.Subject, At: now, ValueHash: valueHash(cur, org, in.Field)})
		next.Revision = cur.Revision + 1
		next.UpdatedAt = now
		if err := s.stand(ctx, tx, &next, org, p, now); err != nil {
			return err
		}
		if err := tx.UpdateProcessing(ctx, &next, processingSearchKey(&next.Fields), cur.Revision); err != nil {
			return err
		}
		// A published version's row never changes; the override lives on
		// the head and in the audit trail.
		if cur.Status != StatusPublished {
			v, err := encodeVersion(&next, p.Subject)
			if err != nil {
				return err
			}
			if err := tx.PutVersion(ctx, v); err != nil {
				return err
			}
		}
		out = &next
		return s.audit(ctx, tx, p, now, cur.Organisation, ActionOverride, "processing/"+id, cur.Version,
			in.Rule+" "+in.Field+": "+in.Justification)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
