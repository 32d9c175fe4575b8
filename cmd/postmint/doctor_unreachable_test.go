package main

import (
	"net"
	"strings"
	"testing"
)

// TestDoctorUnreachable: when the token endpoint cannot be reached, the line says why under the
// topic it belongs to (network: refused), and the clock line says it was not checked and why,
// instead of blaming a missing Date header.
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
	wantLine(t, out, "FAIL", "network", "could not reach "+addr+": connect: connection refused")
	wantLine(t, out, "SKIP", "clock", "not checked: "+addr+" could not be reached (connect: connection refused)")
	wantLine(t, out, "SKIP", "token", "not tried: the token endpoint could not be reached")
}

// TestDoctorNoSuchHost: a host name that does not resolve is a DNS failure, said as one (not
// "FAIL tls"), with what to check. .invalid never resolves (RFC 6761).
func TestDoctorNoSuchHost(t *testing.T) {
	def := writeDef(t, t.TempDir(), "client_id: c\nalg: ES256\ntoken_url: https://idp.no-such-host.invalid/token\n")
	code, out, _ := runDoctor(t, "-c", def, "-k", "../../testdata/keys/ec-p256.pkcs8.pem")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	wantLine(t, out, "FAIL", "dns", "idp.no-such-host.invalid")
	wantLine(t, out, "SKIP", "token", "not tried")
	if strings.Contains(out, "FAIL  tls") {
		t.Errorf("a DNS failure reported as TLS:\n%s", out)
	}
}
