package httpkit

import (
	"runtime"
	"strings"
	"testing"

	"github.com/registre/registre/register"
)

// FuzzDecode feeds the strict decoder arbitrary bodies, into a processing
// (the largest request type) and into an untyped value, and checks that it
// never panics, answers only 400/413 when it refuses, and allocates at most
// a fixed multiple of the body: the quadratic path building that once took
// gigabytes for a few hundred kilobytes would fail this on any deep input.
// scripts/test runs it for 20 s on a full run.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"unit":"etat-civil","title":"Registre","legal_bases":[{"type":"law","reference":"LIPAD"}]}`,
		`{"title":"a","title":"b"}`,
		`{"Title":"a"}`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]`,
		`{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":1}}}`,
		`{"title":"\u0000\ud800","x":[1,2,3,{"y":null}]} trailing`,
		`{"` + strings.Repeat("k", 200) + `":1}`,
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 256<<10 {
			return
		}
		for _, target := range []any{new(register.Processing), new(any)} {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := decodeBytes(body, target)
			runtime.ReadMemStats(&after)
			if err != nil {
				if s := ProblemFor(err).Status; s != 400 && s != 413 {
					t.Fatalf("into %T: status %d (%v)", target, s, err)
				}
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64*uint64(len(body))+(256<<10) {
				t.Fatalf("into %T: %d bytes allocated for a body of %d", target, alloc, len(body))
			}
		}
	})
}
