package verify

import (
	"crypto/x509"
	"time"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/oauth"
)

// Rules are what a client definition demands of its assertions; Check reports every claim or
// header that breaks them. The zero value demands nothing beyond a valid signature and time.
type Rules struct {
	// Source names the rules in messages: "preset duende", "client.yaml".
	Source string

	Issuer   string // the iss claim (the client id)
	Subject  string // the sub claim; "" when the definition sends none
	Audience string // the aud the token endpoint expects
	// AudienceRule says in words where Audience comes from: "the token endpoint URL".
	AudienceRule string

	Alg  string   // the one alg the definition names; "" for any of Algs
	Algs []string // the algs the provider accepts; empty for any

	MaxLifetime time.Duration // the provider's maximum exp - iat; 0 for no limit

	Typ       string // the typ header; "" for any
	Kid       string // the kid header; "" for any
	KeyIDRule string // config.KeyIDRequired, config.KeyIDOrX5C, or "" / config.KeyIDOptional
	X5C       bool   // x5c header required
	X5TS256   bool   // x5t#S256 header required
	X5T       bool   // x5t header required

	// Certificates is the client's certificate chain (leaf first), when known: x5c, x5t and
	// x5t#S256 headers must describe its leaf.
	Certificates []*x509.Certificate
}

// RulesFor returns the rules of a resolved client definition. certs is the client's
// certificate chain (from `certificate:` or the key store), or nil.
func RulesFor(c *config.Client, certs []*x509.Certificate) *Rules {
	source := c.File
	if c.Preset != nil && c.Preset.Name != "" {
		source = "preset " + c.Preset.Name
	}
	if source == "" {
		source = "the definition"
	}
	return &Rules{
		Source:       source,
		Issuer:       c.ClientID,
		Subject:      c.Subject,
		Audience:     c.Audience,
		AudienceRule: audienceRule(c.AudienceRule),
		Alg:          c.Alg,
		Algs:         c.Algs,
		MaxLifetime:  c.MaxLifetime,
		Typ:          c.Typ,
		Kid:          c.Kid,
		KeyIDRule:    c.KeyIDRule,
		X5C:          c.X5C,
		X5TS256:      c.X5TS256,
		X5T:          c.X5T,
		Certificates: certs,
	}
}

func audienceRule(rule string) string {
	if rule == "" {
		rule = string(oauth.AudienceFixed)
	}
	return oauth.AudienceRule(rule).String()
}
