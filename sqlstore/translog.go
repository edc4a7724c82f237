package sqlstore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/uptrace/bun"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/registre/registre/register"
	"github.com/registre/registre/translog"
)

// TransLog keeps the transparency log of publications (package translog)
// in the database: records, the stored hashes of the Merkle tree, the
// state (origin, size, root) and the signing keys. It implements
// register.PublicLog; its readers serve /public/v1/log/.
type TransLog struct {
	db *DB
	// operatorKey is a note signing key given by the operator; it signs
	// instead of the keys kept in the database.
	operatorKey string
	fillBatch   int // SetFillBatch; 0: fillBatch

	mu   sync.Mutex
	last cachedCheckpoint // the latest checkpoint signed, reused while the log does not grow
}

type cachedCheckpoint struct {
	size int64
	root tlog.Hash
	key  string
	text []byte
}

// TransLog returns the database's transparency log.
func (db *DB) TransLog() *TransLog { return &TransLog{db: db} }

type translogRecordRow struct {
	bun.BaseModel `bun:"table:translog_records"`
	Idx           int64     `bun:"idx,pk"`
	Organisation  string    `bun:"organisation"`
	ProcessingID  string    `bun:"processing_id"`
	Version       int       `bun:"version"`
	Event         string    `bun:"event"`
	At            time.Time `bun:"at"`
	SHA256        string    `bun:"sha256"`
	Record        string    `bun:"record"`
	// Hashes are the stored hashes the append of this record made, in
	// stored-index order: hash L is tlog's (level L, idx>>L).
	Hashes []byte `bun:"hashes"`
	// Root and Frontier are those of the tree of idx+1 records: the head
	// of the log is its last row, so an append writes one row.
	Root     []byte `bun:"root"`
	Frontier []byte `bun:"frontier"`
}

type translogStateRow struct {
	bun.BaseModel `bun:"table:translog_state"`
	ID            int    `bun:"id,pk"`
	Origin        string `bun:"origin"`
}

type translogKeyRow struct {
	bun.BaseModel `bun:"table:translog_keys"`
	Name          string         `bun:"name,pk"`
	VKey          string         `bun:"vkey"`
	SKey          sql.NullString `bun:"skey"`
	CreatedAt     time.Time      `bun:"created_at"`
}

// Head is the log's state: its origin, size and root hash.
type Head struct {
	Origin string
	Size   int64
	Root   tlog.Hash
	// frontier holds the stored hashes of the complete subtrees of the
	// tree, by stored index.
	frontier map[int64]tlog.Hash
}

const frontierEntry = 8 + tlog.HashSize

func decodeFrontier(b []byte) map[int64]tlog.Hash {
	m := make(map[int64]tlog.Hash, len(b)/frontierEntry)
	for ; len(b) >= frontierEntry; b = b[frontierEntry:] {
		var h tlog.Hash
		copy(h[:], b[8:frontierEntry])
		m[int64(binary.BigEndian.Uint64(b[:8]))] = h
	}
	return m
}

// recordingReader serves hashes from known (the frontier and the hashes of
// the append), then from the database; it remembers what was asked, so
// that the hashes TreeHash reads become the next frontier.
type recordingReader struct {
	known map[int64]tlog.Hash
	db    tlog.HashReader
	asked []int64
}

func (r *recordingReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	r.asked = append(r.asked, indexes...)
	out := make([]tlog.Hash, len(indexes))
	var missing []int64
	for i, x := range indexes {
		h, ok := r.known[x]
		if !ok {
			missing = append(missing, x)
			continue
		}
		out[i] = h
	}
	if len(missing) == 0 {
		return out, nil
	}
	got, err := r.db.ReadHashes(missing)
	if err != nil {
		return nil, err
	}
	for i, x := range indexes {
		if _, ok := r.known[x]; !ok {
			out[i], got = got[0], got[1:]
			r.known[x] = out[i]
		}
	}
	return out, nil
}

// hashReader reads stored hashes through idb; tlog asks for O(log n) of
// them per call. The hash of (level L, k) was stored by the append of
// record ((k+1)<<L)-1, at position L of its hashes.
func hashReader(ctx context.Context, idb bun.IDB) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		if len(indexes) == 0 {
			return nil, nil
		}
		recs := make([]int64, len(indexes))
		levels := make([]int, len(indexes))
		for i, x := range indexes {
			level, k := tlog.SplitStoredHashIndex(x)
			levels[i], recs[i] = level, ((k+1)<<level)-1
		}
		var rows []translogRecordRow
		if err := idb.NewSelect().Model(&rows).Column("idx", "hashes").Where("idx IN (?)", bun.List(recs)).Scan(ctx); err != nil {
			return nil, fmt.Errorf("read log hashes: %w", err)
		}
		byIdx := make(map[int64][]byte, len(rows))
		for _, r := range rows {
			byIdx[r.Idx] = r.Hashes
		}
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			h := byIdx[recs[i]]
			at := levels[i] * tlog.HashSize
			if len(h) < at+tlog.HashSize {
				return nil, fmt.Errorf("log hash %d is missing", x)
			}
			copy(out[i][:], h[at:at+tlog.HashSize])
		}
		return out, nil
	})
}

func readHead(ctx context.Context, idb bun.IDB) (*Head, error) {
	var st translogStateRow
	err := idb.NewSelect().Model(&st).Where("id = 1").Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, register.Errorf(register.ENotFound, "the transparency log is not set up")
	}
	if err != nil {
		return nil, fmt.Errorf("log state: %w", err)
	}
	h, err := readLast(ctx, idb)
	if err != nil {
		return nil, err
	}
	h.Origin = st.Origin
	return h, nil
}

// readLast returns the size, root and frontier of the log: its last row.
func readLast(ctx context.Context, idb bun.IDB) (*Head, error) {
	h := &Head{frontier: map[int64]tlog.Hash{}}
	var last translogRecordRow
	err := idb.NewSelect().Model(&last).Column("idx", "root", "frontier").Order("idx DESC").Limit(1).Scan(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		empty, err := tlog.TreeHash(0, tlog.HashReaderFunc(func([]int64) ([]tlog.Hash, error) { return nil, nil }))
		if err != nil {
			return nil, err
		}
		h.Root = empty
		return h, nil
	case err != nil:
		return nil, fmt.Errorf("log head: %w", err)
	}
	h.Size = last.Idx + 1
	copy(h.Root[:], last.Root)
	h.frontier = decodeFrontier(last.Frontier)
	return h, nil
}

// Head returns the log's current state.
func (l *TransLog) Head(ctx context.Context) (*Head, error) { return readHead(ctx, l.db.read) }

// AppendPublic implements register.PublicLog: it appends e's record in tx,
// the transaction that publishes or archives.
func (l *TransLog) AppendPublic(ctx context.Context, tx register.Store, e register.PublicLogEvent) error {
	st, ok := tx.(*Store)
	if !ok || !st.inTx {
		return errors.New("log append: not in a store transaction")
	}
	rec := translog.Record{Organisation: e.Organisation, ProcessingID: e.ProcessingID, Version: e.Version,
		Event: e.Event, Time: e.At, SHA256: translog.Fingerprint(e.Data)}
	_, err := appendRecord(ctx, st.idb, &rec)
	return err
}

// appendRecord adds rec as the next leaf. The caller holds the write
// transaction, which serialises appends (SQLite's one writer, PostgreSQL's
// write lock taken by InTx).
func appendRecord(ctx context.Context, idb bun.IDB, rec *translog.Record) (int64, error) {
	text, err := rec.Marshal()
	if err != nil {
		return 0, err
	}
	head, err := readLast(ctx, idb)
	if err != nil {
		return 0, err
	}
	n := head.Size
	r := &recordingReader{known: head.frontier, db: hashReader(ctx, idb)}
	hashes, err := tlog.StoredHashes(n, text, r)
	if err != nil {
		return 0, fmt.Errorf("log append: %w", err)
	}
	first := tlog.StoredHashIndex(0, n)
	stored := make([]byte, 0, len(hashes)*tlog.HashSize)
	for i, h := range hashes {
		stored = append(stored, h[:]...)
		r.known[first+int64(i)] = h
	}
	r.asked = r.asked[:0]
	root, err := tlog.TreeHash(n+1, r)
	if err != nil {
		return 0, fmt.Errorf("log append: %w", err)
	}
	frontier := make([]byte, 0, len(r.asked)*frontierEntry)
	for _, x := range r.asked {
		h := r.known[x]
		frontier = binary.BigEndian.AppendUint64(frontier, uint64(x))
		frontier = append(frontier, h[:]...)
	}
	row := &translogRecordRow{Idx: n, Organisation: rec.Organisation, ProcessingID: rec.ProcessingID, Version: rec.Version,
		Event: rec.Event, At: rec.Time.UTC(), SHA256: hex.EncodeToString(rec.SHA256[:]), Record: string(text), Hashes: stored,
		Root: root[:], Frontier: frontier}
	if _, err := idb.NewInsert().Model(row).Exec(ctx); err != nil {
		return 0, dbError(err, "log record")
	}
	return n, nil
}

// Setup prepares the log at start: it records the origin the first time
// (later calls keep the stored one), makes the first signing key when there
// is none and no operator key, and appends a publish record for every
// current publication that has none (publications made before the log
// existed), oldest first. It returns how many records it appended.
// operatorKey, when not empty, is a note signing key that signs checkpoints
// instead of the database's keys; its public half is added to the published
// keys.
func (l *TransLog) Setup(ctx context.Context, origin, operatorKey string, now time.Time) (int, error) {
	if !translog.ValidOrigin(origin) {
		return 0, fmt.Errorf("log origin %q: want one line of text", origin)
	}
	var vkeyOp, opName string
	if operatorKey != "" {
		v, name, err := verifierOf(operatorKey)
		if err != nil {
			return 0, fmt.Errorf("REGISTRE_LOG_KEY: %w", err)
		}
		vkeyOp, opName = v, name
	}
	err := l.db.Store().InTx(ctx, func(tx register.Store) error {
		idb := tx.(*Store).idb
		if _, err := readHead(ctx, idb); err != nil {
			if _, err := idb.NewInsert().Model(&translogStateRow{ID: 1, Origin: origin}).Exec(ctx); err != nil {
				return fmt.Errorf("log state: %w", err)
			}
		}
		head, err := readHead(ctx, idb)
		if err != nil {
			return err
		}
		if operatorKey != "" {
			var k translogKeyRow
			err := idb.NewSelect().Model(&k).Where("name = ?", opName).Scan(ctx)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if _, err := idb.NewInsert().Model(&translogKeyRow{Name: opName, VKey: vkeyOp, CreatedAt: now.UTC()}).Exec(ctx); err != nil {
					return dbError(err, "log key")
				}
			case err != nil:
				return fmt.Errorf("log key: %w", err)
			case k.VKey != vkeyOp:
				return fmt.Errorf("REGISTRE_LOG_KEY: a different key named %q is already published; give a new key a new name", opName)
			}
		} else {
			n, err := idb.NewSelect().Model((*translogKeyRow)(nil)).Where("skey IS NOT NULL").Count(ctx)
			if err != nil {
				return fmt.Errorf("log keys: %w", err)
			}
			if n == 0 {
				if err := createKey(ctx, idb, head.Origin, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	added, err := l.recordEarlier(ctx)
	if err != nil {
		return added, err
	}
	l.operatorKey = operatorKey
	return added, nil
}

// fillBatch is how many publications made before the log existed are
// recorded in one transaction: a register restored from a backup of
// 200,000 has as many to record at its first start, which in one
// transaction, with every publication's JSON read at once, held hundreds of
// megabytes and lost everything to an interruption.
const fillBatch = 500

// recordEarlier appends a publish record for every publication that has
// none (made before the log existed, or restored from a backup), oldest
// first, in transactions of l.batch() records; it returns how many.
func (l *TransLog) recordEarlier(ctx context.Context) (int, error) {
	const missing = "NOT EXISTS (SELECT 1 FROM translog_records r WHERE r.processing_id = ?TableAlias.processing_id AND r.version = ?TableAlias.version AND r.event = ?)"
	var keys []string
	err := l.db.write.NewSelect().Model((*publicationRow)(nil)).Column("processing_id").
		Where(missing, translog.EventPublish).Order("published_at", "processing_id").Scan(ctx, &keys)
	if err != nil {
		return 0, fmt.Errorf("publications without a log record: %w", err)
	}
	added := 0
	for len(keys) > 0 {
		batch := keys[:min(l.batch(), len(keys))]
		keys = keys[len(batch):]
		err := l.db.Store().InTx(ctx, func(tx register.Store) error {
			idb := tx.(*Store).idb
			// Read again in the transaction: a publication recorded or
			// published anew since the keys were read is as it is now.
			var rows []publicationRow
			err := idb.NewSelect().Model(&rows).Where("processing_id IN (?)", bun.List(batch)).
				Where(missing, translog.EventPublish).Scan(ctx)
			if err != nil {
				return fmt.Errorf("publications without a log record: %w", err)
			}
			byID := make(map[string]*publicationRow, len(rows))
			for i := range rows {
				byID[rows[i].ProcessingID] = &rows[i]
			}
			for _, id := range batch {
				p := byID[id]
				if p == nil {
					continue
				}
				rec := translog.Record{Organisation: p.Organisation, ProcessingID: p.ProcessingID, Version: p.Version,
					Event: translog.EventPublish, Time: p.PublishedAt.UTC(), SHA256: translog.Fingerprint([]byte(p.Data))}
				if _, err := appendRecord(ctx, idb, &rec); err != nil {
					return err
				}
				added++
			}
			return nil
		})
		if err != nil {
			return added, err
		}
	}
	return added, nil
}

// batch is fillBatch, or what SetFillBatch said.
func (l *TransLog) batch() int {
	if l.fillBatch > 0 {
		return l.fillBatch
	}
	return fillBatch
}

// SetFillBatch sets how many earlier publications Setup records in one
// transaction (default 500): tests set it small to take several.
func (l *TransLog) SetFillBatch(n int) { l.fillBatch = n }

func verifierOf(skey string) (vkey, name string, err error) {
	return translog.PublicKey(skey)
}

// createKey adds a new signing key named after the origin and the number of
// keys before it, so that each key has its own name.
func createKey(ctx context.Context, idb bun.IDB, origin string, now time.Time) error {
	n, err := idb.NewSelect().Model((*translogKeyRow)(nil)).Count(ctx)
	if err != nil {
		return fmt.Errorf("log keys: %w", err)
	}
	name := fmt.Sprintf("%s/k%d", keyNameBase(origin), n+1)
	skey, vkey, err := translog.NewKey(name)
	if err != nil {
		return err
	}
	row := &translogKeyRow{Name: name, VKey: vkey, SKey: sql.NullString{String: skey, Valid: true}, CreatedAt: now.UTC()}
	if _, err := idb.NewInsert().Model(row).Exec(ctx); err != nil {
		return dbError(err, "log key")
	}
	return nil
}

// keyNameBase is the origin made fit for a key name (no spaces, no '+').
func keyNameBase(origin string) string {
	b := []rune(origin)
	for i, r := range b {
		if r == ' ' || r == '+' || r == '\t' {
			b[i] = '_'
		}
	}
	return string(b)
}

// RotateKey makes a new signing key that signs from now on; the old keys
// stay published. It returns the new key's public half.
func (l *TransLog) RotateKey(ctx context.Context, now time.Time) (string, error) {
	var vkey string
	err := l.db.Store().InTx(ctx, func(tx register.Store) error {
		idb := tx.(*Store).idb
		head, err := readHead(ctx, idb)
		if err != nil {
			return err
		}
		if err := createKey(ctx, idb, head.Origin, now); err != nil {
			return err
		}
		k, err := newestKey(ctx, idb)
		if err != nil {
			return err
		}
		vkey = k.VKey
		return nil
	})
	l.mu.Lock()
	l.last = cachedCheckpoint{}
	l.mu.Unlock()
	return vkey, err
}

func newestKey(ctx context.Context, idb bun.IDB) (*translogKeyRow, error) {
	var k translogKeyRow
	err := idb.NewSelect().Model(&k).Where("skey IS NOT NULL").Order("created_at DESC", "name DESC").Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, register.Errorf(register.ENotFound, "the transparency log has no signing key")
	}
	if err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	return &k, nil
}

// Keys returns the published keys, "name+hash+base64", newest first: every
// key that ever signed a checkpoint.
func (l *TransLog) Keys(ctx context.Context) ([]string, error) {
	var rows []translogKeyRow
	if err := l.db.read.NewSelect().Model(&rows).Column("name", "vkey", "created_at").Order("created_at DESC", "name DESC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("log keys: %w", err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.VKey
	}
	return out, nil
}

// Checkpoint returns the signed checkpoint of the log as it is now. The
// signature is computed once per size and key.
func (l *TransLog) Checkpoint(ctx context.Context) ([]byte, int64, error) {
	head, err := l.Head(ctx)
	if err != nil {
		return nil, 0, err
	}
	skey := l.operatorKey
	if skey == "" {
		k, err := newestKey(ctx, l.db.read)
		if err != nil {
			return nil, 0, err
		}
		skey = k.SKey.String
	}
	l.mu.Lock()
	c := l.last
	l.mu.Unlock()
	if c.text != nil && c.size == head.Size && c.root == head.Root && c.key == skey {
		return c.text, head.Size, nil
	}
	text, err := translog.Sign(skey, head.Origin, head.Size, head.Root)
	if err != nil {
		return nil, 0, err
	}
	l.mu.Lock()
	if head.Size >= l.last.size {
		l.last = cachedCheckpoint{size: head.Size, root: head.Root, key: skey, text: text}
	}
	l.mu.Unlock()
	return text, head.Size, nil
}

// Record returns the text of record i and the log's size.
func (l *TransLog) Record(ctx context.Context, i int64) (*translogRecordRow, error) {
	var r translogRecordRow
	if err := l.db.read.NewSelect().Model(&r).Where("idx = ?", i).Scan(ctx); err != nil {
		return nil, dbError(err, "log record")
	}
	return &r, nil
}

// RecordText returns the text of record i.
func (l *TransLog) RecordText(ctx context.Context, i int64) ([]byte, error) {
	r, err := l.Record(ctx, i)
	if err != nil {
		return nil, err
	}
	return []byte(r.Record), nil
}

// FindBySHA256 returns the index of the first record of processing
// processingID whose fingerprint is sum (lowercase hex); ENotFound when none.
func (l *TransLog) FindBySHA256(ctx context.Context, processingID, sum string) (int64, error) {
	var idx int64
	err := l.db.read.NewSelect().Model((*translogRecordRow)(nil)).Column("idx").
		Where("processing_id = ? AND sha256 = ?", processingID, sum).
		Order("idx").Limit(1).Scan(ctx, &idx)
	if err != nil {
		return 0, dbError(err, "log record")
	}
	return idx, nil
}

// FindPublication returns the index of the publish record of a version of a
// processing; ENotFound when none.
func (l *TransLog) FindPublication(ctx context.Context, processingID string, version int) (int64, error) {
	var idx int64
	err := l.db.read.NewSelect().Model((*translogRecordRow)(nil)).Column("idx").
		Where("processing_id = ? AND version = ? AND event = ?", processingID, version, translog.EventPublish).
		Order("idx").Limit(1).Scan(ctx, &idx)
	if err != nil {
		return 0, dbError(err, "log record")
	}
	return idx, nil
}

// Inclusion proves record index in the log as it is now, with the signed
// checkpoint the proof leads to.
func (l *TransLog) Inclusion(ctx context.Context, index int64) (*translog.Inclusion, error) {
	cp, size, err := l.Checkpoint(ctx)
	if err != nil {
		return nil, err
	}
	if index < 0 || index >= size {
		return nil, register.Errorf(register.ENotFound, "the log has no record %d (it has %d)", index, size)
	}
	text, err := l.RecordText(ctx, index)
	if err != nil {
		return nil, err
	}
	proof, err := tlog.ProveRecord(size, index, hashReader(ctx, l.db.read))
	if err != nil {
		return nil, fmt.Errorf("inclusion proof: %w", err)
	}
	return &translog.Inclusion{Index: index, TreeSize: size, Record: string(text), LeafHash: translog.LeafHash(text),
		Hashes: proof, Checkpoint: string(cp)}, nil
}

// Consistency proves that the tree of from records is a prefix of the tree
// of to records; to = 0 means the log as it is now, with its checkpoint.
func (l *TransLog) Consistency(ctx context.Context, from, to int64) (*translog.Consistency, error) {
	out := &translog.Consistency{From: from, To: to}
	if to == 0 {
		cp, size, err := l.Checkpoint(ctx)
		if err != nil {
			return nil, err
		}
		out.To, out.Checkpoint = size, string(cp)
	} else {
		head, err := l.Head(ctx)
		if err != nil {
			return nil, err
		}
		if to > head.Size {
			return nil, register.Errorf(register.ENotFound, "the log has %d records, not %d", head.Size, to)
		}
	}
	if from < 0 || from > out.To {
		return nil, register.Errorf(register.EInvalid, "from must be between 0 and %d", out.To)
	}
	out.Hashes = []tlog.Hash{}
	if from == 0 || from == out.To {
		return out, nil
	}
	proof, err := tlog.ProveTree(out.To, from, hashReader(ctx, l.db.read))
	if err != nil {
		return nil, fmt.Errorf("consistency proof: %w", err)
	}
	out.Hashes = proof
	return out, nil
}
