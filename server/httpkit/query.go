package httpkit

import (
	"net/url"
	"strconv"

	"github.com/registre/registre/register"
)

// List is the shape of every paged list.
type List[T any] struct {
	Items   []T `json:"items"`
	Total   int `json:"total"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
	// TotalIsCapped says that Total stopped counting at the search cap.
	TotalIsCapped bool `json:"total_is_capped,omitempty"`
	// Cursor fetches the next page (?cursor=); absent on the last page.
	Cursor string `json:"cursor,omitempty"`
}

// QueryInt reads an optional whole-number query parameter.
func QueryInt(q url.Values, name string) (int, error) {
	v := q.Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, BadRequest("a query parameter has the wrong type", register.FieldError{Field: name, Message: "must be a whole number"})
	}
	if n < 1 {
		return 0, &register.Error{Code: register.EInvalid, Message: "the request is not valid",
			Fields: []register.FieldError{{Field: name, Message: "must be at least 1"}}}
	}
	return n, nil
}

// Paging reads the page and per_page query parameters.
func Paging(q url.Values) (page, perPage int, err error) {
	if page, err = QueryInt(q, "page"); err != nil {
		return
	}
	perPage, err = QueryInt(q, "per_page")
	return
}
