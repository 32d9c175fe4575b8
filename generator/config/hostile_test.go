package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestHostileDefinitionRefused: text Postman would expand, control characters, header names
// that are not tokens and oversized parts are refused with the field named, and nothing of
// the value (which may be a secret pasted by mistake) beyond the offending characters.
func TestHostileDefinitionRefused(t *testing.T) {
	const min = "version: 1\ntoken_url: https://idp.example.com/connect/token\n"
	many := &strings.Builder{}
	many.WriteString("requests:\n")
	for i := 0; i <= MaxRequests; i++ {
		fmt.Fprintf(many, "  - {name: r%d, url: https://api.example.com/}\n", i)
	}
	cases := []struct {
		name, src, field, want string
	}{
		{"scope braces", base + "scope: \"s1 {{privateKey}}\"\n", "scope[1]", "Postman would expand"},
		{"form braces", base + "form: {audience: \"{{privateKey}}\"}\n", "form.audience", "Postman would expand"},
		{"form key braces", base + "form: {\"{{privateKey}}\": x}\n", "form", "Postman would expand"},
		{"claim braces", base + "claims: {tenant: {id: \"{{privateKey}}\"}}\n", "claims.tenant.id", "Postman would expand"},
		{"claim list braces", base + "claims: {roles: [a, \"{{privateKey}}\"]}\n", "claims.roles[1]", "Postman would expand"},
		{"client_id braces", min + "name: n\nclient_id: \"{{privateKey}}\"\n", "client_id", "Postman would expand"},
		{"kid braces", base + "kid: \"{{privateKey}}\"\n", "kid", "Postman would expand"},
		{"par_endpoint braces", base + "par_endpoint: \"https://idp/{{privateKey}}\"\n", "par_endpoint", "Postman would expand"},
		{"dpop_alg newline", base + "dpop_alg: \"ES256\\nX\"\n", "dpop_alg", "U+000A"},
		{"name braces", min + "client_id: c\nname: \"a {{privateKey}}\"\n", "name", "Postman would expand"},
		{"typ braces", base + "headers: {typ: \"{{privateKey}}\"}\n", "headers.typ", "Postman would expand"},
		{"url braces", base + "requests: [{name: r, url: \"https://api/{{privateKey}}\"}]\n", "requests[0].url", "Postman would expand"},
		{"header value braces", base + "requests: [{name: r, url: https://api/, headers: {X-K: \"{{privateKey}}\"}}]\n", "requests[0].headers.X-K", "Postman would expand"},
		{"body braces", base + "requests: [{name: r, url: https://api/, body: \"{\\\"k\\\": \\\"{{privateKey}}\\\"}\"}]\n", "requests[0].body", "Postman would expand"},
		{"request name braces", base + "requests: [{name: \"{{privateKey}}\", url: https://api/}]\n", "requests[0].name", "Postman would expand"},
		{"name newline", min + "client_id: c\nname: \"Acme\\n# Injected\"\n", "name", "U+000A"},
		{"name escape", min + "client_id: c\nname: \"Acme\\e[31m\"\n", "name", "U+001B"},
		{"name bidi", min + "client_id: c\nname: \"Acme\\u202Egnp.exe\"\n", "name", "U+202E"},
		{"client_id newline", min + "name: n\nclient_id: \"a\\r\\nb\"\n", "client_id", "U+000D"},
		{"kid tab", base + "kid: \"a\\tb\"\n", "kid", "U+0009"},
		{"scope escape", base + "scope: [\"a\\eb\"]\n", "scope[0]", "U+001B"},
		{"header name space", base + "requests: [{name: r, url: https://api/, headers: {\"X K\": v}}]\n", "requests[0].headers", "not a header name"},
		{"header name colon", base + "requests: [{name: r, url: https://api/, headers: {\"X:K\": v}}]\n", "requests[0].headers", "not a header name"},
		{"header value newline", base + "requests: [{name: r, url: https://api/, headers: {X-K: \"a\\r\\nInjected: 1\"}}]\n", "requests[0].headers.X-K", "U+000D"},
		{"body NUL", base + "requests: [{name: r, url: https://api/, body: \"a\\0b\"}]\n", "requests[0].body", "U+0000"},
		{"slug too long", min + "client_id: c\nname: " + strings.Repeat("a", MaxSlugLen+1) + "\n", "name", "file name of 129 characters"},
		{"claims too large", base + "claims: {big: " + strings.Repeat("x", MaxClaimsSize) + "}\n", "claims", "more than the 32768"},
		{"form too large", base + "form: {a: " + strings.Repeat("x", MaxLineSize) + ", b: " + strings.Repeat("x", MaxLineSize) + ", c: " + strings.Repeat("x", MaxLineSize) + ", d: " + strings.Repeat("x", MaxLineSize) + "}\n", "form", "more than the 32768"},
		{"line too long", base + "kid: " + strings.Repeat("k", MaxLineSize+1) + "\n", "kid", "at most 8192"},
		{"too many requests", base + many.String(), "requests", "1001 entries"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := resolve(t, tc.src)
			if err == nil {
				t.Fatal("accepted")
			}
			var fe *FieldError
			if !errors.As(err, &fe) || !errors.Is(err, ErrBadValue) {
				t.Fatalf("error %T %v, want a FieldError with ErrBadValue", err, err)
			}
			if fe.Field != tc.field || !strings.Contains(err.Error(), tc.want) || fe.Line == 0 {
				t.Errorf("error %q (field %q, line %d), want field %q and %q", err, fe.Field, fe.Line, tc.field, tc.want)
			}
			if strings.Contains(err.Error(), "privateKey") || strings.Contains(err.Error(), "\n") {
				t.Errorf("error echoes the value or spans lines: %q", err)
			}
		})
	}
}

// TestOrdinaryDefinitionTextAccepted: what real definitions hold stays accepted: multi-line
// JSON bodies, a single brace, tabs in header values, non-ASCII names, claim objects.
func TestOrdinaryDefinitionTextAccepted(t *testing.T) {
	src := base + `claims: {tenant: {id: "t-1", note: "line one
  line two"}, roles: [a, b]}
form: {audience: "https://api.example.com/{x}"}
scope: [orders.read, "orders.write"]
requests:
  - name: Créer une commande
    method: post
    url: https://api.example.com/orders?x={1}
    headers: {Content-Type: application/json, X-Tab: "a	b", "X-Odd_#$": "1"}
    body: |
      {"items": [{"sku": "A-1", "qty": 2}],
       "note": "{ not a variable }"}
`
	c, err := resolve(t, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Requests) != 1 || !strings.Contains(c.Requests[0].Body, "\n") {
		t.Errorf("requests = %+v", c.Requests)
	}
}

func TestIsToken(t *testing.T) {
	for s, want := range map[string]bool{"Content-Type": true, "X-A.b~c|d^e`f'g*h+i!j#k$l%m&n_": true,
		"": false, "X Y": false, "X:Y": false, "Ä": false, "X(": false, "X\"": false, "X\x7f": false} {
		if got := isToken(s); got != want {
			t.Errorf("isToken(%q) = %v", s, got)
		}
	}
}
