package publicsite

import "testing"

// TestContactLinksOnlyPlainAddresses: a page makes a mailto link only of a
// contact that is a plain address, even for contacts stored before such
// contacts were refused.
func TestContactLinksOnlyPlainAddresses(t *testing.T) {
	v := &view{Lang: "fr"}
	for contact, link := range map[string]string{
		"dpo@ville-ge.ch":                              "dpo@ville-ge.ch",
		"  dpo@ville-ge.ch\n":                          "dpo@ville-ge.ch",
		"ctl@x.example?cc=someone%40elsewhere&body=hi": "",
		"ctl@x.example&bcc=x@y.example":                "",
		"mailto:dpo@ville-ge.ch":                       "",
		"Service juridique <juridique@ville-ge.ch>":    "",
		"+41 22 418 00 00":                             "",
		"dpo@ville-ge.ch\u202e":                        "",
	} {
		if got := v.Contact(contact).Mail; got != link {
			t.Errorf("Contact(%q).Mail = %q, want %q", contact, got, link)
		}
	}
}
