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

// operations walks the paths in document order and makes one request per operation.
func (p *parser) operations(top *yaml.Node, out *API) {
	seenFolder := map[string]bool{}
	for _, f := range out.Folders {
		seenFolder[f.Name] = true
	}
	seenPath := map[string]bool{}
	for _, kv := range pairs(field(top, "paths")) {
		path := kv[0].Value
		if seenPath[path] || strings.HasPrefix(path, "x-") {
			continue
		}
		seenPath[path] = true
		item := p.refs.deref(at{kv[1], p.refs.root})
		if item.n == nil || item.n.Kind != yaml.MappingNode {
			continue
		}
		got := map[string]bool{}
		for _, mk := range pairs(item.n) {
			m := strings.ToUpper(mk[0].Value)
			if mk[0].Value != strings.ToLower(m) || !slices.Contains(methodOrder, m) || got[m] || mk[1] == nil || mk[1].Kind != yaml.MappingNode {
				continue
			}
			got[m] = true
			r := p.operationRequest(path, m, item, at{mk[1], item.src})
			if r.Folder != "" && !seenFolder[r.Folder] {
				seenFolder[r.Folder] = true
				out.Folders = append(out.Folders, postman.Folder{Name: r.Folder})
			}
			out.Requests = append(out.Requests, r)
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
	var optional, cookies []string
	for _, prm := range p.mergeParameters(item, op) {
		switch prm.in {
		case "path":
			v := p.paramValue(prm)
			pathValues[prm.name] = v
			if isPathVarName(prm.name) {
				r.PathVariables = append(r.PathVariables, postman.Param{Key: prm.name, Value: defuseURL(v), Description: oneParagraph(str(prm.n, "description"))})
			}
		case "query":
			if !isTrue(boolField(prm.n, "required")) && !p.hasExample(prm) {
				optional = append(optional, p.paramLine(prm))
				continue
			}
			for _, v := range p.queryValues(prm) {
				r.Query = append(r.Query, postman.Param{Key: queryComponent(prm.name, true), Value: queryComponent(v, false), Description: oneParagraph(str(prm.n, "description"))})
			}
		case "header":
			switch strings.ToLower(prm.name) {
			case "accept", "content-type", "authorization":
				// OpenAPI ignores these as parameters; the request and the auth set them.
				continue
			}
			if !isTrue(boolField(prm.n, "required")) && !p.hasExample(prm) {
				optional = append(optional, p.paramLine(prm))
				continue
			}
			r.Headers[defuseText(prm.name)] = defuseText(p.paramValue(prm))
		case "cookie":
			cookies = append(cookies, p.paramLine(prm))
		}
	}
	r.URL = "{{" + VarBaseURL + "}}" + defuseURL(postmanPath(path, pathValues))

	if rb := field(op.n, "requestBody"); rb != nil {
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

func (p *parser) schemaField(prm param) *schema {
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
	return placeholder(p.schemaField(prm))
}

// queryValues is one value per query parameter, or one per item of an exploded array.
func (p *parser) queryValues(prm param) []string {
	v := p.paramExample(prm)
	if v == nil {
		return []string{placeholder(p.schemaField(prm))}
	}
	if list, ok := v.([]any); ok {
		explode := boolField(prm.n, "explode")
		if (explode == nil || *explode) && len(list) > 0 {
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
		for _, k := range sortedKeys(obj) {
			r.Form = append(r.Form, postman.Param{Key: defuseText(k), Value: defuseText(scalarString(obj[k]))})
		}
	default:
		if s, isStr := ex.(string); ok && isStr {
			r.Headers["Content-Type"] = defuseText(pick)
			r.Body = defuseText(s)
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
