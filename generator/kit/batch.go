package kit

import (
	"runtime"
	"sync"
)

// Result is what became of one job: the path its kit was written to, or why there is no
// kit; and the build's warnings and notes.
type Result struct {
	Path     string
	Err      error
	Warnings []string
	Notes    []string
}

// BuildOptions say how BuildAll runs.
type BuildOptions struct {
	// Workers is how many kits are built (and written) at a time; 0 or less: one per CPU
	// (GOMAXPROCS). Never more than there are jobs to build.
	Workers int
	// Write stores a built kit and says where it went (internal/kitout writes folders and
	// zips); BuildAll itself writes nothing.
	Write func(*Kit) (string, error)
	// Done, when set, is called once per built job, from the worker that built it.
	Done func()
}

// Loaded is how many jobs Load could resolve: the ones BuildAll builds.
func Loaded(jobs []*Job) int {
	n := 0
	for _, j := range jobs {
		if j.Err == nil {
			n++
		}
	}
	return n
}

// BuildAll builds and writes the kit of every job that Load resolved, opt.Workers at a time,
// and returns one Result per job in the jobs' order, whatever order the workers finish in; a
// job Load could not resolve keeps its error.
func (b *Builder) BuildAll(jobs []*Job, opt BuildOptions) []Result {
	results := make([]Result, len(jobs))
	var todo []int
	for i, j := range jobs {
		if j.Err != nil {
			results[i].Err = j.Err
			continue
		}
		todo = append(todo, i)
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, len(todo)))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = b.buildAndWrite(jobs[i], opt.Write)
				if opt.Done != nil {
					opt.Done()
				}
			}
		}()
	}
	for _, i := range todo {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

func (b *Builder) buildAndWrite(j *Job, write func(*Kit) (string, error)) Result {
	k, err := b.Build(j)
	if err != nil {
		return Result{Err: err}
	}
	r := Result{Warnings: k.Warnings, Notes: k.Notes}
	r.Path, r.Err = write(k)
	return r
}

// Said is one distinct message of a batch: its text, the first kit (by job order) that has
// it, and how many other kits have it too.
type Said struct {
	Label, Text string
	Others      int
}

// Grouped lists each distinct message that of picks from the results (their warnings, or
// their notes) once, in the order they first appear, for the first kit that has it: many kits
// made from one base, one OpenAPI document or one default would otherwise repeat it.
func Grouped(jobs []*Job, results []Result, of func(Result) []string) []Said {
	index := map[string]int{}
	var said []Said
	for i, r := range results {
		for _, text := range of(r) {
			if at, ok := index[text]; ok {
				said[at].Others++
				continue
			}
			index[text] = len(said)
			said = append(said, Said{Label: jobs[i].Label, Text: text})
		}
	}
	return said
}
