package postman

import (
	"encoding/json"
	"sort"
	"strings"

	pc "github.com/rbretecher/go-postman-collection"
)

// The API folder's requests are rendered from these structs of postmint's own rather than
// go-postman-collection's: its query parameters and form fields cannot be disabled, and an
// optional parameter is a disabled entry that the partner ticks. Field order follows the
// Postman app's exports (and go-postman-collection's).

type itemJSON struct {
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"` // folders; a request's is in request
	Item        []*itemJSON  `json:"item,omitempty"`
	Request     *requestJSON `json:"request,omitempty"`
}

type requestJSON struct {
	URL         *urlJSON     `json:"url"`
	Method      string       `json:"method"`
	Description string       `json:"description,omitempty"`
	Header      []headerJSON `json:"header,omitempty"`
	Body        *pc.Body     `json:"body,omitempty"`
}

type headerJSON struct {
	Key         string `json:"key"`
	Value       string `json:"value"`
	Disabled    bool   `json:"disabled,omitempty"`
	Description string `json:"description,omitempty"`
}

type urlJSON struct {
	Raw      string      `json:"raw"`
	Protocol string      `json:"protocol,omitempty"`
	Host     []string    `json:"host,omitempty"`
	Path     []string    `json:"path,omitempty"`
	Port     string      `json:"port,omitempty"`
	Query    []queryJSON `json:"query,omitempty"`
	Hash     string      `json:"hash,omitempty"`
	Variable []varJSON   `json:"variable,omitempty"`
}

type queryJSON struct {
	Key         string `json:"key"`
	Value       string `json:"value"`
	Disabled    bool   `json:"disabled,omitempty"`
	Description string `json:"description,omitempty"`
}

type varJSON struct {
	Key         string `json:"key"`
	Value       string `json:"value"`
	Description string `json:"description,omitempty"`
}

// formJSON is a urlencoded or form-data field; a file field has type file and no value.
type formJSON struct {
	Key         string `json:"key"`
	Value       string `json:"value,omitempty"`
	Type        string `json:"type"`
	Disabled    bool   `json:"disabled,omitempty"`
	Description string `json:"description,omitempty"`
}

// apiItems places the requests in their order, each in its sub-folder, created where its
// first request comes (with its description from folders).
func apiItems(folders []Folder, reqs []APIRequest) []*itemJSON {
	desc := map[string]string{}
	for _, f := range folders {
		desc[f.Name] = f.Description
	}
	var out []*itemJSON
	groups := map[string]*itemJSON{}
	for _, r := range reqs {
		it := apiItem(r)
		if r.Folder == "" {
			out = append(out, it)
			continue
		}
		g, ok := groups[r.Folder]
		if !ok {
			g = &itemJSON{Name: r.Folder, Description: desc[r.Folder]}
			groups[r.Folder] = g
			out = append(out, g)
		}
		g.Item = append(g.Item, it)
	}
	return out
}

func apiItem(r APIRequest) *itemJSON {
	keys := make([]string, 0, len(r.Headers))
	for k := range r.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var headers []headerJSON
	for _, k := range keys {
		headers = append(headers, headerJSON{Key: k, Value: r.Headers[k]})
	}
	for _, h := range r.OptionalHeaders {
		headers = append(headers, headerJSON{Key: h.Key, Value: h.Value, Disabled: true, Description: h.Description})
	}
	req := &requestJSON{URL: apiURL(r), Method: r.Method, Header: headers, Description: r.Description}
	switch {
	case len(r.Form) > 0 && r.Multipart:
		req.Body = &pc.Body{Mode: "formdata", FormData: formFields(r.Form)}
	case len(r.Form) > 0:
		req.Body = &pc.Body{Mode: "urlencoded", URLEncoded: formFields(r.Form)}
	case r.BodyFile:
		req.Body = &pc.Body{Mode: "file", File: map[string]any{"src": nil}}
	case r.Body != "":
		req.Body = &pc.Body{Mode: "raw", Raw: r.Body}
		if json.Valid([]byte(r.Body)) {
			req.Body.Options = &pc.BodyOptions{Raw: pc.BodyOptionsRaw{Language: pc.JSON}}
		}
	}
	return &itemJSON{Name: r.Name, Request: req}
}

// apiURL is the request's URL with its query string (enabled parameters only, as Postman
// writes url.raw) and path variables.
func apiURL(r APIRequest) *urlJSON {
	raw := r.URL
	var parts []string
	for _, q := range r.Query {
		if !q.Disabled {
			parts = append(parts, q.Key+"="+q.Value)
		}
	}
	if len(parts) > 0 {
		sep := "?"
		if strings.Contains(raw, "?") {
			sep = "&"
		}
		raw += sep + strings.Join(parts, "&")
	}
	p := parseURL(r.URL)
	u := &urlJSON{Raw: raw, Protocol: p.Protocol, Host: p.Host, Path: p.Path, Port: p.Port, Hash: p.Hash}
	for _, q := range p.Query {
		u.Query = append(u.Query, queryJSON{Key: q.Key, Value: q.Value})
	}
	for _, q := range r.Query {
		u.Query = append(u.Query, queryJSON{Key: q.Key, Value: q.Value, Disabled: q.Disabled, Description: q.Description})
	}
	for _, v := range r.PathVariables {
		u.Variable = append(u.Variable, varJSON{Key: v.Key, Value: v.Value, Description: v.Description})
	}
	return u
}

// formFields renders urlencoded or form-data fields.
func formFields(ps []Param) []formJSON {
	out := make([]formJSON, 0, len(ps))
	for _, p := range ps {
		f := formJSON{Key: p.Key, Value: p.Value, Type: "text", Disabled: p.Disabled, Description: p.Description}
		if p.File {
			f.Type, f.Value = "file", ""
		}
		out = append(out, f)
	}
	return out
}
