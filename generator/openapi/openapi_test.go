package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/generator/postman"
)

func parseTestdata(t *testing.T, name string, withLocation bool) *API {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "openapi", name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	opt := Options{}
	if withLocation {
		abs, _ := filepath.Abs(path)
		opt.Location = &url.URL{Path: filepath.ToSlash(abs)}
	}
	api, err := Parse(data, name, opt)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return api
}

func findRequest(t *testing.T, api *API, name string) postman.APIRequest {
	t.Helper()
	for _, r := range api.Requests {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no request %q", name)
	return postman.APIRequest{}
}

func TestOpenAPI30(t *testing.T) {
	api := parseTestdata(t, "orders-3.0.yaml", true)
	if api.Title != "Acme Orders" || api.APIVersion != "2.4" || api.SpecVersion != "3.0.3" {
		t.Errorf("info = %q %q %q", api.Title, api.APIVersion, api.SpecVersion)
	}
	if want := "https://{{region}}.api.acme.example/{{basePath}}"; api.BaseURL != want {
		t.Errorf("BaseURL = %q, want %q", api.BaseURL, want)
	}
	wantVars := []postman.Param{
		{Key: "baseUrl", Value: "https://{{region}}.api.acme.example/{{basePath}}"},
		{Key: "basePath", Value: "v2"},
		{Key: "region", Value: "eu", Description: "Where your data lives. One of: eu, us."},
		{Key: "customerId", Value: "c 42", Description: "A path parameter inside a segment of the path (e.g. /compare/{base}...{head}); set it before sending (its value is the document's example, if it gives one)."},
	}
	for i, v := range api.Variables {
		v.Description = strings.TrimPrefix(v.Description, "The API's base URL (the OpenAPI document's first server); every request in API starts with it.")
		if i >= len(wantVars) || v != wantVars[i] {
			t.Errorf("Variables[%d] = %+v", i, v)
		}
	}
	// Document order, folders by first tag, untagged requests directly in API.
	var names []string
	for _, r := range api.Requests {
		names = append(names, r.Folder+"/"+r.Name)
	}
	want := []string{"Orders/List orders", "Orders/Create an order", "Orders/Get an order", "Orders/Update an order",
		"Orders/cancelOrder", "Orders/Replace a line", "Customers/Get a customer as JSON", "Customers/Create a customer",
		"Customers/Import customers", "/GET /health"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("requests:\n got %q\nwant %q", names, want)
	}
	if len(api.Folders) != 2 || api.Folders[0] != (postman.Folder{Name: "Orders", Description: "Create, read and cancel orders."}) {
		t.Errorf("folders = %+v", api.Folders)
	}

	list := findRequest(t, api, "List orders")
	if list.Method != "GET" || list.URL != "{{baseUrl}}/orders" {
		t.Errorf("List orders: %s %s", list.Method, list.URL)
	}
	// Required (first enum value) is sent; the optional ones are disabled entries: with a
	// default, without any example (empty, described), an exploded array example.
	wantQuery := []postman.Param{{Key: "status", Value: "open"}, {Key: "limit", Value: "20", Disabled: true},
		{Key: "after", Description: "Cursor from the previous page.", Disabled: true},
		{Key: "fields", Value: "id", Disabled: true}, {Key: "fields", Value: "total", Disabled: true}}
	if !reflect.DeepEqual(list.Query, wantQuery) {
		t.Errorf("query = %+v", list.Query)
	}
	// A required header without an example is a variable the partner fills, named in the
	// description.
	if list.Headers["X-Request-Id"] != "{{X-Request-Id}}" {
		t.Errorf("headers = %v", list.Headers)
	}
	for _, s := range []string{"`GET /orders` (operationId `listOrders`)", "Required parameters the document gives no example of", "- `X-Request-Id` (header, string)", "- `session` (cookie, string)"} {
		if !strings.Contains(list.Description, s) {
			t.Errorf("description lacks %q:\n%s", s, list.Description)
		}
	}

	create := findRequest(t, api, "Create an order")
	if create.Headers["Content-Type"] != "application/json" || !strings.Contains(create.Body, `"customer": "c-42"`) {
		t.Errorf("Create an order: %v %s", create.Headers, create.Body)
	}
	if !strings.HasPrefix(create.Description, "Creates an order for a customer.\n\nThe total is computed by the server.") {
		t.Errorf("description = %q", create.Description)
	}

	get := findRequest(t, api, "Get an order")
	if get.URL != "{{baseUrl}}/orders/:orderId" || !reflect.DeepEqual(get.PathVariables, []postman.Param{{Key: "orderId", Value: "o-1001", Description: "The order's id."}}) {
		t.Errorf("Get an order: %s %+v", get.URL, get.PathVariables)
	}

	// A body made up from a schema: allOf merged, oneOf's first, readOnly left out, the
	// recursive parent cut, formats and examples used.
	update := findRequest(t, api, "Update an order")
	var body map[string]any
	if err := json.Unmarshal([]byte(update.Body), &body); err != nil {
		t.Fatalf("Update an order body %q: %v", update.Body, err)
	}
	if _, ok := body["id"]; ok {
		t.Errorf("readOnly id in the body: %s", update.Body)
	}
	if body["placedAt"] != "2024-01-01T00:00:00Z" || body["status"] != "open" || body["customer"] != "<string>" {
		t.Errorf("body = %s", update.Body)
	}
	if p, _ := body["payment"].(map[string]any); p["kind"] != "card" || p["last4"] != "4242" {
		t.Errorf("payment = %v", body["payment"])
	}
	if update.Headers["Content-Type"] != "application/merge-patch+json" {
		t.Errorf("Content-Type = %q", update.Headers["Content-Type"])
	}

	// The operation's parameter wins over the path item's; examples by name, first sorted.
	line := findRequest(t, api, "Replace a line")
	if !reflect.DeepEqual(line.PathVariables, []postman.Param{{Key: "orderId", Value: "o-1001"}, {Key: "lineNo", Value: "<int32>"}}) || line.Body != "{\n  \"quantity\": 1,\n  \"sku\": \"SMALL\"\n}" {
		t.Errorf("Replace a line: %+v %q", line.PathVariables, line.Body)
	}
	if cancel := findRequest(t, api, "cancelOrder"); !strings.HasPrefix(cancel.Description, "**Deprecated.**") {
		t.Errorf("cancelOrder description = %q", cancel.Description)
	}
	// A parameter that is not a whole segment is a collection variable (its example the value).
	if c := findRequest(t, api, "Get a customer as JSON"); c.URL != "{{baseUrl}}/customers/{{customerId}}.json" {
		t.Errorf("URL = %q", c.URL)
	}
	form := findRequest(t, api, "Create a customer")
	if !reflect.DeepEqual(form.Form, []postman.Param{{Key: "name", Value: "Ada"}, {Key: "tags", Value: `["<string>"]`}, {Key: "vip", Value: "true"}}) || form.Multipart {
		t.Errorf("form = %+v", form.Form)
	}
	if m := findRequest(t, api, "Import customers"); !m.Multipart || len(m.Form) != 2 || m.Headers["Content-Type"] != "" {
		t.Errorf("multipart = %+v %v", m.Form, m.Headers)
	}
}

func TestOpenAPI31(t *testing.T) {
	api := parseTestdata(t, "orders-3.1.json", false)
	if api.SpecVersion != "3.1.0" || len(api.Requests) != 2 {
		t.Fatalf("spec %s, %d requests", api.SpecVersion, len(api.Requests))
	}
	get := api.Requests[0]
	if !reflect.DeepEqual(get.PathVariables, []postman.Param{{Key: "orderId", Value: "o-3003"}}) || !reflect.DeepEqual(get.Query, []postman.Param{{Key: "expand", Value: "lines"}}) {
		t.Errorf("get: %+v %+v", get.PathVariables, get.Query)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(api.Requests[1].Body), &body); err != nil {
		t.Fatal(err)
	}
	// type: [string, "null"] is a string; examples[0] is used.
	if body["note"] != "leave at the door" || body["total"] != float64(0) || body["gift"] != true {
		t.Errorf("body = %s", api.Requests[1].Body)
	}
	if len(api.Warnings) != 1 || !strings.Contains(api.Warnings[0], `"/v3" is relative`) {
		t.Errorf("warnings = %q", api.Warnings)
	}
}

func TestOpenAPIRelativeServerFromURL(t *testing.T) {
	data, err := os.ReadFile("../../testdata/openapi/orders-3.1.json")
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := url.Parse("https://api.acme.example/docs/openapi.json")
	api, err := Parse(data, loc.String(), Options{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	if api.BaseURL != "https://api.acme.example/v3" || len(api.Warnings) != 0 {
		t.Errorf("BaseURL %q, warnings %q", api.BaseURL, api.Warnings)
	}
}

func TestOpenAPIErrors(t *testing.T) {
	for _, tc := range []struct {
		file       string
		line, col  int
		kind       error
		msgContain string
	}{
		{"broken.yaml", 7, 0, ErrSyntax, "did not find expected ',' or '}'"},
		{"broken.json", 6, 4, ErrSyntax, "invalid character '}'"},
		{"swagger-1.2.yaml", 2, 10, ErrVersion, `swagger "1.2" is not supported`},
		{"openapi-4.0.yaml", 4, 10, ErrVersion, `openapi "4.0.0" is not supported`},
		{"bad-ref.yaml", 12, 21, ErrInvalid, `$ref "#/components/schemas/Missing" points at nothing`},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("../../testdata/openapi", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(data, tc.file, Options{})
			var oe *Error
			if !errors.As(err, &oe) {
				t.Fatalf("err = %v", err)
			}
			if oe.Line != tc.line || oe.Column != tc.col || !errors.Is(err, tc.kind) || !strings.Contains(oe.Msg, tc.msgContain) {
				t.Errorf("got %d:%d %v %q", oe.Line, oe.Column, oe.Err, oe.Msg)
			}
			if !strings.HasPrefix(err.Error(), tc.file+":") {
				t.Errorf("Error() = %q does not start with the file", err.Error())
			}
		})
	}
	for _, bad := range []string{"", "[1, 2]", "info: {title: x}\npaths: {}\n"} {
		if _, err := Parse([]byte(bad), "x.yaml", Options{}); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestOpenAPIOkta reads a real document with hundreds of operations (Okta's management API).
func TestOpenAPIOkta(t *testing.T) {
	api := parseTestdata(t, "okta-management.yaml", true)
	if len(api.Requests) != 541 {
		t.Errorf("%d requests, want 541", len(api.Requests))
	}
	if api.BaseURL != "https://{{yourOktaDomain}}" || api.Variables[1].Key != "yourOktaDomain" || api.Variables[1].Value != "subdomain.okta.com" {
		t.Errorf("BaseURL %q, variables %+v", api.BaseURL, api.Variables)
	}
	folders := map[string]bool{}
	for _, r := range api.Requests {
		folders[r.Folder] = true
		if !strings.HasPrefix(r.URL, "{{baseUrl}}/") || strings.ContainsAny(r.URL, "{}") && !strings.HasPrefix(r.URL, "{{baseUrl}}") {
			t.Errorf("%s: URL %q", r.Name, r.URL)
		}
		for _, v := range r.PathVariables {
			if !strings.Contains(r.URL, ":"+v.Key) {
				t.Errorf("%s: path variable %s not in %s", r.Name, v.Key, r.URL)
			}
		}
		if r.Body != "" && r.Headers["Content-Type"] != "" && isJSONType(r.Headers["Content-Type"]) && !json.Valid([]byte(r.Body)) {
			t.Errorf("%s: body is not JSON: %s", r.Name, r.Body)
		}
	}
	if len(folders) < 50 {
		t.Errorf("%d folders", len(folders))
	}
	again := parseTestdata(t, "okta-management.yaml", true)
	if !reflect.DeepEqual(api, again) {
		t.Error("two parses of the same document differ")
	}
}

// TestPreparedItemsSplice: a collection with prepared items is byte for byte the one built
// with the same requests listed directly.
func TestPreparedItemsSplice(t *testing.T) {
	p := &oauth.Profile{TokenURL: "https://idp.example.com/token", ClientID: "c", Audience: "https://idp.example.com/token", Alg: "ES256", GrantType: "client_credentials", ScopeIn: "form"}
	for _, doc := range []string{"orders-3.0.yaml", "orders-3.1.json", "okta-management.yaml"} {
		api := parseTestdata(t, doc, true)
		own := []postman.APIRequest{{Name: "Who am I <me>", Method: "GET", URL: "https://api.example.com/whoami?x=1&y=2"}}
		direct, err := postman.BuildCollection(postman.CollectionInput{Name: "T & co", Profile: p, Requests: append(own, api.Requests...), Folders: api.Folders, Variables: api.Variables})
		if err != nil {
			t.Fatal(err)
		}
		prep, err := postman.PrepareItems(api.Folders, api.Requests)
		if err != nil {
			t.Fatal(err)
		}
		spliced, err := postman.BuildCollection(postman.CollectionInput{Name: "T & co", Profile: p, Requests: own, Prepared: prep, Variables: api.Variables})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(direct, spliced) {
			t.Errorf("%s: spliced collection differs from the direct one", doc)
		}
		if !json.Valid(spliced) {
			t.Errorf("%s: spliced collection is not JSON", doc)
		}
	}
}

// TestOpenAPI31SiblingRef: in 3.1 a $ref's siblings apply beside it (JSON Schema 2020-12):
// a body made up from {$ref, description} is the referenced schema's (libopenapi lost the
// $ref and made {}), an example beside a $ref is the example; in 3.0 siblings are ignored.
func TestOpenAPI31SiblingRef(t *testing.T) {
	doc := func(version, schema string) []byte {
		return []byte(`openapi: ` + version + `
info: {title: S, version: "1"}
paths:
  /x:
    post:
      requestBody:
        content:
          application/json:
            schema: ` + schema + `
      responses: {"200": {description: ok}}
components:
  schemas:
    Thing: {type: object, properties: {name: {type: string, example: Widget}}}
`)
	}
	for _, tc := range []struct{ version, schema, body string }{
		{"3.1.0", `{$ref: "#/components/schemas/Thing", description: A thing}`, "{\n  \"name\": \"Widget\"\n}"},
		{"3.1.0", `{$ref: "#/components/schemas/Thing", example: {name: Gadget}}`, "{\n  \"name\": \"Gadget\"\n}"},
		{"3.0.3", `{$ref: "#/components/schemas/Thing", example: {name: Gadget}}`, "{\n  \"name\": \"Widget\"\n}"},
	} {
		api, err := Parse(doc(tc.version, tc.schema), "s.yaml", Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := api.Requests[0].Body; got != tc.body {
			t.Errorf("%s %s: body %s, want %s", tc.version, tc.schema, got, tc.body)
		}
	}
}

// TestPathItemRefOrder: a path item that is a $ref keeps its target's method order (the
// document's order), as an inline one does; libopenapi's model gave GET before POST.
func TestPathItemRefOrder(t *testing.T) {
	doc := `openapi: 3.1.0
info: {title: P, version: "1"}
paths:
  /inline: {post: {summary: inline post}, get: {summary: inline get}}
  /ref: {$ref: "#/components/pathItems/Ref"}
components:
  pathItems:
    Ref: {post: {summary: ref post}, get: {summary: ref get}}
`
	api, err := Parse([]byte(doc), "p.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range api.Requests {
		got = append(got, r.Name)
	}
	if want := []string{"inline post", "inline get", "ref post", "ref get"}; !reflect.DeepEqual(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
}

// TestSegmentVariableNoPlaceholder: a path parameter inside a segment without an example is a
// collection variable with no value (not <string>, which would be sent).
func TestSegmentVariableNoPlaceholder(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: T, version: "1"}
servers: [{url: "https://api.example.com"}]
paths:
  /compare/{base}...{head}:
    get:
      parameters:
        - {name: base, in: path, required: true, schema: {type: string}}
        - {name: head, in: path, required: true, schema: {type: string}, example: main}
      responses: {"200": {description: ok}}
`
	api, err := Parse([]byte(doc), "seg.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if api.Requests[0].URL != "{{baseUrl}}/compare/{{base}}...{{head}}" {
		t.Errorf("URL = %s", api.Requests[0].URL)
	}
	got := map[string]string{}
	for _, v := range api.Variables {
		got[v.Key] = v.Value
	}
	if v, ok := got["base"]; !ok || v != "" || got["head"] != "main" {
		t.Errorf("variables = %+v", api.Variables)
	}
}

// TestOpenAPI32: a 3.2 document is read, with its QUERY method and additionalOperations.
func TestOpenAPI32(t *testing.T) {
	doc := `openapi: 3.2.0
info: {title: T, version: "1"}
servers: [{url: "https://api.example.com"}]
paths:
  /search:
    query:
      operationId: search
      requestBody:
        content:
          application/json:
            example: {q: shoes}
      responses: {"200": {description: ok}}
    additionalOperations:
      LINK:
        operationId: link
        responses: {"204": {description: ok}}
    get:
      operationId: list
      responses: {"200": {description: ok}}
`
	api, err := Parse([]byte(doc), "v32.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range api.Requests {
		got = append(got, r.Method+" "+r.Name)
	}
	if want := []string{"QUERY search", "GET list", "LINK link"}; !reflect.DeepEqual(got, want) {
		t.Errorf("requests = %q, want %q", got, want)
	}
	if api.Requests[0].Body != "{\n  \"q\": \"shoes\"\n}" {
		t.Errorf("QUERY body = %q", api.Requests[0].Body)
	}
}

// TestSerialize: query parameters are written as style and explode say.
func TestSerialize(t *testing.T) {
	list := []any{"a", "b"}
	obj := map[string]any{"x": 1.0, "y": "z"}
	for _, tc := range []struct {
		v       any
		style   string
		explode bool
		want    string
	}{
		{list, "form", true, "ids=a&ids=b"},
		{list, "form", false, "ids=a,b"},
		{list, "spaceDelimited", false, "ids=a b"},
		{list, "pipeDelimited", false, "ids=a|b"},
		{list, "deepObject", true, "ids[0]=a&ids[1]=b"},
		{obj, "form", true, "x=1&y=z"},
		{obj, "form", false, "ids=x,1,y,z"},
		{obj, "deepObject", true, "ids[x]=1&ids[y]=z"},
		{map[string]any{"a": map[string]any{"b": "c"}}, "deepObject", true, "ids[a][b]=c"},
		{"v", "form", true, "ids=v"},
	} {
		var parts []string
		for _, kv := range serialize("ids", tc.v, tc.style, tc.explode) {
			parts = append(parts, kv[0]+"="+kv[1])
		}
		if got := strings.Join(parts, "&"); got != tc.want {
			t.Errorf("%v %s explode=%v: %s, want %s", tc.v, tc.style, tc.explode, got, tc.want)
		}
	}
}
