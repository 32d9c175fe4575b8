package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestFlagsFirst(t *testing.T) {
	app := newApp(io.Discard, io.Discard)
	for _, tc := range []struct{ in, want string }{
		{"kit -c a.yaml b.yaml -o OUT", "kit -c a.yaml -o OUT b.yaml"},
		{"kit a.yaml b.yaml -o OUT --zip -j 2", "kit -o OUT --zip -j 2 a.yaml b.yaml"},
		{"kit a.yaml --out=OUT b.yaml", "kit --out=OUT a.yaml b.yaml"},
		{"kit -o OUT -- a.yaml --zip", "kit -o OUT -- a.yaml --zip"},
		{"kit a.yaml -o OUT -- -b.yaml", "kit -o OUT -- a.yaml -b.yaml"},
		{"verify - --jwks k.json -c a.yaml", "verify --jwks k.json -c a.yaml -"},
		{"verify eyJx --key pub.pem", "verify --key pub.pem eyJx"},
		{"presets duende --help", "presets --help"},
		{"generate -c a.yaml -o out", "generate -c a.yaml -o out"},
		{"--version", "--version"},
		{"genrate -c a.yaml x", "genrate -c a.yaml x"},
		// The completion flag must stay last, where urfave/cli looks for it.
		{"kit a.yaml -c --generate-bash-completion", "kit a.yaml -c --generate-bash-completion"},
	} {
		got := strings.Join(flagsFirst(app, append([]string{"postmint"}, strings.Fields(tc.in)...))[1:], " ")
		if got != tc.want {
			t.Errorf("%s\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

// An unknown flag after an argument is a usage error (exit 2) naming the flag.
func TestFlagsAfterArgsUsageError(t *testing.T) {
	var out, errb bytes.Buffer
	code := Run([]string{"postmint", "kit", "a.yaml", "-o", t.TempDir(), "--zipp"}, &out, &errb)
	if code != 2 || !strings.HasPrefix(errb.String(), "postmint: kit: unknown flag --zipp; did you mean --zip?\n") || out.Len() != 0 {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
}
