// Package translog is Registre's transparency log of publications: the
// record of each public event, its RFC 6962 Merkle hashing and proofs
// (golang.org/x/mod/sumdb/tlog), signed tree heads as C2SP checkpoints
// (github.com/transparency-dev/formats with golang.org/x/mod/sumdb/note) and
// their verification. It is pure: no HTTP, no SQL; sqlstore keeps the
// records and hashes, server serves them, cmd/registre verifies them.
package translog

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Events a record tells.
const (
	// EventPublish: a version of a processing entered the public register.
	EventPublish = "publish"
	// EventArchive: a processing left the public register; the record
	// holds the fingerprint of the JSON that was public until then.
	EventArchive = "archive"
	// EventActivate: a processing published as planned started to run
	// (planned processings are not built yet; the name is fixed here).
	EventActivate = "activate"
)

// recordHeader is the first line of every record: it names the format, so
// that a record can never be mistaken for another kind of signed text.
const recordHeader = "registre-log-record/v1"

// MaxRecordSize bounds a record's text; real ones are about 250 bytes.
const MaxRecordSize = 1024

// Record is one public fact: what an organisation made public about a
// processing, and when. It holds only public facts.
type Record struct {
	Organisation string
	ProcessingID string
	Version      int
	Event        string
	Time         time.Time
	// SHA256 is the fingerprint of the public JSON as stored at
	// publication (for an archiving, of the JSON that was withdrawn).
	SHA256 [sha256.Size]byte
}

// Fingerprint is the SHA-256 of stored public JSON, the value records hold.
func Fingerprint(data []byte) [sha256.Size]byte { return sha256.Sum256(data) }

var tokenRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)

func (r *Record) check() error {
	switch {
	case !tokenRE.MatchString(r.Organisation):
		return errors.New("organisation is not a slug")
	case !tokenRE.MatchString(r.ProcessingID):
		return errors.New("processing id is not a token")
	case r.Version < 1:
		return errors.New("version must be at least 1")
	case r.Event != EventPublish && r.Event != EventArchive && r.Event != EventActivate:
		return fmt.Errorf("unknown event %q", r.Event)
	case r.Time.IsZero():
		return errors.New("time is missing")
	}
	return nil
}

// Marshal returns the record's text, the bytes the log hashes:
//
//	registre-log-record/v1
//	organisation ORG
//	processing ID
//	version N
//	event publish|archive|activate
//	time 2026-11-30T20:46:25.123456Z
//	sha256 HEX
//
// Each line ends with a newline; the time is UTC with microseconds.
func (r *Record) Marshal() ([]byte, error) {
	if err := r.check(); err != nil {
		return nil, fmt.Errorf("log record: %w", err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\norganisation %s\nprocessing %s\nversion %d\nevent %s\ntime %s\nsha256 %s\n",
		recordHeader, r.Organisation, r.ProcessingID, r.Version, r.Event,
		r.Time.UTC().Format(timeLayout), hex.EncodeToString(r.SHA256[:]))
	return b.Bytes(), nil
}

const timeLayout = "2006-01-02T15:04:05.000000Z"

// ParseRecord parses a record's text, refusing anything Marshal would not
// produce byte for byte.
func ParseRecord(text []byte) (*Record, error) {
	if len(text) > MaxRecordSize {
		return nil, errors.New("log record: too long")
	}
	lines := strings.Split(string(text), "\n")
	if len(lines) != 8 || lines[7] != "" || lines[0] != recordHeader {
		return nil, errors.New("log record: not a registre-log-record/v1")
	}
	keys := []string{"organisation", "processing", "version", "event", "time", "sha256"}
	vals := make([]string, len(keys))
	for i, k := range keys {
		v, ok := strings.CutPrefix(lines[i+1], k+" ")
		if !ok {
			return nil, fmt.Errorf("log record: line %d is not %q", i+2, k)
		}
		vals[i] = v
	}
	var r Record
	r.Organisation, r.ProcessingID, r.Event = vals[0], vals[1], vals[3]
	v, err := strconv.Atoi(vals[2])
	if err != nil {
		return nil, errors.New("log record: bad version")
	}
	r.Version = v
	if r.Time, err = time.Parse(timeLayout, vals[4]); err != nil {
		return nil, errors.New("log record: bad time")
	}
	h, err := hex.DecodeString(vals[5])
	if err != nil || len(h) != sha256.Size {
		return nil, errors.New("log record: bad sha256")
	}
	copy(r.SHA256[:], h)
	again, err := r.Marshal()
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(again, text) {
		return nil, errors.New("log record: not in canonical form")
	}
	return &r, nil
}
