#!/usr/bin/env python3
"""An independent C2SP signed-note verifier, for interoperability tests only.

Written from the specifications, not from Shopfloor's code: c2sp.org/signed-note (note format,
key IDs, vkeys), c2sp.org/tlog-cosignature (cosignature/v1 over a checkpoint), and RFC 8032
section 6 (the Ed25519 reference verification, transcribed). Standard library only.

usage: note_verify.py NOTE_FILE VKEY...
Prints "ok <key name> <type>" for each vkey whose signature on the note verifies; exits 1 if a
vkey has no signature on the note or its signature fails.
"""
import base64
import hashlib
import sys

# RFC 8032, section 6 (Ed25519 verification).
p = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
d = -121665 * pow(121666, p - 2, p) % p
SQRT_M1 = pow(2, (p - 1) // 4, p)


def point_add(P, Q):
    A = (P[1] - P[0]) * (Q[1] - Q[0]) % p
    B = (P[1] + P[0]) * (Q[1] + Q[0]) % p
    C = 2 * P[3] * Q[3] * d % p
    D = 2 * P[2] * Q[2] % p
    E, F, G, H = B - A, D - C, D + C, B + A
    return (E * F % p, G * H % p, F * G % p, E * H % p)


def point_mul(s, P):
    Q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            Q = point_add(Q, P)
        P = point_add(P, P)
        s >>= 1
    return Q


def point_equal(P, Q):
    if (P[0] * Q[2] - Q[0] * P[2]) % p != 0:
        return False
    return (P[1] * Q[2] - Q[1] * P[2]) % p == 0


def recover_x(y, sign):
    if y >= p:
        return None
    x2 = (y * y - 1) * pow(d * y * y + 1, p - 2, p)
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (p + 3) // 8, p)
    if (x * x - x2) % p != 0:
        x = x * SQRT_M1 % p
    if (x * x - x2) % p != 0:
        return None
    if (x & 1) != sign:
        x = p - x
    return x


G_Y = 4 * pow(5, p - 2, p) % p
G_X = recover_x(G_Y, 0)
G = (G_X, G_Y, 1, G_X * G_Y % p)


def decompress(s):
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % p)


def ed25519_verify(public, msg, sig):
    if len(public) != 32 or len(sig) != 64:
        return False
    A = decompress(public)
    R = decompress(sig[:32])
    if A is None or R is None:
        return False
    s = int.from_bytes(sig[32:], "little")
    if s >= L:
        return False
    h = int.from_bytes(hashlib.sha512(sig[:32] + public + msg).digest(), "little") % L
    return point_equal(point_mul(s, G), point_add(R, point_mul(h, A)))


# c2sp.org/signed-note and c2sp.org/tlog-cosignature.
def parse_vkey(vkey):
    name, key_id, key = vkey.split("+", 2)
    raw = base64.b64decode(key, validate=True)
    kind, public = raw[0], raw[1:]
    expect = hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public).digest()[:4]
    if expect.hex() != key_id:
        raise SystemExit(f"vkey {vkey}: key id does not follow the rule")
    return name, bytes.fromhex(key_id), kind, public


def main():
    note = open(sys.argv[1], "rb").read().decode("utf-8")
    cut = note.rindex("\n\n")
    text, sig_lines = note[: cut + 1].encode(), note[cut + 2 :].splitlines()
    failed = False
    for vkey in sys.argv[2:]:
        name, key_id, kind, public = parse_vkey(vkey)
        found = False
        for line in sig_lines:
            dash, line_name, b64 = line.split(" ")
            raw = base64.b64decode(b64, validate=True)
            if dash != "\u2014" or line_name != name or raw[:4] != key_id:
                continue
            found = True
            body = raw[4:]
            if kind == 0x01:
                ok = ed25519_verify(public, text, body)
            elif kind == 0x04:
                ts = int.from_bytes(body[:8], "big")
                msg = b"cosignature/v1\ntime %d\n" % ts + text
                ok = len(body) == 72 and ed25519_verify(public, msg, body[8:])
            else:
                ok = False
            print(("ok" if ok else "FAILED"), name, hex(kind))
            failed |= not ok
        if not found:
            print("MISSING", name)
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
