package config

import (
	"path/filepath"
	"testing"
)

// TestResolvePathWindowsStyle: key:, certificate: and openapi: written on Windows resolve on
// this system too: '\' separates, and a drive letter, a rooted, a \\?\ or a UNC path is used
// as it is instead of being joined to the definition's folder.
func TestResolvePathWindowsStyle(t *testing.T) {
	def := filepath.Join("defs", "client.yaml")
	for _, tc := range []struct{ in, want string }{
		{`keys\client.key.pem`, filepath.Join("defs", "keys", "client.key.pem")},
		{`keys/client.key.pem`, filepath.Join("defs", "keys", "client.key.pem")},
		{`..\keys\client.key.pem`, filepath.Join("keys", "client.key.pem")},
		{`.\api\orders.yaml`, filepath.Join("defs", "api", "orders.yaml")},
		{`C:\Users\ana\keys\client.key.pem`, `C:\Users\ana\keys\client.key.pem`},
		{`d:/keys/client.key.pem`, `d:/keys/client.key.pem`},
		{`\\?\C:\very\long\client.key.pem`, `\\?\C:\very\long\client.key.pem`},
		{`\\fileserver\share\client.key.pem`, `\\fileserver\share\client.key.pem`},
		{`/etc/postmint/client.key.pem`, `/etc/postmint/client.key.pem`},
		{"", ""},
	} {
		if got := ResolvePath(def, tc.in); got != tc.want {
			t.Errorf("ResolvePath(%q, %q) = %q, want %q", def, tc.in, got, tc.want)
		}
	}
}
