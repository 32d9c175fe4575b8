package kit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BuildAll hands every resolved job's kit to Write, a few at a time, and answers in the
// jobs' order whatever order they finish in; a job Load refused keeps its error, a write that
// fails is that job's error, and Done is called once per built job.
func TestBuildAll(t *testing.T) {
	dir := t.TempDir()
	var defs []string
	for i := range 12 {
		p := filepath.Join(dir, fmt.Sprintf("p%02d.yaml", i))
		def := fmt.Sprintf("version: 1\nname: Partner %02d\nclient_id: p%02d\nalg: ES256\ntoken_url: https://idp.example.com/token\n", i, i)
		if i == 4 {
			def = "version: 1\nname: Partner 04\n"
		}
		if err := os.WriteFile(p, []byte(def), 0o644); err != nil {
			t.Fatal(err)
		}
		defs = append(defs, p)
	}
	jobs := Load(defs, nil, Options{})
	if Loaded(jobs) != 11 {
		t.Fatalf("Loaded = %d, want 11", Loaded(jobs))
	}
	for _, workers := range []int{0, 1, 5, 100} {
		var mu sync.Mutex
		var done, running, peak atomic.Int32
		written := map[string]int{}
		broken := errors.New("disk full")
		results := (&Builder{}).BuildAll(jobs, BuildOptions{Workers: workers, Done: func() { done.Add(1) }, Write: func(k *Kit) (string, error) {
			n := running.Add(1)
			defer running.Add(-1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			time.Sleep(time.Millisecond)
			mu.Lock()
			defer mu.Unlock()
			written[k.Slug]++
			if k.Slug == "partner-07" {
				return "", broken
			}
			return "out/" + k.Slug, nil
		}})
		if len(results) != len(jobs) || done.Load() != 11 || len(written) != 11 {
			t.Fatalf("workers %d: %d results, %d done, %d written", workers, len(results), done.Load(), len(written))
		}
		limit := workers
		if limit <= 0 {
			limit = runtime.GOMAXPROCS(0)
		}
		if peak.Load() > int32(limit) {
			t.Errorf("workers %d: %d kits written at once", workers, peak.Load())
		}
		for i, r := range results {
			switch {
			case i == 4:
				if r.Err == nil || r.Err != jobs[4].Err || written["partner-04"] != 0 {
					t.Errorf("workers %d: the refused job: %+v", workers, r)
				}
			case i == 7:
				if !errors.Is(r.Err, broken) || r.Path != "" {
					t.Errorf("workers %d: the failed write: %+v", workers, r)
				}
			case r.Err != nil || r.Path != fmt.Sprintf("out/partner-%02d", i) || written[strings.TrimPrefix(r.Path, "out/")] != 1:
				t.Errorf("workers %d: result %d: %+v", workers, i, r)
			}
		}
	}
}

// Grouped says each message once, in first-appearance order, for the first kit that has it,
// with the count of the others.
func TestGrouped(t *testing.T) {
	jobs := []*Job{{Label: "a.yaml"}, {Label: "b.yaml"}, {Label: "c.yaml"}, {Label: "d.yaml"}}
	results := []Result{
		{Warnings: []string{"shared", "only a"}},
		{Err: errors.New("refused")},
		{Warnings: []string{"only c", "shared"}},
		{Warnings: []string{"shared"}, Notes: []string{"a note"}},
	}
	got := Grouped(jobs, results, func(r Result) []string { return r.Warnings })
	want := []Said{{"a.yaml", "shared", 2}, {"a.yaml", "only a", 0}, {"c.yaml", "only c", 0}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("warnings %v, want %v", got, want)
	}
	if got := Grouped(jobs, results, func(r Result) []string { return r.Notes }); fmt.Sprint(got) != fmt.Sprint([]Said{{"d.yaml", "a note", 0}}) {
		t.Errorf("notes %v", got)
	}
}
