package register

import (
	"context"
	"time"
)

// Events of the transparency log (translog names the same strings).
const (
	LogPublish  = "publish"
	LogArchive  = "archive"
	LogActivate = "activate" // a planned processing started; planned processings are not built yet
)

// PublicLog appends a public event to the transparency log. The service
// calls it inside the transaction that makes the event, so the log and the
// public register never disagree; sqlstore implements it.
type PublicLog interface {
	AppendPublic(ctx context.Context, tx Store, e PublicLogEvent) error
}

// PublicLogEvent is what the log records: only public facts. Data is the
// public JSON exactly as stored in the publication (for an archiving, the
// JSON that was withdrawn); the log keeps its SHA-256, not the bytes.
type PublicLogEvent struct {
	Organisation string
	ProcessingID string
	Version      int
	Event        string
	At           time.Time
	Data         []byte
}

// WithPublicLog makes every publication and archiving append to l.
func WithPublicLog(l PublicLog) Option { return func(s *Service) { s.publog = l } }

func (s *Service) logPublic(ctx context.Context, tx Store, pub *Publication, event string, at time.Time) error {
	if s.publog == nil {
		return nil
	}
	return s.publog.AppendPublic(ctx, tx, PublicLogEvent{Organisation: pub.Organisation, ProcessingID: pub.ProcessingID,
		Version: pub.Version, Event: event, At: at, Data: pub.Data})
}
