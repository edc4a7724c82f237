package publicsite

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/registre/registre/server/httpkit"

	"github.com/registre/registre/register"
	"github.com/registre/registre/reports"
	"github.com/registre/registre/translog"
)

// TransparencyLog is the transparency log of publications as the public
// endpoints read it (sqlstore.TransLog). Every answer costs O(log n) stored
// hashes at most; nothing is recomputed from all records.
type TransparencyLog interface {
	// Checkpoint returns the signed checkpoint of the log now, and its size.
	Checkpoint(ctx context.Context) ([]byte, int64, error)
	// Keys returns every published key, newest first.
	Keys(ctx context.Context) ([]string, error)
	RecordText(ctx context.Context, i int64) ([]byte, error)
	FindBySHA256(ctx context.Context, processingID, sum string) (int64, error)
	FindPublication(ctx context.Context, processingID string, version int) (int64, error)
	Inclusion(ctx context.Context, index int64) (*translog.Inclusion, error)
	Consistency(ctx context.Context, from, to int64) (*translog.Consistency, error)
}

// jsonFingerprint is the SHA-256 of a publication's stored JSON, as the
// log's records hold it (lowercase hex).
func jsonFingerprint(data []byte) string {
	sum := translog.Fingerprint(data)
	return hex.EncodeToString(sum[:])
}

// logEntry returns where the log holds the publication of processing id
// whose stored JSON has fingerprint sum: the first record with that
// fingerprint is its publish record (an archiving repeats it later). nil
// when the service keeps no log or the log has no such record (it should
// not happen: Setup backfills publications made before the log).
func (s *Site) logEntry(ctx context.Context, id, sum string) (*reports.LogEntry, error) {
	if s.cfg.Log == nil {
		return nil, nil
	}
	idx, err := s.cfg.Log.FindBySHA256(ctx, id, sum)
	if register.ErrorCode(err) == register.ENotFound {
		s.log.WarnContext(ctx, "publication without a log record", "processing", id, "sha256", sum)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("log record of %s: %w", id, err)
	}
	return &reports.LogEntry{Index: idx, SHA256: sum}, nil
}

// LogRecord is GET /public/v1/log/records/{index}: the record's text (the
// bytes the log hashes) and its fields, parsed from that text.
type LogRecord struct {
	Index        int64  `json:"index"`
	Record       string `json:"record"`
	LeafHash     string `json:"leaf_hash"`
	Organisation string `json:"organisation"`
	ProcessingID string `json:"processing_id"`
	Version      int    `json:"version"`
	Event        string `json:"event"`
	Time         string `json:"time"`
	SHA256       string `json:"sha256"`
}

// maxLogIndex bounds indexes read from queries: beyond it no log will ever
// reach, and tlog's index arithmetic stays far from overflowing.
const maxLogIndex = 1 << 50

func (s *Site) transparencyLog() (TransparencyLog, error) {
	if s.cfg.Log == nil {
		return nil, register.Errorf(register.ENotFound, "this service keeps no transparency log")
	}
	return s.cfg.Log, nil
}

// logIndex reads a whole number from 0 in the query; ok is false when absent.
func logIndex(q url.Values, name string) (n int64, ok bool, err error) {
	v := q.Get(name)
	if v == "" {
		return 0, false, nil
	}
	n, err = strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > maxLogIndex {
		return 0, false, httpkit.BadRequest("a query parameter has the wrong type", register.FieldError{Field: name, Message: "must be a whole number from 0"})
	}
	return n, true, nil
}

func logHeaders(w http.ResponseWriter, cache string) {
	publicHeaders(w)
	w.Header().Set("Cache-Control", cache)
}

func (s *Site) PublicLogCheckpoint(w http.ResponseWriter, r *http.Request) error {
	l, err := s.transparencyLog()
	if err != nil {
		return err
	}
	cp, _, err := l.Checkpoint(r.Context())
	if err != nil {
		return err
	}
	logHeaders(w, "no-cache")
	return httpkit.WriteRaw(w, http.StatusOK, "text/plain; charset=utf-8", cp)
}

func (s *Site) PublicLogKeys(w http.ResponseWriter, r *http.Request) error {
	l, err := s.transparencyLog()
	if err != nil {
		return err
	}
	keys, err := l.Keys(r.Context())
	if err != nil {
		return err
	}
	logHeaders(w, publicCacheControl)
	return httpkit.WriteRaw(w, http.StatusOK, "text/plain; charset=utf-8", []byte(strings.Join(keys, "\n")+"\n"))
}

func (s *Site) PublicLogRecord(w http.ResponseWriter, r *http.Request) error {
	l, err := s.transparencyLog()
	if err != nil {
		return err
	}
	i, err := strconv.ParseInt(r.PathValue("index"), 10, 64)
	if err != nil || i < 0 || i > maxLogIndex {
		return register.Errorf(register.ENotFound, "no such log record")
	}
	text, err := l.RecordText(r.Context(), i)
	if err != nil {
		return err
	}
	rec, err := translog.ParseRecord(text)
	if err != nil {
		return err
	}
	leaf := translog.LeafHash(text)
	// A record never changes once written.
	logHeaders(w, "public, max-age=31536000, immutable")
	return httpkit.WriteJSON(w, http.StatusOK, LogRecord{Index: i, Record: string(text), LeafHash: leaf.String(),
		Organisation: rec.Organisation, ProcessingID: rec.ProcessingID, Version: rec.Version, Event: rec.Event,
		Time: rec.Time.UTC().Format("2006-01-02T15:04:05.000000Z"), SHA256: hex.EncodeToString(rec.SHA256[:])})
}

// PublicLogInclusion proves one record in the log as it is now. The record
// is chosen by index, by processing and the SHA-256 of its public JSON, or
// by processing and version (its publication).
func (s *Site) PublicLogInclusion(w http.ResponseWriter, r *http.Request) error {
	l, err := s.transparencyLog()
	if err != nil {
		return err
	}
	ctx := r.Context()
	q := r.URL.Query()
	idx, byIndex, err := logIndex(q, "index")
	if err != nil {
		return err
	}
	sum, id, ver := strings.ToLower(q.Get("sha256")), q.Get("processing"), q.Get("version")
	switch {
	case byIndex && sum == "" && id == "" && ver == "":
	case !byIndex && sum != "" && id != "" && ver == "":
		if b, err := hex.DecodeString(sum); err != nil || len(b) != 32 {
			return httpkit.BadRequest("a query parameter has the wrong type", register.FieldError{Field: "sha256", Message: "must be 64 hexadecimal digits"})
		}
		if len(id) > 64 {
			return register.Errorf(register.ENotFound, "no such log record")
		}
		if idx, err = l.FindBySHA256(ctx, id, sum); err != nil {
			return err
		}
	case !byIndex && sum == "" && id != "" && ver != "":
		v, err := strconv.Atoi(ver)
		if err != nil || v < 1 || len(id) > 64 {
			return httpkit.BadRequest("a query parameter has the wrong type", register.FieldError{Field: "version", Message: "must be a whole number from 1"})
		}
		if idx, err = l.FindPublication(ctx, id, v); err != nil {
			return err
		}
	default:
		return httpkit.BadRequest("the request is not valid", register.FieldError{Field: "index", Message: "give index, or processing and sha256, or processing and version"})
	}
	proof, err := l.Inclusion(ctx, idx)
	if err != nil {
		return err
	}
	logHeaders(w, "no-cache")
	return httpkit.WriteJSON(w, http.StatusOK, proof)
}

// PublicLogConsistency proves that the log of from records is a prefix of
// the log of to records (to absent: the log now, with its checkpoint).
func (s *Site) PublicLogConsistency(w http.ResponseWriter, r *http.Request) error {
	l, err := s.transparencyLog()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	from, ok, err := logIndex(q, "from")
	if err != nil {
		return err
	}
	if !ok {
		return httpkit.BadRequest("the request is not valid", register.FieldError{Field: "from", Message: "is required"})
	}
	to, ok, err := logIndex(q, "to")
	if err != nil {
		return err
	}
	if ok && to < from {
		return httpkit.BadRequest("the request is not valid", register.FieldError{Field: "to", Message: "must not be below from"})
	}
	if ok && to == 0 {
		return httpkit.BadRequest("the request is not valid", register.FieldError{Field: "to", Message: "must be at least 1"})
	}
	proof, err := l.Consistency(r.Context(), from, to)
	if err != nil {
		return err
	}
	if ok {
		logHeaders(w, "public, max-age=31536000, immutable")
	} else {
		logHeaders(w, "no-cache")
	}
	return httpkit.WriteJSON(w, http.StatusOK, proof)
}

// LogInclusionDoc and LogConsistencyDoc describe translog.Inclusion and
// translog.Consistency in the OpenAPI document: their hashes are base64
// strings in JSON.
type LogInclusionDoc struct {
	Index      int64    `json:"index"`
	TreeSize   int64    `json:"tree_size"`
	Record     string   `json:"record"`
	LeafHash   string   `json:"leaf_hash"`
	Hashes     []string `json:"hashes"`
	Checkpoint string   `json:"checkpoint"`
}

type LogConsistencyDoc struct {
	From       int64    `json:"from"`
	To         int64    `json:"to"`
	Hashes     []string `json:"hashes"`
	Checkpoint string   `json:"checkpoint,omitempty"`
}
