package kit

import (
	"bytes"
	"errors"
	"fmt"
	"os"
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

// fieldLine is the line of a top-level field the entry sets, else the base's, else 0.
func (s *entrySource) fieldLine(field string) int {
	if l, ok := s.keyLines[field]; ok {
		return l
	}
	return s.baseLines[field]
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
	top, err := readClientsFile(path)
	if err != nil {
		return []*Job{{Label: path, File: path, Err: err}}
	}
	base, clients, err := topFields(path, top)
	if err != nil {
		return []*Job{{Label: path, File: path, Err: err}}
	}
	shared, err := baseFields(path, base)
	if err != nil {
		return []*Job{{Label: path, File: path, Err: err}}
	}
	jobs := make([]*Job, 0, len(clients.Content))
	for i, entry := range clients.Content {
		jobs = append(jobs, entryJob(path, i, entry, shared))
	}
	return jobs
}

// fileError is an error of the clients file itself (not of one of its entries).
func fileError(path string, line int, field, msg string, kind error) error {
	return &config.FieldError{File: path, Line: line, Field: field, Err: kind, Msg: msg}
}

// readClientsFile reads and parses the file, and returns its top-level mapping.
func readClientsFile(path string) (*yaml.Node, error) {
	data, err := boundedread.ReadFile(path, maxClientsFile)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("reading clients file %s: %w", path, err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fileError(path, 0, "", "the file is empty; a clients file has version: 1, base: and clients:", ErrClientsFile)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line, msg := yamlerr.Line(err.Error())
		return nil, fileError(path, line, "", "not valid YAML or JSON: "+msg, ErrClientsFile)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fileError(path, 0, "", "not a clients file: expected a mapping with version: 1, base: and clients:", ErrClientsFile)
	}
	return root.Content[0], nil
}

// topFields checks the file's own fields (version 1, a non-empty list of clients) and
// returns the base (nil when absent) and the list of entries.
func topFields(path string, top *yaml.Node) (base, clients *yaml.Node, err error) {
	var version, versionKey, clientsKey *yaml.Node
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
			fix := "a clients file has only version, base and clients"
			if s := config.Closest(k.Value, clientsTopFields); s != "" {
				fix = fmt.Sprintf("did you mean %q?", s)
			}
			return nil, nil, fileError(path, k.Line, k.Value, "unknown field; "+fix, config.ErrUnknownField)
		}
	}
	switch {
	case version == nil:
		return nil, nil, fileError(path, 0, "version", "missing; add `version: 1` at the top", config.ErrMissingField)
	case version.Value != "1":
		return nil, nil, fileError(path, versionKey.Line, "version", fmt.Sprintf("version %s is not supported; this postmint reads version 1", version.Value), config.ErrBadVersion)
	case clients == nil:
		return nil, nil, fileError(path, 0, "clients", "missing; list the partners under clients:, one definition each", config.ErrMissingField)
	case clients.Kind != yaml.SequenceNode:
		return nil, nil, fileError(path, clientsKey.Line, "clients", "must be a list of client definitions", config.ErrBadValue)
	case len(clients.Content) == 0:
		return nil, nil, fileError(path, clientsKey.Line, "clients", "is empty; add one entry per partner", config.ErrMissingField)
	}
	return base, clients, nil
}

// fields are the pairs of one definition mapping (the base, or an entry), in file order.
type fields struct {
	order []string
	pairs map[string][2]*yaml.Node // name -> key, value
	lines map[string]int           // name -> line of the key
}

func (f *fields) has(name string) bool { _, ok := f.pairs[name]; return ok }

// isMap says whether the field is set to a mapping (a merged map that merges).
func (f *fields) isMap(name string) bool {
	p, ok := f.pairs[name]
	return ok && p[1].Kind == yaml.MappingNode
}

// definitionFields checks a definition mapping as config checks a definition's fields, plus
// the rules of a clients file (no version, no field twice), and returns its pairs. Errors
// name prefix ("base" or "clients[i]") before the field.
func definitionFields(path, prefix string, m *yaml.Node) (*fields, error) {
	f := &fields{pairs: map[string][2]*yaml.Node{}, lines: map[string]int{}}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		switch {
		case k.Value == "version":
			return nil, fileError(path, k.Line, prefix+".version", "version belongs once at the top of the clients file; remove it here", config.ErrUnknownField)
		case f.has(k.Value):
			return nil, fileError(path, k.Line, prefix+"."+k.Value, "is set twice; keep one", config.ErrBadValue)
		}
		if err := config.CheckField(k, v); err != nil {
			return nil, placed(path, prefix, err)
		}
		f.order = append(f.order, k.Value)
		f.pairs[k.Value] = [2]*yaml.Node{k, v}
		f.lines[k.Value] = k.Line
	}
	return f, nil
}

// placed names the clients file and the part of it (prefix) in a config.FieldError about a
// definition field.
func placed(path, prefix string, err error) error {
	var fe *config.FieldError
	if !errors.As(err, &fe) {
		return fmt.Errorf("%s: %s: %w", path, prefix, err)
	}
	out := *fe
	out.File, out.Field = path, prefix+"."+fe.Field
	return &out
}

// baseFields checks the base, which may be absent or empty.
func baseFields(path string, base *yaml.Node) (*fields, error) {
	if base == nil || (base.Kind == yaml.ScalarNode && base.Tag == "!!null") {
		return &fields{pairs: map[string][2]*yaml.Node{}, lines: map[string]int{}}, nil
	}
	if base.Kind != yaml.MappingNode {
		return nil, fileError(path, base.Line, "base", "must be a mapping of definition fields", config.ErrBadValue)
	}
	return definitionFields(path, "base", base)
}

// entryJob is the job of one entry: the base with the entry's fields over it, decoded by
// config field by field.
func entryJob(path string, i int, entry *yaml.Node, base *fields) *Job {
	src := &entrySource{file: path, index: i, line: entry.Line, keyLines: map[string]int{}, baseLines: base.lines}
	job := &Job{File: path, Entry: i, Line: entry.Line, src: src}
	job.Label = fmt.Sprintf("%s:%d %s", path, entry.Line, src.prefix())
	if entry.Kind != yaml.MappingNode {
		job.Err = fileError(path, entry.Line, src.prefix(), "must be a mapping of definition fields (name, client_id, ...)", config.ErrBadValue)
		return job
	}
	own, err := definitionFields(path, src.prefix(), entry)
	if err != nil {
		job.Err = err
		return job
	}
	src.keyLines = own.lines
	if own.has("name") {
		job.Label += " (" + own.pairs["name"][1].Value + ")"
	}
	if job.Def, job.Err = mergeDefinition(path, src.prefix(), base, own); job.Err != nil {
		job.Def = nil
		return job
	}
	job.NameLine, job.ClientIDLine = src.fieldLine("name"), src.fieldLine("client_id")
	return job
}

// mergeDefinition decodes the base's fields the entry leaves alone, then the entry's: a
// field the entry sets replaces the base's, except the merged maps, which merge key by key.
func mergeDefinition(path, prefix string, base, own *fields) (*config.Definition, error) {
	def := &config.Definition{Version: 1, File: path}
	merged := func(name string) bool { return mergedMaps[name] && base.isMap(name) && own.isMap(name) }
	for _, name := range base.order {
		p := base.pairs[name]
		switch {
		case !own.has(name):
			if err := def.DecodeField(p[0], p[1]); err != nil {
				return nil, placed(path, "base", err)
			}
		case merged(name):
			if err := def.DecodeField(own.pairs[name][0], mergeMappings(p[1], own.pairs[name][1])); err != nil {
				return nil, placed(path, prefix, err)
			}
		}
	}
	for _, name := range own.order {
		if merged(name) {
			continue // decoded above
		}
		if err := def.DecodeField(own.pairs[name][0], own.pairs[name][1]); err != nil {
			return nil, placed(path, prefix, err)
		}
	}
	return def, nil
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
