// Package openapi reads a Swagger 2.0 or OpenAPI 3.0, 3.1 or 3.2 document (YAML or JSON) once, with yaml.v3 and
// a $ref resolver of its own, and makes its operations into the API requests that
// generator/postman renders: sub-folders by tag, path variables, query and header parameters
// with the spec's examples, bodies from examples or made up from schemas, and the first
// server as the collection variable baseUrl.
//
// It imports postman for the request types and nothing imports it but the generator and the
// commands: generator -> {openapi -> postman}. Text copied from a document never becomes a
// Postman {{variable}} (see defuse.go), and $refs stay on the document's origin (see refs.go).
package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/postmint/postmint/generator/postman"
)

// API is an OpenAPI document made into the API folder of a collection: one request per
// operation, in sub-folders by tag, against the collection variable baseUrl.
type API struct {
	Title       string // info.title
	APIVersion  string // info.version
	SpecVersion string // the openapi field, e.g. 3.1.0
	// BaseURL is the value of baseUrl: the first server's URL, its variables as {{name}}.
	BaseURL   string
	Folders   []postman.Folder
	Requests  []postman.APIRequest
	Variables []postman.Param // baseUrl first, then the server's variables
	// Warnings are things a provider should know (a relative server URL, no servers).
	Warnings []string
}

// VarBaseURL is the collection variable every request made from an OpenAPI document starts with.
const VarBaseURL = "baseUrl"

// Options change how a document is read.
type Options struct {
	// Location is where the document came from: an http(s) URL, or a file (a file:// URL or
	// a URL with only an absolute Path). $refs to other documents and a relative server URL
	// are resolved against it. A document read from a URL resolves $refs only on its own
	// origin (scheme, host and port); one read from a file only to files under its folder.
	// nil allows local $refs (#/...) only.
	Location *url.URL
	// AllowURLRefs lets a document read from a file $ref http(s) URLs (each of those then
	// resolves its own $refs on its own origin).
	AllowURLRefs bool
	// HTTPClient fetches documents over http(s); nil uses a client with a 30 s timeout.
	HTTPClient *http.Client
}

func defaultClient() *http.Client { return &http.Client{Timeout: 30 * time.Second} }

// parser is the state of one Parse.
type parser struct {
	refs *resolver
	vals *values
	is31 bool // OpenAPI 3.1 or 3.2: JSON Schema 2020-12 ($id, $anchor, $ref with siblings)
	is2  bool // Swagger 2.0
	is32 bool // OpenAPI 3.2: the query method, additionalOperations
	// segVars are the path parameters inside a segment made collection variables (extraVars).
	segVars   map[string]bool
	extraVars []postman.Param
}

// specVersion reads the version field: swagger 2.0, or openapi 3.0.x, 3.1.x or 3.2.x.
func specVersion(top *yaml.Node, fail func(line, col int, kind error, format string, a ...any) error) (version string, is2, is31 bool, err error) {
	if sk, sv := mapEntry(top, "swagger"); sk != nil {
		if sv.Value != "2.0" {
			return "", false, false, fail(sv.Line, sv.Column, ErrVersion, "swagger %q is not supported; postmint reads Swagger 2.0 and OpenAPI 3.0, 3.1 and 3.2", sv.Value)
		}
		return sv.Value, true, false, nil
	}
	_, vv := mapEntry(top, "openapi")
	if vv == nil {
		return "", false, false, fail(0, 0, ErrInvalid, "no openapi or swagger field: not an OpenAPI document")
	}
	v := vv.Value
	for _, minor := range []string{"3.0", "3.1", "3.2"} {
		if v == minor || strings.HasPrefix(v, minor+".") {
			return v, false, minor != "3.0", nil
		}
	}
	return "", false, false, fail(vv.Line, vv.Column, ErrVersion, "openapi %q is not supported; postmint reads Swagger 2.0 and OpenAPI 3.0.x, 3.1.x and 3.2.x", v)
}

// Parse reads a Swagger 2.0 or OpenAPI 3.x document (YAML or JSON) and turns every operation into a
// postman.APIRequest. name (a path or URL) names the document in errors. Parameters get the spec's examples
// (or defaults, enums, or a <type> placeholder), JSON bodies come from the media type's
// examples or are made up from the schema. The result is the same for the same bytes:
// operations keep the document's order, maps are sorted. Errors are *Error.
func Parse(data []byte, name string, opt Options) (api *API, err error) {
	fail := func(line, col int, kind error, format string, a ...any) error {
		return &Error{Source: name, Line: line, Column: col, Err: kind, Msg: fmt.Sprintf(format, a...)}
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, fail(0, 0, ErrSyntax, "the file is empty")
	}
	// encoding/json checks the whole text before decoding anything, and says where it broke.
	if trimmed[0] == '{' {
		if err := json.Unmarshal(data, &struct{}{}); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				line, col := position(data, se.Offset)
				return nil, fail(line, col, ErrSyntax, "not valid JSON: %s", se.Error())
			}
		}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlLine(err)
		return nil, fail(line, 0, ErrSyntax, "not valid YAML: %s", msg)
	}
	top := unalias(&doc)
	if top == nil || top.Kind != yaml.MappingNode {
		return nil, fail(0, 0, ErrInvalid, "not an OpenAPI document: expected a mapping with openapi, info and paths")
	}
	version, is2, is31, verr := specVersion(top, fail)
	if verr != nil {
		return nil, verr
	}

	root := &source{name: name, root: top}
	if loc := opt.Location; loc != nil {
		switch loc.Scheme {
		case "http", "https":
			root.url, root.origin = loc, originOf(loc)
		case "", "file":
			root.file = filepath.Clean(filepath.FromSlash(loc.Path))
		}
	}
	p := &parser{refs: newResolver(root, opt), vals: &values{left: maxValueNodes + len(data), src: root}, is31: is31, is2: is2,
		is32: version == "3.2" || strings.HasPrefix(version, "3.2.")}
	p.refs.is31 = is31
	defer func() {
		if r := recover(); r != nil {
			a, ok := r.(aborted)
			if !ok {
				panic(r)
			}
			api, err = nil, a.err
		}
	}()

	out := &API{SpecVersion: version}
	if info := field(top, "info"); info != nil {
		out.Title, out.APIVersion = str(info, "title"), str(info, "version")
	}
	if is2 {
		out.swaggerServer(top, opt.Location)
	} else {
		out.servers(top, opt.Location)
	}
	for _, t := range items(field(top, "tags")) {
		if t != nil && t.Kind == yaml.MappingNode {
			out.Folders = append(out.Folders, postman.Folder{Name: str(t, "name"), Description: oneParagraph(str(t, "description"))})
		}
	}
	skipped := p.operations(top, out)
	have := map[string]bool{}
	for _, v := range out.Variables {
		have[v.Key] = true
	}
	for _, v := range p.extraVars {
		if !have[v.Key] {
			out.Variables = append(out.Variables, v)
		}
	}
	if len(out.Requests) == 0 && len(skipped) > 0 {
		return nil, skipped[0].err
	}
	if len(skipped) > 0 {
		out.Warnings = append(out.Warnings, fmt.Sprintf("%d of %d operations skipped (the kit has the rest):", len(skipped), len(skipped)+len(out.Requests)))
		for _, s := range skipped {
			out.Warnings = append(out.Warnings, fmt.Sprintf("skipped %s: %v", s.what, s.err))
		}
	}
	if len(out.Requests) == 0 {
		out.Warnings = append(out.Warnings, fmt.Sprintf("%s has no operations: the API folder is empty", name))
	}
	return out, nil
}
