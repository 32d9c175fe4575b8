package openapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// write puts files (name -> text) under dir.
func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// docWithBodyRef is a document whose one operation's body schema is the given $ref.
func docWithBodyRef(ref string) string {
	return fmt.Sprintf(`openapi: 3.0.3
info: {title: T, version: "1"}
servers: [{url: "https://api.example.com"}]
paths:
  /x:
    post:
      summary: X
      requestBody:
        content:
          application/json:
            schema: {$ref: %q}
      responses: {"200": {description: ok}}
`, ref)
}

// refErr checks that err is an *Error of kind at file:line that names ref.
func refErr(t *testing.T, err error, kind error, file string, line int, ref string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want an *Error", err)
	}
	if !errors.Is(err, kind) || e.Line != line || !strings.HasSuffix(e.Source, file) || !strings.Contains(e.Msg, fmt.Sprintf("%q", ref)) {
		t.Errorf("got %v (kind %v, %s line %d), want %v at %s:%d naming %q", err, e.Err, e.Source, e.Line, kind, file, line, ref)
	}
}

// TestRefsInFolder: $refs to files under the document's folder (relative to the file that
// holds them) are followed, and a path item from another file keeps its operations.
func TestRefsInFolder(t *testing.T) {
	api, err := Load("../../testdata/openapi/refs/main.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(api.Requests) != 2 {
		t.Fatalf("%d requests", len(api.Requests))
	}
	a, b := api.Requests[0], api.Requests[1]
	if a.Name != "A from another file" || a.Folder != "Ext" || len(a.Query) != 1 || a.Query[0].Value != "5" {
		t.Errorf("A = %+v", a)
	}
	if b.Body != "{\n  \"name\": \"<string>\",\n  \"part\": {\n    \"id\": 0,\n    \"parent\": null\n  }\n}" {
		t.Errorf("B body = %s", b.Body)
	}
}

// TestRefsLeavingTheFolder: a document read from a file resolves no file outside its folder
// (absolute path, ../, a symlink out) and no URL unless AllowURLRefs says so; the error names
// the $ref and where it is written.
func TestRefsLeavingTheFolder(t *testing.T) {
	root := t.TempDir()
	secret := filepath.Join(root, "secret.yaml")
	write(t, root, map[string]string{"secret.yaml": "Secret: {type: string, example: TOP-SECRET}\n"})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "Remote: {type: string, example: from-the-web}")
	}))
	defer srv.Close()
	for _, tc := range []struct {
		name, ref string
		kind      error
	}{
		{"absolute path", secret + "#/Secret", ErrRefOrigin},
		{"file URL", "file://" + filepath.ToSlash(secret) + "#/Secret", ErrRefOrigin},
		{"dot-dot", "../secret.yaml#/Secret", ErrRefOrigin},
		{"symlink out", "link.yaml#/Secret", ErrRefOrigin},
		{"URL", srv.URL + "/remote.yaml#/Remote", ErrRefOrigin},
		{"missing file", "nowhere.yaml#/X", ErrInvalid},
		{"missing pointer", "#/components/schemas/Nope", ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(root, strings.ReplaceAll(tc.name, " ", "-"))
			write(t, dir, map[string]string{"api.yaml": docWithBodyRef(tc.ref)})
			if err := os.Symlink(secret, filepath.Join(dir, "link.yaml")); err != nil {
				t.Fatal(err)
			}
			api, err := Load(filepath.Join(dir, "api.yaml"), Options{})
			if err == nil {
				t.Fatalf("no error; body %q", api.Requests[0].Body)
			}
			if strings.Contains(err.Error(), "TOP-SECRET") {
				t.Errorf("error shows the file's content: %v", err)
			}
			refErr(t, err, tc.kind, "api.yaml", 11, tc.ref)
		})
	}
	t.Run("URL allowed", func(t *testing.T) {
		dir := filepath.Join(root, "allowed")
		write(t, dir, map[string]string{"api.yaml": docWithBodyRef(srv.URL + "/remote.yaml#/Remote")})
		api, err := Load(filepath.Join(dir, "api.yaml"), Options{AllowURLRefs: true})
		if err != nil {
			t.Fatal(err)
		}
		if api.Requests[0].Body != `"from-the-web"` {
			t.Errorf("body = %s", api.Requests[0].Body)
		}
	})
}

// TestRefsOnTheOrigin: a document read from a URL resolves $refs on its own scheme, host and
// port only; "/tmp/.../secret.yaml" is a path on that server, never a local file.
func TestRefsOnTheOrigin(t *testing.T) {
	secretDir := t.TempDir()
	secret := filepath.Join(secretDir, "secret.yaml")
	write(t, secretDir, map[string]string{"secret.yaml": "Secret: {type: string, example: TOP-SECRET}\n"})
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "Other: {type: string, example: from-another-host}")
	}))
	defer other.Close()
	docs := map[string]string{
		"/same.yaml":     docWithBodyRef("parts.yaml#/Part"),
		"/parts.yaml":    "Part: {type: string, example: same-origin}\n",
		"/abs.yaml":      docWithBodyRef(secret + "#/Secret"),
		"/file.yaml":     docWithBodyRef("file://" + filepath.ToSlash(secret) + "#/Secret"),
		"/other.yaml":    docWithBodyRef(other.URL + "/o.yaml#/Other"),
		"/redirect.yaml": docWithBodyRef("hop.yaml#/Other"),
	}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hop.yaml" {
			http.Redirect(w, r, other.URL+"/o.yaml", http.StatusFound)
			return
		}
		d, ok := docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, d)
	}))
	defer srv.Close()

	api, err := Load(srv.URL+"/same.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if api.Requests[0].Body != `"same-origin"` {
		t.Errorf("body = %s", api.Requests[0].Body)
	}
	for _, tc := range []struct {
		doc, ref, want string
		kind           error
	}{
		{"/abs.yaml", secret + "#/Secret", "HTTP 404", ErrInvalid}, // asked of the server, not the disk
		{"/file.yaml", "file://" + filepath.ToSlash(secret) + "#/Secret", "only on its own origin", ErrRefOrigin},
		{"/other.yaml", other.URL + "/o.yaml#/Other", "only on its own origin", ErrRefOrigin},
		{"/redirect.yaml", "hop.yaml#/Other", "off the origin", ErrInvalid},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			api, err := Load(srv.URL+tc.doc, Options{})
			if err == nil {
				t.Fatalf("no error; body %q", api.Requests[0].Body)
			}
			if strings.Contains(err.Error(), "TOP-SECRET") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to say %q", err, tc.want)
			}
			refErr(t, err, tc.kind, tc.doc, 11, tc.ref)
		})
	}
}

// TestRefsWithoutLocation: with no Location, only local $refs resolve.
func TestRefsWithoutLocation(t *testing.T) {
	_, err := Parse([]byte(docWithBodyRef("other.yaml#/X")), "api.yaml", Options{})
	refErr(t, err, ErrRefOrigin, "api.yaml", 11, "other.yaml#/X")
}

// TestRefCycles: a $ref that leads only to $refs is an error (not a hang); a schema that
// contains itself is cut where it recurs.
func TestRefCycles(t *testing.T) {
	doc := docWithBodyRef("#/components/schemas/A") + `components:
  schemas:
    A: {$ref: "#/components/schemas/B"}
    B: {$ref: "#/components/schemas/A"}
`
	_, err := Parse([]byte(doc), "loop.yaml", Options{})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "a cycle?") {
		t.Errorf("err = %v", err)
	}

	dir := t.TempDir()
	write(t, dir, map[string]string{
		"api.yaml": docWithBodyRef("b.yaml#/B"),
		"b.yaml":   "B: {type: object, properties: {a: {$ref: 'api.yaml#/components/schemas/A'}}}\n",
	})
	os.WriteFile(filepath.Join(dir, "api.yaml"), []byte(docWithBodyRef("b.yaml#/B")+"components:\n  schemas:\n    A: {type: object, properties: {b: {$ref: 'b.yaml#/B'}, n: {type: integer}}}\n"), 0o644)
	api, err := Load(filepath.Join(dir, "api.yaml"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"a\": {\n    \"b\": null,\n    \"n\": 0\n  }\n}"; api.Requests[0].Body != want {
		t.Errorf("body = %s, want %s", api.Requests[0].Body, want)
	}
}

// TestBoundedWork: documents built to explode (schemas that reference the next one twice, 40
// levels deep; YAML aliases that repeat aliases in an example) finish quickly.
func TestBoundedWork(t *testing.T) {
	var b strings.Builder
	b.WriteString(docWithBodyRef("#/components/schemas/S0"))
	b.WriteString("components:\n  schemas:\n")
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, "    S%d: {allOf: [{$ref: '#/components/schemas/S%d'}, {$ref: '#/components/schemas/S%d'}], properties: {p%d: {$ref: '#/components/schemas/S%d'}}}\n", i, i+1, i+1, i, i+1)
	}
	b.WriteString("    S40: {type: string}\n")
	start := time.Now()
	if _, err := Parse([]byte(b.String()), "exp.yaml", Options{}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("exponential schema took %v", d)
	}

	laughs := "openapi: 3.0.3\ninfo: {title: L, version: '1'}\nx-l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
	for i := 1; i < 9; i++ {
		laughs += fmt.Sprintf("x-l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	laughs += "paths:\n  /x:\n    post:\n      requestBody:\n        content:\n          application/json:\n            example: *l8\n      responses: {'200': {description: ok}}\n"
	start = time.Now()
	_, err := Parse([]byte(laughs), "laughs.yaml", Options{})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "more than a million") {
		t.Errorf("err = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("alias bomb took %v", d)
	}
}

// TestUnresolvableOperationSkipped: a $ref that cannot be resolved skips the operation it is
// met in, with a warning naming it and why; the other operations make the kit.
func TestUnresolvableOperationSkipped(t *testing.T) {
	doc := docWithBodyRef("#/components/schemas/Nope") + `  /y:
    get:
      operationId: getY
      responses: {"200": {description: ok}}
`
	api, err := Parse([]byte(doc), "partial.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(api.Requests) != 1 || api.Requests[0].Name != "getY" {
		t.Fatalf("requests = %+v", api.Requests)
	}
	want := []string{"1 of 2 operations skipped (the kit has the rest):",
		`skipped POST /x (#/paths/~1x/post): partial.yaml:11:28: $ref "#/components/schemas/Nope" points at nothing in the document`}
	if len(api.Warnings) != 2 || api.Warnings[0] != want[0] || api.Warnings[1] != want[1] {
		t.Errorf("warnings = %q", api.Warnings)
	}
}

// TestRefBounds: what $refs load is bounded by depth (a document loading a document ...) and
// by time, not by how many files: 150 files side by side load.
func TestRefBounds(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	var props strings.Builder
	for i := 0; i < 150; i++ {
		fmt.Fprintf(&props, "p%d: {$ref: 'f%d.yaml#/S'}, ", i, i)
		files[fmt.Sprintf("f%d.yaml", i)] = fmt.Sprintf("S: {type: integer, example: %d}\n", i)
	}
	files["wide.yaml"] = "W: {type: object, properties: {" + props.String() + "}}\n"
	files["api.yaml"] = docWithBodyRef("wide.yaml#/W")
	defer func(d int) { maxRefDepth = d }(maxRefDepth)
	maxRefDepth = 3
	for i := 0; i <= maxRefDepth; i++ {
		files[fmt.Sprintf("d%d.yaml", i)] = fmt.Sprintf("S: {type: object, properties: {next: {$ref: 'd%d.yaml#/S'}}}\n", i+1)
	}
	files["deep.yaml"] = docWithBodyRef("d0.yaml#/S")
	write(t, dir, files)
	api, err := Load(filepath.Join(dir, "api.yaml"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(api.Requests[0].Body, `"p149": 149`) {
		t.Errorf("body = %s", api.Requests[0].Body)
	}

	_, err = Load(filepath.Join(dir, "deep.yaml"), Options{})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "documents load documents more than 3 deep") {
		t.Errorf("deep: err = %v", err)
	}

	defer func(d time.Duration) { maxRefTime = d }(maxRefTime)
	maxRefTime = 0
	_, err = Load(filepath.Join(dir, "api.yaml"), Options{})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "took more than 0s") {
		t.Errorf("time: err = %v", err)
	}
}
