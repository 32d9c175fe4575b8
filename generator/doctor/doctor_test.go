package doctor

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/generator/profile"
	"github.com/postmint/postmint/generator/token"
)

func TestClock(t *testing.T) {
	for _, tc := range []struct {
		skew time.Duration
		want Status
	}{
		{0, Pass}, {SkewWarn, Pass}, {SkewWarn + time.Second, Warn}, {-SkewWarn - time.Second, Warn},
		{SkewFail, Warn}, {SkewFail + time.Second, Fail}, {-SkewFail - time.Second, Fail},
	} {
		if got := Clock(tc.skew); got.Status != tc.want || got.Topic != "clock" {
			t.Errorf("Clock(%s) = %s %q, want %s", tc.skew, got.Status, got.Detail, tc.want)
		}
	}
}

func TestScope(t *testing.T) {
	p := &oauth.Profile{Scope: "a b", ScopeIn: oauth.ScopeClaim}
	for _, tc := range []struct {
		raw, granted string
		want         Status
	}{
		{`{"access_token":"t"}`, "", Pass},
		{`{"access_token":"t","scope":"b a"}`, "b a", Pass},
		{`{"access_token":"t","scope":""}`, "", Warn},
	} {
		got := Scope(p, &token.Response{Raw: []byte(tc.raw), Scope: tc.granted})
		if got == nil || got.Status != tc.want {
			t.Errorf("%s: %+v, want %s", tc.raw, got, tc.want)
		}
		if got != nil && got.Status == Warn && (len(got.Notes) == 0 || got.Notes[0] == "") {
			t.Errorf("a missing scope gives no advice: %+v", got)
		}
	}
	if Scope(&oauth.Profile{}, &token.Response{}) != nil {
		t.Error("a check for a client that asks no scope")
	}
}

// TestRunOffline: the checks come back typed, in order, without a terminal or a network.
func TestRunOffline(t *testing.T) {
	d, err := config.Parse([]byte("version: 1\nname: Doc\nclient_id: c1\ntoken_url: https://idp.example.test/token\nalg: ES256\n"), "doc.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	k, err := keys.Load("../../testdata/keys/ec-p256.pkcs8.pem", keys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checks := Run(context.Background(), Input{DefinitionFile: "doc.yaml", Client: c, Material: profile.Material{Key: k}, Offline: true})
	var topics []string
	for _, ch := range checks {
		topics = append(topics, string(ch.Status)+" "+ch.Topic)
	}
	want := []string{"PASS definition", "PASS key", "PASS alg", "SKIP network"}
	if len(topics) != len(want) {
		t.Fatalf("checks %v, want %v", topics, want)
	}
	for i := range want {
		if topics[i] != want[i] {
			t.Errorf("check %d = %s, want %s", i, topics[i], want[i])
		}
	}
	if Failed(checks) != 0 {
		t.Errorf("Failed = %d", Failed(checks))
	}

	bad := Run(context.Background(), Input{DefinitionFile: "doc.yaml", DefinitionErr: errors.New("doc.yaml:3: client_id: missing")})
	if len(bad) != 1 || bad[0].Status != Fail || Failed(bad) != 1 {
		t.Errorf("a bad definition: %+v", bad)
	}
	noKey := Run(context.Background(), Input{DefinitionFile: "doc.yaml", Client: c, NoKeyHint: "pass -k KEY", Offline: true})
	if Failed(noKey) != 1 || noKey[1].Topic != "key" || noKey[1].Detail != "no private key: pass -k KEY" {
		t.Errorf("no key: %+v", noKey)
	}
}

// TestLoad: a definition that needs its issuer's metadata goes to the discovering loader
// online, and offline is the missing field; one that needs nothing never discovers.
func TestLoad(t *testing.T) {
	dir := t.TempDir()
	needs := filepath.Join(dir, "needs.yaml")
	full := filepath.Join(dir, "full.yaml")
	for p, src := range map[string]string{
		needs: "version: 1\nname: x\nissuer: https://idp.example.com\nclient_id: c\n",
		full:  "version: 1\nname: x\ntoken_url: https://idp.example.com/token\nclient_id: c\n",
	} {
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	calls := 0
	discover := func(path string) (*config.Client, error) {
		calls++
		return &config.Client{File: path, TokenURL: "https://idp.example.com/discovered"}, nil
	}
	if c, err := Load(needs, false, discover); err != nil || calls != 1 || c.TokenURL != "https://idp.example.com/discovered" {
		t.Errorf("online: %v, %d calls", err, calls)
	}
	if _, err := Load(needs, true, discover); !errors.Is(err, config.ErrMissingField) || calls != 1 {
		t.Errorf("offline: %v, %d calls; want the missing field, no discovery", err, calls)
	}
	if c, err := Load(full, false, discover); err != nil || calls != 1 || c.TokenURL != "https://idp.example.com/token" {
		t.Errorf("complete definition: %v, %d calls", err, calls)
	}
}
