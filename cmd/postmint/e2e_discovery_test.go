package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postmint/postmint/internal/e2e"
)

// TestE2EDiscovery: a definition with only issuer: gets its token endpoint from the provider's
// metadata, says so, and the generated collection works in Newman; a definition that the
// metadata contradicts gets warnings; an issuer without metadata is a clear error.
func TestE2EDiscovery(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	t.Parallel()
	e2e.RequireHarness(t)
	keys := newTestKeys(t)
	prov := e2e.Start(t, []e2e.Client{
		{ClientID: "disc", Alg: "EdDSA", Audience: e2e.AudienceTokenEndpoint, JWKS: e2e.JWKS(t, e2e.Key{KID: "d", Public: keys.ed.Public()})},
	})
	dir := t.TempDir()
	key := writePKCS8(t, dir, "k.pem", keys.ed)
	def := filepath.Join(dir, "client.yaml")
	src := "version: 1\nname: Discovered\nclient_id: disc\nkid: d\nissuer: " + prov.Issuer + "\nrequests:\n  - name: Who am I\n    url: " + prov.API + "\n"
	if err := os.WriteFile(def, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := Run([]string{"postmint", "generate", "-c", def, "-k", key, "-o", dir}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if want := "postmint: note: discovered token_url " + prov.TokenEndpoint + " (from " + prov.Discovery + ")"; !strings.Contains(errb.String(), want) {
		t.Errorf("stderr %q does not say %q", errb.String(), want)
	}
	paths := strings.Fields(out.String())
	run, err := e2e.Newman(t, paths[0], paths[1])
	if err != nil {
		t.Fatalf("%v\n%s", err, run.Output)
	}
	if api := run.Find("Who am I"); len(api) == 0 || api[len(api)-1].Code != 200 {
		t.Fatalf("API: %v", api)
	}

	// The metadata disagrees with the definition: warnings, still generated.
	if err := os.WriteFile(def, []byte("version: 1\nname: Disagrees\nclient_id: disc\nalg: ES512\ngrant_type: jwt_bearer\nkid: d\nissuer: "+prov.Issuer+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errb.Reset()
	if code := Run([]string{"postmint", "generate", "-c", def, "--no-key", "-o", dir}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "warning: the server does not list grant urn:ietf:params:oauth:grant-type:jwt-bearer") {
		t.Errorf("no grant warning in %q", errb.String())
	}

	// No metadata there: a clear one-line error, nothing written.
	if err := os.WriteFile(def, []byte("version: 1\nname: Nowhere\nclient_id: x\nalg: RS256\nissuer: "+prov.Issuer+"/nothing-here\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errb.Reset()
	nd := filepath.Join(dir, "none")
	if code := Run([]string{"postmint", "generate", "-c", def, "--no-key", "-o", nd}, &out, &errb); code != 1 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.HasPrefix(errb.String(), "postmint: ") || !strings.Contains(errb.String(), "no authorization server metadata") {
		t.Errorf("stderr = %q", errb.String())
	}
	if _, err := os.Stat(nd); !os.IsNotExist(err) {
		t.Error("output directory created on failure")
	}
}
