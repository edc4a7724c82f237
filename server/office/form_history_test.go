package office

import "testing"

// TestGroupSavesFoldsRunsBySamePerson: consecutive saves by one person
// become one step naming how many and from which version; a save by
// someone else, or another step, breaks the run.
func TestGroupSavesFoldsRunsBySamePerson(t *testing.T) {
	up := func(who string, v int) stepItem {
		return stepItem{Action: "update", Actor: who, Role: "editor", Version: v, ReadURL: "/v" + string(rune('0'+v))}
	}
	cases := []struct {
		name  string
		in    []stepItem
		saves []int // Saves of each step out
		first []int
	}{
		{"one save stays as it is", []stepItem{up("eric", 2)}, []int{0}, []int{0}},
		{"three saves by one person", []stepItem{up("eric", 4), up("eric", 3), up("eric", 2)}, []int{3}, []int{2}},
		{"another person breaks the run", []stepItem{up("eric", 4), up("dora", 3), up("eric", 2)}, []int{0, 0, 0}, []int{0, 0, 0}},
		{"a step breaks the run", []stepItem{up("eric", 5), up("eric", 4), {Action: "submit", Actor: "eric", Version: 3}, up("eric", 3), up("eric", 2)}, []int{2, 0, 2}, []int{4, 0, 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := groupSaves(c.in)
			if len(got) != len(c.saves) {
				t.Fatalf("%d steps, want %d", len(got), len(c.saves))
			}
			for i, s := range got {
				if s.Saves != c.saves[i] || s.FirstVersion != c.first[i] {
					t.Errorf("step %d: %d saves from version %d, want %d from %d", i, s.Saves, s.FirstVersion, c.saves[i], c.first[i])
				}
			}
		})
	}
}
