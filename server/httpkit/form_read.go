package httpkit

import (
	"net/http"
	"net/url"
)

// ReadForm reads a back-office form body (URL-encoded or multipart) within
// the default form limits and returns its fields; files are counted against
// the limits but not returned. Status codes are readForm's: 415, 413, 400.
func ReadForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	f, err := readForm(w, r, defaultFormLimits())
	if err != nil {
		return nil, err
	}
	return f.Values, nil
}

// Upload is a file posted in a form, held in memory: it is within the
// form limits (one file, at most MaxBody bytes with the rest of the form).
type Upload struct {
	Filename, ContentType string
	Data                  []byte
}

// ReadFormFiles is ReadForm that also returns the files, by field name.
func ReadFormFiles(w http.ResponseWriter, r *http.Request) (url.Values, map[string]Upload, error) {
	f, err := readForm(w, r, defaultFormLimits())
	if err != nil {
		return nil, nil, err
	}
	files := map[string]Upload{}
	for name, fs := range f.Files {
		if len(fs) > 0 {
			files[name] = Upload{Filename: fs[0].Filename, ContentType: fs[0].ContentType, Data: fs[0].Data}
		}
	}
	return f.Values, files, nil
}
