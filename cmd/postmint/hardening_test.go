package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// oneErrorLine asserts exit 1 and that stderr's first line is "postmint: ..." holding want.
func oneErrorLine(t *testing.T, code int, stderr string, want ...string) {
	t.Helper()
	if code != 1 {
		t.Errorf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	first, _, _ := strings.Cut(stderr, "\n")
	if !strings.HasPrefix(first, "postmint: ") {
		t.Errorf("stderr does not start with a postmint: line:\n%s", stderr)
	}
	for _, w := range want {
		if !strings.Contains(first, w) {
			t.Errorf("first stderr line %q lacks %q", first, w)
		}
	}
}

// TestDiscoveryOfAnotherIssuerRefused: metadata whose issuer is not the configured one is never
// used (OpenID Connect Discovery 4.3, RFC 8414 3.3): every command that discovers exits 1,
// writes nothing, and nothing is sent to the metadata's token_endpoint.
func TestDiscoveryOfAnotherIssuerRefused(t *testing.T) {
	var evilHits atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server":
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{
				"issuer": "https://evil.example", "token_endpoint": srv.URL + "/evil-token",
				"authorization_endpoint": srv.URL + "/evil-authorize",
			})
		case "/evil-token":
			evilHits.Add(1)
			w.WriteHeader(http.StatusBadRequest)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	keyPath, _, _ := fixtureKey(t, "ec-p256.pkcs8.pem")
	dir := t.TempDir()
	def := filepath.Join(dir, "client.yaml")
	if err := os.WriteFile(def, []byte("version: 1\nname: Evil\nclient_id: c1\nissuer: "+srv.URL+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	for _, args := range [][]string{
		{"generate", "-c", def, "-k", keyPath, "-o", out},
		{"token", "-c", def, "-k", keyPath},
		{"mint", "-c", def, "-k", keyPath},
		{"verify", "-c", def, "--key", repoFile("testdata", "keys", "rsa2048.pub.pem"), "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"},
		{"kit", "-c", def, "-o", out},
	} {
		t.Run(args[0], func(t *testing.T) {
			code, stdout, stderr := runPM(args...)
			oneErrorLine(t, code, stderr, "metadata names another issuer", `"https://evil.example"`)
			if stdout != "" {
				t.Errorf("stdout = %q", stdout)
			}
			if strings.Contains(stderr, "discovered") {
				t.Errorf("stderr reports using the metadata:\n%s", stderr)
			}
			if files := filesUnder(t, out); len(files) > 0 {
				t.Errorf("written: %v", files)
			}
		})
	}
	t.Run("doctor", func(t *testing.T) {
		def2 := filepath.Join(dir, "doctor.yaml")
		os.WriteFile(def2, []byte("version: 1\nname: Evil\nclient_id: c1\nissuer: "+srv.URL+"\ntoken_url: "+srv.URL+"/token\n"), 0o644)
		code, stdout, _ := runPM("doctor", "-c", def2, "-k", keyPath)
		if code != 1 {
			t.Errorf("doctor exit %d", code)
		}
		wantLine(t, stdout, "FAIL", "metadata", "metadata names another issuer", "https://evil.example")
	})
	if n := evilHits.Load(); n != 0 {
		t.Errorf("the metadata's token_endpoint got %d requests", n)
	}
}

// filesUnder lists the files (not folders) under dir; none when it does not exist.
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	return files
}

// TestEveryInputBounded: every file postmint reads goes through the one bounded reader:
// /dev/zero, a huge sparse file and a named pipe nobody writes to are each one postmint: line
// and exit 1, at once, with nothing written.
func TestEveryInputBounded(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	dir := t.TempDir()
	keyPath, _, _ := fixtureKey(t, "ec-p256.pkcs8.pem")
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	client := "version: 1\nname: Bounded\nclient_id: c1\ntoken_url: https://127.0.0.1:9/token\n"
	def := write("client.yaml", client)
	huge := filepath.Join(dir, "huge.yaml")
	if err := os.WriteFile(huge, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, 64<<20); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscallMkfifo(fifo); err != nil {
		t.Skip("mkfifo:", err)
	}
	withCert := func(p string) string { return write("cert.yaml", client+"certificate: "+p+"\n") }
	withPublic := func(p string) string { return write("public.yaml", client+"alg: ES256\nkey: "+p+"\n") }
	out := filepath.Join(dir, "out")
	jwt := "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"generate", "-c", "/dev/zero", "-o", out}, "far too large"},
		{[]string{"generate", "-c", write("openapi.yaml", client+"openapi: /dev/zero\n"), "-k", keyPath, "-o", out}, "far too large"},
		{[]string{"generate", "-c", write("openapi-fifo.yaml", client+"openapi: "+fifo+"\n"), "-k", keyPath, "-o", out}, "nothing writes to it"},
		{[]string{"generate", "-c", huge, "-o", out}, "is 67108864 bytes, far too large"},
		{[]string{"generate", "-c", fifo, "-o", out}, "nothing writes to it"},
		{[]string{"generate", "-c", def, "-k", "/dev/zero", "-o", out}, "far too large for a key file"},
		{[]string{"generate", "-c", def, "-k", fifo, "-o", out}, "nothing writes to it"},
		// --no-key then tries -k as public material: through the bounded reader too (os.ReadFile
		// read /dev/zero until memory ran out and waited on the pipe for ever).
		{[]string{"generate", "-c", def, "--no-key", "-k", "/dev/zero", "-o", out}, "far too large for a key file"},
		{[]string{"generate", "-c", def, "--no-key", "-k", fifo, "-o", out}, "nothing writes to it"},
		{[]string{"generate", "-c", def, "--vault", "-k", "/dev/zero", "-o", out}, "far too large for a key file"},
		{[]string{"generate", "-c", withCert("/dev/zero"), "-k", keyPath, "-o", out}, "far too large for a certificate file"},
		{[]string{"mint", "-c", def, "-k", keyPath, "--key-password-file", "/dev/zero"}, "reading --key-password-file /dev/zero: gives more than 65536 bytes, far too large"},
		{[]string{"mint", "-c", def, "-k", keyPath, "--key-password-file", fifo}, "nothing writes to it"},
		{[]string{"token", "-c", def, "-k", keyPath, "--ca-file", "/dev/zero"}, "far too large"},
		{[]string{"refresh", "-e", "/dev/zero"}, "reading environment /dev/zero: gives more than"},
		{[]string{"refresh", "-e", fifo}, "nothing writes to it"},
		{[]string{"verify", "--jwks", "/dev/zero", jwt}, "reading --jwks /dev/zero: gives more than"},
		{[]string{"verify", "--key", "/dev/zero", jwt}, "reading --key /dev/zero: gives more than"},
		{[]string{"kit", "--clients", "/dev/zero", "-o", out}, "far too large"},
		{[]string{"kit", "--clients", fifo, "-o", out}, "nothing writes to it"},
		{[]string{"kit", "-c", withPublic("/dev/zero"), "-o", out}, "far too large"},
		{[]string{"keygen", "--alg", "ES256", "--password-file", "/dev/zero", "-o", out}, "reading --password-file /dev/zero: gives more than"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args[:3], " "), func(t *testing.T) {
			type result struct {
				code           int
				stdout, stderr string
			}
			done := make(chan result, 1)
			go func() {
				code, stdout, stderr := runPM(tc.args...)
				done <- result{code, stdout, stderr}
			}()
			select {
			case r := <-done:
				oneErrorLine(t, r.code, r.stderr, tc.want)
				if r.stdout != "" {
					t.Errorf("stdout = %q", r.stdout)
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("postmint %s did not return", strings.Join(tc.args, " "))
			}
			if files := filesUnder(t, out); len(files) > 0 {
				t.Errorf("written: %v", files)
			}
		})
	}
}

// TestRefreshThroughSymlink: refresh -e LINK and -o LINK rewrite the file the link names, in
// that file's folder, and keep the link; a link to nothing or to a folder is refused in words
// with nothing written.
func TestRefreshThroughSymlink(t *testing.T) {
	_, _, signer := fixtureKey(t, "rsa2048.pkcs8.pem")
	te := newTokenEndpoint(t, issueTokens(signer.Public()))
	c := newClient(t, te.URL, "")
	real := filepath.Join(t.TempDir(), "real")
	if err := os.Mkdir(real, 0o700); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(real, "env.json")
	if err := os.Rename(c.env, target); err != nil {
		t.Fatal(err)
	}
	// ENV is a relative link (resolved against its own folder), -o OUT an absolute one.
	links := filepath.Join(filepath.Dir(real), "links")
	if err := os.Mkdir(links, 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(links, "env.json")
	if err := os.Symlink("../real/env.json", link); err != nil {
		t.Fatal(err)
	}
	isLinkTo := func(p, want string) {
		t.Helper()
		if got, err := os.Readlink(p); err != nil || got != want {
			t.Errorf("%s is no longer a link to %s (%q, %v)", p, want, got, err)
		}
	}

	if code, _, stderr := runPM("refresh", "-e", link); code != 0 {
		t.Fatalf("refresh -e LINK: exit %d: %s", code, stderr)
	}
	isLinkTo(link, "../real/env.json")
	_, _, tokens := te.snapshot()
	if len(tokens) != 1 || varValue(t, mustRead(t, target), "bearerToken") != tokens[0] {
		t.Errorf("the link's target does not hold the new token")
	}

	outTarget := filepath.Join(real, "out.json")
	os.WriteFile(outTarget, []byte("{}"), 0o600)
	outLink := filepath.Join(links, "out.json")
	if err := os.Symlink(outTarget, outLink); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runPM("refresh", "-e", link, "-o", outLink); code != 0 {
		t.Fatalf("refresh -o LINK: exit %d: %s", code, stderr)
	}
	isLinkTo(outLink, outTarget)
	_, _, tokens = te.snapshot()
	if varValue(t, mustRead(t, outTarget), "bearerToken") != tokens[1] {
		t.Errorf("-o LINK's target does not hold the new token")
	}
	if stray := strayFiles(t, real, "env.json", "out.json"); len(stray) > 0 {
		t.Errorf("left in the target's folder: %v", stray)
	}
	if stray := strayFiles(t, links, "env.json", "out.json"); len(stray) > 0 {
		t.Errorf("left in the link's folder: %v", stray)
	}

	before := stateOf(t, target)
	for name, dest := range map[string]string{"dangling": filepath.Join(real, "missing", "x.json"), "folder": real} {
		l := filepath.Join(links, name)
		if err := os.Symlink(dest, l); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runPM("refresh", "-e", link, "-o", l)
		oneErrorLine(t, code, stderr, l+" is a symbolic link")
		if fi, err := os.Lstat(l); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s was replaced", l)
		}
	}
	before.check(t, target)
	if n, _, _ := te.snapshot(); n != 2 {
		t.Errorf("token requests = %d, want 2 (none for the refused runs)", n)
	}
}

// TestRefreshWarnsOfReadableFile: refresh keeps a file's mode (the contract) but warns in one
// line, naming the mode and chmod 600, when group or others can read the token it wrote.
func TestRefreshWarnsOfReadableFile(t *testing.T) {
	_, _, signer := fixtureKey(t, "rsa2048.pkcs8.pem")
	te := newTokenEndpoint(t, issueTokens(signer.Public()))
	c := newClient(t, te.URL, "")
	for _, tc := range []struct {
		mode         os.FileMode
		args, warned string
	}{
		{0o644, "", "other users can read the clientAssertion and bearerToken in it; chmod 600 " + c.env},
		{0o640, "--assertion-only", "other users can read the clientAssertion in it; chmod 600 " + c.env},
		{0o600, "", ""},
	} {
		if err := os.Chmod(c.env, tc.mode); err != nil {
			t.Fatal(err)
		}
		args := append([]string{"refresh", "-e", c.env}, strings.Fields(tc.args)...)
		code, _, stderr := runPM(args...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		want := fmt.Sprintf("postmint: warning: %s is mode %04o: %s, or (in CI, where the file is checked out 0644) leave it as committed and write the refreshed copy elsewhere with -o", c.env, tc.mode, tc.warned)
		switch {
		case tc.warned == "" && strings.Contains(stderr, "warning"):
			t.Errorf("mode %04o: warned: %s", tc.mode, stderr)
		case tc.warned != "" && !strings.Contains(stderr, want):
			t.Errorf("mode %04o: stderr %q lacks %q", tc.mode, stderr, want)
		}
		if st, _ := os.Stat(c.env); st.Mode().Perm() != tc.mode {
			t.Errorf("mode changed from %04o to %04o", tc.mode, st.Mode().Perm())
		}
	}
	// What the warning advises for CI (and the README's CI recipe does): the committed 0644
	// file stays as it is, the refreshed copy is 0600 elsewhere, and nothing is warned.
	if err := os.Chmod(c.env, 0o644); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(c.env)
	copyPath := filepath.Join(t.TempDir(), "env.json")
	code, _, stderr := runPM("refresh", "-e", c.env, "-o", copyPath)
	if code != 0 || strings.Contains(stderr, "warning") {
		t.Errorf("refresh -o: exit %d, stderr %s", code, stderr)
	}
	if after, _ := os.ReadFile(c.env); !bytes.Equal(before, after) {
		t.Errorf("refresh -o changed the committed file")
	}
	if st, err := os.Stat(copyPath); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("refresh -o: the copy is %v (%v), want mode 0600", st, err)
	}
}
