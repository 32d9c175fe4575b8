package postman

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	pmc "github.com/rbretecher/go-postman-collection"

	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/templates"
)

// Folder and request names fixed by the contract.
const (
	FolderAuth   = "Auth"
	FolderAPI    = "API"
	ItemGetToken = "Get token"
	// authorization_code
	ItemAuthorize    = "Authorize"
	ItemExchangeCode = "Exchange code"
	ItemRefreshToken = "Refresh token"
)

// APIRequest is one request of the API folder. The fields after Body are used by requests made
// from an OpenAPI document; a request that leaves them empty renders as it always has.
type APIRequest struct {
	Name    string
	Method  string
	URL     string // may hold {{variables}} and :pathVariables
	Headers map[string]string
	Body    string // raw; marked as JSON when it parses as JSON

	// Folder is the sub-folder of API the request goes into ("" for API itself), created
	// where its first request comes.
	Folder string
	// Description is Markdown shown with the request.
	Description string
	// PathVariables are the values of the URL's :name segments (Postman path variables).
	PathVariables []Param
	// Query is appended to URL as its query string, with each parameter's description. Keys
	// and values are written as they stand in the URL (percent-encoded where a character
	// would end the parameter), so url.raw and url.query[] say the same.
	Query []Param
	// Form, when set, is sent as the body instead of Body: application/x-www-form-urlencoded,
	// or multipart/form-data when Multipart is set.
	Form      []Param
	Multipart bool
	// OptionalHeaders are headers placed disabled (after Headers): the partner ticks those
	// they need.
	OptionalHeaders []Param
	// BodyFile sends a file chosen in Postman as the body (mode file), for a binary upload.
	BodyFile bool
}

// Param is a name, a value and what it means: a path variable, a query or form parameter, or a
// collection variable.
type Param struct {
	Key         string
	Value       string
	Description string
	// Disabled places the entry unticked: shown with its value, not sent until ticked.
	Disabled bool
	// File makes a form-data field a file to upload (chosen in Postman) instead of text.
	File bool
}

// Folder is a sub-folder of API with its description.
type Folder struct {
	Name        string
	Description string
}

// CollectionInput is what a collection is built from.
type CollectionInput struct {
	Name        string
	Description string // Markdown
	Profile     *oauth.Profile
	Requests    []APIRequest
	// Folders gives the sub-folders of API their descriptions; a folder is placed where its
	// first request comes.
	Folders []Folder
	// Variables are collection variables (e.g. baseUrl). Environment variables of the same
	// name win over them in Postman, so they never shadow postmint's own.
	Variables []Param
	// Prepared requests follow Requests in the API folder, exactly as if they were listed
	// there (with Folders): kits made from one OpenAPI document render them only once.
	Prepared *PreparedItems
}

// Messages the collection script shows, decided here so that Go and the script say the same.
const (
	msgNoKey        = "privateKey is empty: paste your private key (PEM or JWK) into the environment variable privateKey, or run postmint refresh"
	msgNoKeyNoToken = "no privateKey and no valid bearerToken: set privateKey or run postmint refresh -e <environment>"
	// The Postman Vault messages: {var} is privateKey or dpopKey, {secret} the vault secret's
	// name, {why} the vault's own refusal.
	msgVaultMissing = "{var} is the Postman Vault reference {{vault:{secret}}}, and this runner has no Postman Vault (Newman and the Postman CLI cannot read it): in CI run postmint refresh -e <environment> with POSTMINT_PRIVATE_KEY set before the run; in the Postman app add the secret {secret} to your vault"
	msgVaultDenied  = "the Postman Vault did not give {secret} to the script ({why}): in the Postman app open the Vault's settings and turn on \"Enable support in scripts\" for this collection; the Postman CLI and Newman cannot read the Postman Vault: in CI run postmint refresh -e <environment> with POSTMINT_PRIVATE_KEY set before the run"
	msgVaultEmpty   = "your Postman Vault has no secret {secret}: add your private key (its PEM or JWK text) to the vault under that name"
	msgNotBound     = "the token endpoint ignored the DPoP proof and issued a token that is not DPoP-bound: register the client for DPoP-bound tokens (e.g. dpop_bound_access_tokens) or set dpop: false"
)

// dpopHints explain a resource server's DPoP errors (RFC 9449 §7.1, §9) in the API test.
var dpopHints = map[string]string{
	"use_dpop_nonce":     "the API asked for a DPoP nonce: it is now stored in dpopApiNonces, and the next request to it sends it; send this one again",
	"invalid_dpop_proof": "the API refused the DPoP proof: check this machine's clock, and that the API sees the URL that was sent (htu is the URL without query)",
	"invalid_token":      "a DPoP-bound token goes with proofs of its own key: if dpopKey changed after the token was issued, send Auth / Get token or run postmint refresh",
}

// scriptConfig is the data placed (JSON-encoded) in front of the collection script: the
// script decides no default of its own.
func scriptConfig() map[string]any {
	return map[string]any{
		"jwtBearerGrant":   oauth.WireJWTBearer,
		"assertionRef":     ph(VarClientAssertion),
		"minValidity":      oauth.MinValidity,
		"defaultExpiresIn": oauth.DefaultExpiresIn,
		"required":         oauth.RequiredVariables(false),
		"absent":           oauth.Absents(),
		"scopePlacements":  oauth.ScopePlacements,
		"missingHint":      oauth.MissingHint,
		"noKey":            msgNoKey,
		"noKeyNoToken":     msgNoKeyNoToken,
		"notBound":         msgNotBound,
		"dpopHints":        dpopHints,
		"serverText":       oauth.ServerTextRules,
		"maxExpiresIn":     oauth.MaxExpiresIn,
		"maxApiNonces":     oauth.MaxAPINonces,
		"vaultPattern":     oauth.VaultPattern,
		"vaultMissing":     msgVaultMissing,
		"vaultDenied":      msgVaultDenied,
		"vaultEmpty":       msgVaultEmpty,
	}
}

// CollectionScript is the collection-level pre-request script: config, signer, token logic.
// It is the same for every collection, so it is made once.
func CollectionScript() string { return collectionScript() }

var collectionScript = sync.OnceValue(func() string {
	cfg, _ := json.Marshal(scriptConfig())
	var b strings.Builder
	b.WriteString("var postmintConfig = ")
	b.Write(cfg)
	b.WriteString(";\n")
	b.WriteString(templates.SignerJS)
	b.WriteString(templates.ResponseJS)
	b.WriteString(templates.CollectionJS)
	return scriptHeader + templates.MinifyJS(b.String())
})

// scriptHeader opens the collection script. The script itself is minified (its names kept:
// Postman's script editor can reformat it); its source is templates/*.js.
const scriptHeader = "// Generated by postmint: signs JWT client assertions (RFC 7523) and DPoP proofs (RFC 9449) offline. Do not edit; regenerate. Source: templates/signer.js, response.js, collection.js of postmint.\n"

// Token request kinds of the Auth requests, as the collection script's request() names them.
const (
	kindGrant   = "grant"
	kindCode    = "code"
	kindRefresh = "refresh"
)

// Event names of a script (v2.1.0 event.listen).
const (
	listenPrerequest = pmc.PreRequest
	listenTest       = pmc.Test
)

// smallScripts are the request and folder scripts, each minified once (as the collection
// script is): the Auth token requests' test scripts per kind, the authorization request's and
// the API folder's. The token requests have no pre-request script of their own: the
// collection-level script builds their body (one sandbox run instead of two, issue 22).
var smallScripts = sync.OnceValue(func() map[string]string {
	out := map[string]string{
		"authorize prerequest": templates.MinifyJS(templates.AuthorizePrerequestJS),
		"authorize test":       templates.MinifyJS(templates.AuthorizeTestJS),
		"api test":             templates.MinifyJS(templates.APITestJS),
	}
	for _, kind := range []string{kindGrant, kindCode, kindRefresh} {
		k, _ := json.Marshal(kind)
		out[kind+" test"] = templates.MinifyJS("var postmintKind = " + string(k) + ";\n" + templates.GetTokenTestJS)
	}
	return out
})

// BuildCollection renders the Postman collection (format v2.1.0) as tab-indented JSON.
func BuildCollection(in CollectionInput) ([]byte, error) {
	pieces, err := BuildCollectionPieces(in)
	if err != nil {
		return nil, err
	}
	if len(pieces) == 1 {
		return pieces[0], nil
	}
	return bytes.Join(pieces, nil), nil
}

// BuildCollectionPieces renders the collection as BuildCollection does, in pieces whose
// concatenation is the file. Without Prepared that is one piece, the collection encoded once.
// With Prepared, the middle piece is the prepared items' own bytes, shared by every collection
// made with them (callers must not modify it): a kit writes it from there instead of encoding
// hundreds of kilobytes again for every partner.
func BuildCollectionPieces(in CollectionInput) ([][]byte, error) {
	c := collectionJSON{
		Auth: &authJSON{Type: "bearer", Bearer: []authParamJSON{{Key: "token", Value: ph(VarBearerToken), Type: "string"}}},
		Info: infoJSON{Name: in.Name, Description: descriptionJSON{Content: in.Description, Type: "text/markdown"}, Schema: schemaV210},
		// The script stays one string: Newman and the Postman CLI pay per element of exec.
		Event: []eventJSON{script(listenPrerequest, strings.TrimRight(CollectionScript(), "\n"))},
	}
	if in.Profile.DPoP() {
		// RFC 9449 §7.1: a DPoP-bound token goes in the DPoP scheme; the collection script adds
		// the request's own proof (its DPoP header) before each request.
		c.Auth = &authJSON{Type: "apikey", APIKey: []authParamJSON{
			{Key: "key", Value: "Authorization", Type: "string"},
			{Key: "value", Value: oauth.TokenTypeDPoP + " " + ph(VarBearerToken), Type: "string"},
			{Key: "in", Value: "header", Type: "string"},
		}}
	}

	auth := &itemJSON{Name: FolderAuth, Description: "Fetches a token with a freshly signed client assertion and stores it in `bearerToken` (and `bearerTokenExpiresAt`). The API requests do this by themselves when needed; send these to see the token exchange, or to fetch a token ahead of time."}
	if in.Profile.GrantType == oauth.WireAuthorizationCode {
		auth.Description = "Authorize (open the logged URL in a browser), paste the code into authorizationCode, Exchange code; Refresh token renews the tokens. Every token request carries a freshly signed client assertion."
		auth.Item = []*itemJSON{
			authorizeItem(in.Profile.PAREndpoint != ""),
			tokenItem(ItemExchangeCode, kindCode, "Exchanges {{authorizationCode}} (with the PKCE verifier) for tokens, authenticated with a fresh client assertion.",
				in.Profile, in.Profile.CodeFields(ph(VarClientAssertion), ph(VarAuthorizationCode), ph(VarCodeVerifier))),
			tokenItem(ItemRefreshToken, kindRefresh, "Exchanges {{refreshToken}} for new tokens, authenticated with a fresh client assertion.",
				in.Profile, in.Profile.RefreshFields(ph(VarClientAssertion), ph(VarRefreshToken))),
		}
	} else {
		auth.Item = []*itemJSON{tokenItem(ItemGetToken, kindGrant, "Signs a fresh client assertion and posts the token request to `idpServer`. The collection-level pre-request script builds the body from the environment (the form below only shows which variable goes where: change the environment, not the form); the test script stores `bearerToken` and `bearerTokenExpiresAt`, or fails with the server's error in words.",
			in.Profile, in.Profile.FormFields(ph(VarClientAssertion)))}
	}

	api := &itemJSON{
		Name: FolderAPI,
		// The 401/403 check is the API folder's test script, not the collection's: the Auth
		// requests, which check their own answers, then run one script less (about 5 ms in
		// Newman's sandbox each, bench/newman-signing.sh).
		Event:       []eventJSON{script(listenTest, smallScripts()["api test"])},
		Description: "Your API requests. They inherit the collection's Bearer `bearerToken`; before each one the collection's script fetches a token when there is none or it expires within 30 seconds (with `privateKey` set), or fails the request's test when it cannot. Each request also fails its test on a 401 or 403 from the API, with the server's `WWW-Authenticate` challenge.",
	}
	if in.Profile.DPoP() {
		api.Description = strings.Replace(api.Description, "Bearer `bearerToken`;", "`Authorization: DPoP {{bearerToken}}`, and the collection's script adds a fresh DPoP proof (RFC 9449) for each request's method and URL;", 1)
	}
	c.Item = []*itemJSON{auth, api}
	for _, v := range in.Variables {
		c.Variable = append(c.Variable, variableJSON{Key: v.Key, Type: "string", Value: v.Value, Description: v.Description})
	}

	shared := in.Prepared
	if shared != nil && len(in.Requests) > 0 {
		own, err := PrepareItems(in.Folders, in.Requests)
		if err != nil {
			return nil, err
		}
		shared = own.then(shared)
	}
	if shared == nil || len(shared.elems) == 0 {
		api.Item = append([]*itemJSON{}, apiItems(in.Folders, in.Requests)...)
		doc, err := encode(c, "")
		if err != nil {
			return nil, fmt.Errorf("rendering the collection: %w", err)
		}
		return [][]byte{doc}, nil
	}
	// The API folder's items are the shared, already encoded ones: the collection is encoded
	// with one placeholder item in their place, at the same depth, and is the text before it,
	// the items, and the text after it.
	api.Item = []*itemJSON{{Name: preparedMarker}}
	doc, err := encode(c, "")
	if err != nil {
		return nil, fmt.Errorf("rendering the collection: %w", err)
	}
	at := bytes.Index(doc, placeholder())
	if at < 0 {
		return nil, fmt.Errorf("rendering the collection: placeholder for the prepared API items not found")
	}
	pieces := [][]byte{doc[:at], shared.block, doc[at+len(placeholder()):]}
	if in.Prepared == nil {
		return [][]byte{bytes.Join(pieces, nil)}, nil
	}
	return pieces, nil
}

// preparedMarker names the placeholder item that BuildCollectionPieces replaces with prepared
// items.
const preparedMarker = "\x00postmint: prepared API items\x00"

// placeholder is the placeholder item as encode writes it among the API folder's items.
var placeholder = sync.OnceValue(func() []byte {
	b, _ := encode(&itemJSON{Name: preparedMarker}, apiItemIndent)
	return append([]byte(apiItemIndent), bytes.TrimSuffix(b, []byte("\n"))...)
})

// PreparedItems are API requests (and their sub-folders) encoded once, to be placed into many
// collections: encoding hundreds of OpenAPI operations is most of a kit's cost, and kits made
// from one document share them byte for byte.
type PreparedItems struct {
	elems [][]byte // one encoded element of the API folder's item array each
	block []byte   // the elements as they stand in the array: ",\n"-separated, indented
	count int      // requests
}

// Len is the number of requests prepared.
func (p *PreparedItems) Len() int { return p.count }

// apiItemIndent is the indentation of the API folder's items in a collection
// (collection > item > folder > item: four levels).
const apiItemIndent = Indent + Indent + Indent + Indent

// PrepareItems encodes requests the way BuildCollectionPieces places them in the API folder
// after its own Requests (with folders ordered and described by folders), at their depth.
func PrepareItems(folders []Folder, reqs []APIRequest) (*PreparedItems, error) {
	p := &PreparedItems{count: len(reqs)}
	for _, it := range apiItems(folders, reqs) {
		b, err := encode(it, apiItemIndent)
		if err != nil {
			return nil, fmt.Errorf("rendering the API items: %w", err)
		}
		p.elems = append(p.elems, bytes.TrimSuffix(b, []byte("\n")))
	}
	p.block = joinElements(p.elems)
	return p, nil
}

// then is p's items followed by q's.
func (p *PreparedItems) then(q *PreparedItems) *PreparedItems {
	elems := append(append([][]byte{}, p.elems...), q.elems...)
	return &PreparedItems{elems: elems, block: joinElements(elems), count: p.count + q.count}
}

// joinElements lays out array elements as encode does: one per line at apiItemIndent (the
// first line's indentation is the placeholder's), separated by commas.
func joinElements(elems [][]byte) []byte {
	size := 0
	for _, e := range elems {
		size += len(apiItemIndent) + len(e) + 2
	}
	out := make([]byte, 0, size)
	for i, e := range elems {
		if i > 0 {
			out = append(out, ",\n"...)
		}
		out = append(out, apiItemIndent...)
		out = append(out, e...)
	}
	return out
}

// ph is a Postman variable placeholder.
func ph(name string) string { return "{{" + name + "}}" }

// tokenItem is a token request. The collection-level pre-request script builds the body it
// sends with request(), from the environment alone (it knows the item by the {{clientAssertion}}
// in its form, and the kind by grant_type); the form stored in the collection shows which
// variable each parameter comes from. The item's own script is its test.
func tokenItem(name, kind, desc string, p *oauth.Profile, fields []oauth.Field) *itemJSON {
	shown := map[string]string{
		"grant_type":            ph(VarGrantType),
		"client_id":             ph(VarClientID),
		"client_assertion_type": ph(VarClientAssertionType),
		"redirect_uri":          ph(VarRedirectURI),
		"scope":                 ph(VarScope),
	}
	if kind != kindGrant {
		delete(shown, "grant_type")
	}
	form := make([]formJSON, 0, len(fields))
	for _, f := range fields {
		val := f.Value
		if v, ok := shown[f.Key]; ok {
			if _, extra := p.ExtraForm[f.Key]; !extra {
				val = v
			}
		}
		form = append(form, formJSON{Key: f.Key, Value: val, Type: "text"})
	}
	return &itemJSON{
		Name:        name,
		Description: desc,
		Event:       []eventJSON{script(listenTest, smallScripts()[kind+" test"])},
		Request: &requestJSON{
			URL:    parseURL(ph(VarIDPServer)),
			Auth:   &authJSON{Type: "noauth"},
			Method: "POST",
			Header: []headerJSON{{Key: "Accept", Value: "application/json"}},
			Body:   &bodyJSON{Mode: "urlencoded", URLEncoded: form},
		},
	}
}

// authorizeItem is the authorization request (RFC 6749 4.1.1, PKCE S256, OIDC state/nonce).
// Redirects are not followed: the user finishes the login in a browser.
//
// With par, its pre-request script first pushes those parameters, authenticated with a fresh
// client assertion, to the PAR endpoint (RFC 9126 §2), and the URL carries only client_id and
// the request_uri it returned (§4).
func authorizeItem(par bool) *itemJSON {
	raw := ph(VarAuthorizationEndpoint) + "?response_type=code&client_id=" + ph(VarClientID) + "&redirect_uri=" + ph(VarRedirectURI) +
		"&scope=" + ph(VarScope) + "&state=" + ph(VarState) + "&nonce=" + ph(VarNonce) + "&code_challenge=" + ph(VarCodeChallenge) + "&code_challenge_method=S256"
	desc := "Makes a fresh state, nonce and PKCE verifier and logs the authorization URL: open it in a browser, log in, and paste the code from the redirect into authorizationCode."
	if par {
		raw = ph(VarAuthorizationEndpoint) + "?client_id=" + ph(VarClientID) + "&request_uri=" + ph(VarRequestURI)
		desc = "Makes a fresh state, nonce and PKCE verifier, pushes the authorization request to `parEndpoint` (RFC 9126) with a fresh client assertion, and logs the authorization URL with the `request_uri` it got: open it in a browser, log in, and paste the code from the redirect into authorizationCode."
	}
	return &itemJSON{
		Name:        ItemAuthorize,
		Description: desc,
		Event: []eventJSON{
			script(listenPrerequest, smallScripts()["authorize prerequest"]),
			script(listenTest, smallScripts()["authorize test"]),
		},
		ProtocolProfileBehavior: map[string]bool{"followRedirects": false},
		Request: &requestJSON{
			URL:    parseURL(raw),
			Auth:   &authJSON{Type: "noauth"},
			Method: "GET",
		},
	}
}
