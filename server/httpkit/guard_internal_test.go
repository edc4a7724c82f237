package httpkit

import "testing"

func TestHostPolicyAcceptsOnlyListenAndLoopback(t *testing.T) {
	cases := []struct {
		name, publicURL, listen, host string
		want                          bool
	}{
		{"ListenAddress", "", "192.0.2.10:8080", "192.0.2.10:8080", true},
		{"Localhost", "", "192.0.2.10:8080", "localhost:8080", true},
		{"LocalhostUpperCase", "", "192.0.2.10:8080", "LocalHost:8080", true},
		{"SubdomainOfLocalhost", "", "192.0.2.10:8080", "app.localhost:8080", false},
		{"Loopback127001", "", "192.0.2.10:8080", "127.0.0.1:8080", true},
		{"OtherLoopbackAddress", "", "192.0.2.10:8080", "127.0.0.5:8080", false},
		{"LoopbackV6", "", "[::1]:8080", "[::1]:8080", true},
		{"LocalhostOtherPort", "", "192.0.2.10:8080", "localhost:8081", false},
		{"LocalhostNoPort", "", "192.0.2.10:8080", "localhost", false},
		{"LocalhostNoPortOn80", "", "192.0.2.10:80", "localhost", true},
		{"ListenHostNoPortOn80", "", "192.0.2.10:80", "192.0.2.10", true},
		{"ForeignName", "", "192.0.2.10:8080", "evil.example", false},
		{"ForeignNameListenPort", "", "192.0.2.10:8080", "evil.example:8080", false},
		{"LocalhostLookalike", "", "192.0.2.10:8080", "localhost.evil.example:8080", false},
		{"OtherAddressUnspecifiedListen", "", "0.0.0.0:8080", "192.0.2.10:8080", false},
		{"UnspecifiedListenStillLocalhost", "", "[::]:8080", "localhost:8080", true},
		{"Empty", "", "192.0.2.10:8080", "", false},
		{"NoListenAddressLoopbackAnyPort", "", "", "127.0.0.1:5555", true},
		{"NoListenAddressForeign", "", "", "evil.example", false},
		{"PublicURLAnyHost", "https://registre.example.ch", "192.0.2.10:8080", "evil.example", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := NewHostPolicy(c.publicURL, c.listen).Allows(c.host); got != c.want {
				t.Errorf("allows(%q) with listen %q: got %v, want %v", c.host, c.listen, got, c.want)
			}
		})
	}
}
