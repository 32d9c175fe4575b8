package verify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
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
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
		return ParseJWKS(trimmed, source)
	}
	// A PEM file's first public key is the one, and a CSR is refused even beside a certificate.
	pub, err := keys.ParsePublic(data, source, keys.PublicOptions{PublicHalf: true, Private: opt, FirstKey: true, RefuseCSR: true})
	if err != nil {
		return nil, publicKeyError(source, err)
	}
	if why := supported(pub.Key); why != "" {
		if len(pub.Certificates) > 0 {
			return nil, keyError(source, "holds a certificate for %s", why)
		}
		return nil, keyError(source, "holds %s", why)
	}
	return []PublicKey{{Key: pub.Key, KID: pub.KeyID, Alg: pub.Alg, Certificates: pub.Certificates, Source: source}}, nil
}

// publicKeyError words what keys.ParsePublic refused for ParsePublicKey.
func publicKeyError(source string, err error) error {
	var pe *keys.PublicError
	if errors.As(err, &pe) {
		switch {
		case pe.Problem == keys.PublicEmpty:
			return keyError(source, "is empty; pass a public key, certificate or JWKS")
		case pe.Problem == keys.PublicCSR:
			return keyError(source, "is a certificate signing request (CSR); pass the certificate issued for it, or the public key")
		case pe.Problem == keys.PublicDamaged && pe.Block == "PUBLIC KEY":
			return keyError(source, "holds a public key postmint cannot read: %v", pe.Err)
		case pe.Problem == keys.PublicDamaged && pe.Block == "RSA PUBLIC KEY":
			return keyError(source, "holds a damaged RSA public key: %v", pe.Err)
		case pe.Problem == keys.PublicDamaged:
			return keyError(source, "holds a damaged certificate: %v", pe.Err)
		}
	} else if errors.Is(err, keys.ErrUnknownFormat) {
		// From reading it as a private key, the last format tried.
		return keyError(source, "is not a public key, certificate, JWKS or private key postmint reads")
	}
	return fmt.Errorf("%w: %w", ErrKeys, err)
}

// supported returns why a public key cannot verify an asymmetric JWS, or "": the keys postmint
// picks an alg for are the ones it checks.
func supported(pub crypto.PublicKey) string {
	if keys.DefaultAlgFor(pub) != "" {
		return ""
	}
	if _, ok := pub.(*ecdsa.PublicKey); ok {
		return "an EC key on an unsupported curve (JWS uses P-256, P-384 and P-521)"
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
