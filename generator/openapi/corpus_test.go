package openapi

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/generator/postman"
	"github.com/postmint/postmint/internal/postmanschema"
)

// corpusDir holds real OpenAPI documents nobody here wrote (shared/reference, beside the
// repository; see its SOURCES.md). A folder is a split document; its .entry names the root.
const corpusDir = "../../../shared/reference/openapi-corpus"

// corpusOps is how many operations each document has (one request each).
var corpusOps = map[string]int{
	"dialogporten-serviceowner.json": 28, "digitalocean": 659, "github-api-2022-07.json": 874,
	"nasty-allof-oneof-3.0.yaml": 3, "nasty-circular-3.0.yaml": 4, "nasty-formdata-swagger2.yaml": 4,
	"nasty-nullable-3.1.yaml": 3, "oai-api-with-examples.yaml": 2, "oai-callback-example.yaml": 1,
	"oai-link-example.yaml": 6, "oai-petstore-expanded.yaml": 4, "oai-petstore-separate-swagger2": 4,
	"oai-petstore-swagger2.yaml": 3, "oai-petstore.yaml": 3, "oai-tictactoe.yaml": 3, "oai-uspto.yaml": 3,
	"oai-webhook-example.yaml": 0, "redocly-starter-3.1": 12, "stripe-spec2-swagger2.yaml": 350,
	"stripe-spec3.yaml": 468, "swagger-petstore-3.0.yaml": 19, "swagger-petstore-3.1.yaml": 6,
}

var (
	corpusOnce sync.Once
	corpusAPIs map[string]*API
	corpusErrs []string
	corpusMiss error
)

// loadCorpus reads every document of the corpus once for all the tests (skipping them where
// it is absent); the tests only read the result.
func loadCorpus(t *testing.T) map[string]*API {
	t.Helper()
	corpusOnce.Do(func() { corpusAPIs, corpusErrs, corpusMiss = readCorpus() })
	if corpusMiss != nil {
		t.Skipf("the corpus is not beside the repository: %v", corpusMiss)
	}
	for _, e := range corpusErrs {
		t.Error(e)
	}
	return corpusAPIs
}

func readCorpus() (map[string]*API, []string, error) {
	ents, err := os.ReadDir(corpusDir)
	if err != nil {
		return nil, nil, err
	}
	var errs []string
	out := map[string]*API{}
	for _, e := range ents {
		p := filepath.Join(corpusDir, e.Name())
		if e.IsDir() {
			entry, err := os.ReadFile(filepath.Join(p, ".entry"))
			if err != nil {
				errs = append(errs, err.Error())
				continue
			}
			p = filepath.Join(p, strings.TrimSpace(string(entry)))
		} else if ext := filepath.Ext(p); ext != ".yaml" && ext != ".json" {
			continue
		}
		api, err := Load(p, Options{})
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", e.Name(), err))
			continue
		}
		out[e.Name()] = api
	}
	return out, errs, nil
}

// TestCorpus: every document of the corpus makes a kit, one request per operation (Swagger
// 2.0 single and split, DigitalOcean's 2,900 files, the 3.1 $id/$anchor reference).
func TestCorpus(t *testing.T) {
	apis := loadCorpus(t)
	if len(apis) != len(corpusOps) {
		t.Errorf("%d documents read, want %d", len(apis), len(corpusOps))
	}
	for name, want := range corpusOps {
		api := apis[name]
		if api == nil {
			continue
		}
		if len(api.Requests) != want {
			t.Errorf("%s: %d requests, want %d", name, len(api.Requests), want)
		}
		for _, w := range api.Warnings {
			if strings.HasPrefix(w, "skipped") {
				t.Errorf("%s: %s", name, w)
			}
		}
		for _, r := range api.Requests {
			for _, q := range r.Query {
				if !q.Disabled && strings.Contains(q.Value, "<") && strings.Contains(q.Value, ">") {
					t.Errorf("%s: %s sends the placeholder %s=%s", name, r.Name, q.Key, q.Value)
				}
			}
		}
	}
}

// TestCorpusSwagger2 reads Swagger 2.0 as such: schemes/host/basePath, a body parameter, form
// fields (a file among them), collectionFormat, x-example.
func TestCorpusSwagger2(t *testing.T) {
	api := loadCorpus(t)["nasty-formdata-swagger2.yaml"]
	if api == nil {
		t.FailNow()
	}
	if api.BaseURL != "https://api.example.test/v1" || api.SpecVersion != "2.0" {
		t.Errorf("base %q, version %q", api.BaseURL, api.SpecVersion)
	}
	up := findRequest(t, api, "upload")
	wantForm := []postman.Param{{Key: "file", File: true}, {Key: "comment", Value: "none"}}
	if up.URL != "{{baseUrl}}/uploads/:folder" || up.PathVariables[0].Value != "docs" || !up.Multipart || !equalParams(up.Form, wantForm) {
		t.Errorf("upload: %s %+v multipart=%v form=%+v", up.URL, up.PathVariables, up.Multipart, up.Form)
	}
	if len(up.Query) != 1 || up.Query[0] != (postman.Param{Key: "overwrite", Value: "false", Disabled: true}) {
		t.Errorf("upload query = %+v", up.Query)
	}
	login := findRequest(t, api, "login")
	if login.Multipart || login.Headers["Content-Type"] != "application/x-www-form-urlencoded" || login.Headers["X-Client"] != "cli" || len(login.Form) != 2 {
		t.Errorf("login: %+v", login)
	}
	note := findRequest(t, api, "createNote")
	if note.Headers["Content-Type"] != "application/json" || note.Body != "{\n  \"pinned\": true,\n  \"text\": \"remember the milk\"\n}" {
		t.Errorf("createNote: %v %q", note.Headers, note.Body)
	}
	list := findRequest(t, api, "listNotes")
	if len(list.Query) != 1 || list.Query[0].Key != "tags" || !list.Query[0].Disabled || !strings.Contains(list.Description, "- `tags` (query, array)") {
		t.Errorf("listNotes: %+v\n%s", list.Query, list.Description)
	}
}

func equalParams(a, b []postman.Param) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestCorpusAnchor: Swagger Petstore 3.1 refers to a property by its schema's $id and $anchor.
func TestCorpusAnchor(t *testing.T) {
	api := loadCorpus(t)["swagger-petstore-3.1.yaml"]
	if api == nil {
		t.FailNow()
	}
	add := findRequest(t, api, "Update an existing pet.")
	if !strings.Contains(add.Body, `"petDetailsId": 10`) {
		t.Errorf("body = %s", add.Body)
	}
}

// TestCorpusFoldersByPath: Stripe tags no operation; its requests are grouped by the path
// segment after /v1, no folder holding more than a few dozen.
func TestCorpusFoldersByPath(t *testing.T) {
	apis := loadCorpus(t)
	for _, name := range []string{"stripe-spec3.yaml", "stripe-spec2-swagger2.yaml"} {
		api := apis[name]
		if api == nil {
			continue
		}
		size := map[string]int{}
		for _, r := range api.Requests {
			size[r.Folder]++
		}
		if len(api.Folders) < 40 || size[""] != 0 || size["customers"] == 0 {
			t.Errorf("%s: %d folders, %d requests outside them", name, len(api.Folders), size[""])
		}
		for f, n := range size {
			if n > 48 {
				t.Errorf("%s: folder %s has %d requests", name, f, n)
			}
		}
	}
}

// parityFile is what Postman's converter (openapi-to-postmanv2 6.3.3, defaults) made of a
// document, per request: written by bench/openapi-parity.sh.
type parityFile struct {
	Failed   string `json:"failed"`
	Count    int    `json:"count"`
	Requests map[string]struct {
		Path  []string `json:"path"`
		Query []string `json:"query"`
		JSON  bool     `json:"json"`
	} `json:"requests"`
}

// templatePath writes a request's URL as the document's path template: /repos/{owner}/...
// (the host of an operation's own server left out, as the converter's path has it).
func templatePath(u string) string {
	u = strings.TrimPrefix(u, "{{"+VarBaseURL+"}}")
	if _, rest, ok := strings.Cut(u, "://"); ok {
		_, u, _ = strings.Cut(rest, "/")
		u = "/" + u
	}
	segs := strings.Split(u, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") {
			segs[i] = "{" + s[1:] + "}"
			continue
		}
		segs[i] = strings.NewReplacer("{{", "{", "}}", "}").Replace(s)
	}
	return strings.Join(segs, "/")
}

// TestCorpusParity: for each document, postmint makes a request for every request Postman's
// converter makes, and each has every path variable, query parameter and JSON body the
// converter's has (postmint's optional ones disabled where the converter sends placeholders).
func TestCorpusParity(t *testing.T) {
	apis := loadCorpus(t)
	files, _ := filepath.Glob("../../testdata/openapi/parity/*.json")
	if len(files) != len(corpusOps) {
		t.Fatalf("%d converter summaries in testdata/openapi/parity, want %d (run bench/openapi-parity.sh)", len(files), len(corpusOps))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		api := apis[name]
		if api == nil {
			for n := range apis {
				if strings.TrimSuffix(n, filepath.Ext(n)) == name {
					api = apis[n]
				}
			}
		}
		if api == nil {
			t.Errorf("%s: no document", name)
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var conv parityFile
		if err := json.Unmarshal(data, &conv); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if conv.Failed != "" {
			continue // the converter made nothing: postmint's requests are checked by TestCorpus
		}
		ours := map[string]postman.APIRequest{}
		for _, r := range api.Requests {
			ours[r.Method+" "+templatePath(r.URL)] = r
		}
		missing := 0
		for key, want := range conv.Requests {
			// The converter writes an operation server's empty path as a leading "/" (//v1/files)
			// and drops a segment written <name> (DigitalOcean's /<upload_url>).
			key = strings.Replace(key, " //", " /", 1)
			r, ok := ours[key]
			if !ok {
				for k, o := range ours {
					if regexp.MustCompile(`/<[^/]*>`).ReplaceAllString(k, "") == strings.TrimSuffix(key, "/") {
						r, ok = o, true
					}
				}
			}
			if !ok {
				missing++
				if missing <= 3 {
					t.Errorf("%s: the converter has %s, postmint not", name, key)
				}
				continue
			}
			vars := map[string]bool{}
			for _, v := range api.Variables { // the server's variables
				vars[v.Key] = true
			}
			for _, v := range r.PathVariables {
				vars[v.Key] = true
			}
			for _, m := range regexp.MustCompile(`\{\{([^{}]+)\}\}`).FindAllStringSubmatch(strings.TrimPrefix(r.URL, "{{"+VarBaseURL+"}}"), -1) {
				vars[m[1]] = true
			}
			for _, v := range want.Path {
				if !vars[v] {
					t.Errorf("%s: %s lacks the path variable %s", name, key, v)
				}
			}
			query := map[string]bool{}
			for _, q := range r.Query {
				query[q.Key] = true
			}
			for _, q := range want.Query {
				// The converter writes a leaf of a nested deepObject as name[a][b][value], a key
				// no server reads (Stripe reads name[a][b]): compared without that suffix. A key
				// postmint writes deeper (name[a][b][c]) has the converter's too.
				q = strings.TrimSuffix(q, "[value]")
				// Its names for a map's entries (metadata[key_0]) are made up, as postmint's are
				// (metadata[key]): compared by the map's name.
				if m := regexp.MustCompile(`\[key_\d+\]`).FindStringIndex(q); m != nil {
					q = q[:m[0]]
				}
				if !query[q] && !query[queryComponent(q, true)] && !hasPrefixKey(query, q+"[") {
					t.Errorf("%s: %s lacks the query parameter %s", name, key, q)
				}
			}
			if want.JSON && (r.Body == "" || !json.Valid([]byte(r.Body))) {
				t.Errorf("%s: %s has no JSON body", name, key)
			}
		}
		if missing > 3 {
			t.Errorf("%s: %d of the converter's %d requests missing", name, missing, conv.Count)
		}
	}
}

func hasPrefixKey(keys map[string]bool, prefix string) bool {
	for k := range keys {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// TestCorpusSchema: the collection made from each document follows the official Postman
// Collection v2.1.0 schema (testdata/schema): disabled entries, file fields and bodies included.
func TestCorpusSchema(t *testing.T) {
	schema, err := postmanschema.Compile("../../testdata/schema/collection-v2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	p := &oauth.Profile{TokenURL: "https://idp.example.com/token", ClientID: "c", Audience: "https://idp.example.com/token", Alg: "ES256", GrantType: "client_credentials", ScopeIn: "form"}
	for name, api := range loadCorpus(t) {
		coll, err := postman.BuildCollection(postman.CollectionInput{Name: name, Profile: p, Requests: api.Requests, Folders: api.Folders, Variables: api.Variables})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := postmanschema.Validate(schema, coll); err != nil {
			t.Errorf("%s: the collection does not follow the v2.1.0 schema: %v", name, err)
		}
	}
}

// TestCorpusAPIKey: an apiKey security scheme is an entry {{name}} and a collection variable:
// disabled where another alternative needs no key (Swagger Petstore's getPetById: api_key or
// OAuth), sent where every alternative needs it.
func TestCorpusAPIKey(t *testing.T) {
	api := loadCorpus(t)["swagger-petstore-3.0.yaml"]
	if api == nil {
		t.FailNow()
	}
	get := findRequest(t, api, "Find pet by ID.")
	if len(get.OptionalHeaders) != 1 || get.OptionalHeaders[0].Key != "api_key" || get.OptionalHeaders[0].Value != "{{api_key}}" || !get.OptionalHeaders[0].Disabled {
		t.Errorf("getPetById headers: %v %+v", get.Headers, get.OptionalHeaders)
	}
	declared := false
	for _, v := range api.Variables {
		declared = declared || v.Key == "api_key"
	}
	if !declared {
		t.Errorf("no collection variable api_key: %+v", api.Variables)
	}

	doc := `swagger: "2.0"
info: {title: T, version: "1"}
host: api.example.com
securityDefinitions:
  key: {type: apiKey, name: X-API-Key, in: header}
  token: {type: apiKey, name: token, in: query}
security: [{key: []}]
paths:
  /a:
    get:
      responses: {"200": {description: ok}}
  /b:
    get:
      security: [{token: []}, {}]
      responses: {"200": {description: ok}}
`
	api, err := Parse([]byte(doc), "k.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a := api.Requests[0]; a.Headers["X-API-Key"] != "{{X-API-Key}}" {
		t.Errorf("/a headers = %v", a.Headers)
	}
	if b := api.Requests[1]; len(b.Query) != 1 || b.Query[0].Key != "token" || !b.Query[0].Disabled || len(b.Headers) != 0 {
		t.Errorf("/b = %+v %v", b.Query, b.Headers)
	}
}
