package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postmint/postmint/internal/e2e"
)

// warmProbe goes before the collection-level pre-request script (which signs Get token's
// assertion, and is where the signer is first asked for). In the second iteration it plants a signer said to be made from other code, as a
// collection script edited in the app would leave behind: it must not be used.
const warmProbe = `if (pm.info.iteration === 1) { postmintWarm = { code: 'a signer from other code', signer: null }; }`

// warmCount is a test script after Get token's: it counts the distinct signers the run used.
const warmCount = `probeSigners = typeof probeSigners === 'object' ? probeSigners : [];
if (typeof postmintWarm === 'object' && postmintWarm && probeSigners.indexOf(postmintWarm.signer) < 0) { probeSigners.push(postmintWarm.signer); }
pm.test('signers so far: ' + probeSigners.length, function () {});`

// The collection script reuses, for the whole run, the signer an earlier request built from the
// same code (its arithmetic stays compiled), and builds a new one when the code differs. Three
// token requests in one run, in both runners: signers 1, 2 (the planted one is refused), 2.
func TestE2ESignerReusedWithinARun(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs Newman and the Postman CLI")
	}
	t.Parallel()
	e2e.RequireHarness(t)
	keys := newTestKeys(t)
	runners := []string{"newman", "postman-cli"}
	var clients []e2e.Client
	for _, r := range runners {
		clients = append(clients, e2e.Client{
			ClientID: "warm-" + r, Alg: "RS256", Audience: e2e.AudienceTokenEndpoint,
			JWKS: e2e.JWKS(t, e2e.Key{KID: "kid-warm", Public: keys.forAlg("RS256").Public()}),
		})
	}
	prov := e2e.Start(t, clients)
	for _, runner := range runners {
		t.Run(runner, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			keyPath := writePKCS8(t, dir, "client.key.pem", keys.forAlg("RS256"))
			def := fmt.Sprintf("version: 1\nname: Warm\nclient_id: warm-%s\nalg: RS256\nkid: kid-warm\ntoken_url: %s\nrequests:\n  - name: Who am I\n    url: %s\n",
				runner, prov.TokenEndpoint, prov.API)
			defPath := filepath.Join(dir, "client.yaml")
			if err := os.WriteFile(defPath, []byte(def), 0o644); err != nil {
				t.Fatal(err)
			}
			paths := strings.Fields(runCLI(t, "generate", "-c", defPath, "-k", keyPath, "-o", dir))
			if len(paths) != 2 {
				t.Fatalf("generate printed %q", paths)
			}
			probeGetToken(t, paths[0])

			before := prov.TokensIssued(t, "warm-"+runner)
			var run *e2e.Run
			var err error
			if runner == "newman" {
				run, err = e2e.Newman(t, paths[0], paths[1], "--folder", "Auth", "--iteration-count", "3")
			} else {
				run, err = e2e.PostmanCLI(t, paths[0], paths[1], "-i", "Get token", "--iteration-count", "3")
			}
			if err != nil {
				t.Fatalf("%s: %v\nfailures: %v\noutput:\n%s", runner, err, run.Failures, run.Output)
			}
			var counts []string
			for _, e := range run.Find("Get token") {
				if e.Code != 200 {
					t.Errorf("Get token answered %d: %.200s", e.Code, e.ResponseBody)
				}
				for _, a := range e.Assertions {
					if strings.HasPrefix(a.Name, "signers so far: ") {
						counts = append(counts, strings.TrimPrefix(a.Name, "signers so far: "))
					}
				}
			}
			if got := strings.Join(counts, " "); got != "1 2 2" {
				t.Errorf("signers in use after each token request: %q, want \"1 2 2\" (reused, refused when from other code, reused)", got)
			}
			if issued := prov.TokensIssued(t, "warm-"+runner) - before; issued != 3 {
				t.Errorf("provider issued %d tokens, want 3", issued)
			}
		})
	}
}

// probeGetToken puts warmProbe before the collection-level pre-request script and warmCount
// after Get token's test script, in the collection file at path.
func probeGetToken(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var coll map[string]any
	if err := json.Unmarshal(data, &coll); err != nil {
		t.Fatal(err)
	}
	probe := func(events any, listen string, edit func([]any) []any) bool {
		done := false
		for _, ev := range events.([]any) {
			if ev.(map[string]any)["listen"] == listen {
				script := ev.(map[string]any)["script"].(map[string]any)
				script["exec"] = edit(script["exec"].([]any))
				done = true
			}
		}
		return done
	}
	if !probe(coll["event"], "prerequest", func(exec []any) []any { return append([]any{warmProbe}, exec...) }) {
		t.Fatal("no collection-level pre-request script in the generated collection")
	}
	found := false
	for _, folder := range coll["item"].([]any) {
		for _, it := range folder.(map[string]any)["item"].([]any) {
			item := it.(map[string]any)
			if item["name"] == "Get token" {
				found = probe(item["event"], "test", func(exec []any) []any { return append(exec, warmCount) })
			}
		}
	}
	if !found {
		t.Fatal("no Get token test script in the generated collection")
	}
	out, err := json.Marshal(coll)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}
