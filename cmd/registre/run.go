package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/register"
	"github.com/registre/registre/spreadsheet"
	"github.com/registre/registre/sqlstore"
)

// exitCode ends the program with a status and no further message (the
// command already said what it had to).
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// env carries what a command needs from its surroundings; nothing is read
// from globals, so tests run the real program in-process.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the HTTP service (applies pending migrations first)", runServe},
		{"migrate", "schema migrations: migrate [up|down|status]", runMigrate},
		{"audit", "audit trail: audit verify [--head SEQ:HASH] | audit head", runAudit},
		{"demo", "load a realistic demo register: the canton and three cities, about 40 processings (idempotent)", runDemoLoad},
		{"export", "the whole register as one JSON document: export [--out FILE] [--no-secrets]", runExport},
		{"import", "import [--with-accounts|--no-accounts] [--expect-head SEQ:HASH] FILE (an export, into an empty database) | import --csv FILE --org O (a spreadsheet)", runImport},
		{"user", "local accounts: user add --username U --role R [--org O] [--units a,b] (password from stdin, or generated)", runUser},
		{"token", "print a signed access token: token --sub S --role R [--org O] [--units a,b] [--ttl 1h]", runToken},
		{"log", "transparency log: log head (the signed checkpoint, for witnesses) | log keys | log rotate-key", runLog},
		{"verify", "verify [--url BASE | --proof FILE --keys FILE] [--since CHECKPOINT [--consistency FILE]] [JSON]: was this JSON published as is; is the log consistent with a checkpoint kept earlier", runVerify},
		{"pdf", "documents to stdout: pdf notice ID | pdf register --org O | pdf report --org O [--lang fr|en]", runPDF},
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return exitCode(2)
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: registre COMMAND [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nEvery flag has an environment variable: --db is REGISTRE_DB, --jwt-secret is REGISTRE_JWT_SECRET.\n`registre COMMAND -h` lists a command's flags.")
}

// config is the service's configuration: flags, each with its REGISTRE_*
// environment variable; a flag given on the command line wins.
type config struct {
	DB          string
	Addr        string
	JWTSecret   string
	JWTKeys     string
	JWTIssuer   string
	JWTAudience string
	PublicURL   string
	LogLevel    string
	LogFormat   string

	TokenTTL       string // lifetime of login tokens
	TrustedProxies string // CIDRs whose X-Forwarded-For is believed
	JWTKeysReload  string // how often the key file is checked
	SessionIdle    string // back-office sessions end after this long without a request
	SessionMax     string // and this long after sign-in in any case

	LogOrigin string // origin line of the transparency log, fixed at its first start
	LogKey    string // note signing key of the transparency log, given by the operator

	oidcConfig // single sign-on (oidc.go)
}

// flagSet declares the common flags on a new flag set.
func flagSet(name string, e *env, c *config) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	str := func(p *string, flagName, def, help string) {
		envName := "REGISTRE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
		if v := e.getenv(envName); v != "" {
			def = v
		}
		fs.StringVar(p, flagName, def, help+" ("+envName+")")
	}
	str(&c.DB, "db", "sqlite:registre.db", "database: sqlite:PATH or a postgres:// URL")
	str(&c.Addr, "addr", "127.0.0.1:8080", "listen address")
	str(&c.JWTSecret, "jwt-secret", "", "HS256 key, at least 32 bytes")
	str(&c.JWTKeys, "jwt-keys", "", "file of public keys (PEM or JWKS) of an external identity provider")
	str(&c.JWTIssuer, "jwt-issuer", "registre", "required iss of tokens")
	str(&c.JWTAudience, "jwt-audience", "registre", "required aud of tokens")
	str(&c.PublicURL, "public-url", "", "the public's base URL, printed in documents whatever the request's host (serve without it answers only its listen address and localhost)")
	str(&c.LogLevel, "log-level", "info", "debug, info, warn or error")
	str(&c.LogFormat, "log-format", "text", "text or json")
	str(&c.TokenTTL, "token-ttl", "1h", "lifetime of tokens issued at login, at most 12h")
	str(&c.TrustedProxies, "trusted-proxies", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed (login limits)")
	str(&c.SessionIdle, "session-idle", "30m", "a back-office session ends after this long without a request (5m to --session-max)")
	str(&c.SessionMax, "session-max", "12h", "a back-office session ends this long after sign-in, however active (at most 168h)")
	str(&c.JWTKeysReload, "jwt-keys-reload", "1m", "how often the REGISTRE_JWT_KEYS file is checked for changes; 0: only on SIGHUP")
	str(&c.LogOrigin, "log-origin", "", "origin line of the transparency log's checkpoints, kept from the first start on (default: the public URL's host and path + /log)")
	str(&c.LogKey, "log-key", "", "the transparency log's signing key (a note key PRIVATE+KEY+NAME+HASH+DATA); default: a key kept in the database")
	c.oidcFlags(str)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitCode(0)
		}
		return exitCode(2)
	}
	return nil
}

func (c *config) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.LogFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format: want text or json, got %q", c.LogFormat)
}

// openStore opens and migrates the database.
func openStore(ctx context.Context, c *config, log *slog.Logger) (*sqlstore.DB, error) {
	db, err := sqlstore.Open(ctx, c.DB)
	if err != nil {
		return nil, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(applied) > 0 {
		log.InfoContext(ctx, "migrations applied", "migrations", applied)
	}
	return db, nil
}

// app is what most commands work with: the logger, the migrated database
// and the domain service over it.
type app struct {
	log *slog.Logger
	db  *sqlstore.DB
	svc *register.Service
	// tlog is the transparency log, set up (origin, key, records of earlier
	// publications) before the app is returned.
	tlog *sqlstore.TransLog
}

// open builds the logger, opens and migrates the database and makes the
// service; close the app when done.
func (c *config) open(ctx context.Context, e *env) (*app, error) {
	log, err := c.logger(e.stderr)
	if err != nil {
		return nil, err
	}
	sessions, err := c.sessionTimeouts()
	if err != nil {
		return nil, err
	}
	local, err := c.localLogin()
	if err != nil {
		return nil, err
	}
	db, err := openStore(ctx, c, log)
	if err != nil {
		return nil, err
	}
	tl := db.TransLog()
	svc := newService(db, log, register.WithPublicLog(tl), sessions, local)
	if err := runMaintenance(ctx, svc, log); err != nil {
		db.Close()
		return nil, err
	}
	if err := c.setupLog(ctx, tl, log); err != nil {
		db.Close()
		return nil, err
	}
	return &app{log: log, db: db, svc: svc, tlog: tl}, nil
}

// runMaintenance runs the steps migrations queued for Go to do (the
// audited cleaning of stored text): they extend the audit chain, which SQL
// cannot.
func runMaintenance(ctx context.Context, svc *register.Service, log *slog.Logger) error {
	n, err := svc.RunMaintenance(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		log.InfoContext(ctx, "maintenance changed stored records", "records", n)
	}
	return nil
}

func (a *app) close() { a.db.Close() }

func newService(db *sqlstore.DB, log *slog.Logger, opts ...register.Option) *register.Service {
	base := []register.Option{register.WithPasswords(auth.Argon2id{}), register.WithSheets(spreadsheet.Read), register.WithLogger(log)}
	return register.NewService(db.Store(), append(base, opts...)...)
}
