package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// outageError marks an error that means the database cannot be reached: the
// domain reads the mark (register.Unavailable) and the server answers 503
// with Retry-After instead of 500. Nothing was written when it happens
// before a commit; a commit that fails this way is unknown to the caller,
// who is told to retry (a retried write meets the usual If-Match check).
type outageError struct{ err error }

func (e outageError) Error() string { return e.err.Error() }
func (e outageError) Unwrap() error { return e.err }

// Outage implements register's outage mark.
func (outageError) Outage() bool { return true }

// markOutage wraps err in an outageError when it means the database cannot
// be reached: a refused or reset connection, a server shutting down, a
// connection lost in the middle of a statement.
func markOutage(err error) error {
	if err == nil || !isOutage(err) {
		return err
	}
	var o outageError
	if errors.As(err, &o) {
		return err
	}
	return outageError{err}
}

func isOutage(err error) bool {
	var connect *pgconn.ConnectError
	if errors.As(err, &connect) {
		return true
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		// Class 08: connection exception; 57P01..57P03: the server is
		// shutting down or starting up.
		return strings.HasPrefix(pg.Code, "08") || pg.Code == "57P01" || pg.Code == "57P02" || pg.Code == "57P03"
	}
	var netErr net.Error
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	case errors.As(err, &netErr):
		return true
	}
	// pgx reports a connection it closed after a failure this way.
	return strings.Contains(err.Error(), "conn closed")
}

// outageConnector marks the errors of opening a connection, which is where
// a stopped database shows first: every pooled connection that died is
// replaced by a new one, and that fails.
type outageConnector struct{ driver.Connector }

func (c outageConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, markOutage(err)
	}
	return conn, nil
}

// postgresConnector returns the pgx connector of dsn, marking outages.
func postgresConnector(dsn string) (driver.Connector, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	return outageConnector{stdlib.GetConnector(*cfg)}, nil
}
