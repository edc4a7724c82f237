package sqlstore

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/registre/registre/register"
)

var _ register.MaintenanceStore = (*Store)(nil)

type maintenanceStepRow struct {
	bun.BaseModel `bun:"table:maintenance_steps"`
	Name          string    `bun:"name,pk"`
	QueuedAt      time.Time `bun:"queued_at"`
}

// PendingMaintenance implements register.MaintenanceStore.
func (s *Store) PendingMaintenance(ctx context.Context) ([]string, error) {
	var names []string
	err := s.idb.NewSelect().Model((*maintenanceStepRow)(nil)).Column("name").Order("queued_at", "name").Scan(ctx, &names)
	if err != nil {
		return nil, dbError(err, "maintenance steps")
	}
	return names, nil
}

// FinishMaintenance implements register.MaintenanceStore.
func (s *Store) FinishMaintenance(ctx context.Context, name string) error {
	_, err := s.idb.NewDelete().Model((*maintenanceStepRow)(nil)).Where("name = ?", name).Exec(ctx)
	return dbError(err, "maintenance step")
}

// UpdateUnitName implements register.MaintenanceStore.
func (s *Store) UpdateUnitName(ctx context.Context, u *register.Unit) error {
	res, err := s.idb.NewUpdate().Model((*unitRow)(nil)).Set("name = ?", u.Name).
		Where("organisation = ? AND slug = ?", u.Organisation, u.Slug).Exec(ctx)
	return affected(res, err, "unit")
}

// RewriteVersion implements register.MaintenanceStore.
func (s *Store) RewriteVersion(ctx context.Context, v *register.Version) error {
	res, err := s.idb.NewUpdate().Model((*versionRow)(nil)).Set("data = ?", string(v.Data)).
		Where("processing_id = ? AND version = ?", v.ProcessingID, v.Number).Exec(ctx)
	return affected(res, err, "version")
}
