package httpkit

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
		register.EUnavailable:          http.StatusServiceUnavailable,
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

	// Set by handlers, sent as headers or logged, never in the body.
	RetryAfter int    `json:"-"` // seconds, for 429
	challenge  string // WWW-Authenticate, for 401
	Allow      string `json:"-"` // Allow, for 405
	Cause      error  `json:"-"` // logged for 5xx, never shown
	// Outage marks a 503 because the database cannot be reached: the
	// caller reports it to an Outage watcher instead of logging it.
	Outage   bool `json:"-"`
	logLevel slog.Level
}

func (p *Problem) Error() string { return p.Title + ": " + p.Detail }

// problemType names a kind of problem with a URI that needs no network.
func problemType(status int) string {
	return "tag:registre,2026:problem:" + strconv.Itoa(status)
}

func NewProblem(status int, detail string) *Problem {
	return &Problem{Type: problemType(status), Title: http.StatusText(status), Status: status, Detail: detail}
}

// BadRequest is a malformed request: bad JSON, unknown field, wrong type.
func BadRequest(detail string, fields ...register.FieldError) *Problem {
	p := NewProblem(http.StatusBadRequest, detail)
	p.Errors = fields
	return p
}

// Unauthorized answers a missing or bad token, saying nothing of why.
func Unauthorized(bad bool) *Problem {
	p := NewProblem(http.StatusUnauthorized, "a valid bearer token is required")
	p.challenge = `Bearer realm="registre"`
	if bad {
		p.challenge = `Bearer realm="registre", error="invalid_token"`
	}
	return p
}

// ProblemFor turns any error into a problem. Domain errors keep their safe
// message; anything else is a logged 500 with a generic title.
func ProblemFor(err error) *Problem {
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
			return Internal(err)
		}
		p := NewProblem(status, e.Message)
		p.Errors, p.Findings = e.Fields, e.Findings
		if e.Code == register.EUnavailable {
			// An outage is logged once by whoever watches the database
			// (Outage), not per request; the cause is kept for that.
			p.RetryAfter, p.Cause, p.Outage = OutageRetryAfter, err, true
		}
		if e.Code == register.EUnauthorized {
			p.challenge = `Bearer realm="registre"`
		}
		return p
	}
	return Internal(err)
}

func Internal(err error) *Problem {
	p := NewProblem(http.StatusInternalServerError, "something went wrong on our side; it has been logged")
	p.Cause, p.logLevel = err, slog.LevelError
	return p
}

// WriteProblem writes p as application/problem+json.
func WriteProblem(w http.ResponseWriter, r *http.Request, p *Problem) {
	h := w.Header()
	if p.challenge != "" {
		h.Set("WWW-Authenticate", p.challenge)
	}
	if p.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(p.RetryAfter))
	}
	if p.Allow != "" {
		h.Set("Allow", p.Allow)
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
