package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/postmint/postmint/internal/yamlerr"
)

// Decoding a definition field by field, for readers that assemble a definition from pieces
// of a larger document (a kit's clients file: a shared base and one entry per partner). Each
// field is checked and decoded on its own, so an error names the field's path ("headers.x5c",
// "requests[0].url") and the line of the node at fault. The returned *FieldError leaves File
// empty and Field relative to the definition: the caller names the file and where in it.
//
// The field names are read from Definition's yaml tags, so that they cannot drift from it.

// CheckField refuses a top-level field that Definition does not have, and keys inside its
// value that no nested struct field takes (headers, requests), suggesting the name meant.
func CheckField(key, value *yaml.Node) error {
	f, ok := definitionFields[key.Value]
	if !ok {
		return unknownField(key, key.Value, definitionFieldNames)
	}
	return checkKnown(key.Value, value, f.typ)
}

// DecodeField checks one top-level field (as CheckField does) and decodes its value into d.
// A later call for the same field replaces what an earlier one set.
func (d *Definition) DecodeField(key, value *yaml.Node) error {
	if err := CheckField(key, value); err != nil {
		return err
	}
	f := definitionFields[key.Value]
	ptr := reflect.ValueOf(d).Elem().FieldByIndex(f.index).Addr().Interface()
	if err := value.Decode(ptr); err != nil {
		return decodeError(key.Value, value, err)
	}
	return nil
}

type defField struct {
	index []int
	typ   reflect.Type
}

var definitionFields, definitionFieldNames = structFields(reflect.TypeOf(Definition{}))

// structFields maps the YAML names of a struct's exported fields to the fields.
func structFields(t reflect.Type) (map[string]defField, []string) {
	out := map[string]defField{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		out[name] = defField{index: f.Index, typ: f.Type}
		names = append(names, name)
	}
	return out, names
}

// checkKnown walks a value against the Go type it decodes into and refuses mapping keys that
// no struct field takes (yaml.v3's Node.Decode has no KnownFields of its own).
func checkKnown(field string, n *yaml.Node, t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return nil // a type error, reported by Decode with its line
		}
		known, names := structFields(t)
		if len(known) == 0 {
			return nil // a struct with its own UnmarshalYAML (Duration)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			f, ok := known[k.Value]
			if !ok {
				return unknownField(k, field+"."+k.Value, names)
			}
			if err := checkKnown(field+"."+k.Value, n.Content[i+1], f.typ); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode || t.Elem().Kind() == reflect.String {
			return nil
		}
		for i, c := range n.Content {
			if err := checkKnown(fmt.Sprintf("%s[%d]", field, i), c, t.Elem()); err != nil {
				return err
			}
		}
	}
	return nil
}

// unknownField is the error for a key no field takes: the path to it, and the name meant when
// it is a plausible typo, else the names the place takes (a short list) or where they are.
func unknownField(k *yaml.Node, field string, candidates []string) error {
	var fix string
	parent, _, nested := cutLast(field)
	switch s := Closest(k.Value, candidates); {
	case s != "":
		fix = fmt.Sprintf("did you mean %q?", s)
	case nested && len(candidates) <= 8:
		fix = fmt.Sprintf("%s takes %s", parent, strings.Join(candidates, ", "))
	default:
		fix = "docs/definition.md lists the fields a definition takes"
	}
	return &FieldError{Line: k.Line, Field: field, Err: ErrUnknownField, Msg: "unknown field; " + fix}
}

// cutLast splits a field path at its last ".": "requests[0].url" is "requests[0]" and "url".
func cutLast(field string) (parent, name string, ok bool) {
	i := strings.LastIndexByte(field, '.')
	if i < 0 {
		return "", field, false
	}
	return field[:i], field[i+1:], true
}

// decodeError makes a Node.Decode error into a FieldError at the line yaml.v3 names, or at
// the value's line for the errors of our own UnmarshalYAML methods (which carry none).
func decodeError(field string, v *yaml.Node, err error) error {
	line := v.Line
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
		if n, rest := yamlerr.Line(msg); n > 0 {
			line, msg = n, rest
		}
	}
	msg = strings.TrimPrefix(msg, ErrBadValue.Error()+": ")
	return &FieldError{Line: line, Field: field, Err: ErrBadValue, Msg: yamlerr.Readable(strings.ReplaceAll(msg, "config.", ""))}
}
