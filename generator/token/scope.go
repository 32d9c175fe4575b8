package token

import (
	"encoding/json"
	"slices"
	"strings"
)

// MissingScopes compares the scope a token response grants with the space-separated scope
// requested. RFC 6749 §5.1 lets a server leave scope out when it granted exactly what was
// asked, so known is false (and nothing is missing) when the response has no scope member;
// otherwise missing lists the requested scopes the token does not carry.
func (r *Response) MissingScopes(requested string) (missing []string, known bool) {
	var body map[string]json.RawMessage
	if json.Unmarshal(r.Raw, &body) != nil {
		return nil, false
	}
	if _, ok := body["scope"]; !ok {
		return nil, false
	}
	granted := strings.Fields(r.Scope)
	for _, s := range strings.Fields(requested) {
		if !slices.Contains(granted, s) {
			missing = append(missing, s)
		}
	}
	return missing, true
}
