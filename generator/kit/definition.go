package kit

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/postmint/postmint/generator/config"
)

// kitDefinition is a client definition as a kit carries it: the fields of config.Definition
// in the contract's order, only those that are set. It has no key: (the partner passes their
// own private key with -k), its certificate: is the copy in the kit, and a local openapi:
// document is left out (the collection already holds its requests).
type kitDefinition struct {
	Version      int               `yaml:"version"`
	Name         string            `yaml:"name"`
	Preset       string            `yaml:"preset,omitempty"`
	TokenURL     string            `yaml:"token_url,omitempty"`
	Issuer       string            `yaml:"issuer,omitempty"`
	ClientID     string            `yaml:"client_id"`
	GrantType    string            `yaml:"grant_type,omitempty"`
	Alg          string            `yaml:"alg,omitempty"`
	Kid          string            `yaml:"kid,omitempty"`
	Audience     string            `yaml:"audience,omitempty"`
	Lifetime     string            `yaml:"lifetime,omitempty"`
	Scope        string            `yaml:"scope,omitempty"`
	SendClientID *bool             `yaml:"send_client_id,omitempty"`
	Headers      *kitHeaders       `yaml:"headers,omitempty"`
	Claims       map[string]any    `yaml:"claims,omitempty"`
	Form         map[string]string `yaml:"form,omitempty"`
	Certificate  string            `yaml:"certificate,omitempty"`
	RedirectURI  string            `yaml:"redirect_uri,omitempty"`
	// AuthorizationEndpoint is kept for authorization_code clients (given or discovered).
	AuthorizationEndpoint string       `yaml:"authorization_endpoint,omitempty"`
	Requests              []kitRequest `yaml:"requests,omitempty"`
	OpenAPI               string       `yaml:"openapi,omitempty"`
}

type kitHeaders struct {
	Typ     *string `yaml:"typ,omitempty"`
	X5C     *bool   `yaml:"x5c,omitempty"`
	X5TS256 *bool   `yaml:"x5t#S256,omitempty"`
	X5T     *bool   `yaml:"x5t,omitempty"`
}

type kitRequest struct {
	Name    string            `yaml:"name"`
	Method  string            `yaml:"method,omitempty"`
	URL     string            `yaml:"url"`
	Headers map[string]string `yaml:"headers,omitempty"`
	Body    string            `yaml:"body,omitempty"`
}

// renderDefinition writes the definition a kit was made from. c carries what Build learned
// from the public key (kid, and alg when addAlg); hasCert says the kit holds the certificate.
func renderDefinition(j *Job, c *config.Client, addAlg, hasCert bool) ([]byte, error) {
	d := j.Def
	out := kitDefinition{
		Version: 1, Name: d.Name, Preset: d.Preset, TokenURL: d.TokenURL, Issuer: d.Issuer,
		ClientID: d.ClientID, GrantType: d.GrantType, Alg: d.Alg, Kid: c.Kid, Audience: d.Audience,
		Scope: d.Scope.String(), SendClientID: d.SendClientID, Claims: d.Claims, Form: d.Form,
		RedirectURI: d.RedirectURI, AuthorizationEndpoint: d.AuthorizationEndpoint,
	}
	if addAlg {
		out.Alg = c.Alg
	}
	if d.Lifetime != nil {
		out.Lifetime = fmt.Sprintf("%ds", int64(d.Lifetime.Duration/time.Second))
	}
	if h := d.Headers; h.Typ != nil || h.X5C != nil || h.X5TS256 != nil || h.X5T != nil {
		out.Headers = &kitHeaders{Typ: h.Typ, X5C: h.X5C, X5TS256: h.X5TS256, X5T: h.X5T}
	}
	if hasCert {
		out.Certificate = CertificateFile
	}
	for _, r := range d.Requests {
		out.Requests = append(out.Requests, kitRequest{Name: r.Name, Method: strings.ToUpper(r.Method), URL: r.URL, Headers: r.Headers, Body: r.Body})
	}
	remote := strings.HasPrefix(d.OpenAPI, "http://") || strings.HasPrefix(d.OpenAPI, "https://")
	if remote {
		out.OpenAPI = d.OpenAPI
	}

	var b bytes.Buffer
	from := filepath.Base(j.File)
	if j.Entry >= 0 {
		from += fmt.Sprintf(" (clients[%d])", j.Entry)
	}
	fmt.Fprintf(&b, "# postmint client definition of %s, from which `postmint kit` made this kit (source: %s).\n", oneLine(d.Name), from)
	b.WriteString("# It holds no key: give postmint your private key with -k, e.g.\n")
	b.WriteString("#   postmint token -c " + DefinitionFile + " -k client.key.pem      # fetch a token, explain any error\n")
	b.WriteString("#   postmint generate -c " + DefinitionFile + " -k client.key.pem   # a collection and environment holding your key\n")
	if d.OpenAPI != "" && !remote {
		fmt.Fprintf(&b, "# The API folder of this kit's collection was made from the OpenAPI document %s (not included).\n", filepath.Base(d.OpenAPI))
	}
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func encodeCertificates(certs []*x509.Certificate) []byte {
	var b bytes.Buffer
	for _, c := range certs {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.Bytes()
}
