package verify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/postmint/postmint/generator/keys"
)

// PublicKey is one key a signature may be checked with, and what is known about it.
type PublicKey struct {
	Key          crypto.PublicKey    // *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
	KID          string              // the JWK's kid; "" for a PEM key or certificate
	Alg          string              // the JWK's alg; "" when it names none
	Certificates []*x509.Certificate // leaf first, when the key came with certificates
	Source       string              // where it was read from: a file, a URL
}

// Describe names the key without any secret: "RSA 2048, kid "a", thumbprint 5Jq…".
func (k PublicKey) Describe() string {
	s := describe(k.Key)
	if k.KID != "" {
		s += fmt.Sprintf(", kid %q", k.KID)
	}
	if t, err := keys.Thumbprint(k.Key); err == nil {
		s += ", thumbprint " + t
	}
	return s
}

// ErrKeys is wrapped by every error about reading verification keys.
var ErrKeys = errors.New("cannot read the verification key")

func keyError(source, format string, a ...any) error {
	return fmt.Errorf("%w: %s %s", ErrKeys, source, fmt.Sprintf(format, a...))
}

// maxJWKSSize bounds a JWKS read from a file or a URL: real ones are a few kilobytes.
const maxJWKSSize = 1 << 20

// ParseJWKS reads a JWK Set, or a single JWK, as public keys. Private members are ignored (the
// public half is used), keys for encryption (use "enc") and symmetric keys are skipped, and a
// set with no usable key is an error.
func ParseJWKS(data []byte, source string) ([]PublicKey, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, keyError(source, "is empty; it should hold a JWKS ({\"keys\":[...]})")
	}
	var head struct {
		Keys json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, keyError(source, "is not a JWKS: it is not a JSON object (%s)", jsonProblem(err))
	}
	list := []json.RawMessage{data}
	if head.Keys != nil {
		if err := json.Unmarshal(head.Keys, &list); err != nil {
			return nil, keyError(source, "is not a JWKS: \"keys\" is not a list")
		}
	}
	var out []PublicKey
	var skipped []string
	for i, raw := range list {
		k, why := parseJWK(raw)
		if why != "" {
			skipped = append(skipped, fmt.Sprintf("key %d: %s", i+1, why))
			continue
		}
		k.Source = source
		out = append(out, k)
	}
	if len(out) == 0 {
		if len(list) == 0 {
			return nil, keyError(source, "holds no keys")
		}
		return nil, keyError(source, "holds no key that can verify a signature (%s)", strings.Join(skipped, "; "))
	}
	return out, nil
}

func parseJWK(raw json.RawMessage) (PublicKey, string) {
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(raw); err != nil {
		// go-jose's messages name members and curves, never key bytes.
		return PublicKey{}, "unreadable JWK: " + strings.TrimPrefix(err.Error(), "go-jose/go-jose: ")
	}
	if jwk.Use != "" && jwk.Use != "sig" {
		return PublicKey{}, fmt.Sprintf("use %q, not sig", jwk.Use)
	}
	pub := jwk.Public()
	if !pub.Valid() {
		return PublicKey{}, "not an asymmetric key (kty oct?)"
	}
	if why := supported(pub.Key); why != "" {
		return PublicKey{}, why
	}
	return PublicKey{Key: pub.Key, KID: jwk.KeyID, Alg: jwk.Algorithm, Certificates: jwk.Certificates}, ""
}

// ParsePublicKey reads the key a signature should be checked with from a file's bytes: a PEM
// public key (SubjectPublicKeyInfo or PKCS#1), a certificate or chain (PEM or DER), a JWK or
// JWKS, or a private key in any format package keys reads (its public half is used; opt carries
// the password).
func ParsePublicKey(data []byte, source string, opt keys.Options) ([]PublicKey, error) {
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return nil, keyError(source, "is empty; pass a public key, certificate or JWKS")
	case trimmed[0] == '{':
		return ParseJWKS(trimmed, source)
	case bytes.Contains(trimmed, []byte("-----BEGIN ")):
		return parsePEMPublic(trimmed, source, opt)
	}
	if c, err := x509.ParseCertificate(trimmed); err == nil {
		return fromCertificates([]*x509.Certificate{c}, source)
	}
	if pub, err := x509.ParsePKIXPublicKey(trimmed); err == nil {
		return single(pub, source)
	}
	return fromPrivate(data, source, opt)
}

func parsePEMPublic(data []byte, source string, opt keys.Options) ([]PublicKey, error) {
	var certs []*x509.Certificate
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch {
		case b.Type == "PUBLIC KEY":
			pub, err := x509.ParsePKIXPublicKey(b.Bytes)
			if err != nil {
				return nil, keyError(source, "holds a public key postmint cannot read: %v", err)
			}
			return single(pub, source)
		case b.Type == "RSA PUBLIC KEY":
			pub, err := x509.ParsePKCS1PublicKey(b.Bytes)
			if err != nil {
				return nil, keyError(source, "holds a damaged RSA public key: %v", err)
			}
			return single(pub, source)
		case strings.Contains(b.Type, "PRIVATE KEY"):
			return fromPrivate(data, source, opt)
		case b.Type == "CERTIFICATE":
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, keyError(source, "holds a damaged certificate: %v", err)
			}
			certs = append(certs, c)
		case b.Type == "CERTIFICATE REQUEST":
			return nil, keyError(source, "is a certificate signing request (CSR); pass the certificate issued for it, or the public key")
		}
	}
	if len(certs) > 0 {
		return fromCertificates(certs, source)
	}
	return fromPrivate(data, source, opt)
}

func fromCertificates(certs []*x509.Certificate, source string) ([]PublicKey, error) {
	if why := supported(certs[0].PublicKey); why != "" {
		return nil, keyError(source, "holds a certificate for %s", why)
	}
	return []PublicKey{{Key: certs[0].PublicKey, Certificates: certs, Source: source}}, nil
}

func fromPrivate(data []byte, source string, opt keys.Options) ([]PublicKey, error) {
	k, err := keys.Parse(data, source, opt)
	if err != nil {
		if errors.Is(err, keys.ErrUnknownFormat) {
			return nil, keyError(source, "is not a public key, certificate, JWKS or private key postmint reads")
		}
		return nil, fmt.Errorf("%w: %w", ErrKeys, err)
	}
	return []PublicKey{{Key: k.Public(), KID: k.KeyID, Certificates: k.Certificates, Source: source}}, nil
}

func single(pub crypto.PublicKey, source string) ([]PublicKey, error) {
	if why := supported(pub); why != "" {
		return nil, keyError(source, "holds %s", why)
	}
	return []PublicKey{{Key: pub, Source: source}}, nil
}

// supported returns why a public key cannot verify an asymmetric JWS, or "".
func supported(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return ""
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
			return ""
		}
		return "an EC key on an unsupported curve (JWS uses P-256, P-384 and P-521)"
	case ed25519.PublicKey:
		return ""
	}
	return fmt.Sprintf("a %T key, which no JWS algorithm postmint checks uses", pub)
}

// FetchJWKS downloads a JWKS over HTTP(S) with hc (whose timeout and TLS settings apply). An
// OpenID or OAuth metadata document is followed to its jwks_uri once.
func FetchJWKS(ctx context.Context, hc *http.Client, url string) ([]PublicKey, error) {
	data, err := get(ctx, hc, url)
	if err != nil {
		return nil, err
	}
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
		Keys    any    `json:"keys"`
	}
	if json.Unmarshal(data, &meta) == nil && meta.Keys == nil && meta.JWKSURI != "" {
		if data, err = get(ctx, hc, meta.JWKSURI); err != nil {
			return nil, err
		}
		url = meta.JWKSURI
	}
	return ParseJWKS(data, url)
}

func get(ctx context.Context, hc *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, keyError(url, "is not a URL postmint can fetch: %v", err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: fetching %s: %w", ErrKeys, url, errors.Unwrap(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, keyError(url, "answered %s; check the JWKS URL", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading %s: %w", ErrKeys, url, err)
	}
	if len(data) > maxJWKSSize {
		return nil, keyError(url, "sent more than %d bytes; that is no JWKS", maxJWKSSize)
	}
	return data, nil
}

func jsonProblem(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "not an object"
	}
	return err.Error()
}

// describe names a public key's type and size: "RSA 2048", "EC P-256", "Ed25519".
func describe(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "EC " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}
