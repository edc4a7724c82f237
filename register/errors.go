package register

import (
	"errors"
	"fmt"
)

// Code is the kind of a domain error. The server maps each code to one HTTP
// status in a single table, so the domain never speaks HTTP.
type Code string

// Error codes.
const (
	ENotFound             Code = "not_found"             // missing, or in another organisation
	EForbidden            Code = "forbidden"             // authenticated but not allowed
	EUnauthorized         Code = "unauthorized"          // no or bad credentials
	EInvalid              Code = "invalid"               // well-formed but invalid input
	EConflict             Code = "conflict"              // state does not allow it, or already exists
	EPreconditionFailed   Code = "precondition_failed"   // stale If-Match
	EPreconditionRequired Code = "precondition_required" // If-Match missing
	ETooManyRequests      Code = "too_many_requests"
	EUnavailable          Code = "unavailable" // the database cannot be reached now
	EInternal             Code = "internal"
)

// FieldError names one invalid field by its JSON path, e.g. "legal_bases[0].type".
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	// Where an imported spreadsheet's error is (Line 0: the file as a
	// whole; Column: the header as written, or ColumnNo for a cell under
	// no header), and what it says as a key with its arguments, so that a
	// page can say it in its own language; Field and Message say it in
	// English, as the API always has (csvmap.go).
	Line     int    `json:"-"`
	Column   string `json:"-"`
	ColumnNo int    `json:"-"`
	Key      string `json:"-"`
	Args     []any  `json:"-"`
}

// Error is the one error type of the domain. Message is safe to show to the
// caller: it never holds stored values.
type Error struct {
	Code     Code
	Message  string
	Fields   []FieldError
	Findings []Finding // compliance findings that blocked an action
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf returns an *Error of the given code.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	if e, ok := AsError(err); ok {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the caller-safe message of err, or a generic one.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// AsError returns the *Error in err's chain, if any. An error a store
// marked as an outage (see Unavailable) is an EUnavailable *Error, whatever
// wraps it: the caller may try again later, nothing was done.
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	if Unavailable(err) {
		return &Error{Code: EUnavailable, Message: "the register's database cannot be reached at the moment; try again shortly"}, true
	}
	return nil, false
}

// outage is implemented by a store's errors that mean the database cannot
// be reached (refused, reset, shut down): the store marks them, the domain
// does not know its driver's errors.
type outage interface{ Outage() bool }

// Unavailable reports whether err, or an error it wraps, is an outage of the
// database.
func Unavailable(err error) bool {
	var o outage
	return errors.As(err, &o) && o.Outage()
}

// invalid builds an EInvalid error with field errors.
func invalid(fields ...FieldError) *Error {
	return &Error{Code: EInvalid, Message: "the request is not valid", Fields: fields}
}

func notFound(what string) *Error { return Errorf(ENotFound, "%s not found", what) }
