package postman

import (
	"encoding/json"
	"testing"
)

func TestParseURL(t *testing.T) {
	cases := []struct{ raw, want string }{
		{"https://api.example.com/v1/orders?status=open&limit=5#top",
			`{"raw":"https://api.example.com/v1/orders?status=open\u0026limit=5#top","protocol":"https","host":["api","example","com"],"path":["v1","orders"],"query":[{"key":"status","value":"open"},{"key":"limit","value":"5"}],"hash":"top"}`},
		{"http://127.0.0.1:8080/api/whoami", `{"raw":"http://127.0.0.1:8080/api/whoami","protocol":"http","host":["127","0","0","1"],"path":["api","whoami"],"port":"8080"}`},
		{"{{baseUrl}}/orders/{{id}}", `{"raw":"{{baseUrl}}/orders/{{id}}","host":["{{baseUrl}}"],"path":["orders","{{id}}"]}`},
		{"{{idpServer}}", `{"raw":"{{idpServer}}","host":["{{idpServer}}"]}`},
		{"http://[::1]:9/x", `{"raw":"http://[::1]:9/x","protocol":"http","host":["[::1]"],"path":["x"],"port":"9"}`},
	}
	for _, tc := range cases {
		b, err := json.Marshal(parseURL(tc.raw))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.raw, b, tc.want)
		}
	}
}
