// Package testkeys hands tests throwaway signing keys: one per key type, made once per test
// binary (RSA key generation is the slow part of many tests).
package testkeys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"sync"
)

// Set is one key of each type postmint signs with.
type Set struct {
	RSA              *rsa.PrivateKey // 2048 bits
	P256, P384, P521 *ecdsa.PrivateKey
	Ed25519          ed25519.PrivateKey
}

// Keys returns the process's key set.
var Keys = sync.OnceValue(func() *Set {
	s := &Set{}
	var err error
	if s.RSA, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		panic(err)
	}
	for _, c := range []struct {
		dst   **ecdsa.PrivateKey
		curve elliptic.Curve
	}{{&s.P256, elliptic.P256()}, {&s.P384, elliptic.P384()}, {&s.P521, elliptic.P521()}} {
		if *c.dst, err = ecdsa.GenerateKey(c.curve, rand.Reader); err != nil {
			panic(err)
		}
	}
	if _, s.Ed25519, err = ed25519.GenerateKey(rand.Reader); err != nil {
		panic(err)
	}
	return s
})

// ForAlg returns the key a JWS alg signs with: RSA for RS*/PS*, the matching curve for ES*,
// Ed25519 for EdDSA.
func ForAlg(alg string) crypto.Signer {
	s := Keys()
	switch {
	case strings.HasPrefix(alg, "RS"), strings.HasPrefix(alg, "PS"):
		return s.RSA
	case alg == "ES256":
		return s.P256
	case alg == "ES384":
		return s.P384
	case alg == "ES512":
		return s.P521
	}
	return s.Ed25519
}
