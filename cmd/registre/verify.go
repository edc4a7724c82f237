package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/registre/registre/translog"
)

// Exit statuses of `registre verify` (docs/transparency-log.md).
const (
	verifyPublished    = 0 // the JSON was published as is (and the log is consistent with --since)
	verifyNotPublished = 1 // the log holds no record of this JSON
	verifyUsage        = 2 // bad arguments
	verifyTampered     = 3 // a signature, a proof or the consistency with --since fails: the log was changed or forked
	verifyUnchecked    = 4 // a file or the server could not be read
)

// maxVerifyFile bounds the files and answers verify reads.
const maxVerifyFile = 8 << 20

type verifier struct {
	e       *env
	base    string // online: the service's base URL
	client  *http.Client
	keys    note.Verifiers
	keyText []string
	origin  string
}

// runVerify serves `registre verify`: offline from saved files, or online
// against a base URL. It never opens the database.
func runVerify(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	base := fs.String("url", "", "base URL of the service to ask (online)")
	keysFile := fs.String("keys", "", "file of the log's public keys (GET /public/v1/log/keys, saved); online, pins them instead of trusting the server's")
	proofFile := fs.String("proof", "", "offline: a saved inclusion proof (GET /public/v1/log/inclusion?processing=ID&sha256=...)")
	since := fs.String("since", "", "a checkpoint kept earlier (GET /public/v1/log/checkpoint or `registre log head`): today's log must extend it")
	consFile := fs.String("consistency", "", "offline, with --since: a saved consistency proof (GET /public/v1/log/consistency?from=OLD_SIZE&to=NEW_SIZE)")
	checkpointFile := fs.String("checkpoint", "", "offline, with --since and no --proof: the newer checkpoint the consistency proof leads to")
	origin := fs.String("origin", "", "the log's origin line, when you know it: checkpoints of another origin are refused")
	if err := parseFlags(fs, reorderFlags(args)); err != nil {
		return err
	}
	if fs.NArg() > 1 || (fs.NArg() == 0 && *since == "") {
		fmt.Fprintln(e.stderr, "usage: registre verify (--url BASE [--keys FILE] | --keys FILE [--proof FILE] [--consistency FILE --checkpoint FILE]) [--since CHECKPOINT] [PUBLIC_JSON]")
		return exitCode(verifyUsage)
	}
	v := &verifier{e: e, base: strings.TrimSuffix(*base, "/"), origin: *origin, client: &http.Client{Timeout: 30 * time.Second}}
	if v.base != "" {
		if u, err := url.Parse(v.base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return v.fail(verifyUsage, "--url must be an http(s) base URL")
		}
	}
	// The keys: pinned from a file, or the server's own.
	var keyText []byte
	var err error
	if *keysFile != "" {
		keyText, err = readSmall(*keysFile)
	} else if v.base != "" {
		keyText, err = v.get(ctx, "/public/v1/log/keys")
	} else {
		return v.fail(verifyUsage, "offline, --keys is required")
	}
	if err != nil {
		return v.fail(verifyUnchecked, "cannot read the public keys: %v", err)
	}
	v.keyText = translog.ParseKeys(keyText)
	if v.keys, err = translog.Verifiers(v.keyText); err != nil {
		return v.fail(verifyUnchecked, "the public keys are not usable: %v", err)
	}
	var current *translog.Checkpoint
	if fs.NArg() == 1 {
		cp, status := v.checkPublished(ctx, fs.Arg(0), *proofFile)
		if status != verifyPublished {
			return exitCode(status)
		}
		current = cp
	}
	if *since != "" {
		if status := v.checkConsistent(ctx, *since, current, *consFile, *checkpointFile); status != verifyPublished {
			return exitCode(status)
		}
	}
	return nil
}

// reorderFlags moves the one positional argument after the flags, so that
// `verify FILE --url U` works as `verify --url U FILE`.
func reorderFlags(args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			flags = append(flags, a)
			if !strings.Contains(a, "=") && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}

func (v *verifier) fail(status int, format string, a ...any) error {
	fmt.Fprintf(v.e.stdout, format+"\n", a...)
	return exitCode(status)
}

func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxVerifyFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxVerifyFile {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxVerifyFile)
	}
	return b, nil
}

// errNotFound is a 404 from the server.
var errNotFound = errors.New("not found")

func (v *verifier) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.base+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := v.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxVerifyFile+1))
	if err != nil {
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, errNotFound
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("GET %s: %s", path, resp.Status)
	case len(b) > maxVerifyFile:
		return nil, fmt.Errorf("GET %s: answer too large", path)
	}
	return b, nil
}

func (v *verifier) open(text []byte) (*translog.Checkpoint, error) {
	return translog.OpenCheckpoint(text, v.origin, v.keys)
}

// checkPublished says whether the JSON in path is the public JSON of a
// record in the log, and returns the checkpoint the proof led to.
func (v *verifier) checkPublished(ctx context.Context, path, proofFile string) (*translog.Checkpoint, int) {
	doc, err := readSmall(path)
	if err != nil {
		fmt.Fprintf(v.e.stdout, "cannot read %s: %v\n", path, err)
		return nil, verifyUnchecked
	}
	stored := translog.TrimServed(doc)
	sum := sha256.Sum256(stored)
	hexSum := hex.EncodeToString(sum[:])
	// The log finds records by processing: the JSON names its own.
	var named struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(stored, &named); err != nil || named.ID == "" {
		fmt.Fprintf(v.e.stdout, "NOT PUBLISHED: %s is not the JSON of a published processing (no \"id\")\n", path)
		return nil, verifyNotPublished
	}
	var raw []byte
	if proofFile != "" {
		raw, err = readSmall(proofFile)
	} else if v.base != "" {
		raw, err = v.get(ctx, "/public/v1/log/inclusion?processing="+url.QueryEscape(named.ID)+"&sha256="+hexSum)
		if errors.Is(err, errNotFound) {
			fmt.Fprintf(v.e.stdout, "NOT PUBLISHED: the log of %s holds no record of this JSON (SHA-256 %s); it was changed, or never published\n", v.base, hexSum)
			return nil, verifyNotPublished
		}
	} else {
		fmt.Fprintln(v.e.stdout, "offline, --proof is required to check a JSON")
		return nil, verifyUsage
	}
	if err != nil {
		fmt.Fprintf(v.e.stdout, "cannot read the inclusion proof: %v\n", err)
		return nil, verifyUnchecked
	}
	var p translog.Inclusion
	if err := json.Unmarshal(raw, &p); err != nil {
		fmt.Fprintf(v.e.stdout, "the inclusion proof is not readable: %v\n", err)
		return nil, verifyUnchecked
	}
	cp, err := v.open([]byte(p.Checkpoint))
	if err != nil {
		fmt.Fprintf(v.e.stdout, "TAMPERED: the checkpoint of the proof does not verify against the public keys: %v\n", err)
		return nil, verifyTampered
	}
	rec, err := translog.VerifyInclusion(&p, cp)
	if err != nil {
		fmt.Fprintf(v.e.stdout, "TAMPERED: the inclusion proof does not hold: %v\n", err)
		return nil, verifyTampered
	}
	if rec.SHA256 != sum {
		fmt.Fprintf(v.e.stdout, "NOT PUBLISHED: record %d of the log is of another JSON (SHA-256 %s, this file %s); the file was changed, or is another version\n",
			p.Index, hex.EncodeToString(rec.SHA256[:]), hexSum)
		return nil, verifyNotPublished
	}
	fmt.Fprintf(v.e.stdout, "PUBLISHED as is: record %d of the log (%s of version %d of processing %s, organisation %s, at %s); SHA-256 %s; checkpoint of %d records signed by %s\n",
		p.Index, rec.Event, rec.Version, rec.ProcessingID, rec.Organisation, rec.Time.UTC().Format(time.RFC3339), hexSum, cp.Size, cp.KeyName)
	return cp, verifyPublished
}

// checkConsistent says whether the log today extends the checkpoint kept
// in sincePath: same origin, no record changed or removed, no fork.
func (v *verifier) checkConsistent(ctx context.Context, sincePath string, current *translog.Checkpoint, consFile, cpFile string) int {
	oldText, err := readSmall(sincePath)
	if err != nil {
		fmt.Fprintf(v.e.stdout, "cannot read %s: %v\n", sincePath, err)
		return verifyUnchecked
	}
	older, err := v.open(oldText)
	if err != nil {
		fmt.Fprintf(v.e.stdout, "the kept checkpoint does not verify against the public keys: %v\n", err)
		return verifyUnchecked
	}
	var proof translog.Consistency
	if v.base != "" && consFile == "" {
		raw, err := v.get(ctx, "/public/v1/log/consistency?from="+strconv.FormatInt(older.Size, 10))
		if err != nil {
			// A log shorter than the kept checkpoint refuses the proof:
			// its signed checkpoint says so.
			if text, cerr := v.get(ctx, "/public/v1/log/checkpoint"); cerr == nil {
				if newer, oerr := v.open(text); oerr == nil && newer.Size < older.Size {
					fmt.Fprintf(v.e.stdout, "TAMPERED: the log has %d records, fewer than the %d of the kept checkpoint: records were removed\n", newer.Size, older.Size)
					return verifyTampered
				}
			}
			fmt.Fprintf(v.e.stdout, "cannot read the consistency proof: %v\n", err)
			return verifyUnchecked
		}
		if err := json.Unmarshal(raw, &proof); err != nil {
			fmt.Fprintf(v.e.stdout, "the consistency proof is not readable: %v\n", err)
			return verifyUnchecked
		}
		newer, err := v.open([]byte(proof.Checkpoint))
		if err != nil {
			fmt.Fprintf(v.e.stdout, "TAMPERED: today's checkpoint does not verify against the public keys: %v\n", err)
			return verifyTampered
		}
		current = newer
	} else {
		if consFile == "" {
			fmt.Fprintln(v.e.stdout, "offline, --since needs --consistency")
			return verifyUsage
		}
		raw, err := readSmall(consFile)
		if err == nil {
			err = json.Unmarshal(raw, &proof)
		}
		if err != nil {
			fmt.Fprintf(v.e.stdout, "cannot read the consistency proof: %v\n", err)
			return verifyUnchecked
		}
		if cpFile != "" || proof.Checkpoint != "" {
			text := []byte(proof.Checkpoint)
			if cpFile != "" {
				if text, err = readSmall(cpFile); err != nil {
					fmt.Fprintf(v.e.stdout, "cannot read %s: %v\n", cpFile, err)
					return verifyUnchecked
				}
			}
			newer, err := v.open(text)
			if err != nil {
				fmt.Fprintf(v.e.stdout, "TAMPERED: the newer checkpoint does not verify against the public keys: %v\n", err)
				return verifyTampered
			}
			current = newer
		}
		if current == nil {
			fmt.Fprintln(v.e.stdout, "offline, --since needs the newer checkpoint: --checkpoint, or --proof")
			return verifyUsage
		}
	}
	if proof.From != older.Size || proof.To != current.Size {
		fmt.Fprintf(v.e.stdout, "the consistency proof is from %d to %d records, not from %d to %d\n", proof.From, proof.To, older.Size, current.Size)
		return verifyUnchecked
	}
	if err := translog.VerifyConsistency(older, current, proof.Hashes); err != nil {
		fmt.Fprintf(v.e.stdout, "TAMPERED: the log is not consistent with the kept checkpoint of %d records: %v\n", older.Size, err)
		return verifyTampered
	}
	fmt.Fprintf(v.e.stdout, "CONSISTENT: the log of %d records extends the kept checkpoint of %d records (nothing changed or removed, no fork)\n", current.Size, older.Size)
	return verifyPublished
}
