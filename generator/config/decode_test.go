package config

import (
	"errors"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestDecodeField: each field decodes on its own; errors name the field's path and the line of
// the node at fault, and suggest the field meant, nested ones too.
func TestDecodeField(t *testing.T) {
	for _, tc := range []struct {
		src, want string
		kind      error
	}{
		{"name: Acme\n", "", nil},
		{"\nclient_idd: x\n", `:2: client_idd: unknown field; did you mean "client_id"?`, ErrUnknownField},
		{"headers:\n  x5cc: true\n", `:2: headers.x5cc: unknown field; did you mean "x5c"?`, ErrUnknownField},
		{"requests:\n  - name: a\n    urll: x\n", `:3: requests[0].urll: unknown field; did you mean "url"?`, ErrUnknownField},
		{"lifetime: forever\n", `:1: lifetime: lifetime "forever" is not a duration; write e.g. 60s or 2m`, ErrBadValue},
		{"name:\n  - a\n", `:2: name: cannot unmarshal a list into string`, ErrBadValue},
	} {
		var root yaml.Node
		if err := yaml.Unmarshal([]byte(tc.src), &root); err != nil {
			t.Fatal(err)
		}
		m := root.Content[0]
		d := &Definition{}
		err := d.DecodeField(m.Content[0], m.Content[1])
		switch {
		case tc.kind == nil && err != nil:
			t.Errorf("%q: %v", tc.src, err)
		case tc.kind == nil:
			if d.Name != "Acme" {
				t.Errorf("%q: name %q", tc.src, d.Name)
			}
		case err == nil || !errors.Is(err, tc.kind) || err.Error() != tc.want:
			t.Errorf("%q:\n got %v\nwant %s", tc.src, err, tc.want)
		}
	}
}
