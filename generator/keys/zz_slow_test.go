package keys
import ("testing";"os";"path/filepath";"time";"strconv";"strings")
func TestZZSlow(t *testing.T){
 dir := os.Getenv("CORPUS")
 es,_ := os.ReadDir(dir)
 for _, e := range es { b,_ := os.ReadFile(filepath.Join(dir,e.Name()))
   s := strings.TrimPrefix(string(b), "go test fuzz v1\n[]byte(")
   s = strings.TrimSuffix(strings.TrimSpace(s), ")")
   u, err := strconv.Unquote(s); if err != nil { t.Log(e.Name(), err); continue }
   st := time.Now(); _, err = Parse([]byte(u), "x", Options{Password: []byte(fuzzPassword)})
   t.Logf("%s %v %v", e.Name(), time.Since(st), err)
 }
}
