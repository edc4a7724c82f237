package register

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/registre/registre/auth/identity"
)

// ImportOptions are the operator's choices for a restore.
type ImportOptions struct {
	// WithAccounts restores the accounts, password hashes, revocations and
	// signing keys of the document; WithoutAccounts leaves them out. A
	// document that holds accounts is refused unless one of them is set:
	// an account restored without the operator knowing, an administrator
	// above all, is a way in.
	WithAccounts, WithoutAccounts bool
	// ExpectHead, when set ("SEQ:HASH" as `registre audit head` prints it),
	// is a head saved outside the source database: the document's trail must
	// pass through it. A document re-chained after an edit has a valid chain
	// but not this head.
	ExpectHead string
}

// maxImportErrors bounds the answer to a document that is wrong everywhere.
const maxImportErrors = 50

// backupCheck collects what is wrong with a document.
type backupCheck struct {
	s    *Service
	errs []FieldError
}

func (c *backupCheck) add(field, msg string) {
	c.errs = append(c.errs, FieldError{Field: field, Message: msg})
}

// struct validates v with the rules of the API's writes, naming fields
// under prefix.
func (c *backupCheck) validate(prefix string, v any) {
	err := c.s.validate.Struct(v)
	if err == nil {
		return
	}
	e, ok := AsError(err)
	if !ok {
		c.add(prefix, err.Error())
		return
	}
	for _, fe := range e.Fields {
		c.add(prefix+"."+fe.Field, fe.Message)
	}
}

func (c *backupCheck) result() error {
	if len(c.errs) == 0 {
		return nil
	}
	errs := c.errs
	if len(errs) > maxImportErrors {
		n := len(errs)
		errs = append(errs[:maxImportErrors:maxImportErrors], FieldError{Field: "document", Message: fmt.Sprintf("and %d more errors", n-maxImportErrors)})
	}
	return &Error{Code: EInvalid, Message: fmt.Sprintf("the document is not a register this service could have written (%d errors); nothing was imported", len(c.errs)), Fields: errs}
}

// decodeRecord reads a stored record strictly: a field this version does
// not know is refused rather than dropped.
func decodeRecord(data []byte, into any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("data after the record")
	}
	return nil
}

// checkBackupContent holds a document to the rules the API holds writes to:
// every organisation, unit and processing version passes the validation of
// the API; statuses, versions and publications are what the workflow could
// have produced; every publication is exactly the public projection of a
// version that was published (and that the trail says was published);
// accounts have a known role, an organisation of the document and a usable
// hash; audit entries have known roles and actions.
func (s *Service) checkBackupContent(b *Backup, withAccounts bool) error {
	c := &backupCheck{s: s}
	orgs := map[string]bool{}
	for i := range b.Organisations {
		o := b.Organisations[i]
		f := fmt.Sprintf("organisations[%d]", i)
		if orgs[o.Slug] {
			c.add(f+".slug", "is given twice")
		}
		orgs[o.Slug] = true
		c.validate(f, &o)
	}
	units := map[string]bool{}
	for i := range b.Units {
		u := b.Units[i]
		f := fmt.Sprintf("units[%d]", i)
		if units[u.Organisation+"/"+u.Slug] {
			c.add(f+".slug", "is given twice in its organisation")
		}
		units[u.Organisation+"/"+u.Slug] = true
		c.validate(f, &u)
	}

	// Publish entries of the trail: (target, version).
	published := map[string]bool{}
	knownActions := AuditActions()
	for _, e := range b.Audit {
		f := fmt.Sprintf("audit[seq=%d]", e.Seq)
		if !slices.Contains(knownActions, e.Action) {
			c.add(f+".action", "is not an action of this service")
		}
		// Every role the service writes (Service.audit): a principal's,
		// the command line's, or the system's own.
		if r := identity.Role(e.Role); e.Role != SystemActor && e.Role != CommandLineRole && !r.Valid() {
			c.add(f+".role", "must be admin, dpo, editor, auditor, cli or system")
		}
		for name, v := range map[string]string{"actor": e.Actor, "organisation": e.Organisation, "target": e.Target, "comment": e.Comment} {
			if bad := badText(v); bad != "" {
				c.add(f+"."+name, bad)
			}
		}
		if e.Action == ActionPublish {
			published[fmt.Sprintf("%s#%d", e.Target, e.Version)] = true
		}
	}

	heads := map[string]*BackupProcessing{}
	for i := range b.Processings {
		p := &b.Processings[i]
		f := fmt.Sprintf("processings[%d]", i)
		if _, err := uuid.Parse(p.ID); err != nil {
			c.add(f+".id", "is not a UUID")
		}
		if heads[p.ID] != nil {
			c.add(f+".id", "is given twice")
		}
		heads[p.ID] = p
		if !p.Status.Valid() {
			c.add(f+".status", "is not one of draft, in_review, published, archived")
		}
		if p.Version < 1 || p.Revision < int64(p.Version) || p.PublishedVersion < 0 || p.PublishedVersion > p.Version {
			c.add(f+".version", "version, revision and published_version do not fit together")
		}
		switch {
		case p.Status == StatusPublished && p.PublishedVersion != p.Version:
			c.add(f+".published_version", "a published processing shows its current version")
		case p.Status == StatusArchived && p.PublishedVersion == 0:
			c.add(f+".published_version", "only a published processing can be archived")
		}
		var pr Processing
		if err := decodeRecord(p.Data, &pr); err != nil {
			c.add(f+".data", "is not a processing record: "+err.Error())
			continue
		}
		if pr.ID != p.ID || pr.Organisation != p.Organisation || pr.Unit != p.Unit || pr.Reference != p.Reference ||
			pr.Title != p.Title || pr.Status != p.Status || pr.Version != p.Version || pr.PublishedVersion != p.PublishedVersion {
			c.add(f+".data", "does not match the processing's columns (id, organisation, unit, reference, title, status, version)")
		}
		fields := pr.Fields
		fields.normalise()
		c.validate(f+".data", &fields)
		if p.SearchKey != processingSearchKey(&pr.Fields) {
			c.add(f+".search_key", "is not the search key of the record")
		}
	}

	versions := map[string]*Processing{} // "id#n" -> record
	vstatus := map[string]Status{}
	count := map[string]int{}
	for i := range b.Versions {
		v := &b.Versions[i]
		f := fmt.Sprintf("versions[%d]", i)
		key := fmt.Sprintf("%s#%d", v.ProcessingID, v.Version)
		head := heads[v.ProcessingID]
		if head == nil {
			continue // reported by checkBackupRefs
		}
		if _, dup := vstatus[key]; dup {
			c.add(f+".version", "is given twice")
		}
		count[v.ProcessingID]++
		if v.Version < 1 || v.Version > head.Version {
			c.add(f+".version", "is not a version of the processing")
		}
		if !v.Status.Valid() {
			c.add(f+".status", "is not one of draft, in_review, published, archived")
		}
		vstatus[key] = v.Status
		var pr Processing
		if err := decodeRecord(v.Data, &pr); err != nil {
			c.add(f+".data", "is not a processing record: "+err.Error())
			continue
		}
		if pr.ID != v.ProcessingID || pr.Organisation != head.Organisation || pr.Version != v.Version || pr.Status != v.Status {
			c.add(f+".data", "does not match the version's columns (processing, organisation, version, status)")
		}
		if !units[pr.Organisation+"/"+pr.Unit] {
			c.add(f+".data.unit", "is not a unit of the organisation")
		}
		fields := pr.Fields
		fields.normalise()
		c.validate(f+".data", &fields)
		if v.Status == StatusPublished && !published[fmt.Sprintf("processing/%s#%d", v.ProcessingID, v.Version)] {
			c.add(f+".status", "says published, but the audit trail has no publication of this version")
		}
		versions[key] = &pr
	}
	public := map[string]bool{}
	for i := range b.Processings {
		p := &b.Processings[i]
		if count[p.ID] != p.Version {
			c.add(fmt.Sprintf("processings[%d].version", i), fmt.Sprintf("the document holds %d of its %d versions", count[p.ID], p.Version))
		}
		if p.PublishedVersion > 0 && vstatus[fmt.Sprintf("%s#%d", p.ID, p.PublishedVersion)] != StatusPublished {
			c.add(fmt.Sprintf("processings[%d].published_version", i), "names a version that was not published")
		}
	}

	for i := range b.Publications {
		pub := &b.Publications[i]
		f := fmt.Sprintf("publications[%d]", i)
		head := heads[pub.ProcessingID]
		if head == nil {
			continue // reported by checkBackupRefs
		}
		if public[pub.ProcessingID] {
			c.add(f, "is the second publication of one processing")
		}
		public[pub.ProcessingID] = true
		key := fmt.Sprintf("%s#%d", pub.ProcessingID, pub.Version)
		vp := versions[key]
		switch {
		case head.Status == StatusArchived || head.PublishedVersion == 0 || pub.Version != head.PublishedVersion:
			c.add(f+".version", "is not the version the processing has published")
			continue
		case vp == nil || vstatus[key] != StatusPublished || vp.PublishedAt == nil:
			c.add(f+".version", "is not a published version of the processing")
			continue
		}
		want := newPublication(vp, *vp.PublishedAt)
		if !bytes.Equal(pub.Data, want.Data) || pub.Organisation != want.Organisation || pub.Title != want.Title ||
			pub.SearchKey != want.SearchKey || pub.Sensitive != want.Sensitive || pub.BasisTypes != want.BasisTypes ||
			pub.Categories != want.Categories || !pub.PublishedAt.Equal(want.PublishedAt) {
			c.add(f+".data", "is not the public projection of the published version (a publication holds public fields only, as published)")
		}
	}
	for i := range b.Processings {
		p := &b.Processings[i]
		if p.PublishedVersion > 0 && p.Status != StatusArchived && !public[p.ID] {
			c.add(fmt.Sprintf("processings[%d]", i), "is published but the public register of the document lacks it")
		}
	}

	c.checkKeeping(b, heads, units)
	c.checkReminderSettings(b.ReminderSettings)

	if withAccounts && b.Secrets != nil {
		c.checkSecrets(b.Secrets, orgs, units)
	}
	return c.result()
}

// checkKeeping holds the models, endings, review notes and campaigns of a
// document to what the service writes (register/models.go, ending.go,
// notes.go, campaigns.go): each belongs to a processing of its own
// organisation in the state that allows it, once. References to rows the
// document lacks were refused already (checkBackupRefs).
func (c *backupCheck) checkKeeping(b *Backup, heads map[string]*BackupProcessing, units map[string]bool) {
	text := func(f string, vals map[string]string) {
		for name, v := range vals {
			if bad := badText(v); bad != "" {
				c.add(f+"."+name, bad)
			}
		}
	}
	seen := map[string]bool{}
	for i, m := range b.Models {
		f := fmt.Sprintf("models[%d]", i)
		head := heads[m.ProcessingID]
		if head == nil {
			continue
		}
		if seen[m.ProcessingID] {
			c.add(f+".processing_id", "is given twice")
		}
		seen[m.ProcessingID] = true
		if m.Organisation != head.Organisation {
			c.add(f+".organisation", "is not the processing's organisation")
		}
		if head.PublishedVersion == 0 {
			c.add(f+".processing_id", "only a processing that was published can be a model")
		}
		text(f, map[string]string{"marked_by": m.MarkedBy})
	}
	seen = map[string]bool{}
	for i, e := range b.Endings {
		f := fmt.Sprintf("endings[%d]", i)
		head := heads[e.ProcessingID]
		if head == nil {
			continue
		}
		if seen[e.ProcessingID] {
			c.add(f+".processing_id", "is given twice")
		}
		seen[e.ProcessingID] = true
		if head.Status != StatusArchived {
			c.add(f+".processing_id", "only an archived processing has an ending")
		}
		if e.Organisation != head.Organisation {
			c.add(f+".organisation", "is not the processing's organisation")
		}
		if e.Version < 1 || e.Version > head.Version {
			c.add(f+".version", "is not a version of the processing")
		}
		if !validDate(e.EndedOn) {
			c.add(f+".ended_on", "must be a date YYYY-MM-DD")
		}
		if e.Title == "" {
			c.add(f+".title", "is empty")
		}
		if len([]rune(e.Reason)) > MaxEndReason {
			c.add(f+".reason", fmt.Sprintf("must be at most %d characters long", MaxEndReason))
		}
		text(f, map[string]string{"title": e.Title, "reason": e.Reason})
	}
	seen = map[string]bool{}
	for i, n := range b.ReviewNotes {
		f := fmt.Sprintf("review_notes[%d]", i)
		head := heads[n.ProcessingID]
		if head == nil {
			continue
		}
		key := n.ProcessingID + "|" + n.ReturnedAt.UTC().String() + "|" + n.Field
		if seen[key] {
			c.add(f, "is given twice (processing, returned_at, field)")
		}
		seen[key] = true
		if n.Version < 1 || n.Version > head.Version {
			c.add(f+".version", "is not a version of the processing")
		}
		if n.Field == "" || n.Note == "" {
			c.add(f, "a note names a field and says something")
		}
		text(f, map[string]string{"field": n.Field, "note": n.Note, "author": n.Author})
	}
	campaigns := map[string]*BackupCampaign{}
	for i := range b.Campaigns {
		cp := &b.Campaigns[i]
		f := fmt.Sprintf("review_campaigns[%d]", i)
		if _, err := uuid.Parse(cp.ID); err != nil {
			c.add(f+".id", "is not a UUID")
		}
		if campaigns[cp.ID] != nil {
			c.add(f+".id", "is given twice")
		}
		campaigns[cp.ID] = cp
		for _, u := range cp.Units {
			if !units[cp.Organisation+"/"+u] {
				c.add(f+".units", fmt.Sprintf("%q is not a unit of the organisation", u))
			}
		}
		if !validDate(cp.DueOn) {
			c.add(f+".due_on", "must be a date YYYY-MM-DD")
		}
		if (cp.ClosedAt == nil) != (cp.ClosedBy == "") {
			c.add(f+".closed_at", "a closed campaign has both when and by whom")
		}
		text(f, map[string]string{"title": cp.Title, "opened_by": cp.OpenedBy, "closed_by": cp.ClosedBy})
	}
	seen = map[string]bool{}
	for i, t := range b.ReviewTasks {
		f := fmt.Sprintf("review_tasks[%d]", i)
		cp, head := campaigns[t.CampaignID], heads[t.ProcessingID]
		if cp == nil || head == nil {
			continue
		}
		if seen[t.CampaignID+"|"+t.ProcessingID] {
			c.add(f, "is given twice (campaign, processing)")
		}
		seen[t.CampaignID+"|"+t.ProcessingID] = true
		if t.Organisation != cp.Organisation || head.Organisation != cp.Organisation {
			c.add(f+".organisation", "is not the campaign's and the processing's organisation")
		}
		if !units[t.Organisation+"/"+t.Unit] {
			c.add(f+".unit", "is not a unit of the organisation")
		}
		switch t.Outcome {
		case TaskOpen:
			if t.DoneAt != nil || t.DoneBy != "" {
				c.add(f+".done_at", "a task to do is not done")
			}
		case TaskConfirmed, TaskChanges:
			if t.DoneAt == nil || t.DoneBy == "" {
				c.add(f+".done_at", "a done task has both when and by whom")
			}
		default:
			c.add(f+".outcome", "must be empty (to do), confirmed or changes")
		}
		text(f, map[string]string{"title": t.Title, "done_by": t.DoneBy})
	}
}

// checkReminderSettings holds the organisations' reminder settings to what
// SetReminderSettings accepts, one per organisation (the organisation was
// checked by checkBackupRefs).
func (c *backupCheck) checkReminderSettings(settings []ReminderSettings) {
	seen := map[string]bool{}
	for i, rs := range settings {
		f := fmt.Sprintf("reminder_settings[%d]", i)
		if seen[rs.Organisation] {
			c.add(f+".organisation", "is given twice")
		}
		seen[rs.Organisation] = true
		for _, fe := range checkReminderSettings(rs) {
			c.add(f+"."+fe.Field, fe.Message)
		}
	}
}

// checkReminderPrefs holds people's reminder preferences to what the
// service writes: a language it sends in, a feed hash that is a SHA-256 in
// hex or none, one row per person. The person need not be an account of
// the document: preferences outlive a deleted account (its feed answers
// 404 all the same), and a person signed in by a token alone has some.
func (c *backupCheck) checkReminderPrefs(prefs []BackupReminderPrefs) {
	seen := map[string]bool{}
	for i, p := range prefs {
		f := fmt.Sprintf("secrets.reminder_prefs[%d]", i)
		if p.Username == "" || len(p.Username) > 200 || badText(p.Username) != "" {
			c.add(f+".username", "is not a username")
		}
		if seen[p.Username] {
			c.add(f+".username", "is given twice")
		}
		seen[p.Username] = true
		if p.Lang != "fr" && p.Lang != "en" {
			c.add(f+".lang", "is not one of fr, en")
		}
		if p.FeedHash != "" && !isSHA256Hex(p.FeedHash) {
			c.add(f+".feed_hash", "is not a SHA-256 in lowercase hex")
		}
	}
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// placeholderPassword stands in for the password, which a document never
// holds, when an account of a document goes through the API's account rules.
const placeholderPassword = "placeholder-password-for-the-account-rules"

func (c *backupCheck) checkSecrets(sec *BackupSecrets, orgs, units map[string]bool) {
	seen := map[string]bool{}
	for i, u := range sec.Users {
		f := fmt.Sprintf("secrets.users[%d]", i)
		var unitList []string
		if u.Units != "" {
			if err := json.Unmarshal([]byte(u.Units), &unitList); err != nil {
				c.add(f+".units", "is not a JSON list of unit slugs")
			}
		}
		// The account rules of the API (username, role, organisation,
		// units), the password aside: the document holds its hash.
		for _, fe := range checkAccount(c.s.passwords, &NewAccount{Username: u.Username, Password: placeholderPassword, Role: u.Role, Org: u.Organisation, Units: unitList}) {
			if fe.Field != "password" {
				c.add(f+"."+fe.Field, fe.Message)
			}
		}
		if seen[u.Username] {
			c.add(f+".username", "is given twice")
		}
		seen[u.Username] = true
		if u.Organisation != "" && !orgs[u.Organisation] {
			c.add(f+".organisation", "is not an organisation of the document")
		}
		for j, unit := range unitList {
			if !units[u.Organisation+"/"+unit] {
				c.add(fmt.Sprintf("%s.units[%d]", f, j), "is not a unit of the account's organisation")
			}
		}
		if !c.s.passwords.WellFormed(u.PasswordHash) {
			c.add(f+".password_hash", "is not a password hash this service writes (argon2id within its cost bounds)")
		}
	}
	for i, d := range sec.DeletedAccounts {
		if !ValidUsername(d.Username) {
			c.add(fmt.Sprintf("secrets.deleted_accounts[%d].username", i), "is not a username")
		}
	}
	for i, r := range sec.RevokedTokens {
		if r.Subject == "" || r.JTI == "" || badText(r.Subject) != "" || badText(r.JTI) != "" {
			c.add(fmt.Sprintf("secrets.revoked_tokens[%d]", i), "needs a subject and a token id")
		}
	}
	c.checkReminderPrefs(sec.ReminderPrefs)
	for i, k := range sec.SigningKeys {
		f := fmt.Sprintf("secrets.signing_keys[%d]", i)
		if k.Algorithm != "EdDSA" || len(k.PrivateKey) != ed25519.SeedSize {
			c.add(f, "is not an Ed25519 key of this service")
			continue
		}
		if k.KID != signingKeyID(k.PrivateKey) {
			c.add(f+".kid", "is not the id of the key")
		}
	}
}

// signingKeyID is the kid of the service's own key with this seed (see
// newSigningKey): a key restored under another kid could shadow one.
func signingKeyID(seed []byte) string {
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	sum := sha256.Sum256(pub)
	return "registre-" + base64.RawURLEncoding.EncodeToString(sum[:12])
}

// accountsSummary says what accounts a document would restore.
func accountsSummary(sec *BackupSecrets) (n int, admins []string) {
	if sec == nil {
		return 0, nil
	}
	for _, u := range sec.Users {
		if u.Role == string(identity.RoleAdmin) {
			admins = append(admins, u.Username)
		}
	}
	return len(sec.Users), admins
}

// hasSecrets reports whether a document carries anything of the identity
// side.
func hasSecrets(sec *BackupSecrets) bool {
	return sec != nil && (len(sec.Users) > 0 || len(sec.SigningKeys) > 0 || len(sec.RevokedTokens) > 0 || len(sec.DeletedAccounts) > 0)
}

// describeAccounts is the refusal of a document holding accounts when the
// operator chose neither to restore nor to leave them out.
func describeAccounts(sec *BackupSecrets) error {
	n, admins := accountsSummary(sec)
	msg := fmt.Sprintf("the document holds %d accounts with their password hashes", n)
	if len(admins) > 0 {
		msg += fmt.Sprintf(", %d of them administrators (%s)", len(admins), strings.Join(admins, ", "))
	}
	if len(sec.SigningKeys) > 0 {
		msg += fmt.Sprintf(", and %d signing keys of the service", len(sec.SigningKeys))
	}
	msg += ": restore them only if you expect them (registre import --with-accounts), or leave them out (--no-accounts)"
	return &Error{Code: EInvalid, Message: "the document holds accounts; nothing was imported", Fields: []FieldError{{Field: "secrets", Message: msg}}}
}
