package register

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
)

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$`)

// ValidSlug reports whether s is a slug: lowercase letters, digits and '-',
// 2 to 40 characters, not starting or ending with '-'.
func ValidSlug(s string) bool { return slugRE.MatchString(s) }

// Validator checks domain values. It wraps one validator.Validate, which
// caches struct metadata, so build it once and share it.
type Validator struct {
	v *validator.Validate
}

// NewValidator builds the validator with the domain's rules.
func NewValidator() *Validator {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		if name == "" {
			return f.Name
		}
		return name
	})
	must := func(err error) {
		if err != nil {
			panic(err) // only on a programming error in the rule table below
		}
	}
	must(v.RegisterValidation("enum", func(fl validator.FieldLevel) bool {
		e, ok := fl.Field().Interface().(Enum)
		return ok && e.Valid()
	}))
	must(v.RegisterValidation("slug", func(fl validator.FieldLevel) bool {
		return ValidSlug(fl.Field().String())
	}))
	must(v.RegisterValidation("duration", func(fl validator.FieldLevel) bool {
		return checkRetention(fl.Field().String()) == nil
	}))
	must(v.RegisterValidation("date", func(fl validator.FieldLevel) bool {
		return validDate(fl.Field().String())
	}))
	must(v.RegisterValidation("httpurl", func(fl validator.FieldLevel) bool {
		return validHTTPURL(fl.Field().String())
	}))
	must(v.RegisterValidation("contact", func(fl validator.FieldLevel) bool {
		return contactProblem(fl.Field().String()) == ""
	}))
	v.RegisterAlias("country", "iso3166_1_alpha2")
	return &Validator{v: v}
}

func validDate(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func validHTTPURL(s string) bool {
	if strings.ContainsAny(s, " \t\n\r") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil {
		return false
	}
	return u.Scheme == "http" || u.Scheme == "https"
}

// Struct validates v (a pointer to a struct) and returns an EInvalid *Error
// naming every bad field by its JSON path, or nil.
func (vd *Validator) Struct(v any) error {
	fields := controlChars(reflect.ValueOf(v), "")
	err := vd.v.Struct(v)
	var verrs validator.ValidationErrors
	if err != nil && !errors.As(err, &verrs) {
		return fmt.Errorf("validate: %w", err)
	}
	for _, fe := range verrs {
		fields = append(fields, FieldError{Field: jsonPath(fe.Namespace()), Message: message(fe)})
	}
	if len(fields) == 0 {
		return nil
	}
	return invalid(fields...)
}

// jsonPath drops the root struct name and the names of embedded structs,
// which have no JSON name: "Processing.Fields.retention.period" becomes
// "retention.period".
func jsonPath(ns string) string {
	parts := strings.Split(ns, ".")[1:]
	out := parts[:0]
	for _, p := range parts {
		if p == "Fields" {
			continue
		}
		out = append(out, p)
	}
	return strings.Join(out, ".")
}

func message(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "min":
		if fe.Kind() == reflect.String {
			return "must be at least " + fe.Param() + " characters long"
		}
		return "must have at least " + fe.Param() + " items"
	case "max":
		if fe.Kind() == reflect.String {
			return "must be at most " + fe.Param() + " characters long"
		}
		return "must have at most " + fe.Param() + " items"
	case "enum":
		return "is not one of the allowed values"
	case "slug":
		return "must be 2 to 40 lowercase letters, digits or '-'"
	case "duration":
		if err := checkRetention(fe.Value().(string)); err != nil {
			return "must be an ISO 8601 duration from P1D to P150Y: " + err.Error()
		}
		return "must be an ISO 8601 duration from P1D to P150Y"
	case "date":
		return "must be a date that exists, written YYYY-MM-DD"
	case "httpurl", "url":
		return "must be an http or https URL"
	case "contact":
		return contactProblem(fe.Value().(string))
	case "iso3166_1_alpha2", "country":
		return "must be an ISO 3166-1 alpha-2 country code such as CH or FR"
	}
	return "is not valid (" + fe.Tag() + ")"
}

// controlChars walks every string reachable from v and reports those holding
// control characters other than newline and tab: they corrupt documents and
// logs, and no legitimate text needs them.
func controlChars(v reflect.Value, path string) []FieldError {
	var out []FieldError
	eachString(v, path, func(s reflect.Value, path string) {
		if bad := badText(s.String()); bad != "" {
			out = append(out, FieldError{Field: path, Message: bad})
		}
	})
	return out
}

// eachString calls fn with every string reachable from v and its JSON path
// ("legal_bases[1].reference"), in field order.
func eachString(v reflect.Value, path string, fn func(s reflect.Value, path string)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			eachString(v.Elem(), path, fn)
		}
	case reflect.String:
		fn(v, path)
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			eachString(v.Index(i), path+"["+strconv.Itoa(i)+"]", fn)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			p := path
			if !f.Anonymous {
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				if name == "-" {
					continue
				}
				if name == "" {
					name = f.Name
				}
				if p != "" {
					p += "."
				}
				p += name
			}
			eachString(v.Field(i), p, fn)
		}
	}
}

func badText(s string) string {
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	for _, r := range s {
		switch {
		case r != '\n' && r != '\t' && unicode.IsControl(r):
			return "must not contain control characters other than newline and tab"
		case IsBidiControl(r):
			return "must not contain bidirectional control characters (U+202A to U+202E, U+2066 to U+2069, U+200E, U+200F, U+061C)"
		case IsNonCharacter(r):
			return "must not contain Unicode non-characters (U+FDD0 to U+FDEF, U+xxFFFE, U+xxFFFF)"
		}
	}
	return ""
}

// IsBidiControl reports whether r is one of the invisible characters that
// reorder the text around them: embeddings and overrides (U+202A–U+202E),
// isolates (U+2066–U+2069) and the marks U+200E, U+200F and U+061C. In a
// record they make "\u202egnp.exe" read as "exe.png"; no register entry
// needs them, since the renderers order each line by its own letters.
func IsBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) ||
		r == 0x200E || r == 0x200F || r == 0x061C
}

// IsNonCharacter reports whether r is one of the 66 code points Unicode
// keeps for a program's internal use (U+FDD0–U+FDEF and the last two of
// every plane): they have no meaning in interchanged text.
func IsNonCharacter(r rune) bool {
	return (r >= 0xFDD0 && r <= 0xFDEF) || (r >= 0 && r <= unicode.MaxRune && r&0xFFFE == 0xFFFE)
}

// CleanText removes the characters badText refuses but that can be dropped
// without losing meaning: bidirectional controls and non-characters. It
// serves the cleaning of records stored before they were refused.
func CleanText(s string) string {
	if !strings.ContainsFunc(s, droppable) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if droppable(r) {
			return -1
		}
		return r
	}, s)
}

func droppable(r rune) bool { return IsBidiControl(r) || IsNonCharacter(r) }
