// A scratch reader for bench/openapi-readers.sh: loads each document named on the command
// line with this library (Swagger 2.0 converted or modelled), prints its operation count and time.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/yaml"
)

func main() {
	for _, f := range os.Args[1:] {
		t0 := time.Now()
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Println(f, err)
			continue
		}
		var doc2 openapi2.T
		if _, err := yaml.Unmarshal(data, &doc2, yaml.DecodeOpts{}); err == nil && doc2.Swagger != "" {
			d3, err := openapi2conv.ToV3(&doc2)
			if err != nil {
				fmt.Println(f, "ToV3:", err)
				continue
			}
			b, _ := json.Marshal(d3)
			fmt.Println(f, "2.0 ops", d3.Paths.Len(), "paths; json", len(b), time.Since(t0))
			continue
		}
		l := openapi3.NewLoader()
		l.IsExternalRefsAllowed = true
		d, err := l.LoadFromFile(f)
		if err != nil {
			fmt.Println(f, "load:", err)
			continue
		}
		n := 0
		for _, p := range d.Paths.Map() {
			n += len(p.Operations())
		}
		fmt.Println(f, "ops", n, time.Since(t0))
	}
}
