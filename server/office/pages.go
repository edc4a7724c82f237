package office

import "net/http"

// pageRoutes are the pages behind sign-in: the register list, a
// processing, its history and previews.
func (o *Office) pageRoutes() []Route { return nil }

// home is the page after sign-in: the register list.
func (o *Office) home(w http.ResponseWriter, r *http.Request) error {
	v := o.newView(r)
	v.Title = v.T("nav.register")
	return o.render(w, http.StatusOK, "home", v)
}

// pageLabels are the words of the pages behind sign-in.
func pageLabels() map[string]text { return map[string]text{} }
