package register

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/registre/registre/auth/identity"
)

// BackupFormat names the export document's format; a later format gets a
// new name, so that an import never misreads a document.
const BackupFormat = "registre-export-v1"

// Backup is the whole register as one document: every organisation, unit,
// processing (its head as stored), every saved version with the exact bytes
// it was saved with, the public register, the audit trail and, for
// operators, the accounts and signing keys. Rows are in key order and times
// in UTC with microseconds, so that export → import → export gives the same
// bytes, on either database.
type Backup struct {
	Format        string              `json:"format"`
	AuditHead     string              `json:"audit_head"` // SEQ:HASH of the last entry
	Organisations []Organisation      `json:"organisations"`
	Units         []Unit              `json:"units"`
	Processings   []BackupProcessing  `json:"processings"`
	Versions      []BackupVersion     `json:"versions"`
	Publications  []BackupPublication `json:"publications"`
	Audit         []AuditEntry        `json:"audit"`
	// The parts below came after the first release of the format: they are
	// left out when empty, so a document without them (an older backup, or
	// a register that has none) reads as it always did and still restores.
	// A new table that holds the register's data gets its part here the
	// same way (sqlstore's TestBackupCoversEveryTable fails until it does).
	Models      []BackupModel      `json:"models,omitempty"`
	Endings     []BackupEnding     `json:"endings,omitempty"`
	ReviewNotes []BackupReviewNote `json:"review_notes,omitempty"`
	Campaigns   []BackupCampaign   `json:"review_campaigns,omitempty"`
	ReviewTasks []BackupReviewTask `json:"review_tasks,omitempty"`
	// ReminderSettings are the organisations' choices of when digests go
	// out (an organisation without one has the defaults).
	ReminderSettings []ReminderSettings `json:"reminder_settings,omitempty"`
	// Secrets are left out of exports over HTTP: password hashes and private
	// keys never appear in an API answer.
	Secrets *BackupSecrets `json:"secrets,omitempty"`
}

// BackupProcessing is the head row of a processing as stored.
type BackupProcessing struct {
	ID               string          `json:"id"`
	Organisation     string          `json:"organisation"`
	Unit             string          `json:"unit"`
	Reference        string          `json:"reference"`
	Title            string          `json:"title"`
	Status           Status          `json:"status"`
	Version          int             `json:"version"`
	Revision         int64           `json:"revision"`
	PublishedVersion int             `json:"published_version"`
	SearchKey        string          `json:"search_key"`
	CreatedAt        time.Time       `json:"created_at"`
	UpdatedAt        time.Time       `json:"updated_at"`
	Data             json.RawMessage `json:"data"`
}

// BackupVersion is one saved version, its bytes as saved.
type BackupVersion struct {
	ProcessingID string          `json:"processing_id"`
	Version      int             `json:"version"`
	Status       Status          `json:"status"`
	SavedAt      time.Time       `json:"saved_at"`
	SavedBy      string          `json:"saved_by"`
	Data         json.RawMessage `json:"data"`
}

// BackupPublication is one entry of the public register.
type BackupPublication struct {
	ProcessingID string          `json:"processing_id"`
	Organisation string          `json:"organisation"`
	Version      int             `json:"version"`
	Title        string          `json:"title"`
	SearchKey    string          `json:"search_key"`
	Sensitive    bool            `json:"sensitive"`
	BasisTypes   string          `json:"basis_types"`
	Categories   string          `json:"categories"`
	PublishedAt  time.Time       `json:"published_at"`
	Data         json.RawMessage `json:"data"`
	// RulesVersion is the rule table that passed the publication; absent
	// in backups made before it was recorded.
	RulesVersion string `json:"rules_version,omitempty"`
}

// BackupModel is a processing marked as a model.
type BackupModel struct {
	ProcessingID string    `json:"processing_id"`
	Organisation string    `json:"organisation"`
	MarkedBy     string    `json:"marked_by"`
	MarkedAt     time.Time `json:"marked_at"`
}

// BackupEnding is the end of an archived processing, which the public
// register answers with (410 Gone) once its publication is withdrawn.
type BackupEnding struct {
	ProcessingID string    `json:"processing_id"`
	Organisation string    `json:"organisation"`
	Title        string    `json:"title"`
	Version      int       `json:"version"`
	EndedOn      string    `json:"ended_on"`
	Reason       string    `json:"reason"`
	ArchivedAt   time.Time `json:"archived_at"`
}

// BackupReviewNote is a DPO's comment on one field of a returned draft.
type BackupReviewNote struct {
	ProcessingID string    `json:"processing_id"`
	ReturnedAt   time.Time `json:"returned_at"`
	Version      int       `json:"version"`
	Field        string    `json:"field"`
	Note         string    `json:"note"`
	Author       string    `json:"author"`
}

// BackupCampaign is a review campaign.
type BackupCampaign struct {
	ID           string     `json:"id"`
	Organisation string     `json:"organisation"`
	Title        string     `json:"title"`
	Units        []string   `json:"units"`
	DueOn        string     `json:"due_on"`
	OpenedAt     time.Time  `json:"opened_at"`
	OpenedBy     string     `json:"opened_by"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	ClosedBy     string     `json:"closed_by,omitempty"`
}

// BackupReviewTask is one processing to review in a campaign, as stored
// (whether it is overdue is computed when read).
type BackupReviewTask struct {
	CampaignID   string     `json:"campaign_id"`
	ProcessingID string     `json:"processing_id"`
	Organisation string     `json:"organisation"`
	Unit         string     `json:"unit"`
	Title        string     `json:"title"`
	Outcome      string     `json:"outcome"`
	DoneAt       *time.Time `json:"done_at,omitempty"`
	DoneBy       string     `json:"done_by,omitempty"`
}

// BackupSecrets are the accounts, the token deny-list and the service's own
// signing keys.
type BackupSecrets struct {
	Users           []BackupUser           `json:"users"`
	RevokedTokens   []BackupRevokedToken   `json:"revoked_tokens"`
	DeletedAccounts []BackupDeletedAccount `json:"deleted_accounts"`
	SigningKeys     []BackupSigningKey     `json:"signing_keys"`
	// Subjects are the identity provider's people and the accounts they
	// are assigned to; absent from backups made before single sign-on.
	Subjects []ExternalSubject `json:"oidc_subjects,omitempty"`
	// ReminderPrefs are people's opt-outs, languages and the hashes of
	// their private feeds' secrets: personal, and the hash is as good as
	// a credential to keep, so they travel with the accounts. Absent from
	// backups made before reminders.
	ReminderPrefs []BackupReminderPrefs `json:"reminder_prefs,omitempty"`
}

// BackupReminderPrefs is one person's reminder preferences as stored.
// FeedHash is the SHA-256 (hex) of their feed's secret, "" for none; the
// secret itself is never stored, so a restored feed keeps its URL.
type BackupReminderPrefs struct {
	Username string `json:"username"`
	OptOut   bool   `json:"opt_out"`
	Lang     string `json:"lang"`
	FeedHash string `json:"feed_hash,omitempty"`
}

// BackupUser is a local account with its password hash.
type BackupUser struct {
	Username     string    `json:"username"`
	PasswordHash string    `json:"password_hash"`
	Role         string    `json:"role"`
	Organisation string    `json:"organisation"`
	Units        string    `json:"units"` // JSON array as stored
	CreatedAt    time.Time `json:"created_at"`
	// Added with e-mail addresses and disabling; absent from older backups.
	Email           string     `json:"email,omitempty"`
	DisabledAt      *time.Time `json:"disabled_at,omitempty"`
	TokensNotBefore *time.Time `json:"tokens_not_before,omitempty"`
}

// BackupRevokedToken is a revoked token id.
type BackupRevokedToken struct {
	Subject   string    `json:"subject"`
	JTI       string    `json:"jti"`
	ExpiresAt time.Time `json:"expires_at"`
}

// BackupDeletedAccount marks a deleted account.
type BackupDeletedAccount struct {
	Username  string    `json:"username"`
	DeletedAt time.Time `json:"deleted_at"`
	KeepUntil time.Time `json:"keep_until"`
}

// BackupSigningKey is one of the service's own keys.
type BackupSigningKey struct {
	KID        string    `json:"kid"`
	Algorithm  string    `json:"algorithm"`
	PrivateKey []byte    `json:"private_key"`
	CreatedAt  time.Time `json:"created_at"`
}

// BackupStore reads and restores whole databases. sqlstore implements it
// beside Store.
type BackupStore interface {
	// ExportAll reads everything, in key order, in one consistent snapshot.
	ExportAll(ctx context.Context, withSecrets bool) (*Backup, error)
	// ImportAll writes b as it is into an empty database, in one
	// transaction; a database holding anything is refused with EConflict.
	ImportAll(ctx context.Context, b *Backup) error
}

// Export returns the whole register. p nil is the operator at the command
// line, who gets the secrets too; over the API only an admin may export, and
// never the secrets.
func (s *Service) Export(ctx context.Context, p *identity.Principal) (*Backup, error) {
	if p != nil {
		if err := requireRole(p, identity.RoleAdmin); err != nil {
			return nil, err
		}
	}
	bs := s.store
	return bs.ExportAll(ctx, p == nil)
}

// Import restores a backup into an empty database (operator only). The
// document is checked first, and refused as a whole when anything is off:
// its format, its audit chain and head (and the head the operator saved, if
// given), its references, and its content against the rules the API holds
// writes to (see checkBackupContent). Accounts are restored only when the
// operator asks for them. Nothing is written unless everything passes.
func (s *Service) Import(ctx context.Context, b *Backup, opts ImportOptions) error {
	if b.Format != BackupFormat {
		return invalid(FieldError{Field: "format", Message: fmt.Sprintf("must be %q", BackupFormat)})
	}
	if opts.WithAccounts && opts.WithoutAccounts {
		return invalid(FieldError{Field: "accounts", Message: "restore the accounts or leave them out, not both"})
	}
	if hasSecrets(b.Secrets) && !opts.WithAccounts && !opts.WithoutAccounts {
		return describeAccounts(b.Secrets)
	}
	if opts.WithoutAccounts {
		b.Secrets = nil
	}
	var v ChainVerifier
	if opts.ExpectHead != "" {
		seq, hash, err := ParseHead(opts.ExpectHead)
		if err != nil {
			return invalid(FieldError{Field: "expect_head", Message: err.Error()})
		}
		v.ExpectHead(seq, hash)
	}
	for _, e := range b.Audit {
		if !v.Add(e) {
			break
		}
	}
	res := v.Result()
	if !res.OK {
		return &Error{Code: EInvalid, Message: "the document's audit trail does not verify; nothing was imported",
			Fields: []FieldError{{Field: fmt.Sprintf("audit[seq=%d]", res.FirstBad), Message: "the audit trail of the document is broken: " + res.Reason}}}
	}
	if head := FormatHead(res.Entries, res.Head); head != b.AuditHead {
		return &Error{Code: EInvalid, Message: "the document's audit trail does not verify; nothing was imported",
			Fields: []FieldError{{Field: "audit_head", Message: "does not match the audit trail of the document"}}}
	}
	if err := checkBackupRefs(b); err != nil {
		return err
	}
	if err := s.checkBackupContent(b, opts.WithAccounts); err != nil {
		return err
	}
	bs := s.store
	if err := bs.ImportAll(ctx, b); err != nil {
		return err
	}
	// Backups carry no findings: the restored records are checked now.
	if _, err := s.RefreshStaleStandings(ctx); err != nil {
		return fmt.Errorf("restored, but: %w", err)
	}
	return nil
}

// ImportSummary says what a restore of b brought in, for the operator.
func ImportSummary(b *Backup) (accounts int, admins []string) { return accountsSummary(b.Secrets) }

// checkBackupRefs refuses a document whose rows point at rows it lacks,
// with a message that names them, before the database does it less clearly.
func checkBackupRefs(b *Backup) error {
	orgs := map[string]bool{}
	for _, o := range b.Organisations {
		orgs[o.Slug] = true
	}
	units := map[string]bool{}
	for i, u := range b.Units {
		if !orgs[u.Organisation] {
			return invalid(FieldError{Field: fmt.Sprintf("units[%d].organisation", i), Message: "is not an organisation of the document"})
		}
		units[u.Organisation+"/"+u.Slug] = true
	}
	procs := map[string]bool{}
	for i, p := range b.Processings {
		if !units[p.Organisation+"/"+p.Unit] {
			return invalid(FieldError{Field: fmt.Sprintf("processings[%d].unit", i), Message: "is not a unit of the document"})
		}
		if !json.Valid(p.Data) {
			return invalid(FieldError{Field: fmt.Sprintf("processings[%d].data", i), Message: "is not JSON"})
		}
		procs[p.ID] = true
	}
	for i, v := range b.Versions {
		if !procs[v.ProcessingID] || !json.Valid(v.Data) {
			return invalid(FieldError{Field: fmt.Sprintf("versions[%d]", i), Message: "belongs to no processing of the document, or is not JSON"})
		}
	}
	for i, p := range b.Publications {
		if !procs[p.ProcessingID] || !json.Valid(p.Data) {
			return invalid(FieldError{Field: fmt.Sprintf("publications[%d]", i), Message: "belongs to no processing of the document, or is not JSON"})
		}
	}
	for i, m := range b.Models {
		if !procs[m.ProcessingID] {
			return invalid(FieldError{Field: fmt.Sprintf("models[%d].processing_id", i), Message: "is not a processing of the document"})
		}
	}
	for i, e := range b.Endings {
		if !procs[e.ProcessingID] {
			return invalid(FieldError{Field: fmt.Sprintf("endings[%d].processing_id", i), Message: "is not a processing of the document"})
		}
	}
	for i, n := range b.ReviewNotes {
		if !procs[n.ProcessingID] {
			return invalid(FieldError{Field: fmt.Sprintf("review_notes[%d].processing_id", i), Message: "is not a processing of the document"})
		}
	}
	campaigns := map[string]bool{}
	for i, c := range b.Campaigns {
		if !orgs[c.Organisation] {
			return invalid(FieldError{Field: fmt.Sprintf("review_campaigns[%d].organisation", i), Message: "is not an organisation of the document"})
		}
		campaigns[c.ID] = true
	}
	for i, rs := range b.ReminderSettings {
		if !orgs[rs.Organisation] {
			return invalid(FieldError{Field: fmt.Sprintf("reminder_settings[%d].organisation", i), Message: "is not an organisation of the document"})
		}
	}
	for i, t := range b.ReviewTasks {
		if !campaigns[t.CampaignID] {
			return invalid(FieldError{Field: fmt.Sprintf("review_tasks[%d].campaign_id", i), Message: "is not a campaign of the document"})
		}
		if !procs[t.ProcessingID] {
			return invalid(FieldError{Field: fmt.Sprintf("review_tasks[%d].processing_id", i), Message: "is not a processing of the document"})
		}
	}
	return nil
}
