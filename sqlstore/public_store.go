package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/registre/registre/register"
)

// The public register's reads beyond GetPublication and ListPublications:
// whole-register scans for open data, organisation counts, the feed's events
// and the cheap stamps that validate caches.

// publicWhere applies the filters of f, as SearchPublications does, over
// publications without an alias.
func (s *Store) publicWhere(q *bun.SelectQuery, f register.PublicFilter) *bun.SelectQuery {
	if f.Organisation != "" {
		q = q.Where("organisation = ?", f.Organisation)
	}
	if f.Searching() {
		sq := f.Search()
		if lit := register.LiteralPattern(f.Query); lit != "" {
			q = q.Where(`search_key LIKE ? ESCAPE '\'`, lit)
		}
		switch {
		case sq.Empty():
			if register.LiteralPattern(f.Query) == "" {
				q = q.Where("1 = 0")
			}
		case s.db.postgres:
			q = q.Where("search_tsv @@ to_tsquery('simple', ?)", sq.TSQuery())
		default:
			q = q.Where("rowid IN (SELECT rowid FROM publications_fts WHERE publications_fts MATCH ?)", ftsQuery(sq, f.Organisation, false))
		}
	}
	if c := strings.TrimSpace(f.Category); c != "" {
		q = q.Where(`categories LIKE ? ESCAPE '\'`, register.LikePattern("\n"+c+"\n"))
	}
	if f.Sensitive != nil {
		q = q.Where("sensitive = ?", *f.Sensitive)
	}
	if f.BasisType != "" {
		q = q.Where("basis_types LIKE ?", "% "+string(f.BasisType)+" %")
	}
	return q
}

// scanBatch is how many publications ScanPublications reads per query: a
// few hundred kilobytes of JSON, few enough queries (400 for 200,000 rows)
// that their round trips do not count.
const scanBatch = 500

// scanRow is what open data reads of a publication: its key and its public
// JSON, which holds everything else. Not the search columns: on SQLite,
// search_key, search_high and search_low were two thirds of the bytes read,
// and planned_start, the record's last column, made every row with overflow
// pages walk them all; nor published_at, whose parsing was a tenth of the
// SQLite driver's time.
type scanRow struct {
	ProcessingID string `bun:"processing_id"`
	Organisation string `bun:"organisation"`
	Title        string `bun:"title"`
	Data         []byte `bun:"data"`
}

// ScanPublications implements register.Store. It pages by key (organisation,
// title, id), not by offset, so that a long register costs one index walk
// and a row published or archived meanwhile does not shift the pages; each
// page is a short query of its own, so that no read transaction is held
// open while a slow client downloads. The publications it gives carry the
// fields of scanRow only (register.Store says so).
func (s *Store) ScanPublications(ctx context.Context, f register.PublicFilter, fn func(register.Publication) bool) error {
	var after *scanRow
	for {
		// A new slice each time: fn may keep the publications (and their
		// Data) after it returns.
		rows := make([]scanRow, 0, scanBatch)
		q := s.publicWhere(s.idb.NewSelect().TableExpr("publications").
			Column("processing_id", "organisation", "title", "data"), f)
		if after != nil {
			q = q.Where("(organisation, title, processing_id) > (?, ?, ?)", after.Organisation, after.Title, after.ProcessingID)
		}
		if err := q.OrderExpr("organisation, title, processing_id").Limit(scanBatch).Scan(ctx, &rows); err != nil {
			return dbError(err, "publications")
		}
		for i := range rows {
			r := &rows[i]
			if !fn(register.Publication{ProcessingID: r.ProcessingID, Organisation: r.Organisation, Title: r.Title, Data: r.Data}) {
				return nil
			}
		}
		if len(rows) < scanBatch {
			return nil
		}
		last := rows[len(rows)-1]
		after = &last
	}
}

// GetPublicationStamp implements register.Store: two small columns by
// primary key, without the JSON.
func (s *Store) GetPublicationStamp(ctx context.Context, id string) (register.PublicationStamp, error) {
	var st struct {
		Version     int       `bun:"version"`
		PublishedAt time.Time `bun:"published_at"`
	}
	err := s.idb.NewSelect().TableExpr("publications").Column("version", "published_at").
		Where("processing_id = ?", id).Scan(ctx, &st)
	if err != nil {
		return register.PublicationStamp{}, dbError(err, "processing")
	}
	return register.PublicationStamp{Version: st.Version, PublishedAt: utc(st.PublishedAt)}, nil
}

// ListPublicOrganisations implements register.Store.
func (s *Store) ListPublicOrganisations(ctx context.Context) ([]register.PublicOrganisation, error) {
	var rows []struct {
		Slug         string `bun:"slug"`
		Name         string `bun:"name"`
		Address      string `bun:"address"`
		Website      string `bun:"website"`
		DPOContact   string `bun:"dpo_contact"`
		LIPADContact string `bun:"lipad_contact"`
		Transparency string `bun:"transparency_contact"`
		Count        int    `bun:"count"`
	}
	// public_count is kept by triggers in the publishing transaction.
	err := s.idb.NewSelect().TableExpr("organisations AS o").
		ColumnExpr("o.slug, o.name, o.address, o.website, o.dpo_contact, o.lipad_contact, o.transparency_contact, o.public_count AS count").
		Where("o.public_count > 0").
		OrderExpr("o.name, o.slug").Scan(ctx, &rows)
	if err != nil {
		return nil, dbError(err, "organisations")
	}
	out := make([]register.PublicOrganisation, 0, len(rows))
	for _, r := range rows {
		out = append(out, register.PublicOrganisation{Slug: r.Slug, Name: r.Name, Address: r.Address,
			Website: r.Website, DPOContact: r.DPOContact, LIPADContact: r.LIPADContact, TransparencyContact: r.Transparency, Count: r.Count})
	}
	return out, nil
}

// processingTarget is the audit target prefix of a processing; the id
// follows it ("processing/0193...").
const processingTarget = register.ActionProcessingRef + "/"

// ListPublicEvents implements register.Store. The audit entry names the
// version it acted on; the title comes from the publication when it is that
// version, else from the saved version, which was published and so never
// changes. Neither is read for a processing that left the register.
func (s *Store) ListPublicEvents(ctx context.Context, org string, limit int) ([]register.PublicEvent, error) {
	var rows []struct {
		Seq          int64          `bun:"seq"`
		At           time.Time      `bun:"at"`
		Action       string         `bun:"action"`
		Organisation string         `bun:"organisation"`
		Target       string         `bun:"target"`
		Version      int            `bun:"version"`
		PubVersion   sql.NullInt64  `bun:"pub_version"`
		PubTitle     sql.NullString `bun:"pub_title"`
		OldData      sql.NullString `bun:"old_data"`
		EndTitle     sql.NullString `bun:"end_title"`
		EndedOn      sql.NullString `bun:"ended_on"`
		EndReason    sql.NullString `bun:"end_reason"`
		PlannedStart sql.NullString `bun:"planned_start"`
	}
	q := s.idb.NewSelect().TableExpr("audit_log AS a").
		ColumnExpr("a.seq, a.at, a.action, a.organisation, a.target, a.version").
		ColumnExpr("p.version AS pub_version, p.title AS pub_title, v.data AS old_data, p.planned_start").
		Join("LEFT JOIN publications AS p ON p.processing_id = substr(a.target, ?)", len(processingTarget)+1).
		Join("LEFT JOIN processing_versions AS v ON v.processing_id = p.processing_id AND v.version = a.version AND v.version <> p.version AND v.status = ?", string(register.StatusPublished)).
		// An archiving tells how the processing ended (issue 20).
		ColumnExpr("e.title AS end_title, e.ended_on, e.reason AS end_reason").
		Join("LEFT JOIN processing_endings AS e ON a.action = ? AND e.processing_id = substr(a.target, ?)", register.ActionArchive, len(processingTarget)+1).
		Where("a.action IN (?, ?)", register.ActionPublish, register.ActionArchive)
	if org != "" {
		q = q.Where("a.organisation = ?", org)
	}
	if err := q.OrderExpr("a.seq DESC").Limit(int64(limit)).Scan(ctx, &rows); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, dbError(err, "public events")
	}
	out := make([]register.PublicEvent, 0, len(rows))
	for _, r := range rows {
		e := register.PublicEvent{Seq: r.Seq, At: utc(r.At), Action: r.Action, Organisation: r.Organisation,
			ProcessingID: strings.TrimPrefix(r.Target, processingTarget), Version: r.Version}
		switch {
		case r.EndTitle.Valid: // the archiving that ended it
			e.Title, e.EndedOn, e.EndReason = r.EndTitle.String, r.EndedOn.String, r.EndReason.String
		case !r.PubVersion.Valid: // archived: no title
		case int(r.PubVersion.Int64) == r.Version:
			e.Title, e.PlannedStart = r.PubTitle.String, r.PlannedStart.String
		case r.OldData.Valid:
			var v struct {
				Title string `json:"title"`
			}
			if json.Unmarshal([]byte(r.OldData.String), &v) == nil {
				e.Title = v.Title
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// GetPublicHead implements register.Store.
func (s *Store) GetPublicHead(ctx context.Context, org string) (register.PublicHead, error) {
	var r struct {
		Seq int64     `bun:"seq"`
		At  time.Time `bun:"at"`
	}
	q := s.idb.NewSelect().TableExpr("audit_log").Column("seq", "at").
		Where("action IN (?, ?)", register.ActionPublish, register.ActionArchive)
	if org != "" {
		q = q.Where("organisation = ?", org)
	}
	err := q.OrderExpr("seq DESC").Limit(1).Scan(ctx, &r)
	if errors.Is(err, sql.ErrNoRows) {
		return register.PublicHead{}, nil
	}
	if err != nil {
		return register.PublicHead{}, dbError(err, "public head")
	}
	return register.PublicHead{Seq: r.Seq, At: utc(r.At)}, nil
}
