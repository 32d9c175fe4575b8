// Package profile makes a client's minting profile (oauth.Profile) from its resolved
// definition and key material: the one rule for the alg, the certificate headers, the checks of
// key against alg and certificate.
package profile

import "github.com/postmint/postmint/generator/config"

// DefaultAlg is the JOSE alg of a client whose definition, preset and key all leave it open:
// the alg every provider accepts.
const DefaultAlg = "RS256"

// ChooseAlg is the one rule for a client's JOSE alg, shared by generate (with or without a
// key), kit and doctor: the definition's alg:, else its preset's, else the one the key at hand
// signs with (keyAlg: the private key's, or a public key's, certificate's or JWK's; "" when
// there is none), else DefaultAlg. defaulted reports the last case, which callers say in words.
func ChooseAlg(c *config.Client, keyAlg string) (alg string, defaulted bool) {
	switch {
	case c.Alg != "": // Resolve placed the preset's alg here when the definition has none
		return c.Alg, false
	case keyAlg != "":
		return keyAlg, false
	}
	return DefaultAlg, true
}

// DefaultAlgNote is what a caller says when ChooseAlg defaulted.
const DefaultAlgNote = "alg " + DefaultAlg + " chosen: neither the definition, its preset nor a key names one; set alg: in the definition (or give the public key or certificate) to choose another"
