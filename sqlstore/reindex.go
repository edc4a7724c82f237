package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/registre/registre/register"
)

// reindex builds the search terms of every row indexed by an older
// register.TermsVersion (or never: rows from before the full-text migration,
// or restored from a backup). On a *bun.DB each batch is its own transaction
// (one commit per 500 rows, not one per row); in a transaction, it runs in
// it. It is idempotent and resumes where it stopped.
func reindex(ctx context.Context, db bun.IDB) (int, error) {
	done := 0
	for {
		var n int
		var err error
		if d, ok := db.(*bun.DB); ok {
			err = d.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				n, err = reindexBatch(ctx, tx)
				return err
			})
		} else {
			n, err = reindexBatch(ctx, db)
		}
		done += n
		if err != nil || n == 0 {
			return done, err
		}
	}
}

// reindexBatch indexes up to a batch of publications and of processings and
// returns how many it indexed.
func reindexBatch(ctx context.Context, db bun.IDB) (int, error) {
	const batch = 500
	done := 0
	{
		var pubs []publicationRow
		if err := db.NewSelect().Model(&pubs).Column("processing_id", "data").
			Where("search_version < ?", register.TermsVersion).Limit(batch).Scan(ctx); err != nil {
			return done, dbError(err, "publications")
		}
		for _, r := range pubs {
			var pp register.PublicProcessing
			if err := json.Unmarshal([]byte(r.Data), &pp); err != nil {
				return done, fmt.Errorf("reindex publication %s: %w", r.ProcessingID, err)
			}
			t := register.PublicationTerms(&pp)
			if _, err := db.NewUpdate().TableExpr("publications").
				Set("search_high = ?, search_low = ?, search_version = ?", t.High, t.Low, register.TermsVersion).
				Where("processing_id = ?", r.ProcessingID).Exec(ctx); err != nil {
				return done, dbError(err, "publications")
			}
		}
		var procs []processingRow
		if err := db.NewSelect().Model(&procs).
			Where("search_version < ?", register.TermsVersion).Limit(batch).Scan(ctx); err != nil {
			return done, dbError(err, "processings")
		}
		for i := range procs {
			p, err := procs[i].domain()
			if err != nil {
				return done, err
			}
			t := register.ProcessingTerms(&p.Fields)
			if _, err := db.NewUpdate().TableExpr("processings").
				Set("search_high = ?, search_low = ?, search_version = ?", t.High, t.Low, register.TermsVersion).
				Where("id = ?", p.ID).Exec(ctx); err != nil {
				return done, dbError(err, "processings")
			}
		}
		done += len(pubs) + len(procs)
	}
	return done, nil
}
