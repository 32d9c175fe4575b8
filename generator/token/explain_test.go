package token

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	testIssuer   = "https://idp.example.com"
	testTokenURL = "https://idp.example.com/connect/token"
)

func baseContext() Context {
	return Context{
		TokenURL: testTokenURL, Issuer: testIssuer, Audience: testTokenURL, AudienceRule: RuleTokenEndpoint,
		Alg: "ES256", Kid: "kid-1", Thumbprint: "tp-abc", ClientID: "orders", GrantType: "client_credentials",
		Scope: "orders.read",
	}
}

func oauthErr(code, description string) *OAuthError {
	return &OAuthError{Status: 400, Code: code, Description: description, Tries: 1}
}

// containsInOrder reports whether each want is a substring of a line, in order; consecutive
// wants may share a line.
func containsInOrder(lines []string, wants ...string) bool {
	i := 0
	for _, l := range lines {
		for i < len(wants) && strings.Contains(l, wants[i]) {
			i++
		}
	}
	return i == len(wants)
}

func TestExplainOAuthErrors(t *testing.T) {
	with := func(f func(*Context)) Context {
		c := baseContext()
		f(&c)
		return c
	}
	for _, tc := range []struct {
		name  string
		err   error
		c     Context
		wants []string // substrings of lines, in this order
	}{
		{
			name: "invalid_client",
			err:  oauthErr("invalid_client", ""),
			c:    baseContext(),
			wants: []string{
				`aud was "https://idp.example.com/connect/token" (the token endpoint URL); the server may expect the issuer: set audience: https://idp.example.com (or https://idp.example.com/)`,
				"thumbprint is tp-abc", `signed with ES256, kid "kid-1"`, `client_id "orders"`, "private_key_jwt",
			},
		},
		{
			name:  "invalid_client, issuer rule: the token endpoint is the alternative",
			err:   oauthErr("invalid_client", ""),
			c:     with(func(c *Context) { c.Audience, c.AudienceRule = testIssuer, RuleIssuer }),
			wants: []string{`aud was "https://idp.example.com" (the issuer); the server may expect the token endpoint URL: set audience: https://idp.example.com/connect/token (or https://idp.example.com/)`},
		},
		{
			name:  "invalid_client, rule inferred from the audience",
			err:   oauthErr("invalid_client", ""),
			c:     with(func(c *Context) { c.Audience, c.AudienceRule = testIssuer+"/", "" }),
			wants: []string{`(the issuer with a trailing slash); the server may expect the issuer: set audience: https://idp.example.com (or https://idp.example.com/connect/token)`},
		},
		{
			name:  "invalid_client, issuer guessed from the token URL",
			err:   oauthErr("invalid_client", ""),
			c:     with(func(c *Context) { c.Issuer = "" }),
			wants: []string{"the issuer, guessed from the token URL: set audience: https://idp.example.com"},
		},
		{
			name:  "invalid_client, client_id sent",
			err:   oauthErr("invalid_client", ""),
			c:     with(func(c *Context) { c.SentClientID = true }),
			wants: []string{`client_id "orders" (sent, and the assertion's iss and sub) must be the exact registered id`},
		},
		{
			name:  "invalid_client, description about the signature puts the key first",
			err:   oauthErr("invalid_client", "Signature validation failed"),
			c:     baseContext(),
			wants: []string{"thumbprint is tp-abc", "aud was"},
		},
		{
			name: "invalid_grant, jwt_bearer: trailing slash first",
			err:  oauthErr("invalid_grant", ""),
			c: with(func(c *Context) {
				c.GrantType, c.Audience, c.AudienceRule, c.Lifetime = "jwt_bearer", testIssuer, RuleIssuer, 5*time.Minute
			}),
			wants: []string{
				"the server may expect the issuer with a trailing slash: set audience: https://idp.example.com/",
				"valid for 300 s", "jti", `kid "kid-1" or x5c`, "sub:",
			},
		},
		{
			name:  "invalid_grant, description about expiry puts the lifetime first",
			err:   oauthErr("invalid_grant", "Assertion is expired or too long lived"),
			c:     with(func(c *Context) { c.GrantType = "jwt_bearer" }),
			wants: []string{"lifetime:", "aud was"},
		},
		{
			name:  "invalid_grant, authorization_code",
			err:   oauthErr("invalid_grant", ""),
			c:     with(func(c *Context) { c.GrantType = "authorization_code" }),
			wants: []string{"code expired", "redirect_uri", "PKCE"},
		},
		{
			name:  "invalid_grant, refresh_token",
			err:   oauthErr("invalid_grant", ""),
			c:     with(func(c *Context) { c.GrantType = "refresh_token" }),
			wants: []string{"refresh token expired"},
		},
		{
			name:  "invalid_scope",
			err:   oauthErr("invalid_scope", ""),
			c:     baseContext(),
			wants: []string{`scope "orders.read"`, "case-sensitive"},
		},
		{
			name:  "unauthorized_client",
			err:   oauthErr("unauthorized_client", ""),
			c:     with(func(c *Context) { c.GrantType = "jwt_bearer" }),
			wants: []string{`grant urn:ietf:params:oauth:grant-type:jwt-bearer is not enabled for client "orders"`},
		},
		{
			name:  "unsupported_grant_type",
			err:   oauthErr("unsupported_grant_type", ""),
			c:     baseContext(),
			wants: []string{"does not accept grant client_credentials", testTokenURL},
		},
		{
			name:  "invalid_request",
			err:   oauthErr("invalid_request", ""),
			c:     baseContext(),
			wants: []string{"client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "send_client_id: true", "alg ES256"},
		},
		{
			name:  "unknown code",
			err:   oauthErr("custom_thing", ""),
			c:     baseContext(),
			wants: []string{`"custom_thing" is not a standard token error`},
		},
		{
			name: "skew is first for invalid_client",
			err: &OAuthError{Status: 401, Code: "invalid_client",
				ServerDate: fixedNow.Add(-45 * time.Second), LocalTime: fixedNow},
			c:     baseContext(),
			wants: []string{"clock skew: the server's clock (Date header) is 45 s behind", "aud was"},
		},
		{
			name: "skew is last for invalid_scope",
			err: &OAuthError{Status: 400, Code: "invalid_scope",
				ServerDate: fixedNow.Add(11 * time.Second), LocalTime: fixedNow},
			c:     baseContext(),
			wants: []string{"scope", "clock skew: the server's clock (Date header) is 11 s ahead"},
		},
		{
			name:  "wrapped errors are found",
			err:   fmt.Errorf("getting token for orders: %w", oauthErr("invalid_client", "")),
			c:     baseContext(),
			wants: []string{"aud was"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines := Explain(tc.err, tc.c)
			if !containsInOrder(lines, tc.wants...) {
				t.Errorf("Explain =\n  %s\nwant, in order: %q", strings.Join(lines, "\n  "), tc.wants)
			}
			if !strings.Contains(tc.name, "skew") && strings.Contains(strings.Join(lines, "\n"), "clock skew") {
				t.Errorf("clock skew without dates: %q", lines)
			}
		})
	}
}

func TestExplainProviderHints(t *testing.T) {
	c := Context{
		Provider: "maskinporten", TokenURL: "https://test.maskinporten.no/token",
		Audience: "https://test.maskinporten.no/token", AudienceRule: RuleTokenEndpoint, GrantType: "jwt_bearer",
	}
	lines := Explain(oauthErr("invalid_grant", ""), c)
	if !containsInOrder(lines,
		"Maskinporten: aud must be the issuer with a trailing slash",
		"Maskinporten: test (https://test.maskinporten.no/) and production",
		"set audience: https://test.maskinporten.no/ (or https://test.maskinporten.no)") {
		t.Errorf("maskinporten invalid_grant:\n  %s", strings.Join(lines, "\n  "))
	}

	for _, name := range []string{"entra", " Entra "} {
		c := baseContext()
		c.Provider = name
		if lines := Explain(oauthErr("invalid_scope", ""), c); !containsInOrder(lines, "Entra ID: client_credentials takes", "Entra ID: the AADSTS number", `scope "orders.read"`) {
			t.Errorf("provider %q:\n  %s", name, strings.Join(lines, "\n  "))
		}
	}

	c.Provider = "maskinporten-test" // inherits maskinporten's hints
	if lines := Explain(oauthErr("invalid_grant", ""), c); !containsInOrder(lines, "Maskinporten: aud must be", "Maskinporten: test") {
		t.Errorf("maskinporten-test:\n  %s", strings.Join(lines, "\n  "))
	}
	ds := baseContext()
	ds.Provider = "duende-strict"
	if lines := Explain(oauthErr("invalid_client", ""), ds); !containsInOrder(lines, "Duende (strict audience validation)", "Duende: the client needs", "aud was") {
		t.Errorf("duende-strict:\n  %s", strings.Join(lines, "\n  "))
	}

	plain := Explain(oauthErr("invalid_client", ""), baseContext())
	c2 := baseContext()
	c2.Provider = "no-such-provider"
	if got := Explain(oauthErr("invalid_client", ""), c2); !slices.Equal(got, plain) {
		t.Errorf("unknown provider changed the explanation: %q", got)
	}
}

// TestProviderHintsData keeps the provider table well-formed.
func TestProviderHintsData(t *testing.T) {
	known := []string{
		"*", "invalid_client", "invalid_grant", "invalid_scope", "unauthorized_client",
		"unsupported_grant_type", "invalid_request", "access_denied", "server_error", "temporarily_unavailable",
	}
	for provider, byCode := range providerHints {
		if provider != strings.ToLower(provider) {
			t.Errorf("provider %q is not lower case", provider)
		}
		for code, lines := range byCode {
			if !slices.Contains(known, code) {
				t.Errorf("%s: unknown error code %q", provider, code)
			}
			if len(lines) == 0 {
				t.Errorf("%s/%s: no lines", provider, code)
			}
			for _, l := range lines {
				if l == "" || strings.Contains(l, "\n") || len(l) > 200 {
					t.Errorf("%s/%s: line not short and single: %q", provider, code, l)
				}
			}
		}
	}
	for child, parent := range providerParents {
		if _, ok := providerHints[parent]; !ok || child != strings.ToLower(child) {
			t.Errorf("parent of %q: %q", child, parent)
		}
	}
}

func TestExplainHTTPErrors(t *testing.T) {
	c := baseContext()
	for _, tc := range []struct {
		name  string
		err   error
		wants []string
	}{
		{"404", &HTTPError{Status: 404, Tries: 1}, []string{"HTTP 404: wrong token URL " + testTokenURL, "https://idp.example.com/.well-known/openid-configuration"}},
		{"401 without JSON", &HTTPError{Status: 401, Authenticate: `Basic realm="gateway"`, Tries: 1}, []string{`without an OAuth error body`, `WWW-Authenticate: Basic realm="gateway"`}},
		{"403 without JSON", &HTTPError{Status: 403, Tries: 1}, []string{"firewall, WAF or IP allow-list"}},
		{"500", &HTTPError{Status: 500, Tries: 3}, []string{"HTTP 500 on 3 tries (retried 2 times): the server failed on its side"}},
		{"503", &HTTPError{Status: 503, Tries: 2}, []string{"HTTP 503 on 2 tries (retried once)"}},
		{"HTML login page", &HTTPError{Status: 400, HTML: true, Title: "Sign in", Tries: 1}, []string{"HTTP 400", `HTML page ("Sign in"), not JSON: probably a login page or a proxy: check the token URL ` + testTokenURL}},
		{"200 HTML", fmt.Errorf("%w: %w", ErrInvalidJSON, &HTTPError{Status: 200, HTML: true, Tries: 1}), []string{"HTTP 200 with an HTML page, not JSON", ".well-known/openid-configuration"}},
		{"skew applies", &HTTPError{Status: 401, ServerDate: fixedNow.Add(2 * time.Minute), LocalTime: fixedNow}, []string{"clock skew: the server's clock (Date header) is 120 s ahead", "HTTP 401"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines := Explain(tc.err, c)
			if !containsInOrder(lines, tc.wants...) {
				t.Errorf("Explain =\n  %s\nwant, in order: %q", strings.Join(lines, "\n  "), tc.wants)
			}
		})
	}
}

func TestExplainTransportErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"dns", &TransportError{Host: "idp.invalid:443", Tries: 1, Err: &net.DNSError{Err: "no such host", Name: "idp.invalid", IsNotFound: true}}, "idp.invalid does not resolve"},
		{"untrusted", &TransportError{Host: "idp:443", Tries: 1, Err: x509.UnknownAuthorityError{}}, "pass the CA's PEM with --ca-file"},
		{"expired", &TransportError{Host: "idp:443", Tries: 1, Err: x509.CertificateInvalidError{Reason: x509.Expired}}, "has expired"},
		{"wrong name", &TransportError{Host: "idp:443", Tries: 1, Err: x509.HostnameError{Host: "idp"}}, "is not for that name"},
		{"plain http", &TransportError{Host: "idp:443", Tries: 1, Err: errors.New("http: server gave HTTP response to HTTPS client")}, "speaks plain HTTP"},
		{"timeout", &TransportError{Host: "idp:443", Tries: 2, Timeout: 30 * time.Second, Err: context.DeadlineExceeded}, "no answer from idp:443 within 30s"},
		{"other", &TransportError{Host: "idp:443", Tries: 3, Err: errors.New("something odd")}, "could not talk to idp:443"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if lines := Explain(tc.err, baseContext()); len(lines) == 0 || !strings.Contains(lines[0], tc.want) {
				t.Errorf("Explain = %q, want first line with %q", lines, tc.want)
			}
		})
	}
}

func TestExplainNothingToSay(t *testing.T) {
	if lines := Explain(nil, baseContext()); lines != nil {
		t.Errorf("Explain(nil) = %q", lines)
	}
	if lines := Explain(errors.New("reading key: permission denied"), baseContext()); len(lines) != 0 {
		t.Errorf("Explain(unrelated) = %q", lines)
	}
}

func TestGuessIssuer(t *testing.T) {
	for in, want := range map[string]string{
		"https://kc.example.com/realms/acme/protocol/openid-connect/token": "https://kc.example.com/realms/acme",
		"https://idp.example.com/connect/token":                            "https://idp.example.com",
		"https://acme.okta.com/oauth2/default/v1/token":                    "https://acme.okta.com/oauth2/default",
		"https://acme.okta.com/oauth2/v1/token":                            "https://acme.okta.com",
		"https://maskinporten.no/token":                                    "https://maskinporten.no",
		"https://tenant.auth0.com/oauth/token":                             "https://tenant.auth0.com",
		"https://as.example.com/custom/path":                               "https://as.example.com",
		"not a url":                                                        "",
	} {
		if got := guessIssuer(in); got != want {
			t.Errorf("guessIssuer(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestExplainFollowsHydrasWords: Ory Hydra v2.3.0's answers, as captured from a real server,
// rank the hints by the server's own detail, not by the RFC wording it puts in front of it.
func TestExplainFollowsHydrasWords(t *testing.T) {
	const invalidRequest = "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. "
	hydra := func(f func(*Context)) Context {
		c := baseContext()
		c.Provider, c.AudienceFromPreset, c.Alg = "hydra", true, "RS256"
		if f != nil {
			f(&c)
		}
		return c
	}
	for _, tc := range []struct {
		name        string
		code, desc  string
		c           Context
		first, then string // the first line must hold first; a later one then
		never       string
	}{
		{"jwk without use sig", "invalid_request", invalidRequest + "Unable to find RSA public key with use='sig' for kid 'rk1' in JSON Web Key Set.",
			hydra(nil), `no RSA key with use "sig" under kid "rk1"`, "thumbprint is tp-abc", ""},
		{"kid not found", "invalid_request", invalidRequest + "The JSON Web Token uses signing key with kid 'other', which could not be found.",
			hydra(nil), `no key with kid "other"`, "Ory Hydra: each key in the client's jwks needs", ""},
		{"jwt grant without client authentication", "invalid_request", invalidRequest + "Client credentials missing or malformed in both HTTP Authorization header and HTTP POST body.",
			hydra(func(c *Context) { c.GrantType = "jwt_bearer" }), "try send_client_id: true", "", ""},
		{"boilerplate alone ranks nothing", "invalid_client", "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).",
			hydra(nil), "Ory Hydra: the client needs token_endpoint_auth_method private_key_jwt", "aud was", "the server may expect"},
		{"one audience: no alternatives", "invalid_client", "audience mismatch",
			hydra(nil), "the only audience hydra accepts", "", "the server may expect"},
		{"scope sent as a claim", "invalid_scope", "The requested scope is invalid, unknown, or malformed. The OAuth 2.0 Client is not allowed to request scope 'admin'.",
			hydra(func(c *Context) { c.GrantType, c.ScopeIn = "jwt_bearer", "claim" }), `scope "orders.read"`, "try scope_in: form", "no scope was sent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines := Explain(oauthErr(tc.code, tc.desc), tc.c)
			if len(lines) == 0 || !strings.Contains(lines[0], tc.first) {
				t.Fatalf("first line should hold %q:\n  %s", tc.first, strings.Join(lines, "\n  "))
			}
			if tc.then != "" && !containsInOrder(lines[1:], tc.then) {
				t.Errorf("a later line should hold %q:\n  %s", tc.then, strings.Join(lines, "\n  "))
			}
			if tc.never != "" && strings.Contains(strings.Join(lines, "\n"), tc.never) {
				t.Errorf("no line may hold %q:\n  %s", tc.never, strings.Join(lines, "\n  "))
			}
		})
	}
}

// TestExplainLeadsWithTheServersWords: when the server's error_description names the audience,
// the algorithm, the kid or the registered method, the first line says exactly that, with the
// value the server named; the generic causes follow. The descriptions are the servers' own
// answers: zitadel/oidc v3.52.0 as served by testdata/zitadel, Ory Hydra v2.3.0 (fosite), and
// oidc-provider's error detail.
func TestExplainLeadsWithTheServersWords(t *testing.T) {
	const fositeInvalidClient = "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method). "
	zitadel := func(grant, alg, kid string) Context {
		c := baseContext()
		c.Provider, c.GrantType, c.Alg, c.Kid = "zitadel", grant, alg, kid
		c.Issuer, c.TokenURL, c.Audience, c.ClientID = "http://127.0.0.1:8080", "http://127.0.0.1:8080/oauth/v2/token", "http://127.0.0.1:8080/oauth/v2/token", "svc"
		c.Algs = []string{"RS256", "PS256", "ES256"}
		return c
	}
	for _, tc := range []struct {
		name, code, desc string
		c                Context
		first            string   // the first line holds all of these
		later            []string // and later lines these, in order
	}{
		{"zitadel audience", "invalid_grant", `audience is not valid: Audience must contain client_id "http://127.0.0.1:8080"`,
			zitadel("jwt_bearer", "RS256", "k1"), "the server names the audience it expects: set audience: http://127.0.0.1:8080 (aud was \"http://127.0.0.1:8080/oauth/v2/token\")", []string{"aud was"}},
		{"zitadel algorithm", "invalid_grant", "signature algorithm not supported",
			zitadel("jwt_bearer", "ES384", "k1"), "the server does not accept alg ES384 for this assertion (preset zitadel documents RS256, PS256, ES256)", []string{"kid/x5c"}},
		{"zitadel kid missing", "invalid_grant", "invalid signature (error fetching keys: key not found)",
			zitadel("jwt_bearer", "RS256", ""), "the server looks the key up by kid and the assertion has none: set kid:", nil},
		{"zitadel kid unknown", "invalid_grant", "invalid signature (error fetching keys: key not found)",
			zitadel("jwt_bearer", "RS256", "k9"), `the server has no key under kid "k9" for "svc"`, nil},
		{"zitadel jwt grant: assertion invalid", "invalid_request", "assertion invalid",
			zitadel("jwt_bearer", "RS256", "k1"), "check aud first: it must contain the issuer http://127.0.0.1:8080 exactly (aud was \"http://127.0.0.1:8080/oauth/v2/token\")",
			[]string{"aud was", "lifetime", "the form needs grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer"}},
		{"zitadel method", "invalid_client", "private_key_jwt not allowed for this client",
			zitadel("client_credentials", "RS256", "k1"), `client "svc" is not registered for private_key_jwt`, []string{"aud was"}},
		{"hydra algorithm", "invalid_client", fositeInvalidClient + "The 'client_assertion' uses signing algorithm 'EdDSA' but the requested OAuth 2.0 Client enforces signing algorithm 'RS256'.",
			baseContext(), "the client is registered for RS256 (its token_endpoint_auth_signing_alg), and the assertion was signed with EdDSA: set alg: RS256", nil},
		{"hydra audience", "invalid_client", fositeInvalidClient + "Claim 'audience' from 'client_assertion' must match the authorization server's token endpoint 'https://hydra.example.com/oauth2/token'.",
			baseContext(), "set audience: https://hydra.example.com/oauth2/token (aud was", nil},
		{"oidc-provider audience", "invalid_client", "audience (aud) must equal the endpoint url, issuer identifier or token endpoint url",
			baseContext(), "the server wants aud to be its issuer identifier or its token endpoint URL", nil},
		{"e2e harness audience", "invalid_client", `aud must be exactly "https://idp.example.com" (issuer), got "https://idp.example.com/connect/token"`,
			baseContext(), "the server names the audience it expects: set audience: https://idp.example.com (aud was", nil},
		{"oidc-provider alg", "invalid_client", "alg mismatch",
			baseContext(), "alg ES256 is not the client's registered signing algorithm", nil},
		{"oidc-provider method", "invalid_client", "the provided authentication mechanism does not match the registered client authentication method",
			baseContext(), `client "orders" is not registered for private_key_jwt`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines := Explain(oauthErr(tc.code, tc.desc), tc.c)
			if len(lines) < 2 || !strings.Contains(lines[0], tc.first) {
				t.Fatalf("the first line should hold %q, with other causes after it:\n  %s", tc.first, strings.Join(lines, "\n  "))
			}
			if len(tc.later) > 0 && !containsInOrder(lines[1:], tc.later...) {
				t.Errorf("later lines should hold %q in order:\n  %s", tc.later, strings.Join(lines, "\n  "))
			}
			for _, l := range lines {
				if strings.ContainsAny(l, "\n\r") {
					t.Errorf("a hint spans lines: %q", l)
				}
			}
		})
	}
	// Words that name nothing add no line: the explanation is what it was.
	c := zitadel("client_credentials", "RS256", "k1")
	if got, plain := Explain(oauthErr("invalid_grant", "assertion invalid"), c), Explain(oauthErr("invalid_grant", ""), c); !slices.Equal(got, plain) {
		t.Errorf("'assertion invalid' off the JWT grant changed the explanation:\n  %s", strings.Join(got, "\n  "))
	}
	// A value the server names is taken only when it is one plain token: text with spaces or
	// control characters after it is not copied into a hint.
	if lines := Explain(oauthErr("invalid_grant", "Audience must contain client_id \"a\nb\""), c); strings.Contains(strings.Join(lines, " "), "set audience: a") {
		t.Errorf("a server value with a newline was copied: %q", lines)
	}
}

// TestFailed: the failure names the endpoint without its query and wraps the error; the
// causes are Explain's.
func TestFailed(t *testing.T) {
	err := &OAuthError{Status: 400, Code: "invalid_client", Description: "audience is invalid"}
	c := Context{TokenURL: "https://idp.example.com/oauth2/token?tenant=x", Audience: "https://wrong"}
	causes, failure := Failed(err, c)
	if want := "token request to https://idp.example.com/oauth2/token failed: "; !strings.HasPrefix(failure.Error(), want) || !errors.Is(failure, err) {
		t.Errorf("failure = %v, want %q… wrapping the error", failure, want)
	}
	if !slices.Equal(causes, Explain(err, c)) || len(causes) == 0 {
		t.Errorf("causes = %q, want Explain's", causes)
	}
}
