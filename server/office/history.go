package office

import (
	"net/http"
	"time"

	"github.com/registre/registre/register"
)

// The history of a processing: its saved versions, each readable and
// comparable, and the timeline of workflow steps from the audit trail (who
// did what, when, with the reviewer's comment).

// versionItem is one saved version.
type versionItem struct {
	Number             int
	Status             register.Status
	SavedAt            time.Time
	SavedBy            string
	ReadURL            string
	PrevURL            string // compare with the version before ("" for the first)
	Prev               int
	CurURL             string // compare with the current version ("" for the current)
	Current, Published bool
}

// stepItem is one step of the timeline, or a group of consecutive saves by
// the same person (Group holds them, newest first).
type stepItem struct {
	At             time.Time
	Action         string
	Actor, Role    string
	Version        int
	Comment        string
	ReadURL        string // the version the step concerns, when it was kept
	VersionWasKept bool
	Group          []stepItem
	// Saves counts the consecutive saves by the same person folded into
	// this step (groupSaves, form_history.go); FirstVersion is the run's first.
	Saves        int
	FirstVersion int
	FirstURL     string
	// Notes are a return's comments on fields (issue 20).
	Notes []historyNote
}

// historyNote is a comment on a field as the timeline shows it.
type historyNote struct{ Label, Note string }

// Since is when the earliest save of a group was made.
func (s stepItem) Since() time.Time {
	if len(s.Group) == 0 {
		return s.At
	}
	return s.Group[len(s.Group)-1].At
}

// foldSaves folds consecutive saves (updates) by the same person in the
// same role into one step: saving a draft section by section makes many
// versions, and the timeline should tell the steps apart from the typing.
// Each save stays in the group with its link to its version.
func foldSaves(steps []stepItem) []stepItem {
	var out []stepItem
	for _, s := range steps {
		if n := len(out); n > 0 && s.Action == register.ActionUpdate {
			last := &out[n-1]
			if last.Action == register.ActionUpdate && last.Actor == s.Actor && last.Role == s.Role {
				if last.Group == nil {
					first := *last
					last.Group = []stepItem{first}
				}
				last.Group = append(last.Group, s)
				continue
			}
		}
		out = append(out, s)
	}
	return out
}

type historyData struct {
	P        *register.Processing
	Tab      string
	Versions []versionItem
	Steps    []stepItem
}

// historyPage serves GET /office/processings/{id}/history.
func (o *Office) historyPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := o.svc.GetProcessing(ctx, principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	vs, err := o.svc.ListVersions(ctx, principal(r), p.ID)
	if err != nil {
		return err
	}
	entries, err := o.svc.History(ctx, principal(r), p.ID)
	if err != nil {
		return err
	}
	notes, err := o.svc.ReviewNotes(ctx, principal(r), p.ID)
	if err != nil {
		return err
	}
	v := o.newView(r)
	base := "/office/processings/" + p.ID
	kept := map[int]bool{}
	nums := sortedVersions(vs)
	prevOf := map[int]int{}
	for i, n := range nums {
		kept[n] = true
		if i > 0 {
			prevOf[n] = nums[i-1]
		}
	}
	d := historyData{P: p, Tab: "history"}
	for _, x := range vs { // newest first
		it := versionItem{Number: x.Number, Status: x.Status, SavedAt: x.SavedAt, SavedBy: x.SavedBy,
			ReadURL: v.Path(base, "/versions/", x.Number), Current: x.Number == p.Version,
			Published: x.Number == p.PublishedVersion}
		if prev, ok := prevOf[x.Number]; ok {
			it.Prev = prev
			it.PrevURL = v.compareURL(p.ID, prev, x.Number)
		}
		if x.Number != p.Version && kept[p.Version] {
			it.CurURL = v.compareURL(p.ID, x.Number, p.Version)
		}
		d.Versions = append(d.Versions, it)
	}
	for _, e := range entries { // newest first, as the trail lists them
		s := stepItem{At: e.At, Action: e.Action, Actor: e.Actor, Role: e.Role, Version: e.Version, Comment: e.Comment}
		if e.Action == register.ActionReturn {
			for _, n := range notes {
				if n.ReturnedAt.Equal(e.At) {
					s.Notes = append(s.Notes, historyNote{Label: v.fieldLabel(n.Field), Note: n.Note})
				}
			}
		}
		if kept[e.Version] {
			s.VersionWasKept = true
			s.ReadURL = v.Path(base, "/versions/", e.Version)
		}
		d.Steps = append(d.Steps, s)
	}
	d.Steps = foldSaves(d.Steps)
	v.Title, v.Nav, v.Data = v.T("history.title")+" — "+p.Title, "register", d
	return o.render(w, http.StatusOK, "history", v)
}
