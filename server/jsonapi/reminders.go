package jsonapi

import (
	"net/http"

	"github.com/registre/registre/register"
	"github.com/registre/registre/server/httpkit"
)

// The reminders' settings over the API (docs/reviews.md, "Reminders"): the
// same service calls as the office pages (/office/reminders and the account
// page), so the rules and the audit entry are the same.

// reminderSettingsInput is the body of PUT …/reminders. organisation is
// read-only (the path names it) and accepted so that a client may send back
// what it read; hour is a pointer so that a missing hour is refused rather
// than taken for midnight.
type reminderSettingsInput struct {
	Organisation string `json:"organisation"`
	Frequency    string `json:"frequency"`
	Hour         *int   `json:"hour"`
}

// ReminderSettings serves GET /api/v1/organisations/{org}/reminders.
func (s *API) ReminderSettings(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.svc.ReminderSettings(r.Context(), principal(r), r.PathValue("org"))
	if err != nil {
		return err
	}
	return httpkit.WriteJSON(w, http.StatusOK, rs)
}

// SetReminderSettings serves PUT /api/v1/organisations/{org}/reminders.
func (s *API) SetReminderSettings(w http.ResponseWriter, r *http.Request) error {
	var in reminderSettingsInput
	if err := httpkit.Decode(w, r, &in); err != nil {
		return err
	}
	if in.Hour == nil {
		return &register.Error{Code: register.EInvalid, Message: "the reminder settings are not valid",
			Fields: []register.FieldError{{Field: "hour", Message: "is required (an hour from 0 to 23, Europe/Zurich)"}}}
	}
	rs, err := s.svc.SetReminderSettings(r.Context(), principal(r),
		register.ReminderSettings{Organisation: r.PathValue("org"), Frequency: in.Frequency, Hour: *in.Hour})
	if err != nil {
		return err
	}
	return httpkit.WriteJSON(w, http.StatusOK, rs)
}

// myRemindersInput is the body of PUT /api/v1/me/reminders; username is
// read-only (the token names the person). The feed's secret is not here:
// it is made on the account page, where it is shown once.
type myRemindersInput struct {
	Username string `json:"username"`
	OptOut   *bool  `json:"opt_out"`
	Lang     string `json:"lang"`
}

// MyReminders serves GET /api/v1/me/reminders.
func (s *API) MyReminders(w http.ResponseWriter, r *http.Request) error {
	prefs, err := s.svc.MyReminderPrefs(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return httpkit.WriteJSON(w, http.StatusOK, prefs)
}

// SetMyReminders serves PUT /api/v1/me/reminders.
func (s *API) SetMyReminders(w http.ResponseWriter, r *http.Request) error {
	var in myRemindersInput
	if err := httpkit.Decode(w, r, &in); err != nil {
		return err
	}
	if in.OptOut == nil {
		return &register.Error{Code: register.EInvalid, Message: "the reminder preferences are not valid",
			Fields: []register.FieldError{{Field: "opt_out", Message: "is required (true or false)"}}}
	}
	prefs, err := s.svc.SetMyReminderPrefs(r.Context(), principal(r), *in.OptOut, in.Lang)
	if err != nil {
		return err
	}
	return httpkit.WriteJSON(w, http.StatusOK, prefs)
}
