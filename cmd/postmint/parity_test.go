package main

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"go.yaml.in/yaml/v3"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/generator/postman"
	"github.com/postmint/postmint/internal/e2e"
)

// The parity test proves "one client, one behaviour": for the same definition, postmint token
// (Go), the collection's Auth / Get token and the collection's automatic fetch before an API
// request (both in real Newman 6) send the same token request: the same form parameters and
// values, the same JOSE header, the same claims but jti, iat and exp, and the same lifetime.
// All three post to a capturing token endpoint of the e2e harness, which records what arrived.
// Every captured assertion's signature is verified with the public key, and each variant states
// what must arrive where, so that three paths agreeing on a wrong request still fails.

// parityPaths are the three ways a token request is made, in the order the test makes them.
var parityPaths = []string{"postmint token", "Get token", "auto-fetch"}

// parityCase is one definition sent along the three paths.
type parityCase struct {
	label string // the capture label: letters, digits, '-'
	def   string // YAML without version/name/client_id/token_url/requests
	key   string // key fixture; default rsa2048
	cert  bool   // certificate: the key's certificate
	// handBuilt strips the environment down to the contract's variables (as a user following
	// the seed documents would write it): Go then reads it with token -e, and every side must
	// read the absent ones as oauth's table says.
	handBuilt bool
	// check states what the request must carry (nil: only that the scope arrived somewhere).
	check func(form url.Values, header, claims map[string]any) error
	// dpopAlg: every path must send a DPoP proof with this alg, for POST to the token URL.
	dpopAlg string
}

func TestParityTokenRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs Newman")
	}
	e2e.RequireHarness(t)
	keyPaths := map[string]string{}
	signers := map[string]crypto.Signer{}
	for _, name := range []string{"rsa2048", "ec-p256"} {
		p, _, s := fixtureKey(t, name+".pkcs8.pem")
		keyPaths[name], signers[name] = p, s
	}
	certPath, err := filepath.Abs(repoFile("testdata", "keys", "rsa2048.crt.pem"))
	if err != nil {
		t.Fatal(err)
	}
	prov := e2e.Start(t, []e2e.Client{{ClientID: "parity-unused", Alg: "RS256", JWKS: e2e.JWKS(t, e2e.Key{KID: "k", Public: signers["rsa2048"].Public()})}})

	cases := parityCases()
	dir := t.TempDir()
	var runs []e2e.BatchRun
	for _, tc := range cases {
		keyName := tc.key
		if keyName == "" {
			keyName = "rsa2048"
		}
		src := fmt.Sprintf("version: 1\nname: parity %s\nclient_id: parity-%s\ntoken_url: %s/%s/token\nissuer: %s\n%s",
			tc.label, tc.label, prov.Capture, tc.label, prov.Issuer, tc.def)
		if tc.cert {
			src += "certificate: " + certPath + "\n"
		}
		src += "requests:\n  - name: Who am I\n    url: " + prov.API + "\n"
		defPath := filepath.Join(dir, tc.label+".yaml")
		if err := os.WriteFile(defPath, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, tc.label)
		code, stdout, stderr := runPM("generate", "-c", defPath, "-k", keyPaths[keyName], "-o", out)
		if code != 0 {
			t.Fatalf("%s: generate: %s", tc.label, stderr)
		}
		files := strings.Fields(stdout)
		goArgs := []string{"token", "-c", defPath, "-k", keyPaths[keyName]}
		if tc.handBuilt {
			env := readEnv(t, files[1])
			stripped := postman.NewEnvironment("hand-built", "hand built", nil)
			for _, v := range env.Variables() {
				if _, ok := oauth.Absents()[v.Key]; !ok {
					stripped.Set(v.Key, v.Value, v.Type)
				}
			}
			writeEnv(t, files[1], stripped)
			goArgs = []string{"token", "-e", files[1]}
		}
		if code, _, stderr := runPM(goArgs...); code != 0 {
			t.Fatalf("%s: postmint %v: %s", tc.label, goArgs, stderr)
		}
		runs = append(runs, e2e.BatchRun{Collection: files[0], Environment: files[1], Folder: "Auth"},
			e2e.BatchRun{Collection: files[0], Environment: files[1], Folder: "API"})
	}
	start := time.Now()
	results := e2e.NewmanBatch(t, runs)
	t.Logf("%d Newman runs in %v", len(runs), time.Since(start).Round(time.Millisecond))
	for i, r := range results {
		if r.Failed {
			t.Errorf("%s --folder %s failed: %v", cases[i/2].label, runs[i].Folder, r.Failures)
		}
	}

	byLabel := map[string][]e2e.Capture{}
	for _, c := range prov.Captures(t) {
		byLabel[c.Label] = append(byLabel[c.Label], c)
	}
	for _, tc := range cases {
		t.Run(tc.label, func(t *testing.T) {
			got := byLabel[tc.label]
			if len(got) != len(parityPaths) {
				t.Fatalf("captured %d token requests, want one per path (%s)", len(got), strings.Join(parityPaths, ", "))
			}
			keyName := tc.key
			if keyName == "" {
				keyName = "rsa2048"
			}
			var first, prev *normalRequest
			for i, c := range got {
				n, err := normalize(c, signers[keyName].Public())
				if err != nil {
					t.Fatalf("%s: %v", parityPaths[i], err)
				}
				if scope := requestedScope(tc.def); scope != "" && n.form.Get("scope") != scope && n.claims["scope"] != scope {
					t.Errorf("%s: the requested scope %q arrived neither in the form (%q) nor as a claim (%v)", parityPaths[i], scope, n.form.Get("scope"), n.claims["scope"])
				}
				if tc.dpopAlg != "" && (n.dpop == nil || n.dpop["alg"] != tc.dpopAlg || n.dpop["typ"] != "dpop+jwt" || n.dpop["htm"] != "POST" ||
					n.dpop["htu"] != prov.Capture+"/"+tc.label+"/token" || n.dpop["ath"] != false) {
					t.Errorf("%s: DPoP proof %v, want typ dpop+jwt, alg %s, POST to the token URL, no ath", parityPaths[i], n.dpop, tc.dpopAlg)
				}
				if tc.check != nil {
					if err := tc.check(n.form, n.header, n.claims); err != nil {
						t.Errorf("%s: %v", parityPaths[i], err)
					}
				}
				if first == nil {
					first, prev = n, n
					continue
				}
				if !reflect.DeepEqual(n.form, first.form) {
					t.Errorf("form differs:\n  %s: %v\n  %s: %v", parityPaths[0], first.form, parityPaths[i], n.form)
				}
				// Go posts url.Values, which encodes in key order; the two collection paths
				// build one list and send it in the same order.
				if i == 2 && !reflect.DeepEqual(n.order, prev.order) {
					t.Errorf("form order differs:\n  %s: %v\n  %s: %v", parityPaths[1], prev.order, parityPaths[i], n.order)
				}
				if !reflect.DeepEqual(n.header, first.header) {
					t.Errorf("JOSE header differs:\n  %s: %v\n  %s: %v", parityPaths[0], first.header, parityPaths[i], n.header)
				}
				if !reflect.DeepEqual(n.claims, first.claims) {
					t.Errorf("claims differ:\n  %s: %v\n  %s: %v", parityPaths[0], first.claims, parityPaths[i], n.claims)
				}
				if !reflect.DeepEqual(n.dpop, first.dpop) {
					t.Errorf("DPoP proof differs:\n  %s: %v\n  %s: %v", parityPaths[0], first.dpop, parityPaths[i], n.dpop)
				}
				if n.lifetime != first.lifetime {
					t.Errorf("lifetime: %s %v s, %s %v s", parityPaths[0], first.lifetime, parityPaths[i], n.lifetime)
				}
				prev = n
			}
		})
	}
}

// requestedScope is the scope a case's definition asks for with scope: ("" for none).
func requestedScope(def string) string {
	var d struct {
		Scope config.Scope `yaml:"scope"`
	}
	if err := yaml.Unmarshal([]byte(def), &d); err != nil {
		return ""
	}
	return d.Scope.String()
}

// normalRequest is a captured token request made comparable: the form as a map without the
// assertion, the parameter order, the decoded header and claims without jti/iat/exp, and exp - iat.
type normalRequest struct {
	form           url.Values
	order          []string
	header, claims map[string]any
	lifetime       float64
	// dpop is the DPoP proof made comparable (nil without one): typ, alg, the key's type and
	// curve, htm, htu, and whether nonce and ath came. The key itself differs by design (Go's
	// token -c signs with a new key each time).
	dpop map[string]any
}

func normalize(c e2e.Capture, pub crypto.PublicKey) (*normalRequest, error) {
	if !strings.HasPrefix(c.ContentType, "application/x-www-form-urlencoded") {
		return nil, fmt.Errorf("content type %q", c.ContentType)
	}
	n := &normalRequest{form: url.Values{}}
	var jws string
	for _, kv := range c.Form {
		n.order = append(n.order, kv[0])
		if kv[0] == "client_assertion" || kv[0] == "assertion" {
			if jws != "" {
				return nil, fmt.Errorf("two assertions")
			}
			jws = kv[1]
			continue
		}
		n.form.Add(kv[0], kv[1])
	}
	if jws == "" {
		return nil, fmt.Errorf("no assertion in %v", n.order)
	}
	if c.DPoP != nil {
		if c.DPoPError != "" {
			return nil, fmt.Errorf("the DPoP proof does not verify: %s", c.DPoPError)
		}
		jwk, _ := c.DPoP.Header["jwk"].(map[string]any)
		if jwk == nil || jwk["d"] != nil {
			return nil, fmt.Errorf("the DPoP proof's jwk is missing or private")
		}
		_, nonce := c.DPoP.Claims["nonce"]
		_, ath := c.DPoP.Claims["ath"]
		n.dpop = map[string]any{"typ": c.DPoP.Header["typ"], "alg": c.DPoP.Header["alg"], "kty": jwk["kty"], "crv": jwk["crv"],
			"htm": c.DPoP.Claims["htm"], "htu": c.DPoP.Claims["htu"], "nonce": nonce, "ath": ath}
	}
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("the assertion is not a compact JWS")
	}
	for i, dst := range []*map[string]any{&n.header, &n.claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return nil, err
		}
	}
	alg, _ := n.header["alg"].(string)
	if _, err := jwt.Parse(jws, func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{alg}), jwt.WithIssuedAt(), jwt.WithExpirationRequired(), jwt.WithLeeway(5*time.Second)); err != nil {
		return nil, fmt.Errorf("the assertion's signature or times do not verify: %w", err)
	}
	iat, _ := n.claims["iat"].(float64)
	exp, _ := n.claims["exp"].(float64)
	if jti, _ := n.claims["jti"].(string); !uuid4RE.MatchString(jti) {
		return nil, fmt.Errorf("jti %v is not a UUID v4", n.claims["jti"])
	}
	n.lifetime = exp - iat
	for _, k := range []string{"jti", "iat", "exp"} {
		delete(n.claims, k)
	}
	return n, nil
}

// parityCases: every preset (and none) on both grants, and the variants the issue names.
func parityCases() []parityCase {
	var cases []parityCase
	for _, preset := range append([]string{""}, config.PresetNames()...) {
		for _, grant := range []string{config.GrantClientCredentials, config.GrantJWTBearer} {
			label := "preset-" + preset
			if preset == "" {
				label = "no-preset"
			}
			label += "-" + strings.ReplaceAll(grant, "_", "-")
			def := "grant_type: " + grant + "\nkid: kid-parity\nscope: [orders.read, orders.write]\n"
			if preset != "" {
				def = "preset: " + preset + "\n" + def
			}
			if p, ok := config.LookupPreset(preset); ok && strings.Contains(p.Alg, "ES") {
				def += "alg: RS256\n"
			}
			cases = append(cases, parityCase{label: label, def: def, cert: preset == "entra"})
		}
	}
	return append(cases,
		parityCase{label: "dpop-es256", def: "dpop: true\nscope: orders.read\n", dpopAlg: "ES256"},
		parityCase{label: "dpop-eddsa", def: "dpop: true\ndpop_alg: EdDSA\n", dpopAlg: "EdDSA"},
		parityCase{label: "scope-string", def: "scope: orders.read orders.write\n",
			check: formScope("orders.read orders.write")},
		parityCase{label: "scope-list", def: "scope: [orders.read, orders.write]\n",
			check: formScope("orders.read orders.write")},
		parityCase{label: "form-without-scope-key", def: "scope: orders.read\nform:\n  resource: https://api.example.test/\n",
			check: all(formScope("orders.read"), formParam("resource", "https://api.example.test/"))},
		parityCase{label: "form-with-scope-key", def: "form:\n  scope: api.read\n  resource: https://api.example.test/\n",
			check: all(formScope("api.read"), formParam("resource", "https://api.example.test/"))},
		parityCase{label: "claims-nested-nonascii-sub", def: "grant_type: jwt_bearer\nscope: orders.read\nclaims:\n  tenant: \"Acme & Söhne <Zürich> \\u2028\"\n  org: {id: 42, tags: [a, \"b/2\"], ratio: 1.5, beta: true}\n  sub: user-42\n",
			check: func(_ url.Values, _, c map[string]any) error {
				org, _ := c["org"].(map[string]any)
				if c["sub"] != "user-42" || c["tenant"] != "Acme & Söhne <Zürich> \u2028" || org == nil || org["id"] != float64(42) {
					return fmt.Errorf("claims %v: want sub user-42, the tenant text and org.id 42", c)
				}
				return nil
			}},
		parityCase{label: "typ-set", def: "headers: {typ: client-authentication+jwt}\n",
			check: headerParam("typ", "client-authentication+jwt")},
		parityCase{label: "typ-empty", def: "headers: {typ: \"\"}\n",
			check: headerParam("typ", nil)},
		parityCase{label: "x5c-x5t-x5tS256", def: "headers: {x5c: true, x5t: true, x5t#S256: true}\n", cert: true,
			check: func(_ url.Values, h, _ map[string]any) error {
				if x5c, _ := h["x5c"].([]any); len(x5c) != 1 || h["x5t"] == nil || h["x5t#S256"] == nil {
					return fmt.Errorf("header %v: want x5c with the certificate, x5t and x5t#S256", h)
				}
				return nil
			}},
		parityCase{label: "send-client-id-true", def: "send_client_id: true\n", check: formParam("client_id", "parity-send-client-id-true")},
		parityCase{label: "send-client-id-false", def: "send_client_id: false\n", check: formParam("client_id", "")},
		parityCase{label: "scope-in-both", def: "scope: orders.read\nscope_in: both\n",
			check: all(formScope("orders.read"), claim("scope", "orders.read"))},
		parityCase{label: "hydra-jwt-bearer-scope-in-form", def: "preset: hydra\ngrant_type: jwt_bearer\nscope: orders.read\n",
			check: all(formScope("orders.read"), claim("scope", nil))},
		parityCase{label: "maskinporten-scope-claim", def: "preset: maskinporten\nkid: k1\nscope: test:read\n",
			check: all(formParam("scope", ""), claim("scope", "test:read"))},
		parityCase{label: "es256-key", def: "scope: orders.read\n", key: "ec-p256", check: headerParam("alg", "ES256")},
		parityCase{label: "hand-built-environment", def: "scope: orders.read\nsend_client_id: false\n", handBuilt: true,
			check: all(formScope("orders.read"), formParam("client_id", ""), claim("iss", "parity-hand-built-environment"))},
	)
}

func all(checks ...func(url.Values, map[string]any, map[string]any) error) func(url.Values, map[string]any, map[string]any) error {
	return func(f url.Values, h, c map[string]any) error {
		for _, check := range checks {
			if err := check(f, h, c); err != nil {
				return err
			}
		}
		return nil
	}
}

func formScope(want string) func(url.Values, map[string]any, map[string]any) error {
	return formParam("scope", want)
}

// formParam wants the form parameter to be want ("" for absent) and sent once.
func formParam(name, want string) func(url.Values, map[string]any, map[string]any) error {
	return func(f url.Values, _, _ map[string]any) error {
		if got := f[name]; (want == "" && len(got) != 0) || (want != "" && !reflect.DeepEqual(got, []string{want})) {
			keys := make([]string, 0, len(f))
			for k := range f {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			return fmt.Errorf("form %s = %q, want %q (form has %v)", name, got, want, keys)
		}
		return nil
	}
}

// headerParam wants the JOSE header member to be want (nil for absent).
func headerParam(name string, want any) func(url.Values, map[string]any, map[string]any) error {
	return func(_ url.Values, h, _ map[string]any) error {
		if got, ok := h[name]; (want == nil && ok) || (want != nil && got != want) {
			return fmt.Errorf("header %s = %v, want %v", name, got, want)
		}
		return nil
	}
}

// claim wants the claim to be want (nil for absent).
func claim(name string, want any) func(url.Values, map[string]any, map[string]any) error {
	return func(_ url.Values, _, c map[string]any) error {
		if got, ok := c[name]; (want == nil && ok) || (want != nil && got != want) {
			return fmt.Errorf("claim %s = %v, want %v", name, got, want)
		}
		return nil
	}
}
