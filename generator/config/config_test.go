package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/postmint/postmint/generator/discovery"
	"github.com/postmint/postmint/generator/oauth"
	"go.yaml.in/yaml/v3"
)

const base = `version: 1
name: Acme Orders (test)
token_url: https://idp.example.com/connect/token
client_id: acme
`

func resolve(t *testing.T, src string) (*Client, error) {
	t.Helper()
	def, err := Parse([]byte(src), "client.yaml")
	if err != nil {
		return nil, err
	}
	return def.Resolve()
}

func TestResolveDefaults(t *testing.T) {
	c, err := resolve(t, base+"scope: [api.read, api.write]\n")
	if err != nil {
		t.Fatal(err)
	}
	if c.Slug != "acme-orders-test" {
		t.Errorf("slug = %q", c.Slug)
	}
	if c.Audience != "https://idp.example.com/connect/token" || c.AudienceRule != AudienceTokenEndpoint {
		t.Errorf("audience = %q (%s)", c.Audience, c.AudienceRule)
	}
	if c.Scope.String() != "api.read api.write" || c.ScopeIn != "form" {
		t.Errorf("scope = %q in %s", c.Scope, c.ScopeIn)
	}
	if c.Lifetime != 60*time.Second || !c.SendClientID || c.Subject != "acme" || c.Typ != "JWT" {
		t.Errorf("defaults: %+v", c)
	}
	if c.GrantWire() != "client_credentials" {
		t.Errorf("grant = %q", c.GrantWire())
	}
}

func TestJSONDefinition(t *testing.T) {
	c, err := resolve(t, `{"version": 1, "name": "J", "client_id": "j", "token_url": "https://idp/t", "scope": "a b", "lifetime": 30}`)
	if err != nil {
		t.Fatal(err)
	}
	if c.Scope.String() != "a b" || c.Lifetime != 30*time.Second {
		t.Errorf("got %q %s", c.Scope, c.Lifetime)
	}
}

func TestPresetRules(t *testing.T) {
	cases := []struct {
		preset, extra, aud, scopeIn, grant, sub, typ string
		send                                         bool
	}{
		{"duende", "", "https://idp.example.com/connect/token", "form", oauth.WireClientCredentials, "acme", "JWT", true},
		{"duende-strict", "issuer: https://idp.example.com\n", "https://idp.example.com", "form", oauth.WireClientCredentials, "acme", "client-authentication+jwt", true},
		{"rfc7523bis", "issuer: https://idp.example.com\n", "https://idp.example.com", "form", oauth.WireClientCredentials, "acme", "client-authentication+jwt", false},
		{"bcgov", "issuer: https://idp.example.com/auth/realms/x\n", "https://idp.example.com/auth/realms/x", "form", oauth.WireClientCredentials, "acme", "JWT", true},
		{"keycloak", "issuer: https://idp.example.com/realms/x\n", "https://idp.example.com/realms/x", "form", oauth.WireClientCredentials, "acme", "JWT", false},
		{"auth0", "issuer: https://tenant.auth0.com\n", "https://tenant.auth0.com/", "form", oauth.WireClientCredentials, "acme", "JWT", false},
		{"maskinporten", "kid: k1\n", "https://maskinporten.no/", "claim", oauth.WireJWTBearer, "", "", false},
		{"maskinporten-test", "kid: k1\n", "https://test.maskinporten.no/", "claim", oauth.WireJWTBearer, "", "", false},
		{"curity", "kid: k1\n", "https://idp.example.com/connect/token", "form", oauth.WireClientCredentials, "acme", "JWT", false},
	}
	for _, tc := range cases {
		t.Run(tc.preset, func(t *testing.T) {
			src := base + "preset: " + tc.preset + "\n" + tc.extra
			if strings.HasPrefix(tc.preset, "maskinporten") {
				src = "version: 1\nname: M\nclient_id: acme\npreset: " + tc.preset + "\n" + tc.extra
			}
			c, err := resolve(t, src)
			if err != nil {
				t.Fatal(err)
			}
			if c.Audience != tc.aud || string(c.ScopeIn) != tc.scopeIn || c.GrantWire() != tc.grant || c.Subject != tc.sub || c.Typ != tc.typ || c.SendClientID != tc.send {
				t.Errorf("got aud=%q scopeIn=%s grant=%s sub=%q typ=%q send=%v", c.Audience, c.ScopeIn, c.GrantWire(), c.Subject, c.Typ, c.SendClientID)
			}
		})
	}
}

func TestPresetDerivesTokenURL(t *testing.T) {
	c, err := resolve(t, "version: 1\nname: K\nclient_id: k\npreset: keycloak\nissuer: https://kc.example.com/realms/r/\n")
	if err != nil {
		t.Fatal(err)
	}
	if c.TokenURL != "https://kc.example.com/realms/r/protocol/openid-connect/token" {
		t.Errorf("token_url = %q", c.TokenURL)
	}
	m, err := resolve(t, "version: 1\nname: M\nclient_id: m\npreset: maskinporten\nkid: k\n")
	if err != nil {
		t.Fatal(err)
	}
	if m.TokenURL != "https://maskinporten.no/token" || m.MaxLifetime != 120*time.Second {
		t.Errorf("maskinporten: %q %s", m.TokenURL, m.MaxLifetime)
	}
}

func TestDefinitionOverridesPreset(t *testing.T) {
	c, err := resolve(t, base+"preset: duende\naudience: issuer\nissuer: https://idp.example.com\nsend_client_id: false\nheaders: {typ: client-authentication+jwt}\nlifetime: 2m\n")
	if err != nil {
		t.Fatal(err)
	}
	if c.Audience != "https://idp.example.com" || c.SendClientID || c.Typ != "client-authentication+jwt" || c.Lifetime != 2*time.Minute {
		t.Errorf("overrides not applied: %+v", c)
	}
	f, err := resolve(t, base+"audience: https://fixed.example.com/aud\n")
	if err != nil {
		t.Fatal(err)
	}
	if f.Audience != "https://fixed.example.com/aud" || f.AudienceRule != "fixed" {
		t.Errorf("fixed audience: %q %q", f.Audience, f.AudienceRule)
	}
}

func TestBadDefinitions(t *testing.T) {
	cases := []struct {
		name, src string
		kind      error
		want      []string // substrings of the message
	}{
		{"typo", base + "tokn_url: x\n", ErrUnknownField, []string{"client.yaml:5", "tokn_url", `did you mean "token_url"`}},
		{"typo of a DPoP field", base + "dpop_algo: ES256\n", ErrUnknownField, []string{"dpop_algo", `did you mean "dpop_alg"`}},
		{"unknown header field", base + "headers: {x5u: true}\n", ErrUnknownField, []string{"x5u", "unknown field"}},
		{"missing client_id", "version: 1\nname: A\ntoken_url: https://i/t\n", ErrMissingField, []string{"client_id", "missing"}},
		{"missing token_url", "version: 1\nname: A\nclient_id: a\n", ErrMissingField, []string{"token_url", "missing"}},
		{"missing name", "version: 1\nclient_id: a\ntoken_url: https://i/t\n", ErrMissingField, []string{"name", "missing"}},
		{"missing version", "name: A\nclient_id: a\ntoken_url: https://i/t\n", ErrMissingField, []string{"version", "version: 1"}},
		{"version 2", "version: 2\nname: A\nclient_id: a\ntoken_url: https://i/t\n", ErrBadVersion, []string{"version 2 is not supported"}},
		{"relative token url", "version: 1\nname: A\nclient_id: a\ntoken_url: /connect/token\n", ErrBadValue, []string{"token_url", "not an absolute http(s) URL"}},
		{"ftp token url", "version: 1\nname: A\nclient_id: a\ntoken_url: ftp://i/t\n", ErrBadValue, []string{"token_url", "not an absolute http(s) URL"}},
		{"unknown preset", base + "preset: dunde\n", ErrUnknownPreset, []string{`unknown preset "dunde"`, `did you mean "duende"`}},
		{"unknown grant", base + "grant_type: password\n", ErrBadValue, []string{"grant_type", `"password"`}},
		{"zero lifetime", base + "lifetime: 0s\n", ErrBadValue, []string{"lifetime", "positive"}},
		{"negative lifetime", base + "lifetime: -5s\n", ErrBadValue, []string{"lifetime", "positive"}},
		{"lifetime over max", "version: 1\nname: M\nclient_id: m\npreset: maskinporten\nkid: k\nlifetime: 121s\n", ErrBadValue, []string{"lifetime", "over the preset maskinporten maximum of 120s"}},
		{"bad lifetime", base + "lifetime: soon\n", ErrBadValue, []string{"lifetime", "not a duration"}},
		{"scope map", base + "scope: {a: b}\n", ErrBadValue, []string{"scope must be a string or a list of strings"}},
		{"scope number", base + "scope: 42\n", ErrBadValue, []string{"scope must be a string or a list of strings"}},
		{"garbage", "{{{ not yaml ::\n", ErrNotADefinition, []string{"client.yaml", "not"}},
		{"a list", "- a\n- b\n", ErrNotADefinition, []string{"not a client definition"}},
		{"empty", "  \n", ErrNotADefinition, []string{"empty"}},
		{"issuer rule without issuer", base + "preset: bcgov\n", ErrMissingField, []string{"issuer", "needs the issuer"}},
		{"curity without kid", base + "preset: curity\n", ErrMissingField, []string{"kid", "curity"}},
		{"maskinporten without kid or x5c", "version: 1\nname: M\nclient_id: m\npreset: maskinporten\n", ErrMissingField, []string{"kid", "x5c"}},
		{"reserved claim", base + "claims: {aud: x}\n", ErrBadValue, []string{"claims.aud", "remove it"}},
		{"reserved form", base + "form: {client_assertion: x}\n", ErrBadValue, []string{"form.client_assertion"}},
		{"unsupported alg", base + "alg: HS256\n", ErrBadValue, []string{"alg", "HS256"}},
		{"request without url", base + "requests: [{name: a}]\n", ErrMissingField, []string{"requests[0].url"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := resolve(t, tc.src)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, tc.kind) {
				t.Errorf("error %q is not %v", err, tc.kind)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestHTTPWarning(t *testing.T) {
	c, err := resolve(t, "version: 1\nname: A\nclient_id: a\ntoken_url: http://idp.example.com/token\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "plain http://") {
		t.Errorf("warnings = %q", c.Warnings)
	}
	for _, host := range []string{"127.0.0.1:8080", "localhost", "[::1]:9"} {
		c, err := resolve(t, "version: 1\nname: A\nclient_id: a\ntoken_url: http://"+host+"/token\n")
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Warnings) != 0 {
			t.Errorf("%s: loopback warned: %q", host, c.Warnings)
		}
	}
}

func TestRelativePaths(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(path, []byte(base+"key: keys/k.pem\ncertificate: /abs/c.pem\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	def, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := def.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	if c.KeyPath != filepath.Join(dir, "keys/k.pem") || c.CertPath != "/abs/c.pem" {
		t.Errorf("paths: %q %q", c.KeyPath, c.CertPath)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file error = %v", err)
	}
}

func TestPresetsAreValid(t *testing.T) {
	want := []string{"auth0", "bcgov", "curity", "duende", "duende-strict", "entra", "fapi2", "helseid", "hydra", "keycloak", "maskinporten", "maskinporten-test", "okta", "rfc7523bis", "signicat", "zitadel"}
	got := PresetNames()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("presets = %v, want %v", got, want)
	}
	for _, n := range got {
		p, _ := LookupPreset(n)
		if err := p.check(); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
}

// TestApplyDiscovery: the metadata fills only what the definition leaves open, the
// authorization endpoint only for the code flow (the preset's default grant counts), and
// every endpoint taken is said.
func TestApplyDiscovery(t *testing.T) {
	meta := &discovery.Metadata{URL: "https://idp.example/.well-known/openid-configuration", TokenEndpoint: "https://idp.example/token", AuthorizationEndpoint: "https://idp.example/auth"}
	d := &Definition{Preset: "signicat", Issuer: "https://idp.example"}
	notes := d.ApplyDiscovery(meta)
	if d.TokenURL != meta.TokenEndpoint || d.AuthorizationEndpoint != meta.AuthorizationEndpoint || len(notes) != 2 || !strings.Contains(notes[0], "discovered token_url https://idp.example/token") {
		t.Errorf("code flow: %q %q %q", d.TokenURL, d.AuthorizationEndpoint, notes)
	}
	d = &Definition{Issuer: "https://idp.example", TokenURL: "https://idp.example/mine"}
	if notes := d.ApplyDiscovery(meta); len(notes) != 0 || d.TokenURL != "https://idp.example/mine" || d.AuthorizationEndpoint != "" {
		t.Errorf("client credentials with its own token_url: %q %q %q", d.TokenURL, d.AuthorizationEndpoint, notes)
	}
}

// TestDefinitionRoundTrip: a definition written with yaml.v3 (as kits write their copy) reads
// back to the same definition, every field included, and only what is set is written.
func TestDefinitionRoundTrip(t *testing.T) {
	src := `version: 1
name: Round trip
preset: duende
token_url: https://idp.example.test/connect/token
issuer: https://idp.example.test
client_id: rt
grant_type: jwt_bearer
alg: PS256
kid: k1
audience: issuer
lifetime: 90s
scope: [a, b]
scope_in: both
send_client_id: false
headers: {typ: "", x5c: true, x5t#S256: false}
claims: {tenant: acme, org: {id: 42}}
form: {resource: https://api.example.test/}
requests:
  - name: One
    method: POST
    url: https://api.example.test/one
    headers: {X-Trace: "1"}
    body: '{"a":1}'
`
	d, err := Parse([]byte(src), "rt.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := yaml.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(out, "rt.yaml")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	a, errA := d.Resolve()
	b, errB := back.Resolve()
	if errA != nil || errB != nil {
		t.Fatalf("resolve: %v / %v", errA, errB)
	}
	a.File, b.File = "", ""
	if !reflect.DeepEqual(a, b) {
		t.Errorf("round trip changed the client:\n%+v\n%+v\nwritten:\n%s", a, b, out)
	}
	for _, absent := range []string{"key:", "certificate:", "openapi:", "redirect_uri:"} {
		if strings.Contains(string(out), absent) {
			t.Errorf("unset field written: %s\n%s", absent, out)
		}
	}
	if !strings.Contains(string(out), "scope: a b\n") || !strings.Contains(string(out), "lifetime: 90s\n") || !strings.Contains(string(out), "scope_in: both\n") {
		t.Errorf("scope, lifetime or scope_in not written as a definition writes them:\n%s", out)
	}
}

// Slug: lowercase words joined by '-', and a Windows device name gets a trailing '_'.
func TestSlug(t *testing.T) {
	for name, want := range map[string]string{
		"Acme Corp": "acme-corp", "CON": "con_", "Nul": "nul_", "aux": "aux_", "PRN": "prn_",
		"COM1": "com1_", "lpt9": "lpt9_", "COM10": "com10", "com0": "com0", "Con Air": "con-air",
		"  --Con--  ": "con_", "lpt 1": "lpt-1", "Ünïcode": "n-code",
	} {
		if got := Slug(name); got != want {
			t.Errorf("Slug(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestGrantHint: a field missing only because signicat's default grant is the code flow gets
// the machine-to-machine hint; a definition that chose its grant, or another error, gets none.
func TestGrantHint(t *testing.T) {
	src := "version: 1\nname: x\npreset: signicat\ntoken_url: https://idp.example.com/auth/open/connect/token\nclient_id: c\nkid: k1\n"
	def, err := Parse([]byte(src), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, rerr := def.Resolve()
	if h := def.GrantHint(rerr); !strings.Contains(h, "grant_type: client_credentials") {
		t.Errorf("GrantHint(%v) = %q, want the client_credentials hint", rerr, h)
	}
	if h := def.GrantHint(errors.New("other")); h != "" {
		t.Errorf("GrantHint(other) = %q, want none", h)
	}
	def.GrantType = GrantAuthorizationCode
	if h := def.GrantHint(rerr); h != "" {
		t.Errorf("GrantHint with grant_type given = %q, want none", h)
	}
}

// TestCheckPAR: a PAR client facing metadata without a PAR endpoint is refused with the
// metadata named; with the endpoint in the metadata, or a definition of its own, it is not.
func TestCheckPAR(t *testing.T) {
	src := "version: 1\nname: x\nissuer: https://idp.example.com\nclient_id: c\ngrant_type: authorization_code\nredirect_uri: https://app/cb\npar: true\n"
	def, err := Parse([]byte(src), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	meta := &discovery.Metadata{URL: "https://idp.example.com/.well-known/openid-configuration", Issuer: "https://idp.example.com"}
	if err := def.CheckPAR(meta); err == nil || !strings.Contains(err.Error(), "c.yaml: par: ") || !strings.Contains(err.Error(), meta.URL) {
		t.Errorf("CheckPAR without an endpoint = %v", err)
	}
	meta.PAREndpoint = "https://idp.example.com/par"
	if err := def.CheckPAR(meta); err != nil {
		t.Errorf("CheckPAR with the metadata's endpoint = %v", err)
	}
}
