package httpkit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
)

// formLimits bound one form body, as jsonLimits bound a JSON one. The
// back-office posts its forms through readForm; nothing else in the server
// parses a form body (no r.ParseForm, r.FormValue or r.MultipartReader), so
// no route can be made to parse an unbounded one.
//
// What the standard library bounds by itself, and why it is not enough:
// url.ParseQuery refuses more than 10,000 fields (GODEBUG urlmaxqueryparams)
// but not their length; multipart.Reader.NextPart allows 10,000 headers per
// part (multipartmaxheaders) and 10 MB of header bytes, and counts parts
// only in ReadForm (1,000, multipartmaxparts), which also keeps up to
// 10 MB + maxMemory in memory and writes larger files to temporary files.
// readForm counts parts and fields itself, reads each part under its own
// cap, never writes to disk, and keeps the whole body under MaxBytes.
type formLimits struct {
	MaxBytes     int64 // the whole body (413 beyond)
	MaxFields    int   // fields and files, together
	MaxName      int   // bytes of one field name
	MaxValue     int   // bytes of one field value
	MaxFiles     int   // file parts (0: none accepted)
	MaxFileBytes int64 // bytes of one file
}

// defaultFormLimits fit the back-office's forms: a processing has a few
// hundred fields; a file is a spreadsheet under the API's 1 MiB.
func defaultFormLimits() formLimits {
	return formLimits{MaxBytes: MaxBody, MaxFields: 1000, MaxName: 128, MaxValue: 64 << 10, MaxFiles: 1, MaxFileBytes: MaxBody}
}

// form is a parsed form body.
type form struct {
	Values url.Values
	Files  map[string][]formFile
}

// formFile is one uploaded file, held in memory (it is under MaxFileBytes).
type formFile struct {
	Filename    string
	ContentType string
	Data        []byte
}

// readForm reads an application/x-www-form-urlencoded or
// multipart/form-data body within lim: 415 for another type, 413 beyond
// lim.MaxBytes (before anything is read when Content-Length says so), 400
// beyond the other bounds. The body counts against the body budget like a
// JSON one.
func readForm(w http.ResponseWriter, r *http.Request, lim formLimits) (*form, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/x-www-form-urlencoded" && mt != "multipart/form-data") {
		LeaveBodyUnread(w)
		return nil, NewProblem(http.StatusUnsupportedMediaType, "the request body must be a form (application/x-www-form-urlencoded or multipart/form-data)")
	}
	if cs := params["charset"]; cs != "" && !strings.EqualFold(cs, "utf-8") {
		LeaveBodyUnread(w)
		return nil, NewProblem(http.StatusUnsupportedMediaType, "the form must be UTF-8")
	}
	if mt == "application/x-www-form-urlencoded" {
		body, err := ReadBody(w, r, lim.MaxBytes)
		if err != nil {
			return nil, err
		}
		return parseURLEncoded(body, lim)
	}
	boundary := params["boundary"]
	if boundary == "" {
		return nil, BadRequest("a multipart form needs a boundary")
	}
	if r.ContentLength > lim.MaxBytes {
		LeaveBodyUnread(w)
		return nil, tooLarge(lim.MaxBytes)
	}
	want := lim.MaxBytes
	if r.ContentLength >= 0 {
		want = r.ContentLength
	}
	if h := holdFrom(r.Context()); h != nil {
		if err := h.take(want); err != nil {
			return nil, err
		}
	}
	f, err := parseMultipart(http.MaxBytesReader(w, r.Body, lim.MaxBytes), boundary, lim)
	if err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			return nil, tooLarge(lim.MaxBytes)
		}
		return nil, err
	}
	return f, nil
}

func parseURLEncoded(body []byte, lim formLimits) (*form, error) {
	// Counted before parsing, so that url.ParseQuery never builds more.
	if n := bytes.Count(body, []byte("&")) + 1; n > lim.MaxFields {
		return nil, BadRequest(fmt.Sprintf("the form has more than %d fields", lim.MaxFields))
	}
	for _, kv := range bytes.Split(body, []byte("&")) {
		k, v, _ := bytes.Cut(kv, []byte("="))
		if len(k) > 3*lim.MaxName || len(v) > 3*lim.MaxValue {
			// Escaped, a byte takes at most three; the exact test follows.
			return nil, BadRequest("a form field is too long")
		}
	}
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, BadRequest("the form is not well formed")
	}
	for k, vs := range vals {
		if err := checkFormField(k, lim); err != nil {
			return nil, err
		}
		for _, v := range vs {
			if len(v) > lim.MaxValue {
				return nil, BadRequest(fmt.Sprintf("a form value is longer than %d bytes", lim.MaxValue))
			}
		}
	}
	return &form{Values: vals, Files: map[string][]formFile{}}, nil
}

func checkFormField(name string, lim formLimits) error {
	if name == "" {
		return BadRequest("a form field has no name")
	}
	if len(name) > lim.MaxName {
		return BadRequest(fmt.Sprintf("a form field name is longer than %d bytes", lim.MaxName))
	}
	return nil
}

func parseMultipart(body io.Reader, boundary string, lim formLimits) (*form, error) {
	mr := multipart.NewReader(body, boundary)
	f := &form{Values: url.Values{}, Files: map[string][]formFile{}}
	fields, files := 0, 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return f, nil
		}
		if err != nil {
			var big *http.MaxBytesError
			if errors.As(err, &big) {
				return nil, err
			}
			return nil, BadRequest("the multipart form is not well formed")
		}
		if fields++; fields > lim.MaxFields {
			return nil, BadRequest(fmt.Sprintf("the form has more than %d fields", lim.MaxFields))
		}
		name := part.FormName()
		if err := checkFormField(name, lim); err != nil {
			return nil, err
		}
		limit := int64(lim.MaxValue)
		isFile := part.FileName() != ""
		if isFile {
			if files++; files > lim.MaxFiles {
				return nil, BadRequest(fmt.Sprintf("the form has more than %d files", lim.MaxFiles))
			}
			limit = lim.MaxFileBytes
		}
		data, err := io.ReadAll(io.LimitReader(part, limit+1))
		if err != nil {
			var big *http.MaxBytesError
			if errors.As(err, &big) {
				return nil, err
			}
			return nil, BadRequest("the multipart form is not well formed")
		}
		if int64(len(data)) > limit {
			if isFile {
				return nil, NewProblem(http.StatusRequestEntityTooLarge, fmt.Sprintf("a file must be at most %d bytes here", limit))
			}
			return nil, BadRequest(fmt.Sprintf("a form value is longer than %d bytes", limit))
		}
		if isFile {
			f.Files[name] = append(f.Files[name], formFile{Filename: part.FileName(), ContentType: part.Header.Get("Content-Type"), Data: data})
			continue
		}
		f.Values[name] = append(f.Values[name], string(data))
	}
}
