package dpop

import "testing"

// The nonce rule without node (TestDPoPNonceParity in generator/postman runs the same rule
// through the collection script): the token endpoint's nonce for its own URL only, an API's
// by origin (case, userinfo, query and an empty port do not matter; a named port does), and
// nothing from a dpopApiNonces that is not an object of strings.
func TestNoncesFor(t *testing.T) {
	api := `{"https://api.example.com":"n-api","https://idp.example.com":"n-idp","https://api.example.com:8443":"n-8443","http://[::1]:8080":"n-v6","https://c.example":5}`
	n := Nonces{TokenURL: "https://idp.example.com/token?x=1", Token: "n-token", API: api}
	for _, tc := range []struct{ url, want string }{
		{"https://idp.example.com/token", "n-token"},
		{"https://idp.example.com/token#frag", "n-token"},
		{"https://idp.example.com/userinfo", "n-idp"},
		{"https://IDP.example.com/token", "n-idp"},
		{"https://API.EXAMPLE.com/orders", "n-api"},
		{"HTTPS://api.example.com/orders", "n-api"},
		{"https://u:p@api.example.com/orders?q=1", "n-api"},
		{"https://api.example.com:/orders", "n-api"},
		{"https://api.example.com:8443/orders", "n-8443"},
		{"https://api.example.com:443/orders", ""},
		{"http://[::1]:8080/x", "n-v6"},
		{"https://c.example/x", ""},
		{"https://other.example/x", ""},
		{"ftp://api.example.com/x", ""},
		{"/orders", ""},
	} {
		if got := n.For(tc.url); got != tc.want {
			t.Errorf("For(%q) = %q, want %q", tc.url, got, tc.want)
		}
	}
	for _, bad := range []string{"", "{", "null", `["n-api"]`, `"n-api"`, "5"} {
		if got := (Nonces{API: bad}).For("https://api.example.com/x"); got != "" {
			t.Errorf("dpopApiNonces %q: For = %q, want none", bad, got)
		}
	}
}

func TestOrigin(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"https://API.Example.com/x?y#z", "https://api.example.com"},
		{"https://user:pw@api.example.com:8443", "https://api.example.com:8443"},
		{"http://[FE80::1]:80/x", "http://[fe80::1]:80"},
		{"https://api.example.com:", "https://api.example.com"},
		{"mailto:a@example.com", ""},
		{"api.example.com/x", ""},
	} {
		if got := Origin(tc.url); got != tc.want {
			t.Errorf("Origin(%q) = %q, want %q", tc.url, got, tc.want)
		}
	}
}
