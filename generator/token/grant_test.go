package token

import (
	"errors"
	"net/url"
	"testing"

	"github.com/postmint/postmint/generator/oauth"
)

// TestSessionRequest: the code exchange, the refresh token grant (given, or stored for an
// authorization_code client), the profile's own grant, and the requests that cannot be made.
func TestSessionRequest(t *testing.T) {
	code := &oauth.Profile{TokenURL: "https://idp/token", ClientID: "c", GrantType: oauth.WireAuthorizationCode, RedirectURI: "https://app/cb"}
	cc := &oauth.Profile{TokenURL: "https://idp/token", ClientID: "c", GrantType: oauth.WireClientCredentials}
	for _, tc := range []struct {
		name       string
		p          *oauth.Profile
		g          Grant
		grantType  string
		want       map[string]string
		refreshing bool
		err        error
	}{
		{"code with the stored verifier", code, Grant{Code: "abc", StoredVerifier: "v1", StoredRefreshToken: "old"}, "authorization_code", map[string]string{"code": "abc", "code_verifier": "v1"}, false, nil},
		{"code with its own verifier", code, Grant{Code: "abc", Verifier: "v2", StoredVerifier: "v1"}, "authorization_code", map[string]string{"code_verifier": "v2"}, false, nil},
		{"stored refresh token", code, Grant{StoredRefreshToken: "rt1"}, "refresh_token", map[string]string{"refresh_token": "rt1"}, true, nil},
		{"given refresh token beats the stored one", code, Grant{RefreshToken: "rt2", StoredRefreshToken: "rt1"}, "refresh_token", map[string]string{"refresh_token": "rt2"}, true, nil},
		{"client credentials ignore a stored refresh token", cc, Grant{StoredRefreshToken: "rt1"}, "client_credentials", nil, false, nil},
		{"both", code, Grant{Code: "abc", RefreshToken: "rt"}, "", nil, false, ErrCodeAndRefreshToken},
		{"code without redirect_uri", cc, Grant{Code: "abc"}, "", nil, false, ErrCodeNeedsRedirect},
		{"authorization_code with nothing", code, Grant{}, "", nil, false, ErrNeedsCode},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fields, refreshing, err := (&Session{Profile: tc.p}).Request(tc.g)
			if !errors.Is(err, tc.err) || refreshing != tc.refreshing {
				t.Fatalf("Request = refreshing %v, %v; want %v, %v", refreshing, err, tc.refreshing, tc.err)
			}
			if err != nil {
				return
			}
			form := oauth.Values(fields("a.b.c"))
			if got := form.Get("grant_type"); got != tc.grantType {
				t.Errorf("grant_type = %q, want %q", got, tc.grantType)
			}
			for k, v := range tc.want {
				if form.Get(k) != v {
					t.Errorf("%s = %q, want %q (form %s)", k, form.Get(k), v, url.Values(form).Encode())
				}
			}
		})
	}
}
