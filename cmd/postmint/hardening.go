package main

import (
	"errors"
	"fmt"

	"github.com/postmint/postmint/generator/discovery"
	"github.com/postmint/postmint/internal/boundedread"
)

// metadataStatus is doctor's verdict on metadata that could not be used: metadata of another
// issuer must not be used (OpenID Connect Discovery 4.3, RFC 8414 3.3) and fails the check;
// metadata that is merely missing is a warning.
func metadataStatus(err error) string {
	if errors.Is(err, discovery.ErrIssuerMismatch) {
		return "FAIL"
	}
	return "WARN"
}

// Bounds of the files the command layer reads itself (keys and certificates are bounded by
// generator/keys, definitions by generator/config).
const (
	maxPasswordFile = 64 << 10 // a password
	maxEnvFile      = 8 << 20  // an environment: a key, a token and the variables
	maxJWKSFile     = 1 << 20  // as generator/verify bounds a JWKS from a URL
	maxPublicFile   = 4 << 20  // a public key or certificate chain
)

// readInput reads a file the user named with the one bounded reader, so /dev/zero, a named
// pipe or a huge file is an error in words, never a hang or a flood of memory. what and path
// open the error: "reading --key-password-file pw.txt: is 9000000 bytes, far too large ...".
func readInput(what, path string, limit int64) ([]byte, error) {
	data, err := boundedread.ReadFile(path, limit)
	if err != nil {
		return nil, fmt.Errorf("reading %s %s: %w", what, path, unwrapPath(err))
	}
	return data, nil
}
