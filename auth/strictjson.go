package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	errNotUTF8       = errors.New("JSON is not valid UTF-8")
	errMalformedJSON = errors.New("malformed JSON")
	errNotObject     = errors.New("JSON value is not an object")
	errDuplicateName = errors.New("JSON object has a duplicate member name")
	errTrailingData  = errors.New("data after the JSON value")
)

// checkStrictObject accepts data only when it is exactly one JSON object in
// which no object, at any depth, names a member twice, not even in another
// case. encoding/json keeps the last of two duplicates and matches struct
// fields case-insensitively, so {"role":"auditor","role":"admin"} or a stray
// "Role" could otherwise mean one thing to us and another to the next parser
// of the same token.
func checkStrictObject(data []byte) error {
	if !utf8.Valid(data) {
		return errNotUTF8
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // no float conversion: only the structure matters here
	tok, err := dec.Token()
	if err != nil {
		return errMalformedJSON
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errNotObject
	}
	// One entry per open container; a nil map marks an array.
	stack := []map[string]struct{}{{}}
	for len(stack) > 0 {
		names := stack[len(stack)-1]
		tok, err := dec.Token()
		if err != nil {
			return errMalformedJSON
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		if names != nil {
			// The decoder only hands out strings in member-name position.
			name, ok := tok.(string)
			if !ok {
				return errMalformedJSON
			}
			key := foldName(name)
			if _, dup := names[key]; dup {
				return errDuplicateName
			}
			names[key] = struct{}{}
			if tok, err = dec.Token(); err != nil {
				return errMalformedJSON
			}
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' {
				stack = append(stack, map[string]struct{}{})
			} else {
				stack = append(stack, nil)
			}
		}
	}
	if _, err := dec.Token(); err != io.EOF {
		return errTrailingData
	}
	return nil
}

// foldName maps every rune to the smallest member of its Unicode case-folding
// orbit, so names equal under strings.EqualFold fold to the same key.
func foldName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		low := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			low = min(low, f)
		}
		b.WriteRune(low)
	}
	return b.String()
}

// errBadBase64 covers every way a segment can fail to be unpadded base64url.
var errBadBase64 = errors.New("segment is not unpadded base64url")

// decodeSegment is stricter than encoding/base64, which skips '\r' and '\n'
// and, without Strict, ignores non-zero trailing bits: either would let two
// different strings carry the same token.
func decodeSegment(seg string) ([]byte, error) {
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' && c != '_' {
			return nil, errBadBase64
		}
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(seg)
	if err != nil {
		return nil, errBadBase64
	}
	return b, nil
}
