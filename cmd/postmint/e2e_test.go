package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/postmint/postmint/internal/testkeys"

	"github.com/postmint/postmint/internal/e2e"
)

// testKeys are throwaway keys made once per test binary, one per key type.
type testKeys struct {
	rsa              *rsa.PrivateKey
	p256, p384, p521 *ecdsa.PrivateKey
	ed               ed25519.PrivateKey
}

func newTestKeys(t *testing.T) *testKeys {
	t.Helper()
	s := testkeys.Keys()
	return &testKeys{rsa: s.RSA, p256: s.P256, p384: s.P384, p521: s.P521, ed: s.Ed25519}
}

func (k *testKeys) forAlg(alg string) crypto.Signer { return testkeys.ForAlg(alg) }

// writePKCS8 writes a key as PKCS#8 PEM (0600) and returns the path.
func writePKCS8(t *testing.T, dir, name string, s crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(s)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// selfSigned makes a certificate for s (for x5c) and writes it as PEM.
func selfSigned(t *testing.T, dir, name string, s crypto.Signer) (string, string) {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42),
		Subject:      pkix.Name{CommonName: "postmint e2e " + name, Organization: []string{"Test"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(90 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, s.Public(), s)
	if err != nil {
		t.Fatal(err)
	}
	p := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, p, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, string(p)
}

// runCLI runs postmint in-process and fails the test on a non-zero exit.
func runCLI(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := Run(append([]string{"postmint"}, args...), &out, &errb); code != 0 {
		t.Fatalf("postmint %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
	}
	return out.String()
}

// e2eCase is one generated collection proven against the real provider.
type e2eCase struct {
	name       string
	client     e2e.Client
	definition string // YAML without version/name/client_id/requests
	cert       bool   // write a certificate for the key and reference it
	requests   int    // API requests in the collection (default 1)
	runnerArgs []string
	wantTokens int // tokens the provider must have issued to the client in the run (default 1)
}

func TestE2EGeneratedCollections(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs Newman and the Postman CLI")
	}
	t.Parallel()
	e2e.RequireHarness(t)
	keys := newTestKeys(t)
	dir := t.TempDir()

	var cases []e2eCase
	for _, alg := range []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"} {
		cases = append(cases, e2eCase{
			name:       "alg-" + alg,
			client:     e2e.Client{Alg: alg, Audience: e2e.AudienceTokenEndpoint, Scope: "api.read"},
			definition: "alg: " + alg + "\ntoken_url: {{token}}\nscope: api.read\n",
		})
	}
	cases = append(cases,
		e2eCase{
			name:       "duende-token-endpoint",
			client:     e2e.Client{Alg: "RS256", Audience: e2e.AudienceTokenEndpoint, RequireClientID: true, Scope: "api.read api.write"},
			definition: "preset: duende\ntoken_url: {{token}}\nscope: [api.read, api.write]\n",
		},
		e2eCase{
			name:       "bcgov-issuer",
			client:     e2e.Client{Alg: "ES256", Audience: e2e.AudienceIssuer, RequireClientID: true},
			definition: "preset: bcgov\nalg: ES256\nissuer: {{issuer}}\ntoken_url: {{token}}\n",
		},
		e2eCase{
			name:       "rfc7523bis-issuer-typ",
			client:     e2e.Client{Alg: "PS256", Audience: e2e.AudienceIssuer, Typ: "client-authentication+jwt"},
			definition: "preset: rfc7523bis\nalg: PS256\nissuer: {{issuer}}\ntoken_url: {{token}}\n",
		},
		e2eCase{
			name:       "auth0-issuer-slash",
			client:     e2e.Client{Alg: "RS256", Audience: e2e.AudienceIssuerSlash},
			definition: "preset: auth0\nissuer: {{issuer}}\ntoken_url: {{token}}\n",
		},
		e2eCase{
			name:       "curity-ps256-kid",
			client:     e2e.Client{Alg: "PS256", Audience: e2e.AudienceTokenEndpoint, Scope: "read"},
			definition: "preset: curity\nkid: {{kid}}\ntoken_url: {{token}}\nscope: read\n",
		},
		e2eCase{
			name:       "maskinporten-jwt-grant-kid",
			client:     e2e.Client{Grant: e2e.GrantJWTBearer, Alg: "RS256", Scope: "test:read test:write"},
			definition: "preset: maskinporten\nkid: {{kid}}\ntoken_url: {{jwtgrant_token}}\nissuer: {{jwtgrant_issuer}}\nscope: [test:read, test:write]\nlifetime: 120s\n",
		},
		e2eCase{
			name:       "maskinporten-jwt-grant-x5c",
			client:     e2e.Client{Grant: e2e.GrantJWTBearer, Alg: "RS512", Scope: "test:read"},
			definition: "preset: maskinporten\nalg: RS512\nheaders: {x5c: true}\ncertificate: {{cert}}\ntoken_url: {{jwtgrant_token}}\nissuer: {{jwtgrant_issuer}}\nscope: test:read\n",
			cert:       true,
		},
		// A token that expires mid-run: 40 s of life, refreshed by the collection itself once
		// under 30 s are left. Requests are at least 6 s apart: Get token at t=0, API 1 at ~6 s
		// keeps it (34 s left; it would need a 4 s stall to refresh early), API 2 at >= 12 s
		// renews it (28 s left at most).
		e2eCase{
			name:       "short-ttl-refreshed-mid-run",
			client:     e2e.Client{Alg: "ES384", Audience: e2e.AudienceTokenEndpoint, AccessTokenTTL: 40},
			definition: "alg: ES384\ntoken_url: {{token}}\n",
			requests:   2,
			runnerArgs: []string{"--delay-request", "6000"},
			wantTokens: 2,
		},
	)

	// One provider for all cases; each case and runner is its own client, so that the
	// provider's token counts tell the runs apart.
	runners := []string{"newman", "postman-cli"}
	var clients []e2e.Client
	byRunner := map[string][]e2eCase{}
	for _, runner := range runners {
		for _, tc := range cases {
			tc.client.ClientID = runner + "-" + tc.name
			tc.client.JWKS = e2e.JWKS(t, e2e.Key{KID: "kid-" + tc.name, Public: keys.forAlg(tc.client.Alg).Public()})
			if tc.cert {
				_, p := selfSigned(t, dir, tc.client.ClientID+".crt.pem", keys.forAlg(tc.client.Alg))
				tc.client.Certificates = []string{p}
			}
			clients = append(clients, tc.client)
			byRunner[runner] = append(byRunner[runner], tc)
		}
	}
	prov := e2e.Start(t, clients)

	for _, runner := range runners {
		for _, tc := range byRunner[runner] {
			t.Run(runner+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				runCase(t, prov, keys, runner, tc)
			})
		}
	}
}

func runCase(t *testing.T, prov *e2e.Provider, keys *testKeys, runner string, tc e2eCase) {
	dir := t.TempDir()
	signer := keys.forAlg(tc.client.Alg)
	keyPath := writePKCS8(t, dir, "client.key.pem", signer)
	certPath := ""
	if tc.cert {
		// The certificate the provider was told to trust at start-up.
		certPath = filepath.Join(dir, "client.crt.pem")
		if err := os.WriteFile(certPath, []byte(tc.client.Certificates[0]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	n := tc.requests
	if n == 0 {
		n = 1
	}
	var reqs strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&reqs, "  - name: Who am I %d\n    method: GET\n    url: %s\n", i, prov.API)
	}
	def := strings.NewReplacer(
		"{{token}}", prov.TokenEndpoint,
		"{{issuer}}", prov.Issuer,
		"{{jwtgrant_token}}", prov.JWTGrantTokenEndpoint,
		"{{jwtgrant_issuer}}", prov.JWTGrantIssuer,
		"{{kid}}", "kid-"+tc.name,
		"{{cert}}", certPath,
	).Replace(tc.definition)
	if !strings.Contains(def, "kid:") {
		def += "kid: kid-" + tc.name + "\n"
	}
	src := fmt.Sprintf("version: 1\nname: E2E %s\nclient_id: %s\n%srequests:\n%s", tc.name, tc.client.ClientID, def, reqs.String())
	defPath := filepath.Join(dir, "client.yaml")
	if err := os.WriteFile(defPath, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := runCLI(t, "generate", "-c", defPath, "-k", keyPath, "-o", dir)
	paths := strings.Fields(out)
	if len(paths) != 2 {
		t.Fatalf("generate printed %q", out)
	}
	before := prov.TokensIssued(t, tc.client.ClientID)
	var run *e2e.Run
	var err error
	if runner == "newman" {
		run, err = e2e.Newman(t, paths[0], paths[1], tc.runnerArgs...)
	} else {
		run, err = e2e.PostmanCLI(t, paths[0], paths[1], tc.runnerArgs...)
	}
	if err != nil {
		t.Fatalf("%s: %v\nfailures: %v\noutput:\n%s\nserver:\n%s", runner, err, run.Failures, run.Output, prov.Logs())
	}
	got := run.Find("Get token")
	if len(got) != 1 || got[0].Code != 200 {
		t.Fatalf("Get token: %v\nfailures: %v", got, run.Failures)
	}
	for _, a := range got[0].Assertions {
		if !a.Passed() {
			t.Errorf("Get token test %q failed: %s", a.Name, a.Error)
		}
	}
	for i := 1; i <= n; i++ {
		api := run.Find(fmt.Sprintf("Who am I %d", i))
		// Newman's JSON reporter lists a request twice (same execution id) when its
		// pre-request script used pm.sendRequest; the provider's counters are the real check.
		if len(api) == 0 || len(api) > 2 || api[len(api)-1].Code != 200 {
			t.Fatalf("API %d: %v\nfailures: %v", i, api, run.Failures)
		}
		api = api[len(api)-1:]
		var who struct {
			ClientID string `json:"client_id"`
		}
		if err := json.Unmarshal([]byte(api[0].ResponseBody), &who); err != nil || who.ClientID != tc.client.ClientID {
			t.Errorf("API %d answered %q, want client %s", i, api[0].ResponseBody, tc.client.ClientID)
		}
		if !strings.HasPrefix(api[0].RequestHeaders["Authorization"], "Bearer ") {
			t.Errorf("API %d sent no bearer token: %v", i, api[0].RequestHeaders)
		}
	}
	if len(run.Failures) > 0 {
		t.Errorf("failures: %v", run.Failures)
	}
	want := tc.wantTokens
	if want == 0 {
		want = 1
	}
	if issued := prov.TokensIssued(t, tc.client.ClientID) - before; issued != want {
		t.Errorf("provider issued %d tokens in the run, want %d", issued, want)
	}
}
