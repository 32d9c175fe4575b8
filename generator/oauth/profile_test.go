package oauth

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func testProfile() *Profile {
	return &Profile{
		TokenURL:     "https://idp.example.test/connect/token",
		ClientID:     "client-1",
		Issuer:       "client-1",
		Subject:      "client-1",
		Audience:     "https://idp.example.test/connect/token",
		Alg:          "RS256",
		Kid:          "kid-1",
		Typ:          "JWT",
		Scope:        "api.read api.write",
		ScopeIn:      ScopeForm,
		SendClientID: true,
		GrantType:    WireClientCredentials,
		Lifetime:     60 * time.Second,
	}
}

// TestHeaderOnlyWhatIsSet: optional header members appear only when the profile has them.
func TestHeaderOnlyWhatIsSet(t *testing.T) {
	p := &Profile{Alg: "ES256"}
	if h := p.Header(); !reflect.DeepEqual(h, map[string]any{"alg": "ES256"}) {
		t.Errorf("bare header %v", h)
	}
	p = &Profile{Alg: "PS256", Typ: "client-authentication+jwt", Kid: "k", X5C: []string{"MIIB"}, X5TS256: "t256", X5T: "t1"}
	want := map[string]any{"alg": "PS256", "typ": "client-authentication+jwt", "kid": "k", "x5c": []string{"MIIB"}, "x5t#S256": "t256", "x5t": "t1"}
	if h := p.Header(); !reflect.DeepEqual(h, want) {
		t.Errorf("header %v, want %v", h, want)
	}
}

// TestFormFields: the token request parameters and their order for both grants.
func TestFormFields(t *testing.T) {
	p := testProfile()
	p.ExtraForm = map[string]string{"resource": "https://api", "audience": "orders"}
	got := p.FormFields("A")
	want := []Field{
		{"grant_type", "client_credentials"}, {"client_id", "client-1"}, {"scope", "api.read api.write"},
		{"client_assertion_type", ClientAssertionType}, {"client_assertion", "A"},
		{"audience", "orders"}, {"resource", "https://api"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("client credentials form:\n got %v\nwant %v", got, want)
	}
	if enc := Values(got).Encode(); !strings.Contains(enc, "client_assertion=A") {
		t.Errorf("Values %q", enc)
	}

	j := testProfile()
	j.GrantType, j.ScopeIn, j.SendClientID = WireJWTBearer, ScopeClaim, false
	if got := j.FormFields("A"); !reflect.DeepEqual(got, []Field{{"grant_type", WireJWTBearer}, {"assertion", "A"}}) {
		t.Errorf("jwt-bearer form %v", got)
	}
	if c := j.Claims(1, "x"); c["scope"] != "api.read api.write" {
		t.Errorf("jwt-bearer scope claim %v", c["scope"])
	}
}

// TestScopePlacement: form sends scope only in the form, claim only in the assertion, both in
// both, on either grant.
func TestScopePlacement(t *testing.T) {
	for _, grant := range []string{WireClientCredentials, WireJWTBearer} {
		for _, tc := range []struct {
			in          ScopePlacement
			form, claim bool
		}{{ScopeForm, true, false}, {ScopeClaim, false, true}, {ScopeBoth, true, true}} {
			p := testProfile()
			p.GrantType, p.ScopeIn = grant, tc.in
			inForm := Values(p.FormFields("A")).Get("scope") == p.Scope
			_, inClaim := p.Claims(1, "x")["scope"]
			if inForm != tc.form || inClaim != tc.claim {
				t.Errorf("%s %s: in form %v, in claim %v; want %v, %v", grant, tc.in, inForm, inClaim, tc.form, tc.claim)
			}
		}
	}
	if _, err := ParseScopePlacement("header"); err == nil {
		t.Error("scope placement header accepted")
	}
}

// TestClaimsOwnedWin: extra claims never replace the ones postmint sets.
func TestClaimsOwnedWin(t *testing.T) {
	p := testProfile()
	p.ExtraClaims = map[string]any{"iss": "evil", "aud": "evil", "tenant": "acme"}
	c := p.Claims(100, "j")
	if c["iss"] != "client-1" || c["aud"] != p.Audience || c["tenant"] != "acme" || c["exp"] != int64(160) || c["jti"] != "j" {
		t.Errorf("claims %v", c)
	}
}

func TestGrantVocabulary(t *testing.T) {
	for _, g := range Grants {
		for _, s := range []string{string(g), g.Wire()} {
			if got, err := ParseGrant(s); err != nil || got != g {
				t.Errorf("ParseGrant(%q) = %q, %v", s, got, err)
			}
		}
	}
	if _, err := ParseGrant("password"); err == nil {
		t.Error("password grant accepted")
	}
	for _, r := range []AudienceRule{AudienceTokenEndpoint, AudienceIssuer, AudienceIssuerSlash, AudienceFixed} {
		if r.String() == string(r) || r.String() == "" {
			t.Errorf("%s has no words", r)
		}
	}
	for _, alg := range Algs {
		if KeyFor(alg) == "" {
			t.Errorf("%s has no key type", alg)
		}
	}
	if KeyFor("HS256") != "" || IsAlg("none") {
		t.Error("a symmetric or unsigned alg is known")
	}
}
