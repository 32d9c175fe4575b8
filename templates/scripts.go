package templates

import _ "embed"

// CollectionJS is the collection-level pre-request script (after the signer and the config).
//
//go:embed collection.js
var CollectionJS string

// GetTokenPrerequestJS signs a fresh assertion before Auth / Get token.
//
//go:embed get_token_prerequest.js
var GetTokenPrerequestJS string

// GetTokenTestJS checks the token response and stores bearerToken and bearerTokenExpiresAt.
//
//go:embed get_token_test.js
var GetTokenTestJS string

// AuthorizePrerequestJS starts the authorization code flow (state, nonce, PKCE).
//
//go:embed authorize_prerequest.js
var AuthorizePrerequestJS string

// AuthorizeTestJS checks that the authorization endpoint answered.
//
//go:embed authorize_test.js
var AuthorizeTestJS string
