package register

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Contacts (an organisation's dpo_contact and lipad_contact, a controller's
// and joint controllers' contact) are free text: an e-mail address, a phone
// number, a postal address. Pages make a mailto link of a contact that is
// an e-mail address and nothing else, so an address must be only that: a
// mailto URL takes parameters (?cc=, &bcc=, &body=) that would make a
// citizen's mail about their rights copy a third party without their
// noticing.

// MailAddress reports whether s is a plain e-mail address: local@domain,
// the local part of letters, digits and . _ + - ', the domain of labels of
// letters, digits and hyphens. It is narrower than RFC 5322's addr-spec on
// purpose: '?', '&', '%', '=' and '/' are legal there and are exactly what
// turns a mailto link into something else.
func MailAddress(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || utf8.RuneCountInString(local) > 64 || len(s) > 254 {
		return false
	}
	if strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return false
	}
	for _, r := range local {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("._+-'", r) {
			return false
		}
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || utf8.RuneCountInString(l) > 63 || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
			return false
		}
		for _, r := range l {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' {
				return false
			}
		}
	}
	return true
}

// contactTrim is the punctuation that may surround an address in running
// text ("DPO <dpo@ge.ch>", "(dpo@ge.ch),").
const contactTrim = "<>()[]{}\"'.,;:"

// contactWord classifies one whitespace-separated word of a contact.
func contactWord(w string) (core string, bad bool) {
	core = strings.Trim(w, contactTrim)
	if len(core) >= 7 && strings.EqualFold(core[:7], "mailto:") {
		return core, true
	}
	at := strings.IndexByte(core, '@')
	if at <= 0 || at == len(core)-1 {
		return core, false // no address here ("@handle", "a @ b")
	}
	return core, !MailAddress(core)
}

// contactProblem explains what is wrong with a contact, or returns "".
func contactProblem(s string) string {
	for _, w := range strings.Fields(s) {
		core, bad := contactWord(w)
		switch {
		case !bad:
		case len(core) >= 7 && strings.EqualFold(core[:7], "mailto:"):
			return "must not hold a mailto: link; write the e-mail address alone, such as dpo@example.ch"
		default:
			return "an e-mail address in a contact must be plain, such as dpo@example.ch, without parameters (?cc=, &body=, ...)"
		}
	}
	return ""
}

// CleanContact repairs a stored contact that contactProblem would refuse: a
// leading "mailto:" is dropped, and so is everything from the '?' that
// starts a mailto query. Words it cannot repair are left as they are: pages
// link only a contact that is a MailAddress, so they never become links.
func CleanContact(s string) string {
	if contactProblem(s) == "" {
		return s
	}
	var b strings.Builder
	rest := s
	for rest != "" {
		i := strings.IndexFunc(rest, func(r rune) bool { return !unicode.IsSpace(r) })
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		rest = rest[i:]
		j := strings.IndexFunc(rest, unicode.IsSpace)
		if j < 0 {
			j = len(rest)
		}
		b.WriteString(cleanContactWord(rest[:j]))
		rest = rest[j:]
	}
	return b.String()
}

func cleanContactWord(w string) string {
	core, bad := contactWord(w)
	if !bad {
		return w
	}
	fixed := core
	if len(fixed) >= 7 && strings.EqualFold(fixed[:7], "mailto:") {
		fixed = fixed[7:]
	}
	if q := strings.IndexByte(fixed, '?'); q >= 0 {
		fixed = fixed[:q]
	}
	if !MailAddress(fixed) {
		return w
	}
	// Keep the punctuation around the word: "<mailto:a@b.ch?cc=x>" becomes
	// "<a@b.ch>".
	start := strings.Index(w, core)
	return w[:start] + fixed + w[start+len(core):]
}
