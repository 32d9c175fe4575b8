package token

import (
	"crypto"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/oauth"
)

// NewContext is what the explanation of a failed token request knows: the profile and the
// key, and with a definition (client non-nil) its preset, audience rule, issuer and grant; an
// environment (-e) carries no preset.
func NewContext(p *oauth.Profile, pub crypto.PublicKey, client *config.Client) Context {
	tp, _ := keys.Thumbprint(pub)
	c := Context{
		TokenURL:     p.TokenURL,
		Audience:     p.Audience,
		Alg:          p.Alg,
		Kid:          p.Kid,
		Thumbprint:   tp,
		ClientID:     p.ClientID,
		SentClientID: p.SendClientID,
		Scope:        p.Scope,
		ScopeIn:      string(p.ScopeIn),
		Lifetime:     p.Lifetime,
		DPoPAlg:      p.DPoPAlg,
	}
	if g, err := oauth.ParseGrant(p.GrantType); err == nil {
		c.GrantType = string(g)
	}
	if client != nil {
		c.Provider, c.AudienceRule, c.Issuer, c.GrantType = client.Preset.Name, client.AudienceRule, client.Issuer, client.GrantType
		c.AudienceFromPreset = client.Preset.Name != "" && client.AudienceRule == client.Preset.Audience
		if client.Preset.Name != "" {
			c.Algs = client.Preset.Algs
		}
	}
	return c
}
