package openapi

import (
	"slices"

	"go.yaml.in/yaml/v3"
)

// maxBodyNodes bounds the size of a request body made up from a schema (a value per node).
const maxBodyNodes = 400

// maxSchemaDepth bounds how deep a request body made up from a schema nests.
const maxSchemaDepth = 8

// schema is a Schema Object with its $ref resolved.
type schema struct {
	key  schemaKey  // identity: every $ref to the same schema is the same schema
	node *yaml.Node // where its keywords are read; nil for the top of a 3.1 $ref with siblings
	lits *yaml.Node // where example, examples, const, default and enum are read
	src  *source
	// allOf, when set, replaces the node's allOf: a 3.1 $ref with siblings is
	// allOf [the siblings, the referenced schema] (JSON Schema 2020-12 applies both).
	allOf []*schema
}

type schemaKey struct {
	n        *yaml.Node
	siblings bool // the siblings of a 3.1 $ref, read without the $ref
}

// schemaOf is the schema a node stands for, its $ref resolved; nil when it is not a schema
// (absent, or a boolean schema).
func (p *parser) schemaOf(a at) *schema {
	n := unalias(a.n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	if _, ref := refOf(n); ref != nil {
		if p.is31 && len(n.Content) >= 4 {
			sib := &schema{key: schemaKey{n, true}, node: n, lits: n, src: a.src}
			top := &schema{key: schemaKey{n, false}, lits: n, src: a.src, allOf: []*schema{sib}}
			if target := p.schemaOf(p.refs.deref(a)); target != nil {
				top.allOf = append(top.allOf, target)
			}
			return top
		}
		return p.schemaOf(p.refs.deref(a))
	}
	return &schema{key: schemaKey{n, false}, node: n, lits: n, src: a.src}
}

// sub is the schema under a keyword (items, a property).
func (p *parser) sub(s *schema, n *yaml.Node) *schema { return p.schemaOf(at{n, s.src}) }

// list is a keyword that holds a list of schemas (allOf, oneOf, anyOf, prefixItems).
func (p *parser) list(s *schema, key string) []*schema {
	if key == "allOf" && s.allOf != nil {
		return s.allOf
	}
	var out []*schema
	for _, n := range items(field(s.node, key)) {
		out = append(out, p.sub(s, n))
	}
	return out
}

func (s *schema) types() []string             { return stringList(s.node, "type") }
func (s *schema) format() string              { return str(s.node, "format") }
func (s *schema) readOnly() bool              { return isTrue(boolField(s.node, "readOnly")) }
func (s *schema) hasItems() bool              { return field(s.node, "items") != nil }
func (s *schema) properties() [][2]*yaml.Node { return pairs(field(s.node, "properties")) }

// hasLiteral is true when the schema gives an example, examples, a default or a const (not
// an enum: a parameter with only an enum is not sent unless it is required).
func (s *schema) hasLiteral() bool {
	return !isNull(field(s.lits, "example")) || len(items(field(s.lits, "examples"))) > 0 ||
		!isNull(field(s.lits, "default")) || !isNull(field(s.lits, "const"))
}

// literal is a value the schema itself gives: example, examples[0], const, default, enum[0].
func (p *parser) literal(s *schema) (any, bool) {
	if ex := field(s.lits, "example"); !isNull(ex) {
		return p.vals.value(ex), true
	}
	if exs := items(field(s.lits, "examples")); len(exs) > 0 && !isNull(exs[0]) {
		return p.vals.value(exs[0]), true
	}
	if c := field(s.lits, "const"); !isNull(c) {
		return p.vals.value(c), true
	}
	if d := field(s.lits, "default"); !isNull(d) {
		return p.vals.value(d), true
	}
	if en := items(field(s.lits, "enum")); len(en) > 0 && !isNull(en[0]) {
		return p.vals.value(en[0]), true
	}
	return nil, false
}

// schemaType is the schema's type (the first that is not null), guessed from its keywords
// when it names none.
func schemaType(s *schema) string {
	ts := s.types()
	for _, t := range ts {
		if t != "null" {
			return t
		}
	}
	if slices.Contains(ts, "null") {
		return "null"
	}
	switch {
	case len(s.properties()) > 0:
		return "object"
	case s.hasItems():
		return "array"
	}
	return ""
}

// exampleGen makes up a value from a schema, bounded in size and depth and safe on cycles.
type exampleGen struct {
	p      *parser
	budget int
	onPath map[schemaKey]bool
	// param makes a parameter's value, shown in a disabled entry: two items per array and a
	// "key" for a map (additionalProperties), to show how they are written.
	param bool
}

func (g *exampleGen) value(s *schema, depth int) any {
	if s == nil || g.budget <= 0 || depth > maxSchemaDepth {
		return nil
	}
	if g.onPath[s.key] {
		return nil
	}
	g.budget--
	if v, ok := g.p.literal(s); ok {
		return v
	}
	g.onPath[s.key] = true
	defer delete(g.onPath, s.key)
	if all := g.p.list(s, "allOf"); len(all) > 0 {
		merged := map[string]any{}
		var last any
		for _, sub := range all {
			v := g.value(sub, depth+1)
			if m, ok := v.(map[string]any); ok {
				for k, x := range m {
					merged[k] = x
				}
			} else if v != nil {
				last = v
			}
		}
		if len(s.properties()) > 0 {
			for k, x := range g.object(s, depth) {
				merged[k] = x
			}
		}
		if len(merged) == 0 && last != nil {
			return last
		}
		return merged
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		if alts := g.p.list(s, key); len(alts) > 0 {
			v := g.value(alts[0], depth+1)
			if m, ok := v.(map[string]any); ok && len(s.properties()) > 0 {
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
		if prefix := g.p.list(s, "prefixItems"); len(prefix) > 0 {
			out := []any{}
			for _, it := range prefix {
				out = append(out, g.value(it, depth+1))
			}
			return out
		}
		if v := g.value(g.p.sub(s, field(s.node, "items")), depth+1); v != nil {
			if g.param {
				return []any{v, v}
			}
			return []any{v}
		}
		return []any{}
	case "integer", "number":
		if m := field(s.node, "minimum"); m != nil && m.Kind == yaml.ScalarNode {
			var f float64
			if m.Decode(&f) == nil {
				return f
			}
		}
		return 0
	case "boolean":
		return true
	case "null":
		return nil
	case "string":
		return stringExample(s.format())
	}
	return nil
}

func (g *exampleGen) object(s *schema, depth int) map[string]any {
	out := map[string]any{}
	if ap := field(s.node, "additionalProperties"); g.param && len(s.properties()) == 0 && ap != nil && ap.Kind == yaml.MappingNode {
		out["key"] = g.value(g.p.sub(s, ap), depth+1)
		return out
	}
	props := map[string]*yaml.Node{}
	for _, kv := range s.properties() {
		props[kv[0].Value] = kv[1]
	}
	for _, k := range sortedKeys(props) {
		ps := g.p.sub(s, props[k])
		if ps != nil && ps.readOnly() {
			continue
		}
		if g.budget <= 0 {
			break
		}
		out[k] = g.value(ps, depth+1)
	}
	return out
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
func placeholder(s *schema) string {
	if s == nil {
		return "<string>"
	}
	if f := s.format(); f != "" {
		return "<" + f + ">"
	}
	if t := schemaType(s); t != "" {
		return "<" + t + ">"
	}
	return "<string>"
}
