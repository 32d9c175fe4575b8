// Package dpop makes DPoP proofs (RFC 9449): a key of its own (never the client's identity
// key), kept as a private JWK in the environment, and one proof per HTTP request, signed with
// golang-jwt. The collection's JavaScript makes the same proofs from the same variables.
//
// It prints nothing; no error it returns holds the key or an access token.
package dpop

import (
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/oauth"
)

// ProofType is the typ header of a DPoP proof (RFC 9449 §4.2).
const ProofType = "dpop+jwt"

// Errors a caller may tell apart.
var (
	ErrAlg        = errors.New("not a DPoP algorithm")
	ErrNotPrivate = errors.New("the DPoP key is not a usable private key")
	ErrKeyType    = errors.New("key does not fit the DPoP algorithm")
	ErrURL        = errors.New("not an absolute http(s) URL")
)

// Key is a DPoP key: the private key, the algorithm its proofs use and its public JWK.
type Key struct {
	Alg    string
	signer crypto.Signer
	public jose.JSONWebKey
}

// NewKey makes a DPoP key for alg with crypto/rand (keys.Generate: RSA-2048 for RS256 and
// PS256, the alg's curve for ES*, Ed25519 for EdDSA).
func NewKey(alg string) (*Key, error) {
	if !oauth.IsDPoPAlg(alg) {
		return nil, fmt.Errorf("dpop_alg %q: %w; use one of %s", alg, ErrAlg, strings.Join(oauth.DPoPAlgs, " "))
	}
	signer, err := keys.Generate(alg, nil)
	if err != nil {
		return nil, fmt.Errorf("making a DPoP key: %w", err)
	}
	return newKey(alg, signer), nil
}

func newKey(alg string, signer crypto.Signer) *Key {
	return &Key{Alg: alg, signer: signer, public: jose.JSONWebKey{Key: signer.Public()}}
}

// ParseKey reads a DPoP key (the environment's dpopKey: a private JWK) for proofs signed with
// alg. The key is read and checked by package keys, as a client key is (its halves belong
// together, RSA has 2048 bits or more); an error names dpopKey and never shows the key.
func ParseKey(text, alg string) (*Key, error) {
	if !oauth.IsDPoPAlg(alg) {
		return nil, fmt.Errorf("dpopAlg %q: %w; use one of %s", alg, ErrAlg, strings.Join(oauth.DPoPAlgs, " "))
	}
	k, err := keys.Parse([]byte(strings.TrimSpace(text)), "dpopKey", keys.Options{})
	if err != nil {
		return nil, fmt.Errorf("%w: %w (run postmint refresh -e ENV with an empty dpopKey to make a new one)", ErrNotPrivate, err)
	}
	if err := k.CheckAlg(alg); err != nil {
		return nil, fmt.Errorf("dpopAlg %s: %w: %w", alg, ErrKeyType, err)
	}
	return newKey(alg, k.Signer), nil
}

// JWK is the private key as a JWK (with its alg), the value of the environment's dpopKey.
func (k *Key) JWK() (string, error) {
	b, err := json.Marshal(jose.JSONWebKey{Key: k.signer, Algorithm: k.Alg})
	if err != nil {
		return "", fmt.Errorf("encoding the DPoP key: %w", err)
	}
	return string(b), nil
}

// PublicJWK is the public key as the jwk header of a proof carries it: the members RFC 7638
// requires, no private part.
func (k *Key) PublicJWK() map[string]any {
	b, _ := json.Marshal(k.public)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// Thumbprint is the key's RFC 7638 SHA-256 thumbprint, base64url: the cnf.jkt of a bound
// token and the dpop_jkt of an authorization request (RFC 9449 §6, §10).
func (k *Key) Thumbprint() string {
	t, _ := keys.Thumbprint(k.public.Key)
	return t
}

// Request is what a proof binds: the HTTP method and URL, the server's nonce ("" for none)
// and, for a resource request, the access token.
type Request struct {
	Method, URL string
	Nonce       string
	AccessToken string
	Now         time.Time // zero: the clock
	JTI         string    // "": a random UUID
}

// Proof signs a DPoP proof for r (RFC 9449 §4.2).
func (k *Key) Proof(r Request) (string, error) {
	htu, err := HTU(r.URL)
	if err != nil {
		return "", err
	}
	if r.Method == "" {
		return "", errors.New("a DPoP proof needs the request's method")
	}
	now, jti := r.Now, r.JTI
	if now.IsZero() {
		now = time.Now()
	}
	if jti == "" {
		jti = uuid.NewString()
	}
	claims := jwt.MapClaims{"jti": jti, "htm": strings.ToUpper(r.Method), "htu": htu, "iat": now.Unix()}
	if r.Nonce != "" {
		claims["nonce"] = r.Nonce
	}
	if r.AccessToken != "" {
		claims["ath"] = ATH(r.AccessToken)
	}
	tok := jwt.NewWithClaims(jwt.GetSigningMethod(k.Alg), claims)
	tok.Header = map[string]any{"typ": ProofType, "alg": k.Alg, "jwk": k.PublicJWK()}
	s, err := tok.SignedString(k.signer)
	if err != nil {
		return "", fmt.Errorf("signing the DPoP proof with %s: %w", k.Alg, err)
	}
	return s, nil
}

// HTU is the htu claim for a request URL: the URL as given, cut before its query and fragment
// (RFC 9449 §4.2, §4.3) and without userinfo (RFC 9110 §4.2.4: a sender must not generate
// it; a password would be signed into every proof), exactly as the collection script cuts it;
// nothing is re-encoded. The error never shows a password.
func HTU(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		shown := "is not an absolute http(s) URL"
		if err == nil {
			shown = fmt.Sprintf("%q is not an absolute http(s) URL", u.Redacted())
		}
		return "", fmt.Errorf("DPoP proof URL %s: %w", shown, ErrURL)
	}
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i]
	}
	if i := strings.Index(raw, "://"); i >= 0 {
		authority, path, _ := strings.Cut(raw[i+3:], "/")
		if at := strings.LastIndex(authority, "@"); at >= 0 {
			rest := authority[at+1:]
			if path != "" || strings.HasSuffix(raw, "/") {
				rest += "/" + path
			}
			raw = raw[:i+3] + rest
		}
	}
	return raw, nil
}

// ATH is the ath claim: base64url SHA-256 of the access token (RFC 9449 §4.2).
func ATH(accessToken string) string {
	h := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(h[:])
}
