package oauth

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestVariablesRoundTrip: every Profile field survives Variables and FromVariables, for both
// kinds of environment.
func TestVariablesRoundTrip(t *testing.T) {
	p := testProfile()
	p.X5C = []string{"MIIBaaa", "MIIBbbb"}
	p.X5TS256, p.X5T = "t256", "t1"
	p.ScopeIn = ScopeBoth
	p.ExtraClaims = map[string]any{"tenant": "Acme & Söhne", "nested": map[string]any{"id": float64(42)}}
	p.ExtraForm = map[string]string{"resource": "https://api.example/"}
	code := *p
	code.GrantType, code.RedirectURI, code.AuthorizationEndpoint = WireAuthorizationCode, "https://app/cb", "https://idp/auth"
	for _, want := range []*Profile{p, &code} {
		vars := Variables(want, Secrets{PrivateKey: "KEY"})
		m := map[string]string{}
		for _, v := range vars {
			if v.Description == "" {
				t.Errorf("%s has no description", v.Key)
			}
			if _, dup := m[v.Key]; dup {
				t.Errorf("%s twice", v.Key)
			}
			m[v.Key] = v.Value
		}
		if m[VarPrivateKey] != "KEY" {
			t.Errorf("privateKey = %q", m[VarPrivateKey])
		}
		_, hasCode := m[VarRedirectURI]
		if hasCode != (want.GrantType == WireAuthorizationCode) {
			t.Errorf("%s: authorization_code variables present = %v", want.GrantType, hasCode)
		}
		got, err := FromVariables(func(k string) string { return m[k] })
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
		}
	}
}

// TestFromVariablesTableDecidesAbsence: a missing variable is an error naming it, unless the
// table says what its absence means; then it reads as that, and as nothing else.
func TestFromVariablesTableDecidesAbsence(t *testing.T) {
	base := map[string]string{}
	for _, v := range Variables(testProfile(), Secrets{}) {
		base[v.Key] = v.Value
	}
	absent := Absents()
	for _, name := range RequiredVariables(false) {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		m[name] = ""
		got, err := FromVariables(func(k string) string { return m[k] })
		if a, ok := absent[name]; ok {
			// The table's own value for an absent variable, and nothing else.
			want := a.Value
			if a.From != "" {
				want = m[a.From]
			}
			m[name] = want
			ref, _ := FromVariables(func(k string) string { return m[k] })
			if err != nil || !reflect.DeepEqual(got, ref) {
				t.Errorf("without %s: %v, want it read as %q", name, err, want)
			}
			continue
		}
		var ve *VariableError
		if !errors.As(err, &ve) || ve.Name != name || !strings.Contains(err.Error(), "postmint generate") {
			t.Errorf("without %s: %v", name, err)
		}
	}
	for _, name := range []string{VarIDPServer, VarClientID, VarAud, VarAlg, VarGrantType} {
		if _, ok := absent[name]; ok {
			t.Errorf("%s has an absent value: it is the client's identity and must be given", name)
		}
	}
	for name, bad := range map[string]string{VarScopeIn: "header", VarSendClientID: "yes", VarAssertionLifetime: "-5", VarAlg: "HS256",
		VarGrantType: "password", VarExtraClaims: "[1]", VarExtraForm: `{"a":1}`, VarX5C: "MIIB", VarClientAssertionType: "x"} {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		m[name] = bad
		_, err := FromVariables(func(k string) string { return m[k] })
		var ve *VariableError
		if !errors.As(err, &ve) || ve.Name != name {
			t.Errorf("%s=%q: %v", name, bad, err)
		}
	}
}
