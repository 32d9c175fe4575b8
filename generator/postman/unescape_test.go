package postman

import (
	"encoding/json"
	"testing"
)

func TestReadableJSON(t *testing.T) {
	for _, s := range []string{
		`a && b < c > d`,
		`literal \u0026 stays`, // a backslash in the value
		`\\u003c`,              // two backslashes then u003c
		"quote \" and newline \n &",
		`\"&\"`,
		"",
	} {
		enc, err := json.Marshal(map[string]string{"k": s})
		if err != nil {
			t.Fatal(err)
		}
		got := readableJSON(enc)
		var back map[string]string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q: %s is not JSON: %v", s, got, err)
		}
		if back["k"] != s {
			t.Errorf("%q: round trip gave %q (from %s)", s, back["k"], got)
		}
	}
	if got := string(readableJSON([]byte(`{"a":"x \u0026\u0026 y"}`))); got != `{"a":"x && y"}` {
		t.Errorf("got %s", got)
	}
}
