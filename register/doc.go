// Package register is the domain of Registre: organisations, their units and
// the records of processing activities (traitements), with their versions, the
// review-and-publish workflow, the compliance rules, the public shape of a
// processing and the audit trail.
//
// The package knows nothing of HTTP, SQL drivers or PDF: the server turns
// requests into calls on Service, the store implements Store, and reports
// render the values this package returns.
package register

//go:generate go run gen_countries.go
