package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"
)

// asWindowsTool rewrites path as a Windows tool would save it: "bom" (UTF-8 with a byte-order
// mark: Notepad, many editors), "utf16" (UTF-16LE with one: PowerShell 5's Out-File and >) or
// "utf16-nobom". CRLF line ends come with all three.
func asWindowsTool(t *testing.T, path, enc string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
	switch enc {
	case "bom":
		data = append([]byte{0xEF, 0xBB, 0xBF}, data...)
	case "utf16", "utf16-nobom":
		bom := unicode.UseBOM
		if enc == "utf16-nobom" {
			bom = unicode.IgnoreBOM
		}
		if data, err = unicode.UTF16(unicode.LittleEndian, bom).NewEncoder().Bytes(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestWindowsEncodedFiles: an environment, a JWKS and a password file saved by a Windows
// tool work as the plain files do (an environment with a BOM was "not a Postman environment:
// invalid character 'ï'"), refresh writes the environment back as UTF-8, and UTF-16 without a
// byte-order mark is refused in one line that names the encoding and the fix, with the file
// left as it was.
func TestWindowsEncodedFiles(t *testing.T) {
	c := newClient(t, "https://idp.example.com/token", "")
	plainEnv, err := os.ReadFile(c.env)
	if err != nil {
		t.Fatal(err)
	}
	for _, enc := range []string{"bom", "utf16"} {
		if err := os.WriteFile(c.env, plainEnv, 0o600); err != nil {
			t.Fatal(err)
		}
		asWindowsTool(t, c.env, enc)
		if code, stdout, stderr := runPM("mint", "-e", c.env); code != 0 || strings.Count(stdout, ".") != 2 {
			t.Errorf("%s: mint -e: exit %d: %s", enc, code, stderr)
		}
		if code, _, stderr := runPM("refresh", "-e", c.env, "--assertion-only"); code != 0 {
			t.Errorf("%s: refresh -e: exit %d: %s", enc, code, stderr)
		}
		if got, _ := os.ReadFile(c.env); !bytes.HasPrefix(got, []byte("{")) {
			t.Errorf("%s: refresh wrote %q..., not UTF-8 JSON", enc, got[:min(len(got), 8)])
		}
	}

	asWindowsTool(t, c.env, "utf16-nobom")
	before, _ := os.ReadFile(c.env)
	code, _, stderr := runPM("refresh", "-e", c.env, "--assertion-only")
	want := "postmint: reading environment " + c.env + ": is UTF-16 (UTF-16LE) without a byte-order mark; save it as UTF-8 (PowerShell: Get-Content -Encoding Unicode FILE | Set-Content -Encoding utf8 NEW)\n"
	if code != 1 || stderr != want {
		t.Errorf("UTF-16 without BOM: exit %d, stderr %q, want %q", code, stderr, want)
	}
	if after, _ := os.ReadFile(c.env); !bytes.Equal(after, before) {
		t.Error("UTF-16 without BOM: refresh changed the file")
	}

	// verify --jwks with the client's JWKS saved by PowerShell.
	_, jwt, _ := runPM("mint", "-c", c.def, "-k", c.key)
	jwks := filepath.Join(c.dir, "jwks.json")
	set := bytes.ReplaceAll(mustRead(t, repoFile("testdata", "keys", "public.jwks.json")), []byte(`"rsa-1"`), []byte(`"kid-1"`))
	if err := os.WriteFile(jwks, set, 0o600); err != nil {
		t.Fatal(err)
	}
	asWindowsTool(t, jwks, "utf16")
	if code, _, stderr := runPM("verify", "--jwks", jwks, strings.TrimSpace(jwt)); code != 0 {
		t.Errorf("verify --jwks (UTF-16LE): exit %d: %s", code, stderr)
	}

	// A password file from Notepad: the byte-order mark is not part of the password, so the
	// key keygen encrypted opens with the same password written plainly.
	pw, plainPW := filepath.Join(c.dir, "pw.txt"), filepath.Join(c.dir, "plain-pw.txt")
	os.WriteFile(pw, []byte("correct horse\n"), 0o600)
	os.WriteFile(plainPW, []byte("correct horse\n"), 0o600)
	asWindowsTool(t, pw, "bom")
	if code, _, stderr := runPM("keygen", "--alg", "RS256", "--name", "enc", "-o", c.dir, "--password-file", pw); code != 0 {
		t.Fatalf("keygen --password-file (BOM): exit %d: %s", code, stderr)
	}
	if code, _, stderr := runPM("mint", "-c", c.def, "-k", filepath.Join(c.dir, "enc.key.pem"), "--key-password-file", plainPW); code != 0 {
		t.Errorf("the key does not open with the password without the BOM: exit %d: %s", code, stderr)
	}
}

// TestWindowsPathsInDefinition: a definition written on Windows (CRLF, key: and openapi: with
// backslashes) generates on this system as it would there.
func TestWindowsPathsInDefinition(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"keys", "api"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "keys", "client.key.pem"), mustRead(t, repoFile("testdata", "keys", "ec-p256.pkcs8.pem")), 0o600)
	os.WriteFile(filepath.Join(dir, "api", "orders.yaml"), mustRead(t, repoFile("testdata", "openapi", "orders-3.0.yaml")), 0o644)
	def := filepath.Join(dir, "client.yaml")
	os.WriteFile(def, []byte("version: 1\r\nname: Win Paths\r\nclient_id: c1\r\ntoken_url: https://idp.example.com/token\r\nkey: keys\\client.key.pem\r\nopenapi: .\\api\\orders.yaml\r\n"), 0o644)
	code, stdout, stderr := runPM("generate", "-c", def, "-o", filepath.Join(dir, "out"))
	if code != 0 {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	files := strings.Fields(stdout)
	if len(files) != 2 {
		t.Fatalf("generate printed %q", stdout)
	}
	coll, env := mustRead(t, files[0]), mustRead(t, files[1])
	if !bytes.Contains(coll, []byte("List orders")) || !bytes.Contains(env, []byte(`"ES256"`)) {
		t.Error("the collection lacks the OpenAPI requests, or the environment the key's alg")
	}
}
