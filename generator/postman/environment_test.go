package postman

import (
	"strings"
	"testing"
)

// A variable's key is found whether the file wrote it as plain text or with JSON escapes, and
// Set changes that variable in place instead of adding a second one.
func TestEnvironmentFindsKeysAsWritten(t *testing.T) {
	env, err := ParseEnvironment([]byte(`{"name": "e", "values": [
		{"key": "clientId", "value": "plain"},
		{"key": "s\u0063ope", "value": "escaped"},
		{"key": "caf\u00e9", "value": "non-ascii"},
		{"key": "a\"b", "value": "quote"}
	]}`))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"clientId": "plain", "scope": "escaped", "café": "non-ascii", `a"b`: "quote"} {
		if got, ok := env.Get(key); !ok || got != want {
			t.Errorf("Get(%q) = %q, %v; want %q", key, got, ok, want)
		}
	}
	for _, key := range []string{"clientid", "s\\u0063ope", "a", ""} {
		if got, ok := env.Get(key); ok {
			t.Errorf("Get(%q) = %q, want no such variable", key, got)
		}
	}

	env.Set("scope", "changed", "")
	env.Set("clientId", "changed too", "")
	out, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(env.Variables()); n != 4 {
		t.Errorf("%d variables after Set on existing keys, want 4:\n%s", n, out)
	}
	if got := env.Lookup("scope"); got != "changed" {
		t.Errorf("scope = %q after Set, want changed", got)
	}
	if got := env.Lookup("clientId"); got != "changed too" {
		t.Errorf("clientId = %q after Set, want changed too", got)
	}
	if !strings.Contains(string(out), `"s\u0063ope"`) {
		t.Errorf("the escaped key was rewritten; an in-place update changes only values:\n%s", out)
	}
}
