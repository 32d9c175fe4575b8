package kit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/discovery"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/postman"
)

const testdata = "../../testdata"

// privateMaterial matches a PEM private key's body (raw or JSON-escaped) or a private JWK member.
var privateMaterial = regexp.MustCompile(`PRIVATE KEY-----(\\n|\r?\n)[A-Za-z0-9+/]{32}|"(d|p|q|dp|dq|qi)"\s*:\s*"[A-Za-z0-9_-]{16}`)

func files(k *Kit) map[string][]byte {
	m := map[string][]byte{}
	for _, f := range k.Files {
		m[f.Name] = f.Bytes()
	}
	return m
}

func names(k *Kit) []string {
	var out []string
	for _, f := range k.Files {
		out = append(out, f.Name)
	}
	return out
}

func buildAll(t *testing.T, defs, clients []string) []*Kit {
	t.Helper()
	b := &Builder{}
	var kits []*Kit
	for _, j := range Load(defs, clients, Options{}) {
		k, err := b.Build(j)
		if err != nil {
			t.Fatalf("%s: %v", j.Label, err)
		}
		kits = append(kits, k)
	}
	return kits
}

// checkKit holds for every kit: a valid v2.1.0 collection, an environment whose privateKey is
// empty, no private key material anywhere, and a definition that postmint reads back.
func checkKit(t *testing.T, k *Kit) {
	t.Helper()
	fs := files(k)
	coll, env := fs[k.Slug+".postman_collection.json"], fs[k.Slug+".postman_environment.json"]
	if coll == nil || env == nil || fs[ReadmeFile] == nil || fs[DefinitionFile] == nil {
		t.Fatalf("%s: files %v", k.Slug, names(k))
	}
	validateCollection(t, k.Slug, coll)
	e, err := postman.ParseEnvironment(env)
	if err != nil {
		t.Fatal(err)
	}
	if v := e.Lookup(postman.VarPrivateKey); v != "" {
		t.Errorf("%s: privateKey is %d bytes, want empty", k.Slug, len(v))
	}
	for _, f := range k.Files {
		if privateMaterial.Match(f.Bytes()) {
			t.Errorf("%s/%s holds private key material", k.Slug, f.Name)
		}
	}
	// The kit's definition is read back with the kit's own files beside it.
	dir := t.TempDir()
	for _, f := range k.Files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	def, err := config.Load(filepath.Join(dir, DefinitionFile))
	if err != nil {
		t.Fatalf("%s: %s does not load: %v\n%s", k.Slug, DefinitionFile, err, fs[DefinitionFile])
	}
	c, err := def.Resolve()
	if err != nil {
		t.Fatalf("%s: %s does not resolve: %v", k.Slug, DefinitionFile, err)
	}
	if c.Slug != k.Slug {
		t.Errorf("%s: the kit's definition makes slug %q", k.Slug, c.Slug)
	}
	if set := fs[JWKSFile]; set != nil {
		var jwks struct {
			Keys []map[string]any `json:"keys"`
		}
		if err := json.Unmarshal(set, &jwks); err != nil || len(jwks.Keys) != 1 {
			t.Errorf("%s: jwks.json: %v %s", k.Slug, err, set)
		}
	}
	readme := string(fs[ReadmeFile])
	for _, s := range []string{"```mermaid\nsequenceDiagram", "## The provider's rules", "postmint keygen --alg", "openssl genpkey", "newman run " + k.Slug + ".postman_collection.json", "### `invalid_client`"} {
		if !strings.Contains(readme, s) {
			t.Errorf("%s: README lacks %q", k.Slug, s)
		}
	}
}

func TestTestdataKits(t *testing.T) {
	kits := buildAll(t, []string{testdata + "/kits/acme.yaml"}, []string{testdata + "/kits/partners.yaml"})
	var slugs []string
	for _, k := range kits {
		slugs = append(slugs, k.Slug)
		checkKit(t, k)
	}
	if want := []string{"acme-corp-test", "acme-corp", "globex", "initech", "umbrella"}; !reflect.DeepEqual(slugs, want) {
		t.Fatalf("slugs %q, want %q", slugs, want)
	}
	acme, globex, initech, umbrella := files(kits[1]), files(kits[2]), files(kits[3]), files(kits[4])

	// The public JWK's kid and alg become the kit's; its thumbprint is in the README.
	env, _ := postman.ParseEnvironment(acme["acme-corp.postman_environment.json"])
	if env.Lookup(postman.VarKid) != "rsa-1" || env.Lookup(postman.VarAlg) != "RS256" {
		t.Errorf("acme: kid %q alg %q", env.Lookup(postman.VarKid), env.Lookup(postman.VarAlg))
	}
	tp, _ := os.ReadFile(testdata + "/keys/rsa2048.jwk-thumbprint.txt")
	if !bytes.Contains(acme[ReadmeFile], bytes.TrimSpace(tp)) {
		t.Errorf("acme README lacks the thumbprint %s", tp)
	}
	if !bytes.Contains(acme[DefinitionFile], []byte("kid: rsa-1\n")) || !bytes.Contains(acme[DefinitionFile], []byte("alg: RS256\n")) {
		t.Errorf("acme definition:\n%s", acme[DefinitionFile])
	}
	// The base's and the entry's requests: the hand-written one first, then the OpenAPI ones.
	if n := kits[1].Operations; n != 10 {
		t.Errorf("acme: %d operations", n)
	}
	if !bytes.Contains(acme["acme-corp.postman_collection.json"], []byte(`"key": "baseUrl"`)) {
		t.Error("acme: no baseUrl collection variable")
	}

	// A certificate: x5c in the environment and in jwks.json, the certificate in the kit.
	env, _ = postman.ParseEnvironment(globex["globex.postman_environment.json"])
	if env.Lookup(postman.VarX5C) == "" || globex[CertificateFile] == nil || !bytes.Contains(globex[JWKSFile], []byte(`"x5c"`)) {
		t.Errorf("globex: x5c %q, files %v", env.Lookup(postman.VarX5C), names(kits[2]))
	}
	if !bytes.Contains(globex[DefinitionFile], []byte("certificate: "+CertificateFile)) || !bytes.Contains(globex[ReadmeFile], []byte("identifies your key by its **certificate**")) {
		t.Errorf("globex definition:\n%s", globex[DefinitionFile])
	}

	// No key: no jwks.json, and the README says to make and register one.
	if initech[JWKSFile] != nil || !bytes.Contains(initech[ReadmeFile], []byte("Make a key pair for **PS256**")) {
		t.Errorf("initech: files %v", names(kits[3]))
	}
	if !bytes.Contains(initech[DefinitionFile], []byte("scope: orders.read orders.write\n")) {
		t.Errorf("initech: the entry's scope does not replace the base's:\n%s", initech[DefinitionFile])
	}
	if !bytes.Contains(umbrella[DefinitionFile], []byte("lifetime: 30s\n")) || !bytes.Contains(umbrella[ReadmeFile], []byte("| `exp` − `iat` | 30 s")) {
		t.Errorf("umbrella:\n%s", umbrella[DefinitionFile])
	}
}

// TestDeterministic: the same input gives the same bytes, whatever the builder's history.
func TestDeterministic(t *testing.T) {
	a := buildAll(t, []string{testdata + "/kits/acme.yaml"}, []string{testdata + "/kits/partners.yaml"})
	b := buildAll(t, []string{testdata + "/kits/acme.yaml"}, []string{testdata + "/kits/partners.yaml"})
	if !reflect.DeepEqual(a, b) {
		t.Error("two builds differ")
	}
}

// TestEveryPreset makes a kit for every preset, from the definition a provider would write.
func TestEveryPreset(t *testing.T) {
	dir := t.TempDir()
	cert, _ := filepath.Abs(testdata + "/keys/rsa2048.crt.pem")
	jwk, _ := filepath.Abs(testdata + "/keys/rsa2048.pub.jwk.json")
	var defs []string
	for _, name := range append(config.PresetNames(), "") {
		p, _ := config.LookupPreset(name)
		slug := name
		if slug == "" {
			slug = "generic"
		}
		src := fmt.Sprintf("version: 1\nname: Kit %s\nclient_id: client-%s\nkey: %s\n", slug, slug, jwk)
		if name != "" {
			src += "preset: " + name + "\n"
		}
		if p == nil || (p.TokenURL == "" && p.TokenPath == "") {
			src += "token_url: https://idp.example.com/" + slug + "/token\n"
		}
		if p == nil || p.Issuer == "" {
			src += "issuer: https://idp.example.com/" + slug + "\n"
		}
		if p != nil && (p.Headers.X5C || p.Headers.X5TS256 || p.Headers.X5T) {
			src += "certificate: " + cert + "\n"
		}
		if p != nil && p.GrantType == config.GrantAuthorizationCode {
			src += "redirect_uri: https://app.example.com/callback\n"
			if p.AuthorizePath == "" {
				src += "authorization_endpoint: https://idp.example.com/" + slug + "/authorize\n"
			}
			if p.PAR && p.PARPath == "" {
				src += "par_endpoint: https://idp.example.com/" + slug + "/par\n"
			}
		}
		if p != nil && p.Alg != "" && !strings.HasPrefix(p.Alg, "RS") && !strings.HasPrefix(p.Alg, "PS") {
			t.Fatalf("preset %s: alg %s cannot use the RSA test key", name, p.Alg)
		}
		path := filepath.Join(dir, slug+".yaml")
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		defs = append(defs, path)
	}
	for _, k := range buildAll(t, defs, nil) {
		checkKit(t, k)
		fs := files(k)
		if p, ok := config.LookupPreset(strings.TrimPrefix(k.Slug, "kit-")); ok {
			if !bytes.Contains(fs[ReadmeFile], []byte(p.Title)) || !bytes.Contains(fs[ReadmeFile], []byte(p.Provenance)) {
				t.Errorf("%s: README lacks the preset's title or provenance", k.Slug)
			}
		}
	}
}

// TestOktaKit: a kit whose API folder holds the 541 operations of Okta's management API.
func TestOktaKit(t *testing.T) {
	dir := t.TempDir()
	doc, _ := filepath.Abs(testdata + "/openapi/okta-management.yaml")
	src := "version: 1\nname: Okta admin\npreset: okta\nissuer: https://example.okta.com/oauth2/default\nclient_id: admin\nalg: ES256\nopenapi: " + doc + "\n"
	path := filepath.Join(dir, "okta.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	kits := buildAll(t, []string{path}, nil)
	k := kits[0]
	checkKit(t, k)
	if k.Operations != 541 {
		t.Errorf("%d operations", k.Operations)
	}
	var coll struct {
		Item []struct {
			Name string            `json:"name"`
			Item []json.RawMessage `json:"item"`
		} `json:"item"`
		Variable []struct{ Key, Value string } `json:"variable"`
	}
	if err := json.Unmarshal(files(k)["okta-admin.postman_collection.json"], &coll); err != nil {
		t.Fatal(err)
	}
	if coll.Item[1].Name != "API" || len(coll.Item[1].Item) < 50 {
		t.Errorf("API folder: %s with %d folders", coll.Item[1].Name, len(coll.Item[1].Item))
	}
	if len(coll.Variable) != 2 || coll.Variable[0].Key != "baseUrl" || coll.Variable[1].Key != "yourOktaDomain" {
		t.Errorf("variables %+v", coll.Variable)
	}
	readme := string(files(k)[ReadmeFile])
	if !strings.Contains(readme, "with the 541 operations of Okta Admin Management 5.1.0 in") || !strings.Contains(readme, "`yourOktaDomain` = `subdomain.okta.com`") {
		t.Errorf("README:\n%s", readme[:1500])
	}
}

func TestOpenAPIFromURL(t *testing.T) {
	doc, err := os.ReadFile(testdata + "/openapi/orders-3.1.json")
	if err != nil {
		t.Fatal(err)
	}
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		if r.URL.Path != "/spec/openapi.json" {
			http.NotFound(w, r)
			return
		}
		w.Write(doc)
	}))
	defer srv.Close()
	dir := t.TempDir()
	var defs []string
	for i, loc := range []string{"/spec/openapi.json", "/spec/openapi.json", "/missing.json"} {
		src := fmt.Sprintf("version: 1\nname: Remote %d\nclient_id: r%d\nalg: ES256\ntoken_url: https://idp.example.com/token\nopenapi: %s%s\n", i, i, srv.URL, loc)
		path := filepath.Join(dir, fmt.Sprintf("r%d.yaml", i))
		os.WriteFile(path, []byte(src), 0o644)
		defs = append(defs, path)
	}
	b := &Builder{}
	jobs := Load(defs, nil, Options{})
	for i, j := range jobs[:2] {
		k, err := b.Build(j)
		if err != nil {
			t.Fatal(err)
		}
		checkKit(t, k)
		fs := files(k)
		if !bytes.Contains(fs[fmt.Sprintf("remote-%d.postman_collection.json", i)], []byte(`"value": "`+srv.URL+`/v3"`)) {
			t.Errorf("baseUrl is not resolved against the document's URL")
		}
		if !bytes.Contains(fs[DefinitionFile], []byte("openapi: "+srv.URL+"/spec/openapi.json")) {
			t.Errorf("remote openapi: not kept in the definition:\n%s", fs[DefinitionFile])
		}
	}
	if hits != 2 { // the document once, then the missing one
		_, err := b.Build(jobs[2])
		if hits != 2 || err == nil || !strings.Contains(err.Error(), "HTTP 404") {
			t.Errorf("hits %d, err %v", hits, err)
		}
	}
}

func TestPublicKeyFormats(t *testing.T) {
	rsaTP := strings.TrimSpace(readFile(t, testdata+"/keys/rsa2048.jwk-thumbprint.txt"))
	for _, tc := range []struct {
		file, kid string
		wantKid   string
		certs     int
		err       error
	}{
		{file: "rsa2048.pub.pem"},
		{file: "rsa2048.pkcs1-pub.pem"},
		{file: "rsa2048.pub.jwk.json", wantKid: "rsa-1"},
		{file: "public.jwks.json", kid: "rsa-1", wantKid: "rsa-1"},
		{file: "rsa2048.crt.pem", certs: 1},
		{file: "rsa2048.crt.der", certs: 1},
		{file: "rsa2048.chain.pem", certs: 2},
		{file: "rsa2048.pkcs8.pem", err: ErrPrivateKey},
		{file: "rsa2048.pkcs1.pem", err: ErrPrivateKey},
		{file: "rsa2048.jwk.json", err: ErrPrivateKey},
		{file: "rsa2048.enc-aes256.pem", err: ErrPrivateKey},
		{file: "rsa2048.key-and-chain.pem", err: ErrPrivateKey},
		{file: "rsa2048.pkcs8.der", err: ErrPrivateKey},
		{file: "rsa2048.p12", err: ErrPublicKey},
		{file: "junk.bin", err: ErrPublicKey},
		{file: "public.jwks.json", kid: "nope", err: ErrPublicKey},
	} {
		t.Run(tc.file+tc.kid, func(t *testing.T) {
			m, err := loadPublic(filepath.Join(testdata, "keys", tc.file), tc.kid)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				if strings.Contains(err.Error(), "BEGIN") {
					t.Errorf("error shows key material: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tp, _ := keys.Thumbprint(m.Key); tp != rsaTP && tc.certs == 0 {
				t.Errorf("thumbprint %s, want %s", tp, rsaTP)
			}
			if m.KeyID != tc.wantKid || len(m.Certificates) != tc.certs {
				t.Errorf("kid %q certs %d", m.KeyID, len(m.Certificates))
			}
		})
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestClientsFileErrors: each bad entry is reported by file, line and field; the others load.
func TestClientsFileErrors(t *testing.T) {
	dir := t.TempDir()
	privateKey, _ := filepath.Abs(testdata + "/keys/rsa2048.pkcs8.pem")
	src := `version: 1
base:
  preset: duende
  issuer: https://idp.example.com
  headers: {typ: JWT}
clients:
  - name: Acme Corp
    client_id: acme
    alg: ES256
  - name: ACME corp!
    client_id: acme-2
    alg: ES256
  - name: Globex
    client_id: acme
    alg: ES256
  - name: Typo
    client_idd: t
  - name: Bad lifetime
    client_id: bl
    lifetime: forever
  - name: No id
  - name: Private
    client_id: priv
    key: ` + privateKey + `
  - name: Header typo
    client_id: ht
    headers: {x5cc: true}
  - name: Request typo
    client_id: rt
    requests:
      - name: x
        urll: https://x
  - just a string
  - name: Good
    client_id: good
    alg: ES256
    headers: {x5t#S256: false}
  - name: No alg
    client_id: noalg
  - name: Scope list
    client_id: sl
    alg: ES256
    scope: [a, 5]
`
	path := filepath.Join(dir, "clients.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	b := &Builder{}
	var got []string
	for _, j := range Load(nil, []string{path}, Options{}) {
		if _, err := b.Build(j); err != nil {
			got = append(got, strings.ReplaceAll(err.Error(), path, "clients.yaml"))
		} else {
			got = append(got, "ok "+j.Label[strings.LastIndex(j.Label, " ")+1:])
		}
	}
	want := []string{
		`clients.yaml:7: clients[0].name: makes the kit "acme-corp", and so does clients.yaml:10 clients[1] (ACME corp!): names must differ in their letters or digits`,
		`clients.yaml:10: clients[1].name: makes the kit "acme-corp", and so does clients.yaml:7 clients[0] (Acme Corp): names must differ in their letters or digits`,
		`clients.yaml:14: clients[2].client_id: "acme" at https://idp.example.com/connect/token is also the client id of clients.yaml:7 clients[0] (Acme Corp): each partner needs its own client`,
		`clients.yaml:17: clients[3].client_idd: unknown field; did you mean "client_id"?`,
		`clients.yaml:20: clients[4].lifetime: lifetime "forever" is not a duration; write e.g. 60s or 2m`,
		`clients.yaml:21: clients[5].client_id: missing; add the client id the provider registered for you`,
		`clients.yaml:24: clients[6].key: ` + strings.ReplaceAll(privateKey, path, "clients.yaml") + ` holds a private key, and a kit never carries one: point key: at the public part (a public PEM from ` + "`openssl pkey -in KEY -pubout`" + `, the public JWK or JWKS from ` + "`postmint keygen`" + `, or the certificate)`,
		`clients.yaml:27: clients[7].headers.x5cc: unknown field; did you mean "x5c"?`,
		`clients.yaml:32: clients[8].requests[0].urll: unknown field; did you mean "url"?`,
		`clients.yaml:33: clients[9]: must be a mapping of definition fields (name, client_id, ...)`,
		`ok (Good)`,
		`ok alg)`, // profile.ChooseAlg: RS256, said as a note (TestKitDefaultAlg)
		`clients.yaml:43: clients[12].scope: scope must be a string or a list of strings`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestClientsFileShapes(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"", "clients.yaml: the file is empty"},
		{"version: 2\nclients: []\n", "clients.yaml:1: version: version 2 is not supported"},
		{"clients: [{name: a}]\n", "clients.yaml: version: missing"},
		{"version: 1\n", "clients.yaml: clients: missing"},
		{"version: 1\nclients: []\n", "clients.yaml:2: clients: is empty"},
		{"version: 1\nclient: []\n", `clients.yaml:2: client: unknown field; did you mean "clients"?`},
		{"version: 1\nbase: {kidd: x}\nclients: [{name: a}]\n", `clients.yaml:2: base.kidd: unknown field; did you mean "kid"?`},
		{"version: 1\nbase: {version: 1}\nclients: [{name: a}]\n", "clients.yaml:2: base.version: version belongs once at the top"},
		{"version: 1\nclients: [\n", "clients.yaml:2: not valid YAML or JSON"},
	} {
		dir := t.TempDir()
		path := filepath.Join(dir, "clients.yaml")
		os.WriteFile(path, []byte(tc.src), 0o644)
		jobs := Load(nil, []string{path}, Options{})
		if len(jobs) != 1 || jobs[0].Err == nil {
			t.Errorf("%q: %d jobs, err %v", tc.src, len(jobs), jobs[0].Err)
			continue
		}
		if got := strings.ReplaceAll(jobs[0].Err.Error(), path, "clients.yaml"); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%q:\n got %s\nwant %s...", tc.src, got, tc.want)
		}
	}
}

// TestMerge: maps are merged key by key, everything else replaced; a field the base sets is
// reported at the base's line.
func TestMerge(t *testing.T) {
	dir := t.TempDir()
	src := `version: 1
base:
  preset: hydra
  token_url: not a url
  claims: {tenant: acme, region: eu}
  form: {audience: api}
clients:
  - name: A
    client_id: a
    alg: ES256
    claims: {region: us}
    token_url: https://idp.example.com/oauth2/token
  - name: B
    client_id: b
    alg: ES256
`
	path := filepath.Join(dir, "clients.yaml")
	os.WriteFile(path, []byte(src), 0o644)
	jobs := Load(nil, []string{path}, Options{})
	if jobs[0].Err != nil {
		t.Fatal(jobs[0].Err)
	}
	if c := jobs[0].Client; !reflect.DeepEqual(c.Claims, map[string]any{"tenant": "acme", "region": "us"}) || c.Form["audience"] != "api" {
		t.Errorf("claims %v form %v", c.Claims, c.Form)
	}
	if err := jobs[1].Err; err == nil || !strings.Contains(err.Error(), "clients.yaml:4: base.token_url: ") {
		t.Errorf("B: %v", err)
	}
}

// TestSchemaRejects: the committed schema does reject what is not a v2.1.0 collection.
func TestSchemaRejects(t *testing.T) {
	schema, err := collectionSchema()
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(mustJSON(`{"info": {"name": "x", "schema": "s"}, "item": []}`)); err != nil {
		t.Errorf("a minimal collection fails: %v", err)
	}
	for _, bad := range []string{
		`{"item": []}`,
		`{"info": {"name": "x", "schema": "s"}, "item": [{"name": "no request"}]}`,
		`{"info": {"name": "x", "schema": "s"}, "item": [], "variable": [{"value": "no key"}]}`,
		`{"info": {"name": "x", "schema": "s"}, "item": [{"request": {"url": "u", "body": {"mode": "nope"}}}]}`,
		`{"info": {"name": "x", "schema": "s"}, "item": [], "auth": {"type": "magic"}}`,
	} {
		if schema.Validate(mustJSON(bad)) == nil {
			t.Errorf("%s passes the schema", bad)
		}
	}
}

func mustJSON(s string) any {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		panic(err)
	}
	return v
}

// TestDiscovery: a definition that names only the issuer gets its endpoints from the
// issuer's metadata, read once for every entry that shares it.
func TestDiscovery(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, `{"issuer": %q, "token_endpoint": %q, "authorization_endpoint": %q}`, srv.URL, srv.URL+"/oauth/token", srv.URL+"/oauth/authorize")
	}))
	defer srv.Close()
	dir := t.TempDir()
	src := fmt.Sprintf("version: 1\nbase:\n  issuer: %s\n  alg: ES256\nclients:\n  - {name: A, client_id: a}\n  - {name: B, client_id: b, grant_type: authorization_code, redirect_uri: 'https://app.example.com/cb'}\n", srv.URL)
	path := filepath.Join(dir, "clients.yaml")
	os.WriteFile(path, []byte(src), 0o644)
	calls := 0
	jobs := Load(nil, []string{path}, Options{Discover: func(issuer string) (*discovery.Metadata, error) {
		calls++
		return discovery.Fetch(context.Background(), srv.Client(), issuer)
	}})
	if calls != 1 {
		t.Errorf("%d discoveries for one issuer", calls)
	}
	b := &Builder{}
	for _, j := range jobs {
		k, err := b.Build(j)
		if err != nil {
			t.Fatal(err)
		}
		checkKit(t, k)
		fs := files(k)
		if !bytes.Contains(fs[DefinitionFile], []byte("token_url: "+srv.URL+"/oauth/token\n")) {
			t.Errorf("%s: discovered token_url not in the definition:\n%s", k.Slug, fs[DefinitionFile])
		}
	}
	if fs := files(mustBuild(t, b, jobs[1])); !bytes.Contains(fs[DefinitionFile], []byte("authorization_endpoint: "+srv.URL+"/oauth/authorize\n")) ||
		!bytes.Contains(fs[ReadmeFile], []byte("Auth / Exchange code")) {
		t.Errorf("authorization code kit:\n%s", fs[DefinitionFile])
	}
	// Without a way to discover, the missing endpoint is the error.
	if jobs := Load(nil, []string{path}, Options{}); jobs[0].Err == nil || !strings.Contains(jobs[0].Err.Error(), "token_url: missing") {
		t.Errorf("err = %v", jobs[0].Err)
	}
}

func mustBuild(t *testing.T, b *Builder, j *Job) *Kit {
	t.Helper()
	k, err := b.Build(j)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
