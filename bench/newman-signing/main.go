// Command newman-signing measures, in one run against one OpenID provider, the per-request cost
// in Newman 6 of signing an RS256 (RSA-2048) client assertion in a pre-request script:
//
//	jsrsasign  the widespread approach: the 340 KB jsrsasign-all-min.js kept in a global and
//	           eval'd in the request's pre-request script, then KJUR.jws.JWS.sign
//	postmint   the generated collection's Auth / Get token, unchanged (collection-level script
//	           with postmint's signer, plus the item's own scripts), run with --folder Auth
//	baseline   the same token request with no signing in Newman: each iteration sends an
//	           assertion minted beforehand in Go (iteration data, one per iteration, so that
//	           jti replay detection still answers every request with a 200)
//	1-line     diagnostic, not in the ratio: the baseline plus a one-line pre-request script,
//	           the floor that running any pre-request script costs in Newman's sandbox
//	floor      the sandbox floor of issue 22: the baseline plus one pre-request script that
//	           holds postmint's signer (templates/signer.js, minified as the collection holds
//	           it), kept warm in a global for the run, and signs the assertion with it: one
//	           script with postmint's environment plus one warm BigInt RS256
//
// All arms send the same POST (same item, headers and form, copied from the generated
// collection) to the same token endpoint, with the generated environment; only how
// clientAssertion is produced differs. Every arm but postmint has the same one-line test
// script, which stores the token (oneLineTest); postmint keeps its own test script, so what it
// costs beyond one line counts as postmint's, as a user pays it. arm - baseline is the cost of
// signing (and of postmint's checks) in the runner.
//
// Each arm is one Newman run of N iterations in its own node process (run.cjs: newman.run(), as
// the newman CLI calls it, plus per-request timestamps from the run's events). Its per-request
// time is the run duration (the JSON reporter's run.timings.completed - started) / N, which
// includes the pre-request scripts (response.responseTime does not); ms/item, the median time of
// one request, is a cross-check that stalls of a busy machine barely move. Arms run interleaved
// for several rounds (order rotated each round) after one short warm-up round that is discarded;
// the table shows medians over rounds. Every run must get N 200s with an access token (checked
// in the report and in the provider's token count) or the command fails.
//
// With -runner-kind postman-cli the same four arms run in the official Postman CLI instead
// (`postman collection run`, offline and logged out, one process per run; see postmancli.go for
// how its per-request figures are taken without its start-up).
//
// It is started by bench/newman-signing.sh (RUNNER=postman-cli for the Postman CLI); by hand,
// from the repository root:
//
//	go run ./bench/newman-signing -bin /path/to/postmint -work DIR [-n 30] [-rounds 5] [-strict]
//	    [-runner-kind newman|postman-cli]
//
// It exits 2 on any setup error, 0 otherwise; with -strict, 1 when a goal is missed.
package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/postmint/postmint/generator/assertion"
	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/internal/e2e"
	"github.com/postmint/postmint/templates"
)

const (
	clientID = "bench-rs256"
	kid      = "bench-rs256-k1"
	scope    = "api.read"

	// Goals from the issues.
	goalFloor        = 1.2   // postmint overhead / floor overhead (issue 22)
	goalRatio        = 6.5   // postmint overhead / jsrsasign overhead in Newman, percent (issue 22: about 6.5 %, 1.2x the floor)
	goalRatioCLI     = 2.4   // the same in the Postman CLI, percent (issue 22: kept at or under 2.4 %)
	goalScriptBytes  = 30000 // bytes of script in the generated collection (30 KB, read as 30 000)
	jsrsasignRelPath = "node_modules/jsrsasign/lib/jsrsasign-all-min.js"
)

// jsrsasignPrerequest is the pre-request script of the jsrsasign arm, written the way the
// widespread recipe does it: eval the library kept in a global, then sign with KJUR. It signs
// the same header and claims as postmint's Get token (alg, typ, kid; iss, sub, aud, iat, exp,
// jti) from the same environment.
var jsrsasignPrerequest = []string{
	"var navigator = {};",
	"var window = {};",
	"eval(pm.globals.get('jsrsasign-js'));",
	"var now = Math.floor(Date.now() / 1000);",
	"var header = { alg: 'RS256', typ: 'JWT', kid: pm.environment.get('kid') };",
	"var claims = {",
	"    iss: pm.environment.get('iss'),",
	"    aud: pm.environment.get('aud'),",
	"    iat: now,",
	"    exp: now + parseInt(pm.environment.get('assertionLifetime'), 10),",
	"    jti: pm.variables.replaceIn('{{$guid}}'),",
	"    sub: pm.environment.get('sub')",
	"};",
	"var privateKey = KEYUTIL.getKey(pm.environment.get('privateKey'));",
	"var jwt = KJUR.jws.JWS.sign('RS256', JSON.stringify(header), JSON.stringify(claims), privateKey);",
	"pm.environment.set('clientAssertion', jwt);",
}

// floorPrerequest is the floor arm's pre-request script: postmint's signer (its minified
// source, as the collection holds it, goes first) built once per run and kept in a global, then
// one RS256 signature with the same header and claims as the other arms.
var floorPrerequest = []string{
	"if (typeof benchFloorSigner === 'undefined') { benchFloorSigner = postmintSigner(require('crypto-js')); }",
	"var now = Math.floor(Date.now() / 1000);",
	"pm.environment.set('clientAssertion', benchFloorSigner.jwt({ alg: 'RS256', typ: 'JWT', kid: pm.environment.get('kid') }, { iss: pm.environment.get('iss'), aud: pm.environment.get('aud'), iat: now, exp: now + parseInt(pm.environment.get('assertionLifetime'), 10), jti: benchFloorSigner.uuid4(), sub: pm.environment.get('sub') }, pm.environment.get('privateKey')));",
}

type config struct {
	bin, work, harness, runner string
	kind                       string // runnerNewman or runnerPostmanCLI
	beforeBin                  string // an older postmint whose collection runs as the arm "before"; "" for none
	n, rounds                  int
	strict                     bool
}

// The runners -runner-kind selects.
const (
	runnerNewman     = "newman"
	runnerPostmanCLI = "postman-cli"
)

func main() {
	var c config
	flag.StringVar(&c.bin, "bin", "", "postmint `binary` to run generate with (required)")
	flag.StringVar(&c.beforeBin, "before-bin", "", "an older postmint `binary`: adds the arm \"before\", its Get token, side by side")
	flag.StringVar(&c.work, "work", "", "scratch `dir` for keys, collections and reports (required)")
	flag.StringVar(&c.harness, "harness", e2e.HarnessDir(), "the e2e harness `dir` (testdata/e2e, after npm ci)")
	flag.StringVar(&c.runner, "runner", defaultRunner(), "the Newman runner `script` (run.cjs beside this file)")
	flag.IntVar(&c.n, "n", 30, "token requests per run (iterations)")
	flag.IntVar(&c.rounds, "rounds", 5, "measured rounds (each runs every arm once)")
	flag.BoolVar(&c.strict, "strict", false, "exit 1 when a goal is missed")
	flag.StringVar(&c.kind, "runner-kind", runnerNewman, "what runs the collections: "+runnerNewman+" or "+runnerPostmanCLI)
	flag.Parse()
	if c.bin == "" || c.work == "" || c.n < 1 || c.rounds < 1 || (c.kind != runnerNewman && c.kind != runnerPostmanCLI) {
		fmt.Fprintln(os.Stderr, "usage: newman-signing -bin POSTMINT -work DIR [-n 30] [-rounds 5] [-strict] [-runner-kind newman|postman-cli]")
		os.Exit(2)
	}
	missed, err := run(c)
	if err != nil {
		fmt.Fprintf(os.Stderr, "newman-signing: %v\n", err)
		os.Exit(2)
	}
	if missed && c.strict {
		os.Exit(1)
	}
}

// generate runs `bin generate` for the definition and key into dir and returns the collection
// and environment it wrote.
func generate(bin, defPath, keyPath, dir string) (collPath, envPath string, err error) {
	out, err := exec.Command(bin, "generate", "-c", defPath, "-k", keyPath, "-o", dir).CombinedOutput()
	if err != nil {
		return "", "", fmt.Errorf("postmint generate: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		switch {
		case strings.HasSuffix(p, ".postman_collection.json"):
			collPath = p
		case strings.HasSuffix(p, ".postman_environment.json"):
			envPath = p
		}
	}
	if collPath == "" || envPath == "" {
		return "", "", fmt.Errorf("postmint generate printed %q, want a collection and an environment path", out)
	}
	return collPath, envPath, nil
}

// defaultRunner is run.cjs in this file's directory.
func defaultRunner() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "run.cjs"
	}
	return filepath.Join(filepath.Dir(file), "run.cjs")
}

// arm is one way of producing clientAssertion.
type arm struct {
	name       string
	collection string
	spec       map[string]any  // extra run.cjs options (globals, folder)
	data       func() []string // when set, fresh iteration data (clientAssertion) for each run
	results    []runResult     // one per measured round
}

// stat is the median over rounds of one measure of an arm.
func (a *arm) stat(f func(runResult) float64) float64 {
	var xs []float64
	for _, r := range a.results {
		xs = append(xs, f(r))
	}
	return median(xs)
}

func (a *arm) spread(f func(runResult) float64) string {
	var xs []float64
	for _, r := range a.results {
		xs = append(xs, f(r))
	}
	return fmt.Sprintf("%.0f..%.0f", slices.Min(xs), slices.Max(xs))
}

func run(c config) (missed bool, err error) {
	if c.work, err = filepath.Abs(c.work); err != nil {
		return false, err
	}
	if c.bin, err = filepath.Abs(c.bin); err != nil {
		return false, err
	}
	if c.runner, err = filepath.Abs(c.runner); err != nil {
		return false, err
	}
	if c.harness, err = filepath.Abs(c.harness); err != nil {
		return false, err
	}
	if _, err := os.Stat(c.runner); err != nil {
		return false, fmt.Errorf("the Newman runner script: %v (pass -runner)", err)
	}
	jsrsasignPath := filepath.Join(c.harness, filepath.FromSlash(jsrsasignRelPath))
	for _, p := range []string{filepath.Join(c.harness, "server.mjs"), filepath.Join(c.harness, "node_modules", "newman", "package.json"), jsrsasignPath} {
		if _, err := os.Stat(p); err != nil {
			return false, fmt.Errorf("%s is missing: run npm ci --prefix testdata/e2e", p)
		}
	}
	if c.kind == runnerPostmanCLI {
		if err := checkPostmanCLI(c.harness); err != nil {
			return false, err
		}
	}
	if err := os.MkdirAll(c.work, 0o700); err != nil {
		return false, err
	}

	// A fresh RSA-2048 key, registered with the provider as the client's only public JWK.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return false, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return false, err
	}
	keyPath := filepath.Join(c.work, "client.key.pem")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return false, err
	}
	jwk, err := e2e.PublicJWK(&key.PublicKey)
	if err != nil {
		return false, err
	}
	jwk["kid"] = kid
	jwks, err := json.Marshal(map[string]any{"keys": []map[string]string{jwk}})
	if err != nil {
		return false, err
	}

	prov, stop, err := e2e.StartServer([]e2e.Client{{
		ClientID: clientID, Alg: "RS256", Audience: e2e.AudienceTokenEndpoint, Scope: scope, JWKS: jwks,
	}}, c.work)
	if err != nil {
		return false, err
	}
	defer stop()

	// Generate the collection for the client with the CLI.
	def := fmt.Sprintf("version: 1\nname: Bench RS256\nclient_id: %s\nalg: RS256\nkid: %s\ntoken_url: %s\nscope: %s\nrequests:\n  - name: Who am I\n    method: GET\n    url: %s\n",
		clientID, kid, prov.TokenEndpoint, scope, prov.API)
	defPath := filepath.Join(c.work, "client.yaml")
	if err := os.WriteFile(defPath, []byte(def), 0o644); err != nil {
		return false, err
	}
	collPath, envPath, err := generate(c.bin, defPath, keyPath, filepath.Join(c.work, "generated"))
	if err != nil {
		return false, err
	}
	beforeColl := ""
	if c.beforeBin != "" {
		// The older binary's environment is not used: every arm runs with this tree's.
		if beforeColl, _, err = generate(c.beforeBin, defPath, keyPath, filepath.Join(c.work, "generated-before")); err != nil {
			return false, fmt.Errorf("before: %v", err)
		}
	}

	var coll map[string]any
	if err := readJSON(collPath, &coll); err != nil {
		return false, err
	}
	total, collectionLevel := scriptBytes(coll)
	getToken, err := findItem(coll, "Auth", "Get token")
	if err != nil {
		return false, fmt.Errorf("generated collection: %v", err)
	}

	// The jsrsasign, floor and baseline arms: the generated Get token item with its pre-request
	// script replaced (jsrsasign, floor) or removed (baseline) and the one-line test, without
	// the collection-level script.
	jsItem := withPrerequest(getToken, jsrsasignPrerequest)
	baseItem := withPrerequest(getToken, nil)
	floorItem := withPrerequest(getToken, append([]string{templates.MinifyJS(templates.SignerJS)}, floorPrerequest...))
	jsColl := filepath.Join(c.work, "jsrsasign.postman_collection.json")
	baseColl := filepath.Join(c.work, "baseline.postman_collection.json")
	floorColl := filepath.Join(c.work, "floor.postman_collection.json")
	if err := writeJSON(jsColl, singleItemCollection("Bench jsrsasign (eval from a global)", jsItem)); err != nil {
		return false, err
	}
	if err := writeJSON(baseColl, singleItemCollection("Bench baseline (pre-minted assertions)", baseItem)); err != nil {
		return false, err
	}
	if err := writeJSON(floorColl, singleItemCollection("Bench floor (one script, postmint's signer kept warm)", floorItem)); err != nil {
		return false, err
	}
	// A diagnostic arm: the baseline plus a one-line pre-request script, the floor that running
	// any pre-request script costs in Newman's sandbox (not part of the ratio).
	trivialColl := filepath.Join(c.work, "trivial-script.postman_collection.json")
	trivialItem := withPrerequest(getToken, []string{"pm.variables.set('clientAssertion', pm.iterationData.get('clientAssertion'));"})
	if err := writeJSON(trivialColl, singleItemCollection("Bench baseline + one-line pre-request script", trivialItem)); err != nil {
		return false, err
	}
	lib, err := os.ReadFile(jsrsasignPath)
	if err != nil {
		return false, err
	}
	globalsPath := filepath.Join(c.work, "jsrsasign.postman_globals.json")
	if err := writeJSON(globalsPath, map[string]any{
		"name": "jsrsasign globals",
		"values": []map[string]any{
			{"key": "jsrsasign-js", "value": string(lib), "type": "default", "enabled": true},
		},
		"_postman_variable_scope": "globals",
	}); err != nil {
		return false, err
	}

	aud := prov.TokenEndpoint
	arms := []*arm{
		{name: "baseline", collection: baseColl, data: func() []string {
			return premint(key, aud, c.n)
		}},
		{name: "1-line", collection: trivialColl, data: func() []string {
			return premint(key, aud, c.n)
		}},
		{name: "jsrsasign", collection: jsColl, spec: map[string]any{"globals": globalsPath}},
		{name: "floor", collection: floorColl},
		{name: "postmint", collection: collPath, spec: map[string]any{"folder": "Auth"}},
	}
	names := []string{"baseline", "1-line", "jsrsasign", "floor", "postmint"}
	if beforeColl != "" {
		arms = append(arms, &arm{name: "before", collection: beforeColl, spec: map[string]any{"folder": "Auth"}})
		names = append(names, "before")
	}

	fmt.Printf("runner %s; provider %s, client %s (RS256, fresh RSA-2048 key), %d token requests per run, 1 warm-up + %d measured rounds\n",
		c.kind, prov.Issuer, clientID, c.n, c.rounds)
	runs := 0
	for round := 0; round <= c.rounds; round++ {
		label := fmt.Sprintf("round %d/%d", round, c.rounds)
		if round == 0 {
			label = "warm-up"
		}
		fmt.Printf("%-11s", label)
		for i := range arms {
			a := arms[(i+round)%len(arms)] // rotate the order each round
			n := c.n
			if round == 0 {
				n = min(c.n, 5)
			}
			runs++
			res, err := runArm(c, envPath, a, n, prov, runs)
			if err != nil {
				fmt.Println()
				return false, fmt.Errorf("%s arm: %v", a.name, err)
			}
			fmt.Printf("  %s %.0f", a.name, res.perReq)
			if round > 0 {
				a.results = append(a.results, res)
			}
		}
		fmt.Println()
	}

	// Report.
	byName := map[string]*arm{}
	for _, a := range arms {
		byName[a.name] = a
	}
	perReq := func(r runResult) float64 { return r.perReq }
	item := func(r runResult) float64 { return r.item }
	pre := func(r runResult) float64 { return r.pre }
	test := func(r runResult) float64 { return r.test }
	resp := func(r runResult) float64 { return r.respTime }
	cpu := func(r runResult) float64 { return r.cpu }
	base, baseIt := byName["baseline"].stat(perReq), byName["baseline"].stat(item)
	fmt.Println()
	fmt.Printf("%-10s %11s %12s %10s %12s %6s %12s %8s %13s %12s %10s\n",
		"arm", "ms/request", "(rounds)", "ms/item", "pre-request", "test", "responseTime", "CPU", "overhead", "overhead", "overhead")
	fmt.Printf("%-10s %11s %12s %10s %12s %6s %12s %8s %13s %12s %10s\n",
		"", "run/N", "", "median", "median", "median", "mean", "ms/req", "(ms/request)", "(ms/item)", "(CPU)")
	for _, name := range names {
		a := byName[name]
		o1, o2, o3 := "-", "-", "-"
		if name != "baseline" {
			o1 = fmt.Sprintf("%.1f", a.stat(perReq)-base)
			o2 = fmt.Sprintf("%.1f", a.stat(item)-baseIt)
			if d := a.stat(cpu) - byName["baseline"].stat(cpu); !math.IsNaN(d) {
				o3 = fmt.Sprintf("%.1f", d)
			}
		}
		cpuCol := "-" // the Postman CLI's process CPU includes its start-up
		if c := a.stat(cpu); !math.IsNaN(c) {
			cpuCol = fmt.Sprintf("%.1f", c)
		}
		preCol, testCol := "-", "-" // the Postman CLI reports no script times
		if p := a.stat(pre); !math.IsNaN(p) {
			preCol = fmt.Sprintf("%.1f", p)
		}
		if t := a.stat(test); !math.IsNaN(t) {
			testCol = fmt.Sprintf("%.1f", t)
		}
		fmt.Printf("%-10s %11.1f %12s %10.1f %12s %6s %12.1f %8s %13s %12s %10s\n",
			name, a.stat(perReq), "("+a.spread(perReq)+")", a.stat(item), preCol, testCol, a.stat(resp), cpuCol, o1, o2, o3)
	}
	fmt.Println()
	if c.kind == runnerPostmanCLI {
		startup := func(r runResult) float64 { return r.startup }
		var all []float64
		for _, a := range arms {
			for _, r := range a.results {
				all = append(all, startup(r))
			}
		}
		fmt.Printf("Postman CLI start-up (process start to the report's run start), not in any figure above: median %.0f ms (%.0f..%.0f) over %d runs\n",
			median(all), slices.Min(all), slices.Max(all), len(all))
		fmt.Println()
		fmt.Println("All values are ms, medians over the measured rounds. ms/request = run duration / iterations, the")
		fmt.Println("run duration being the JSON report's run.timings.started to the moment the CLI wrote the report")
		fmt.Println("(the goal's measure, start-up excluded); ms/item = median interval between the cli reporter's")
		fmt.Println("\"Iteration k/N\" lines, timestamped as they arrive (robust to stalls); pre-request: not in the")
		fmt.Println("CLI's report; responseTime = the report's response.responseTime (HTTP exchange only, no")
		fmt.Println("scripts); overhead = arm - baseline.")
		fmt.Println("1-line is a diagnostic arm, not in the ratio: the baseline plus a one-line pre-request script,")
		fmt.Println("i.e. what any pre-request script costs in the CLI's sandbox. floor: one pre-request script with")
		fmt.Println("postmint's signer kept warm, one RS256 signature (issue 22's sandbox floor).")
		fmt.Println("Every arm but postmint runs the same one-line test script that stores the token.")
	} else {
		fmt.Println("All values are ms, medians over the measured rounds. ms/request = Newman run duration / iterations")
		fmt.Println("(the goal's measure); ms/item = median time of one request from Newman's beforeItem to item event")
		fmt.Println("(robust to stalls); pre-request, test = the request's pre-request and test scripts; responseTime = Newman's")
		fmt.Println("response.responseTime (HTTP exchange only, no scripts); CPU = user + system CPU of the Newman")
		fmt.Println("process (scripts and sandbox included, the provider excluded) / iterations; overhead = arm - baseline.")
		fmt.Println("1-line is a diagnostic arm, not in the ratio: the baseline plus a one-line pre-request script,")
		fmt.Println("i.e. what any pre-request script costs in Newman's sandbox. floor: one pre-request script with")
		fmt.Println("postmint's signer kept warm, one RS256 signature (issue 22's sandbox floor).")
		fmt.Println("Every arm but postmint runs the same one-line test script that stores the token.")
	}
	fmt.Println()
	goal := goalRatio
	if c.kind == runnerPostmanCLI {
		goal = goalRatioCLI
	}
	ratio := func(what string, f func(runResult) float64, primary bool) {
		js := byName["jsrsasign"].stat(f) - byName["baseline"].stat(f)
		fl := byName["floor"].stat(f) - byName["baseline"].stat(f)
		pm := byName["postmint"].stat(f) - byName["baseline"].stat(f)
		if js <= 0 || fl <= 0 {
			fmt.Printf("ratio (%s): undefined, an overhead is not positive (jsrsasign %.1f ms, floor %.1f ms)\n", what, js, fl)
			if primary {
				missed = true
			}
			return
		}
		if b := byName["before"]; b != nil {
			bo := b.stat(f) - byName["baseline"].stat(f)
			fmt.Printf("      before (-before-bin), %s: %.1f ms = %.2fx the floor, %.1f %% of jsrsasign; after/before overhead %.2f\n", what, bo, bo/fl, 100*bo/js, pm/bo)
		}
		r, x := 100*pm/js, pm/fl
		if primary {
			okF, okJ := x <= goalFloor, r <= goal
			missed = missed || !okF || !okJ
			fmt.Printf("FLOOR overhead(postmint) / overhead(floor), %s: %.1f / %.1f ms = %.2fx  (goal <= %.1fx: %s)\n",
				what, pm, fl, x, goalFloor, verdict(okF))
			fmt.Printf("RATIO overhead(postmint) / overhead(jsrsasign), %s: %.1f / %.1f ms = %.1f %%  (goal <= %.1f %%: %s)\n",
				what, pm, js, r, goal, verdict(okJ))
		} else {
			fmt.Printf("      cross-check, %s: %.2fx the floor (%.1f / %.1f ms), %.1f %% of jsrsasign (%.1f ms)\n", what, x, pm, fl, r, js)
		}
	}
	ratio("ms/request", perReq, true)
	ratio("ms/item", item, false)
	if c.kind == runnerNewman {
		ratio("CPU ms/request", cpu, false)
	}
	ok := total <= goalScriptBytes
	missed = missed || !ok
	fmt.Printf("collection script bytes = %d (collection-level %d, items %d)  (goal <= %d: %s)\n",
		total, collectionLevel, total-collectionLevel, goalScriptBytes, verdict(ok))
	return missed, nil
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

type runResult struct {
	perReq   float64 // ms: run duration / iterations
	item     float64 // ms: median over the run's requests of one request's time
	pre      float64 // ms: median over the run's requests of the pre-request scripts; NaN when unknown
	test     float64 // ms: median over the run's requests of the test scripts; NaN when unknown
	respTime float64 // ms: mean response.responseTime
	cpu      float64 // ms: the runner's user + system CPU / iterations; NaN when unknown
	startup  float64 // ms: process start to run start (Postman CLI only)
}

// runTimes is what one runner measured in a run, before the report is checked.
type runTimes struct {
	duration float64   // ms: the run alone, without the process's start-up
	items    []float64 // ms: one request's (or iteration's) time, at least one
	pres     []float64 // ms: each request's pre-request scripts; nil when the runner can't say
	tests    []float64 // ms: each request's test scripts; nil when the runner can't say
	startup  float64   // ms: process start to run start; 0 when not measured
	cpu      float64   // ms: the runner's user + system CPU during the run; NaN when unknown
}

// runArm runs the arm once with n iterations (a Newman run or a Postman CLI run, per c.kind)
// and checks that every request got its 200 and access token and that the provider issued
// exactly n tokens.
func runArm(c config, envPath string, a *arm, n int, prov *e2e.Provider, seq int) (runResult, error) {
	dir := filepath.Join(c.work, "runs", fmt.Sprintf("%02d-%s", seq, a.name))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return runResult{}, err
	}
	report := filepath.Join(dir, "report.json")
	dataPath := ""
	if a.data != nil {
		rows := a.data()[:n]
		data := make([]map[string]string, len(rows))
		for i, r := range rows {
			data[i] = map[string]string{"clientAssertion": r}
		}
		dataPath = filepath.Join(dir, "data.json")
		if err := writeJSON(dataPath, data); err != nil {
			return runResult{}, err
		}
	}
	before, err := tokensIssued(prov)
	if err != nil {
		return runResult{}, err
	}
	var tm runTimes
	if c.kind == runnerPostmanCLI {
		tm, err = runPostmanCLI(c, envPath, a, n, dir, report, dataPath)
	} else {
		tm, err = runNewman(c, envPath, a, n, dir, report, dataPath)
	}
	if err != nil {
		return runResult{}, err
	}
	var rep struct {
		Run struct {
			Executions []struct {
				Response *struct {
					Code         int     `json:"code"`
					ResponseTime float64 `json:"responseTime"`
				} `json:"response"`
				Assertions []struct {
					Assertion string `json:"assertion"`
				} `json:"assertions"`
			} `json:"executions"`
			Failures []struct {
				Error struct {
					Name    string `json:"name"`
					Message string `json:"message"`
				} `json:"error"`
				At string `json:"at"`
			} `json:"failures"`
		} `json:"run"`
	}
	if err := readJSON(report, &rep); err != nil {
		return runResult{}, err
	}
	r := rep.Run
	if len(r.Failures) > 0 {
		f := r.Failures[0]
		return runResult{}, fmt.Errorf("%d failure(s), first: %s: %s [%s] (report %s)", len(r.Failures), f.Error.Name, f.Error.Message, f.At, report)
	}
	if len(r.Executions) != n {
		return runResult{}, fmt.Errorf("%d executions, want %d (report %s)", len(r.Executions), n, report)
	}
	var sum float64
	for i, e := range r.Executions {
		if e.Response == nil || e.Response.Code != 200 {
			return runResult{}, fmt.Errorf("request %d got no 200 (report %s)", i+1, report)
		}
		if len(e.Assertions) < 1 {
			return runResult{}, fmt.Errorf("request %d ran %d test assertions, want Get token's", i+1, len(e.Assertions))
		}
		sum += e.Response.ResponseTime
	}
	after, err := tokensIssued(prov)
	if err != nil {
		return runResult{}, err
	}
	if after-before != n {
		return runResult{}, fmt.Errorf("the provider issued %d tokens in the run, want %d", after-before, n)
	}
	pre := math.NaN()
	if tm.pres != nil {
		pre = median(tm.pres)
	}
	test := math.NaN()
	if tm.tests != nil {
		test = median(tm.tests)
	}
	return runResult{
		perReq:   tm.duration / float64(n),
		item:     median(tm.items),
		pre:      pre,
		test:     test,
		respTime: sum / float64(n),
		cpu:      tm.cpu / float64(n),
		startup:  tm.startup,
	}, nil
}

// runNewman is one Newman run (run.cjs: newman.run, as the newman CLI calls it, plus
// per-request timestamps from the run's events). The run duration is the JSON reporter's
// run.timings.completed - started, so node's start-up is not in it.
func runNewman(c config, envPath string, a *arm, n int, dir, report, dataPath string) (runTimes, error) {
	spec := map[string]any{
		"newman":         filepath.Join(c.harness, "node_modules", "newman"),
		"collection":     a.collection,
		"environment":    envPath,
		"iterationCount": n,
		"report":         report,
		"timings":        filepath.Join(dir, "timings.json"),
	}
	for k, v := range a.spec {
		spec[k] = v
	}
	if dataPath != "" {
		spec["iterationData"] = dataPath
	}
	specPath := filepath.Join(dir, "spec.json")
	if err := writeJSON(specPath, spec); err != nil {
		return runTimes{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", c.runner, specPath)
	cmd.Dir = dir
	cmd.Env = e2e.CleanEnv("NODE_NO_WARNINGS=1")
	out, runErr := cmd.CombinedOutput()
	if runErr != nil {
		return runTimes{}, fmt.Errorf("newman: %v: %s", runErr, out)
	}
	var tim struct {
		Started   float64 `json:"started"`
		Completed float64 `json:"completed"`
		CPU       float64 `json:"cpu"`
		Items     []struct {
			Total      float64 `json:"total"`
			Prerequest float64 `json:"prerequest"`
			Test       float64 `json:"test"`
		} `json:"items"`
	}
	if err := readJSON(spec["timings"].(string), &tim); err != nil {
		return runTimes{}, err
	}
	if len(tim.Items) != n {
		return runTimes{}, fmt.Errorf("%d timed requests, want %d (report %s)", len(tim.Items), n, report)
	}
	tm := runTimes{duration: tim.Completed - tim.Started, cpu: tim.CPU}
	for _, it := range tim.Items {
		tm.items = append(tm.items, it.Total)
		tm.pres = append(tm.pres, it.Prerequest)
		tm.tests = append(tm.tests, it.Test)
	}
	return tm, nil
}

func tokensIssued(p *e2e.Provider) (int, error) {
	resp, err := http.Get(p.Stats)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var s e2e.Stats
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return 0, fmt.Errorf("provider stats: %v", err)
	}
	return s.TokensIssued[clientID], nil
}

// premint signs n RS256 assertions in Go with the same header and claims as the other arms
// (postmint's own minting code), each with its own jti and 60 s of life, for the baseline arm.
func premint(key *rsa.PrivateKey, aud string, n int) []string {
	p := &oauth.Profile{Issuer: clientID, Subject: clientID, Audience: aud, Alg: "RS256", Typ: "JWT", Kid: kid, Lifetime: 60 * time.Second}
	out := make([]string, n)
	for i := range out {
		tok, err := assertion.Mint(p, key, assertion.Options{})
		if err != nil {
			panic(err) // a fresh, valid key cannot fail to sign
		}
		out[i] = tok
	}
	return out
}

// scriptBytes sums the bytes of every script line (plus one newline each) in the collection:
// all of it, and the collection-level scripts alone.
func scriptBytes(coll map[string]any) (total, collectionLevel int) {
	count := func(events any) int {
		n := 0
		evs, _ := events.([]any)
		for _, ev := range evs {
			m, _ := ev.(map[string]any)
			script, _ := m["script"].(map[string]any)
			switch exec := script["exec"].(type) {
			case []any:
				for _, l := range exec {
					s, _ := l.(string)
					n += len(s) + 1
				}
			case string:
				n += len(exec) + 1
			}
		}
		return n
	}
	var walk func(items any) int
	walk = func(items any) int {
		n := 0
		list, _ := items.([]any)
		for _, it := range list {
			m, _ := it.(map[string]any)
			n += count(m["event"]) + walk(m["item"])
		}
		return n
	}
	collectionLevel = count(coll["event"])
	return collectionLevel + walk(coll["item"]), collectionLevel
}

func findItem(coll map[string]any, folder, name string) (map[string]any, error) {
	items, _ := coll["item"].([]any)
	for _, f := range items {
		fm, _ := f.(map[string]any)
		if fm["name"] != folder {
			continue
		}
		sub, _ := fm["item"].([]any)
		for _, it := range sub {
			im, _ := it.(map[string]any)
			if im["name"] == name {
				return im, nil
			}
		}
	}
	return nil, fmt.Errorf("no item %s / %s", folder, name)
}

// withPrerequest returns a deep copy of item whose prerequest script is exec (none when nil);
// the test script and the request stay as generated.
func withPrerequest(item map[string]any, exec []string) map[string]any {
	raw, _ := json.Marshal(item)
	var cp map[string]any
	_ = json.Unmarshal(raw, &cp)
	delete(cp, "id")
	var events []any
	if exec != nil {
		events = append(events, map[string]any{
			"listen": "prerequest",
			"script": map[string]any{"type": "text/javascript", "exec": exec},
		})
	}
	// Every arm but postmint gets the same one-line test script that stores the token (issue
	// 22's baseline): what postmint's own test script does beyond that counts as postmint's.
	events = append(events, map[string]any{
		"listen": "test",
		"script": map[string]any{"type": "text/javascript", "exec": []string{oneLineTest}},
	})
	cp["event"] = events
	return cp
}

// oneLineTest is the one-line test script of every arm but postmint: it stores the token (a
// pm.test, so the run's report shows one assertion per request, as postmint's does).
const oneLineTest = "pm.test('token stored', function () { pm.environment.set('bearerToken', pm.response.json().access_token); });"

func singleItemCollection(name string, item map[string]any) map[string]any {
	return map[string]any{
		"info": map[string]any{
			"name":   name,
			"schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
		},
		"item": []any{item},
	}
}

func readJSON(path string, v any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}

func writeJSON(path string, v any) error {
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, raw, 0o600)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
