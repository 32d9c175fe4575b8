package postman

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/postmint/postmint/generator/dpop"
	"github.com/postmint/postmint/generator/oauth"
)

// nonceLookup is one request of a nonce case: the token request (token) or an API request
// to url, and the nonce its proof must carry.
type nonceLookup struct {
	URL   string `json:"url"`
	Token bool   `json:"token"`
	Want  string `json:"-"`
}

// nonceCase is an environment's nonces, the API answers the collection script takes first
// (stores: URL, DPoP-Nonce), then the lookups.
type nonceCase struct {
	Name          string        `json:"-"`
	TokenURL      string        `json:"tokenURL"`
	DPoPNonce     string        `json:"dpopNonce"`
	DPoPAPINonces string        `json:"dpopApiNonces"`
	Stores        [][2]string   `json:"stores"`
	Lookups       []nonceLookup `json:"lookups"`
}

func nonceCases() []nonceCase {
	const tokenURL = "https://idp.example.com/connect/token"
	api := `{"https://api.example.com":"n-api","https://idp.example.com":"n-idp-api","https://api.example.com:443":"n-443",` +
		`"http://api.example.com:80":"n-80","https://api.example.com:8443":"n-8443","http://[::1]:8080":"n-v6","http://[::1]":"n-v6-default",` +
		`"http://[fe80::1]:8080":"n-v6-upper"}`
	many := func(from, to int) [][2]string {
		var s [][2]string
		for i := from; i < to; i++ {
			s = append(s, [2]string{fmt.Sprintf("https://api%d.example.com/x", i), fmt.Sprintf("n%d", i)})
		}
		return s
	}
	look := func(url, want string) nonceLookup { return nonceLookup{URL: url, Want: want} }
	return []nonceCase{
		{Name: "token endpoint and an API on its origin", TokenURL: tokenURL, DPoPNonce: "n-token", DPoPAPINonces: api, Lookups: []nonceLookup{
			{URL: tokenURL, Token: true, Want: "n-token"},
			look("https://idp.example.com/userinfo", "n-idp-api"),
			look("https://IDP.example.com/connect/token", "n-idp-api"),
		}},
		{Name: "token endpoint with query", TokenURL: tokenURL + "?tenant=a", DPoPNonce: "n-token", DPoPAPINonces: api, Lookups: []nonceLookup{
			{URL: tokenURL + "?tenant=a", Token: true, Want: "n-token"},
		}},
		{Name: "case, ports, userinfo, query, fragment", TokenURL: tokenURL, DPoPAPINonces: api, Lookups: []nonceLookup{
			look("https://API.Example.COM/orders", "n-api"),
			look("HTTPS://api.example.com/orders", "n-api"),
			look("https://api.example.com:443/orders", "n-443"),
			look("http://api.example.com:80/orders", "n-80"),
			look("https://api.example.com:8443/orders", "n-8443"),
			look("https://api.example.com:/orders", "n-api"),
			look("https://user:pw@api.example.com/orders", "n-api"),
			look("https://user@API.example.com:8443/orders", "n-8443"),
			look("https://api.example.com/orders?page=2#top", "n-api"),
			look("https://api.example.com?page=2", "n-api"),
			look("https://api.example.com", "n-api"),
			look("https://other.example.com/orders", ""),
		}},
		{Name: "IPv6", TokenURL: tokenURL, DPoPAPINonces: api, Lookups: []nonceLookup{
			look("http://[::1]:8080/x", "n-v6"),
			look("http://[::1]/x", "n-v6-default"),
			look("http://[FE80::1]:8080/x", "n-v6-upper"),
		}},
		{Name: "no API nonces", TokenURL: tokenURL, Lookups: []nonceLookup{look("https://api.example.com/x", "")}},
		{Name: "not JSON", TokenURL: tokenURL, DPoPAPINonces: `{"https://api.example.com":`, Lookups: []nonceLookup{look("https://api.example.com/x", "")}},
		{Name: "JSON null", TokenURL: tokenURL, DPoPAPINonces: `null`, Lookups: []nonceLookup{look("https://api.example.com/x", "")}},
		{Name: "JSON string", TokenURL: tokenURL, DPoPAPINonces: `"https://api.example.com"`, Lookups: []nonceLookup{look("https://api.example.com/x", "")}},
		{Name: "JSON array", TokenURL: tokenURL, DPoPAPINonces: `["n-api"]`, Lookups: []nonceLookup{look("https://api.example.com/x", "")}},
		{Name: "a number, an object and a string entry", TokenURL: tokenURL,
			DPoPAPINonces: `{"https://api.example.com":5,"https://b.example.com":{"n":"x"},"https://c.example.com":"n-c"}`, Lookups: []nonceLookup{
				look("https://api.example.com/x", ""), look("https://b.example.com/x", ""), look("https://c.example.com/x", "n-c"),
			}},
		{Name: "stored after an array", TokenURL: tokenURL, DPoPAPINonces: `[1]`, Stores: [][2]string{{"https://api.example.com/x", "n-new"}},
			Lookups: []nonceLookup{look("https://api.example.com/y", "n-new")}},
		{Name: "stored by origin, not by URL", TokenURL: tokenURL, Stores: [][2]string{{"https://USER@API.example.com/orders?x=1", "n-1"}, {"https://api.example.com/other", "n-2"}},
			Lookups: []nonceLookup{look("https://api.example.com/orders", "n-2"), look("https://api.example.com:443/orders", "")}},
		{Name: "the 17th origin drops the oldest", TokenURL: tokenURL, Stores: many(0, oauth.MaxAPINonces+1),
			Lookups: []nonceLookup{look("https://api0.example.com/x", ""), look("https://api1.example.com/x", "n1"), look("https://api16.example.com/x", "n16")}},
		{Name: "an origin that answers again becomes the newest", TokenURL: tokenURL,
			Stores:  append(append(many(0, oauth.MaxAPINonces), [2]string{"https://api0.example.com/y", "n0b"}), many(16, 17)...),
			Lookups: []nonceLookup{look("https://api0.example.com/x", "n0b"), look("https://api1.example.com/x", ""), look("https://api16.example.com/x", "n16")}},
	}
}

// TestDPoPNonceParity: the collection script (on node, with the configuration generate gives
// it) and Go (dpop.Nonces, which postmint dpop uses) pick the same nonce for the same request,
// and the one each case expects: Go reads dpopApiNonces as the script left it after its
// stores. The script cannot be wrong in the same way as Go unnoticed: every lookup has its
// expected nonce.
func TestDPoPNonceParity(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH")
	}
	if _, err := os.Stat(filepath.Join("..", "..", "testdata", "e2e", "node_modules", "postman-collection", "package.json")); err != nil {
		t.Fatalf("testdata/e2e/node_modules is missing (%v): run npm ci --prefix testdata/e2e", err)
	}
	cases := nonceCases()
	dir := t.TempDir()
	write := func(name string, v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "node", filepath.Join("testdata", "nonces.js"), write("config.json", scriptConfig()), write("cases.json", cases)).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("node testdata/nonces.js: %v\n%s", err, msg)
	}
	var got []struct {
		Nonces    []string
		APINonces string
	}
	if err := json.Unmarshal(out, &got); err != nil || len(got) != len(cases) {
		t.Fatalf("node answered %d cases for %d (%v):\n%s", len(got), len(cases), err, out)
	}
	for i, c := range cases {
		js := got[i]
		n := dpop.Nonces{TokenURL: c.TokenURL, Token: c.DPoPNonce, API: js.APINonces}
		for j, l := range c.Lookups {
			goNonce := n.For(l.URL)
			if goNonce != js.Nonces[j] || goNonce != l.Want {
				t.Errorf("%s: %s (token request: %v): script %q, Go %q, want %q (dpopApiNonces %s)", c.Name, l.URL, l.Token, js.Nonces[j], goNonce, l.Want, js.APINonces)
			}
		}
		if len(c.Stores) > 0 {
			var kept map[string]any
			if err := json.Unmarshal([]byte(js.APINonces), &kept); err != nil || len(kept) > oauth.MaxAPINonces {
				t.Errorf("%s: the script kept %d origins (at most %d): %s", c.Name, len(kept), oauth.MaxAPINonces, js.APINonces)
			}
		}
	}
}
