package openapi

import (
	"bytes"
	"errors"
	"strconv"

	"github.com/postmint/postmint/internal/yamlerr"
	"go.yaml.in/yaml/v3"
)

// mapEntry returns the key and value nodes of a mapping's field; nil, nil when there is none.
func mapEntry(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	m = unalias(m)
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

// field is the value node of a mapping's field, aliases followed; nil when there is none.
func field(m *yaml.Node, key string) *yaml.Node {
	_, v := mapEntry(m, key)
	return unalias(v)
}

// str is the text of a scalar field ("" for none, or for a field that is not a scalar).
func str(m *yaml.Node, key string) string {
	if v := field(m, key); v != nil && v.Kind == yaml.ScalarNode && v.ShortTag() != "!!null" {
		return v.Value
	}
	return ""
}

// boolField is a boolean field: nil when it is absent or not a boolean.
func boolField(m *yaml.Node, key string) *bool {
	v := field(m, key)
	if v == nil || v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" {
		return nil
	}
	var b bool
	if v.Decode(&b) != nil {
		return nil
	}
	return &b
}

func isTrue(b *bool) bool { return b != nil && *b }

// strings is a field that is a string or a list of strings (type: string | [string, "null"]).
func stringList(m *yaml.Node, key string) []string {
	v := field(m, key)
	if v == nil {
		return nil
	}
	if v.Kind == yaml.ScalarNode {
		if v.ShortTag() == "!!null" {
			return nil
		}
		return []string{v.Value}
	}
	var out []string
	if v.Kind == yaml.SequenceNode {
		for _, c := range v.Content {
			if c = unalias(c); c != nil && c.Kind == yaml.ScalarNode {
				out = append(out, c.Value)
			}
		}
	}
	return out
}

// pairs lists a mapping's entries in document order (nil for anything else).
func pairs(m *yaml.Node) [][2]*yaml.Node {
	m = unalias(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	out := make([][2]*yaml.Node, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, [2]*yaml.Node{m.Content[i], unalias(m.Content[i+1])})
	}
	return out
}

// items lists a sequence's elements (nil for anything else).
func items(s *yaml.Node) []*yaml.Node {
	s = unalias(s)
	if s == nil || s.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, 0, len(s.Content))
	for _, c := range s.Content {
		out = append(out, unalias(c))
	}
	return out
}

func unalias(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		return unalias(n.Content[0])
	}
	return n
}

// isNull is true for no value and for an explicit null.
func isNull(n *yaml.Node) bool {
	n = unalias(n)
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// maxValueNodes, plus the document's size in bytes, bounds how many values the examples of
// one document may expand to: an alias that repeats an alias that repeats ... ("billion
// laughs") is refused, not expanded. A document's own text holds fewer values than bytes, so
// only aliases and examples shared by many operations count against the million.
const maxValueNodes = 1_000_000

// values turns example nodes into Go values within a budget shared by the whole document.
type values struct {
	left int
	src  *source // for the error
}

// value is a YAML value as encoding/json decodes the same value written as JSON: numbers are
// float64, mappings map[string]any, timestamps the strings they are written as.
func (vs *values) value(n *yaml.Node) any {
	if n == nil {
		return nil
	}
	if vs.left--; vs.left < 0 {
		abort(&Error{Source: vs.src.name, Line: n.Line, Column: n.Column, Err: ErrInvalid,
			Msg: "the examples expand to more than a million values beyond the document's size (YAML aliases repeating aliases?)"})
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return vs.value(n.Content[0])
	case yaml.AliasNode:
		return vs.value(n.Alias)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			out = append(out, vs.value(c))
		}
		return out
	case yaml.MappingNode:
		out := map[string]any{}
		vs.mergeInto(out, n, 0)
		return out
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil
		case "!!bool":
			var b bool
			if n.Decode(&b) == nil {
				return b
			}
		case "!!int":
			var v any
			if n.Decode(&v) == nil {
				switch x := v.(type) {
				case int:
					return float64(x)
				case int64:
					return float64(x)
				case uint64:
					return float64(x)
				case float64:
					return x
				}
			}
		case "!!float":
			var f float64
			if n.Decode(&f) == nil {
				return f
			}
		}
		return n.Value
	}
	return nil
}

// mergeInto adds a mapping's entries to out; keys written in the mapping win over those
// merged in with <<.
func (vs *values) mergeInto(out map[string]any, n *yaml.Node, depth int) {
	n = unalias(n)
	if n == nil || n.Kind != yaml.MappingNode || depth > 100 {
		return
	}
	own := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			continue
		}
		key := k.Value
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!float" {
			if f, err := strconv.ParseFloat(k.Value, 64); err == nil {
				key = strconv.FormatFloat(f, 'f', -1, 64)
			}
		}
		out[key] = vs.value(v)
		own[key] = true
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], unalias(n.Content[i+1])
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!merge" {
			continue
		}
		sources := []*yaml.Node{v}
		if v != nil && v.Kind == yaml.SequenceNode {
			sources = v.Content
		}
		for _, src := range sources {
			tmp := map[string]any{}
			vs.mergeInto(tmp, src, depth+1)
			for key, x := range tmp {
				if !own[key] {
					out[key] = x
					own[key] = true
				}
			}
		}
	}
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

// yamlLine splits yaml.v3's "yaml: line N: msg" into N and msg.
func yamlLine(err error) (int, string) { return yamlerr.Line(err.Error()) }

// abort stops the walk of a document with an error; Parse recovers it. The walk is deep and
// recursive, and these errors (an example too large, a $ref cycle met late) are rare, so one
// recover beats an error return on every helper.
func abort(e *Error) {
	e.whole = true
	panic(aborted{e})
}

// abortOperation stops the walk of the operation being made with an error; a $ref that leaves
// the origin, or a bound that is reached, stops the whole document.
func abortOperation(e *Error) {
	if errors.Is(e, ErrRefOrigin) {
		e.whole = true
	}
	panic(aborted{e})
}

// catch runs f and returns the error it aborted with when that stops only an operation.
func catch(f func()) (err *Error) {
	defer func() {
		if r := recover(); r != nil {
			a, ok := r.(aborted)
			if !ok || a.err.whole {
				panic(r)
			}
			err = a.err
		}
	}()
	f()
	return nil
}

type aborted struct{ err *Error }
