// Package config reads postmint client definitions (YAML or JSON), applies presets and
// resolves them into the concrete rules (audience, lifetime, headers, form) that both the
// Go minting code and the generated Postman scripts follow.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xrash/smetrics"
	"go.yaml.in/yaml/v3"

	"github.com/postmint/postmint/internal/boundedread"
	"github.com/postmint/postmint/internal/yamlerr"
)

// Definition is a client definition file as written by the user. Pointer fields tell
// "not given" (the preset decides) from an explicit value.
type Definition struct {
	Version               int               `yaml:"version"`
	Name                  string            `yaml:"name"`
	Preset                string            `yaml:"preset,omitempty"`
	TokenURL              string            `yaml:"token_url,omitempty"`
	Issuer                string            `yaml:"issuer,omitempty"`
	ClientID              string            `yaml:"client_id"`
	GrantType             string            `yaml:"grant_type,omitempty"`
	Alg                   string            `yaml:"alg,omitempty"`
	Kid                   string            `yaml:"kid,omitempty"`
	Audience              string            `yaml:"audience,omitempty"`
	Lifetime              *Duration         `yaml:"lifetime,omitempty"`
	Scope                 Scope             `yaml:"scope,omitempty"`
	ScopeIn               string            `yaml:"scope_in,omitempty"`
	SendClientID          *bool             `yaml:"send_client_id,omitempty"`
	Headers               Headers           `yaml:"headers,omitempty"`
	Claims                map[string]any    `yaml:"claims,omitempty"`
	Form                  map[string]string `yaml:"form,omitempty"`
	Key                   string            `yaml:"key,omitempty"`
	Certificate           string            `yaml:"certificate,omitempty"`
	RedirectURI           string            `yaml:"redirect_uri,omitempty"`
	AuthorizationEndpoint string            `yaml:"authorization_endpoint,omitempty"`
	PAR                   *bool             `yaml:"par,omitempty"`
	PAREndpoint           string            `yaml:"par_endpoint,omitempty"`
	DPoP                  *bool             `yaml:"dpop,omitempty"`
	DPoPAlg               string            `yaml:"dpop_alg,omitempty"`
	Requests              []Request         `yaml:"requests,omitempty"`
	OpenAPI               string            `yaml:"openapi,omitempty"`

	// File is the path the definition was read from ("" for in-memory definitions); relative
	// key and certificate paths are resolved against its directory.
	File string `yaml:"-"`
	// lines records the line of each top-level field, for error messages.
	lines map[string]int
}

// Headers are the JOSE header choices of a definition.
type Headers struct {
	Typ     *string `yaml:"typ,omitempty"`
	X5C     *bool   `yaml:"x5c,omitempty"`
	X5TS256 *bool   `yaml:"x5t#S256,omitempty"`
	X5T     *bool   `yaml:"x5t,omitempty"`
}

// Request is one API request placed in the collection's API folder.
type Request struct {
	Name    string            `yaml:"name"`
	Method  string            `yaml:"method,omitempty"`
	URL     string            `yaml:"url"`
	Headers map[string]string `yaml:"headers,omitempty"`
	Body    string            `yaml:"body,omitempty"`
}

// Scope is a list of scopes, written in a definition as one space-separated string or a list.
type Scope []string

// UnmarshalYAML accepts a string or a list of strings.
func (s *Scope) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			*s = nil
			return nil
		}
		if n.Tag != "!!str" {
			return fmt.Errorf("%w: scope must be a string or a list of strings", ErrBadValue)
		}
		*s = strings.Fields(n.Value)
		return nil
	case yaml.SequenceNode:
		out := Scope{}
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode || c.Tag != "!!str" {
				return fmt.Errorf("%w: scope must be a string or a list of strings", ErrBadValue)
			}
			out = append(out, strings.Fields(c.Value)...)
		}
		*s = out
		return nil
	}
	return fmt.Errorf("%w: scope must be a string or a list of strings", ErrBadValue)
}

// String is the space-separated form sent on the wire.
func (s Scope) String() string { return strings.Join(s, " ") }

// MarshalYAML writes the scope as one space-separated string, as definitions usually do.
func (s Scope) MarshalYAML() (any, error) { return s.String(), nil }

// Duration is a lifetime written as a Go duration ("60s", "2m") or a number of seconds.
type Duration struct{ time.Duration }

// MarshalYAML writes the lifetime in seconds ("90s"), which UnmarshalYAML reads back.
func (d Duration) MarshalYAML() (any, error) {
	return fmt.Sprintf("%ds", int64(d.Duration/time.Second)), nil
}

// UnmarshalYAML accepts "90s", "2m" or 90.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("%w: lifetime must be a duration such as 60s or 2m", ErrBadValue)
	}
	if secs, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
		d.Duration = time.Duration(secs) * time.Second
		return nil
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("%w: lifetime %q is not a duration; write e.g. 60s or 2m", ErrBadValue, n.Value)
	}
	d.Duration = v
	return nil
}

// Load reads and parses a definition file.
func Load(path string) (*Definition, error) {
	data, err := boundedread.ReadFile(path, MaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("reading client definition %s: %w", path, boundedread.Cause(err))
	}
	return Parse(data, path)
}

var (
	reUnknownField = regexp.MustCompile(`^line (\d+): field (\S+) not found in type config\.(\w+)`)
)

// Parse decodes a YAML or JSON definition strictly: unknown fields are errors, and the
// version is checked before anything else. file names the source in errors.
func Parse(data []byte, file string) (*Definition, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &FieldError{File: file, Err: ErrNotADefinition, Msg: "the file is empty; see `postmint generate --help` for the format"}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(file, err, ErrNotADefinition)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, &FieldError{File: file, Err: ErrNotADefinition, Msg: "not a client definition: expected a YAML or JSON mapping with version, name, client_id, ..."}
	}
	m := root.Content[0]
	lines := map[string]int{}
	version := ""
	for i := 0; i+1 < len(m.Content); i += 2 {
		lines[m.Content[i].Value] = m.Content[i].Line
		if m.Content[i].Value == "version" {
			version = m.Content[i+1].Value
		}
	}
	if version == "" {
		return nil, &FieldError{File: file, Field: "version", Err: ErrMissingField, Msg: "missing; add `version: 1` at the top"}
	}
	if version != "1" {
		return nil, &FieldError{File: file, Line: lines["version"], Field: "version", Err: ErrBadVersion, Msg: fmt.Sprintf("version %s is not supported; this postmint reads version 1", version)}
	}
	// Every key, nested ones included, is checked first, so that an unknown one is named by its
	// path ("requests[0].URL") with the field meant; yaml.v3's KnownFields names only the key.
	for i := 0; i+1 < len(m.Content); i += 2 {
		if err := CheckField(m.Content[i], m.Content[i+1]); err != nil {
			var fe *FieldError
			if errors.As(err, &fe) {
				fe.File = file
			}
			return nil, err
		}
	}
	def := &Definition{File: file, lines: lines}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(def); err != nil {
		return nil, yamlError(file, err, ErrBadValue)
	}
	def.lines = lines
	return def, nil
}

// yamlError turns a yaml.v3 error into a FieldError that names the line and, for a typo, the field meant.
func yamlError(file string, err error, kind error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg := te.Errors[0]
		if sm := reUnknownField.FindStringSubmatch(msg); sm != nil {
			line, _ := strconv.Atoi(sm[1])
			fix := "remove it"
			if sm[3] == "Definition" {
				if s := Closest(sm[2], definitionFieldNames); s != "" {
					fix = fmt.Sprintf("did you mean %q?", s)
				}
			}
			return &FieldError{File: file, Line: line, Field: sm[2], Err: ErrUnknownField, Msg: "unknown field; " + fix}
		}
		line, rest := yamlerr.Line(msg)
		return &FieldError{File: file, Line: line, Err: kind, Msg: cleanYAMLMsg(rest)}
	}
	msg := err.Error()
	if line, rest := yamlerr.Line(msg); line > 0 {
		return &FieldError{File: file, Line: line, Err: ErrNotADefinition, Msg: "not valid YAML or JSON: " + cleanYAMLMsg(rest)}
	}
	// Errors from our own UnmarshalYAML methods arrive here unwrapped.
	if errors.Is(err, ErrBadValue) {
		return &FieldError{File: file, Err: ErrBadValue, Msg: strings.TrimPrefix(err.Error(), ErrBadValue.Error()+": ")}
	}
	return &FieldError{File: file, Err: ErrNotADefinition, Msg: "not valid YAML or JSON: " + cleanYAMLMsg(strings.TrimPrefix(msg, "yaml: "))}
}

func cleanYAMLMsg(s string) string {
	return yamlerr.Readable(strings.ReplaceAll(s, "config.Definition", "a client definition"))
}

// Closest returns the candidate nearest to s when it is a plausible typo of it (the same name in
// other letter case, or at most three edits, a transposition counting as two), else "".
func Closest(s string, candidates []string) string {
	best, bestD := "", 4
	for _, c := range candidates {
		if strings.EqualFold(s, c) {
			return c
		}
		if d := smetrics.WagnerFischer(s, c, 1, 1, 2); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// Line returns the line of a top-level field in the source file, or 0.
func (d *Definition) Line(field string) int { return d.lines[field] }
