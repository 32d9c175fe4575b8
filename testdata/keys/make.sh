#!/usr/bin/env bash
# Regenerates the throwaway test keys used by generator/keys. These keys protect nothing.
# Needs OpenSSL 3 (with the legacy provider), keytool (JDK 11+), ssh-keygen and node (only to
# export JWKs with an implementation other than postmint's). Run from anywhere:
#   bash testdata/keys/make.sh
# Passwords: password.txt ("test-password") for keys and stores; key-password.txt for the
# JKS entries whose key password differs from the store password.
set -euo pipefail
cd "$(dirname "$0")"

find . -maxdepth 1 -type f ! -name make.sh ! -name password.txt ! -name key-password.txt -delete
exec 3>&2 2>make.log # openssl and keytool are chatty; the log is removed on success
trap 'exec 2>&3; cat make.log >&2' ERR
printf 'test-password' > password.txt
printf 'jks-entry-pass' > key-password.txt
PASS=file:password.txt
PW=$(cat password.txt)
KPW=$(cat key-password.txt)
LEGACY=(-provider legacy -provider default)
DAYS=36500 # long-lived so that the fixtures never expire under the tests

# --- plain keys -----------------------------------------------------------------------------
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa2048.pkcs8.pem
openssl pkey -in rsa2048.pkcs8.pem -traditional -out rsa2048.pkcs1.pem
openssl pkey -in rsa2048.pkcs8.pem -outform DER -out rsa2048.pkcs1.der # traditional, as openssl 3 writes DER
openssl pkcs8 -topk8 -nocrypt -in rsa2048.pkcs8.pem -outform DER -out rsa2048.pkcs8.der
openssl pkey -in rsa2048.pkcs8.pem -pubout -out rsa2048.pub.pem
openssl rsa -in rsa2048.pkcs8.pem -RSAPublicKey_out -out rsa2048.pkcs1-pub.pem
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:1024 | openssl pkey -traditional -out rsa1024.pkcs1.pem
openssl genpkey -quiet -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out rsapss2048.pkcs8.pem

for c in 256 384 521; do
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-$c -pkeyopt ec_param_enc:named_curve \
    -out ec-p$c.pkcs8.pem
  openssl ec -in ec-p$c.pkcs8.pem -out ec-p$c.sec1.pem
done
# `openssl ecparam -genkey` writes an EC PARAMETERS block before the key.
openssl ecparam -name prime256v1 -genkey -out ec-p256.sec1-with-params.pem
openssl ecparam -name secp256k1 -genkey -noout -out ec-secp256k1.sec1.pem
openssl pkey -in ec-secp256k1.sec1.pem -out ec-secp256k1.pkcs8.pem
openssl ecparam -name secp224r1 -genkey -noout -out ec-p224.sec1.pem
openssl pkey -in ec-p224.sec1.pem -out ec-p224.pkcs8.pem
openssl ecparam -name prime192v1 -genkey -noout -out ec-p192.sec1.pem
openssl ec -in ec-p256.pkcs8.pem -param_enc explicit -out ec-p256.explicit-params.pem
openssl genpkey -quiet -algorithm ED25519 -out ed25519.pkcs8.pem
openssl genpkey -quiet -algorithm ED448 -out ed448.pkcs8.pem
openssl genpkey -quiet -algorithm X25519 -out x25519.pkcs8.pem

# --- encrypted PKCS#8 (PBES2, then the PBES1 schemes openssl still writes) ----------------------
openssl pkcs8 -topk8 -in rsa2048.pkcs8.pem -v2 aes-256-cbc -passout $PASS -out rsa2048.enc-aes256.pem
openssl pkcs8 -topk8 -in rsa2048.pkcs8.pem -v2 aes-256-cbc -passout $PASS -outform DER \
  -out rsa2048.enc-aes256.der
openssl pkcs8 -topk8 -in ec-p256.pkcs8.pem -v2 aes-128-cbc -v2prf hmacWithSHA1 -passout $PASS \
  -out ec-p256.enc-aes128-sha1.pem
openssl pkcs8 -topk8 -in ed25519.pkcs8.pem -v2 des3 -passout $PASS -out ed25519.enc-des3.pem
openssl pkcs8 -topk8 -in ec-p384.pkcs8.pem -scrypt -passout $PASS -out ec-p384.enc-scrypt.pem
openssl pkcs8 -topk8 -in rsa2048.pkcs8.pem -v1 PBE-SHA1-3DES -passout $PASS \
  -out rsa2048.enc-pbe-sha1-3des.pem
openssl pkcs8 -topk8 -in ec-p521.pkcs8.pem -v1 PBE-SHA1-3DES -passout $PASS \
  -out ec-p521.enc-pbe-sha1-3des.pem
# read by nothing that postmint uses: the tests expect a clear "not supported" error
openssl pkcs8 -topk8 -in rsa2048.pkcs8.pem -v1 PBE-SHA1-RC2-40 "${LEGACY[@]}" -passout $PASS \
  -out rsa2048.enc-pbe-sha1-rc2-40.pem
openssl pkcs8 -topk8 -in rsa2048.pkcs8.pem -v1 PBE-MD5-DES "${LEGACY[@]}" -passout $PASS \
  -out rsa2048.enc-pbe-md5-des.pem
openssl pkcs8 -topk8 -in rsa2048.pkcs8.pem -v2 aes-256-cbc -v2prf hmacWithSHA512 -passout $PASS \
  -out rsa2048.enc-aes256-sha512.pem

# --- legacy "Proc-Type: 4,ENCRYPTED" PEM ----------------------------------------------------
openssl rsa -in rsa2048.pkcs8.pem -aes256 -traditional -passout $PASS -out rsa2048.legacy-aes256.pem
openssl rsa -in rsa2048.pkcs8.pem -des3 -traditional -passout $PASS -out rsa2048.legacy-des3.pem
openssl ec -in ec-p256.pkcs8.pem -aes128 -passout $PASS -out ec-p256.legacy-aes128.pem

# --- certificates: a CA, leaf certificates, a CSR ----------------------------------------------
openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key.pem
openssl req -x509 -new -key ca.key.pem -subj "/CN=Postmint Test CA/O=Postmint Tests" -days $DAYS \
  -addext basicConstraints=critical,CA:TRUE -out ca.crt.pem
leaf() { # leaf KEY NAME SERIAL
  openssl req -new -key "$1" -subj "/CN=$2/O=Postmint Tests" -out "${1%%.*}.csr.pem"
  openssl x509 -req -in "${1%%.*}.csr.pem" -CA ca.crt.pem -CAkey ca.key.pem -days $DAYS \
    -set_serial "$3" -out "${1%%.*}.crt.pem"
}
leaf rsa2048.pkcs8.pem postmint-rsa 2
leaf ec-p256.pkcs8.pem postmint-ec 3
leaf ed25519.pkcs8.pem postmint-ed25519 4
rm ec-p256.csr.pem ed25519.csr.pem
cat rsa2048.crt.pem ca.crt.pem > rsa2048.chain.pem
openssl x509 -in rsa2048.crt.pem -outform DER -out rsa2048.crt.der
# x5t#S256 and x5t of the leaf, for the tests
openssl dgst -sha256 -binary rsa2048.crt.der | basenc --base64url | tr -d '=' > rsa2048.crt.x5t-s256.txt
openssl dgst -sha1 -binary rsa2048.crt.der | basenc --base64url | tr -d '=' > rsa2048.crt.x5t.txt
# key and chain in one file, CA first, to check that the leaf is put first
cat ca.crt.pem rsa2048.pkcs8.pem rsa2048.crt.pem > rsa2048.key-and-chain.pem
cat rsa2048.pkcs8.pem ec-p256.crt.pem > mismatch.key-and-cert.pem

# --- PKCS#12 --------------------------------------------------------------------------------
openssl pkcs12 -export -inkey rsa2048.pkcs8.pem -in rsa2048.crt.pem -certfile ca.crt.pem -name client \
  -passout $PASS -out rsa2048.p12
openssl pkcs12 -export -legacy -inkey rsa2048.pkcs8.pem -in rsa2048.crt.pem -certfile ca.crt.pem \
  -name client -passout $PASS -out rsa2048.legacy.p12
openssl pkcs12 -export -inkey ec-p256.pkcs8.pem -in ec-p256.crt.pem -name ec -passout $PASS \
  -out ec-p256.p12
openssl pkcs12 -export -inkey ed25519.pkcs8.pem -in ed25519.crt.pem -name ed -passout $PASS \
  -out ed25519.p12
openssl pkcs12 -export -inkey ec-p256.pkcs8.pem -in ec-p256.crt.pem -name ec -passout pass: \
  -out ec-p256.nopass.p12

# --- Java key stores ------------------------------------------------------------------------
keytool -importkeystore -noprompt -srckeystore rsa2048.p12 -srcstoretype PKCS12 -srcstorepass "$PW" \
  -srcalias client -destkeystore one.jks -deststoretype JKS -deststorepass "$PW" \
  -destkeypass "$PW" -destalias client 2>/dev/null
# two private keys with their own key password, and a trusted certificate entry
keytool -genkeypair -keystore two.jks -storetype JKS -storepass "$PW" -keypass "$KPW" -alias rsa-key \
  -keyalg RSA -keysize 2048 -dname "CN=rsa-key" -validity $DAYS 2>/dev/null
keytool -genkeypair -keystore two.jks -storetype JKS -storepass "$PW" -keypass "$KPW" -alias ec-key \
  -keyalg EC -groupname secp384r1 -dname "CN=ec-key" -validity $DAYS 2>/dev/null
keytool -importcert -noprompt -keystore two.jks -storetype JKS -storepass "$PW" -alias ca \
  -file ca.crt.pem 2>/dev/null
keytool -genkeypair -keystore java.p12 -storetype PKCS12 -storepass "$PW" -alias java \
  -keyalg EC -groupname secp256r1 -dname "CN=java" -validity $DAYS
keytool -genkeypair -keystore java.jceks -storetype JCEKS -storepass "$PW" -keypass "$PW" \
  -alias java -keyalg EC -groupname secp256r1 -dname "CN=java" -validity $DAYS 2>/dev/null

# --- JWK / JWKS, exported by node's crypto (an implementation independent of postmint) -------
node - <<'JS'
const crypto = require("crypto"), fs = require("fs");
const jwk = (file, kid, alg) => ({ kid, alg, use: "sig",
  ...crypto.createPrivateKey(fs.readFileSync(file)).export({ format: "jwk" }) });
const pub = (j) => Object.fromEntries(Object.entries(j).filter(([k]) => !["d","p","q","dp","dq","qi"].includes(k)));
const write = (file, v) => fs.writeFileSync(file, JSON.stringify(v, null, 2) + "\n");
const rsa = jwk("rsa2048.pkcs8.pem", "rsa-1", "RS256");
const ec = jwk("ec-p256.pkcs8.pem", "ec-1", "ES256");
const ed = jwk("ed25519.pkcs8.pem", "ed-1", "EdDSA");
write("rsa2048.jwk.json", rsa);
write("ec-p256.jwk.json", ec);
write("ed25519.jwk.json", ed);
write("ec-p384.jwk.json", jwk("ec-p384.pkcs8.pem", "ec-384", "ES384"));
write("rsa2048.pub.jwk.json", pub(rsa));
write("ec-secp256k1.jwk.json", jwk("ec-secp256k1.pkcs8.pem", "k1", "ES256K"));
write("two.jwks.json", { keys: [rsa, ec] });
write("one-private.jwks.json", { keys: [pub(rsa), ed] });
write("public.jwks.json", { keys: [pub(rsa), pub(ec)] });
// RFC 7638 thumbprints: SHA-256 of the required members, in lexicographic order, no spaces
const required = { RSA: ["e", "kty", "n"], EC: ["crv", "kty", "x", "y"], OKP: ["crv", "kty", "x"] };
for (const [name, j] of [["rsa2048", rsa], ["ec-p256", ec], ["ed25519", ed]]) {
  const canon = JSON.stringify(Object.fromEntries(required[j.kty].map((k) => [k, j[k]])));
  fs.writeFileSync(name + ".jwk-thumbprint.txt", crypto.createHash("sha256").update(canon).digest("base64url") + "\n");
}
JS

# --- OpenSSH --------------------------------------------------------------------------------
ssh-keygen -q -t ed25519 -N "" -C postmint-test -f ed25519.openssh
ssh-keygen -q -t ecdsa -b 256 -N "$PW" -C postmint-test -f ec-p256.openssh
rm -f ./*.openssh.pub

# --- not keys at all --------------------------------------------------------------------------
for i in $(seq 1 16); do printf 'junk %d' "$i" | openssl dgst -sha256 -binary; done > junk.bin
head -c 300 rsa2048.pkcs8.der > rsa2048.truncated.der
# a PEM file cut off in the middle of its body
head -n 10 rsa2048.pkcs8.pem > rsa2048.cut.pem

exec 2>&3
rm -f make.log
