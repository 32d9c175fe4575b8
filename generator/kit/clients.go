package kit

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/internal/boundedread"
	"github.com/postmint/postmint/internal/yamlerr"
)

// A clients file (--clients FILE) holds many client definitions that share a base:
//
//	version: 1
//	base:                 # any definition fields, shared by every client
//	  preset: duende
//	  issuer: https://idp.example.com
//	  openapi: orders.yaml
//	clients:              # one entry per partner: definition fields that differ
//	  - name: Acme Corp
//	    client_id: acme
//	    kid: acme-2025
//	    key: keys/acme.jwk.json
//
// Each entry is the base with the entry's fields over it: a field the entry sets replaces the
// base's, except headers, claims and form, which are merged key by key (the entry's keys win).
// Unknown fields, here or in the base, are errors, exactly as in a definition file; version
// belongs at the top only. Relative paths (key, certificate, openapi) are relative to the
// clients file.

// clientsTopFields are the fields of a clients file itself.
var clientsTopFields = []string{"version", "base", "clients"}

// mergedMaps are the definition fields merged key by key rather than replaced.
var mergedMaps = map[string]bool{"headers": true, "claims": true, "form": true}

// defField is one field of config.Definition, by its YAML name.
type defField struct {
	index []int
	typ   reflect.Type
}

// definitionFields maps each YAML field name of a definition to its struct field, read from
// config.Definition's tags so that the two cannot drift apart.
var definitionFields, definitionFieldNames = func() (map[string]defField, []string) {
	t := reflect.TypeOf(config.Definition{})
	out := map[string]defField{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := tagName(f)
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		out[name] = defField{index: f.Index, typ: f.Type}
		names = append(names, name)
	}
	return out, names
}()

func tagName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	return name
}

// entrySource says where one decoded definition of a clients file came from, for errors.
type entrySource struct {
	file  string
	index int // position in clients
	line  int // line of the entry
	// keyLines are the lines of the fields the entry sets, baseLines those of the base.
	keyLines, baseLines map[string]int
}

func (s *entrySource) prefix() string { return fmt.Sprintf("clients[%d]", s.index) }

// where names the entry and line a field comes from: the entry's own field, the base's, or
// the entry itself for a field set nowhere (a missing one).
func (s *entrySource) where(field string) (string, int) {
	top, _, _ := strings.Cut(field, ".")
	top, _, _ = strings.Cut(top, "[")
	if l, ok := s.keyLines[top]; ok {
		return s.prefix() + "." + field, l
	}
	if l, ok := s.baseLines[top]; ok {
		return "base." + field, l
	}
	return s.prefix() + "." + field, s.line
}

// relocate rewrites an error of config.Resolve (which knows neither the file's lines nor
// the entry) to name the clients file, the entry or base, and the line.
func (s *entrySource) relocate(err error) error {
	var fe *config.FieldError
	if !errors.As(err, &fe) {
		return fmt.Errorf("%s: %s: %w", s.file, s.prefix(), err)
	}
	out := *fe
	out.File = s.file
	if fe.Field != "" {
		out.Field, out.Line = s.where(fe.Field)
	} else {
		out.Field, out.Line = s.prefix(), s.line
	}
	return &out
}

// loadClientsFile reads a clients file into one job per entry. A file that is not a clients
// file at all is one job carrying the error.
func loadClientsFile(path string) []*Job {
	fileJob := func(line int, field, msg string, kind error) []*Job {
		return []*Job{{Label: path, File: path, Err: &config.FieldError{File: path, Line: line, Field: field, Err: kind, Msg: msg}}}
	}
	data, err := boundedread.ReadFile(path, maxClientsFile)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return []*Job{{Label: path, File: path, Err: fmt.Errorf("reading clients file %s: %w", path, err)}}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return fileJob(0, "", "the file is empty; a clients file has version: 1, base: and clients:", ErrClientsFile)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line, msg := yamlErrorLine(err)
		return fileJob(line, "", "not valid YAML or JSON: "+msg, ErrClientsFile)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return fileJob(0, "", "not a clients file: expected a mapping with version: 1, base: and clients:", ErrClientsFile)
	}
	top := root.Content[0]
	var version, base, clients, versionKey, clientsKey *yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		switch k.Value {
		case "version":
			versionKey, version = k, v
		case "base":
			base = v
		case "clients":
			clientsKey, clients = k, v
		default:
			return fileJob(k.Line, k.Value, "unknown field; "+suggest(k.Value, clientsTopFields, "a clients file has only version, base and clients"), config.ErrUnknownField)
		}
	}
	switch {
	case version == nil:
		return fileJob(0, "version", "missing; add `version: 1` at the top", config.ErrMissingField)
	case version.Value != "1":
		return fileJob(versionKey.Line, "version", fmt.Sprintf("version %s is not supported; this postmint reads version 1", version.Value), config.ErrBadVersion)
	case clients == nil:
		return fileJob(0, "clients", "missing; list the partners under clients:, one definition each", config.ErrMissingField)
	case clients.Kind != yaml.SequenceNode:
		return fileJob(clientsKey.Line, "clients", "must be a list of client definitions", config.ErrBadValue)
	case len(clients.Content) == 0:
		return fileJob(clientsKey.Line, "clients", "is empty; add one entry per partner", config.ErrMissingField)
	}
	basePairs := map[string][2]*yaml.Node{}
	var baseOrder []string
	baseLines := map[string]int{}
	if base != nil && !(base.Kind == yaml.ScalarNode && base.Tag == "!!null") {
		if base.Kind != yaml.MappingNode {
			return fileJob(base.Line, "base", "must be a mapping of definition fields", config.ErrBadValue)
		}
		if err := checkPairs(path, "base", base); err != nil {
			return []*Job{{Label: path, File: path, Err: err}}
		}
		for i := 0; i+1 < len(base.Content); i += 2 {
			k := base.Content[i]
			basePairs[k.Value] = [2]*yaml.Node{k, base.Content[i+1]}
			baseOrder = append(baseOrder, k.Value)
			baseLines[k.Value] = k.Line
		}
	}

	jobs := make([]*Job, 0, len(clients.Content))
	for i, entry := range clients.Content {
		src := &entrySource{file: path, index: i, line: entry.Line, keyLines: map[string]int{}, baseLines: baseLines}
		job := &Job{File: path, Entry: i, Line: entry.Line, src: src}
		job.Label = fmt.Sprintf("%s:%d %s", path, entry.Line, src.prefix())
		jobs = append(jobs, job)
		if entry.Kind != yaml.MappingNode {
			job.Err = &config.FieldError{File: path, Line: entry.Line, Field: src.prefix(), Err: config.ErrBadValue, Msg: "must be a mapping of definition fields (name, client_id, ...)"}
			continue
		}
		if err := checkPairs(path, src.prefix(), entry); err != nil {
			job.Err = err
			continue
		}
		own := map[string][2]*yaml.Node{}
		var order []string
		for j := 0; j+1 < len(entry.Content); j += 2 {
			k := entry.Content[j]
			own[k.Value] = [2]*yaml.Node{k, entry.Content[j+1]}
			order = append(order, k.Value)
			src.keyLines[k.Value] = k.Line
		}
		if n, ok := own["name"]; ok {
			job.Label += " (" + n[1].Value + ")"
		}
		def := &config.Definition{Version: 1, File: path}
		var decodeErr error
		decode := func(name string, v *yaml.Node, origin string) {
			if decodeErr != nil {
				return
			}
			f := definitionFields[name]
			ptr := reflect.ValueOf(def).Elem().FieldByIndex(f.index).Addr().Interface()
			if err := v.Decode(ptr); err != nil {
				decodeErr = decodeError(path, origin+"."+name, v, err)
			}
		}
		for _, name := range baseOrder {
			bp := basePairs[name]
			ep, inEntry := own[name]
			switch {
			case !inEntry:
				decode(name, bp[1], "base")
			case mergedMaps[name] && bp[1].Kind == yaml.MappingNode && ep[1].Kind == yaml.MappingNode:
				decode(name, mergeMappings(bp[1], ep[1]), src.prefix())
			}
		}
		for _, name := range order {
			if _, inBase := basePairs[name]; inBase && mergedMaps[name] && basePairs[name][1].Kind == yaml.MappingNode && own[name][1].Kind == yaml.MappingNode {
				continue // merged above
			}
			decode(name, own[name][1], src.prefix())
		}
		if decodeErr != nil {
			job.Err = decodeErr
			continue
		}
		job.Def = def
		if n, ok := own["name"]; ok {
			job.NameLine = n[0].Line
		} else if l, ok := baseLines["name"]; ok {
			job.NameLine = l
		}
		if n, ok := own["client_id"]; ok {
			job.ClientIDLine = n[0].Line
		} else if l, ok := baseLines["client_id"]; ok {
			job.ClientIDLine = l
		}
	}
	return jobs
}

// mergeMappings is base's pairs with over's on top: same keys replaced in place, new keys after.
func mergeMappings(base, over *yaml.Node) *yaml.Node {
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: over.Line, Column: over.Column}
	idx := map[string]int{}
	for i := 0; i+1 < len(base.Content); i += 2 {
		idx[base.Content[i].Value] = len(out.Content)
		out.Content = append(out.Content, base.Content[i], base.Content[i+1])
	}
	for i := 0; i+1 < len(over.Content); i += 2 {
		k := over.Content[i].Value
		if j, ok := idx[k]; ok {
			out.Content[j], out.Content[j+1] = over.Content[i], over.Content[i+1]
			continue
		}
		idx[k] = len(out.Content)
		out.Content = append(out.Content, over.Content[i], over.Content[i+1])
	}
	return out
}

// checkPairs refuses unknown and repeated fields in a definition mapping (base or entry),
// and unknown fields inside its headers and requests, naming the line.
func checkPairs(file, prefix string, m *yaml.Node) error {
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		name := k.Value
		switch {
		case name == "version":
			return &config.FieldError{File: file, Line: k.Line, Field: prefix + ".version", Err: config.ErrUnknownField, Msg: "version belongs once at the top of the clients file; remove it here"}
		case seen[name]:
			return &config.FieldError{File: file, Line: k.Line, Field: prefix + "." + name, Err: config.ErrBadValue, Msg: "is set twice; keep one"}
		}
		seen[name] = true
		f, ok := definitionFields[name]
		if !ok {
			return &config.FieldError{File: file, Line: k.Line, Field: prefix + "." + name, Err: config.ErrUnknownField, Msg: "unknown field; " + suggest(name, definitionFieldNames, "remove it")}
		}
		if err := checkKnown(file, prefix+"."+name, v, f.typ); err != nil {
			return err
		}
	}
	return nil
}

// checkKnown walks a value against the Go type it decodes into and refuses mapping keys
// that no struct field takes (yaml.v3's Node.Decode has no KnownFields of its own).
func checkKnown(file, field string, n *yaml.Node, t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return nil // a type error, reported by Decode with its line
		}
		known := map[string]reflect.Type{}
		var names []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if name := tagName(f); name != "" && name != "-" && f.IsExported() {
				known[name] = f.Type
				names = append(names, name)
			}
		}
		if len(known) == 0 {
			return nil // a struct with its own UnmarshalYAML (Duration)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			ft, ok := known[k.Value]
			if !ok {
				return &config.FieldError{File: file, Line: k.Line, Field: field + "." + k.Value, Err: config.ErrUnknownField, Msg: "unknown field; " + suggest(k.Value, names, "remove it")}
			}
			if err := checkKnown(file, field+"."+k.Value, n.Content[i+1], ft); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode || t.Elem().Kind() == reflect.String {
			return nil
		}
		for i, c := range n.Content {
			if err := checkKnown(file, fmt.Sprintf("%s[%d]", field, i), c, t.Elem()); err != nil {
				return err
			}
		}
	}
	return nil
}

// decodeError makes a Node.Decode error into a FieldError at the value's line.
func decodeError(file, field string, v *yaml.Node, err error) error {
	line := v.Line
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
		if n, rest := yamlerr.Line(msg); n > 0 {
			line, msg = n, rest
		}
	}
	msg = strings.TrimPrefix(msg, config.ErrBadValue.Error()+": ")
	return &config.FieldError{File: file, Line: line, Field: field, Err: config.ErrBadValue, Msg: yamlerr.Readable(strings.ReplaceAll(msg, "config.", ""))}
}

func yamlErrorLine(err error) (int, string) { return yamlerr.Line(err.Error()) }

// suggest names the field meant when s is a plausible typo of one, else says fallback.
func suggest(s string, candidates []string, fallback string) string {
	best := config.Closest(s, candidates)
	if best == "" {
		return fallback
	}
	return fmt.Sprintf("did you mean %q?", best)
}
