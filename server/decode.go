package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/registre/registre/register"
)

// maxBody is the largest request body accepted.
const maxBody = 1 << 20

// decode reads a JSON request body into v strictly: the body must be
// application/json and at most 1 MiB; member names must match exactly (no
// case-variant or unknown names), appear once per object, and nothing may
// follow the value. encoding/json alone accepts all of these.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || mt != "application/json" || (params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) {
		return newProblem(http.StatusUnsupportedMediaType, "the request body must be application/json (UTF-8)")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return newProblem(http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body must be at most %d bytes", maxBody))
		}
		return errBadRequest("the request body could not be read")
	}
	return decodeBytes(body, v)
}

// decodeBytes is decode without the HTTP framing (the import uses it too).
func decodeBytes(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return errBadRequest("the request body is empty; send a JSON object")
	}
	if !json.Valid(body) {
		return errBadRequest(syntaxDetail(body))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := checkNames(dec, reflect.TypeOf(v), ""); err != nil {
		return err
	}
	dec = json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := jsonPathOf(te.Field, reflect.TypeOf(v))
			return errBadRequest("a field has the wrong type", register.FieldError{
				Field: field, Message: "must be " + jsonKind(te.Type)})
		}
		return errBadRequest("the JSON could not be decoded: " + strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
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

// checkNames walks the next JSON value from dec along type t and refuses
// duplicate member names and names that are not exactly a field's JSON name.
// t nil means any value (names still checked for duplicates).
func checkNames(dec *json.Decoder, t reflect.Type, path string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && (reflect.PointerTo(t).Implements(unmarshalerType) || t.Kind() == reflect.Interface) {
		t = nil
	}
	tok, err := dec.Token()
	if err != nil {
		return errBadRequest("malformed JSON")
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
		for i := 0; dec.More(); i++ {
			if err := checkNames(dec, elem, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
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
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return errBadRequest("malformed JSON")
			}
			name, _ := k.(string)
			p := name
			if path != "" {
				p = path + "." + name
			}
			if seen[name] {
				return errBadRequest("a member name appears twice in one object", register.FieldError{Field: p, Message: "is duplicated"})
			}
			seen[name] = true
			next := elem
			if fields != nil {
				ft, ok := fields[name]
				if !ok {
					return errBadRequest("unknown field (names are matched exactly, case included)", register.FieldError{Field: p, Message: "is not a known field"})
				}
				next = ft
			}
			if err := checkNames(dec, next, p); err != nil {
				return err
			}
		}
		_, err = dec.Token()
	}
	if err != nil {
		return errBadRequest("malformed JSON")
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

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	return writeRaw(w, status, "application/json", append(b, '\n'))
}

func writeRaw(w http.ResponseWriter, status int, contentType string, b []byte) error {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, err := w.Write(b)
	return err
}
