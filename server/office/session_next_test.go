package office

import "testing"

func TestSafeNextKeepsOnlyBackOfficePaths(t *testing.T) {
	cases := []struct{ in, want string }{
		{"/office/", "/office/"},
		{"/office/account", "/office/account"},
		{"/office/processings/p-1?tab=history", "/office/processings/p-1?tab=history"},
		{"/office/?q=a+b&view=mine", "/office/?q=a+b&view=mine"},
		{"", "/office/"},
		{"/", "/office/"},
		{"/office", "/office/"},
		{"/api/v1/users", "/office/"},
		{"//evil.example", "/office/"},
		{"//evil.example/office/", "/office/"},
		{"/\\evil.example", "/office/"},
		{"\\\\evil.example", "/office/"},
		{"/office/\\evil", "/office/"},
		{"https://evil.example/office/", "/office/"},
		{"HTTPS://evil.example", "/office/"},
		{"javascript:alert(1)", "/office/"},
		{"%2F%2Fevil.example", "/office/"},
		{"/%2F%2Fevil.example", "/office/"},
		{"/office/%2F%2Fevil.example", "/office/"},
		{"/office//evil.example", "/office/"},
		{"/office/../api/v1/users", "/office/"},
		{"/office/%2e%2e/api", "/office/"},
		{"/office/./account", "/office/"},
		{"/\tevil.example", "/office/"},
		{"/office/\nLocation:x", "/office/"},
		{"/office/\x00", "/office/"},
		{"/office/@evil.example", "/office/@evil.example"}, // a path, not a host
	}
	for _, c := range cases {
		if got := safeNext(c.in); got != c.want {
			t.Errorf("safeNext(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
