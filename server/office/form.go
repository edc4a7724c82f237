package office

// formRoutes are the pages that write a draft: new, the task list of
// sections, each section's form, check your answers (issue 16).
func (o *Office) formRoutes() []Route { return nil }

// formLabels are the words of the forms.
func formLabels() map[string]text { return map[string]text{} }
