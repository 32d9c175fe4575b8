package postman

import (
	"encoding/json"
	"sort"
	"strings"
)

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
		req.Body = &bodyJSON{Mode: "formdata", FormData: formFields(r.Form)}
	case len(r.Form) > 0:
		req.Body = &bodyJSON{Mode: "urlencoded", URLEncoded: formFields(r.Form)}
	case r.BodyFile:
		req.Body = &bodyJSON{Mode: "file", File: &fileJSON{}}
	case r.Body != "":
		req.Body = &bodyJSON{Mode: "raw", Raw: r.Body}
		if json.Valid([]byte(r.Body)) {
			req.Body.Options = &bodyOptionsJSON{Raw: rawOptionsJSON{Language: "json"}}
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
	u := parseURL(r.URL)
	u.Raw = raw
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
