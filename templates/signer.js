// postmint in-collection JWS signer (RFC 7515 compact serialization, RFC 7518 algorithms).
//
// Plain JavaScript that runs unchanged in Newman 6 (postman-sandbox: no crypto global, no text
// encoder, no Node modules), in the Postman app / Postman CLI sandbox and in node. It needs only
// BigInt and crypto-js (hashes and HMAC); everything else (DER, RSA, ECDSA, Ed25519, base64url,
// UTF-8, Go-compatible JSON) is written out below, each function citing its specification.
//
// Embedding: postmint generate minifies it (templates.MinifyJS) into the collection-level
// script; minified it must stay under 20 KB (TestMinifiedSignerSize).
//
// Usage: var signer = postmintSigner(require('crypto-js'));
//        signer.jwt({ alg: 'RS256', kid: 'k1' }, { iss: 'me', ... }, privateKeyText)
//        signer.dpopProof({ alg: 'ES256', key: dpopKeyJwkText, htm: 'GET', htu: url, accessToken: t })
function postmintSigner(CryptoJS) {
    var C = CryptoJS;
    var PUBLIC = 'this is a public key/certificate, not a private key: postmint needs the private key';

    function fail(msg) {
        throw new Error('postmint: ' + msg);
    }

    // ---- bytes, hex, BigInt ----

    // Byte array -> crypto-js WordArray (big-endian 32-bit words).
    function toWA(b) {
        var w = [];
        for (var i = 0; i < b.length; i++) {
            w[i >>> 2] |= b[i] << (24 - 8 * (i & 3));
        }
        return C.lib.WordArray.create(w, b.length);
    }

    // crypto-js WordArray -> byte array.
    function fromWA(wa) {
        var out = [];
        for (var i = 0; i < wa.sigBytes; i++) {
            out.push((wa.words[i >>> 2] >>> (24 - 8 * (i & 3))) & 255);
        }
        return out;
    }

    // SHA-2 (FIPS 180-4) and HMAC (RFC 2104) from crypto-js; bits is 256, 384 or 512.
    function hash(bits, b) {
        return fromWA(C['SHA' + bits](toWA(b)));
    }
    function hmac(bits, key, b) {
        return fromWA(C['HmacSHA' + bits](toWA(b), toWA(key)));
    }

    function hex(b) {
        var s = '';
        for (var i = 0; i < b.length; i++) {
            s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
        }
        return s;
    }

    // RFC 8017 §4.2 OS2IP: big-endian bytes -> integer.
    function b2i(b) {
        return b.length ? BigInt('0x' + hex(b)) : 0n;
    }

    // RFC 8017 §4.1 I2OSP: integer -> big-endian bytes of length len.
    function i2b(n, len) {
        var h = n.toString(16).padStart(2 * len, '0'), out = [];
        if (h.length > 2 * len) {
            fail('integer too large');
        }
        for (var i = 0; i < h.length; i += 2) {
            out.push(parseInt(h.substr(i, 2), 16));
        }
        return out;
    }

    function bitLen(n) {
        return n.toString(2).length;
    }

    // Non-negative remainder.
    function md(x, m) {
        x %= m;
        return x < 0n ? x + m : x;
    }

    // Left-to-right sliding-window exponentiation (HAC Algorithm 14.85): only the odd powers
    // b, b^3, ..., b^(2^w - 1) are precomputed, and a window always ends in a 1 bit. The width
    // grows with the exponent: w = 6 for RSA's 1024- to 4096-bit exponents (about bits/7
    // multiplications besides the squarings, against bits/4 for a 4-bit fixed window), 4 for
    // the 255- to 521-bit ones of the curves, 1 (plain square-and-multiply) for e = 65537.
    function modpow(b, e, m) {
        var bits = e.toString(2), n = bits.length, w = n > 600 ? 6 : n > 64 ? 4 : 1;
        var g = md(b, m), g2 = w > 1 ? g * g % m : 0n, t = [g], r = 1n, i = 0, j;
        while (t.length < 1 << (w - 1)) {
            t.push(t[t.length - 1] * g2 % m);
        }
        while (i < n) {
            j = Math.min(i + w, n);
            if (bits[i] === '0') {
                j = i + 1;
            } else {
                while (bits[j - 1] === '0') {
                    j--;
                }
            }
            for (var k = i; k < j; k++) {
                r = r * r % m;
            }
            if (bits[i] === '1') {
                r = r * t[parseInt(bits.slice(i, j), 2) >> 1] % m;
            }
            i = j;
        }
        return r;
    }

    // Inverse modulo a prime m (Fermat: a^(m-2)).
    function inv(a, m) {
        return modpow(a, m - 2n, m);
    }

    // ---- encodings ----

    // RFC 4648 §5 base64url without padding (RFC 7515 §2).
    function b64u(b) {
        return C.enc.Base64.stringify(toWA(b)).replace(/\+/g, '-').replace(/[/]/g, '_').replace(/=+$/, '');
    }
    function unb64(s) {
        s = String(s).replace(/-/g, '+').replace(/_/g, '/').replace(/\s+/g, '');
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) {
            fail('the key holds invalid base64');
        }
        return fromWA(C.enc.Base64.parse(s));
    }

    // RFC 3629 §3 UTF-8 by hand (Newman has no text encoder). A lone surrogate becomes U+FFFD,
    // which is what Go holds after decoding one from JSON.
    function utf8(s) {
        var out = [];
        for (var i = 0; i < s.length; i++) {
            var c = s.charCodeAt(i), d = s.charCodeAt(i + 1);
            if (c >= 0xd800 && c < 0xe000) {
                if (c < 0xdc00 && d >= 0xdc00 && d < 0xe000) {
                    c = 0x10000 + ((c - 0xd800) << 10) + d - 0xdc00;
                    i++;
                } else {
                    c = 0xfffd;
                }
            }
            if (c < 0x80) {
                out.push(c);
            } else if (c < 0x800) {
                out.push(0xc0 | c >> 6, 0x80 | c & 63);
            } else if (c < 0x10000) {
                out.push(0xe0 | c >> 12, 0x80 | c >> 6 & 63, 0x80 | c & 63);
            } else {
                out.push(0xf0 | c >> 18, 0x80 | c >> 12 & 63, 0x80 | c >> 6 & 63, 0x80 | c & 63);
            }
        }
        return out;
    }

    // A JSON string exactly as Go's encoding/json writes it (HTML-safe escaping, \u2028/\u2029).
    var ESC = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    function jstr(s) {
        return '"' + s.replace(/[\u0000-\u001f"\\<>&\u2028\u2029]/g, function (ch) {
            return ESC[ch] || '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0');
        }) + '"';
    }

    // Go sorts map keys by their UTF-8 bytes.
    function byBytes(a, b) {
        var x = utf8(a), y = utf8(b);
        for (var i = 0; i < x.length && i < y.length; i++) {
            if (x[i] !== y[i]) {
                return x[i] - y[i];
            }
        }
        return x.length - y.length;
    }

    // RFC 8259 JSON as Go's json.Marshal writes a map[string]any: sorted keys, no spaces,
    // numbers in ES6 form (which Go's float encoder copies, -0 included).
    function canonicalJSON(v) {
        var t = typeof v;
        if (v === null || v === undefined || t === 'function') {
            return 'null';
        }
        if (t === 'string') {
            return jstr(v);
        }
        if (t === 'number') {
            if (!isFinite(v)) {
                fail('JSON cannot hold ' + v);
            }
            return v === 0 && 1 / v < 0 ? '-0' : String(v);
        }
        if (t === 'boolean' || t === 'bigint') {
            return String(v);
        }
        if (Array.isArray(v)) {
            return '[' + v.map(function (x) { return canonicalJSON(x); }).join(',') + ']';
        }
        return '{' + Object.keys(v).filter(function (k) {
            return v[k] !== undefined && typeof v[k] !== 'function';
        }).sort(byBytes).map(function (k) {
            return jstr(k) + ':' + canonicalJSON(v[k]);
        }).join(',') + '}';
    }

    // ---- randomness ----

    // Random bytes for the jti and the PSS salt. crypto.getRandomValues where it exists (Postman
    // app/CLI, node). Newman 6 offers no CSPRNG: there we hash crypto-js WordArray.random
    // (Math.random based in 3.3.0) with Math.random, Date.now and a counter through SHA-256.
    // That is enough: a jti only needs to be unique, RSASSA-PSS stays secure with any salt
    // (RFC 8017 §8.1), and ECDSA needs no randomness at all thanks to RFC 6979.
    var counter = 0;
    function random(n) {
        var out = csprng(n), seed;
        if (out) {
            return out;
        }
        out = [];
        while (out.length < n) {
            try {
                seed = C.lib.WordArray.random(32);
            } catch (e) {
                seed = C.lib.WordArray.create([]);
            }
            seed.concat(C.enc.Utf8.parse(Math.random() + ':' + Date.now() + ':' + counter++));
            out = out.concat(fromWA(C.SHA256(seed)));
        }
        return out.slice(0, n);
    }

    // n bytes from crypto.getRandomValues (W3C Web Crypto §10.1.1), or null where the sandbox has
    // none (Newman 6) or it answers all zeros (a stub).
    function csprng(n) {
        try {
            var out = Array.from(crypto.getRandomValues(new Uint8Array(n)));
            return out.some(Boolean) ? out : null;
        } catch (e) {
            return null;
        }
    }

    // RFC 9562 §5.4 UUID version 4.
    function uuid4() {
        var b = random(16);
        b[6] = b[6] & 15 | 64;
        b[8] = b[8] & 63 | 128;
        var h = hex(b);
        return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join('-');
    }

    // ---- curves ----

    // FIPS 186-4 §D.1.2 (SEC 2 §2.4-2.6) NIST prime curves; all have a = -3.
    function curve(name, oid, p, n, gx, gy) {
        n = BigInt('0x' + n);
        return { name: name, oid: oid, p: p, n: n, gx: BigInt('0x' + gx), gy: BigInt('0x' + gy), bits: bitLen(n), size: Math.ceil(bitLen(n) / 8) };
    }
    var CURVES = [
        curve('P-256', '1.2.840.10045.3.1.7', 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n,
            'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551',
            '6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296',
            '4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5'),
        curve('P-384', '1.3.132.0.34', 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 1n,
            'ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973',
            'aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7',
            '3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f'),
        curve('P-521', '1.3.132.0.35', 2n ** 521n - 1n,
            '1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409',
            'c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66',
            '11839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650')
    ];
    function curveBy(field, value) {
        for (var i = 0; i < CURVES.length; i++) {
            if (CURVES[i][field] === value) {
                return CURVES[i];
            }
        }
        fail('unsupported curve ' + value + '; use P-256, P-384 or P-521');
    }

    // Jacobian doubling for a = -3 (EFD dbl-2001-b; SEC1 §2.2.1 group law).
    function jdbl(P, p) {
        var X = P[0], Y = P[1], Z = P[2];
        var dl = Z * Z % p, gm = Y * Y % p, bt = X * gm % p, al = 3n * ((X - dl) * (X + dl) % p) % p;
        var X3 = (al * al - 8n * bt) % p;
        return [X3, (al * (4n * bt - X3) - 8n * (gm * gm % p)) % p, ((Y + Z) * (Y + Z) - gm - dl) % p];
    }

    // Jacobian + affine G mixed addition (EFD madd-2007-bl). Never sees P = +-G: in mulG the
    // point before an addition is 2j*G with 2 <= 2j <= n-2.
    function jaddG(P, c) {
        var p = c.p, X = P[0], Y = P[1], Z = P[2];
        var zz = Z * Z % p, h = (c.gx * zz - X) % p, s2 = c.gy * Z % p * zz % p;
        var hh = h * h % p, i4 = 4n * hh % p, j = h * i4 % p, r = 2n * (s2 - Y) % p, v = X * i4 % p;
        var X3 = (r * r - j - 2n * v) % p;
        return [X3, (r * (v - X3) - 2n * Y * j) % p, ((Z + h) * (Z + h) - zz - hh) % p];
    }

    // k*G for 0 < k < n, left-to-right double-and-add; returns affine [x, y] (SEC1 §2.2.1).
    function mulG(k, c) {
        var bits = k.toString(2), P = [c.gx, c.gy, 1n];
        for (var i = 1; i < bits.length; i++) {
            P = jdbl(P, c.p);
            if (bits[i] === '1') {
                P = jaddG(P, c);
            }
        }
        var zi = inv(P[2], c.p), z2 = zi * zi % c.p;
        return [md(P[0] * z2, c.p), md(P[1] * z2 % c.p * zi, c.p)];
    }

    // ECDSA signature (SEC1 §4.1.3) with the deterministic k of RFC 6979 §3.2, output as
    // JOSE r||s, each padded to the curve's byte length (RFC 7518 §3.4).
    function ecSign(key, bits, msg) {
        var c = key.c, n = c.n, len = c.size, hl = bits / 8;
        // RFC 6979 §2.3.2 bits2int: leftmost qlen bits.
        function bits2int(b) {
            var x = b2i(b), extra = b.length * 8 - c.bits;
            return extra > 0 ? x >> BigInt(extra) : x;
        }
        var e = bits2int(hash(bits, msg)), xh = i2b(key.d, len).concat(i2b(e % n, len));
        var V = new Array(hl).fill(1), K = new Array(hl).fill(0);
        K = hmac(bits, K, V.concat([0], xh));
        V = hmac(bits, K, V);
        K = hmac(bits, K, V.concat([1], xh));
        V = hmac(bits, K, V);
        for (;;) {
            var T = [];
            while (T.length < len) {
                V = hmac(bits, K, V);
                T = T.concat(V);
            }
            var k = bits2int(T);
            if (k > 0n && k < n) {
                var r = mulG(k, c)[0] % n, s = md(inv(k, n) * (e + r * key.d), n);
                if (r > 0n && s > 0n) {
                    return i2b(r, len).concat(i2b(s, len));
                }
            }
            K = hmac(bits, K, V.concat([0]));
            V = hmac(bits, K, V);
        }
    }

    // ---- Ed25519 (RFC 8032) ----

    var EP = 2n ** 255n - 19n, EL = 2n ** 252n + 27742317777372353535851937790883648493n;
    var ED = md(-121665n * inv(121666n, EP), EP);
    var EBX = BigInt('0x216936d3cd6e53fec0a4e231fdd6dc5c692cc7609525a7b2c9562d608f25d51a');
    var EBY = md(4n * inv(5n, EP), EP);

    // RFC 8032 §5.1.4 point addition in extended coordinates (X, Y, Z, T); also doubles.
    function eAdd(P, Q) {
        var p = EP;
        var a = (P[1] - P[0]) * (Q[1] - Q[0]) % p, b = (P[1] + P[0]) * (Q[1] + Q[0]) % p;
        var c = 2n * P[3] * Q[3] % p * ED % p, d = 2n * P[2] * Q[2] % p;
        var e = b - a, f = d - c, g = d + c, h = b + a;
        return [e * f % p, g * h % p, f * g % p, e * h % p];
    }

    // RFC 8032 §5.1.2 encoding of [k]B: little-endian y with the sign of x in the top bit.
    function eMulB(k) {
        var R = [0n, 1n, 1n, 0n], P = [EBX, EBY, 1n, EBX * EBY % EP];
        for (; k > 0n; k >>= 1n) {
            if (k & 1n) {
                R = eAdd(R, P);
            }
            P = eAdd(P, P);
        }
        var zi = inv(R[2], EP), out = i2b(md(R[1] * zi, EP), 32).reverse();
        out[31] |= Number(md(R[0] * zi, EP) & 1n) << 7;
        return out;
    }

    function le(b) {
        return b2i(b.slice().reverse());
    }

    // RFC 8032 §5.1.5 key generation: the secret scalar s, the prefix and the public key A.
    function edExpand(seed) {
        var h = hash(512, seed), a = h.slice(0, 32);
        a[0] &= 248;
        a[31] = a[31] & 127 | 64;
        return { s: le(a), prefix: h.slice(32), A: eMulB(le(a)) };
    }

    // RFC 8032 §5.1.6 sign.
    function edSign(seed, msg) {
        var x = edExpand(seed), r = le(hash(512, x.prefix.concat(msg))) % EL, R = eMulB(r);
        var k = le(hash(512, R.concat(x.A, msg))) % EL;
        return R.concat(i2b((r + k * x.s) % EL, 32).reverse());
    }

    // ---- RSA (RFC 8017) ----

    // RFC 8017 §5.1.2 RSASP1, CRT form (step 2.b) when the primes are known. The result is
    // checked with RSAVP1 so that wrong CRT members never produce a bad signature.
    function rsasp1(k, m) {
        var s = !k.p ? modpow(m, k.d, k.n) : (function () {
            var s1 = modpow(m, k.dp, k.p), s2 = modpow(m, k.dq, k.q);
            return s2 + k.q * md(k.qi * (s1 - s2), k.p);
        })();
        if (modpow(s, k.e, k.n) !== m) {
            fail('the RSA private key is inconsistent (its members do not match)');
        }
        return s;
    }

    // RFC 8017 §9.2 EMSA-PKCS1-v1_5 with the DigestInfo prefixes of its note 1.
    function emsaPkcs1(bits, msg, emLen) {
        var L = bits / 8, id = { 256: 1, 384: 2, 512: 3 }[bits];
        var T = [0x30, 17 + L, 0x30, 13, 6, 9, 0x60, 0x86, 0x48, 1, 0x65, 3, 4, 2, id, 5, 0, 4, L].concat(hash(bits, msg));
        var em = [0, 1];
        while (em.length < emLen - T.length - 1) {
            em.push(255);
        }
        return em.concat([0], T);
    }

    // RFC 8017 §B.2.1 MGF1.
    function mgf1(bits, seed, len) {
        var out = [];
        for (var i = 0; out.length < len; i++) {
            out = out.concat(hash(bits, seed.concat(i2b(BigInt(i), 4))));
        }
        return out.slice(0, len);
    }

    // RFC 8017 §9.1.1 EMSA-PSS-ENCODE with MGF1 of the same hash and sLen = hLen (RFC 7518 §3.5).
    function emsaPss(bits, msg, emBits) {
        var hl = bits / 8, emLen = Math.ceil(emBits / 8), salt = random(hl);
        var H = hash(bits, [0, 0, 0, 0, 0, 0, 0, 0].concat(hash(bits, msg), salt));
        var db = new Array(emLen - 2 * hl - 2).fill(0).concat([1], salt), mask = mgf1(bits, H, emLen - hl - 1);
        for (var i = 0; i < db.length; i++) {
            db[i] ^= mask[i];
        }
        db[0] &= 255 >> (8 * emLen - emBits);
        return db.concat(H, [0xbc]);
    }

    // ---- keys ----

    function rsaKey(n, e, d, p, q, dp, dq, qi) {
        var bits = bitLen(n);
        // RFC 7518 §3.3 and §3.5: a key of size 2048 bits or larger MUST be used.
        if (bits < 2048) {
            fail('the RSA key has ' + bits + ' bits; 2048 or more are required');
        }
        var k = { t: 'RSA', n: n, e: e, d: d, bits: bits, len: Math.ceil(bits / 8) };
        if (p && q) {
            k.p = p;
            k.q = q;
            k.dp = dp || d % (p - 1n);
            k.dq = dq || d % (q - 1n);
            k.qi = qi || inv(q, p);
        }
        return k;
    }
    function ecKey(c, d) {
        if (!(d > 0n && d < c.n)) {
            fail('the EC private key is out of range for ' + c.name);
        }
        return { t: 'EC-' + c.name, c: c, d: d };
    }
    function edKey(seed) {
        if (seed.length !== 32) {
            fail('the Ed25519 private key must be 32 bytes');
        }
        return { t: 'Ed25519', seed: seed };
    }

    // X.690 §8.1 DER: one TLV at i -> { t: tag, s: content start, e: content end }.
    function tlv(b, i, end) {
        var t = b[i++], l = b[i++], n = l & 127;
        if (l > 127) {
            for (l = 0; n-- > 0;) {
                l = l * 256 + b[i++];
            }
        }
        if (!(i + l <= end) || t === undefined) {
            fail('the key is not valid DER (truncated or corrupted?)');
        }
        return { t: t, s: i, e: i + l };
    }
    // Children of a constructed TLV (or of the whole buffer when node is omitted).
    function kids(b, node) {
        node = node || tlv(b, 0, b.length);
        var out = [];
        for (var i = node.s; i < node.e; i = out[out.length - 1].e) {
            out.push(tlv(b, i, node.e));
        }
        return out;
    }
    function val(b, node) {
        return b.slice(node.s, node.e);
    }
    // X.690 §8.19 OBJECT IDENTIFIER -> dotted string.
    function oid(b) {
        var out = [Math.floor(b[0] / 40), b[0] % 40], v = 0;
        for (var i = 1; i < b.length; i++) {
            v = v * 128 + (b[i] & 127);
            if (b[i] < 128) {
                out.push(v);
                v = 0;
            }
        }
        return out.join('.');
    }

    // RFC 8017 §A.1.2 RSAPrivateKey (PKCS#1).
    function pkcs1(b) {
        var f = kids(b).map(function (x) { return b2i(val(b, x)); });
        return rsaKey(f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]);
    }

    // RFC 5915 §3 ECPrivateKey (SEC1 §C.4); the curve OID from [0] or from the PKCS#8 header.
    function sec1(b, curveOid) {
        var f = kids(b);
        for (var i = 2; i < f.length; i++) {
            if (f[i].t === 0xa0) {
                curveOid = oid(val(b, tlv(b, f[i].s, f[i].e)));
            }
        }
        if (!curveOid) {
            fail('the EC key names no curve');
        }
        return ecKey(curveBy('oid', curveOid), b2i(val(b, f[1])));
    }

    // RFC 5208 §5 / RFC 5958 §2 PrivateKeyInfo (PKCS#8) holding RSA (RFC 8017 §A.1),
    // EC (RFC 5480 §2.1.1) or Ed25519 (RFC 8410 §7).
    function pkcs8(b) {
        var f = kids(b), alg = kids(b, f[1]), o = oid(val(b, alg[0])), inner = val(b, f[2]);
        if (o === '1.2.840.113549.1.1.1') {
            return pkcs1(inner);
        }
        if (o === '1.2.840.10045.2.1') {
            return sec1(inner, alg[1] && alg[1].t === 6 ? oid(val(b, alg[1])) : '');
        }
        if (o === '1.3.101.112') {
            return edKey(val(inner, tlv(inner, 0, inner.length)));
        }
        fail('unsupported key algorithm (OID ' + o + '); use RSA, EC P-256/P-384/P-521 or Ed25519');
    }

    // RFC 7517 §4 / RFC 7518 §6 private JWK.
    function jwk(j) {
        if (!j || typeof j !== 'object' || !j.kty) {
            fail('the JSON is neither a JWK nor a JWKS');
        }
        if (j.kty === 'oct') {
            fail('a symmetric (oct) JWK cannot sign here; use an RSA, EC or Ed25519 private key');
        }
        if (!j.d) {
            fail(PUBLIC);
        }
        function f(name) {
            return j[name] ? b2i(unb64(j[name])) : 0n;
        }
        if (j.kty === 'RSA') {
            if (!j.n || !j.e) {
                fail('the RSA JWK has d but no n or e; export the whole private key (n, e, d, p, q, dp, dq, qi)');
            }
            return rsaKey(f('n'), f('e'), f('d'), f('p'), f('q'), f('dp'), f('dq'), f('qi'));
        }
        if (j.kty === 'EC') {
            return Object.assign(ecKey(curveBy('name', j.crv), f('d')), { x: j.x, y: j.y });
        }
        if (j.kty === 'OKP' && j.crv === 'Ed25519') {
            return Object.assign(edKey(unb64(j.d)), { x: j.x });
        }
        fail('unsupported JWK (kty ' + j.kty + ', crv ' + j.crv + '); use RSA, EC P-256/P-384/P-521 or Ed25519');
    }

    // Reads PEM (PKCS#8, PKCS#1, SEC1), a private JWK or a JWKS with one private key. Accepts
    // surrounding whitespace, CRLF and the one-line form with literal \n (CI secrets).
    function parseKey(text) {
        if (text && typeof text === 'object' && text.t) {
            return text;
        }
        if (typeof text !== 'string' || !text.trim()) {
            fail('no private key given (the key text is empty)');
        }
        var s = text.trim().replace(/\\r/g, '').replace(/\\n/g, '\n'), m, encrypted, other;
        if (s[0] === '{') {
            try {
                m = JSON.parse(s);
            } catch (e) {
                fail('the key looks like JSON but does not parse');
            }
            if (Array.isArray(m.keys)) {
                var priv = m.keys.filter(function (k) { return k && k.d; });
                if (priv.length !== 1) {
                    fail(priv.length ? 'the JWKS holds ' + priv.length + ' private keys; keep exactly one' : PUBLIC);
                }
                m = priv[0];
            }
            return jwk(m);
        }
        var re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
        while ((m = re.exec(s))) {
            var label = m[1], body = m[2];
            if (/ENCRYPTED/.test(label) || /Proc-Type:\s*4,ENCRYPTED/.test(body)) {
                encrypted = true;
            } else if (/^(|RSA |EC )PRIVATE KEY$/.test(label)) {
                var der = unb64(body.replace(/^[\w-]+:.*$/gm, ''));
                try {
                    return label[0] === 'R' ? pkcs1(der) : label[0] === 'E' ? sec1(der, '') : pkcs8(der);
                } catch (e) {
                    if (/^postmint: /.test(e.message)) {
                        throw e;
                    }
                    fail('the ' + label + ' is not valid DER');
                }
            } else if (/PRIVATE KEY$/.test(label)) {
                fail(label + ' is not supported; convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)');
            } else {
                other = true;
            }
        }
        if (encrypted) {
            fail('the private key is encrypted; decrypt it first (run postmint generate, which writes a decrypted PKCS#8 key into the environment)');
        }
        fail(other ? PUBLIC : 'unrecognized key format: expected a PEM private key (PKCS#8, PKCS#1 or SEC1) or a private JWK/JWKS');
    }

    function describe(t) {
        return t.replace('-', ' ');
    }

    // RFC 7518 §3.1: the key type each alg needs.
    function needs(alg) {
        var m = /^(RS|PS|ES)(256|384|512)$/.exec(alg);
        if (alg === 'EdDSA') {
            return 'Ed25519';
        }
        if (!m) {
            fail('unsupported alg ' + alg + '; use RS256/384/512, PS256/384/512, ES256/384/512 or EdDSA');
        }
        return m[1] === 'ES' ? 'EC-P-' + (m[2] === '512' ? '521' : m[2]) : 'RSA';
    }

    // RFC 7518 §3.1 and RFC 8037 §3.1: alg must fit the key; returns the parsed key.
    function keyFor(alg, keyText) {
        var want = needs(alg), key = parseKey(keyText);
        if (key.t !== want) {
            fail('alg ' + alg + ' needs an ' + describe(want) + ' key, got ' + describe(key.t));
        }
        return key;
    }

    // RFC 7515 §5.1 step 5: the JWS Signature over the ASCII signing input, base64url.
    function sign(alg, keyText, signingInput) {
        var key = keyFor(alg, keyText), msg = utf8(signingInput), bits = +alg.slice(2) || 512;
        if (alg === 'EdDSA') {
            return b64u(edSign(key.seed, msg));
        }
        if (alg[0] === 'E') {
            return b64u(ecSign(key, bits, msg));
        }
        var em = alg[0] === 'P' ? emsaPss(bits, msg, key.bits - 1) : emsaPkcs1(bits, msg, key.len);
        return b64u(i2b(rsasp1(key, b2i(em)), key.len));
    }

    // RFC 7515 §7.1 compact serialization of header and claims (RFC 7519 §7.1).
    function jwt(header, claims, keyText) {
        if (!header || !header.alg) {
            fail('the JWT header needs an alg');
        }
        var input = b64u(utf8(canonicalJSON(header))) + '.' + b64u(utf8(canonicalJSON(claims)));
        return input + '.' + sign(header.alg, keyText, input);
    }

    // ---- JWK thumbprints (RFC 7638) and DPoP (RFC 9449) ----

    // A private key given as a JWK object, or as text parseKey reads.
    function toKey(k) {
        return k && typeof k === 'object' && !k.t ? parseKey(JSON.stringify(k)) : parseKey(k);
    }

    // RFC 7638 §3.2: the public JWK of a private key with only the required members: RSA n and
    // e; EC x and y, or Q = d*G (SEC1 §3.2.1) when the key lacks them; Ed25519 x, or A from the
    // seed (RFC 8032 §5.1.5). A JWK's own x and y are trusted (postmint wrote dpopKey): a
    // scalar multiplication per proof costs 1 ms for P-256 and 20 ms for P-521.
    function publicJwk(privateKey) {
        var k = toKey(privateKey), c = k.c, Q;
        if (k.t === 'RSA') {
            return { e: b64u(i2b(k.e, Math.ceil(bitLen(k.e) / 8))), kty: 'RSA', n: b64u(i2b(k.n, k.len)) };
        }
        if (c) {
            Q = k.x && k.y ? [k.x, k.y] : mulG(k.d, c).map(function (v) { return b64u(i2b(v, c.size)); });
            return { crv: c.name, kty: 'EC', x: Q[0], y: Q[1] };
        }
        return { crv: 'Ed25519', kty: 'OKP', x: k.x || b64u(edExpand(k.seed).A) };
    }

    // RFC 7638 §3.2 required members, in lexicographic order.
    var REQUIRED = { EC: ['crv', 'kty', 'x', 'y'], RSA: ['e', 'kty', 'n'], OKP: ['crv', 'kty', 'x'], oct: ['k', 'kty'] };

    // RFC 7638 §3 SHA-256 JWK thumbprint, base64url (RFC 9449 §10 dpop_jkt). A private JWK
    // counts by its public part.
    function thumbprint(jwkOrText) {
        var j = jwkOrText, out = {};
        if (typeof j === 'string') {
            try {
                j = JSON.parse(j);
            } catch (e) {
                fail('the JWK is not valid JSON');
            }
        }
        if (j && j.d) {
            j = publicJwk(j);
        }
        var names = REQUIRED[j && j.kty];
        if (!names) {
            fail('cannot take the thumbprint of ' + (j && j.kty ? 'kty ' + j.kty : 'a JWK without kty') + '; use an EC, RSA, OKP or oct JWK');
        }
        names.forEach(function (m) {
            if (typeof j[m] !== 'string' || !j[m]) {
                fail('the JWK has no ' + m + ' (RFC 7638 needs ' + names.join(', ') + ')');
            }
            out[m] = j[m];
        });
        return b64u(hash(256, utf8(canonicalJSON(out))));
    }

    // RFC 9449 §4.2: ath, base64url of the SHA-256 of the ASCII access token.
    function ath(accessToken) {
        return b64u(hash(256, utf8(String(accessToken))));
    }

    // RFC 9449 §4.2-4.3 DPoP proof JWT. o: { alg, key (private JWK or text), htm, htu, nonce?,
    // accessToken?, iat?, jti? }. htm is upper-cased as generator/dpop does; htu loses its userinfo and query
    // and fragment (§4.2); nonce and ath are claims only when given.
    function dpopProof(o) {
        o = o || {};
        if (!o.key) {
            fail('no DPoP key (dpopKey is empty); run postmint refresh -e ENV (or postmint generate), which writes dpopKey');
        }
        if (!o.htm || !o.htu) {
            fail('a DPoP proof needs htm (the request method) and htu (its URL)');
        }
        var key = keyFor(o.alg, toKey(o.key));
        var claims = { jti: o.jti || uuid4(), htm: String(o.htm).toUpperCase(), htu: String(o.htu).replace(/[?#][\s\S]*$/, '').replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/]*@/, '$1'), iat: o.iat || Math.floor(Date.now() / 1000) };
        if (o.nonce) {
            claims.nonce = String(o.nonce);
        }
        if (o.accessToken) {
            claims.ath = ath(o.accessToken);
        }
        return jwt({ typ: 'dpop+jwt', alg: o.alg, jwk: publicJwk(key) }, claims, key);
    }

    // A new DPoP key as private JWK text (RFC 7518 §6.2, RFC 8037 §2) with its alg, for
    // ES256/384/512 and EdDSA. Only crypto.getRandomValues may make a key: never Math.random or
    // random()'s fallback. The EC scalar is uniform in [1, n-1] by rejection sampling
    // (FIPS 186-5 §A.2.2); an Ed25519 key is 32 random bytes (RFC 8032 §5.1.5).
    function newDpopKey(alg) {
        var want = needs(alg), fix = '; run postmint refresh -e ENV (or postmint generate), which writes dpopKey', c, b, d, k;
        if (want === 'RSA') {
            fail('an RSA DPoP key (' + alg + ') cannot be made in a Postman script' + fix + ', or set dpop_alg: ES256');
        }
        c = want !== 'Ed25519' && curveBy('name', want.slice(3));
        while (!k) {
            b = csprng(c ? c.size : 32);
            if (!b) {
                fail('this sandbox (Newman) has no crypto.getRandomValues, so it cannot make a DPoP key safely' + fix);
            }
            if (!c) {
                k = edKey(b);
            } else {
                b[0] &= 255 >> (8 * c.size - c.bits);
                d = b2i(b);
                k = d > 0n && d < c.n && ecKey(c, d);
            }
        }
        return canonicalJSON(Object.assign({ alg: alg, d: b64u(b) }, publicJwk(k)));
    }

    return {
        parseKey: parseKey,
        sign: sign,
        jwt: jwt,
        canonicalJSON: canonicalJSON,
        uuid4: uuid4,
        // RFC 7636 §4.1-4.2: a 43-character code verifier and its S256 challenge; state and
        // nonce (OIDC Core §3.1.2.1) as 128-bit random strings.
        pkce: function () {
            var v = b64u(random(32));
            return { verifier: v, challenge: b64u(fromWA(C.SHA256(v))), state: b64u(random(16)), nonce: b64u(random(16)) };
        },
        keyType: function (keyText) {
            return parseKey(keyText).t;
        },
        ath: ath,
        publicJwk: publicJwk,
        thumbprint: thumbprint,
        dpopProof: dpopProof,
        newDpopKey: newDpopKey
    };
}
if (typeof module !== 'undefined' && module.exports) {
    module.exports = postmintSigner;
}
