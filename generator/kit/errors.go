package kit

import "errors"

// Sentinel errors of this package, wrapped in a *config.FieldError (or returned as they are
// when no field is to blame).
var (
	// ErrDuplicate: two entries would make the same kit folder, or share a client id at the
	// same token endpoint.
	ErrDuplicate = errors.New("duplicate kit")
	// ErrPrivateKey: key: points at a private key; a kit carries public material only.
	ErrPrivateKey = errors.New("private key in a kit definition")
	// ErrPublicKey: key: is not a readable public key, certificate or public JWK.
	ErrPublicKey = errors.New("not a public key")
	// ErrClientsFile: the --clients file itself is malformed (not one of its entries).
	ErrClientsFile = errors.New("not a clients file")
	// ErrOpenAPI: the definition's openapi: document cannot be read or used.
	ErrOpenAPI = errors.New("unusable OpenAPI document")
)
