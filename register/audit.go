package register

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/registre/registre/auth/identity"
)

// Audit actions.
const (
	ActionCreate        = "create"
	ActionUpdate        = "update"
	ActionDelete        = "delete"
	ActionSubmit        = "submit"
	ActionReturn        = "return"
	ActionPublish       = "publish"
	ActionArchive       = "archive"
	ActionOrgCreate     = "organisation.create"
	ActionOrgUpdate     = "organisation.update"
	ActionUnitCreate    = "unit.create"
	ActionUnitUpdate    = "unit.update"
	ActionUnitDelete    = "unit.delete"
	ActionUserCreate    = "user.create"
	ActionUserDelete    = "user.delete"
	ActionLogin         = "login"
	ActionLogout        = "logout"
	ActionImport        = "import"
	ActionProcessingRef = "processing" // target prefix
)

// ActionPasswordChange is an account changing its own password (a block of
// its own, so that the one above keeps its alignment).
const ActionPasswordChange = "password_change"

// Actions on accounts beyond creation and deletion.
const (
	ActionUserUpdate  = "user.update"
	ActionUserDisable = "user.disable"
	ActionUserEnable  = "user.enable"
	// An OpenID provider's subject given to an account, or taken back.
	ActionSubjectAssign   = "subject.assign"
	ActionSubjectUnassign = "subject.unassign"
	// Every session of an account ended and its tokens revoked.
	ActionUserSignOut = "user.signout"
)

// AuditActions are every action the service writes in the audit trail; an
// import refuses any other.
func AuditActions() []string {
	return []string{ActionCreate, ActionUpdate, ActionDelete, ActionSubmit, ActionReturn, ActionPublish, ActionArchive,
		ActionOrgCreate, ActionOrgUpdate, ActionUnitCreate, ActionUnitUpdate, ActionUnitDelete, ActionUserCreate, ActionUserDelete, ActionLogin, ActionLogout, ActionPasswordChange,
		ActionUserUpdate, ActionUserDisable, ActionUserEnable, ActionSubjectAssign, ActionSubjectUnassign, ActionUserSignOut,
		ActionImport, ActionOverride, ActionTextClean, ActionModel,
		ActionCampaignOpen, ActionCampaignClose, ActionReviewConfirm, ActionReviewChanges, ActionReminderSettings}
}

// GenesisHash is the prev_hash of the first entry of the chain.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// AuditEntry is one link of the tamper-evident audit trail.
//
// Seq and PrevHash are empty in what a reader who is not an administrator
// gets (see ForReader): the chain is one for every organisation, so gaps
// in seq, or a prev_hash that is not the hash of the organisation's
// previous entry, would tell of other organisations' activity.
type AuditEntry struct {
	Seq          int64     `json:"seq,omitempty"`
	At           time.Time `json:"at"`
	Actor        string    `json:"actor"`
	Role         string    `json:"role"`
	Organisation string    `json:"organisation"`
	Action       string    `json:"action"`
	Target       string    `json:"target"`
	Version      int       `json:"version"`
	Comment      string    `json:"comment,omitempty"`
	Hash         string    `json:"hash"`
	PrevHash     string    `json:"prev_hash,omitempty"`
}

// Canonical is the byte string an entry's hash covers: a JSON array, whose
// encoding has no key order or spacing to argue about, of a format tag, every
// field but the hash, and the previous hash. Times are UTC with microseconds,
// the precision both databases keep. See docs/audit.md.
func (e *AuditEntry) Canonical() []byte {
	b, _ := json.Marshal([]any{
		"registre-audit-v1",
		e.Seq,
		e.At.UTC().Format("2006-01-02T15:04:05.000000Z"),
		e.Actor,
		e.Role,
		e.Organisation,
		e.Action,
		e.Target,
		e.Version,
		e.Comment,
		e.PrevHash,
	})
	return b
}

// ComputeHash returns the hex SHA-256 of the entry's canonical encoding.
func (e *AuditEntry) ComputeHash() string {
	sum := sha256.Sum256(e.Canonical())
	return hex.EncodeToString(sum[:])
}

// Chain links e after prev (nil for the first entry) and sets its hash.
func (e *AuditEntry) Chain(prev *AuditEntry) {
	if prev == nil {
		e.Seq, e.PrevHash = 1, GenesisHash
	} else {
		e.Seq, e.PrevHash = prev.Seq+1, prev.Hash
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.Hash = e.ComputeHash()
}

// ChainVerifier checks entries one by one in seq order, so that a long trail
// is verified without holding it in memory.
type ChainVerifier struct {
	prev    *AuditEntry
	entries int64
	bad     *AuditEntry
	reason  string

	// A head saved earlier: the chain must pass through it.
	expectSeq   int64
	expectHash  string
	expectFound bool
}

// ExpectHead makes the verification fail unless the chain passes through
// the given head (seq 0: any entry with that hash).
func (v *ChainVerifier) ExpectHead(seq int64, hash string) {
	v.expectSeq, v.expectHash = seq, hash
}

// Add checks the next entry. It returns false once the chain is broken;
// Result then names the first bad entry.
func (v *ChainVerifier) Add(e AuditEntry) bool {
	if v.bad != nil {
		return false
	}
	wantSeq, wantPrev := int64(1), GenesisHash
	if v.prev != nil {
		wantSeq, wantPrev = v.prev.Seq+1, v.prev.Hash
	}
	switch {
	case e.Seq != wantSeq:
		v.reason = fmt.Sprintf("seq %d found where %d was expected (an entry was deleted, inserted or reordered)", e.Seq, wantSeq)
	case e.PrevHash != wantPrev:
		v.reason = "prev_hash does not match the hash of the entry before"
	case e.Hash != e.ComputeHash():
		v.reason = "hash does not match the entry's content"
	}
	if v.reason == "" && v.expectHash != "" && !v.expectFound {
		switch {
		case v.expectSeq == 0 && e.Hash == v.expectHash:
			v.expectFound = true
		case v.expectSeq == e.Seq && e.Hash == v.expectHash:
			v.expectFound = true
		case v.expectSeq == e.Seq:
			v.reason = "the entry at the saved head's seq has another hash (the trail was rewritten)"
		}
	}
	if v.reason != "" {
		v.bad = &e
		return false
	}
	v.entries++
	v.prev = &e
	return true
}

// VerifyResult is the outcome of a chain verification. Only OK is for
// every reader; the rest is for administrators (see ForReader).
type VerifyResult struct {
	OK        bool   `json:"ok"`
	Entries   int64  `json:"entries,omitempty"`
	Head      string `json:"head,omitempty"`
	FirstBad  int64  `json:"first_bad_seq,omitempty"`
	Reason    string `json:"reason,omitempty"`
	HeadFound *bool  `json:"expected_head_found,omitempty"`
}

// Result reports the verification so far. head, when not empty, is a head
// saved earlier outside the database: the chain must still pass through it,
// which catches a consistent rewrite of the whole table.
func (v *ChainVerifier) Result() VerifyResult {
	r := VerifyResult{OK: v.bad == nil, Entries: v.entries, Head: GenesisHash}
	if v.prev != nil {
		r.Head = v.prev.Hash
	}
	if v.bad != nil {
		r.FirstBad, r.Reason = v.bad.Seq, v.reason
	}
	if v.expectHash != "" {
		found := v.expectFound
		r.HeadFound = &found
		if !found && r.OK {
			r.OK, r.Reason = false, "the saved head is not in the trail (the trail was rewritten or truncated)"
			r.FirstBad = v.entries + 1
			if v.expectSeq > 0 && v.expectSeq <= v.entries {
				r.FirstBad = v.expectSeq
			}
		}
	}
	return r
}

// seesWholeChain reports whether p may learn the whole chain's length, head
// and global sequence numbers: administrators (who anchor the head outside
// the database) and the operator's command line (nil).
func seesWholeChain(p *identity.Principal) bool { return p == nil || p.Role == identity.RoleAdmin }

// ForReader returns the verification as p may see it: whether the whole
// chain verifies, and for an administrator its length, head and where it
// breaks.
func (r VerifyResult) ForReader(p *identity.Principal) VerifyResult {
	if seesWholeChain(p) {
		return r
	}
	return VerifyResult{OK: r.OK}
}

// ForReader returns the entry as p may see it: without seq and prev_hash
// unless p is an administrator.
func (e AuditEntry) ForReader(p *identity.Principal) AuditEntry {
	if !seesWholeChain(p) {
		e.Seq, e.PrevHash = 0, ""
	}
	return e
}

// ParseHead parses a saved head as printed by `registre audit head`:
// "SEQ:HASH" (or a bare hash).
func ParseHead(s string) (seq int64, hash string, err error) {
	s = strings.TrimSpace(s)
	if a, b, ok := strings.Cut(s, ":"); ok {
		if _, err := fmt.Sscanf(a, "%d", &seq); err != nil || seq < 0 {
			return 0, "", fmt.Errorf("head %q: seq is not a number", s)
		}
		s = b
	}
	if len(s) != 64 || strings.Trim(s, "0123456789abcdef") != "" {
		return 0, "", fmt.Errorf("head: %q is not a hex SHA-256", s)
	}
	return seq, s, nil
}

// FormatHead formats a head for keeping outside the database.
func FormatHead(seq int64, hash string) string { return fmt.Sprintf("%d:%s", seq, hash) }

// AuditFilter selects audit entries.
type AuditFilter struct {
	Organisation string // "" for all (admin only)
	Since, Until time.Time
	Actor        string
	Target       string
	Action       string
	Page         int
	PerPage      int
}
