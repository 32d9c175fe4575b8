package templates

import _ "embed"

// CollectionJS is the collection-level pre-request script (after the signer and the config).
//
//go:embed collection.js
var CollectionJS string

// ResponseJS defines postmintAccept, which checks a token response and stores the token.
//
//go:embed response.js
var ResponseJS string

// APITestJS is the API folder's test script: a 401 or 403 from the API fails the run.
//
//go:embed api_test.js
var APITestJS string

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
