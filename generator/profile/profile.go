package profile

import (
	"cmp"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/oauth"
)

// Material is the key and certificate chain a client signs with. Key may be nil when no key
// is at hand (--no-key without a key); Certificates may come from the definition or the key store.
type Material struct {
	Key          *keys.Key
	Certificates []*x509.Certificate
	// Now is the time certificate expiry is judged at; zero means time.Now().
	Now time.Time
	// KeyAlg and KeyID, without Key, are what public material (a public key, certificate or
	// public JWK) says: the alg its key signs with and its kid (keysource.PublicChoice). The
	// definition's alg: and kid: come first.
	KeyAlg, KeyID string
}

// Build makes the minting profile of a client: the preset's rules made concrete, the
// algorithm chosen and checked against the key, and the certificate headers computed.
func Build(c *config.Client, m Material) (*oauth.Profile, []string, error) {
	var warnings []string
	keyAlg := m.KeyAlg
	if m.Key != nil {
		keyAlg = m.Key.DefaultAlg()
	}
	alg, _ := ChooseAlg(c, keyAlg)
	if m.Key != nil {
		if err := m.Key.CheckAlg(alg); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", c.File, err)
		}
	}
	if len(c.Algs) > 0 && !slices.Contains(c.Algs, alg) {
		warnings = append(warnings, fmt.Sprintf("alg %s is not among the algorithms %s documents (%s)", alg, c.Preset.Label(), strings.Join(c.Algs, " ")))
	}
	p := &oauth.Profile{
		TokenURL:              c.TokenURL,
		ClientID:              c.ClientID,
		Issuer:                c.ClientID,
		Subject:               c.Subject,
		Audience:              c.Audience,
		Alg:                   alg,
		Kid:                   cmp.Or(c.Kid, m.KeyID),
		Typ:                   c.Typ,
		Scope:                 c.Scope.String(),
		ScopeIn:               c.ScopeIn,
		SendClientID:          c.SendClientID,
		GrantType:             c.GrantWire(),
		Lifetime:              c.Lifetime,
		ExtraClaims:           c.Claims,
		ExtraForm:             c.Form,
		RedirectURI:           c.RedirectURI,
		AuthorizationEndpoint: c.AuthorizationEndpoint,
		DPoPAlg:               c.DPoPAlg,
		PAREndpoint:           c.PAREndpoint,
	}
	if len(m.Certificates) > 0 {
		// A certificate that is not the key's would be sent in x5c or registered from a kit and
		// fail at the provider; one that is about to expire fails there soon.
		leaf := m.Certificates[0]
		if m.Key != nil {
			if err := keys.MatchCertificate(m.Key.Public(), leaf); err != nil {
				return nil, nil, fmt.Errorf("%s: certificate: %w", c.File, err)
			}
		}
		now := m.Now
		if now.IsZero() {
			now = time.Now()
		}
		warnings = append(warnings, keys.CertificateWarnings(leaf, now)...)
	}
	if which := c.CertificateHeader(); which != "" {
		if len(m.Certificates) == 0 {
			return nil, nil, fmt.Errorf("%s: headers.%s: %s needs a certificate; add `certificate: path/to/client.crt.pem`, use a PKCS#12 or JKS key that holds one, or set headers.%s: false", c.File, which, which, which)
		}
		leaf := m.Certificates[0]
		if c.X5C {
			p.X5C = keys.X5C(m.Certificates)
		}
		if c.X5TS256 {
			p.X5TS256 = keys.X5TS256(leaf)
		}
		if c.X5T {
			p.X5T = keys.X5T(leaf)
		}
	}
	return p, warnings, nil
}
