package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"strings"

	"github.com/postmint/postmint/generator/oauth"
)

// DefaultAlg is the JOSE alg a key signs with when none is configured: RS256 for RSA (PS256 for a
// key restricted to RSA-PSS), ES256/ES384/ES512 for P-256/P-384/P-521, EdDSA for Ed25519.
func (k *Key) DefaultAlg() string {
	alg := DefaultAlgFor(k.Signer.Public())
	if alg == "RS256" && k.pssOnly {
		return "PS256"
	}
	return alg
}

// DefaultAlgFor is the JOSE alg postmint picks for a public key's type, as for a private key
// (Key.DefaultAlg): RS256 for RSA, ES256/ES384/ES512 for P-256/P-384/P-521, EdDSA for Ed25519;
// "" for any other key.
func DefaultAlgFor(pub crypto.PublicKey) string {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		return "RS256"
	case *ecdsa.PublicKey:
		switch p.Curve {
		case elliptic.P256():
			return "ES256"
		case elliptic.P384():
			return "ES384"
		case elliptic.P521():
			return "ES512"
		}
	case ed25519.PublicKey:
		return "EdDSA"
	}
	return ""
}

// algKey says which key a JOSE alg needs: oauth's table, plus "Ed25519", the fully specified
// name of EdDSA with Ed25519 (RFC 9864) that some JWKs carry.
func algKey(alg string) (string, bool) {
	if alg == "Ed25519" {
		return "Ed25519", true
	}
	k := oauth.KeyFor(alg)
	return k, k != ""
}

// CheckAlg reports whether the key can sign with the JOSE alg. The error names both, as in
// "alg ES256 needs an EC P-256 key, but the key is RSA 2048".
func (k *Key) CheckAlg(alg string) error {
	if err := checkAlg(k.Signer.Public(), alg); err != nil {
		return err
	}
	if k.pssOnly && strings.HasPrefix(alg, "RS") {
		return newError(ErrAlgMismatch, "", fmt.Sprintf("alg %s needs an RSA key that allows PKCS#1 v1.5 signatures, but the key is %s restricted to RSA-PSS", alg, k.Describe()),
			"use alg PS256, PS384 or PS512")
	}
	return nil
}

func checkAlg(pub crypto.PublicKey, alg string) error {
	want, ok := algKey(alg)
	if !ok {
		return unknownAlg(alg)
	}
	have := describePublic(pub)
	if have == want || (want == "RSA" && strings.HasPrefix(have, "RSA ")) {
		return nil
	}
	hint := "leave alg out to take it from the key"
	if def := DefaultAlgFor(pub); def != "" {
		hint = "use alg " + def + " with this key, or " + hint
	}
	return newError(ErrAlgMismatch, "", fmt.Sprintf("alg %s needs an %s key, but the key is %s", alg, want, have), hint)
}

func unknownAlg(alg string) error {
	const hint = "private_key_jwt signs with RS256/384/512, PS256/384/512, ES256/384/512 or EdDSA"
	switch {
	case alg == "":
		return newError(ErrUnknownAlg, "", "alg is empty", hint)
	case strings.HasPrefix(alg, "HS"):
		return newError(ErrUnknownAlg, "", "alg "+alg+" signs with a shared secret (client_secret_jwt), not a private key", hint)
	case strings.EqualFold(alg, "none"):
		return newError(ErrUnknownAlg, "", "alg none makes unsigned tokens, which no token endpoint accepts as a client assertion", hint)
	}
	return newError(ErrUnknownAlg, "", fmt.Sprintf("alg %q is not one postmint signs with", alg), hint)
}
