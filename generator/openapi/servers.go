package openapi

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/postmint/postmint/generator/postman"
)

// servers sets BaseURL and the collection variables from the first server.
func (o *API) servers(top *yaml.Node, location *url.URL) {
	base := "/"
	var vars []postman.Param
	list := items(field(top, "servers"))
	if len(list) > 0 && list[0] != nil && list[0].Kind == yaml.MappingNode {
		base, vars = serverURL(list[0])
	} else {
		o.Warnings = append(o.Warnings, "the OpenAPI document names no servers: set the collection variable baseUrl to the API's URL")
	}
	if !strings.Contains(base, "://") && !strings.HasPrefix(base, "{{") {
		if location != nil && (location.Scheme == "http" || location.Scheme == "https") {
			if ref, err := url.Parse(base); err == nil {
				base = location.ResolveReference(ref).String()
			}
		} else if len(list) > 0 {
			o.Warnings = append(o.Warnings, fmt.Sprintf("the server URL %q is relative: set the collection variable baseUrl to the API's absolute URL", base))
		}
	}
	o.BaseURL = strings.TrimRight(base, "/")
	o.Variables = append([]postman.Param{{Key: VarBaseURL, Value: o.BaseURL, Description: "The API's base URL (the OpenAPI document's first server); every request in API starts with it."}}, vars...)
}

// serverURL is a Server Object's URL, its variables as {{name}} (their defaults in place
// where the name cannot be a variable), and those variables.
func serverURL(s *yaml.Node) (string, []postman.Param) {
	var vars []postman.Param
	base := defuseURL(str(s, "url"))
	svars := byKey(field(s, "variables"))
	for _, name := range sortedKeys(svars) {
		v := svars[name]
		if v == nil || v.Kind != yaml.MappingNode {
			continue
		}
		// A default is substituted next to other text and other defaults, where a "{" of one
		// and a "{" of the next would make a pair: none of its braces is left.
		def := braces.Replace(str(v, "default"))
		if reservedVariable(name) || !isVarName(name) {
			base = strings.ReplaceAll(base, "{"+name+"}", def)
			continue
		}
		base = strings.ReplaceAll(base, "{"+name+"}", "{{"+name+"}}")
		desc := oneParagraph(str(v, "description"))
		if enum := stringList(v, "enum"); len(enum) > 0 {
			desc = strings.TrimSpace(desc + " One of: " + strings.Join(enum, ", ") + ".")
		}
		vars = append(vars, postman.Param{Key: name, Value: def, Description: desc})
	}
	return base, vars
}

// reservedVariable is true for the environment variables postmint's scripts use: a
// collection variable of the same name would be confusing even though the environment wins.
func reservedVariable(name string) bool {
	if strings.HasPrefix(name, "vault:") || strings.HasPrefix(name, "postmint") {
		return true
	}
	switch name {
	case postman.VarIDPServer, postman.VarClientID, postman.VarIss, postman.VarSub, postman.VarAud, postman.VarAlg,
		postman.VarKid, postman.VarTyp, postman.VarX5C, postman.VarX5TS256, postman.VarX5T, postman.VarScope,
		postman.VarScopeIn, postman.VarSendClientID, postman.VarGrantType, postman.VarAssertionLifetime,
		postman.VarExtraClaims, postman.VarExtraForm, postman.VarClientAssertionType, postman.VarPrivateKey,
		postman.VarClientAssertion, postman.VarBearerToken, postman.VarBearerTokenExpires, VarBaseURL,
		postman.VarAuthorizationEndpoint, postman.VarRedirectURI, postman.VarAuthorizationCode, postman.VarCodeVerifier,
		postman.VarCodeChallenge, postman.VarState, postman.VarNonce, postman.VarRefreshToken, postman.VarDPoPAlg,
		postman.VarDPoPKey, postman.VarTokenType, postman.VarDPoPNonce, postman.VarDPoPAPINonces, postman.VarPAREndpoint,
		postman.VarRequestURI:
		return true
	}
	return false
}

var braces = strings.NewReplacer("{", "%7B", "}", "%7D")

var varName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

func isVarName(s string) bool { return varName.MatchString(s) }
