package sqlstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/registre/registre/register"
)

var _ register.CampaignStore = (*Store)(nil)

type campaignRow struct {
	bun.BaseModel `bun:"table:review_campaigns"`
	ID            string     `bun:"id,pk"`
	Organisation  string     `bun:"organisation"`
	Title         string     `bun:"title"`
	Units         string     `bun:"units"`
	DueOn         string     `bun:"due_on"`
	OpenedAt      time.Time  `bun:"opened_at"`
	OpenedBy      string     `bun:"opened_by"`
	ClosedAt      *time.Time `bun:"closed_at"`
	ClosedBy      string     `bun:"closed_by"`
}

func (r *campaignRow) domain() register.Campaign {
	c := register.Campaign{ID: r.ID, Organisation: r.Organisation, Title: r.Title, DueOn: r.DueOn,
		OpenedAt: utc(r.OpenedAt), OpenedBy: r.OpenedBy, ClosedBy: r.ClosedBy, Units: []string{}}
	_ = json.Unmarshal([]byte(r.Units), &c.Units) // written by CreateCampaign
	if r.ClosedAt != nil {
		t := utc(*r.ClosedAt)
		c.ClosedAt = &t
	}
	return c
}

type taskRow struct {
	bun.BaseModel `bun:"table:review_tasks"`
	CampaignID    string     `bun:"campaign_id,pk"`
	ProcessingID  string     `bun:"processing_id,pk"`
	Organisation  string     `bun:"organisation"`
	Unit          string     `bun:"unit"`
	Title         string     `bun:"title"`
	Outcome       string     `bun:"outcome"`
	DoneAt        *time.Time `bun:"done_at"`
	DoneBy        string     `bun:"done_by"`
}

func (r *taskRow) domain() register.ReviewTask {
	t := register.ReviewTask{CampaignID: r.CampaignID, ProcessingID: r.ProcessingID, Organisation: r.Organisation,
		Unit: r.Unit, Title: r.Title, Outcome: r.Outcome, DoneBy: r.DoneBy}
	if r.DoneAt != nil {
		d := utc(*r.DoneAt)
		t.DoneAt = &d
	}
	return t
}

// CreateCampaign implements register.CampaignStore.
func (s *Store) CreateCampaign(ctx context.Context, c *register.Campaign, tasks []register.ReviewTask) error {
	units, err := json.Marshal(c.Units)
	if err != nil {
		return err
	}
	row := &campaignRow{ID: c.ID, Organisation: c.Organisation, Title: c.Title, Units: string(units), DueOn: c.DueOn,
		OpenedAt: utc(c.OpenedAt), OpenedBy: c.OpenedBy}
	if _, err := s.idb.NewInsert().Model(row).Exec(ctx); err != nil {
		return dbError(err, "campaign")
	}
	const batch = 500
	for len(tasks) > 0 {
		n := min(batch, len(tasks))
		rows := make([]taskRow, 0, n)
		for _, t := range tasks[:n] {
			rows = append(rows, taskRow{CampaignID: t.CampaignID, ProcessingID: t.ProcessingID, Organisation: t.Organisation,
				Unit: t.Unit, Title: t.Title})
		}
		if _, err := s.idb.NewInsert().Model(&rows).Exec(ctx); err != nil {
			return dbError(err, "review tasks")
		}
		tasks = tasks[n:]
	}
	return nil
}

// GetCampaign implements register.CampaignStore.
func (s *Store) GetCampaign(ctx context.Context, id string) (*register.Campaign, error) {
	var r campaignRow
	if err := s.idb.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, dbError(err, "campaign")
	}
	c := r.domain()
	return &c, nil
}

// ListCampaigns implements register.CampaignStore.
func (s *Store) ListCampaigns(ctx context.Context, org string) ([]register.Campaign, error) {
	var rows []campaignRow
	if err := s.idb.NewSelect().Model(&rows).Where("organisation = ?", org).OrderExpr("opened_at DESC, id DESC").Limit(500).Scan(ctx); err != nil {
		return nil, dbError(err, "campaigns")
	}
	out := make([]register.Campaign, 0, len(rows))
	for i := range rows {
		out = append(out, rows[i].domain())
	}
	return out, nil
}

// CloseCampaign implements register.CampaignStore.
func (s *Store) CloseCampaign(ctx context.Context, id string, at time.Time, by string) error {
	_, err := s.idb.NewUpdate().TableExpr("review_campaigns").Set("closed_at = ?, closed_by = ?", utc(at), by).
		Where("id = ? AND closed_at IS NULL", id).Exec(ctx)
	return dbError(err, "campaign")
}

// ListTasks implements register.CampaignStore: by unit, then title.
func (s *Store) ListTasks(ctx context.Context, campaignID string) ([]register.ReviewTask, error) {
	var rows []taskRow
	if err := s.idb.NewSelect().Model(&rows).Where("campaign_id = ?", campaignID).OrderExpr("unit, title, processing_id").Scan(ctx); err != nil {
		return nil, dbError(err, "review tasks")
	}
	out := make([]register.ReviewTask, 0, len(rows))
	for i := range rows {
		out = append(out, rows[i].domain())
	}
	return out, nil
}

// GetTask implements register.CampaignStore.
func (s *Store) GetTask(ctx context.Context, campaignID, processingID string) (*register.ReviewTask, error) {
	var r taskRow
	if err := s.idb.NewSelect().Model(&r).Where("campaign_id = ? AND processing_id = ?", campaignID, processingID).Scan(ctx); err != nil {
		return nil, dbError(err, "review task")
	}
	t := r.domain()
	return &t, nil
}

// SetTaskOutcome implements register.CampaignStore.
func (s *Store) SetTaskOutcome(ctx context.Context, campaignID, processingID, outcome string, at time.Time, by string) error {
	_, err := s.idb.NewUpdate().TableExpr("review_tasks").Set("outcome = ?, done_at = ?, done_by = ?", outcome, utc(at), by).
		Where("campaign_id = ? AND processing_id = ?", campaignID, processingID).Exec(ctx)
	return dbError(err, "review task")
}
