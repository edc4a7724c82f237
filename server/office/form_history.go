package office

// groupSaves folds consecutive saves by the same person into one step of
// the timeline (issue 16: a record written section by section is a run of
// saves, which the timeline names once, "changed, 5 saves, versions 2 to
// 6"); steps are newest first, so the run's first step is its last save.
// The versions list keeps every version: each stays readable and comparable.
func groupSaves(steps []stepItem) []stepItem {
	out := make([]stepItem, 0, len(steps))
	for _, s := range steps {
		if n := len(out); n > 0 && s.Action == "update" && out[n-1].Action == "update" && out[n-1].Actor == s.Actor && out[n-1].Role == s.Role {
			last := &out[n-1]
			if last.Saves == 0 {
				last.Saves = 1
			}
			last.Saves++
			last.FirstVersion, last.FirstURL = s.Version, s.ReadURL
			continue
		}
		out = append(out, s)
	}
	return out
}
