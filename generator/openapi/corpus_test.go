package openapi

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postmint/postmint/generator/postman"
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

// loadCorpus reads every document of the corpus (skipping the test where it is absent).
func loadCorpus(t *testing.T) map[string]*API {
	t.Helper()
	ents, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Skipf("the corpus is not beside the repository: %v", err)
	}
	out := map[string]*API{}
	for _, e := range ents {
		p := filepath.Join(corpusDir, e.Name())
		if e.IsDir() {
			entry, err := os.ReadFile(filepath.Join(p, ".entry"))
			if err != nil {
				t.Fatal(err)
			}
			p = filepath.Join(p, strings.TrimSpace(string(entry)))
		} else if ext := filepath.Ext(p); ext != ".yaml" && ext != ".json" {
			continue
		}
		api, err := Load(p, Options{})
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		out[e.Name()] = api
	}
	return out
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
