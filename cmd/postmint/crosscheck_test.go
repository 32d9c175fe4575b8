package main

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/postmint/postmint/generator/assertion"
	"github.com/postmint/postmint/generator/collection"
	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/generator/postman"
	"github.com/postmint/postmint/generator/profile"
	"github.com/postmint/postmint/internal/e2e"
)

// The cross-check proves the Go minting code (assertion.Mint, used by mint, token and refresh)
// and the collection's JavaScript (templates/signer.js + templates/collection.js, as placed in
// every generated collection) produce the same assertion for the same environment: for every
// preset and every algorithm, the same header and claims (but jti, iat, exp), the same
// lifetime, the same token request form in the same order, and each side's signature verifies
// with the other side's verifier. With the clock and jti pinned, both sign the very same bytes.

var allAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// crossDriver runs in node: it evaluates the collection-level script with a fake `pm` whose
// variables come from the environment and whose request is a token request (so the script
// defines `postmint` and fetches nothing), then signs with postmint.assertion() (once with the
// real clock, once pinned), lists postmint.form('X'), and verifies the Go token with
// node:crypto, which shares no code with either signer.
const crossDriver = `'use strict';
const fs = require('fs');
const vm = require('vm');
const nodeCrypto = require('crypto');
const input = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const realNow = Date.now;
const hashes = { '256': ['sha256', 32], '384': ['sha384', 48], '512': ['sha512', 64] };

function verify(token, jwk, alg) {
    const parts = token.split('.');
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    if (header.alg !== alg) {
        return 'header alg ' + header.alg + ', want ' + alg;
    }
    const data = Buffer.from(parts[0] + '.' + parts[1]);
    const sig = Buffer.from(parts[2], 'base64url');
    const key = nodeCrypto.createPublicKey({ key: jwk, format: 'jwk' });
    let ok;
    if (alg === 'EdDSA') {
        ok = nodeCrypto.verify(null, data, key, sig);
    } else {
        const [h, len] = hashes[alg.slice(2)];
        if (alg.startsWith('RS')) {
            ok = nodeCrypto.verify(h, data, key, sig);
        } else if (alg.startsWith('PS')) {
            // RFC 7518 section 3.5: MGF1 with the same hash, salt as long as the hash.
            ok = nodeCrypto.verify(h, data, { key, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: len }, sig);
        } else {
            // RFC 7518 section 3.4: R || S, each as long as the curve order.
            ok = nodeCrypto.verify(h, data, { key, dsaEncoding: 'ieee-p1363' }, sig);
        }
    }
    return ok ? '' : 'signature does not verify';
}

const out = [];
for (const c of input.cases) {
    const vars = {};
    for (const v of c.environment.values) {
        if (v.enabled !== false) {
            vars[v.key] = v.value;
        }
    }
    globalThis.require = require;
    globalThis.pm = {
        variables: { get: (k) => vars[k] },
        environment: { get: (k) => vars[k], set: (k, v) => { vars[k] = v; } },
        request: {
            body: { mode: 'urlencoded', urlencoded: { has: (k) => k === 'client_assertion' || k === 'assertion' } },
            url: { query: { has: () => false } },
        },
        sendRequest: () => { throw new Error('the cross-check must not send requests'); },
    };
    const r = { name: c.name };
    try {
        vm.runInThisContext(input.script, { filename: 'collection-script.js' });
        r.token = postmint.request(pm, 'grant').assertion;
        // Pinned: the clock, and the random bytes the signer draws its jti from (all 0x11,
        // which makes the UUID pinJti).
        const cryptoDesc = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
        Date.now = () => c.pinNow * 1000 + 321;
        Object.defineProperty(globalThis, 'crypto', { configurable: true, writable: true, value: { getRandomValues: (a) => a.fill(0x11) } });
        try {
            const pinned = postmint.request(pm, 'grant');
            r.pinned = pinned.assertion;
            r.form = pinned.form.map((f) => ({ key: f.key, value: f.value === pinned.assertion ? 'X' : f.value }));
        } finally {
            Date.now = realNow;
            Object.defineProperty(globalThis, 'crypto', cryptoDesc);
        }
        r.goVerify = verify(c.goToken, c.jwk, c.alg);
    } catch (e) {
        r.error = String(e && e.stack || e);
    }
    out.push(r);
}
process.stdout.write(JSON.stringify(out));
`

type crossCase struct {
	Name        string            `json:"name"`
	Environment map[string]any    `json:"environment"`
	GoToken     string            `json:"goToken"`
	JWK         map[string]string `json:"jwk"`
	Alg         string            `json:"alg"`
	PinNow      int64             `json:"pinNow"`
	PinJTI      string            `json:"pinJti"`

	profile  *oauth.Profile
	signer   crypto.Signer
	goPinned string
	envPath  string
	defPath  string
	keyPath  string
}

type crossResult struct {
	Name     string                        `json:"name"`
	Token    string                        `json:"token"`
	Pinned   string                        `json:"pinned"`
	Form     []struct{ Key, Value string } `json:"form"`
	GoVerify string                        `json:"goVerify"`
	Error    string                        `json:"error"`
}

// crossDefinition is the definition of one case: every preset with every alg, carrying extra
// claims of every JSON type (with characters that JSON encoders escape differently) and extra
// form parameters. The generic case adds typ, x5c and x5t#S256 from a certificate.
func crossDefinition(preset, alg, certPath string, certHeaders bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\nname: cross %s %s\nclient_id: cross-client-%s\nalg: %s\nkid: kid-%s\n", preset, alg, alg, alg, alg)
	if preset != "" {
		fmt.Fprintf(&b, "preset: %s\n", preset)
		if p, _ := config.LookupPreset(preset); p != nil && p.GrantType == config.GrantAuthorizationCode {
			b.WriteString("redirect_uri: https://app.example.test/callback\n")
			if p.AuthorizePath == "" {
				b.WriteString("authorization_endpoint: https://idp.example.test/realms/acme/auth\n")
			}
			if p.PAR && p.PARPath == "" {
				b.WriteString("par_endpoint: https://idp.example.test/realms/acme/par\n")
			}
		}
	}
	b.WriteString("issuer: https://idp.example.test/realms/acme\n")
	b.WriteString("token_url: https://idp.example.test/realms/acme/protocol/openid-connect/token\n")
	b.WriteString("scope: [orders.read, orders.write]\n")
	b.WriteString("claims:\n  tenant: \"Acme & Söhne <Zürich>\"\n  level: 3\n  ratio: 1.5\n  beta: true\n  roles: [reader, \"writer/2\"]\n  org: {id: 42, name: \"a\\u2028b\"}\n")
	b.WriteString("form:\n  resource: https://api.example.test/\n  audience: \"urn:acme:orders?x=1&y=2\"\n")
	// Presets that identify the key by certificate (entra: x5t#S256) need one in every case.
	fmt.Fprintf(&b, "certificate: %s\n", certPath)
	if certHeaders {
		b.WriteString("headers:\n  typ: client-authentication+jwt\n  x5c: true\n  x5t#S256: true\n")
	}
	return b.String()
}

func TestCrossCheckGoAndJavaScript(t *testing.T) {
	t.Parallel()
	e2e.RequireHarness(t)
	tk := newTestKeys(t)
	dir := t.TempDir()
	keyPaths := map[string]string{}
	certPaths := map[string]string{}
	for _, alg := range allAlgs {
		s := tk.forAlg(alg)
		keyPaths[alg] = writePKCS8(t, dir, alg+".key.pem", s)
		certPaths[alg], _ = selfSigned(t, dir, alg+".crt.pem", s)
	}
	pinNow := time.Now().Add(-time.Hour).Unix()

	var cases []*crossCase
	presets := append([]string{""}, config.PresetNames()...)
	for _, preset := range presets {
		for _, alg := range allAlgs {
			for _, withCert := range []bool{false, true} {
				if withCert && preset != "" {
					continue
				}
				name := "preset-" + preset
				if preset == "" {
					name = "no-preset"
				}
				if withCert {
					name += "-x5c"
				}
				name += "/" + alg
				def := crossDefinition(preset, alg, certPaths[alg], withCert)
				cases = append(cases, newCrossCase(t, dir, name, def, keyPaths[alg], tk.forAlg(alg), alg, pinNow))
			}
		}
	}

	script := postman.CollectionScript()
	input, err := json.Marshal(map[string]any{"script": script, "cases": cases})
	if err != nil {
		t.Fatal(err)
	}
	inPath := filepath.Join(dir, "cross-input.json")
	drvPath := filepath.Join(dir, "cross-driver.js")
	if err := os.WriteFile(inPath, input, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(drvPath, []byte(crossDriver), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", drvPath, inPath)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(e2e.HarnessDir(), "node_modules"))
	start := time.Now()
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("node: %v\n%s", err, stderr)
	}
	t.Logf("node signed %d assertions and verified %d in %v", 2*len(cases), len(cases), time.Since(start).Round(time.Millisecond))
	var results []crossResult
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("node output: %v", err)
	}
	if len(results) != len(cases) {
		t.Fatalf("node returned %d results for %d cases", len(results), len(cases))
	}
	for i, c := range cases {
		r := results[i]
		t.Run(c.Name, func(t *testing.T) {
			if r.Error != "" {
				t.Fatalf("JavaScript failed: %s", r.Error)
			}
			compareCross(t, c, r)
		})
	}
}

func newCrossCase(t *testing.T, dir, name, def, keyPath string, signer crypto.Signer, alg string, pinNow int64) *crossCase {
	t.Helper()
	file := filepath.Join(dir, strings.NewReplacer("/", "-").Replace(name)+".yaml")
	if err := os.WriteFile(file, []byte(def), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := config.Load(file)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	client, err := d.Resolve()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	k, err := keys.Load(keyPath, keys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := profile.Material{Key: k}
	if client.CertPath != "" {
		if m.Certificates, err = keys.LoadCertificates(client.CertPath); err != nil {
			t.Fatal(err)
		}
	}
	res, err := collection.Generate(client, m, collection.Options{})
	if err != nil {
		t.Fatalf("%s: generate: %v", name, err)
	}
	envData := res.Environment.Data
	var env map[string]any
	if err := json.Unmarshal(envData, &env); err != nil {
		t.Fatal(err)
	}
	envPath := filepath.Join(dir, strings.NewReplacer("/", "-").Replace(name)+".env.json")
	if err := os.WriteFile(envPath, envData, 0o600); err != nil {
		t.Fatal(err)
	}
	goTok, err := assertion.Mint(res.Profile, signer, assertion.Options{})
	if err != nil {
		t.Fatalf("%s: Go mint: %v", name, err)
	}
	jti := "11111111-1111-4111-9111-111111111111" // uuid4 of 16 bytes 0x11, as the driver pins them
	goPinned, err := assertion.Mint(res.Profile, signer, assertion.Options{
		Now: func() time.Time { return time.Unix(pinNow, 321e6) },
		JTI: func() string { return jti },
	})
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := e2e.PublicJWK(signer.Public())
	if err != nil {
		t.Fatal(err)
	}
	return &crossCase{
		Name: name, Environment: env, GoToken: goTok, JWK: jwk, Alg: alg, PinNow: pinNow, PinJTI: jti,
		profile: res.Profile, signer: signer, goPinned: goPinned, envPath: envPath, defPath: file, keyPath: keyPath,
	}
}

// decodeJWS returns a compact JWS's header and claims as generic JSON.
func decodeJWS(t *testing.T, tok string) (map[string]any, map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %d parts", len(parts))
	}
	var h, c map[string]any
	for i, dst := range []*map[string]any{&h, &c} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
	}
	return h, c
}

var uuid4RE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func compareCross(t *testing.T, c *crossCase, r crossResult) {
	goH, goC := decodeJWS(t, c.GoToken)
	jsH, jsC := decodeJWS(t, r.Token)
	if !reflect.DeepEqual(goH, jsH) {
		t.Errorf("headers differ:\n  Go %v\n  JS %v", goH, jsH)
	}
	for _, k := range []string{"jti", "iat", "exp"} {
		if _, ok := goC[k]; !ok {
			t.Errorf("Go claims have no %s", k)
		}
		if _, ok := jsC[k]; !ok {
			t.Errorf("JS claims have no %s", k)
		}
	}
	if gl, jl := goC["exp"].(float64)-goC["iat"].(float64), jsC["exp"].(float64)-jsC["iat"].(float64); gl != jl || gl != c.profile.Lifetime.Seconds() {
		t.Errorf("exp - iat: Go %v, JS %v, profile %v", gl, jl, c.profile.Lifetime.Seconds())
	}
	now := float64(time.Now().Unix())
	for side, cl := range map[string]map[string]any{"Go": goC, "JS": jsC} {
		if iat := cl["iat"].(float64); iat < now-120 || iat > now+1 {
			t.Errorf("%s iat %v is not now (%v)", side, iat, now)
		}
		if jti, _ := cl["jti"].(string); !uuid4RE.MatchString(jti) {
			t.Errorf("%s jti %q is not a UUID v4", side, jti)
		}
	}
	if goC["jti"] == jsC["jti"] {
		t.Errorf("Go and JS drew the same jti")
	}
	strip := func(m map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range m {
			if k != "jti" && k != "iat" && k != "exp" {
				out[k] = v
			}
		}
		return out
	}
	if g, j := strip(goC), strip(jsC); !reflect.DeepEqual(g, j) {
		t.Errorf("claims differ:\n  Go %v\n  JS %v", g, j)
	}

	// The form: same fields, same order.
	var goForm, jsForm []string
	for _, kv := range c.profile.FormFields("X") {
		goForm = append(goForm, kv.Key+"="+kv.Value)
	}
	for _, kv := range r.Form {
		jsForm = append(jsForm, kv.Key+"="+kv.Value)
	}
	if !reflect.DeepEqual(goForm, jsForm) {
		t.Errorf("token request forms differ:\n  Go %q\n  JS %q", goForm, jsForm)
	}

	// Each side's signature verifies with the other side's verifier.
	if r.GoVerify != "" {
		t.Errorf("node:crypto rejects the Go assertion: %s", r.GoVerify)
	}
	parsed, err := jwt.Parse(r.Token, func(*jwt.Token) (any, error) { return c.signer.Public(), nil },
		jwt.WithValidMethods([]string{c.Alg}), jwt.WithIssuedAt(), jwt.WithExpirationRequired(), jwt.WithLeeway(5*time.Second))
	if err != nil || !parsed.Valid {
		t.Errorf("golang-jwt rejects the JavaScript assertion: %v", err)
	}
	if strings.HasPrefix(c.Alg, "PS") {
		// golang-jwt verifies PS* with any salt length; RFC 7518 section 3.5 says the hash's.
		checkPSSSalt(t, r.Token, c.signer.Public().(*rsa.PublicKey), c.Alg)
	}

	// With the clock and jti pinned both sides sign the same bytes; RSA PKCS#1 v1.5 and
	// Ed25519 are deterministic, so the whole tokens are equal.
	goIn := c.goPinned[:strings.LastIndex(c.goPinned, ".")]
	jsIn := r.Pinned[:strings.LastIndex(r.Pinned, ".")]
	if goIn != jsIn {
		gh, gc := decodeJWS(t, c.goPinned)
		jh, jc := decodeJWS(t, r.Pinned)
		t.Errorf("pinned signing inputs differ:\n  Go %s\n     %v %v\n  JS %s\n     %v %v", goIn, gh, gc, jsIn, jh, jc)
	}
	if (strings.HasPrefix(c.Alg, "RS") || c.Alg == "EdDSA") && c.goPinned != r.Pinned {
		t.Errorf("pinned %s tokens differ (the signature of a deterministic algorithm)", c.Alg)
	}
}

// checkPSSSalt verifies an RSASSA-PSS JWS with the salt length RFC 7518 requires.
func checkPSSSalt(t *testing.T, tok string, pub *rsa.PublicKey, alg string) {
	t.Helper()
	var h hash.Hash
	var id crypto.Hash
	switch alg {
	case "PS256":
		h, id = sha256.New(), crypto.SHA256
	case "PS384":
		h, id = sha512.New384(), crypto.SHA384
	default:
		h, id = sha512.New(), crypto.SHA512
	}
	i := strings.LastIndex(tok, ".")
	h.Write([]byte(tok[:i]))
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPSS(pub, id, h.Sum(nil), sig, &rsa.PSSOptions{SaltLength: id.Size(), Hash: id}); err != nil {
		t.Errorf("the JavaScript %s signature does not use a salt as long as the hash: %v", alg, err)
	}
}

// TestMintDefinitionAndEnvironmentAgree: postmint mint --decode from the definition (-c) and
// from the generated environment (-e) give the same header and claims but jti, iat and exp,
// for every preset; the output is {"header": {...}, "claims": {...}} and never holds the key.
func TestMintDefinitionAndEnvironmentAgree(t *testing.T) {
	t.Parallel()
	keyPath, keyPEM, _ := fixtureKey(t, "rsa2048.pkcs8.pem")
	certPath, err := filepath.Abs(repoFile("testdata", "keys", "rsa2048.crt.pem"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, preset := range append([]string{""}, config.PresetNames()...) {
		def := filepath.Join(dir, "p-"+preset+".yaml")
		if err := os.WriteFile(def, []byte(crossDefinition(preset, "RS256", certPath, false)), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "out-"+preset)
		if code, _, stderr := runPM("generate", "-c", def, "-k", keyPath, "-o", out); code != 0 {
			t.Fatalf("generate %s: %s", preset, stderr)
		}
		envs, _ := filepath.Glob(filepath.Join(out, "*.postman_environment.json"))
		if len(envs) != 1 {
			t.Fatalf("%s: %d environments", preset, len(envs))
		}
		var decoded [2]map[string]map[string]any
		for i, args := range [][]string{{"mint", "-c", def, "-k", keyPath, "--decode"}, {"mint", "-e", envs[0], "--decode"}} {
			code, stdout, stderr := runPM(args...)
			if code != 0 {
				t.Fatalf("%v: exit %d: %s", args, code, stderr)
			}
			checkNoSecrets(t, stdout+stderr, keyPEM)
			var top map[string]json.RawMessage
			if err := json.Unmarshal([]byte(stdout), &top); err != nil {
				t.Fatalf("%v: not JSON: %v", args, err)
			}
			if len(top) != 2 || top["header"] == nil || top["claims"] == nil {
				t.Errorf("%v: want exactly header and claims, got %d members", args, len(top))
			}
			decoded[i] = map[string]map[string]any{}
			for _, k := range []string{"header", "claims"} {
				m := map[string]any{}
				if err := json.Unmarshal(top[k], &m); err != nil {
					t.Fatalf("%v: %s: %v", args, k, err)
				}
				decoded[i][k] = m
			}
			c := decoded[i]["claims"]
			if c["exp"].(float64)-c["iat"].(float64) <= 0 {
				t.Errorf("%v: exp - iat = %v", args, c["exp"].(float64)-c["iat"].(float64))
			}
			if !uuid4RE.MatchString(fmt.Sprint(c["jti"])) {
				t.Errorf("%v: jti %v", args, c["jti"])
			}
			for _, k := range []string{"iss", "aud", "jti", "iat", "exp"} {
				if _, ok := c[k]; !ok {
					t.Errorf("%v: no %s claim", args, k)
				}
			}
			delete(c, "jti")
			delete(c, "iat")
			delete(c, "exp")
		}
		if !reflect.DeepEqual(decoded[0], decoded[1]) {
			t.Errorf("preset %q: mint -c and mint -e differ:\n  -c %v\n  -e %v", preset, decoded[0], decoded[1])
		}
	}
}
