package main

import (
	"errors"

	"github.com/postmint/postmint/generator/discovery"
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
