package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// Public keys out: RFC 7638 thumbprints, public JWKs (RFC 7517) and JWK Sets, written with
// their members in a fixed order and never a private member.

// Thumbprint returns the RFC 7638 JWK thumbprint of a public key: the base64url SHA-256 of its
// required members in lexicographic order. A private key is replaced by its public half.
func Thumbprint(pub crypto.PublicKey) (string, error) {
	pub, err := checkPublic(pub)
	if err != nil {
		return "", err
	}
	jwk := jose.JSONWebKey{Key: pub}
	sum, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("computing the JWK thumbprint: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(sum), nil
}

func checkPublic(pub crypto.PublicKey) (crypto.PublicKey, error) {
	switch p := publicOf(pub).(type) {
	case *rsa.PublicKey, ed25519.PublicKey:
		return p, nil
	case *ecdsa.PublicKey:
		if !supportedCurve(curveName(p.Curve)) {
			return nil, newError(ErrUnsupported, "", "EC keys on "+curveName(p.Curve)+" have no JWK form postmint writes", hintCurves)
		}
		return p, nil
	}
	return nil, newError(ErrInvalidArgument, "", fmt.Sprintf("%T is not an RSA, EC or Ed25519 public key", pub), "")
}

// jwkOrder is the member order of the JWKs written: identification first, then key members.
var jwkOrder = []string{"kty", "use", "kid", "alg", "crv", "x", "y", "n", "e", "x5c", "x5t#S256"}

// PublicJWK returns the public JWK of pub as compact JSON with the members in a fixed order:
// kty, use ("sig"), kid, alg, then the key's members (crv, x, y or n, e). kid and alg are left
// out when empty; alg must fit the key. A private key is replaced by its public half, and no
// private member is ever written.
func PublicJWK(pub crypto.PublicKey, kid, alg string) ([]byte, error) {
	return PublicJWKWithCertificates(pub, kid, alg, nil)
}

// PublicJWKWithCertificates is PublicJWK with "x5c" (leaf first) and "x5t#S256" (of the leaf)
// added from certs, for JWKS that carry the client certificate. The leaf must match pub.
func PublicJWKWithCertificates(pub crypto.PublicKey, kid, alg string, certs []*x509.Certificate) ([]byte, error) {
	pub, err := checkPublic(pub)
	if err != nil {
		return nil, err
	}
	if alg != "" {
		if err := checkAlg(pub, alg); err != nil {
			return nil, err
		}
	}
	if len(certs) > 0 {
		if err := MatchCertificate(pub, certs[0]); err != nil {
			return nil, err
		}
	}
	raw, err := jose.JSONWebKey{Key: pub}.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("encoding the public JWK: %w", err)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil, fmt.Errorf("encoding the public JWK: %w", err)
	}
	set := func(name string, v any) {
		b, _ := json.Marshal(v)
		members[name] = b
	}
	set("use", "sig")
	if kid != "" {
		set("kid", kid)
	}
	if alg != "" {
		set("alg", alg)
	}
	if len(certs) > 0 {
		set("x5c", X5C(certs))
		set("x5t#S256", X5TS256(certs[0]))
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	for _, name := range jwkOrder {
		v, ok := members[name]
		if !ok {
			continue
		}
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, "%q:%s", name, v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// privateMembers are the JWK members that hold secrets (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037).
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// JWKS wraps JWKs (as from PublicJWK) in a JWK Set: {"keys":[...]}, compact, in the order given.
// It refuses anything that is not a JSON object, a JWK with private members, and two keys with
// the same kid.
func JWKS(jwks ...[]byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(`{"keys":[`)
	seen := map[string]bool{}
	for i, j := range jwks {
		var members map[string]json.RawMessage
		if err := json.Unmarshal(j, &members); err != nil {
			return nil, newError(ErrInvalidArgument, "", fmt.Sprintf("JWK #%d is not a JSON object", i+1), "")
		}
		for _, m := range privateMembers {
			if _, ok := members[m]; ok {
				return nil, newError(ErrInvalidArgument, "", fmt.Sprintf("JWK #%d has the private member %q, which must never be published", i+1, m),
					"build the JWKS from PublicJWK")
			}
		}
		var kid string
		_ = json.Unmarshal(members["kid"], &kid)
		if kid != "" && seen[kid] {
			return nil, newError(ErrInvalidArgument, "", fmt.Sprintf("two JWKs have kid %q", kid), "give each key its own kid")
		}
		seen[kid] = true
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := json.Compact(&buf, j); err != nil {
			return nil, newError(ErrInvalidArgument, "", fmt.Sprintf("JWK #%d is not valid JSON", i+1), "")
		}
	}
	buf.WriteString(`]}`)
	return buf.Bytes(), nil
}
