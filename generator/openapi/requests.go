package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/postmint/postmint/generator/postman"
)

var methodOrder = []string{"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"}

// httpToken is an HTTP method name (RFC 9110 token), for 3.2's additionalOperations.
var httpToken = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// skip is an operation (or a path item) left out, and why.
type skip struct {
	what string
	err  *Error
}

// operations walks the paths in document order and makes one request per operation. An
// operation whose $refs cannot be resolved is skipped and listed.
func (p *parser) operations(top *yaml.Node, out *API) []skip {
	seenFolder := map[string]bool{}
	for _, f := range out.Folders {
		seenFolder[f.Name] = true
	}
	var skipped []skip
	var paths []string // of each request
	seenPath := map[string]bool{}
	for _, kv := range pairs(field(top, "paths")) {
		path := kv[0].Value
		if seenPath[path] || strings.HasPrefix(path, "x-") {
			continue
		}
		seenPath[path] = true
		var item at
		if err := catch(func() { item = p.refs.deref(at{kv[1], p.refs.root}) }); err != nil {
			skipped = append(skipped, skip{"the path " + path + " (" + pathPointer(path) + ")", err})
			continue
		}
		if item.n == nil || item.n.Kind != yaml.MappingNode {
			continue
		}
		got := map[string]bool{}
		ops := pairs(item.n)
		if p.is32 {
			// 3.2: the QUERY method, and other methods under additionalOperations.
			ops = append(ops, pairs(field(item.n, "additionalOperations"))...)
		}
		for i, mk := range ops {
			m := strings.ToUpper(mk[0].Value)
			switch {
			case i >= len(item.n.Content)/2: // additionalOperations: a method as written
				if !httpToken.MatchString(mk[0].Value) || slices.Contains(methodOrder, m) {
					continue
				}
				m = mk[0].Value
			case p.is32 && mk[0].Value == "query":
			case mk[0].Value != strings.ToLower(m) || !slices.Contains(methodOrder, m):
				continue
			}
			if got[m] || mk[1] == nil || mk[1].Kind != yaml.MappingNode {
				continue
			}
			got[m] = true
			var r postman.APIRequest
			// An operation that is a $ref (not in the specification, but DigitalOcean's is
			// written so, as the converter and the tools it is published with accept) is read
			// from where it points.
			if err := catch(func() { r = p.operationRequest(path, m, item, p.refs.deref(at{mk[1], item.src})) }); err != nil {
				what := m + " " + path + " (" + pathPointer(path) + "/" + mk[0].Value
				if id := str(mk[1], "operationId"); id != "" {
					what += ", operationId " + id
				}
				what += ")"
				skipped = append(skipped, skip{what, err})
				continue
			}
			if r.Folder != "" && !seenFolder[r.Folder] {
				seenFolder[r.Folder] = true
				out.Folders = append(out.Folders, postman.Folder{Name: r.Folder})
			}
			out.Requests = append(out.Requests, r)
			paths = append(paths, path)
		}
	}
	if len(out.Folders) == 0 {
		foldersByPath(out, paths)
	}
	return skipped
}

// pathPointer is the JSON pointer (RFC 6901, as a URI fragment) of a path item.
func pathPointer(path string) string {
	return "#/paths/" + url.PathEscape(strings.NewReplacer("~", "~0", "/", "~1").Replace(path))
}

// foldersByPath groups the requests of a document that tags none of its operations by the
// first segment of their paths after the prefix all of them share (/v1/customers/{id} is in
// customers when every path starts with /v1). A path that has no such segment stays in API.
func foldersByPath(out *API, paths []string) {
	split := make([][]string, len(paths))
	for i, p := range paths {
		split[i] = strings.FieldsFunc(p, func(r rune) bool { return r == '/' })
	}
	common := 0
	for len(split) > 1 {
		first, same := "", true
		for i, segs := range split {
			if common >= len(segs) || strings.Contains(segs[common], "{") {
				same = false
				break
			}
			if i == 0 {
				first = segs[common]
			} else if segs[common] != first {
				same = false
				break
			}
		}
		if !same {
			break
		}
		common++
	}
	seen := map[string]bool{}
	for i, segs := range split {
		if common >= len(segs) || strings.Contains(segs[common], "{") {
			continue
		}
		name := segs[common]
		out.Requests[i].Folder = name
		if !seen[name] {
			seen[name] = true
			out.Folders = append(out.Folders, postman.Folder{Name: name})
		}
	}
	// One folder holding everything says nothing: leave the requests in API.
	if len(out.Folders) == 1 {
		out.Folders = nil
		for i := range out.Requests {
			out.Requests[i].Folder = ""
		}
	}
}

// param is a Parameter Object, its $ref resolved.
type param struct {
	n        *yaml.Node
	src      *source
	name, in string
}

// operationRequest makes one operation into a request.
func (p *parser) operationRequest(path, method string, item, op at) postman.APIRequest {
	r := postman.APIRequest{Method: method, Headers: map[string]string{}}
	if tags := stringList(op.n, "tags"); len(tags) > 0 {
		r.Folder = tags[0]
	}
	summary, opID := str(op.n, "summary"), str(op.n, "operationId")
	r.Name = firstLine(summary)
	if r.Name == "" {
		r.Name = opID
	}
	if r.Name == "" {
		r.Name = method + " " + path
	}

	pathValues := map[string]string{}
	realValues := map[string]string{} // the document's own values: a collection variable gets no placeholder
	var cookies, fill []string
	var body *param
	var form []param
	for _, prm := range p.mergeParameters(item, op) {
		switch prm.in {
		case "path":
			v := p.paramValue(prm)
			pathValues[prm.name] = v
			if ex, real := p.paramExampleOrMade(prm); real {
				realValues[prm.name] = scalarString(ex)
			}
			if isPathVarName(prm.name) {
				r.PathVariables = append(r.PathVariables, postman.Param{Key: prm.name, Value: defuseURL(v), Description: oneParagraph(str(prm.n, "description"))})
			}
		case "query":
			entries, must := p.queryEntries(prm)
			r.Query = append(r.Query, entries...)
			if must {
				fill = append(fill, p.paramLine(prm))
			}
		case "header":
			switch strings.ToLower(prm.name) {
			case "accept", "content-type", "authorization":
				// OpenAPI ignores these as parameters; the request and the auth set them.
				continue
			}
			h := postman.Param{Key: defuseText(prm.name), Description: oneParagraph(str(prm.n, "description"))}
			ex, real := p.paramExampleOrMade(prm)
			required := isTrue(boolField(prm.n, "required"))
			switch {
			case required && real:
				r.Headers[h.Key] = defuseText(scalarString(ex))
				continue
			case required && fillable(prm.name):
				r.Headers[h.Key] = "{{" + prm.name + "}}"
				fill = append(fill, p.paramLine(prm))
				continue
			}
			h.Value, h.Disabled = defuseText(scalarString(ex)), true
			r.OptionalHeaders = append(r.OptionalHeaders, h)
		case "cookie":
			cookies = append(cookies, p.paramLine(prm))
		case "body":
			if p.is2 {
				b := prm
				body = &b
			}
		case "formData":
			if p.is2 {
				form = append(form, prm)
			}
		}
	}
	// The document's text is defused before postmint places its own {{variables}} in it.
	urlPath, segVars := postmanPath(defuseURL(path), pathValues)
	r.URL = "{{" + VarBaseURL + "}}" + urlPath
	if base, ok := p.operationServer(item, op); ok {
		r.URL = strings.TrimRight(base, "/") + urlPath
	}
	for _, v := range segVars {
		p.segmentVariable(v, realValues[v])
	}

	p.apiKeys(&r, op)
	if p.is2 {
		p.swaggerBody(&r, op, body, form)
	} else if rb := field(op.n, "requestBody"); rb != nil {
		p.requestBody(&r, p.refs.deref(at{rb, op.src}))
	}

	var d strings.Builder
	if isTrue(boolField(op.n, "deprecated")) {
		d.WriteString("**Deprecated.**\n\n")
	}
	if desc := strings.TrimSpace(str(op.n, "description")); desc != "" {
		d.WriteString(desc)
		d.WriteString("\n\n")
	} else if s := strings.TrimSpace(summary); s != "" && s != r.Name {
		d.WriteString(s + "\n\n")
	}
	fmt.Fprintf(&d, "`%s %s`", method, path)
	if opID != "" {
		fmt.Fprintf(&d, " (operationId `%s`)", opID)
	}
	d.WriteString("\n")
	if len(fill) > 0 {
		d.WriteString("\nRequired parameters the document gives no example of (set these variables, or tick and fill the entries under Params or Headers):\n\n")
		for _, l := range fill {
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
func (p *parser) mergeParameters(item, op at) []param {
	var out []param
	index := map[string]int{}
	for _, owner := range []at{item, op} {
		for _, n := range items(field(owner.n, "parameters")) {
			a := p.refs.deref(at{n, owner.src})
			if a.n == nil || a.n.Kind != yaml.MappingNode {
				continue
			}
			prm := param{n: a.n, src: a.src, name: str(a.n, "name"), in: str(a.n, "in")}
			k := prm.in + "\x00" + prm.name
			if i, ok := index[k]; ok {
				out[i] = prm
				continue
			}
			index[k] = len(out)
			out = append(out, prm)
		}
	}
	return out
}

var pathParam = regexp.MustCompile(`\{([^{}/]+)\}`)

var pathVarName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func isPathVarName(s string) bool { return pathVarName.MatchString(s) }

// postmanPath writes /users/{id} as /users/:id (a Postman path variable). A parameter that is
// not a whole segment (/compare/{base}...{head}) becomes a {{variable}} of the collection,
// listed in vars, when its name can be one; otherwise its example value is put in place.
func postmanPath(path string, values map[string]string) (string, []string) {
	var vars []string
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
			v, ok := values[name]
			switch {
			case !ok:
				return x
			case fillable(name):
				vars = append(vars, name)
				return "{{" + name + "}}"
			}
			return url.PathEscape(v)
		})
	}
	return strings.Join(segs, "/"), vars
}

// operationServer is the first server of an operation's (or its path item's) own servers,
// which replace the document's for it (3.x): its URL with its variables as collection
// variables. A relative or empty one is left to baseUrl.
func (p *parser) operationServer(item, op at) (string, bool) {
	if p.is2 {
		return "", false
	}
	for _, owner := range []at{op, item} {
		list := items(field(owner.n, "servers"))
		if len(list) == 0 || list[0] == nil || list[0].Kind != yaml.MappingNode {
			continue
		}
		base, vars := serverURL(list[0])
		u, err := url.Parse(strings.NewReplacer("{{", "", "}}", "").Replace(base))
		if err != nil || u.Host == "" {
			return "", false
		}
		for _, v := range vars {
			p.collectionVariable(v)
		}
		return base, true
	}
	return "", false
}

// fillable is true for a parameter name that can be a Postman variable the partner fills:
// a plain name that none of postmint's own variables has.
func fillable(name string) bool { return isVarName(name) && !reservedVariable(name) }

// segmentVariable declares the collection variable of a path parameter inside a segment, once.
func (p *parser) segmentVariable(name, value string) {
	p.collectionVariable(postman.Param{Key: name, Value: defuseURL(value),
		Description: "A path parameter inside a segment of the path (e.g. /compare/{base}...{head}); set it before sending (its value is the document's example, if it gives one)."})
}

// collectionVariable adds a collection variable the requests use, once per name.
func (p *parser) collectionVariable(v postman.Param) {
	if p.segVars == nil {
		p.segVars = map[string]bool{}
	}
	if p.segVars[v.Key] {
		return
	}
	p.segVars[v.Key] = true
	p.extraVars = append(p.extraVars, v)
}

// schemaField is a parameter's schema: its schema field, or (Swagger 2.0, not in: body) the
// parameter itself, which carries type, format, items, enum and default.
func (p *parser) schemaField(prm param) *schema {
	if p.is2 && prm.in != "body" {
		return p.schemaOf(at{prm.n, prm.src})
	}
	return p.schemaOf(at{field(prm.n, "schema"), prm.src})
}

func (p *parser) hasExample(prm param) bool {
	if !isNull(field(prm.n, "example")) || len(pairs(field(prm.n, "examples"))) > 0 {
		return true
	}
	if s := p.schemaField(prm); s != nil {
		return s.hasLiteral()
	}
	return false
}

// paramExample is the spec's example of a parameter: example, the first of examples (by
// name), then the schema's example, default, const or first enum value; nil for none.
func (p *parser) paramExample(prm param) any {
	if ex := field(prm.n, "example"); !isNull(ex) {
		return p.vals.value(ex)
	}
	if v, ok := p.firstExample(at{field(prm.n, "examples"), prm.src}); ok {
		return v
	}
	if s := p.schemaField(prm); s != nil {
		if v, ok := p.literal(s); ok {
			return v
		}
	}
	content := byKey(field(prm.n, "content"))
	for _, mt := range sortedKeys(content) {
		if m := content[mt]; m != nil && m.Kind == yaml.MappingNode {
			if ex := field(m, "example"); !isNull(ex) {
				return p.vals.value(ex)
			}
			if v, ok := p.firstExample(at{field(m, "examples"), prm.src}); ok {
				return v
			}
		}
	}
	return nil
}

func (p *parser) paramValue(prm param) string {
	if v := p.paramExample(prm); v != nil {
		return scalarString(v)
	}
	if v := p.p2Example(prm); v != nil {
		return scalarString(v)
	}
	return placeholder(p.schemaField(prm))
}

// paramExampleOrMade is the document's example of a parameter (real), or a value made up from
// its schema (placeholders such as <string> in it): never sent unless the partner ticks it.
func (p *parser) paramExampleOrMade(prm param) (v any, real bool) {
	if v := p.paramExample(prm); v != nil {
		return v, true
	}
	if v := p.p2Example(prm); v != nil {
		return v, true
	}
	// A made-up array or object gives the entries their structure (ids=, filter[status]=);
	// a made-up scalar says nothing the description does not: the value is left empty.
	g := &exampleGen{p: p, budget: maxBodyNodes, onPath: map[schemaKey]bool{}, param: true}
	switch v := g.value(p.schemaField(prm), 0).(type) {
	case []any, map[string]any:
		return v, false
	}
	return "", false
}

// p2Example is a Swagger 2.0 parameter's x-example (a common extension for what 3.0 calls example).
func (p *parser) p2Example(prm param) any {
	if ex := field(prm.n, "x-example"); !isNull(ex) {
		return p.vals.value(ex)
	}
	return nil
}

// style is how a parameter is serialized (OpenAPI 3 style and explode; Swagger 2.0's
// collectionFormat in those terms).
func (p *parser) style(prm param) (string, bool) {
	if p.is2 {
		return swaggerCollection(prm.n)
	}
	style := str(prm.n, "style")
	if style == "" {
		style = "form"
	}
	explode := style == "form"
	if e := boolField(prm.n, "explode"); e != nil {
		explode = *e
	}
	return style, explode
}

// queryEntries are a query parameter's entries, serialized by its style: one per value of an
// exploded array, key[prop] per property of a deepObject, ... A required parameter with an
// example is sent; an optional one is a disabled entry with its example (ticked, it is sent
// as the document shows); a required one without an example is {{name}}, a variable the
// partner fills (must), or, when its name cannot be one, a disabled entry.
func (p *parser) queryEntries(prm param) (entries []postman.Param, must bool) {
	required := isTrue(boolField(prm.n, "required"))
	desc := oneParagraph(str(prm.n, "description"))
	v, real := p.paramExampleOrMade(prm)
	if required && !real && fillable(prm.name) {
		if _, isList := v.([]any); !isList {
			if _, isMap := v.(map[string]any); !isMap {
				return []postman.Param{{Key: queryComponent(prm.name, true), Value: "{{" + prm.name + "}}", Description: desc}}, true
			}
		}
	}
	style, explode := p.style(prm)
	for _, kv := range serialize(prm.name, v, style, explode) {
		entries = append(entries, postman.Param{Key: queryComponent(kv[0], true), Value: queryComponent(kv[1], false), Description: desc, Disabled: !required || !real})
	}
	return entries, required && !real
}

// deepObject writes a value as name[prop]=value, nested objects as name[a][b]=value and arrays
// as name[0]=value: OpenAPI defines deepObject for one level of properties; deeper ones and
// arrays are written the way Stripe reads them (and Postman's converter writes them).
func deepObject(name string, v any, out [][2]string, depth int) [][2]string {
	switch x := v.(type) {
	case map[string]any:
		if depth < maxSchemaDepth {
			for _, k := range sortedKeys(x) {
				out = deepObject(name+"["+k+"]", x[k], out, depth+1)
			}
			return out
		}
	case []any:
		if depth < maxSchemaDepth {
			for i, e := range x {
				out = deepObject(name+"["+strconv.Itoa(i)+"]", e, out, depth+1)
			}
			return out
		}
	}
	return append(out, [2]string{name, scalarString(v)})
}

// serialize writes a query parameter's value as OpenAPI 3's style and explode say (RFC 6570
// form expansion and the styles OpenAPI adds): name/value pairs, values not yet escaped.
func serialize(name string, v any, style string, explode bool) [][2]string {
	sep := map[string]string{"spaceDelimited": " ", "pipeDelimited": "|", "tabDelimited": "\t"}[style]
	if sep == "" {
		sep = ","
	}
	switch x := v.(type) {
	case []any:
		if len(x) == 0 {
			return [][2]string{{name, ""}}
		}
		if style == "deepObject" {
			return deepObject(name, x, nil, 0)
		}
		if explode && style == "form" {
			out := make([][2]string, 0, len(x))
			for _, e := range x {
				out = append(out, [2]string{name, scalarString(e)})
			}
			return out
		}
		parts := make([]string, 0, len(x))
		for _, e := range x {
			parts = append(parts, scalarString(e))
		}
		return [][2]string{{name, strings.Join(parts, sep)}}
	case map[string]any:
		keys := sortedKeys(x)
		switch {
		case style == "deepObject":
			return deepObject(name, x, nil, 0)
		case explode && style == "form":
			out := make([][2]string, 0, len(x))
			for _, k := range keys {
				out = append(out, [2]string{k, scalarString(x[k])})
			}
			return out
		}
		parts := make([]string, 0, 2*len(x))
		for _, k := range keys {
			parts = append(parts, k, scalarString(x[k]))
		}
		return [][2]string{{name, strings.Join(parts, sep)}}
	}
	return [][2]string{{name, scalarString(v)}}
}

func (p *parser) paramLine(prm param) string {
	l := fmt.Sprintf("- `%s` (%s", prm.name, prm.in)
	if s := p.schemaField(prm); s != nil {
		if ts := s.types(); len(ts) > 0 {
			l += ", " + strings.Join(ts, "|")
		}
	}
	l += ")"
	if d := oneParagraph(str(prm.n, "description")); d != "" {
		l += ": " + d
	}
	return l
}

// firstExample is the value of the first (by name) of an examples map whose value is not null.
func (p *parser) firstExample(examples at) (any, bool) {
	ex := byKey(examples.n)
	for _, k := range sortedKeys(ex) {
		if ex[k] == nil {
			continue
		}
		e := p.refs.deref(at{ex[k], examples.src})
		if v := field(e.n, "value"); !isNull(v) {
			return p.vals.value(v), true
		}
	}
	return nil, false
}

// requestBody fills the request's body from the operation's request body: JSON first, then
// form encodings, then any other media type with an example.
func (p *parser) requestBody(r *postman.APIRequest, rb at) {
	content := byKey(field(rb.n, "content"))
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
	if m == nil || m.Kind != yaml.MappingNode {
		return
	}
	lower := strings.ToLower(pick)
	var ex any
	var ok bool
	if e := field(m, "example"); !isNull(e) {
		ex, ok = p.vals.value(e), true
	} else if ex, ok = p.firstExample(at{field(m, "examples"), rb.src}); !ok {
		if sn := field(m, "schema"); sn != nil {
			g := &exampleGen{p: p, budget: maxBodyNodes, onPath: map[schemaKey]bool{}}
			ex, ok = g.value(p.schemaOf(at{sn, rb.src}), 0), true
		}
	}
	switch {
	case isJSONType(lower) || lower == "application/json":
		r.Headers["Content-Type"] = defuseText(pick)
		if !ok || ex == nil {
			ex = map[string]any{}
		}
		r.Body = defuseJSON(marshalBody(ex))
	case lower == "application/x-www-form-urlencoded" || lower == "multipart/form-data":
		if lower == "multipart/form-data" {
			// Postman sets the boundary itself.
			r.Multipart = true
		} else {
			r.Headers["Content-Type"] = pick
		}
		obj, _ := ex.(map[string]any)
		files := p.binaryProperties(at{field(m, "schema"), rb.src})
		for _, k := range sortedKeys(obj) {
			f := postman.Param{Key: defuseText(k), Value: defuseText(scalarString(obj[k]))}
			if files[k] && lower == "multipart/form-data" {
				f.File, f.Value = true, ""
			}
			r.Form = append(r.Form, f)
		}
	case lower == "application/octet-stream" || isBinary(p.schemaOf(at{field(m, "schema"), rb.src})):
		r.Headers["Content-Type"] = defuseText(pick)
		r.BodyFile = true
	default:
		if s, isStr := ex.(string); ok && isStr {
			r.Headers["Content-Type"] = defuseText(pick)
			r.Body = defuseText(s)
		}
	}
}

// binaryProperties are the properties of a form's schema that are files (format binary, or
// arrays of them).
func (p *parser) binaryProperties(a at) map[string]bool {
	out := map[string]bool{}
	s := p.schemaOf(a)
	if s == nil {
		return out
	}
	var add func(s *schema, depth int)
	add = func(s *schema, depth int) {
		if s == nil || depth > 4 {
			return
		}
		for _, kv := range s.properties() {
			ps := p.sub(s, kv[1])
			if isBinary(ps) || ps != nil && schemaType(ps) == "array" && isBinary(p.sub(ps, field(ps.node, "items"))) {
				out[kv[0].Value] = true
			}
		}
		for _, sub := range p.list(s, "allOf") {
			add(sub, depth+1)
		}
	}
	add(s, 0)
	return out
}

// isBinary is a schema of a file's bytes: format binary (3.0), or contentMediaType or
// contentEncoding on a string (3.1).
func isBinary(s *schema) bool {
	if s == nil || s.node == nil {
		return false
	}
	return s.format() == "binary" || str(s.node, "contentMediaType") == "application/octet-stream"
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

// queryComponent writes a query parameter's name or value as it stands in the URL, so that
// the collection's url.raw and url.query[] say the same: what would end or split the
// parameter (&, #, = in a name, control characters, a % that starts no escape) is
// percent-encoded, and so is a "{" that starts "{{". Escapes already in the text (%28, as in
// Okta's examples), spaces and + are kept as Postman keeps them: it encodes spaces when it
// sends, and the server decodes the rest as the document meant.
func queryComponent(s string, key bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(c)
		case c == '&' || c == '#' || c == '%' || c < ' ' || c == 0x7f || (key && c == '='),
			c == '{' && i+1 < len(s) && s[i+1] == '{':
			fmt.Fprintf(&b, "%%%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
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

// byKey is a mapping as a Go map (the callers sort its keys); a repeated key's last value wins.
func byKey(m *yaml.Node) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	for _, kv := range pairs(m) {
		out[kv[0].Value] = kv[1]
	}
	return out
}
