package register

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/registre/registre/auth/identity"
)

// A review campaign asks the editors of some units (or of the whole
// organisation) to say, by a date, whether each published processing of
// theirs is still accurate. Each processing in scope gets a task:
// "confirmed" (a review event: reviewed_at and review_due move on, no new
// version, the published content untouched) or "changes" (a draft is
// opened, which goes through the normal review). What is left undone stays
// visible as overdue once the due date has passed or the campaign closed.

// Task outcomes.
const (
	TaskOpen      = ""
	TaskConfirmed = "confirmed"
	TaskChanges   = "changes"
)

// Audit actions of campaigns.
const (
	ActionCampaignOpen  = "campaign.open"
	ActionCampaignClose = "campaign.close"
	ActionReviewConfirm = "review.confirm"
	ActionReviewChanges = "review.changes"
)

// Campaign is a review campaign.
type Campaign struct {
	ID           string     `json:"id"`
	Organisation string     `json:"organisation"`
	Title        string     `json:"title"`
	Units        []string   `json:"units"` // [] for the whole organisation
	DueOn        string     `json:"due_on"`
	OpenedAt     time.Time  `json:"opened_at"`
	OpenedBy     string     `json:"opened_by"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	ClosedBy     string     `json:"closed_by,omitempty"`
}

// CampaignInput opens a campaign.
type CampaignInput struct {
	Title string   `json:"title"`
	Units []string `json:"units"`
	DueOn string   `json:"due_on"`
}

// ReviewTask is one processing to review in a campaign.
type ReviewTask struct {
	CampaignID   string     `json:"campaign"`
	ProcessingID string     `json:"processing"`
	Organisation string     `json:"organisation"`
	Unit         string     `json:"unit"`
	Title        string     `json:"title"`
	Outcome      string     `json:"outcome"` // "", confirmed, changes
	DoneAt       *time.Time `json:"done_at,omitempty"`
	DoneBy       string     `json:"done_by,omitempty"`
	// Overdue is set when read: not done, and the due date passed or the
	// campaign closed.
	Overdue bool `json:"overdue"`
}

// UnitProgress counts one unit's tasks of a campaign.
type UnitProgress struct {
	Unit      string `json:"unit"`
	Total     int    `json:"total"`
	Confirmed int    `json:"confirmed"`
	Changes   int    `json:"changes"`
	Open      int    `json:"open"`
	Overdue   int    `json:"overdue"`
}

// CampaignProgress is a campaign with its figures, per unit and in all,
// and its tasks.
type CampaignProgress struct {
	Campaign
	Closed bool           `json:"closed"`
	Units  []UnitProgress `json:"progress"`
	All    UnitProgress   `json:"total"`
	Tasks  []ReviewTask   `json:"tasks"`
}

// CampaignStore keeps campaigns and their tasks.
type CampaignStore interface {
	CreateCampaign(ctx context.Context, c *Campaign, tasks []ReviewTask) error
	GetCampaign(ctx context.Context, id string) (*Campaign, error)
	ListCampaigns(ctx context.Context, org string) ([]Campaign, error)
	CloseCampaign(ctx context.Context, id string, at time.Time, by string) error
	ListTasks(ctx context.Context, campaignID string) ([]ReviewTask, error)
	GetTask(ctx context.Context, campaignID, processingID string) (*ReviewTask, error)
	SetTaskOutcome(ctx context.Context, campaignID, processingID, outcome string, at time.Time, by string) error
}

// ReviewInterval is how far a confirmation moves the next review.
const ReviewInterval = 1 // year

// OpenCampaign opens a review campaign over org (or some of its units),
// with a task for every processing in scope that is in the public
// register (published once and not archived).
func (s *Service) OpenCampaign(ctx context.Context, p *identity.Principal, org string, in CampaignInput) (*CampaignProgress, error) {
	if err := requireRole(p, identity.RoleDPO, identity.RoleAdmin); err != nil {
		return nil, err
	}
	if !sameOrg(p, org) {
		return nil, notFound("organisation")
	}
	var fields []FieldError
	in.Title = strings.Join(strings.Fields(in.Title), " ")
	if n := utf8.RuneCountInString(in.Title); n < 3 || n > 200 || badText(in.Title) != "" {
		fields = append(fields, FieldError{Field: "title", Message: "must be 3 to 200 characters, without control characters"})
	}
	if !validDate(in.DueOn) {
		fields = append(fields, FieldError{Field: "due_on", Message: "must be a date (YYYY-MM-DD)"})
	} else if in.DueOn < s.today() {
		fields = append(fields, FieldError{Field: "due_on", Message: "must not be in the past"})
	}
	if len(in.Units) > 200 {
		fields = append(fields, FieldError{Field: "units", Message: "must be at most 200 units"})
	}
	if fields != nil {
		return nil, invalid(fields...)
	}
	units := slices.Clone(in.Units)
	slices.Sort(units)
	units = slices.Compact(units)
	if units == nil {
		units = []string{}
	}
	var id string
	err := s.store.InTx(ctx, func(tx Store) error {
		if _, err := tx.GetOrganisation(ctx, org); err != nil {
			return err
		}
		for i, u := range units {
			if !storableKeys(org, u) {
				return invalid(FieldError{Field: "units[" + itoa(i) + "]", Message: "is not a unit of the organisation"})
			}
			if _, err := tx.GetUnit(ctx, org, u); err != nil {
				return invalid(FieldError{Field: "units[" + itoa(i) + "]", Message: "is not a unit of the organisation"})
			}
		}
		now := s.clock()
		c := &Campaign{ID: uuid.Must(uuid.NewV7()).String(), Organisation: org, Title: in.Title, Units: units,
			DueOn: in.DueOn, OpenedAt: now, OpenedBy: p.Subject}
		var tasks []ReviewTask
		err := tx.ScanProcessings(ctx, ProcessingFilter{Organisation: org}, func(pr Processing) bool {
			if pr.PublishedVersion > 0 && pr.Status != StatusArchived && (len(units) == 0 || slices.Contains(units, pr.Unit)) {
				tasks = append(tasks, ReviewTask{CampaignID: c.ID, ProcessingID: pr.ID, Organisation: org, Unit: pr.Unit, Title: pr.Title})
			}
			return true
		})
		if err != nil {
			return err
		}
		if err := tx.CreateCampaign(ctx, c, tasks); err != nil {
			return err
		}
		id = c.ID
		return s.audit(ctx, tx, p, now, org, ActionCampaignOpen, "campaign/"+c.ID, 0, itoa(len(tasks))+" processings, due "+in.DueOn)
	})
	if err != nil {
		return nil, err
	}
	return s.CampaignProgress(ctx, p, id)
}

// Campaigns lists the campaigns of org, latest first.
func (s *Service) Campaigns(ctx context.Context, p *identity.Principal, org string) ([]Campaign, error) {
	if p == nil {
		return nil, Errorf(EUnauthorized, "authentication required")
	}
	if !sameOrg(p, org) {
		return nil, notFound("organisation")
	}
	return s.store.ListCampaigns(ctx, org)
}

func (s *Service) campaign(ctx context.Context, st Store, p *identity.Principal, id string) (*Campaign, error) {
	if p == nil {
		return nil, Errorf(EUnauthorized, "authentication required")
	}
	if _, err := uuid.Parse(id); err != nil {
		return nil, notFound("campaign")
	}
	c, err := st.GetCampaign(ctx, id)
	if err != nil {
		return nil, err
	}
	if !sameOrg(p, c.Organisation) {
		return nil, notFound("campaign")
	}
	return c, nil
}

// CampaignProgress returns a campaign with its figures per unit and its
// tasks; overdue is judged on today (Zurich).
func (s *Service) CampaignProgress(ctx context.Context, p *identity.Principal, id string) (*CampaignProgress, error) {
	c, err := s.campaign(ctx, s.store, p, id)
	if err != nil {
		return nil, err
	}
	tasks, err := s.store.ListTasks(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &CampaignProgress{Campaign: *c, Closed: c.ClosedAt != nil, Tasks: tasks}
	late := out.Closed || s.today() > c.DueOn
	by := map[string]*UnitProgress{}
	for i := range out.Tasks {
		t := &out.Tasks[i]
		t.Overdue = t.Outcome == TaskOpen && late
		u := by[t.Unit]
		if u == nil {
			u = &UnitProgress{Unit: t.Unit}
			by[t.Unit] = u
		}
		for _, x := range []*UnitProgress{u, &out.All} {
			x.Total++
			switch t.Outcome {
			case TaskConfirmed:
				x.Confirmed++
			case TaskChanges:
				x.Changes++
			default:
				x.Open++
				if t.Overdue {
					x.Overdue++
				}
			}
		}
	}
	out.All.Unit = ""
	for _, u := range by {
		out.Units = append(out.Units, *u)
	}
	slices.SortFunc(out.Units, func(a, b UnitProgress) int { return strings.Compare(a.Unit, b.Unit) })
	if out.Units == nil {
		out.Units = []UnitProgress{}
	}
	if out.Tasks == nil {
		out.Tasks = []ReviewTask{}
	}
	return out, nil
}

// CloseCampaign closes an open campaign; its tasks left undone stay, as
// overdue.
func (s *Service) CloseCampaign(ctx context.Context, p *identity.Principal, id string) (*CampaignProgress, error) {
	err := s.store.InTx(ctx, func(tx Store) error {
		c, err := s.campaign(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := requireRole(p, identity.RoleDPO, identity.RoleAdmin); err != nil {
			return err
		}
		if c.ClosedAt != nil {
			return Errorf(EConflict, "the campaign is already closed")
		}
		now := s.clock()
		if err := tx.CloseCampaign(ctx, id, now, p.Subject); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, now, c.Organisation, ActionCampaignClose, "campaign/"+id, 0, "")
	})
	if err != nil {
		return nil, err
	}
	return s.CampaignProgress(ctx, p, id)
}

// openTask reads a task p may take: the campaign open, the task not done,
// p an editor of its unit, a DPO or an administrator of the organisation.
func (s *Service) openTask(ctx context.Context, tx Store, p *identity.Principal, campaignID, processingID string) (*Campaign, *ReviewTask, error) {
	c, err := s.campaign(ctx, tx, p, campaignID)
	if err != nil {
		return nil, nil, err
	}
	if _, err := uuid.Parse(processingID); err != nil {
		return nil, nil, notFound("review task")
	}
	t, err := tx.GetTask(ctx, campaignID, processingID)
	if err != nil {
		return nil, nil, err
	}
	if err := checkWrite(p, c.Organisation, t.Unit); err != nil {
		return nil, nil, err
	}
	if c.ClosedAt != nil {
		return nil, nil, Errorf(EConflict, "the campaign is closed")
	}
	if t.Outcome != TaskOpen {
		return nil, nil, Errorf(EConflict, "the processing was already reviewed in this campaign")
	}
	return c, t, nil
}

// ConfirmReview records that a processing of a campaign is still accurate:
// a review event (who, when) that moves reviewed_at to now and review_due
// a year on, without a new version and without touching what the public
// reads. Audited.
func (s *Service) ConfirmReview(ctx context.Context, p *identity.Principal, campaignID, processingID string) (*Processing, error) {
	var out *Processing
	err := s.store.InTx(ctx, func(tx Store) error {
		c, _, err := s.openTask(ctx, tx, p, campaignID, processingID)
		if err != nil {
			return err
		}
		cur, err := s.getProcessing(ctx, tx, p, processingID)
		if err != nil {
			return err
		}
		if cur.Status == StatusArchived {
			return Errorf(EConflict, "the processing was archived")
		}
		now := s.clock()
		next := *cur
		next.ReviewedAt = &now
		next.ReviewDue = now.In(s.zone).AddDate(ReviewInterval, 0, 0).Format(time.DateOnly)
		next.Revision = cur.Revision + 1
		// Not UpdatedAt, nor the version: a confirmation is not an edit.
		if err := s.stand(ctx, tx, &next, nil, p, now); err != nil {
			return err
		}
		next.Standing.UpdatedBy = cur.Standing.UpdatedBy
		if err := tx.UpdateProcessing(ctx, &next, processingSearchKey(&next.Fields), cur.Revision); err != nil {
			return err
		}
		if err := tx.SetTaskOutcome(ctx, campaignID, processingID, TaskConfirmed, now, p.Subject); err != nil {
			return err
		}
		out = &next
		return s.audit(ctx, tx, p, now, c.Organisation, ActionReviewConfirm, "processing/"+processingID, cur.Version,
			"campaign "+campaignID+"; next review "+next.ReviewDue)
	})
	return out, err
}

// RequestChanges records that a processing of a campaign needs changes:
// a new draft is opened from the current content (a published processing
// keeps its public version until the draft is published through the
// normal review). Audited.
func (s *Service) RequestChanges(ctx context.Context, p *identity.Principal, campaignID, processingID string) (*Processing, error) {
	var out *Processing
	err := s.store.InTx(ctx, func(tx Store) error {
		c, _, err := s.openTask(ctx, tx, p, campaignID, processingID)
		if err != nil {
			return err
		}
		cur, err := s.getProcessing(ctx, tx, p, processingID)
		if err != nil {
			return err
		}
		now := s.clock()
		out = cur
		switch cur.Status {
		case StatusArchived:
			return Errorf(EConflict, "the processing was archived")
		case StatusPublished:
			// The draft: the same content as version n+1, as an edit makes it.
			next := *cur
			next.Version, next.Revision, next.UpdatedAt, next.Status = cur.Version+1, cur.Revision+1, now, StatusDraft
			if err := s.stand(ctx, tx, &next, nil, p, now); err != nil {
				return err
			}
			if err := tx.UpdateProcessing(ctx, &next, processingSearchKey(&next.Fields), cur.Revision); err != nil {
				return err
			}
			v, err := encodeVersion(&next, p.Subject)
			if err != nil {
				return err
			}
			if err := tx.PutVersion(ctx, v); err != nil {
				return err
			}
			out = &next
		}
		// A draft or a record in review already is the way to change it.
		if err := tx.SetTaskOutcome(ctx, campaignID, processingID, TaskChanges, now, p.Subject); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, now, c.Organisation, ActionReviewChanges, "processing/"+processingID, out.Version, "campaign "+campaignID)
	})
	return out, err
}

func itoa(n int) string { return strconv.Itoa(n) }
