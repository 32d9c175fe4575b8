// A scratch reader for bench/openapi-readers.sh: loads each document named on the command
// line with this library (Swagger 2.0 converted or modelled), prints its operation count and time.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi/datamodel"
)

func main() {
	for _, f := range os.Args[1:] {
		t0 := time.Now()
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Println(f, err)
			continue
		}
		cfg := &datamodel.DocumentConfiguration{BasePath: filepath.Dir(f), AllowFileReferences: true}
		doc, err := libopenapi.NewDocumentWithConfiguration(data, cfg)
		if err != nil {
			fmt.Println(f, "new:", err)
			continue
		}
		if doc.GetSpecInfo().SpecType == "swagger" {
			m, err := doc.BuildV2Model()
			if err != nil {
				fmt.Println(f, "v2:", err)
				continue
			}
			n := 0
			if m.Model.Paths != nil {
				for _, p := range m.Model.Paths.PathItems.FromOldest() {
					n += p.GetOperations().Len()
				}
			}
			fmt.Println(f, "2.0 ops", n, time.Since(t0))
			continue
		}
		m, err := doc.BuildV3Model()
		if err != nil {
			fmt.Println(f, "v3:", err)
			if m == nil {
				continue
			}
		}
		n := 0
		if m.Model.Paths != nil {
			for _, p := range m.Model.Paths.PathItems.FromOldest() {
				n += p.GetOperations().Len()
			}
		}
		fmt.Println(f, "ops", n, time.Since(t0))
	}
}
