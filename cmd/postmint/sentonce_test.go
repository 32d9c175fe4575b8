package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGenerateRefusesParametersSentTwice: a form parameter or claim is sent once (RFC 6749
// §3.2). A definition that sends scope twice, client_id twice, or sets a parameter or claim
// postmint owns gets one postmint: line naming the field, exit 1, and nothing is written.
func TestGenerateRefusesParametersSentTwice(t *testing.T) {
	keyPath, keyPEM, _ := fixtureKey(t, "rsa2048.pkcs8.pem")
	for _, tc := range []struct{ name, def, field string }{
		{"scope-and-form-scope", "scope: a\nform: {scope: b}\n", "form.scope"},
		{"scope-and-claims-scope", "scope: a\nclaims: {scope: b}\n", "claims.scope"},
		{"client-id-twice", "send_client_id: true\nform: {client_id: other}\n", "form.client_id"},
		{"form-grant-type", "form: {grant_type: password}\n", "form.grant_type"},
		{"form-client-assertion", "form: {client_assertion: x}\n", "form.client_assertion"},
		{"form-client-assertion-type", "form: {client_assertion_type: x}\n", "form.client_assertion_type"},
		{"form-assertion", "form: {assertion: x}\n", "form.assertion"},
		{"claims-iss", "claims: {iss: x}\n", "claims.iss"},
		{"claims-sub-not-text", "claims: {sub: {a: 1}}\n", "claims.sub"},
		{"scope-in-unknown", "scope_in: header\n", "scope_in"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkGenerateRefuses(t, keyPath, keyPEM, "version: 1\nname: twice\nclient_id: c1\ntoken_url: https://idp.example.test/token\n"+tc.def, tc.field)
		})
	}
}

// checkGenerateRefuses runs generate on the definition src: one postmint: line naming field,
// exit 1, no secret on stderr, nothing written.
func checkGenerateRefuses(t *testing.T, keyPath string, keyPEM []byte, src, field string) {
	t.Helper()
	dir := t.TempDir()
	def := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(def, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runPM("generate", "-c", def, "-k", keyPath, "-o", out)
	checkFailure(t, code, stdout, stderr)
	checkNoSecrets(t, stderr, keyPEM)
	if !strings.Contains(stderr, " "+field+":") {
		t.Errorf("stderr does not name %s: %s", field, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("%s was written", out)
	}
}
