package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// rowsOf is Describe's rows as "name: value" lines.
func rowsOf(p *Preset) (map[string]string, []string) {
	rows, after := p.Describe()
	m := map[string]string{}
	for _, r := range rows {
		m[r[0]] = r[1]
	}
	return m, after
}

// Describe words every rule; the optional rows (dpop, par) and lines (why the grant) appear
// only where the preset has them.
func TestPresetDescribe(t *testing.T) {
	p := &Preset{Name: "x", Title: "X", Provenance: "the X docs", GrantType: "client_credentials", Audience: "token_endpoint",
		TokenPath: "/oauth/token", Algs: []string{"RS256", "ES256"}, Lifetime: time.Minute, MaxLifetime: 10 * time.Minute,
		ScopeIn: "claim", Subject: "none", KeyID: "required"}
	p.Headers.Typ, p.Headers.X5T, p.Headers.X5C = "JWT", true, true
	rows, after := rowsOf(p)
	for name, want := range map[string]string{
		"grant_type": "client_credentials (when the definition sets no grant_type:)",
		"audience":   "token_endpoint (the token endpoint URL)",
		"token_url":  "<issuer>/oauth/token unless the definition gives token_url",
		"issuer":     "from the definition",
		"alg":        "from the key (RSA RS256, P-256 ES256, P-384 ES384, P-521 ES512, Ed25519 EdDSA)",
		"algs":       "RS256 ES256",
		"lifetime":   "60s (max 10m)",
		"scope":      "as " + p.ScopeIn.Words(),
		"sub":        "not sent",
		"key id":     "required",
		"headers":    "typ: JWT, x5c, x5t",
	} {
		if rows[name] != want {
			t.Errorf("%s: %q, want %q", name, rows[name], want)
		}
	}
	if _, ok := rows["dpop"]; ok {
		t.Error("a dpop row for a preset without DPoP")
	}
	if _, ok := rows["par"]; ok {
		t.Error("a par row for a preset without PAR")
	}
	if fmt.Sprint(after) != "[provenance: the X docs]" {
		t.Errorf("after %q", after)
	}
	if got := p.Summary(); strings.Join(got, "|") != "x|client_credentials|token_endpoint|from key|60s (max 10m)|X" || len(got) != len(PresetColumns) {
		t.Errorf("Summary %q", got)
	}

	p.Alg, p.TokenURL = "PS256", "https://idp.example/token"
	p.Headers.Typ, p.Headers.X5T, p.Headers.X5C = "", false, false
	p.DPoP, p.PARPath, p.GrantType, p.GrantNote = true, "/par", "authorization_code", "a user logs in"
	rows, after = rowsOf(p)
	for name, want := range map[string]string{
		"alg":       "PS256",
		"token_url": "https://idp.example/token",
		"headers":   "none beyond alg",
		"dpop":      "DPoP-bound tokens (RFC 9449) by default; proofs ES256",
		"par":       "authorization_code: par: true pushes the authorization request (RFC 9126), at <issuer>/par unless the definition gives par_endpoint",
	} {
		if rows[name] != want {
			t.Errorf("%s: %q, want %q", name, rows[name], want)
		}
	}
	if fmt.Sprint(after) != "[why authorization_code: a user logs in provenance: the X docs]" {
		t.Errorf("after %q", after)
	}
	if got := p.Summary()[3]; got != "PS256" {
		t.Errorf("Summary's alg %q", got)
	}

	p.RequireDPoP, p.DPoPAlgs, p.PAR, p.PARPath = true, []string{"ES384", "EdDSA"}, true, ""
	rows, _ = rowsOf(p)
	if rows["dpop"] != "DPoP-bound tokens (RFC 9449), required; proofs ES384 EdDSA" ||
		rows["par"] != "authorization_code: pushed authorization requests (RFC 9126) by default, at par_endpoint: or the server's metadata" {
		t.Errorf("dpop %q, par %q", rows["dpop"], rows["par"])
	}
	p.RequirePAR = true
	if rows, _ = rowsOf(p); !strings.HasPrefix(rows["par"], "authorization_code: pushed authorization requests (RFC 9126) required,") {
		t.Errorf("par %q", rows["par"])
	}
}

func TestFindPreset(t *testing.T) {
	if p, err := FindPreset("duende"); err != nil || p.Name != "duende" {
		t.Fatalf("duende: %v %v", p, err)
	}
	for name, want := range map[string]string{
		"duend":           `unknown preset "duend"; did you mean "duende"? (` + "`postmint presets`" + ` lists them)`,
		"nothing-like-it": `unknown preset "nothing-like-it"; run ` + "`postmint presets`" + ` to list them`,
	} {
		p, err := FindPreset(name)
		if p != nil || !errors.Is(err, ErrUnknownPreset) || err.Error() != want {
			t.Errorf("%s: %v, %v", name, p, err)
		}
	}
}
