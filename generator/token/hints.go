package token

import (
	"fmt"
	"regexp"
	"strings"
)

// providerHints holds what a provider's documentation and habits add to the generic
// explanation: provider (preset name, see generator/config/presets.yaml) -> OAuth error code ->
// lines, most likely first. The code "*" applies to every OAuth error from that provider. Keep
// it data: Explain has no provider-specific branches.
var providerHints = map[string]map[string][]string{
	"duende": {
		"invalid_client": {
			"Duende: the client needs a secret of type JsonWebKey (or X509 certificate) holding this public key, and the server must call AddJwtBearerClientAuthentication()",
			"Duende: the server log names the exact reason (audience, expired, replayed jti, signature): search it for the client id",
		},
		"unauthorized_client": {
			"Duende: add the grant to the client's AllowedGrantTypes (the jwt-bearer grant also needs an extension grant validator)",
		},
		"unsupported_grant_type": {
			"Duende: urn:ietf:params:oauth:grant-type:jwt-bearer is an extension grant: the server must register a validator for it",
		},
		"invalid_scope": {
			"Duende: each scope must be an ApiScope (or identity resource) and listed in the client's AllowedScopes",
		},
	},
	"maskinporten": {
		"*": {
			"Maskinporten: test (https://test.maskinporten.no/) and production (https://maskinporten.no/) are separate: the integration and key must exist in the one you call",
		},
		"invalid_grant": {
			"Maskinporten: aud must be the issuer with a trailing slash (https://maskinporten.no/ or https://test.maskinporten.no/)",
			"Maskinporten: exp may be at most 120 s after iat, and the scopes go in the assertion's scope claim",
			"Maskinporten: kid must name a key registered on the integration, or x5c must carry the business certificate",
		},
		"invalid_client": {
			"Maskinporten: iss must be the integration's client_id, and the key (kid) must be registered on that integration",
		},
		"invalid_scope": {
			"Maskinporten: the API owner must have granted the scope to your organisation, and the scope must be added to the integration",
		},
	},
	"keycloak": {
		"invalid_client": {
			"Keycloak: the client's Credentials tab must use 'Signed JWT', with the public key under Keys (JWKS URL or imported key) and the signature algorithm matching alg",
			"Keycloak: aud may be the realm's issuer URL or its token endpoint",
		},
		"unauthorized_client": {
			"Keycloak: enable 'Service accounts roles' (client authentication on) for client_credentials",
		},
		"invalid_scope": {
			"Keycloak: the scope must be assigned to the client (Client scopes tab) as default or optional",
		},
	},
	"okta": {
		"invalid_client": {
			"Okta: client authentication must be 'Public key / Private key' with this key (and kid) added to the app; aud must be the exact token URL posted to",
		},
		"invalid_scope": {
			"Okta: custom scopes need a custom authorization server (…/oauth2/default/v1/token); the org server grants service apps only okta.* scopes",
		},
		"unauthorized_client": {
			"Okta: enable the Client Credentials grant on the app (an API Services app)",
		},
		"access_denied": {
			"Okta: no access policy rule of the authorization server allows this client, grant and scope",
		},
	},
	"auth0": {
		"invalid_client": {
			"Auth0: enable Private Key JWT in the application's credentials with this public key; aud is the tenant URL with a trailing slash (https://TENANT.auth0.com/)",
		},
		"access_denied": {
			"Auth0: authorize the application for the API (Machine to Machine applications) and send the API identifier as the audience form field",
		},
		"unauthorized_client": {
			"Auth0: enable the Client Credentials grant in the application's Advanced Settings > Grant Types",
		},
	},
	"entra": {
		"*": {
			"Entra ID: the AADSTS number in error_description names the exact cause: look it up at https://login.microsoftonline.com/error",
		},
		"invalid_client": {
			"Entra ID: upload the certificate (not just the key) to the app registration; the header needs its x5t (or x5t#S256) and aud is the tenant's v2.0 token endpoint",
		},
		"invalid_scope": {
			"Entra ID: client_credentials takes one resource's .default scope, e.g. https://graph.microsoft.com/.default",
		},
	},
	"duende-strict": {
		"invalid_client": {
			"Duende (strict audience validation): aud must be exactly the issuer, one value, and typ must be client-authentication+jwt",
		},
	},
	"curity": {
		"invalid_client": {
			"Curity: the client's JWKS URI must serve this key under the kid sent, and aud is the token endpoint (…/oauth/v2/oauth-token)",
		},
	},
	"signicat": {
		"invalid_client": {
			"Signicat: register the public JWK (with this kid) on the client in the dashboard; aud is the token endpoint",
		},
	},
	"bcgov": {
		"invalid_client": {
			"BC Gov: aud is the Issuer shown with the credentials in the API Services Portal, and the certificate or JWKS registered there must hold this key",
		},
	},
	"hydra": {
		"invalid_client": {
			"Ory Hydra: the client needs token_endpoint_auth_method private_key_jwt, token_endpoint_auth_signing_alg equal to alg, and this key in jwks or jwks_uri",
			"Ory Hydra: the JWT grant takes no client assertion: register the client with token_endpoint_auth_method none and keep send_client_id: true",
		},
		"invalid_request": {
			"Ory Hydra: each key in the client's jwks needs \"use\": \"sig\" and the kid the assertion names; Hydra 2.3 signs with RS, PS and ES 256-512 only (no EdDSA)",
		},
		"invalid_scope": {
			"Ory Hydra: the client's scope field lists what it may request; the JWT grant also needs a trust relationship (/admin/trust/grants/jwt-bearer/issuers) that allows the scope",
		},
	},
	"zitadel": {
		"invalid_request": {
			"zitadel/oidc: the JWT grant refuses every bad assertion alike: aud must hold the issuer exactly, kid a key of the service user, alg RS256, PS256 or ES256, iss = sub = the user id",
		},
		"invalid_grant": {
			"zitadel/oidc: a refused client assertion is invalid_grant; the key is found by kid only, and only RS256, PS256 and ES256 are accepted",
		},
		"invalid_client": {
			"zitadel/oidc: the stock client_credentials grant checks client_id and client_secret only and ignores client_assertion: a service user uses the JWT grant (grant_type: jwt_bearer)",
		},
		"invalid_scope": {
			"ZITADEL: a service user gets the scopes it asked for and may have; project audience scopes look like urn:zitadel:iam:org:project:id:PROJECT_ID:aud",
		},
	},
	"rfc7523bis": {
		"invalid_client": {
			"rfc7523bis: aud is the issuer alone and typ client-authentication+jwt; a server not yet updated wants the token endpoint (and typ JWT) instead",
		},
	},
}

// singleAudience marks the providers whose documentation gives one audience for client
// assertions (true), so that an audience hint names no alternative; providers that accept
// others (the token endpoint and the issuer, say) are false or absent, and so is "" (no preset).
var singleAudience = map[string]bool{
	"hydra":             true, // the token endpoint URL
	"okta":              true, // the full token endpoint URL
	"auth0":             true, // the tenant URL with its trailing slash
	"entra":             true, // the v2.0 token endpoint
	"curity":            true, // the token endpoint
	"signicat":          true, // the token endpoint
	"maskinporten":      true, // the issuer with its trailing slash
	"maskinporten-test": true,
	"duende-strict":     true, // the issuer alone
	"rfc7523bis":        true, // the issuer alone
	"zitadel":           true, // the issuer exactly (zitadel/oidc's CheckAudience)
	"duende":            false,
	"keycloak":          false,
	"bcgov":             false,
}

// boilerplate is the standard wording servers put before their own detail (fosite, and so Ory
// Hydra, paraphrases RFC 6749 §5.2 in every error_description). Its words ("unknown client",
// "parameter") say nothing about this failure, so they do not rank hints.
var boilerplate = []string{
	"Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).",
	"The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.",
	"The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
	"The requested scope is invalid, unknown, or malformed.",
	"The client is not authorized to request a token using this method.",
}

// providerParents lets a preset reuse another's hints after its own.
var providerParents = map[string]string{
	"duende-strict":     "duende",
	"maskinporten-test": "maskinporten",
	"bcgov":             "keycloak",
}

// issuerSuffixes are token endpoint paths whose removal leaves the issuer, used to guess an
// issuer when the definition has none. Longest first.
var issuerSuffixes = []string{
	"/protocol/openid-connect/token", // Keycloak
	"/connect/token",                 // Duende IdentityServer
	"/oauth2/v1/token",               // Okta org server (issuer is the host)
	"/v1/token",                      // Okta custom server
	"/oauth/token",                   // Auth0 and others
	"/oauth2/token",
	"/token",
}

// descriptionTopics are words in an error_description that point at a cause; hints on those
// topics move to the front.
var descriptionTopics = map[string][]string{
	"audience": {"aud", "audience", "audiences"},
	"lifetime": {"exp", "expired", "expiration", "expiry", "lifetime", "iat", "nbf", "not yet valid", "future", "too long", "valid time range"},
	"jti":      {"jti", "replay", "replayed", "reuse", "reused", "already used"},
	"key":      {"signature", "key", "keys", "kid", "x5c", "x5t", "certificate", "thumbprint", "jwks"},
	"alg":      {"alg", "algorithm"},
	"client":   {"client_id", "client id", "unknown client", "client not found", "client credentials", "iss", "issuer", "sub", "subject"},
	"redirect": {"redirect", "redirect_uri"},
	"pkce":     {"pkce", "code_verifier", "verifier", "challenge"},
	"code":     {"code", "authorization code"},
	"scope":    {"scope", "scopes"},
}

// serverWords are what servers say when their error_description names the value they expect
// or refuse (an audience, an algorithm, a kid, the registered method). A line built from a
// match leads the explanation, with exactly the value the server named, before any generic
// list. Each pattern is the server's own wording, from its source:
//   - zitadel/oidc v3 (pkg/oidc/verifier.go, pkg/op): CheckAudience, ErrSignatureUnsupportedAlg,
//     the LegacyServer's JWT grant ("assertion invalid"), VerifyClient's method checks; "key not
//     found" is what storages (the library's example, this repository's test server) say of an
//     unknown kid;
//   - Ory fosite, and so Hydra (client_authentication.go);
//   - oidc-provider (lib/shared/client_auth.js, jwt_client_auth.js), whose detail reaches
//     error_description where a deployment exposes it.
//
// Values are taken only from the server's text or the definition, never from a key or token.
var serverWords = []struct {
	pattern *regexp.Regexp
	line    func(m []string, c Context) string
}{
	{regexp.MustCompile(`Audience must contain client_id "([^"\s]{1,500})"`), namedAudience},
	{regexp.MustCompile(`Claim 'audience' from 'client_assertion' must match the authorization server's token endpoint '([^'\s]{1,500})'`), namedAudience},
	// postmint's own e2e harness (testdata/e2e/server.mjs), in front of oidc-provider.
	{regexp.MustCompile(`aud must be exactly "([^"\s]{1,500})"`), namedAudience},
	{regexp.MustCompile(`(?:audience \(aud\) must equal|list of audience \(aud\) must include) the endpoint url, issuer identifier or token endpoint url`), func(_ []string, c Context) string {
		return fmt.Sprintf("the server wants aud to be its issuer identifier or its token endpoint URL, and aud was %s: set audience: issuer or audience: token_endpoint", quoteOr(c.Audience, "empty"))
	}},
	{regexp.MustCompile(`uses signing algorithm '([A-Za-z0-9]{1,20})' but the requested OAuth 2.0 Client enforces signing algorithm '([A-Za-z0-9]{1,20})'`), func(m []string, _ Context) string {
		return fmt.Sprintf("the client is registered for %s (its token_endpoint_auth_signing_alg), and the assertion was signed with %s: set alg: %s (with a key that fits it), or register the client for %s", m[2], m[1], m[2], m[1])
	}},
	{regexp.MustCompile(`^signature algorithm not supported$`), func(_ []string, c Context) string {
		s := fmt.Sprintf("the server does not accept alg %s for this assertion", orUnknown(c.Alg))
		if len(c.Algs) > 0 {
			s += fmt.Sprintf(" (preset %s documents %s)", c.Provider, strings.Join(c.Algs, ", "))
		}
		return s + ": set alg: to one it accepts, with a key that fits it"
	}},
	{regexp.MustCompile(`^alg mismatch$`), func(_ []string, c Context) string {
		return fmt.Sprintf("the server says alg %s is not the client's registered signing algorithm (token_endpoint_auth_signing_alg): set alg: to the registered one, or register %s", orUnknown(c.Alg), orUnknown(c.Alg))
	}},
	{regexp.MustCompile(`uses signing key with kid '([^'\s]{1,200})', which could not be found`), func(m []string, c Context) string {
		return fmt.Sprintf("the server has no key with kid %q for client %s: set kid: to the registered key's kid, or register this key under %q", m[1], quoteOr(c.ClientID, "(unknown)"), m[1])
	}},
	{regexp.MustCompile(`Unable to find (RSA|ECDSA) public key with use='sig' for kid '([^'\s]{1,200})'`), func(m []string, c Context) string {
		return fmt.Sprintf("the server has no %s key with use \"sig\" under kid %q for client %s: the registered JWK needs \"use\": \"sig\" and that kid", m[1], m[2], quoteOr(c.ClientID, "(unknown)"))
	}},
	{regexp.MustCompile(`\bkey not found\b`), func(_ []string, c Context) string {
		if c.Kid == "" {
			return "the server looks the key up by kid and the assertion has none: set kid: to the id the key was registered under"
		}
		return fmt.Sprintf("the server has no key under kid %q for %s: set kid: to the id the key was registered under", c.Kid, quoteOr(c.ClientID, "this client"))
	}},
	{regexp.MustCompile(`^(?:private_key_jwt not allowed for this client|the provided authentication mechanism does not match the registered client authentication method)$`), func(_ []string, c Context) string {
		return fmt.Sprintf("the server says client %s is not registered for private_key_jwt: register its public key with that method (a client registered for a secret refuses assertions)", quoteOr(c.ClientID, "(unknown)"))
	}},
	{regexp.MustCompile(`^auth_method private_key_jwt not supported$`), func(_ []string, _ Context) string {
		return "the server does not take private_key_jwt client authentication at all: ask its operators to enable it"
	}},
	{regexp.MustCompile(`^assertion invalid$`), func(_ []string, c Context) string {
		if c.GrantType != "jwt_bearer" {
			return ""
		}
		issuer := c.Issuer
		if issuer == "" {
			issuer = guessIssuer(c.TokenURL)
		}
		return fmt.Sprintf("the server refused the assertion without saying why (zitadel/oidc answers every refused JWT grant so; its log has the cause): check aud first: it must contain the issuer %s exactly (aud was %s); then kid, alg, and iss = sub = %s", orUnknown(issuer), quoteOr(c.Audience, "empty"), quoteOr(c.ClientID, "the user id"))
	}},
}

// namedAudience is the line for a server that names the audience it expects.
func namedAudience(m []string, c Context) string {
	return fmt.Sprintf("the server names the audience it expects: set audience: %s (aud was %s)", m[1], quoteOr(c.Audience, "empty"))
}
