package discovery

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWellKnown(t *testing.T) {
	got := WellKnown("https://idp.example.com/realms/acme/")
	want := []string{
		"https://idp.example.com/realms/acme/.well-known/openid-configuration",
		"https://idp.example.com/.well-known/oauth-authorization-server/realms/acme",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v", got)
	}
}

func TestCheck(t *testing.T) {
	m := &Metadata{
		Issuer: "https://idp.example.com", TokenEndpoint: "https://idp.example.com/token",
		TokenEndpointAuthMethods:     []string{"client_secret_basic", "private_key_jwt"},
		TokenEndpointAuthSigningAlgs: []string{"RS256", "ES256"}, GrantTypes: []string{"client_credentials"},
	}
	ok := Expectation{Issuer: "https://idp.example.com/", TokenURL: "https://idp.example.com/token", AuthMethod: "private_key_jwt", Alg: "ES256", GrantType: "client_credentials"}
	if w := Check(m, ok); len(w) != 0 {
		t.Errorf("warnings for a matching definition: %v", w)
	}
	bad := Expectation{Issuer: "https://other", TokenURL: "https://idp.example.com/oauth/token", AuthMethod: "private_key_jwt", Alg: "PS256", GrantType: "authorization_code"}
	w := Check(m, bad)
	// Each finding says whether the server will refuse the client for it (an alg or an auth
	// method it does not list) or only may; a URL holding "alg" changes nothing.
	for frag, refused := range map[string]bool{"issuer https://other": false, "token_url": false, "alg PS256": true, "grant authorization_code": false} {
		found := false
		for _, l := range w {
			if strings.Contains(l.Msg, frag) {
				found = true
				if l.Refused != refused {
					t.Errorf("%q: refused = %v, want %v", l.Msg, l.Refused, refused)
				}
			}
		}
		if !found {
			t.Errorf("no warning about %q in %v", frag, w)
		}
	}
	algURL := Check(m, Expectation{TokenURL: "https://algorithms.example/token"})
	if len(algURL) != 1 || algURL[0].Refused {
		t.Errorf("a token URL holding \"alg\" is a refusal: %+v", algURL)
	}
	m.TokenEndpointAuthMethods = []string{"client_secret_basic"}
	if w := Check(m, ok); len(w) != 1 || !strings.Contains(w[0].Msg, "private_key_jwt") || !w[0].Refused {
		t.Errorf("auth method warning: %v", w)
	}
	// Lists the server leaves out are not held against the definition.
	if w := Check(&Metadata{Issuer: "https://idp.example.com"}, ok); len(w) != 0 {
		t.Errorf("warnings without lists: %v", w)
	}
}

func TestSameIssuer(t *testing.T) {
	for _, tc := range []struct {
		m, c string
		want bool
	}{
		{"https://idp.example.com", "https://idp.example.com", true},
		{"https://idp.example.com/", "https://idp.example.com", true},
		{"https://idp.example.com/realms/a", "https://idp.example.com/realms/a/", true},
		{"https://evil.example", "https://idp.example.com", false},
		{"https://idp.example.com/realms/b", "https://idp.example.com/realms/a", false},
		{"https://IDP.example.com", "https://idp.example.com", false},
		{"http://idp.example.com", "https://idp.example.com", false},
	} {
		if got := SameIssuer(tc.m, tc.c); got != tc.want {
			t.Errorf("SameIssuer(%q, %q) = %v", tc.m, tc.c, got)
		}
	}
}

// A DPoP client meets metadata without dpop_signing_alg_values_supported or without its alg,
// a PAR client metadata without a PAR endpoint: each is a refused finding naming the member.
func TestCheckDPoPAndPAR(t *testing.T) {
	full := &Metadata{Issuer: "https://as", PAREndpoint: "https://as/par", DPoPAlgs: []string{"ES256", "PS256"}}
	if f := Check(full, Expectation{DPoPAlg: "ES256", PAR: true}); len(f) != 0 {
		t.Fatalf("findings for metadata that has both: %v", f)
	}
	for _, tc := range []struct {
		name  string
		meta  Metadata
		e     Expectation
		field string
	}{
		{"no PAR endpoint", Metadata{Issuer: "https://as", DPoPAlgs: []string{"ES256"}}, Expectation{PAR: true}, FieldPAREndpoint},
		{"no DPoP algs", Metadata{Issuer: "https://as"}, Expectation{DPoPAlg: "ES256"}, FieldDPoPAlgs},
		{"alg not listed", Metadata{Issuer: "https://as", DPoPAlgs: []string{"PS256"}}, Expectation{DPoPAlg: "ES256"}, FieldDPoPAlgs},
	} {
		f := Check(&tc.meta, tc.e)
		if len(f) != 1 || f[0].Field != tc.field || !f[0].Refused {
			t.Errorf("%s: findings %+v, want one refused %s", tc.name, f, tc.field)
		}
	}
	if f := Check(&Metadata{Issuer: "https://as"}, Expectation{}); len(f) != 0 {
		t.Errorf("a bearer client without PAR is held to DPoP or PAR: %v", f)
	}
}

// Metadata whose endpoints would carry a Postman template (or are not http(s) URLs) is not
// used: generate writes them into the environment, where {{privateKey}} would be expanded.
func TestFetchRefusesTemplateEndpoints(t *testing.T) {
	for member, value := range map[string]string{
		"token_endpoint":                        "https://as.example/{{privateKey}}",
		"authorization_endpoint":                "javascript:alert(1)",
		"pushed_authorization_request_endpoint": "https://as.example/par?k={{dpopKey}}",
	} {
		t.Run(member, func(t *testing.T) {
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				doc := map[string]string{"issuer": srv.URL, "token_endpoint": srv.URL + "/token", member: value}
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(doc)
			}))
			defer srv.Close()
			m, err := Fetch(context.Background(), srv.Client(), srv.URL)
			if m != nil || err == nil || !strings.Contains(err.Error(), member) || strings.Contains(err.Error(), value) {
				t.Fatalf("metadata %v, err %v", m, err)
			}
		})
	}
}
