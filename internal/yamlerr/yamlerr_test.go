package yamlerr

import "testing"

func TestLine(t *testing.T) {
	for _, tc := range []struct {
		in   string
		line int
		rest string
	}{
		{"yaml: line 7: did not find expected key", 7, "did not find expected key"},
		{"line 3: cannot unmarshal !!seq into string", 3, "cannot unmarshal !!seq into string"},
		{"yaml: control characters are not allowed", 0, "control characters are not allowed"},
		{"line x: no number", 0, "line x: no number"},
	} {
		if n, rest := Line(tc.in); n != tc.line || rest != tc.rest {
			t.Errorf("Line(%q) = %d, %q", tc.in, n, rest)
		}
	}
	if got := Readable("cannot unmarshal !!seq into !!str"); got != "cannot unmarshal a list into a string" {
		t.Errorf("Readable = %q", got)
	}
}
