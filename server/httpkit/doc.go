// Package httpkit is the plumbing every audience of the HTTP side shares:
// problem+json errors and the one mapping of domain errors to status codes
// (problem.go), strict JSON decoding and body limits (decode.go), the
// memory budget of request bodies (bodybudget.go), forms (form.go), login
// throttling and the hashing queue (ratelimit.go, hashqueue.go), the Host
// and text guards (guard.go) and the request metrics (metrics.go).
//
// It knows the domain's errors (register) and nothing of routes, handlers,
// caches or pages: the JSON API, the public register and a back office use
// it alike, and server wires them.
package httpkit
