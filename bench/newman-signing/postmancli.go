package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/postmint/postmint/internal/e2e"
)

// How a Postman CLI run is timed without its start-up.
//
// The CLI is a node wrapper that starts a native binary; each run is its own process, which
// spends about a second (more under load, and it varies by hundreds of milliseconds) before the
// first request. Divided by N that would bury a 27 ms overhead, so it is kept out.
//
// Its JSON report (either structure) holds when the run started (Newman structure:
// run.timings.started, epoch ms; the native structure's run.meta.started, beside a duration
// that is null when logged out) and each execution's response.responseTime (the HTTP exchange
// only), but no end time and no per-request timestamps. The CLI writes the report as the run
// ends, so the run duration here is the report file's modification time minus
// run.timings.started. Checked by hand against the CLI's own "total run duration" line: 294 ms
// against 298 ms for 3 requests, 2,353 ms against "2.3 s" for 30.
//
// Not chosen: the difference of two runs of different iteration counts, (T(N) - T(m)) / (N - m)
// on whole-process times. It doubles the runs, and start-up jitter on this loaded 2-core
// machine, divided by N - m, is as large as the postmint overhead being measured.
//
// The cross-check (ms/item), like Newman mode's median request: the cli reporter prints
// "Iteration k/N" as each iteration starts; the lines are timestamped as they arrive on the
// pipe, and the median interval between consecutive ones is one iteration's time, which a stall
// of the machine moves less than the run's total.

// iterationLine is the cli reporter's line at the start of each iteration (--disable-unicode).
var iterationLine = regexp.MustCompile(`^\s*Iteration \d+/\d+\s*$`)

// checkPostmanCLI reports whether the Postman CLI that e2e.PostmanCLICommand runs is installed,
// and is the one of the harness the other arms use.
func checkPostmanCLI(harness string) error {
	bin := filepath.Join(harness, "node_modules", ".bin", "postman")
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%s is missing: run npm ci --prefix testdata/e2e", bin)
	}
	mine, err := os.Stat(harness)
	if err != nil {
		return err
	}
	e2eDir, err := os.Stat(e2e.HarnessDir())
	if err != nil || !os.SameFile(mine, e2eDir) {
		return fmt.Errorf("-runner-kind %s runs the Postman CLI of %s; -harness %s is another directory", runnerPostmanCLI, e2e.HarnessDir(), harness)
	}
	return nil
}

// runPostmanCLI is one `postman collection run` of the arm with n iterations, offline and
// logged out (e2e.PostmanCLICommand), writing a Newman-structured JSON report to report.
func runPostmanCLI(c config, envPath string, a *arm, n int, dir, report, dataPath string) (runTimes, error) {
	args := append(e2e.PostmanCLIRunArgs(a.collection, envPath, report), "-n", strconv.Itoa(n))
	if g, ok := a.spec["globals"].(string); ok {
		args = append(args, "-g", g)
	}
	if f, ok := a.spec["folder"].(string); ok {
		args = append(args, "-i", f) // a folder's id or name, like newman's --folder
	}
	if dataPath != "" {
		args = append(args, "-d", dataPath)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd, err := e2e.PostmanCLICommand(ctx, filepath.Join(dir, "home"), args...)
	if err != nil {
		return runTimes{}, err
	}
	cmd.Dir = dir
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return runTimes{}, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr

	started := time.Now()
	if err := cmd.Start(); err != nil {
		return runTimes{}, fmt.Errorf("postman CLI: %v", err)
	}
	var out strings.Builder
	var iterations []time.Time
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		at := time.Now()
		line := sc.Text()
		out.WriteString(line + "\n")
		if iterationLine.MatchString(line) {
			iterations = append(iterations, at)
		}
	}
	scanErr := sc.Err()
	_ = os.WriteFile(filepath.Join(dir, "cli-output.txt"), []byte(out.String()), 0o600) // kept with KEEP=1
	if err := cmd.Wait(); err != nil {
		return runTimes{}, fmt.Errorf("postman CLI: %v (report %s); its output ends:\n%s%s", err, report, tail(out.String(), 2000), stderr.String())
	}
	if scanErr != nil {
		return runTimes{}, fmt.Errorf("postman CLI output: %v", scanErr)
	}

	var rep struct {
		Run struct {
			Timings struct {
				Started float64 `json:"started"`
			} `json:"timings"`
		} `json:"run"`
	}
	if err := readJSON(report, &rep); err != nil {
		return runTimes{}, err
	}
	fi, err := os.Stat(report)
	if err != nil {
		return runTimes{}, err
	}
	runStart := rep.Run.Timings.Started
	end := float64(fi.ModTime().UnixNano()) / 1e6
	if runStart <= 0 || end <= runStart {
		return runTimes{}, fmt.Errorf("report %s: run.timings.started %.0f and the report's time %.0f give no run duration", report, runStart, end)
	}
	if n > 1 && len(iterations) != n { // a run of one iteration prints no iteration line
		return runTimes{}, fmt.Errorf("the cli reporter printed %d iteration lines, want %d", len(iterations), n)
	}
	tm := runTimes{
		duration: end - runStart,
		startup:  runStart - float64(started.UnixNano())/1e6,
		cpu:      math.NaN(), // the process's CPU includes its start-up, about a second
	}
	for i := 1; i < len(iterations); i++ {
		tm.items = append(tm.items, float64(iterations[i].Sub(iterations[i-1]).Nanoseconds())/1e6)
	}
	if len(tm.items) == 0 { // one iteration: no interval
		tm.items = []float64{tm.duration}
	}
	return tm, nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
