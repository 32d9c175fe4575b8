package token

import (
	"context"
	"crypto"
	"fmt"
	"net/http"
	"net/url"

	"github.com/postmint/postmint/generator/assertion"
	"github.com/postmint/postmint/generator/dpop"
	"github.com/postmint/postmint/generator/oauth"
)

// Session is one client's token exchange: its profile, the key that signs its assertions and,
// for DPoP (RFC 9449), its DPoP key and the token endpoint's last nonce. token, refresh and
// doctor exchange through it, so that every try gets a fresh assertion and a fresh proof the
// same way everywhere.
type Session struct {
	Profile *oauth.Profile
	Signer  crypto.Signer
	// DPoP is the key the proofs are signed with; nil for bearer tokens.
	DPoP *dpop.Key
	// NewDPoP: DPoP was made for this session (a definition holds no DPoP key; an environment
	// had none, or only a Postman Vault reference), so it is lost unless the caller keeps it.
	NewDPoP bool
	// Nonce is the token endpoint's last DPoP-Nonce (RFC 9449 §8): sent with the first try,
	// and updated from every answer.
	Nonce string
	// APINonces is the APIs' last DPoP-Nonces (RFC 9449 §9) as the collection script keeps
	// them in dpopApiNonces (JSON: origin → nonce); read by NonceFor, never written by Go.
	APINonces string
}

// NonceFor is the DPoP nonce the session holds for a request to rawURL, by dpop.Nonces'
// rule (the one the collection script follows): Nonce for the token endpoint, else the
// API origin's entry in APINonces.
func (s *Session) NonceFor(rawURL string) string {
	n := dpop.Nonces{Token: s.Nonce, API: s.APINonces}
	if s.Profile != nil {
		n.TokenURL = s.Profile.TokenURL
	}
	return n.For(rawURL)
}

// Mint signs a fresh assertion of the session's profile.
func (s *Session) Mint() (string, error) {
	return assertion.Mint(s.Profile, s.Signer, assertion.Options{})
}

// Exchange posts a token request with fields (nil: the profile's own grant) to the profile's
// token endpoint through c: a freshly minted assertion for every try, a fresh DPoP proof with
// the newest nonce when the session has a DPoP key. Errors are Client.ExchangeDPoP's.
func (s *Session) Exchange(ctx context.Context, c *Client, fields func(assertion string) []oauth.Field) (*Response, error) {
	if fields == nil {
		fields = s.Profile.FormFields
	}
	build := func() (url.Values, error) {
		a, err := s.Mint()
		if err != nil {
			return nil, err
		}
		return oauth.Values(fields(a)), nil
	}
	var proof Proof
	if s.DPoP != nil {
		proof = func(nonce string) (string, error) {
			return s.DPoP.Proof(dpop.Request{Method: http.MethodPost, URL: s.Profile.TokenURL, Nonce: nonce})
		}
	}
	resp, err := c.ExchangeDPoP(ctx, s.Profile.TokenURL, s.Nonce, build, proof)
	if err != nil {
		return nil, err
	}
	s.Nonce = resp.DPoPNonce
	return resp, nil
}

// NewDPoPSession is a Session whose DPoP key is made now (a client's first proof, or a check
// that must not touch the user's key), or a bearer Session when the profile has no DPoP alg.
func NewDPoPSession(p *oauth.Profile, signer crypto.Signer) (*Session, error) {
	s := &Session{Profile: p, Signer: signer}
	if p.DPoP() {
		k, err := dpop.NewKey(p.DPoPAlg)
		if err != nil {
			return nil, fmt.Errorf("making a DPoP key: %w", err)
		}
		s.DPoP, s.NewDPoP = k, true
	}
	return s, nil
}
