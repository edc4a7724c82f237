package sqlstore

import (
	"context"
	"database/sql"

	"github.com/uptrace/bun"

	"github.com/registre/registre/register"
)

// anchorsSQL hops along the index publications_org_title_id (organisation,
// title, processing_id) from anchor to anchor, every rows at a time: one
// walk of the index in small steps. Window functions (row_number() over the
// list) sorted and numbered every row, 4 to 10 times slower.
const anchorsSQL = `WITH RECURSIVE a(o, t, i) AS (
	SELECT f.* FROM (SELECT organisation, title, processing_id FROM publications
		ORDER BY organisation, title, processing_id LIMIT 1 OFFSET ?) AS f
	UNION ALL
	SELECT p.organisation, p.title, p.processing_id FROM a JOIN publications AS p ON p.processing_id = (
		SELECT q.processing_id FROM publications AS q WHERE (q.organisation, q.title, q.processing_id) > (a.o, a.t, a.i)
		ORDER BY q.organisation, q.title, q.processing_id LIMIT 1 OFFSET ?))
SELECT o, t, i FROM a`

// PublicListAnchors implements register.Store. The anchors and the counts
// are read in one transaction, so that they describe the same list.
func (s *Store) PublicListAnchors(ctx context.Context, every int) (register.PublicAnchors, error) {
	out := register.PublicAnchors{Before: map[string]int{}}
	err := s.idb.RunInTx(ctx, &sql.TxOptions{ReadOnly: true}, func(ctx context.Context, tx bun.Tx) error {
		rows, err := tx.QueryContext(ctx, anchorsSQL, every-1, every-1)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o, t, i string
			if err := rows.Scan(&o, &t, &i); err != nil {
				return err
			}
			out.Keys = append(out.Keys, []string{o, t, i})
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// The organisations in the database's order of the column, which
		// is the list's: their kept counts add up to where each begins.
		var counts []struct {
			Slug  string `bun:"slug"`
			Count int    `bun:"public_count"`
		}
		if err := tx.NewSelect().Table("organisations").Column("slug", "public_count").
			Where("public_count > 0").Order("slug").Scan(ctx, &counts); err != nil {
			return err
		}
		n := 0
		for _, c := range counts {
			out.Before[c.Slug] = n
			n += c.Count
		}
		return nil
	})
	if err != nil {
		return register.PublicAnchors{}, dbError(err, "publications")
	}
	return out, nil
}
