package templates

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/postmint/postmint/generator/oauth"
)

// writeScriptConfig writes the part of the collection script's config that response.js reads
// (postman's scriptConfig holds the same values) and returns its path.
func writeScriptConfig(t *testing.T) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"serverText":       oauth.ServerTextRules,
		"maxExpiresIn":     oauth.MaxExpiresIn,
		"defaultExpiresIn": oauth.DefaultExpiresIn,
	})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// serverTextCases are values a server may send, good and hostile, for every field of the table.
func serverTextCases() [][2]string {
	values := []string{
		"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "AbC-._~+/09==", "{{privateKey}}", "{{dpopKey}}",
		"a b", "a\r\nSet-Cookie: x", "ä", "Bearer", "DPoP", "urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c",
		"https://as.example/par", "https://as.example/{{privateKey}}", "http://127.0.0.1:8080/token", "javascript:alert(1)",
		"nonce-\"quoted\"", "n0nce{single}", "refresh token with spaces", "tok{{en", "x:", "=abc", "abc=x",
		strings.Repeat("n", 512), strings.Repeat("n", 513), strings.Repeat("t", 64<<10), strings.Repeat("t", 64<<10+1),
		strings.Repeat("ü", 40), "\x00", "~",
	}
	var cases [][2]string
	for field := range oauth.ServerTextRules {
		for _, v := range values {
			cases = append(cases, [2]string{field, v})
		}
	}
	return cases
}

// TestServerTextParity: the collection script (response.js, on node) and Go (oauth) give the
// same verdict, word for word, on every case, from the one table; and clamp expires_in alike.
func TestServerTextParity(t *testing.T) {
	nodeModules(t)
	cases := serverTextCases()
	clamps := []float64{-1, 0, 0.5, 1, 299.9, 3600, oauth.MaxExpiresIn, oauth.MaxExpiresIn + 1, 1e10, 1e300}
	in, _ := json.Marshal(map[string]any{"cases": cases, "clamps": clamps})
	inPath := filepath.Join(t.TempDir(), "cases.json")
	if err := os.WriteFile(inPath, in, 0o600); err != nil {
		t.Fatal(err)
	}
	driver := `const fs = require('fs'), vm = require('vm');
const ctx = vm.createContext({});
vm.runInContext(fs.readFileSync('response.js', 'utf8'), ctx);
const cfg = JSON.parse(fs.readFileSync(process.argv[1], 'utf8'));
const input = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
process.stdout.write(JSON.stringify({
  checks: input.cases.map(([f, v]) => ctx.postmintCheckText(cfg.serverText, f, v)),
  clamps: input.clamps.map((s) => ctx.postmintClamp(cfg, s)),
}));`
	out := run(t, time.Minute, "node", "-e", driver, writeScriptConfig(t), inPath)
	var got struct {
		Checks []string
		Clamps []int64
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	if len(got.Checks) != len(cases) || len(got.Clamps) != len(clamps) {
		t.Fatalf("node answered %d checks and %d clamps, want %d and %d", len(got.Checks), len(got.Clamps), len(cases), len(clamps))
	}
	refused := 0
	for i, c := range cases {
		want := ""
		if err := oauth.CheckServerText(c[0], c[1]); err != nil {
			want = err.Error()
			refused++
		}
		if got.Checks[i] != want {
			t.Errorf("%s %.40q: script %q, Go %q", c[0], c[1], got.Checks[i], want)
		}
		if want != "" && len(c[1]) > 2 && strings.Contains(want, c[1]) {
			t.Errorf("%s: the refusal shows the value: %s", c[0], want)
		}
	}
	for i, s := range clamps {
		if want := oauth.ClampExpiresIn(s); got.Clamps[i] != want {
			t.Errorf("expires_in %g: script %d, Go %d", s, got.Clamps[i], want)
		}
	}
	// Both verdicts occur: the cases exercise the table, not only one side of it.
	if refused == 0 || refused == len(cases) {
		t.Fatalf("%d of %d cases refused", refused, len(cases))
	}
	t.Logf("%d cases over %d fields, %d refused; Go and the script agree", len(cases), len(oauth.ServerTextRules), refused)
}
