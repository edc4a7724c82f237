package httpkit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/registre/registre/register"
)

// MaxBody is the largest request body any route accepts (API.md: 1 MiB);
// routes that need less say so with their own jsonLimits.
const MaxBody = 1 << 20

// JSONLimits bound the work one JSON body can cause before and while it is
// decoded. Size alone is not enough: encoding/json and the name check below
// spend memory per nesting level and per value, so a body of a few hundred
// kilobytes of "[[[[" or of tiny members would otherwise cost far more than
// its size.
type JSONLimits struct {
	MaxBytes  int64 // the body, in bytes (413 beyond)
	MaxDepth  int   // arrays and objects open at once (at most maxDepthLimit)
	MaxValues int   // array elements and object members in the whole body
	MaxName   int   // bytes of one member name, as sent (escapes included)
}

// maxDepthLimit is the deepest nesting the scanner can track (one bit per
// level); no record of ours is more than a few levels deep.
const maxDepthLimit = 64

// DefaultJSONLimits hold for every JSON route that asks for nothing else.
// A complete processing nests 3 levels and has a few hundred values.
func DefaultJSONLimits() JSONLimits {
	return JSONLimits{MaxBytes: MaxBody, MaxDepth: 16, MaxValues: 20_000, MaxName: 128}
}

// Decode reads a JSON request body into v strictly, within
// DefaultJSONLimits; see decodeWith.
func Decode(w http.ResponseWriter, r *http.Request, v any) error {
	return DecodeWith(w, r, v, DefaultJSONLimits())
}

// DecodeWith reads a JSON request body into v strictly: the body must be
// application/json (415 before anything is read), at most lim.MaxBytes (413,
// before anything is read when Content-Length says so), and within lim's
// depth, value and name bounds (400); member names must match exactly (no
// case-variant or unknown names), appear once per object, and nothing may
// follow the value. encoding/json alone accepts all of these.
func DecodeWith(w http.ResponseWriter, r *http.Request, v any, lim JSONLimits) error {
	if !IsJSON(r) {
		LeaveBodyUnread(w)
		return NewProblem(http.StatusUnsupportedMediaType, "the request body must be application/json (UTF-8)")
	}
	body, err := ReadBody(w, r, lim.MaxBytes)
	if err != nil {
		return err
	}
	return DecodeBytesWith(body, v, lim)
}

// IsJSON tells whether r says its body is UTF-8 JSON.
func IsJSON(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	return ct != "" && err == nil && mt == "application/json" && (params["charset"] == "" || strings.EqualFold(params["charset"], "utf-8"))
}

// decodeBytes is decode without the HTTP framing.
func decodeBytes(body []byte, v any) error {
	return DecodeBytesWith(body, v, DefaultJSONLimits())
}

func DecodeBytesWith(body []byte, v any, lim JSONLimits) error {
	if int64(len(body)) > lim.MaxBytes {
		return tooLarge(lim.MaxBytes)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return BadRequest("the request body is empty; send a JSON object")
	}
	// The shape is checked first, in one pass that allocates nothing, so
	// that nothing below ever sees a deep or crowded document.
	if err := scanShape(body, lim); err != nil {
		return err
	}
	if !json.Valid(body) {
		return BadRequest(syntaxDetail(body))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var path jsonPath
	if err := checkNames(dec, reflect.TypeOf(v), &path); err != nil {
		return err
	}
	dec = json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := jsonPathOf(te.Field, reflect.TypeOf(v))
			return BadRequest("a field has the wrong type", register.FieldError{
				Field: field, Message: "must be " + jsonKind(te.Type)})
		}
		return BadRequest("the JSON could not be decoded: " + strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

// scanShape walks body once, outside strings, and refuses it when it nests
// deeper than lim.MaxDepth, holds more than lim.MaxValues elements and
// members, or has a member name longer than lim.MaxName. It does not check
// the syntax (json.Valid does, afterwards); it only guarantees that what
// follows works on a bounded shape.
func scanShape(body []byte, lim JSONLimits) error {
	maxDepth := min(lim.MaxDepth, maxDepthLimit)
	var (
		depth    int
		objects  uint64 // bit i set: level i+1 is an object
		values   int
		inString bool
		escaped  bool
		isName   bool // the string being read is a member name
		start    int  // where that string began
		wantName bool // the next string in this object is a member name
	)
	for i, c := range body {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
				if isName && i-start-1 > lim.MaxName {
					return BadRequest(fmt.Sprintf("a member name is longer than %d bytes", lim.MaxName))
				}
			}
			continue
		}
		switch c {
		case '"':
			inString, isName, start = true, wantName, i
			wantName = false
		case '{', '[':
			if depth >= maxDepth {
				return BadRequest(fmt.Sprintf("the JSON nests more than %d level(s) deep", maxDepth))
			}
			if c == '{' {
				objects |= 1 << depth
			} else {
				objects &^= 1 << depth
			}
			depth++
			wantName = c == '{'
			values++
		case '}', ']':
			if depth > 0 {
				depth--
			}
			wantName = false
		case ',':
			values++
			wantName = depth > 0 && objects&(1<<(depth-1)) != 0
		}
		if values > lim.MaxValues {
			return BadRequest(fmt.Sprintf("the JSON holds more than %d values", lim.MaxValues))
		}
	}
	return nil
}

// ReadBody reads r's body, at most limit bytes, counting it against the
// bytes all requests may hold together (bodyBudget). A Content-Length over
// limit is refused before a byte is read.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		LeaveBodyUnread(w)
		return nil, tooLarge(limit)
	}
	want := limit
	if r.ContentLength >= 0 {
		want = r.ContentLength
	}
	if h := holdFrom(r.Context()); h != nil {
		if err := h.take(want); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength) + 1)
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			return nil, tooLarge(limit)
		}
		return nil, BadRequest("the request body could not be read")
	}
	return buf.Bytes(), nil
}

// LeaveBodyUnread makes the connection close after the answer. Otherwise
// net/http reads up to 256 KiB of an unread body before it answers, to keep
// the connection; a body that is refused unread must cost no reading, and a
// client that sends it slowly must not hold the answer back.
func LeaveBodyUnread(w http.ResponseWriter) {
	w.Header().Set("Connection", "close")
}

func tooLarge(limit int64) *Problem {
	return NewProblem(http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body must be at most %d bytes here", limit))
}

// jsonPathOf drops from encoding/json's Go-side path the names of embedded
// structs, which have no place in the JSON ("Fields.title" is "title").
func jsonPathOf(goPath string, t reflect.Type) string {
	embedded := map[string]bool{}
	var walk func(reflect.Type, int)
	walk = func(t reflect.Type, depth int) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || depth > 8 {
			return
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Anonymous && f.Tag.Get("json") == "" {
				embedded[f.Name] = true
			}
			walk(f.Type, depth+1)
		}
	}
	walk(t, 0)
	parts := strings.Split(goPath, ".")
	out := parts[:0]
	for _, p := range parts {
		if !embedded[p] {
			out = append(out, p)
		}
	}
	return strings.Join(out, ".")
}

func syntaxDetail(body []byte) string {
	var x any
	err := json.Unmarshal(body, &x)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("malformed JSON at byte %d (or data after the JSON value)", se.Offset)
	}
	return "malformed JSON"
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "of another type"
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// jsonPath is where checkNames is in the document: one step per open
// array or object. The path is written out only for the error reported, so
// walking costs O(depth), not a string per level.
type jsonPath []pathStep

type pathStep struct {
	name  string
	index int // -1: an object member (name)
}

func (p jsonPath) String() string {
	var b strings.Builder
	for _, s := range p {
		if s.index >= 0 {
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.name)
	}
	return b.String()
}

// checkNames walks the next JSON value from dec along type t and refuses
// duplicate member names and names that are not exactly a field's JSON name.
// t nil means any value (names still checked for duplicates). The caller has
// bounded depth and width (scanShape).
func checkNames(dec *json.Decoder, t reflect.Type, path *jsonPath) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && (reflect.PointerTo(t).Implements(unmarshalerType) || t.Kind() == reflect.Interface) {
		t = nil
	}
	tok, err := dec.Token()
	if err != nil {
		return BadRequest("malformed JSON")
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	switch delim {
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		*path = append(*path, pathStep{})
		for i := 0; dec.More(); i++ {
			(*path)[len(*path)-1] = pathStep{index: i}
			if err := checkNames(dec, elem, path); err != nil {
				return err
			}
		}
		*path = (*path)[:len(*path)-1]
		_, err = dec.Token()
	case '{':
		var fields map[string]reflect.Type
		var elem reflect.Type
		if t != nil {
			switch t.Kind() {
			case reflect.Struct:
				fields = jsonFields(t)
			case reflect.Map:
				elem = t.Elem()
			}
		}
		seen := map[string]bool{}
		*path = append(*path, pathStep{})
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return BadRequest("malformed JSON")
			}
			name, _ := k.(string)
			(*path)[len(*path)-1] = pathStep{name: name, index: -1}
			if seen[name] {
				return BadRequest("a member name appears twice in one object", register.FieldError{Field: path.String(), Message: "is duplicated"})
			}
			seen[name] = true
			next := elem
			if fields != nil {
				ft, ok := fields[name]
				if !ok {
					return BadRequest("unknown field (names are matched exactly, case included)", register.FieldError{Field: path.String(), Message: "is not a known field"})
				}
				next = ft
			}
			if err := checkNames(dec, next, path); err != nil {
				return err
			}
		}
		*path = (*path)[:len(*path)-1]
		_, err = dec.Token()
	}
	if err != nil {
		return BadRequest("malformed JSON")
	}
	return nil
}

// jsonFields maps the JSON names of a struct's fields, embedded structs
// flattened as encoding/json does, to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" && !strings.HasPrefix(tag, "-,") {
			continue
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					if _, ok := out[k]; !ok {
						out[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	return WriteRaw(w, status, "application/json", append(b, '\n'))
}

func WriteRaw(w http.ResponseWriter, status int, contentType string, b []byte) error {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, err := w.Write(b)
	return err
}
