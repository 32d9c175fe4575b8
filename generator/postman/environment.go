// Package postman reads, updates and writes Postman environment files, and builds the
// collection that signs assertions offline (v2.1.0, postmint's own types in v21.go, encoded
// once with encoding/json).
package postman

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/internal/safefile"
)

// ErrNotEnvironment is returned for a file that is not a Postman environment.
var ErrNotEnvironment = errors.New("not a Postman environment")

// Variable types used by Postman environments.
const (
	TypeDefault = "default"
	TypeSecret  = "secret"
)

// Variable is one environment variable.
type Variable struct {
	Key     string
	Value   string
	Type    string // default | secret | any other type a file carries
	Enabled bool
	// Description says what the variable is and who sets it; Postman shows it beside the value.
	Description string
}

// Environment is a Postman environment file. It keeps every top-level field and every
// variable field it does not know, in their original order, so that an in-place update
// changes only the values it sets.
type Environment struct {
	fields *object   // top-level fields in file order; "values" is rebuilt from vars
	vars   []*object // each variable's fields in file order
}

// object is a JSON object that remembers its key order.
type object struct {
	keys []string
	vals map[string]json.RawMessage
}

func newObject() *object { return &object{vals: map[string]json.RawMessage{}} }

func (o *object) set(k string, v json.RawMessage) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

func (o *object) str(k string) (string, bool) {
	raw, ok := o.vals[k]
	if !ok {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, true
	}
	// Postman allows non-string values (numbers, booleans); keep their JSON text.
	if bytes.Equal(raw, []byte("null")) {
		return "", true
	}
	return string(raw), true
}

func (o *object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(o.vals[k])
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func decodeObject(dec *json.Decoder) (*object, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("expected a JSON object")
	}
	o := newObject()
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		o.set(kt.(string), raw)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return o, nil
}

// LoadEnvironment reads and parses an environment file (at most safefile.MaxEnv bytes), with
// its permission bits (on Windows, 0600 when only its owner may open it), which a command that
// rewrites it keeps.
func LoadEnvironment(path string) (*Environment, os.FileMode, error) {
	data, err := safefile.Read("environment", path, safefile.MaxEnv)
	if err != nil {
		return nil, 0, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, 0, fmt.Errorf("reading environment %s: %w", path, safefile.Cause(err))
	}
	env, err := ParseEnvironment(data)
	if err != nil {
		return nil, 0, fmt.Errorf("reading environment %s: %w", path, err)
	}
	return env, safefile.Perm(path, st), nil
}

// ParseEnvironment reads an environment as exported by the Postman app, by Newman's
// --export-environment, or by postmint.
func ParseEnvironment(data []byte) (*Environment, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	top, err := decodeObject(dec)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotEnvironment, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: trailing data after the JSON object", ErrNotEnvironment)
	}
	rawValues, ok := top.vals["values"]
	if !ok {
		return nil, fmt.Errorf("%w: no \"values\" array", ErrNotEnvironment)
	}
	vdec := json.NewDecoder(bytes.NewReader(rawValues))
	vdec.UseNumber()
	if tok, err := vdec.Token(); err != nil || tok != json.Delim('[') {
		return nil, fmt.Errorf("%w: \"values\" is not an array", ErrNotEnvironment)
	}
	env := &Environment{fields: top}
	for vdec.More() {
		v, err := decodeObject(vdec)
		if err != nil {
			return nil, fmt.Errorf("%w: a variable is not an object: %v", ErrNotEnvironment, err)
		}
		if _, ok := v.str("key"); !ok {
			return nil, fmt.Errorf("%w: a variable has no \"key\"", ErrNotEnvironment)
		}
		env.vars = append(env.vars, v)
	}
	return env, nil
}

// NewEnvironment makes a new environment with a fixed id (so output is deterministic).
func NewEnvironment(id, name string, vars []Variable) *Environment {
	env := &Environment{fields: newObject()}
	env.fields.set("id", mustJSON(id))
	env.fields.set("name", mustJSON(name))
	env.fields.set("values", json.RawMessage("[]"))
	env.fields.set("_postman_variable_scope", mustJSON("environment"))
	for _, v := range vars {
		env.Set(v.Key, v.Value, v.Type)
		if !v.Enabled {
			env.vars[len(env.vars)-1].set("enabled", json.RawMessage("false"))
		}
		if v.Description != "" {
			env.vars[len(env.vars)-1].set("description", mustJSON(v.Description))
		}
	}
	return env
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Name is the environment's name.
func (e *Environment) Name() string { s, _ := e.fields.str("name"); return s }

func (e *Environment) find(key string) *object {
	for _, v := range e.vars {
		// A key written as a plain JSON string (no escapes, valid UTF-8) is its own text: it is
		// compared as it stands instead of decoded, which made building an environment of n
		// variables n² decodes.
		if raw := v.vals["key"]; len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' &&
			bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
			if string(raw[1:len(raw)-1]) == key {
				return v
			}
			continue
		}
		if k, _ := v.str("key"); k == key {
			return v
		}
	}
	return nil
}

// Get returns an enabled variable's value.
func (e *Environment) Get(key string) (string, bool) {
	v := e.find(key)
	if v == nil {
		return "", false
	}
	if en, ok := v.vals["enabled"]; ok && string(en) == "false" {
		return "", false
	}
	return v.str("value")
}

// Lookup returns a variable's value, or "" when absent or disabled.
func (e *Environment) Lookup(key string) string { s, _ := e.Get(key); return s }

// Variables lists the variables in file order.
func (e *Environment) Variables() []Variable {
	out := make([]Variable, 0, len(e.vars))
	for _, v := range e.vars {
		k, _ := v.str("key")
		val, _ := v.str("value")
		typ, _ := v.str("type")
		en := string(v.vals["enabled"]) != "false"
		desc, _ := v.str("description")
		out = append(out, Variable{Key: k, Value: val, Type: typ, Enabled: en, Description: desc})
	}
	return out
}

// Set sets a variable's value in place (keeping its position and other fields), or appends
// a new one. typ applies to new variables, and upgrades an existing one to secret.
func (e *Environment) Set(key, value, typ string) {
	if v := e.find(key); v != nil {
		v.set("value", mustJSON(value))
		if typ == TypeSecret {
			v.set("type", mustJSON(TypeSecret))
		}
		return
	}
	if typ == "" {
		typ = TypeDefault
	}
	v := newObject()
	v.set("key", mustJSON(key))
	v.set("value", mustJSON(value))
	v.set("type", mustJSON(typ))
	v.set("enabled", json.RawMessage("true"))
	e.vars = append(e.vars, v)
}

// SetTokens stores a token response the way the collection's scripts do: the access token, its
// expiry (Unix seconds; now plus oauth.DefaultExpiresIn when the response gave none) and the
// refresh token when there is one.
func (e *Environment) SetTokens(accessToken, refreshToken string, expiresAt, now time.Time) {
	if expiresAt.IsZero() {
		expiresAt = now.Add(oauth.DefaultExpiresIn * time.Second)
	}
	e.Set(VarBearerToken, accessToken, TypeSecret)
	e.Set(VarBearerTokenExpires, strconv.FormatInt(expiresAt.Unix(), 10), "")
	if refreshToken != "" {
		e.Set(VarRefreshToken, refreshToken, TypeSecret)
	}
}

// SetDPoP stores what a DPoP token exchange leaves behind: the token type, the server's last
// nonce ("" keeps the one stored) and, when one was made, the DPoP key (a private JWK).
func (e *Environment) SetDPoP(tokenType, nonce, newKeyJWK string) {
	e.Set(VarTokenType, tokenType, "")
	if nonce != "" {
		e.Set(VarDPoPNonce, nonce, "")
	}
	if newKeyJWK != "" {
		e.Set(VarDPoPKey, newKeyJWK, TypeSecret)
	}
}

// HoldsSecret reports whether a private key or a token is present (the file must then be 0600);
// a Postman Vault reference is not one.
func (e *Environment) HoldsSecret() bool {
	for _, k := range []string{VarPrivateKey, VarBearerToken, VarClientAssertion, VarRefreshToken, VarAuthorizationCode, VarCodeVerifier, VarDPoPKey} {
		if v := e.Lookup(k); strings.TrimSpace(v) != "" {
			if _, inVault := oauth.VaultRef(v); !inVault {
				return true
			}
		}
	}
	return false
}

// Marshal renders the environment as indented JSON with a trailing newline.
func (e *Environment) Marshal() ([]byte, error) {
	vals := make([]json.RawMessage, len(e.vars))
	for i, v := range e.vars {
		b, _ := v.MarshalJSON()
		vals[i] = b
	}
	rv, err := json.Marshal(vals)
	if err != nil {
		return nil, err
	}
	e.fields.set("values", rv)
	flat, _ := e.fields.MarshalJSON()
	var out bytes.Buffer
	if err := json.Indent(&out, readableJSON(flat), "", "\t"); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}
