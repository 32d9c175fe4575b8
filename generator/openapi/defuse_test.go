package openapi

import (
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/generator/postman"
)

// postmanVar is how Postman finds a variable reference (postman-collection's variable syntax).
var postmanVar = regexp.MustCompile(`\{\{([^{}]*?)\}\}`)

// TestNoVariablesFromTheDocument: a document full of {{privateKey}} gives a collection whose
// API requests (what Postman sends: names and descriptions aside) reference only the
// variables postmint placed (baseUrl and the server's tenant), and the JSON body and URL still
// carry the document's text to the server.
func TestNoVariablesFromTheDocument(t *testing.T) {
	api := parseTestdata(t, "braces.yaml", true)
	p := &oauth.Profile{TokenURL: "https://idp.example.com/token", ClientID: "c", Audience: "https://idp.example.com/token", Alg: "ES256", GrantType: "client_credentials", ScopeIn: "form"}
	coll, err := postman.BuildCollection(postman.CollectionInput{Name: "T", Profile: p, Requests: api.Requests, Folders: api.Folders, Variables: api.Variables})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Item []struct {
			Name string `json:"name"`
			Item json.RawMessage
		} `json:"item"`
		Variable json.RawMessage `json:"variable"`
	}
	if err := json.Unmarshal(coll, &doc); err != nil {
		t.Fatal(err)
	}
	allowed := []string{VarBaseURL, "tenant"}
	for _, part := range []json.RawMessage{doc.Item[1].Item, doc.Variable} {
		var v any
		json.Unmarshal(part, &v)
		walkStrings(v, func(s string) {
			for _, m := range postmanVar.FindAllStringSubmatch(s, -1) {
				if !slices.Contains(allowed, m[1]) {
					t.Errorf("Postman would expand {{%s}} in %q", m[1], s)
				}
			}
		})
	}

	every := api.Requests[0]
	var body map[string]any
	if err := json.Unmarshal([]byte(every.Body), &body); err != nil {
		t.Fatal(err)
	}
	if body["key"] != "{{privateKey}}" || body["nested"].([]any)[0] != "{{{clientAssertion}}}" || body["{{bearerToken}}"] != float64(1) {
		t.Errorf("the JSON body decodes to %v, not the document's example", body)
	}
	for _, q := range every.Query {
		if k, _ := url.QueryUnescape(q.Key); k == "{{privateKey}}" {
			continue
		}
		if v, _ := url.QueryUnescape(q.Value); v != "{{{privateKey}}}" {
			t.Errorf("query %s=%s decodes to %q", q.Key, q.Value, v)
		}
	}
	if v, _ := url.PathUnescape(every.PathVariables[0].Value); v != "{{privateKey}}" {
		t.Errorf("path variable %q decodes to %q", every.PathVariables[0].Value, v)
	}
	if every.URL != "{{baseUrl}}/keys/%7B{privateKey}}/:id" || api.BaseURL != "https://{{tenant}}.api.example.com/%7B{privateKey}}" || api.Variables[1].Value != "t%7B%7BprivateKey%7D%7D" {
		t.Errorf("URL %q, baseUrl %q, tenant %q", every.URL, api.BaseURL, api.Variables[1].Value)
	}
	if every.Headers["X-Key"] != `Bearer {\{privateKey}}` || api.Requests[1].Form[0].Value != `{\{privateKey}}` || api.Requests[2].Body != `key={\{privateKey}}` {
		t.Errorf("header %q, form %q, text body %q", every.Headers["X-Key"], api.Requests[1].Form[0].Value, api.Requests[2].Body)
	}
}

func walkStrings(v any, f func(string)) {
	switch x := v.(type) {
	case string:
		f(x)
	case []any:
		for _, e := range x {
			walkStrings(e, f)
		}
	case map[string]any:
		for k, e := range x {
			if k == "name" || k == "description" {
				continue // shown, never sent: Postman expands nothing there
			}
			f(k)
			walkStrings(e, f)
		}
	}
}

// FuzzDefuse: whatever the text, the defused forms hold no "{{", and the URL and JSON forms
// decode to the text itself.
func FuzzDefuse(f *testing.F) {
	for _, s := range []string{"{{privateKey}}", "{{{x}}}", "{", "a{{b{{c}}}}", "%7B{", `\u007b{`, "{{\x00}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, d := range []string{defuseText(s), defuseURL(s), defuseJSON(s)} {
			if strings.Contains(d, "{{") {
				t.Fatalf("%q defused to %q", s, d)
			}
		}
		enc, err := json.Marshal(s)
		if err != nil {
			return
		}
		var back string
		if err := json.Unmarshal([]byte(defuseJSON(string(enc))), &back); err != nil || back != s {
			t.Fatalf("JSON %s defused to %s decodes to %q (%v)", enc, defuseJSON(string(enc)), back, err)
		}
		if q := queryComponent(s, false); strings.Contains(q, "{{") {
			t.Fatalf("query value %q holds {{", q)
		}
		if !strings.Contains(s, "%") {
			if back, err := url.PathUnescape(defuseURL(s)); err != nil || back != s {
				t.Fatalf("URL %q decodes to %q (%v)", defuseURL(s), back, err)
			}
		}
	})
}

// TestQueryRawAgrees: url.raw's query string is made of exactly url.query[]'s keys and values,
// for every request of Okta's document (List all Network Zones had filter%3D%2528... in raw
// and filter=%28... in query[]).
func TestQueryRawAgrees(t *testing.T) {
	api := parseTestdata(t, "okta-management.yaml", true)
	p := &oauth.Profile{TokenURL: "https://idp.example.com/token", ClientID: "c", Audience: "https://idp.example.com/token", Alg: "ES256", GrantType: "client_credentials", ScopeIn: "form"}
	coll, err := postman.BuildCollection(postman.CollectionInput{Name: "T", Profile: p, Requests: api.Requests, Folders: api.Folders, Variables: api.Variables})
	if err != nil {
		t.Fatal(err)
	}
	type urlObj struct {
		Raw   string `json:"raw"`
		Query []struct {
			Key, Value string
			Disabled   bool
		} `json:"query"`
	}
	type item struct {
		Name    string `json:"name"`
		Item    []item `json:"item"`
		Request *struct {
			URL urlObj `json:"url"`
		} `json:"request"`
	}
	var doc struct{ Item []item }
	if err := json.Unmarshal(coll, &doc); err != nil {
		t.Fatal(err)
	}
	checked, zones := 0, false
	var walk func([]item)
	walk = func(its []item) {
		for _, it := range its {
			walk(it.Item)
			if it.Request == nil || len(it.Request.URL.Query) == 0 {
				continue
			}
			var parts []string
			for _, q := range it.Request.URL.Query {
				if q.Key == "filter" && it.Name == "List all Network Zones" && q.Value == "filter=%28id+eq+%22nzowc1U5Jh5xuAK0o0g3%22%29" {
					zones = true
				}
				if !q.Disabled {
					parts = append(parts, q.Key+"="+q.Value)
				}
			}
			_, rawQuery, _ := strings.Cut(it.Request.URL.Raw, "?")
			if rawQuery != strings.Join(parts, "&") {
				t.Errorf("%s: raw query %q, query[] %q", it.Name, rawQuery, strings.Join(parts, "&"))
			}
			checked++
		}
	}
	walk(doc.Item)
	if checked < 50 || !zones {
		t.Errorf("checked %d requests with a query (List all Network Zones among them: %v)", checked, zones)
	}
}

// TestDefuseNewPlaces: the places issue 20 added (Swagger 2.0 host and x-example, disabled
// headers and query entries, form fields, an operation's server, a path parameter inside a
// segment) keep document text from becoming a {{variable}}, and a parameter named like one of
// postmint's variables is never made a {{variable}} the partner fills.
func TestDefuseNewPlaces(t *testing.T) {
	doc := `swagger: "2.0"
info: {title: T, version: "1"}
host: "{{privateKey}}.example.com"
basePath: "/{{privateKey}}"
paths:
  /a/{id}.json:
    post:
      parameters:
        - {name: id, in: path, required: true, type: string, x-example: "{{privateKey}}"}
        - {name: X-Opt, in: header, type: string, x-example: "{{privateKey}}"}
        - {name: q, in: query, type: string, default: "{{privateKey}}"}
        - {name: privateKey, in: query, required: true, type: string}
        - {name: f, in: formData, type: string, default: "{{privateKey}}"}
      responses: {"200": {description: ok}}
`
	api, err := Parse([]byte(doc), "d.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := &oauth.Profile{TokenURL: "https://idp.example.com/token", ClientID: "c", Audience: "https://idp.example.com/token", Alg: "ES256", GrantType: "client_credentials", ScopeIn: "form"}
	coll, err := postman.BuildCollection(postman.CollectionInput{Name: "T", Profile: p, Requests: api.Requests, Folders: api.Folders, Variables: api.Variables})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(coll), "{{privateKey}}") {
		t.Errorf("the collection holds {{privateKey}}:\n%s", coll)
	}
	r := api.Requests[0]
	if r.URL != "{{baseUrl}}/a/{{id}}.json" || len(r.Query) != 2 || r.Query[1].Value == "{{privateKey}}" || !r.Query[1].Disabled {
		t.Errorf("request = %s %+v", r.URL, r.Query)
	}
	for _, v := range api.Variables {
		if strings.Contains(v.Value, "{{") {
			t.Errorf("variable %s = %q", v.Key, v.Value)
		}
	}
}
