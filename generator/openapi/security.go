package openapi

import (
	"strings"

	"github.com/postmint/postmint/generator/postman"
)

// The collection authenticates every request with the OAuth token (its Bearer or DPoP auth),
// which stands for the document's oauth2, openIdConnect and http bearer schemes. An apiKey
// scheme (3.x components.securitySchemes, 2.0 securityDefinitions) is one more header or query
// parameter: it becomes an entry {{name}} and a collection variable the partner sets once,
// sent when every alternative of the operation's security needs a key, disabled when another
// alternative does without one.

// apiKey is an apiKey security scheme.
type apiKey struct {
	scheme, name, in, description string
}

// apiKeys adds the apiKey schemes an operation's security names to the request.
func (p *parser) apiKeys(r *postman.APIRequest, op at) {
	top := p.refs.root.root
	reqs := field(op.n, "security")
	if reqs == nil {
		reqs = field(top, "security")
	}
	alts := items(reqs)
	if len(alts) == 0 {
		return
	}
	defs := field(top, "securityDefinitions")
	if !p.is2 {
		defs = field(field(top, "components"), "securitySchemes")
	}
	var keys []apiKey
	seen := map[string]bool{}
	needed := true // every alternative names an apiKey scheme
	for _, alt := range alts {
		has := false
		for _, kv := range pairs(alt) {
			def := field(defs, kv[0].Value)
			if def == nil {
				continue
			}
			d := p.refs.deref(at{def, p.refs.root}).n
			if str(d, "type") != "apiKey" {
				continue
			}
			has = true
			k := apiKey{scheme: kv[0].Value, name: str(d, "name"), in: str(d, "in"), description: oneParagraph(str(d, "description"))}
			if k.in == "header" && strings.EqualFold(k.name, "Authorization") {
				// Okta's SSWS token: the collection's auth owns Authorization.
				continue
			}
			if k.name != "" && !seen[k.in+"\x00"+k.name] {
				seen[k.in+"\x00"+k.name] = true
				keys = append(keys, k)
			}
		}
		if !has {
			needed = false
		}
	}
	for _, k := range keys {
		desc := strings.TrimSpace("API key (security scheme " + k.scheme + "). " + k.description)
		value := "{{" + k.name + "}}"
		if !fillable(k.name) {
			value = ""
		} else {
			p.collectionVariable(postman.Param{Key: k.name, Description: "Your API key for the security scheme " + k.scheme + ": set it once here (or in the environment)."})
		}
		switch k.in {
		case "header":
			if needed && value != "" {
				r.Headers[defuseText(k.name)] = value
			} else {
				r.OptionalHeaders = append(r.OptionalHeaders, postman.Param{Key: defuseText(k.name), Value: value, Description: desc, Disabled: true})
			}
		case "query":
			r.Query = append(r.Query, postman.Param{Key: queryComponent(k.name, true), Value: value, Description: desc, Disabled: !needed || value == ""})
		}
	}
}
