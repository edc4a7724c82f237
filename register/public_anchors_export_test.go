package register

import (
	"context"
	"time"
)

// AnchorsSeq returns the public change sequence the anchors were last read
// at, -1 before the first reading.
func AnchorsSeq(s *Service) int64 { return s.anchors.readSeq.Load() }

// SetAnchorReadingGap shortens the least time between background readings,
// so that tests do not wait a second per reading. Set before
// KeepPublicAnchors.
func SetAnchorReadingGap(s *Service, d time.Duration) { s.anchors.gap = d }

// QuietPublicSeq is PublicSeq without telling the anchors' reader what it
// read: a test that waits for the reader must not be what wakes it.
func QuietPublicSeq(ctx context.Context, st Store) (int64, error) {
	return st.LastAuditOf(ctx, PublicActions())
}
