package server

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/registre/registre/register"
)

// statusOf is the one table from domain error codes to HTTP statuses.
func statusOf(c register.Code) (int, bool) {
	s, ok := map[register.Code]int{
		register.ENotFound:             http.StatusNotFound,
		register.EForbidden:            http.StatusForbidden,
		register.EUnauthorized:         http.StatusUnauthorized,
		register.EInvalid:              http.StatusUnprocessableEntity,
		register.EConflict:             http.StatusConflict,
		register.EPreconditionFailed:   http.StatusPreconditionFailed,
		register.EPreconditionRequired: http.StatusPreconditionRequired,
		register.ETooManyRequests:      http.StatusTooManyRequests,
		register.EInternal:             http.StatusInternalServerError,
	}[c]
	return s, ok
}

// Problem is an RFC 9457 problem detail.
type Problem struct {
	Type     string                `json:"type"`
	Title    string                `json:"title"`
	Status   int                   `json:"status"`
	Detail   string                `json:"detail,omitempty"`
	Instance string                `json:"instance,omitempty"`
	Errors   []register.FieldError `json:"errors,omitempty"`
	Findings []register.Finding    `json:"findings,omitempty"`

	retryAfter int    // seconds, for 429
	challenge  string // WWW-Authenticate, for 401
	allow      string // Allow, for 405
	cause      error  // logged for 5xx, never shown
	logLevel   slog.Level
}

func (p *Problem) Error() string { return p.Title + ": " + p.Detail }

// problemType names a kind of problem with a URI that needs no network.
func problemType(status int) string {
	return "tag:registre,2026:problem:" + strconv.Itoa(status)
}

func newProblem(status int, detail string) *Problem {
	return &Problem{Type: problemType(status), Title: http.StatusText(status), Status: status, Detail: detail}
}

// errBadRequest is a malformed request: bad JSON, unknown field, wrong type.
func errBadRequest(detail string, fields ...register.FieldError) *Problem {
	p := newProblem(http.StatusBadRequest, detail)
	p.Errors = fields
	return p
}

// errUnauthorized answers a missing or bad token, saying nothing of why.
func errUnauthorized(bad bool) *Problem {
	p := newProblem(http.StatusUnauthorized, "a valid bearer token is required")
	p.challenge = `Bearer realm="registre"`
	if bad {
		p.challenge = `Bearer realm="registre", error="invalid_token"`
	}
	return p
}

// problemFor turns any error into a problem. Domain errors keep their safe
// message; anything else is a logged 500 with a generic title.
func problemFor(err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	if e, ok := register.AsError(err); ok {
		status, ok := statusOf(e.Code)
		if !ok {
			status = http.StatusInternalServerError
		}
		if status == http.StatusInternalServerError {
			return internal(err)
		}
		p := newProblem(status, e.Message)
		p.Errors, p.Findings = e.Fields, e.Findings
		if e.Code == register.EUnauthorized {
			p.challenge = `Bearer realm="registre"`
		}
		return p
	}
	return internal(err)
}

func internal(err error) *Problem {
	p := newProblem(http.StatusInternalServerError, "something went wrong on our side; it has been logged")
	p.cause, p.logLevel = err, slog.LevelError
	return p
}

// writeProblem writes p as application/problem+json.
func writeProblem(w http.ResponseWriter, r *http.Request, p *Problem) {
	h := w.Header()
	if p.challenge != "" {
		h.Set("WWW-Authenticate", p.challenge)
	}
	if p.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(p.retryAfter))
	}
	if p.allow != "" {
		h.Set("Allow", p.allow)
	}
	h.Set("Content-Type", "application/problem+json")
	h.Del("ETag")
	h.Del("Content-Length")
	h.Del("Content-Disposition")
	w.WriteHeader(p.Status)
	if r.Method != http.MethodHead {
		_ = json.NewEncoder(w).Encode(p)
	}
}
