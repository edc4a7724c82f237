package office

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/registre/registre/register"
)

// A section form's state is a url.Values keyed by JSON paths with the list
// indexes as segments ("legal_bases.1.reference", "data_subjects.0"). The
// record goes to it and comes back through its JSON, so that a form field
// and the domain's field are the same thing by construction.

// maxRowIndex bounds the indexes a posted form may name, whatever the
// group's own bound: a crafted form cannot make the server walk far.
const maxRowIndex = 1000

func fieldsMap(f *register.Fields) (map[string]any, error) {
	b, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("office: encode fields: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("office: decode fields: %w", err)
	}
	return m, nil
}

func getPath(m map[string]any, path string) any {
	var cur any = m
	for _, p := range strings.Split(path, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[p]
	}
	return cur
}

func setPath(m map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[parts[len(parts)-1]] = v
}

// scalar prints a JSON value as a form value: a checked box is "1".
func scalar(v any, kind inputKind) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		if x && kind == kCheck {
			return "1"
		}
	}
	return ""
}

// valuesOf is the section's form filled from the record.
func valuesOf(s *sectionSpec, f *register.Fields) (url.Values, error) {
	m, err := fieldsMap(f)
	if err != nil {
		return nil, err
	}
	vals := url.Values{}
	for _, it := range s.items {
		if it.f != nil {
			v := getPath(m, it.f.name)
			if it.f.kind == kChecks {
				list, _ := v.([]any)
				for _, x := range list {
					if s, ok := x.(string); ok {
						vals.Add(it.f.name, s)
					}
				}
				continue
			}
			if s := scalar(v, it.f.kind); s != "" {
				vals.Set(it.f.name, s)
			}
			continue
		}
		list, _ := getPath(m, it.g.name).([]any)
		for i, el := range list {
			for _, sf := range it.g.fields {
				var v any = el
				if sf.name != "" {
					mm, _ := el.(map[string]any)
					v = mm[sf.name]
				}
				if s := scalar(v, sf.kind); s != "" {
					vals.Set(rowName(it.g, i, sf), s)
				}
			}
		}
	}
	return vals, nil
}

// rowName is the input name of field sf in row i of group g.
func rowName(g *groupSpec, i int, sf fieldSpec) string {
	n := g.name + "." + strconv.Itoa(i)
	if sf.name != "" {
		n += "." + sf.name
	}
	return n
}

// rowIndexes returns the row indexes a form holds for g, in order; an
// index beyond the group's bound is refused (only a crafted form has one:
// the page never offers more rows than the domain allows).
func rowIndexes(vals url.Values, g *groupSpec) ([]int, error) {
	prefix := g.name + "."
	seen := map[int]bool{}
	for k := range vals {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		seg, _, _ := strings.Cut(rest, ".")
		i, err := strconv.Atoi(seg)
		if err != nil || i < 0 || i >= min(g.max, maxRowIndex) || strconv.Itoa(i) != seg {
			return nil, register.Errorf(register.EInvalid, "the form names a row that cannot exist: %s", g.name)
		}
		seen[i] = true
	}
	out := make([]int, 0, len(seen))
	for i := range seen {
		out = append(out, i)
	}
	slices.Sort(out)
	return out, nil
}

// allowed reports whether name is an input of the section: what a posted
// form may carry, nothing else (the token, the action and any stray field
// are not part of the input).
func allowed(s *sectionSpec, name string) bool {
	for _, it := range s.items {
		if it.f != nil {
			if name == it.f.name {
				return true
			}
			continue
		}
		rest, ok := strings.CutPrefix(name, it.g.name+".")
		if !ok {
			continue
		}
		seg, field, hasField := strings.Cut(rest, ".")
		if i, err := strconv.Atoi(seg); err != nil || i < 0 || i >= it.g.max || strconv.Itoa(i) != seg {
			return false
		}
		for _, sf := range it.g.fields {
			if (sf.name == "" && !hasField) || (hasField && sf.name == field) {
				return true
			}
		}
	}
	return false
}

// posted keeps the section's own inputs of a posted form: one value each,
// several for a group of checkboxes.
func posted(s *sectionSpec, form url.Values) (url.Values, error) {
	out := url.Values{}
	for k, vs := range form {
		if len(vs) == 0 {
			continue
		}
		if !allowed(s, k) {
			if g := groupOfName(s, k); g != nil {
				// A row the page never offers (beyond the domain's
				// bound) is refused; an unknown field of a row ignored.
				if _, err := rowIndexes(url.Values{k: nil}, g); err != nil {
					return nil, err
				}
			}
			continue
		}
		if multi(s, k) {
			out[k] = slices.Clone(vs)
		} else {
			out.Set(k, vs[0])
		}
	}
	for _, it := range s.items {
		if it.g != nil {
			if _, err := rowIndexes(out, it.g); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func multi(s *sectionSpec, name string) bool {
	for _, it := range s.items {
		if it.f != nil && it.f.name == name {
			return it.f.kind == kChecks
		}
	}
	return false
}

// renumber rewrites g's rows as 0..n-1 in order, leaving out the row drop
// (-1: none) and, when blanks is false, the rows where nothing is typed.
func renumber(vals url.Values, g *groupSpec, drop int, blanks bool) url.Values {
	idx, err := rowIndexes(vals, g)
	if err != nil {
		return vals // posted() checked the indexes already
	}
	out := url.Values{}
	for k, v := range vals {
		if !strings.HasPrefix(k, g.name+".") {
			out[k] = v
		}
	}
	n := 0
	for _, i := range idx {
		if i == drop {
			continue
		}
		empty := true
		for _, sf := range g.fields {
			if strings.TrimSpace(vals.Get(rowName(g, i, sf))) != "" {
				empty = false
			}
		}
		if empty && !blanks {
			continue
		}
		for _, sf := range g.fields {
			if v := vals.Get(rowName(g, i, sf)); v != "" {
				out.Set(rowName(g, n, sf), v)
			}
		}
		n++
	}
	return out
}

// compact drops the rows where nothing is typed (an "add another" row left
// blank is no row) and numbers the rest from 0: the values then name the
// same rows as the list saved, so that an error's path names its input.
func compact(s *sectionSpec, vals url.Values) url.Values {
	for _, it := range s.items {
		if it.g != nil {
			vals = renumber(vals, it.g, -1, false)
		}
	}
	return vals
}

// apply writes the section's values over base and returns the fields to
// save; the other sections stay as base has them.
func apply(s *sectionSpec, vals url.Values, base *register.Fields) (register.Fields, error) {
	m, err := fieldsMap(base)
	if err != nil {
		return register.Fields{}, err
	}
	typed := func(v string, kind inputKind) any {
		if kind == kCheck {
			return v != ""
		}
		return strings.TrimSpace(v)
	}
	consultation := false
	for _, it := range s.items {
		if it.f != nil {
			switch it.f.kind {
			case kChecks:
				var list []any
				for _, v := range vals[it.f.name] {
					if !slices.Contains(list, any(v)) {
						list = append(list, v)
					}
				}
				setPath(m, it.f.name, list)
			default:
				v := typed(vals.Get(it.f.name), it.f.kind)
				if strings.HasPrefix(it.f.name, "dpia.consultation.") {
					consultation = consultation || v != ""
				}
				setPath(m, it.f.name, v)
			}
			continue
		}
		idx, err := rowIndexes(vals, it.g)
		if err != nil {
			return register.Fields{}, err
		}
		list := make([]any, 0, len(idx))
		for _, i := range idx {
			if len(it.g.fields) == 1 && it.g.fields[0].name == "" {
				list = append(list, strings.TrimSpace(vals.Get(rowName(it.g, i, it.g.fields[0]))))
				continue
			}
			row := map[string]any{}
			for _, sf := range it.g.fields {
				row[sf.name] = typed(vals.Get(rowName(it.g, i, sf)), sf.kind)
			}
			list = append(list, row)
		}
		setPath(m, it.g.name, list)
	}
	if s.key == "dpia" && !consultation {
		if d, ok := m["dpia"].(map[string]any); ok {
			delete(d, "consultation") // nothing typed: no consultation
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return register.Fields{}, fmt.Errorf("office: encode form: %w", err)
	}
	var out register.Fields
	if err := json.Unmarshal(b, &out); err != nil {
		return register.Fields{}, fmt.Errorf("office: decode form: %w", err)
	}
	return out, nil
}

// inputName turns a domain error's JSON path into the input's name:
// "legal_bases[1].reference" → "legal_bases.1.reference".
func inputName(path string) string {
	r := strings.NewReplacer("[", ".", "]", "")
	return r.Replace(path)
}

// inputID is the id of the input named name ("legal_bases.1.reference" →
// "f-legal_bases-1-reference"): stable, for the error summary's links and
// for tests that drive the pages.
func inputID(name string) string { return "f-" + strings.ReplaceAll(name, ".", "-") }

// groupOfName returns the group whose rows name would be in, or nil.
func groupOfName(s *sectionSpec, name string) *groupSpec {
	for _, it := range s.items {
		if it.g != nil && strings.HasPrefix(name, it.g.name+".") {
			return it.g
		}
	}
	return nil
}
