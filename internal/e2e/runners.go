package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// RunTimeout bounds one Newman or Postman CLI run (the whole process).
var RunTimeout = 3 * time.Minute

// Run is a collection run parsed from a Newman-structured JSON report.
type Run struct {
	Executions []Execution // in the order they ran
	Failures   []string    // one line per failure: "<item>: <name>: <message> [at <where>]"
	Raw        []byte      // the JSON report
	// Output is the runner's stdout and stderr (its cli reporter). console.log output from the
	// scripts appears only here: neither runner puts it in the JSON report.
	Output   string
	ExitCode int
}

// Execution is one request the run sent.
type Execution struct {
	Item            string            // the item's name, e.g. "Get token"
	Path            string            // folders and item joined by "/", e.g. "Auth/Get token"
	Request         string            // the request body as sent (urlencoded: a=b&c=d, raw: as is); "" without body
	Method          string            // as sent
	URL             string            // as sent, variables resolved
	Code            int               // response status; 0 when the request failed
	ResponseBody    string            // response body as text
	RequestHeaders  map[string]string // as sent, canonical keys (e.g. "Authorization", "Content-Type")
	ResponseHeaders map[string]string // canonical keys
	Assertions      []Assertion       // pm.test results
	ScriptErrors    []string          // errors thrown by its pre-request or test scripts
	Error           string            // transport error (connection refused, timeout), if any
}

// Assertion is one pm.test result; Error is empty when it passed.
type Assertion struct {
	Name    string
	Error   string
	Skipped bool
}

// Passed reports whether the assertion passed (skipped ones don't count as passed).
func (a Assertion) Passed() bool { return a.Error == "" && !a.Skipped }

// Find returns the executions whose Item or Path equals item, in run order.
func (r *Run) Find(item string) []Execution {
	if r == nil {
		return nil
	}
	var out []Execution
	for _, e := range r.Executions {
		if e.Item == item || e.Path == item {
			out = append(out, e)
		}
	}
	return out
}

// Newman runs `newman run` on a collection file with an environment file ("" for none) and extra
// CLI args (after the defaults, so they may override --timeout-request). It returns the parsed
// report even when newman exits non-zero; the error then says the exit code and the first
// failures.
func Newman(t testing.TB, collection, environment string, args ...string) (*Run, error) {
	t.Helper()
	RequireHarness(t)
	dir := t.TempDir()
	report := filepath.Join(dir, "newman-report.json")
	argv := []string{"run", absIfFile(collection)}
	if environment != "" {
		argv = append(argv, "-e", absIfFile(environment))
	}
	argv = append(argv,
		"--reporters", "cli,json",
		"--reporter-json-export", report,
		"--timeout-request", "10000",
		"--timeout-script", "10000",
		"--color", "off",
		"--disable-unicode",
	)
	argv = append(argv, args...)
	bin := filepath.Join(HarnessDir(), "node_modules", ".bin", "newman")
	return runCollection(t, "newman", bin, argv, dir, report, nil)
}

// PostmanCLI runs `postman collection run` (the official Postman CLI, offline and logged out)
// on a collection file with an environment file ("" for none) and extra CLI args. It returns the
// parsed Newman-structured report even when the CLI exits non-zero.
//
// The CLI runs with HOME in a temporary directory seeded so that it skips its update check (its
// only network access when logged out) and never sees a developer's `postman login`, which would
// make it upload run results.
func PostmanCLI(t testing.TB, collection, environment string, args ...string) (*Run, error) {
	t.Helper()
	RequireHarness(t)
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	if err := seedPostmanHome(home); err != nil {
		t.Fatalf("e2e: %v", err)
	}
	report := filepath.Join(dir, "postman-report.json")
	argv := append(PostmanCLIRunArgs(absIfFile(collection), absIfFile(environment), report), args...)
	bin := filepath.Join(HarnessDir(), "node_modules", ".bin", "postman")
	env := []string{"HOME=" + home, "USERPROFILE=" + home, "NO_COLOR=1", "FORCE_COLOR=0"}
	return runCollection(t, "postman CLI", bin, argv, dir, report, env)
}

// PostmanCLIRunArgs are the arguments of `postman collection run` for collection (with
// environment, "" for none), writing a Newman-structured JSON report to report, with the
// timeouts the tests and the benchmarks use; more flags may follow.
func PostmanCLIRunArgs(collection, environment, report string) []string {
	argv := []string{"collection", "run", collection}
	if environment != "" {
		argv = append(argv, "-e", environment)
	}
	return append(argv,
		"--reporters", "cli,json",
		"--reporter-json-structure", "newman",
		"--reporter-json-export", report,
		"--timeout-request", "10000",
		"--timeout-script", "10000",
		"--disable-unicode",
	)
}

// seedPostmanHome makes home the Postman CLI's HOME: its update check marked as just done (its
// only network access when logged out), and no login of a developer's.
func seedPostmanHome(home string) error {
	if err := os.MkdirAll(filepath.Join(home, ".postman"), 0o700); err != nil {
		return fmt.Errorf("postman CLI home: %w", err)
	}
	rc := fmt.Sprintf(`{"updates":{"updateCheckedTimestamp":%d}}`, time.Now().UnixMilli())
	if err := os.WriteFile(filepath.Join(home, ".postman", "postmanrc"), []byte(rc), 0o600); err != nil {
		return fmt.Errorf("postman CLI home: %w", err)
	}
	return nil
}

// PostmanCLICommand returns an unstarted `postman` command (the harness's Postman CLI) with
// args, set up the way PostmanCLI runs it, for programs that have no testing.TB (the
// benchmarks): offline and logged out, with HOME in home, which it creates and seeds so that the
// CLI skips its update check (its only network access when logged out) and never sees a
// developer's `postman login` (which would make it upload run results); no proxy settings, no
// colour; in its own process group, so that cancelling ctx kills the node wrapper and the native
// binary it starts. The caller sets Dir and the outputs, and gives each run its own home.
func PostmanCLICommand(ctx context.Context, home string, args ...string) (*exec.Cmd, error) {
	if err := checkHarness(); err != nil {
		return nil, fmt.Errorf("e2e harness unavailable: %v; %s", err, installHint)
	}
	if err := seedPostmanHome(home); err != nil {
		return nil, err
	}
	bin := filepath.Join(HarnessDir(), "node_modules", ".bin", "postman")
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = cleanEnv([]string{"NODE_NO_WARNINGS=1", "HOME=" + home, "USERPROFILE=" + home, "NO_COLOR=1", "FORCE_COLOR=0"})
	ownProcessGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	return cmd, nil
}

// BatchRun is one Newman run of NewmanBatch.
type BatchRun struct {
	Collection  string `json:"collection"`
	Environment string `json:"environment,omitempty"`
	Folder      string `json:"folder,omitempty"` // like --folder; "" runs the whole collection
}

// BatchResult is how a BatchRun ended: Failed is what Newman's exit status would say.
type BatchResult struct {
	Failures []string `json:"failures"`
	Failed   bool     `json:"failed"`
}

// NewmanBatch runs many collections with Newman 6 as a library, in one node process and in
// order (testdata/e2e/newman-batch.mjs): the same runtime and sandbox as the newman command,
// without a process launch per run.
func NewmanBatch(t testing.TB, runs []BatchRun) []BatchResult {
	t.Helper()
	RequireHarness(t)
	in := WriteJSON(t, "newman-batch.json", runs)
	ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, nodePath, filepath.Join(HarnessDir(), "newman-batch.mjs"), in)
	cmd.Dir = HarnessDir()
	cmd.Env = cleanEnv([]string{"NODE_NO_WARNINGS=1"})
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("e2e: newman-batch: %v\n%s", err, stderr.String())
	}
	var res []BatchResult
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(runs) {
		t.Fatalf("e2e: newman-batch printed %d results for %d runs (%v)", len(res), len(runs), err)
	}
	return res
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

func absIfFile(path string) string {
	if _, err := os.Stat(path); err == nil {
		if abs, err := filepath.Abs(path); err == nil {
			return abs
		}
	}
	return path
}

func runCollection(t testing.TB, name, bin string, argv []string, dir, report string, env []string) (*Run, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, argv...)
	cmd.Dir = dir
	cmd.Env = cleanEnv(append([]string{"NODE_NO_WARNINGS=1"}, env...))
	ownProcessGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	out, runErr := cmd.CombinedOutput()

	run := &Run{Output: string(out)}
	var exitErr *exec.ExitError
	switch {
	case runErr == nil:
	case ctx.Err() != nil:
		return run, fmt.Errorf("%s timed out after %s; its output ends:\n%s", name, RunTimeout, tail(run.Output, 2000))
	case errors.As(runErr, &exitErr):
		run.ExitCode = exitErr.ExitCode()
	default:
		return run, fmt.Errorf("%s: %v", name, runErr)
	}

	raw, err := os.ReadFile(report)
	if err != nil {
		return run, fmt.Errorf("%s wrote no report (exit status %d): %v; its output ends:\n%s", name, run.ExitCode, err, tail(run.Output, 2000))
	}
	run.Raw = raw
	if err := parseReport(raw, run); err != nil {
		return run, fmt.Errorf("%s report: %v", name, err)
	}
	if run.ExitCode != 0 {
		msg := fmt.Sprintf("%s exited with status %d", name, run.ExitCode)
		if n := len(run.Failures); n > 0 {
			first := run.Failures
			if n > 3 {
				first = first[:3]
			}
			msg += fmt.Sprintf(", %d failure(s): %s", n, strings.Join(first, "; "))
		}
		return run, errors.New(msg)
	}
	return run, nil
}

// The parts of a Newman-structured report (newman's json reporter, or the Postman CLI's with
// --reporter-json-structure newman) that Run exposes.
type report struct {
	Collection struct {
		Item []reportItem `json:"item"`
	} `json:"collection"`
	Run struct {
		Executions []struct {
			Item struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"item"`
			Request  *reportRequest `json:"request"`
			Response *struct {
				Code   int            `json:"code"`
				Header []reportHeader `json:"header"`
				Stream *struct {
					Data []byte `json:"data"`
				} `json:"stream"`
			} `json:"response"`
			Assertions []struct {
				Assertion string       `json:"assertion"`
				Skipped   bool         `json:"skipped"`
				Error     *reportError `json:"error"`
			} `json:"assertions"`
			PrerequestScript []reportScript `json:"prerequestScript"`
			TestScript       []reportScript `json:"testScript"`
			RequestError     *reportError   `json:"requestError"`
		} `json:"executions"`
		Failures []struct {
			Error  *reportError `json:"error"`
			At     string       `json:"at"`
			Source *struct {
				Name string `json:"name"`
			} `json:"source"`
		} `json:"failures"`
		Error json.RawMessage `json:"error"`
	} `json:"run"`
}

type reportItem struct {
	ID   string       `json:"id"`
	Name string       `json:"name"`
	Item []reportItem `json:"item"`
}

type reportHeader struct {
	Key      string `json:"key"`
	Value    string `json:"value"`
	Disabled bool   `json:"disabled"`
}

type reportError struct {
	Name    string `json:"name"`
	Message string `json:"message"`
	Test    string `json:"test"`
}

type reportScript struct {
	Error *reportError `json:"error"`
}

type reportRequest struct {
	Method string          `json:"method"`
	URL    json.RawMessage `json:"url"`
	Header []reportHeader  `json:"header"`
	Body   *struct {
		Mode       string         `json:"mode"`
		Raw        string         `json:"raw"`
		URLEncoded []reportHeader `json:"urlencoded"`
		FormData   []reportHeader `json:"formdata"`
		GraphQL    map[string]any `json:"graphql"`
	} `json:"body"`
}

type reportURL struct {
	Protocol string          `json:"protocol"`
	Host     json.RawMessage `json:"host"`
	Port     string          `json:"port"`
	Path     json.RawMessage `json:"path"`
	Query    []reportHeader  `json:"query"`
	Raw      string          `json:"raw"`
}

func parseReport(raw []byte, run *Run) error {
	// Buffers are serialised as {"type":"Buffer","data":[bytes...]}: decode data as []int.
	var rep report
	if err := json.Unmarshal(fixBuffers(raw), &rep); err != nil {
		return err
	}
	paths := map[string]string{}
	var walk func(prefix string, items []reportItem)
	walk = func(prefix string, items []reportItem) {
		for _, it := range items {
			p := it.Name
			if prefix != "" {
				p = prefix + "/" + it.Name
			}
			if it.ID != "" {
				paths[it.ID] = p
			}
			walk(p, it.Item)
		}
	}
	walk("", rep.Collection.Item)

	for _, x := range rep.Run.Executions {
		e := Execution{Item: x.Item.Name, Path: paths[x.Item.ID]}
		if e.Path == "" {
			e.Path = e.Item
		}
		if r := x.Request; r != nil {
			e.Method = r.Method
			e.URL = formatURL(r.URL)
			e.RequestHeaders = headerMap(r.Header)
			if b := r.Body; b != nil {
				switch b.Mode {
				case "raw":
					e.Request = b.Raw
				case "urlencoded":
					e.Request = encodeForm(b.URLEncoded)
				case "formdata":
					e.Request = encodeForm(b.FormData)
				case "graphql":
					if js, err := json.Marshal(b.GraphQL); err == nil {
						e.Request = string(js)
					}
				}
			}
		}
		if r := x.Response; r != nil {
			e.Code = r.Code
			e.ResponseHeaders = headerMap(r.Header)
			if r.Stream != nil {
				e.ResponseBody = string(r.Stream.Data)
			}
		}
		for _, a := range x.Assertions {
			as := Assertion{Name: a.Assertion, Skipped: a.Skipped}
			if a.Error != nil {
				as.Error = a.Error.Message
				if as.Error == "" {
					as.Error = a.Error.Name
				}
			}
			e.Assertions = append(e.Assertions, as)
		}
		for _, s := range append(append([]reportScript{}, x.PrerequestScript...), x.TestScript...) {
			if s.Error != nil {
				e.ScriptErrors = append(e.ScriptErrors, strings.TrimSpace(s.Error.Name+": "+s.Error.Message))
			}
		}
		if x.RequestError != nil {
			e.Error = strings.TrimSpace(x.RequestError.Name + ": " + x.RequestError.Message)
		}
		run.Executions = append(run.Executions, e)
	}

	for _, f := range rep.Run.Failures {
		var b strings.Builder
		if f.Source != nil && f.Source.Name != "" {
			b.WriteString(f.Source.Name + ": ")
		}
		if f.Error != nil {
			if f.Error.Name != "" {
				b.WriteString(f.Error.Name + ": ")
			}
			if f.Error.Test != "" && !strings.Contains(f.Error.Message, f.Error.Test) {
				b.WriteString(f.Error.Test + ": ")
			}
			b.WriteString(f.Error.Message)
		}
		if f.At != "" {
			b.WriteString(" [at " + f.At + "]")
		}
		run.Failures = append(run.Failures, b.String())
	}
	if len(rep.Run.Error) > 0 && string(rep.Run.Error) != "null" {
		var re reportError
		if json.Unmarshal(rep.Run.Error, &re) == nil && (re.Message != "" || re.Name != "") {
			run.Failures = append(run.Failures, "run error: "+strings.TrimSpace(re.Name+": "+re.Message))
		} else {
			run.Failures = append(run.Failures, "run error: "+string(rep.Run.Error))
		}
	}
	return nil
}

// fixBuffers rewrites the report's Buffer objects' data arrays ([60,33,...]) into base64
// strings, which encoding/json decodes into []byte.
func fixBuffers(raw []byte) []byte {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return raw
	}
	var fix func(any) any
	fix = func(x any) any {
		switch t := x.(type) {
		case map[string]any:
			if t["type"] == "Buffer" {
				if arr, ok := t["data"].([]any); ok {
					buf := make([]byte, 0, len(arr))
					for _, n := range arr {
						f, _ := n.(float64)
						buf = append(buf, byte(f))
					}
					t["data"] = buf // marshalled as base64
					return t
				}
			}
			for k, v := range t {
				t[k] = fix(v)
			}
			return t
		case []any:
			for i, v := range t {
				t[i] = fix(v)
			}
			return t
		default:
			return x
		}
	}
	out, err := json.Marshal(fix(v))
	if err != nil {
		return raw
	}
	return out
}

func formatURL(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var u reportURL
	if json.Unmarshal(raw, &u) != nil {
		return ""
	}
	host := joinParts(u.Host, ".")
	path := joinParts(u.Path, "/")
	if host == "" && u.Raw != "" {
		return u.Raw
	}
	var b strings.Builder
	if u.Protocol != "" {
		b.WriteString(u.Protocol + "://")
	}
	b.WriteString(host)
	if u.Port != "" {
		b.WriteString(":" + u.Port)
	}
	if path != "" {
		if !strings.HasPrefix(path, "/") {
			b.WriteString("/")
		}
		b.WriteString(path)
	}
	var q []string
	for _, p := range u.Query {
		if p.Disabled {
			continue
		}
		q = append(q, p.Key+"="+p.Value)
	}
	if len(q) > 0 {
		b.WriteString("?" + strings.Join(q, "&"))
	}
	return b.String()
}

func joinParts(raw json.RawMessage, sep string) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []string
	if json.Unmarshal(raw, &parts) == nil {
		return strings.Join(parts, sep)
	}
	return ""
}

func headerMap(hs []reportHeader) map[string]string {
	m := map[string]string{}
	for _, h := range hs {
		if h.Disabled || h.Key == "" {
			continue
		}
		m[canonicalHeader(h.Key)] = h.Value
	}
	return m
}

func canonicalHeader(k string) string {
	parts := strings.Split(strings.ToLower(k), "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "-")
}

func encodeForm(params []reportHeader) string {
	var parts []string
	for _, p := range params {
		if p.Disabled {
			continue
		}
		parts = append(parts, url.QueryEscape(p.Key)+"="+url.QueryEscape(p.Value))
	}
	return strings.Join(parts, "&")
}

// Header returns the named request header of the execution (case-insensitive).
func (e Execution) Header(name string) string {
	return e.RequestHeaders[canonicalHeader(name)]
}

// Form parses the execution's urlencoded request body.
func (e Execution) Form() url.Values {
	v, _ := url.ParseQuery(e.Request)
	return v
}

// JSON decodes the response body into v.
func (e Execution) JSON(v any) error {
	return json.Unmarshal([]byte(e.ResponseBody), v)
}

// String is a one-line summary for test failure messages.
func (e Execution) String() string {
	s := e.Path + ": " + e.Method + " " + e.URL + " -> " + strconv.Itoa(e.Code)
	if e.Error != "" {
		s += " (" + e.Error + ")"
	}
	return s
}
