package config

import (
	"strings"
	"testing"
	"unicode"
)

// FuzzHostileText puts any text into each field postmint copies into a collection: whatever
// Resolve accepts holds no "{{" anywhere, and no control character in one-line fields.
func FuzzHostileText(f *testing.F) {
	for _, s := range []string{"s1 {{privateKey}}", "Acme\n# Injected", "a\u202eb", "{ {x} }", "a\tb", "x{{", "{", "}}", "\x00", "\u0085"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		defs := map[string]func(d *Definition){
			"name":      func(d *Definition) { d.Name = "Acme " + s },
			"client_id": func(d *Definition) { d.ClientID = "c" + s },
			"kid":       func(d *Definition) { d.Kid = s },
			"scope":     func(d *Definition) { d.Scope = Scope{"a", s} },
			"form":      func(d *Definition) { d.Form = map[string]string{"audience": s, "k" + s: "v"} },
			"claims":    func(d *Definition) { d.Claims = map[string]any{"c": s, "n": map[string]any{"k" + s: []any{s}}} },
			"request": func(d *Definition) {
				d.Requests = []Request{{Name: "r" + s, URL: "https://api.example.com/" + s, Headers: map[string]string{"X-K": s}, Body: s}}
			},
			"header": func(d *Definition) {
				d.Requests = []Request{{Name: "r", URL: "https://api.example.com/", Headers: map[string]string{s: "v"}}}
			},
		}
		for field, set := range defs {
			d := &Definition{Version: 1, Name: "Acme", ClientID: "c", TokenURL: "https://idp.example.com/t", File: "client.yaml"}
			set(d)
			c, err := d.Resolve()
			if err != nil {
				if strings.Contains(err.Error(), "\n") {
					t.Fatalf("%s: error spans lines: %q", field, err)
				}
				continue
			}
			var lines, texts []string
			lines = append(lines, c.Name, c.ClientID, c.Kid)
			lines = append(lines, c.Scope...)
			for k, v := range c.Form {
				lines = append(lines, k, v)
			}
			for _, r := range c.Requests {
				lines = append(lines, r.Name, r.URL)
				for k, v := range r.Headers {
					lines = append(lines, k, strings.ReplaceAll(v, "\t", " "))
				}
				texts = append(texts, r.Body)
			}
			texts = append(texts, claimStrings(c.Claims)...)
			for _, v := range append(lines, texts...) {
				if strings.Contains(v, "{{") {
					t.Fatalf("%s: accepted %q", field, v)
				}
			}
			for _, v := range lines {
				if strings.IndexFunc(v, unicode.IsControl) >= 0 {
					t.Fatalf("%s: accepted the control character in %q", field, v)
				}
			}
			for _, r := range c.Requests {
				for k := range r.Headers {
					if !isToken(k) {
						t.Fatalf("header name %q accepted", k)
					}
				}
			}
		}
	})
}

func claimStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case map[string]any:
		var out []string
		for k, e := range v {
			out = append(out, k)
			out = append(out, claimStrings(e)...)
		}
		return out
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, claimStrings(e)...)
		}
		return out
	}
	return nil
}
