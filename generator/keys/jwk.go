package keys

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// jwkHead is what is read from a JWK before go-jose parses it, to explain refusals.
type jwkHead struct {
	Kty    string          `json:"kty"`
	Crv    string          `json:"crv"`
	Kid    string          `json:"kid"`
	Use    string          `json:"use"`
	KeyOps []string        `json:"key_ops"`
	N      string          `json:"n"`
	D      json.RawMessage `json:"d"`
	Keys   json.RawMessage `json:"keys"`
}

func (h jwkHead) private() bool { return len(h.D) > 0 && string(h.D) != "null" }

// forSigning reports whether use and key_ops (RFC 7517 §4.2, §4.3) allow signatures.
func (h jwkHead) forSigning() bool {
	if h.Use != "" && h.Use != "sig" {
		return false
	}
	return len(h.KeyOps) == 0 || slices.Contains(h.KeyOps, "sign")
}

func (h jwkHead) label() string {
	if h.Kid != "" {
		return fmt.Sprintf("%q", h.Kid)
	}
	return "(no kid)"
}

func parseJSON(data []byte, src string, opt Options) (*rawKey, error) {
	var head jwkHead
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, wrapError(ErrMalformed, src, "is not valid JSON", "a JWK is a JSON object like {\"kty\":\"EC\",\"crv\":\"P-256\",...}", jsonProblem(err))
	}
	if len(head.Keys) > 0 {
		return parseJWKS(head.Keys, src, opt)
	}
	k, err := parseJWK(data, head, src, "")
	if err != nil {
		return nil, err
	}
	k.format = FormatJWK
	return k, nil
}

// jsonProblem keeps the JSON error's position and kind; the decoder never quotes the input.
func jsonProblem(err error) error {
	if se, ok := err.(*json.SyntaxError); ok {
		return fmt.Errorf("syntax error at byte %d", se.Offset)
	}
	if te, ok := err.(*json.UnmarshalTypeError); ok {
		return fmt.Errorf("member %q has the wrong type (%s)", te.Field, te.Value)
	}
	return err
}

func parseJWKS(raw json.RawMessage, src string, opt Options) (*rawKey, error) {
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, newError(ErrMalformed, src, "has a \"keys\" member that is not a list of JWKs", "a JWKS looks like {\"keys\":[{...},{...}]}")
	}
	heads := make([]jwkHead, len(list))
	for i, r := range list {
		if err := json.Unmarshal(r, &heads[i]); err != nil {
			return nil, wrapError(ErrMalformed, src, fmt.Sprintf("has a damaged key #%d in its JWKS", i+1), "", jsonProblem(err))
		}
	}
	pick := -1
	if opt.Alias != "" {
		var kids []string
		for i, h := range heads {
			kids = append(kids, h.label())
			if h.Kid == opt.Alias {
				if pick >= 0 && heads[pick].private() == h.private() {
					return nil, newError(ErrAmbiguousKey, src, fmt.Sprintf("has several keys with kid %q", opt.Alias), "give each key its own kid")
				}
				if pick < 0 || h.private() {
					pick = i
				}
			}
		}
		if pick < 0 {
			return nil, newError(ErrNoSuchKey, src, fmt.Sprintf("has no key with kid %q (kids: %s)", opt.Alias, strings.Join(kids, ", ")), "choose one of those kids")
		}
	} else {
		var candidates []int
		var labels []string
		for i, h := range heads {
			if h.private() && h.forSigning() {
				candidates = append(candidates, i)
				labels = append(labels, h.label())
			}
		}
		switch len(candidates) {
		case 0:
			return nil, newError(ErrNotPrivateKey, src, fmt.Sprintf("has no private part: none of the %d keys in the JWKS is a private signing key", len(heads)),
				"pass the private JWK or JWKS (with \"d\"); the public JWKS is what the identity provider gets")
		case 1:
			pick = candidates[0]
		default:
			return nil, newError(ErrAmbiguousKey, src, fmt.Sprintf("holds %d private signing keys (kids: %s)", len(candidates), strings.Join(labels, ", ")),
				"choose one by its kid")
		}
	}
	k, err := parseJWK(list[pick], heads[pick], src, "key "+heads[pick].label()+" ")
	if err != nil {
		return nil, err
	}
	k.format = FormatJWKS
	return k, nil
}

// parseJWK reads one private JWK (RFC 7517, RFC 7518 §6, RFC 8037). which prefixes problems
// about a key inside a JWKS.
func parseJWK(data []byte, h jwkHead, src, which string) (*rawKey, error) {
	switch h.Kty {
	case "":
		return nil, newError(ErrMalformed, src, which+"has no \"kty\" member, so it is not a JWK", "a JWK looks like {\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":...,\"y\":...,\"d\":...}")
	case "oct":
		return nil, newError(ErrUnsupported, src, which+"is a symmetric (oct) key, not a private key",
			"client_secret_jwt uses shared secrets; private_key_jwt needs an RSA, EC or Ed25519 private key")
	case "RSA":
		if n, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(h.N, "=")); err == nil && len(n) > 0 {
			bits := len(n)*8 - leadingZeroBits(n)
			if bits < 2048 {
				return nil, weakRSA(src, bits)
			}
		}
	case "EC":
		if !supportedCurve(h.Crv) {
			return nil, unsupportedCurve(src, h.Crv)
		}
	case "OKP":
		if h.Crv != "Ed25519" {
			return nil, newError(ErrUnsupported, src, fmt.Sprintf("%sis an OKP key on %s, which postmint cannot sign with", which, h.Crv), hintCurves)
		}
	default:
		return nil, newError(ErrUnsupported, src, fmt.Sprintf("%sis a JWK of kty %q, which postmint cannot sign with", which, h.Kty), hintCurves)
	}
	if !h.private() {
		return nil, newError(ErrNotPrivateKey, src, which+"has no private part (no \"d\" member)",
			"pass the private JWK; the public JWK is what the identity provider gets")
	}
	if !h.forSigning() {
		return nil, newError(ErrUnsupported, src, which+"is marked for encryption (use/key_ops), not for signatures",
			"use the signing key, or remove \"use\"/\"key_ops\" if the key is really meant for signing")
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(data); err != nil {
		return nil, wrapError(ErrMalformed, src, which+"is a damaged JWK", "export the key again", err)
	}
	return &rawKey{key: jwk.Key, certs: jwk.Certificates, keyID: jwk.KeyID}, nil
}

func leadingZeroBits(b []byte) int {
	n := 0
	for _, c := range b {
		if c != 0 {
			for c&0x80 == 0 {
				n++
				c <<= 1
			}
			return n
		}
		n += 8
	}
	return n
}
