package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server"
)

const (
	// leeway is the clock skew allowed on exp, nbf and iat.
	leeway = 30 * time.Second
	// purgeEvery is how often expired revocations are dropped; they cost
	// only a few rows until then.
	purgeEvery = 10 * time.Minute
	// maxKeyFileSize matches auth's own bound.
	maxKeyFileSize = 1 << 20
)

// identity is what the service needs to accept and issue tokens.
type identity struct {
	verifier *auth.Verifier
	signer   auth.Signer
	ttl      time.Duration
	proxies  []netip.Prefix

	keysPath    string
	keysSum     [sha256.Size]byte // of the key file as last loaded
	reloadEvery time.Duration
	// keysTrouble is why the keys in use are not the file's, repeated as an
	// error at every check until the file is fixed.
	keysTrouble string
	keysInUse   []string // kids of the provider's keys the verifier trusts
}

// signingConfig returns the signer of this deployment: HS256 with the
// shared secret when one is configured, otherwise the service's own Ed25519
// key, created in the database on first use so that every process and every
// restart signs with the same key. own is nil with a secret.
func (c *config) signingConfig(ctx context.Context, svc *register.Service) (signer auth.Signer, own *register.SigningKey, err error) {
	if c.JWTSecret != "" {
		if len(c.JWTSecret) < auth.MinSecretLength {
			return nil, nil, fmt.Errorf("REGISTRE_JWT_SECRET must be at least %d bytes", auth.MinSecretLength)
		}
		signer, err = auth.NewHS256Signer([]byte(c.JWTSecret), c.JWTIssuer, c.JWTAudience)
		return signer, nil, err
	}
	if own, err = svc.OwnSigningKey(ctx); err != nil {
		return nil, nil, fmt.Errorf("own signing key: %w", err)
	}
	signer, err = auth.NewEd25519Signer(own.PrivateKey(), own.ID, c.JWTIssuer, c.JWTAudience)
	return signer, own, err
}

// parseTTL reads a token lifetime and holds it to the maximum the verifier
// accepts, so that no issued token is refused for living too long.
func parseTTL(name, s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	if d < time.Minute || d > register.MaxTokenTTL {
		return 0, fmt.Errorf("%s: want between 1m and %v, got %v", name, register.MaxTokenTTL, d)
	}
	return d, nil
}

// identity builds the verifier and signer from the configuration. Several
// key sources may be active at once: the HS256 secret, the key file of an
// identity provider, and the service's own key (whenever there is no
// secret, so that local accounts can log in next to an identity provider).
func (c *config) identity(ctx context.Context, svc *register.Service, log *slog.Logger) (*identity, error) {
	id := &identity{keysPath: c.JWTKeys}
	var err error
	if id.ttl, err = parseTTL("--token-ttl", c.TokenTTL); err != nil {
		return nil, err
	}
	if id.proxies, err = server.ParseTrustedProxies(c.TrustedProxies); err != nil {
		return nil, fmt.Errorf("--trusted-proxies: %w", err)
	}
	if id.reloadEvery, err = time.ParseDuration(c.JWTKeysReload); err != nil || id.reloadEvery < 0 {
		return nil, fmt.Errorf("--jwt-keys-reload: want a duration such as 1m, or 0 for SIGHUP only")
	}
	vc := auth.VerifierConfig{Issuer: c.JWTIssuer, Audience: c.JWTAudience, MaxTTL: register.MaxTokenTTL, Leeway: leeway}
	signer, own, err := c.signingConfig(ctx, svc)
	if err != nil {
		return nil, err
	}
	id.signer = signer
	if own != nil {
		vc.OwnKey, vc.OwnKeyID = own.PrivateKey().Public().(ed25519.PublicKey), own.ID
	} else {
		vc.Secret = []byte(c.JWTSecret)
	}
	if c.JWTKeys != "" {
		ks, sum, err := loadKeyFile(c.JWTKeys)
		if err != nil {
			return nil, fmt.Errorf("REGISTRE_JWT_KEYS: %w", err)
		}
		vc.Keys, id.keysSum, id.keysInUse = ks, sum, ks.KeyIDs()
		logSkipped(ctx, log, c.JWTKeys, ks)
		log.InfoContext(ctx, "identity provider keys loaded", "file", c.JWTKeys, "kids", ks.KeyIDs())
	}
	if id.verifier, err = auth.NewVerifier(vc); err != nil {
		return nil, err
	}
	return id, nil
}

// configure hands the token settings to the HTTP server.
func (id *identity) configure(cfg *server.Config, svc *register.Service) {
	cfg.Verifier = id.verifier
	cfg.Revoked = svc
	cfg.Signer = id.signer
	cfg.TokenTTL = id.ttl
	cfg.TrustedProxies = id.proxies
}

// readKeyFile reads a key file, bounded like auth.LoadKeySet.
func readKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxKeyFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxKeyFileSize)
	}
	return data, nil
}

// loadKeyFile reads and parses a key file, returning its digest so that a
// reload can tell whether it changed (modification times are too coarse on
// some file systems to notice a quick rewrite).
func loadKeyFile(path string) (*auth.KeySet, [sha256.Size]byte, error) {
	data, err := readKeyFile(path)
	if err != nil {
		return nil, [sha256.Size]byte{}, err
	}
	ks, err := auth.ParseKeySet(data)
	if err != nil {
		return nil, [sha256.Size]byte{}, err
	}
	return ks, sha256.Sum256(data), nil
}

// logSkipped warns about each key of the file that is not used.
func logSkipped(ctx context.Context, log *slog.Logger, path string, ks *auth.KeySet) {
	for _, k := range ks.Skipped() {
		log.WarnContext(ctx, "identity provider key left out", "file", path, "key", k.Entry, "kid", k.KID, "reason", k.Reason)
	}
}

// reloadKeys makes the verifier trust what the key file holds now:
//
//   - a file whose usable keys changed: they replace the set, so a key
//     removed from the file stops working; keys that cannot be used
//     (an unsupported type or algorithm, ...) are left out with a warning.
//   - a file that was read and parsed but holds no usable key: no key of the
//     provider is trusted any more (its tokens get 401), and an error is
//     logged at every check. The file is the provider's current word; the
//     keys it no longer lists must not stay trusted.
//   - a file that cannot be read or parsed at all (missing, caught
//     half-written, not PEM or JWKS): the keys in use stay, since refusing
//     every token of the provider for a typo would be worse, and an error
//     saying that the previous keys are still trusted is logged at every
//     check until the file is fixed.
func (id *identity) reloadKeys(ctx context.Context, log *slog.Logger) {
	data, err := readKeyFile(id.keysPath)
	if err == nil && sha256.Sum256(data) == id.keysSum {
		if id.keysTrouble != "" {
			log.ErrorContext(ctx, id.keysTrouble, "file", id.keysPath)
		}
		return
	}
	var ks *auth.KeySet
	if err == nil {
		ks, err = auth.ParseKeySet(data)
	}
	switch {
	case err != nil && !errors.Is(err, auth.ErrNoSupportedKeys):
		id.keysTrouble = "identity provider keys not reloaded: the file cannot be read; the previous keys are still trusted, including any the new file would remove"
		log.ErrorContext(ctx, id.keysTrouble, "file", id.keysPath, "err", err, "kids_still_trusted", id.keysInUse)
		return
	case err != nil:
		id.keysSum, id.keysTrouble = sha256.Sum256(data), "identity provider key file holds no usable key: no token of the provider is accepted"
		if serr := id.verifier.SetKeys(nil); serr != nil {
			log.ErrorContext(ctx, "identity provider keys cannot be dropped", "file", id.keysPath, "err", serr)
			return
		}
		id.keysInUse = nil
		log.ErrorContext(ctx, id.keysTrouble, "file", id.keysPath, "err", err)
		return
	}
	logSkipped(ctx, log, id.keysPath, ks)
	if err := id.verifier.SetKeys(ks); err != nil {
		// The only refusal with keys in the set is a kid that clashes with
		// the service's own: trust none rather than the old ones.
		id.keysSum, id.keysTrouble = sha256.Sum256(data), "identity provider key file cannot be used ("+err.Error()+"): no token of the provider is accepted"
		if id.verifier.SetKeys(nil) == nil {
			id.keysInUse = nil
		}
		log.ErrorContext(ctx, id.keysTrouble, "file", id.keysPath)
		return
	}
	id.keysSum, id.keysTrouble, id.keysInUse = sha256.Sum256(data), "", ks.KeyIDs()
	log.InfoContext(ctx, "identity provider keys reloaded", "file", id.keysPath, "kids", ks.KeyIDs())
}

// start runs the housekeeping of tokens until ctx ends or the returned stop
// is called: the key file is checked every reloadEvery and on SIGHUP, and
// expired revocations are purged now and then. stop waits for it to finish,
// so that nothing touches the database after serve closes it.
func (id *identity) start(ctx context.Context, svc *register.Service, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var hup chan os.Signal
	var tick <-chan time.Time
	var reload *time.Ticker
	if id.keysPath != "" {
		hup = make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		if id.reloadEvery > 0 {
			reload = time.NewTicker(id.reloadEvery)
			tick = reload.C
		}
	}
	purge := time.NewTicker(purgeEvery)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer purge.Stop()
		if reload != nil {
			defer reload.Stop()
		}
		purgeNow := func() {
			if n, err := svc.PurgeRevocations(ctx); err != nil && ctx.Err() == nil {
				log.WarnContext(ctx, "purging expired revocations", "err", err)
			} else if n > 0 {
				log.DebugContext(ctx, "expired revocations purged", "rows", n)
			}
			// Ended back-office sessions are refused anyway; this keeps
			// their table small.
			if n, err := svc.PurgeSessions(ctx); err != nil && ctx.Err() == nil {
				log.WarnContext(ctx, "purging ended sessions", "err", err)
			} else if n > 0 {
				log.DebugContext(ctx, "ended sessions purged", "rows", n)
			}
			// Failed sign-ins counted in the database leak empty within
			// minutes (httpkit.DefaultLoginLimits); a day is ample.
			if pf, ok := svc.Store().(failurePurger); ok {
				if _, err := pf.PurgeFailures(ctx, time.Now().Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
					log.WarnContext(ctx, "purging login failures", "err", err)
				}
			}
		}
		purgeNow()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick:
				id.reloadKeys(ctx, log)
			case <-hup:
				log.InfoContext(ctx, "SIGHUP: checking the identity provider key file")
				id.reloadKeys(ctx, log)
			case <-purge.C:
				purgeNow()
			}
		}
	}()
	return func() {
		if hup != nil {
			signal.Stop(hup)
		}
		cancel()
		wg.Wait()
	}
}

// firstStart creates the first administrator on an empty database and
// prints its one-time password. It goes to stderr as plain lines, not
// through the logger: a log pipeline repeats and keeps structured records,
// and a password has no place there; the operator reads it once on the
// console.
func firstStart(ctx context.Context, svc *register.Service, stderr io.Writer) error {
	pw, err := svc.EnsureFirstAdmin(ctx)
	if err != nil || pw == "" {
		return err
	}
	fmt.Fprintf(stderr, "\nregistre: first start: created the administrator account %q with this one-time password:\n\n    %s\n\n"+
		"registre: only its hash is stored; it will not be shown again. Log in with it (POST /api/v1/auth/login),\n"+
		"registre: create personal accounts, then delete %q (DELETE /api/v1/users/%s).\n\n",
		register.FirstAdmin, pw, register.FirstAdmin, register.FirstAdmin)
	return nil
}

// failurePurger is the store's purge of shared login failures (sqlstore).
type failurePurger interface {
	PurgeFailures(ctx context.Context, before time.Time) (int, error)
}
