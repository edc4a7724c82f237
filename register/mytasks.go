package register

import (
	"cmp"
	"context"
	"slices"

	"github.com/registre/registre/auth/identity"
)

// MyTask is an open review task of an open campaign, as the person who may
// take it sees it: the task, its campaign's title and due date, and whether
// it is overdue (the due date has passed, in Zurich; decided when read).
type MyTask struct {
	ReviewTask
	CampaignTitle string `json:"campaign_title"`
	DueOn         string `json:"due_on"`
}

// MyTasks lists the review tasks waiting for p in open campaigns: for an
// editor those of their units, for a DPO (or an administrator acting in an
// organisation) the whole organisation's; by due date (the overdue ones
// first), then title. An auditor takes no task (EForbidden); an administrator
// without an organisation has none.
func (s *Service) MyTasks(ctx context.Context, p *identity.Principal) ([]MyTask, error) {
	if err := requireRole(p, identity.RoleEditor, identity.RoleDPO, identity.RoleAdmin); err != nil {
		return nil, err
	}
	out := []MyTask{}
	if p.Org == "" {
		return out, nil
	}
	all, err := s.openTasks(ctx, p.Org)
	if err != nil {
		return nil, err
	}
	for _, t := range all {
		if p.Role != identity.RoleEditor || p.HasUnit(t.Unit) {
			out = append(out, t)
		}
	}
	// By due date, so the overdue ones come first.
	slices.SortStableFunc(out, func(a, b MyTask) int {
		return cmp.Or(cmp.Compare(a.DueOn, b.DueOn), cmp.Compare(SearchKey(a.Title), SearchKey(b.Title)), cmp.Compare(a.ProcessingID, b.ProcessingID))
	})
	return out, nil
}

// ReviewTaskCounts counts the undone review tasks of org's open campaigns
// and how many of them are overdue (the due date has passed, in Zurich):
// the overview's figures. Whoever reads the organisation's register may
// know them, an auditor too, who takes none.
func (s *Service) ReviewTaskCounts(ctx context.Context, p *identity.Principal, org string) (open, overdue int, err error) {
	if p == nil {
		return 0, 0, Errorf(EUnauthorized, "authentication required")
	}
	if !sameOrg(p, org) {
		return 0, 0, notFound("organisation")
	}
	tasks, err := s.openTasks(ctx, org)
	if err != nil {
		return 0, 0, err
	}
	for _, t := range tasks {
		if t.Overdue {
			overdue++
		}
	}
	return len(tasks), overdue, nil
}

// openTasks lists the undone tasks of org's open campaigns with their
// campaign's title and due date, each campaign read once, and whether the
// task is overdue (decided on today, in Zurich).
func (s *Service) openTasks(ctx context.Context, org string) ([]MyTask, error) {
	tasks, err := s.store.OpenTasks(ctx, org)
	if err != nil {
		return nil, err
	}
	today := s.today()
	campaigns := map[string]*Campaign{}
	out := make([]MyTask, 0, len(tasks))
	for _, t := range tasks {
		c := campaigns[t.CampaignID]
		if c == nil {
			if c, err = s.store.GetCampaign(ctx, t.CampaignID); err != nil {
				return nil, err
			}
			campaigns[t.CampaignID] = c
		}
		t.Overdue = today > c.DueOn
		out = append(out, MyTask{ReviewTask: t, CampaignTitle: c.Title, DueOn: c.DueOn})
	}
	return out, nil
}
