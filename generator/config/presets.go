package config

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/postmint/postmint/generator/oauth"
	"go.yaml.in/yaml/v3"
)

//go:embed presets.yaml
var presetsYAML []byte

// Audience rules a preset (or definition) can name instead of a literal URL (oauth's).
const (
	AudienceTokenEndpoint = string(oauth.AudienceTokenEndpoint)
	AudienceIssuer        = string(oauth.AudienceIssuer)
	AudienceIssuerSlash   = string(oauth.AudienceIssuerSlash)
)

// Grant types, as written in definitions (oauth's).
const (
	GrantClientCredentials = string(oauth.GrantClientCredentials)
	GrantJWTBearer         = string(oauth.GrantJWTBearer)
	GrantAuthorizationCode = string(oauth.GrantAuthorizationCode)
)

// Key identification requirements of a preset.
const (
	KeyIDOptional = "optional"
	KeyIDRequired = "required"
	KeyIDOrX5C    = "kid_or_x5c"
)

// Preset is one identity provider's rules for signed-JWT client authentication.
type Preset struct {
	Name          string               `yaml:"name"`
	Title         string               `yaml:"title"`
	Provenance    string               `yaml:"provenance"`
	GrantType     string               `yaml:"grant_type"`
	GrantNote     string               `yaml:"grant_note"` // why that grant is the default, shown by `postmint presets NAME`
	Audience      string               `yaml:"audience"`
	TokenPath     string               `yaml:"token_path"`
	AuthorizePath string               `yaml:"authorize_path"`
	TokenURL      string               `yaml:"token_url"`
	Issuer        string               `yaml:"issuer"`
	Alg           string               `yaml:"alg"`
	Algs          []string             `yaml:"algs"`
	Lifetime      time.Duration        `yaml:"lifetime"`
	MaxLifetime   time.Duration        `yaml:"max_lifetime"`
	SendClientID  bool                 `yaml:"send_client_id"`
	ScopeIn       oauth.ScopePlacement `yaml:"scope_in"`
	Subject       string               `yaml:"subject"`
	KeyID         string               `yaml:"key_id"`
	// DPoP (RFC 9449): on by default; RequireDPoP refuses dpop: false; DPoPAlgs are the proof
	// algorithms the provider documents.
	DPoP        bool     `yaml:"dpop"`
	RequireDPoP bool     `yaml:"require_dpop"`
	DPoPAlgs    []string `yaml:"dpop_algs"`
	// PAR (RFC 9126) for authorization_code: on by default; RequirePAR refuses par: false;
	// PARPath derives par_endpoint from the issuer.
	PAR        bool   `yaml:"par"`
	RequirePAR bool   `yaml:"require_par"`
	PARPath    string `yaml:"par_path"`
	Headers    struct {
		Typ     string `yaml:"typ"`
		X5C     bool   `yaml:"x5c"`
		X5TS256 bool   `yaml:"x5t#S256"`
		X5T     bool   `yaml:"x5t"`
	} `yaml:"headers"`
}

// genericPreset applies when a definition names no preset: RFC 7523 section 2.2 as most
// providers read it.
var genericPreset = Preset{
	Name:         "",
	Title:        "RFC 7523 client authentication (no preset)",
	Provenance:   "RFC 7523 section 3 and OpenID Connect Core section 9: iss and sub are the client id, aud is the token endpoint, jti and exp required.",
	GrantType:    GrantClientCredentials,
	Audience:     AudienceTokenEndpoint,
	Algs:         []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"},
	Lifetime:     oauth.DefaultLifetime,
	MaxLifetime:  time.Hour,
	SendClientID: true,
	ScopeIn:      oauth.ScopeForm,
	Subject:      "client_id",
	KeyID:        KeyIDOptional,
}

// allPresets parses presets.yaml on first use, not at start-up: mint and token start faster.
var allPresets = sync.OnceValue(func() map[string]*Preset { return mustLoadPresets(presetsYAML) })

func init() { genericPreset.Headers.Typ = "JWT" }

func mustLoadPresets(data []byte) map[string]*Preset {
	var list []*Preset
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&list); err != nil {
		panic("config: presets.yaml: " + err.Error())
	}
	out := make(map[string]*Preset, len(list))
	for _, p := range list {
		if err := p.check(); err != nil {
			panic("config: presets.yaml: " + p.Name + ": " + err.Error())
		}
		out[p.Name] = p
	}
	return out
}

// check keeps presets.yaml honest; it runs at start-up and in the tests.
func (p *Preset) check() error {
	switch {
	case p.Name == "" || p.Title == "" || p.Provenance == "":
		return fmt.Errorf("name, title and provenance are required")
	case p.Lifetime <= 0 || p.MaxLifetime < p.Lifetime:
		return fmt.Errorf("lifetime must be positive and at most max_lifetime")
	case !validScopeIn(p.ScopeIn):
		return fmt.Errorf("scope_in must be form, claim or both")
	case p.Subject != "client_id" && p.Subject != "none":
		return fmt.Errorf("subject must be client_id or none")
	case p.KeyID != KeyIDOptional && p.KeyID != KeyIDRequired && p.KeyID != KeyIDOrX5C:
		return fmt.Errorf("key_id must be optional, required or kid_or_x5c")
	case len(p.Algs) == 0:
		return fmt.Errorf("algs is required")
	}
	if err := checkAudienceRule(p.Audience); err != nil {
		return err
	}
	if _, err := oauth.ParseGrant(p.GrantType); err != nil {
		return err
	}
	for _, a := range append([]string{p.Alg}, p.Algs...) {
		if a != "" && !oauth.IsAlg(a) {
			return fmt.Errorf("alg %q is not one of %s", a, oauth.AlgList())
		}
	}
	for _, a := range p.DPoPAlgs {
		if !oauth.IsDPoPAlg(a) {
			return fmt.Errorf("dpop_algs: %q is not one of %s", a, strings.Join(oauth.DPoPAlgs, " "))
		}
	}
	if (p.RequireDPoP && !p.DPoP) || (p.RequirePAR && !p.PAR) {
		return fmt.Errorf("require_dpop and require_par need dpop and par on")
	}
	return nil
}

func validScopeIn(s oauth.ScopePlacement) bool {
	_, err := oauth.ParseScopePlacement(string(s))
	return err == nil
}

// PresetNames lists the presets in alphabetical order.
func PresetNames() []string {
	names := make([]string, 0, len(allPresets()))
	for n := range allPresets() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// LookupPreset returns a preset by name.
func LookupPreset(name string) (*Preset, bool) {
	p, ok := allPresets()[name]
	return p, ok
}

// FormatDuration prints a lifetime the way definitions write it: seconds under ten minutes
// (60s, 300s), then minutes or hours (10m, 1h).
func FormatDuration(d time.Duration) string {
	switch {
	case d < 10*time.Minute || d%time.Minute != 0:
		return fmt.Sprintf("%ds", d/time.Second)
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return fmt.Sprintf("%ds", d/time.Second)
}

// AudienceDescription says in words what the audience rule means.
func (p *Preset) AudienceDescription() string { return describeAudience(p.Audience) }

func describeAudience(rule string) string {
	if r := oauth.AudienceRule(rule); r.Named() {
		return r.String()
	}
	return rule
}
