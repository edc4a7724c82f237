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
