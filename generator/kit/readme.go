package kit

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/generator/openapi"
	"github.com/postmint/postmint/generator/postman"
	"github.com/postmint/postmint/generator/token"
	"github.com/postmint/postmint/templates"
)

// readmeTemplate is the kit README, parsed once.
var readmeTemplate = template.Must(template.New("kit_readme").Funcs(template.FuncMap{
	// Every value from a definition or an OpenAPI document goes through one of these (see
	// escape.go): md in running text, code in a code span, tcode in a table cell's code span,
	// mermaid in the diagram.
	"md":      mdText,
	"code":    codeSpan,
	"tcode":   tableCode,
	"mermaid": mermaidText,
	"join":    strings.Join,
}).Parse(templates.KitReadme))

// troubleCodes are the OAuth errors the README explains, most common first.
var troubleCodes = []string{"invalid_client", "invalid_grant", "unauthorized_client", "invalid_scope"}

type readmeInput struct {
	job                     *Job
	client                  *config.Client
	profile                 *oauth.Profile
	pub                     *keys.Public
	certs                   []*x509.Certificate
	collection, environment string
	api                     *openapi.API
	hasJWKS, hasCertFile    bool
}

// Readme is the data of the kit README template (templates/kit_readme.md.tmpl). Everything in
// it comes from the resolved definition and its preset: the README states the same rules the
// collection's scripts follow.
type Readme struct {
	Name, Slug, ClientID          string
	Collection, Environment       string
	Definition, JWKS, Certificate string // file names; JWKS and Certificate "" when absent

	Provider, PresetName, Provenance string
	TokenURL, Issuer                 string
	Audience, AudienceRule           string // the value, and the rule in words
	Alg, Algs                        string
	KeyType                          string // e.g. "EC P-256"
	Lifetime, MaxLifetime            int64  // seconds
	Typ                              string
	X5C, X5TS256, X5T                bool
	Kid                              string
	KidRequired, KidOrX5C            bool
	Scope, ScopeIn                   string
	Grant, GrantWire                 string
	SendClientID                     bool
	Subject                          string
	RedirectURI                      string
	DPoPAlg                          string // "" without DPoP

	// Registered is true when the provider already knows the partner's public key (jwks.json).
	Registered bool
	Thumbprint string // RFC 7638, of the registered key
	// RegisterCertificate: the provider identifies the key by its certificate (x5c/x5t).
	RegisterCertificate bool
	Keygen              string   // the postmint keygen command
	OpenSSL             []string // the equivalent openssl commands

	Requests     int // hand-written requests in API
	FirstRequest string
	API          *ReadmeAPI

	Troubleshooting []Trouble
}

// ReadmeAPI summarizes the requests made from an OpenAPI document.
type ReadmeAPI struct {
	Title, Version, SpecVersion string
	Operations                  int
	Folders                     []string
	BaseURL                     string
	Variables                   []postman.Param // server variables (baseUrl excluded)
}

// Trouble is the likely causes of one OAuth error, from generator/token's explanations.
type Trouble struct {
	Code  string
	Lines []string
}

func renderReadme(in readmeInput) ([]byte, error) {
	c, p := in.client, in.profile
	r := Readme{
		Name: c.Name, Slug: c.Slug, ClientID: c.ClientID,
		Collection: in.collection, Environment: in.environment, Definition: DefinitionFile,
		Provider: c.Preset.Title, PresetName: c.Preset.Name, Provenance: c.Preset.Provenance,
		TokenURL: c.TokenURL, Issuer: c.Issuer, Audience: p.Audience, AudienceRule: audienceWords(c.AudienceRule),
		Alg: p.Alg, Algs: strings.Join(c.Algs, ", "), KeyType: keyType(p.Alg),
		Lifetime: int64(c.Lifetime / time.Second), MaxLifetime: int64(c.MaxLifetime / time.Second),
		Typ: p.Typ, X5C: c.X5C, X5TS256: c.X5TS256, X5T: c.X5T, Kid: p.Kid,
		KidRequired: c.KeyIDRule == config.KeyIDRequired, KidOrX5C: c.KeyIDRule == config.KeyIDOrX5C,
		Scope: p.Scope, ScopeIn: string(p.ScopeIn), Grant: c.GrantType, GrantWire: p.GrantType,
		SendClientID: p.SendClientID, Subject: p.Subject, RedirectURI: c.RedirectURI, DPoPAlg: p.DPoPAlg,
		Registered: in.hasJWKS, RegisterCertificate: c.X5C || c.X5TS256 || c.X5T,
		Requests: len(c.Requests),
	}
	if in.hasJWKS {
		r.JWKS = JWKSFile
		r.Thumbprint, _ = keys.Thumbprint(in.pub.Key)
	}
	if in.hasCertFile {
		r.Certificate = CertificateFile
	}
	r.Keygen, r.OpenSSL = keyCommands(p.Alg, p.Kid, c.ClientID, r.RegisterCertificate)
	switch {
	case len(c.Requests) > 0:
		r.FirstRequest = postman.FolderAPI + " / " + c.Requests[0].Name
	case in.api != nil && len(in.api.Requests) > 0:
		first := in.api.Requests[0]
		r.FirstRequest = postman.FolderAPI + " / "
		if first.Folder != "" {
			r.FirstRequest += first.Folder + " / "
		}
		r.FirstRequest += first.Name
	}
	if a := in.api; a != nil {
		ra := &ReadmeAPI{Title: a.Title, Version: a.APIVersion, SpecVersion: a.SpecVersion, Operations: len(a.Requests), BaseURL: a.BaseURL}
		used := map[string]bool{}
		for _, req := range a.Requests {
			used[req.Folder] = true
		}
		for _, f := range a.Folders {
			if used[f.Name] {
				ra.Folders = append(ra.Folders, f.Name)
			}
		}
		for _, v := range a.Variables {
			if v.Key != openapi.VarBaseURL {
				ra.Variables = append(ra.Variables, v)
			}
		}
		r.API = ra
	}
	ctx := token.Context{
		Provider: c.Preset.Name, TokenURL: c.TokenURL, Issuer: c.Issuer, Audience: p.Audience,
		AudienceRule: c.AudienceRule, Alg: p.Alg, Kid: p.Kid, Thumbprint: r.Thumbprint, ClientID: c.ClientID,
		GrantType: c.GrantType, SentClientID: p.SendClientID, Scope: p.Scope, Lifetime: p.Lifetime,
	}
	for _, code := range troubleCodes {
		lines := token.Explain(&token.OAuthError{Status: 400, Code: code}, ctx)
		if len(lines) > 0 {
			r.Troubleshooting = append(r.Troubleshooting, Trouble{Code: code, Lines: lines})
		}
	}
	var b bytes.Buffer
	if err := readmeTemplate.Execute(&b, r); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func audienceWords(rule string) string { return oauth.AudienceRule(rule).String() }

// keyType names the key a partner makes for alg (oauth's table; RSA with the size to choose).
func keyType(alg string) string {
	if k := oauth.KeyFor(alg); k != "" && k != "RSA" {
		return k
	}
	return "RSA (3072 bits; at least 2048)"
}

// keyCommands are the postmint keygen and openssl commands that make a key pair for alg.
func keyCommands(alg, kid, clientID string, cert bool) (string, []string) {
	keygen := "postmint keygen --alg " + alg
	if kid != "" {
		keygen += " --kid " + shellQuote(kid)
	}
	keygen += " --name client"
	subject := "CN=" + clientID
	if cert {
		keygen += " --cert --subject " + shellQuote(subject) + " --days 365"
	}
	var gen string
	switch alg {
	case "ES256":
		gen = "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out client.key.pem"
	case "ES384":
		gen = "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out client.key.pem"
	case "ES512":
		gen = "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out client.key.pem"
	case "EdDSA":
		gen = "openssl genpkey -algorithm ed25519 -out client.key.pem"
	default:
		gen = "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out client.key.pem"
	}
	cmds := []string{gen, "chmod 600 client.key.pem", "openssl pkey -in client.key.pem -pubout -out client.pub.pem"}
	if cert {
		cmds = append(cmds, fmt.Sprintf("openssl req -new -x509 -key client.key.pem -subj %s -days 365 -out client.crt.pem", shellQuote("/"+subject)))
	}
	return keygen, cmds
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
