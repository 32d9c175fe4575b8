package token

import (
	"reflect"
	"testing"
)

func TestMissingScopes(t *testing.T) {
	for _, tc := range []struct {
		raw, scope, requested string
		missing               []string
		known                 bool
	}{
		{`{"access_token":"t"}`, "", "a b", nil, false},
		{`{"access_token":"t","scope":"a b"}`, "a b", "a b", nil, true},
		{`{"access_token":"t","scope":"b a c"}`, "b a c", "a b", nil, true},
		{`{"access_token":"t","scope":""}`, "", "a b", []string{"a", "b"}, true},
		{`{"access_token":"t","scope":"a"}`, "a", "a b", []string{"b"}, true},
		{`{"access_token":"t","scope":"a"}`, "a", "", nil, true},
	} {
		r := &Response{Raw: []byte(tc.raw), Scope: tc.scope}
		missing, known := r.MissingScopes(tc.requested)
		if !reflect.DeepEqual(missing, tc.missing) || known != tc.known {
			t.Errorf("%s asked %q: missing %q known %v, want %q %v", tc.raw, tc.requested, missing, known, tc.missing, tc.known)
		}
	}
}
