package main

import (
	"strings"
	"testing"
)

// serve refuses to start on bad reminder settings, saying which, and never
// quoting the SMTP password.
func TestServeRefusesBadReminderSettings(t *testing.T) {
	t.Parallel()
	const pw = "hunter2-smtp-password"
	for name, c := range map[string]struct {
		env  map[string]string
		want string
	}{
		"ErrNoPublicURL": {map[string]string{"REGISTRE_SMTP_URL": "smtp://u:" + pw + "@127.0.0.1:2525", "REGISTRE_MAIL_FROM": "registre@example.ch"}, "REGISTRE_PUBLIC_URL"},
		"ErrScheme":      {map[string]string{"REGISTRE_SMTP_URL": "http://u:" + pw + "@127.0.0.1:2525", "REGISTRE_MAIL_FROM": "registre@example.ch", "REGISTRE_PUBLIC_URL": "https://registre.example.ch"}, "smtp://"},
		"ErrNoFrom":      {map[string]string{"REGISTRE_SMTP_URL": "smtp://u:" + pw + "@127.0.0.1:2525", "REGISTRE_PUBLIC_URL": "https://registre.example.ch"}, "REGISTRE_MAIL_FROM"},
		"ErrInterval": {map[string]string{"REGISTRE_SMTP_URL": "smtp://u:" + pw + "@127.0.0.1:2525", "REGISTRE_MAIL_FROM": "registre@example.ch",
			"REGISTRE_PUBLIC_URL": "https://registre.example.ch", "REGISTRE_REMINDERS_INTERVAL": "1ms"}, "REGISTRE_REMINDERS_INTERVAL"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"REGISTRE_DB": "sqlite:" + t.TempDir() + "/r.db"}
			for k, v := range c.env {
				env[k] = v
			}
			_, stderr, err := cli(env, "", "serve", "--addr", "127.0.0.1:0")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error naming %s", err, c.want)
			}
			if strings.Contains(err.Error()+stderr, pw) {
				t.Errorf("the password was printed: %v\n%s", err, stderr)
			}
		})
	}
}
