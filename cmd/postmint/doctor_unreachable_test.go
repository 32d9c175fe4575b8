package main

import (
	"net"
	"testing"
)

// TestDoctorUnreachable: when the token endpoint cannot be reached, the clock line says so and
// why, instead of blaming a missing Date header.
func TestDoctorUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now: connection refused
	def := writeDef(t, t.TempDir(), "client_id: c\nalg: ES256\ntoken_url: http://"+addr+"/token\n")
	code, out, _ := runDoctor(t, "-c", def, "-k", "../../testdata/keys/ec-p256.pkcs8.pem")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	wantLine(t, out, "FAIL", "tls", "could not reach "+addr, "connection refused")
	wantLine(t, out, "SKIP", "clock", "not checked: "+addr+" could not be reached", "connection refused")
}
