package postman

import "strings"

// parseURL splits a raw URL the way the Postman app stores it (protocol, host labels, port,
// path segments, query), keeping {{variables}} intact. Newman and the Postman CLI send a
// v2.1.0 request whose url object has only "raw" to an empty URL, so the parts are required.
func parseURL(raw string) *urlJSON {
	u := &urlJSON{Raw: raw}
	rest := raw
	if i := strings.Index(rest, "#"); i >= 0 {
		u.Hash, rest = rest[i+1:], rest[:i]
	}
	if i := strings.Index(rest, "?"); i >= 0 {
		for _, kv := range strings.Split(rest[i+1:], "&") {
			if kv == "" {
				continue
			}
			k, v, _ := strings.Cut(kv, "=")
			u.Query = append(u.Query, queryJSON{Key: k, Value: v})
		}
		rest = rest[:i]
	}
	if i := strings.Index(rest, "://"); i >= 0 {
		u.Protocol, rest = rest[:i], rest[i+3:]
	}
	hostport, path, hasPath := strings.Cut(rest, "/")
	if hasPath {
		u.Path = strings.Split(path, "/")
	}
	// A port is digits (or a variable) after the last colon outside {{...}} and [...].
	if i := strings.LastIndex(hostport, ":"); i >= 0 && !strings.Contains(hostport[i:], "}}") && !strings.Contains(hostport[i:], "]") {
		u.Port, hostport = hostport[i+1:], hostport[:i]
	}
	if strings.HasPrefix(hostport, "{{") || strings.HasPrefix(hostport, "[") {
		u.Host = []string{hostport}
	} else {
		u.Host = strings.Split(hostport, ".")
	}
	return u
}
