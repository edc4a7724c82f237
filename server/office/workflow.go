package office

// workflowRoutes are the workflow's steps in the browser: submit, return,
// publish, archive, delete, each with its confirmation, and the DPO's
// review page (issue 16).
func (o *Office) workflowRoutes() []Route { return nil }

// workflowLabels are the words of the workflow's pages.
func workflowLabels() map[string]text { return map[string]text{} }
