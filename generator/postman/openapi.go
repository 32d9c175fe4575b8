package postman

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"
	"go.yaml.in/yaml/v3"
)

// Sentinel errors of ParseOpenAPI, wrapped in an *OpenAPIError.
var (
	ErrOpenAPISyntax  = errors.New("not valid YAML or JSON")
	ErrOpenAPIVersion = errors.New("unsupported OpenAPI version")
	ErrOpenAPIInvalid = errors.New("not a usable OpenAPI document")
)

// OpenAPIError is an OpenAPI document that cannot be turned into requests, with the position
// of the problem where the parser tells it.
type OpenAPIError struct {
	Source       string // path or URL of the document
	Line, Column int    // 1-based; 0 when unknown
	Err          error  // one of the ErrOpenAPI* sentinels
	Msg          string // what is wrong and what to do
}

func (e *OpenAPIError) Error() string {
	where := e.Source
	if e.Line > 0 {
		where += ":" + strconv.Itoa(e.Line)
		if e.Column > 0 {
			where += ":" + strconv.Itoa(e.Column)
		}
	}
	return where + ": " + e.Msg
}

func (e *OpenAPIError) Unwrap() error { return e.Err }

// OpenAPI is an OpenAPI 3.0 or 3.1 document made into the API folder of a collection: one
// request per operation, in sub-folders by tag, against the collection variable baseUrl.
type OpenAPI struct {
	Title       string // info.title
	APIVersion  string // info.version
	SpecVersion string // the openapi field, e.g. 3.1.0
	// BaseURL is the value of baseUrl: the first server's URL, its variables as {{name}}.
	BaseURL   string
	Folders   []Folder
	Requests  []APIRequest
	Variables []Param // baseUrl first, then the server's variables
	// Warnings are things a provider should know (a relative server URL, no servers).
	Warnings []string
}

// VarBaseURL is the collection variable every request made from an OpenAPI document starts with.
const VarBaseURL = "baseUrl"

// OpenAPIOptions change how a document is read.
type OpenAPIOptions struct {
	// Location is where the document came from (a file:// or http(s):// URL); relative $refs
	// to other files and a relative server URL are resolved against it. nil allows no
	// external $refs.
	Location *url.URL
	// HTTPClient fetches external $refs over http(s); nil uses a client with a 30 s timeout.
	HTTPClient *http.Client
}

// maxBodyNodes bounds the size of a request body made up from a schema (a value per node).
const maxBodyNodes = 400

// maxSchemaDepth bounds how deep a request body made up from a schema nests.
const maxSchemaDepth = 8

var methodOrder = []string{"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"}

// ParseOpenAPI reads an OpenAPI 3.0 or 3.1 document (YAML or JSON) with libopenapi and turns
// every operation into an APIRequest. source names the document in errors. Parameters get the
// spec's examples (or defaults, enums, or a <type> placeholder), JSON bodies come from the
// media type's examples or are made up from the schema. The result is the same for the same
// bytes: operations keep the document's order, maps are sorted.
func ParseOpenAPI(data []byte, source string, opt OpenAPIOptions) (*OpenAPI, error) {
	fail := func(line, col int, kind error, format string, a ...any) error {
		return &OpenAPIError{Source: source, Line: line, Column: col, Err: kind, Msg: fmt.Sprintf(format, a...)}
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, fail(0, 0, ErrOpenAPISyntax, "the file is empty")
	}
	// encoding/json checks the whole text before decoding anything, and says where it broke.
	if trimmed[0] == '{' {
		if err := json.Unmarshal(data, &struct{}{}); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				line, col := position(data, se.Offset)
				return nil, fail(line, col, ErrOpenAPISyntax, "not valid JSON: %s", se.Error())
			}
		}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line, msg := yamlLine(err)
		return nil, fail(line, 0, ErrOpenAPISyntax, "not valid YAML: %s", msg)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fail(0, 0, ErrOpenAPIInvalid, "not an OpenAPI document: expected a mapping with openapi, info and paths")
	}
	top := root.Content[0]
	vk, vv := mapEntry(top, "openapi")
	if vk == nil {
		if sk, sv := mapEntry(top, "swagger"); sk != nil {
			return nil, fail(sk.Line, sk.Column, ErrOpenAPIVersion, "swagger %s (OpenAPI 2) is not supported; convert it to OpenAPI 3 first (e.g. with swagger2openapi)", sv.Value)
		}
		return nil, fail(0, 0, ErrOpenAPIInvalid, "no openapi field: not an OpenAPI 3 document")
	}
	if !strings.HasPrefix(vv.Value, "3.0.") && !strings.HasPrefix(vv.Value, "3.1.") && vv.Value != "3.0" && vv.Value != "3.1" {
		return nil, fail(vv.Line, vv.Column, ErrOpenAPIVersion, "openapi %q is not supported; postmint reads OpenAPI 3.0.x and 3.1.x", vv.Value)
	}

	if opt.Location == nil {
		if n := externalRef(top); n != nil {
			return nil, fail(n.Line, n.Column, ErrOpenAPIInvalid, "encountered disallowed external reference: %q", n.Value)
		}
	}
	doc, err := buildModel(data, vv.Value, opt)
	if err != nil {
		if ref, n := danglingRef(top); n != nil {
			return nil, fail(n.Line, n.Column, ErrOpenAPIInvalid, "$ref %q points at nothing in the document (%s)", ref, cleanLoaderError(err.Error()))
		}
		line, col := locateError(top, err.Error())
		return nil, fail(line, col, ErrOpenAPIInvalid, "%s", cleanLoaderError(err.Error()))
	}

	out := &OpenAPI{SpecVersion: vv.Value}
	if doc.Info != nil {
		out.Title, out.APIVersion = doc.Info.Title, doc.Info.Version
	}
	out.servers(doc, opt.Location)

	tagDesc := map[string]string{}
	for _, t := range doc.Tags {
		if t != nil {
			tagDesc[t.Name] = oneParagraph(t.Description)
			out.Folders = append(out.Folders, Folder{Name: t.Name, Description: tagDesc[t.Name]})
		}
	}
	seenFolder := map[string]bool{}
	for _, f := range out.Folders {
		seenFolder[f.Name] = true
	}
	for _, p := range pathOrder(top, doc) {
		item := pathItem(doc, p.path)
		if item == nil {
			continue
		}
		for _, m := range p.methods {
			op := operation(item, m)
			if op == nil {
				continue
			}
			r := operationRequest(p.path, m, item, op)
			if r.Folder != "" && !seenFolder[r.Folder] {
				seenFolder[r.Folder] = true
				out.Folders = append(out.Folders, Folder{Name: r.Folder})
			}
			out.Requests = append(out.Requests, r)
		}
	}
	if len(out.Requests) == 0 {
		out.Warnings = append(out.Warnings, fmt.Sprintf("%s has no operations: the API folder is empty", source))
	}
	return out, nil
}

// servers sets BaseURL and the collection variables from the first server.
func (o *OpenAPI) servers(doc *v3.Document, location *url.URL) {
	base := "/"
	var vars []Param
	if len(doc.Servers) > 0 && doc.Servers[0] != nil {
		s := doc.Servers[0]
		base = s.URL
		svars := omap(s.Variables)
		for _, name := range sortedKeys(svars) {
			v := svars[name]
			if v == nil {
				continue
			}
			if reservedVariable(name) || !isVarName(name) {
				base = strings.ReplaceAll(base, "{"+name+"}", v.Default)
				continue
			}
			base = strings.ReplaceAll(base, "{"+name+"}", "{{"+name+"}}")
			desc := oneParagraph(v.Description)
			if len(v.Enum) > 0 {
				desc = strings.TrimSpace(desc + " One of: " + strings.Join(v.Enum, ", ") + ".")
			}
			vars = append(vars, Param{Key: name, Value: v.Default, Description: desc})
		}
	} else {
		o.Warnings = append(o.Warnings, "the OpenAPI document names no servers: set the collection variable baseUrl to the API's URL")
	}
	if !strings.Contains(base, "://") && !strings.HasPrefix(base, "{{") {
		if location != nil && (location.Scheme == "http" || location.Scheme == "https") {
			if ref, err := url.Parse(base); err == nil {
				base = location.ResolveReference(ref).String()
			}
		} else if len(doc.Servers) > 0 {
			o.Warnings = append(o.Warnings, fmt.Sprintf("the server URL %q is relative: set the collection variable baseUrl to the API's absolute URL", base))
		}
	}
	o.BaseURL = strings.TrimRight(base, "/")
	o.Variables = append([]Param{{Key: VarBaseURL, Value: o.BaseURL, Description: "The API's base URL (the OpenAPI document's first server); every request in API starts with it."}}, vars...)
}

// reservedVariable is true for the environment variables postmint's scripts use: a
// collection variable of the same name would be confusing even though the environment wins.
func reservedVariable(name string) bool {
	switch name {
	case VarIDPServer, VarClientID, VarIss, VarSub, VarAud, VarAlg, VarKid, VarTyp, VarX5C, VarX5TS256, VarX5T,
		VarScope, VarScopeIn, VarSendClientID, VarGrantType, VarAssertionLifetime, VarExtraClaims, VarExtraForm,
		VarClientAssertionType, VarPrivateKey, VarClientAssertion, VarBearerToken, VarBearerTokenExpires, VarBaseURL:
		return true
	}
	return false
}

var varName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

func isVarName(s string) bool { return varName.MatchString(s) }

type pathMethods struct {
	path    string
	methods []string
}

// pathOrder lists the paths and their methods in the order the document writes them (the
// parser's maps forget it); paths it cannot place follow in sorted order.
func pathOrder(top *yaml.Node, doc *v3.Document) []pathMethods {
	var out []pathMethods
	seen := map[string]bool{}
	if _, paths := mapEntry(top, "paths"); paths != nil && paths.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(paths.Content); i += 2 {
			p := paths.Content[i].Value
			if pathItem(doc, p) == nil || seen[p] {
				continue
			}
			seen[p] = true
			pm := pathMethods{path: p}
			got := map[string]bool{}
			if item := paths.Content[i+1]; item.Kind == yaml.MappingNode {
				for j := 0; j+1 < len(item.Content); j += 2 {
					m := strings.ToUpper(item.Content[j].Value)
					if slices.Contains(methodOrder, m) && !got[m] {
						got[m] = true
						pm.methods = append(pm.methods, m)
					}
				}
			}
			// Methods from a $ref'd path item are not in this node.
			for _, m := range methodOrder {
				if !got[m] {
					pm.methods = append(pm.methods, m)
				}
			}
			out = append(out, pm)
		}
	}
	var rest []string
	if doc.Paths != nil && doc.Paths.PathItems != nil {
		for p := range doc.Paths.PathItems.KeysFromOldest() {
			if !seen[p] {
				rest = append(rest, p)
			}
		}
	}
	sort.Strings(rest)
	for _, p := range rest {
		out = append(out, pathMethods{path: p, methods: methodOrder})
	}
	return out
}

// operationRequest makes one operation into a request.
func operationRequest(path, method string, item *v3.PathItem, op *v3.Operation) APIRequest {
	r := APIRequest{Method: method, Headers: map[string]string{}}
	if len(op.Tags) > 0 {
		r.Folder = op.Tags[0]
	}
	r.Name = firstLine(op.Summary)
	if r.Name == "" {
		r.Name = op.OperationId
	}
	if r.Name == "" {
		r.Name = method + " " + path
	}

	params := mergeParameters(item.Parameters, op.Parameters)
	pathValues := map[string]string{}
	var optional []string
	var cookies []string
	for _, p := range params {
		switch p.In {
		case "path":
			v := paramValue(p)
			pathValues[p.Name] = v
			if isPathVarName(p.Name) {
				r.PathVariables = append(r.PathVariables, Param{Key: p.Name, Value: v, Description: oneParagraph(p.Description)})
			}
		case "query":
			if !isTrue(p.Required) && !hasExample(p) {
				optional = append(optional, paramLine(p))
				continue
			}
			for _, v := range queryValues(p) {
				r.Query = append(r.Query, Param{Key: p.Name, Value: v, Description: oneParagraph(p.Description)})
			}
		case "header":
			switch strings.ToLower(p.Name) {
			case "accept", "content-type", "authorization":
				// OpenAPI ignores these as parameters; the request and the auth set them.
				continue
			}
			if !isTrue(p.Required) && !hasExample(p) {
				optional = append(optional, paramLine(p))
				continue
			}
			r.Headers[p.Name] = paramValue(p)
		case "cookie":
			cookies = append(cookies, paramLine(p))
		}
	}
	r.URL = "{{" + VarBaseURL + "}}" + postmanPath(path, pathValues)

	if op.RequestBody != nil {
		requestBody(&r, op.RequestBody)
	}

	var d strings.Builder
	if isTrue(op.Deprecated) {
		d.WriteString("**Deprecated.**\n\n")
	}
	if desc := strings.TrimSpace(op.Description); desc != "" {
		d.WriteString(desc)
		d.WriteString("\n\n")
	} else if s := strings.TrimSpace(op.Summary); s != "" && s != r.Name {
		d.WriteString(s + "\n\n")
	}
	fmt.Fprintf(&d, "`%s %s`", method, path)
	if op.OperationId != "" {
		fmt.Fprintf(&d, " (operationId `%s`)", op.OperationId)
	}
	d.WriteString("\n")
	if len(optional) > 0 {
		d.WriteString("\nOptional parameters (add them under Params or Headers):\n\n")
		for _, l := range optional {
			d.WriteString(l + "\n")
		}
	}
	if len(cookies) > 0 {
		d.WriteString("\nCookie parameters (set them in Postman's cookie jar):\n\n")
		for _, l := range cookies {
			d.WriteString(l + "\n")
		}
	}
	r.Description = d.String()
	if len(r.Headers) == 0 {
		r.Headers = nil
	}
	return r
}

// mergeParameters applies an operation's parameters over its path item's (same name and in).
func mergeParameters(pathParams, opParams []*v3.Parameter) []*v3.Parameter {
	var out []*v3.Parameter
	index := map[string]int{}
	for _, list := range [][]*v3.Parameter{pathParams, opParams} {
		for _, p := range list {
			if p == nil {
				continue
			}
			k := p.In + "\x00" + p.Name
			if i, ok := index[k]; ok {
				out[i] = p
				continue
			}
			index[k] = len(out)
			out = append(out, p)
		}
	}
	return out
}

var pathParam = regexp.MustCompile(`\{([^{}/]+)\}`)

var pathVarName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func isPathVarName(s string) bool { return pathVarName.MatchString(s) }

// postmanPath writes /users/{id} as /users/:id (a Postman path variable). A parameter that is
// not a whole segment, or has a name Postman cannot take, gets its example value in place.
func postmanPath(path string, values map[string]string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if m := pathParam.FindStringSubmatch(s); m != nil && m[0] == s && isPathVarName(m[1]) {
			if _, ok := values[m[1]]; ok {
				segs[i] = ":" + m[1]
				continue
			}
		}
		segs[i] = pathParam.ReplaceAllStringFunc(s, func(x string) string {
			name := x[1 : len(x)-1]
			if v, ok := values[name]; ok {
				return url.PathEscape(v)
			}
			return x
		})
	}
	return strings.Join(segs, "/")
}

func hasExample(p *v3.Parameter) bool {
	if !isNull(p.Example) || orderedmap.Len(p.Examples) > 0 {
		return true
	}
	if s := schemaOf(p.Schema); s != nil {
		return !isNull(s.Example) || len(s.Examples) > 0 || !isNull(s.Default) || !isNull(s.Const)
	}
	return false
}

// paramExample is the spec's example of a parameter: example, the first of examples (by
// name), then the schema's example, default, const or first enum value; nil for none.
func paramExample(p *v3.Parameter) any {
	if !isNull(p.Example) {
		return nodeValue(p.Example)
	}
	if v, ok := firstExample(p.Examples); ok {
		return v
	}
	if s := schemaOf(p.Schema); s != nil {
		if v, ok := schemaLiteral(s); ok {
			return v
		}
	}
	content := omap(p.Content)
	for _, mt := range sortedKeys(content) {
		if m := content[mt]; m != nil {
			if !isNull(m.Example) {
				return nodeValue(m.Example)
			}
			if v, ok := firstExample(m.Examples); ok {
				return v
			}
		}
	}
	return nil
}

func paramValue(p *v3.Parameter) string {
	if v := paramExample(p); v != nil {
		return scalarString(v)
	}
	return placeholder(p.Schema)
}

// queryValues is one value per query parameter, or one per item of an exploded array.
func queryValues(p *v3.Parameter) []string {
	v := paramExample(p)
	if v == nil {
		return []string{placeholder(p.Schema)}
	}
	if list, ok := v.([]any); ok {
		explode := p.Explode == nil || *p.Explode
		if explode && len(list) > 0 {
			out := make([]string, 0, len(list))
			for _, x := range list {
				out = append(out, scalarString(x))
			}
			return out
		}
		parts := make([]string, 0, len(list))
		for _, x := range list {
			parts = append(parts, scalarString(x))
		}
		return []string{strings.Join(parts, ",")}
	}
	return []string{scalarString(v)}
}

func paramLine(p *v3.Parameter) string {
	l := fmt.Sprintf("- `%s` (%s", p.Name, p.In)
	if s := schemaOf(p.Schema); s != nil && len(s.Type) > 0 {
		l += ", " + strings.Join(s.Type, "|")
	}
	l += ")"
	if d := oneParagraph(p.Description); d != "" {
		l += ": " + d
	}
	return l
}

// requestBody fills the request's body from the operation's request body: JSON first, then
// form encodings, then any other media type with an example.
func requestBody(r *APIRequest, rb *v3.RequestBody) {
	content := omap(rb.Content)
	types := sortedKeys(content)
	pick := ""
	for _, pref := range []func(string) bool{
		func(t string) bool { return t == "application/json" },
		isJSONType,
		func(t string) bool { return t == "application/x-www-form-urlencoded" },
		func(t string) bool { return t == "multipart/form-data" },
		func(string) bool { return true },
	} {
		for _, t := range types {
			if pref(strings.ToLower(t)) {
				pick = t
				break
			}
		}
		if pick != "" {
			break
		}
	}
	if pick == "" {
		return
	}
	m := content[pick]
	if m == nil {
		return
	}
	lower := strings.ToLower(pick)
	var ex any
	var ok bool
	if !isNull(m.Example) {
		ex, ok = nodeValue(m.Example), true
	} else if ex, ok = firstExample(m.Examples); !ok && m.Schema != nil {
		g := &exampleGen{budget: maxBodyNodes, onPath: map[any]bool{}}
		ex, ok = g.value(m.Schema, 0), true
	}
	switch {
	case isJSONType(lower) || lower == "application/json":
		r.Headers["Content-Type"] = pick
		if !ok || ex == nil {
			ex = map[string]any{}
		}
		r.Body = marshalBody(ex)
	case lower == "application/x-www-form-urlencoded" || lower == "multipart/form-data":
		r.Headers["Content-Type"] = pick
		if lower == "multipart/form-data" {
			// Postman sets the boundary itself.
			delete(r.Headers, "Content-Type")
			r.Multipart = true
		}
		obj, _ := ex.(map[string]any)
		for _, k := range sortedKeys(obj) {
			v := obj[k]
			s := scalarString(v)
			r.Form = append(r.Form, Param{Key: k, Value: s})
		}
	default:
		if s, isStr := ex.(string); ok && isStr {
			r.Headers["Content-Type"] = pick
			r.Body = s
		}
	}
}

func isJSONType(t string) bool {
	t, _, _ = strings.Cut(t, ";")
	t = strings.TrimSpace(t)
	return t == "application/json" || strings.HasSuffix(t, "+json") || strings.HasSuffix(t, "/json")
}

func marshalBody(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return "{}"
	}
	return strings.TrimRight(b.String(), "\n")
}

func firstExample(examples *orderedmap.Map[string, *base.Example]) (any, bool) {
	ex := omap(examples)
	for _, k := range sortedKeys(ex) {
		if e := ex[k]; e != nil && !isNull(e.Value) {
			return nodeValue(e.Value), true
		}
	}
	return nil, false
}

// schemaLiteral is a value the schema itself gives: example, examples[0], const, default, enum[0].
func schemaLiteral(s *base.Schema) (any, bool) {
	switch {
	case !isNull(s.Example):
		return nodeValue(s.Example), true
	case len(s.Examples) > 0 && !isNull(s.Examples[0]):
		return nodeValue(s.Examples[0]), true
	case !isNull(s.Const):
		return nodeValue(s.Const), true
	case !isNull(s.Default):
		return nodeValue(s.Default), true
	case len(s.Enum) > 0 && !isNull(s.Enum[0]):
		return nodeValue(s.Enum[0]), true
	}
	return nil, false
}

// exampleGen makes up a value from a schema, bounded in size and depth and safe on cycles.
type exampleGen struct {
	budget int
	onPath map[any]bool // schemas being made, by identity (see schemaIdentity)
}

func (g *exampleGen) value(ref *base.SchemaProxy, depth int) any {
	s := schemaOf(ref)
	if s == nil || g.budget <= 0 || depth > maxSchemaDepth {
		return nil
	}
	id := schemaIdentity(ref, s)
	if g.onPath[id] {
		return nil
	}
	g.budget--
	if v, ok := schemaLiteral(s); ok {
		return v
	}
	g.onPath[id] = true
	defer delete(g.onPath, id)
	if len(s.AllOf) > 0 {
		merged := map[string]any{}
		var last any
		for _, sub := range s.AllOf {
			v := g.value(sub, depth+1)
			if m, ok := v.(map[string]any); ok {
				for k, x := range m {
					merged[k] = x
				}
			} else if v != nil {
				last = v
			}
		}
		if orderedmap.Len(s.Properties) > 0 {
			for k, x := range g.object(s, depth) {
				merged[k] = x
			}
		}
		if len(merged) == 0 && last != nil {
			return last
		}
		return merged
	}
	for _, alts := range [][]*base.SchemaProxy{s.OneOf, s.AnyOf} {
		if len(alts) > 0 {
			v := g.value(alts[0], depth+1)
			if m, ok := v.(map[string]any); ok && orderedmap.Len(s.Properties) > 0 {
				for k, x := range g.object(s, depth) {
					m[k] = x
				}
			}
			return v
		}
	}
	switch schemaType(s) {
	case "object":
		return g.object(s, depth)
	case "array":
		if len(s.PrefixItems) > 0 {
			out := []any{}
			for _, it := range s.PrefixItems {
				out = append(out, g.value(it, depth+1))
			}
			return out
		}
		if v := g.value(itemsSchema(s), depth+1); v != nil {
			return []any{v}
		}
		return []any{}
	case "integer", "number":
		if s.Minimum != nil {
			return *s.Minimum
		}
		return 0
	case "boolean":
		return true
	case "null":
		return nil
	case "string":
		return stringExample(s.Format)
	}
	return nil
}

func (g *exampleGen) object(s *base.Schema, depth int) map[string]any {
	out := map[string]any{}
	props := omap(s.Properties)
	for _, k := range sortedKeys(props) {
		p := props[k]
		if ps := schemaOf(p); ps != nil && isTrue(ps.ReadOnly) {
			continue
		}
		if g.budget <= 0 {
			break
		}
		out[k] = g.value(p, depth+1)
	}
	return out
}

// schemaType is the schema's type (the first that is not null), guessed from its keywords
// when it names none.
func schemaType(s *base.Schema) string {
	for _, t := range s.Type {
		if t != "null" {
			return t
		}
	}
	if slices.Contains(s.Type, "null") {
		return "null"
	}
	switch {
	case orderedmap.Len(s.Properties) > 0:
		return "object"
	case s.Items != nil:
		return "array"
	}
	return ""
}

func stringExample(format string) string {
	switch format {
	case "date-time":
		return "2024-01-01T00:00:00Z"
	case "date":
		return "2024-01-01"
	case "time":
		return "00:00:00Z"
	case "email":
		return "user@example.com"
	case "uuid":
		return "00000000-0000-4000-8000-000000000000"
	case "uri", "url":
		return "https://example.com"
	case "hostname":
		return "example.com"
	case "ipv4":
		return "192.0.2.1"
	case "ipv6":
		return "2001:db8::1"
	case "":
		return "<string>"
	}
	return "<" + format + ">"
}

// placeholder is Postman's <type> convention for a value the spec gives no example of.
func placeholder(ref *base.SchemaProxy) string {
	s := schemaOf(ref)
	if s == nil {
		return "<string>"
	}
	if s.Format != "" {
		return "<" + s.Format + ">"
	}
	if t := schemaType(s); t != "" {
		return "<" + t + ">"
	}
	return "<string>"
}

// scalarString writes a value the way it goes into a URL or form: strings as they are,
// numbers without exponent, anything else as JSON.
func scalarString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimRight(b.String(), "\n")
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// oneParagraph keeps a description short enough for a variable or parameter: its first
// paragraph, on one line.
func oneParagraph(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "\n\n"); i >= 0 {
		s = s[:i]
	}
	return strings.Join(strings.Fields(s), " ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// mapEntry returns the key and value nodes of a mapping's field.
func mapEntry(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, offset int64) (int, int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(offset) - bytes.LastIndexByte(before, '\n')
	if bytes.LastIndexByte(before, '\n') < 0 {
		col = int(offset) + 1
	}
	if col < 1 {
		col = 1
	}
	return line, col
}

var reYAMLLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

func yamlLine(err error) (int, string) {
	msg := err.Error()
	if m := reYAMLLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, m[2]
	}
	return 0, strings.TrimPrefix(msg, "yaml: ")
}

var reQuotedRef = regexp.MustCompile(`"([^"]*#/[^"]*)"|(#/[^\s",]+)`)

// locateError finds where a loader error points, when it names a $ref: the first $ref
// with that value in the document.
func locateError(top *yaml.Node, msg string) (int, int) {
	m := reQuotedRef.FindStringSubmatch(msg)
	if m == nil {
		return 0, 0
	}
	ref := m[1]
	if ref == "" {
		ref = m[2]
	}
	var found *yaml.Node
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if found != nil || n == nil {
			return
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == "$ref" && n.Content[i+1].Value == ref {
					found = n.Content[i+1]
					return
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(top)
	if found == nil {
		return 0, 0
	}
	return found.Line, found.Column
}

// danglingRef finds the first local $ref ("#/...") that resolves to nothing in the document,
// and its node: the parser's own error does not say where it is.
func danglingRef(top *yaml.Node) (string, *yaml.Node) {
	at := firstRef(top, func(ref string) bool {
		return strings.HasPrefix(ref, "#/") && resolvePointer(top, ref[1:]) == nil
	})
	if at == nil {
		return "", nil
	}
	return at.Value, at
}

// externalRef finds the first $ref to another document: without a Location there is
// nothing to resolve it against.
func externalRef(top *yaml.Node) *yaml.Node {
	return firstRef(top, func(ref string) bool { return !strings.HasPrefix(ref, "#") })
}

// firstRef walks the document in order and returns the value node of the first scalar $ref
// that match accepts; nil when there is none.
func firstRef(top *yaml.Node, match func(ref string) bool) *yaml.Node {
	var at *yaml.Node
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if at != nil || n == nil {
			return
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Value == "$ref" && v.Kind == yaml.ScalarNode && match(v.Value) {
					at = v
					return
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(top)
	return at
}

// resolvePointer follows an RFC 6901 JSON pointer ("/components/schemas/Order") through a
// YAML node tree; nil when it leads nowhere.
func resolvePointer(n *yaml.Node, pointer string) *yaml.Node {
	if pointer == "" {
		return n
	}
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		if t, err := url.PathUnescape(tok); err == nil {
			tok = t
		}
		switch n.Kind {
		case yaml.MappingNode:
			_, v := mapEntry(n, tok)
			if v == nil {
				return nil
			}
			n = v
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil
			}
			n = n.Content[i]
		default:
			return nil
		}
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
	}
	return n
}

// cleanLoaderError keeps the first line of the parser's error.
func cleanLoaderError(msg string) string {
	msg, _, _ = strings.Cut(strings.TrimSpace(msg), "\n")
	return msg
}

// LoadOpenAPI reads an OpenAPI document from a file path or an http(s) URL (client nil: a
// client with a 30 s timeout) and parses it with ParseOpenAPI.
func LoadOpenAPI(location string, client *http.Client) (*OpenAPI, error) {
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	var data []byte
	var loc *url.URL
	if strings.HasPrefix(location, "http://") || strings.HasPrefix(location, "https://") {
		u, err := url.Parse(location)
		if err != nil {
			return nil, fmt.Errorf("%q is not a URL: %w", location, err)
		}
		resp, err := client.Get(location)
		if err != nil {
			return nil, fmt.Errorf("fetching %s: %w", location, err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("fetching %s: HTTP %d", location, resp.StatusCode)
		}
		if data, err = io.ReadAll(io.LimitReader(resp.Body, 256<<20)); err != nil {
			return nil, fmt.Errorf("fetching %s: %w", location, err)
		}
		loc = u
	} else {
		var err error
		if data, err = os.ReadFile(location); err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fmt.Errorf("reading %s: %w", location, err)
		}
		abs, err := filepath.Abs(location)
		if err != nil {
			return nil, err
		}
		loc = &url.URL{Path: filepath.ToSlash(abs)}
	}
	return ParseOpenAPI(data, location, OpenAPIOptions{Location: loc, HTTPClient: client})
}
