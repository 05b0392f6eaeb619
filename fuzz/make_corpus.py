#!/usr/bin/env python3
"""Writes the committed seed corpus fuzz/corpus/<target>/ from the protocol's test vectors, the
node's CSV fixtures and hand-written form bodies. Signed seeds are signed with the vector keys
(public test keys) exactly as the protocol does: Ed25519 over the DSSE pre-authentication encoding.

Run from the repository root: python3 fuzz/make_corpus.py  (needs the `cryptography` package).
It rewrites the corpus directories it owns; commit the result."""

import base64
import hashlib
import json
import os
import shutil

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

V = "protocol/tests/vectors"
OUT = "fuzz/corpus"


def read(path):
    with open(path, "rb") as f:
        return f.read()


def keys(name):
    for line in read(f"{V}/{name}.keys.txt").decode().splitlines():
        if line.startswith("SHOPFLOOR-ED25519-SECRET-1:"):
            seed = base64.b64decode(line.split(":", 1)[1])
            return Ed25519PrivateKey.from_private_bytes(seed)
    raise SystemExit(f"no signing key in {name}.keys.txt")


def card(name):
    return json.loads(read(f"{V}/{name}.card.json"))


def keyid(name):
    pub = base64.b64decode(card(name)["signing_key"])
    return hashlib.sha256(pub).hexdigest()[:32]


def pae(ptype, payload):
    t = ptype.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def sign(ptype, payload_obj, signer):
    payload = json.dumps(payload_obj, separators=(",", ":")).encode()
    sig = keys(signer).sign(pae(ptype, payload))
    return {
        "payloadType": ptype,
        "payload": base64.b64encode(payload).decode(),
        "signatures": [{"keyid": keyid(signer), "sig": base64.b64encode(sig).decode()}],
    }


def payload_of(envelope_file):
    return base64.b64decode(json.loads(read(f"{V}/{envelope_file}"))["payload"])


def compact(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


corpus = {}


def add(target, name, data):
    corpus.setdefault(target, {})[name] = data if isinstance(data, bytes) else data.encode()


# Documents built here.
guidance = {
    "schema": "shopfloor.guidance.v1",
    "issuer": "national",
    "issued_at": "2026-11-01T12:00:00Z",
    "policy": {"k": 5},
    "trainings": [
        {"code": "one-on-ones", "title_en": "One-on-ones", "title_es": "Conversaciones individuales",
         "url_en": "https://example.org/1on1", "url_es": "https://example.org/es/1on1"}
    ],
    "criteria": [
        {"code": "majority", "title_en": "Majority support", "title_es": "Apoyo mayoritario",
         "metrics": [{"name_en": "Cards signed", "name_es": "Tarjetas firmadas", "target": 30}]}
    ],
    "goals": [{"sector": "62", "metric": "members", "target": 100, "by": "2027-06-30"}],
    "links": [{"title_en": "Guide", "title_es": "Guía", "url_en": "https://example.org/guide"}],
}
national_guidance = sign("application/vnd.shopfloor.guidance.v1+json", guidance, "national")
regional = dict(guidance, issuer="south", goals=[], inherited=national_guidance)
revocations = {
    "schema": "shopfloor.revocations.v1",
    "issuer": "national",
    "issued_at": "2026-11-20T00:00:00Z",
    "entries": [{"serial": 1, "subject": "south", "key": keyid("south"),
                 "revoked_at": "2026-11-10T00:00:00Z", "reason": "key lost"}],
}
rotation = {
    "schema": "shopfloor.rotation.v1",
    "subject": "south",
    "old_key": keyid("south"),
    "new_card": card("impostor") | {"id": "south", "kind": "regional"},
    "at": "2026-11-05T00:00:00Z",
}
incl = json.loads(read(f"{V}/log/log-inclusion.good.json"))
receipt = {
    "schema": "shopfloor.receipt.v1",
    "log": "south",
    "entry": incl["entry"],
    "index": incl["index"],
    "checkpoint": {"schema": "shopfloor.checkpoint.v1", "log": "south", "size": incl["size"],
                   "root": incl["root"], "time": "2026-11-02T12:00:00Z"},
    "inclusion": incl["proof"],
}
request_auth = {
    "schema": "shopfloor.request-auth.v1", "party": "triangle", "hub": "south", "method": "POST",
    "path": "/api/v1/support", "body": hashlib.sha256(b"{}").hexdigest(),
    "at": "2026-11-02T12:00:00Z",
}

# sealed_open: age files sealed to south's identity.
for f in ["report-triangle.sealed.good.age", "report-triangle.sealed.good.txt",
          "report-triangle-sealed-flipped.bad.age"]:
    add("sealed_open", f, read(f"{V}/{f}"))

# envelope: signed envelopes of several types, and a signed-request header.
for f in ["report-triangle.good.json", "cert-south.good.json", "report-small-cell.bad.json"]:
    add("envelope", f, read(f"{V}/{f}"))
add("envelope", "guidance.json", compact(national_guidance))
auth = sign("application/vnd.shopfloor.request-auth.v1+json", request_auth, "triangle")
add("envelope", "request-header.txt", "Shopfloor " + base64.b64encode(compact(auth)).decode())

# cert: certificate envelopes and payloads, a revocation list, a rotation.
for f in ["cert-south.good.json", "cert-regional-by-regional.bad.json"]:
    add("cert", f, read(f"{V}/{f}"))
add("cert", "cert-south.payload.json", payload_of("cert-south.good.json"))
add("cert", "revocations.json", compact(sign(
    "application/vnd.shopfloor.revocations.v1+json", revocations, "national")))
add("cert", "revocations.payload.json", compact(revocations))
add("cert", "rotation.payload.json", compact(rotation))

# identity: cards, a key file, ids.
for f in ["national.card.json", "triangle.card.json", "impostor.keys.txt"]:
    add("identity", f, read(f"{V}/{f}"))
add("identity", "party-id.txt", "triangle")
add("identity", "digest.txt", incl["entry"])
add("identity", "recipient.txt", card("south")["age_recipient"])

# report: payloads, good and bad.
for f in ["report-triangle.good.json", "report-small-cell.bad.json", "report-duplicate-cell.bad.json",
          "report-unknown-metric.bad.json", "report-schema-v2.bad.json"]:
    add("report", f.replace(".json", ".payload.json"), payload_of(f))

# rollup: bundles, a sealed file, a rollup payload.
for f in ["rollup-south.bundle.good.json", "rollup-revoked-chapter.bad.json",
          "report-triangle.sealed.good.age", "cert-south.good.json"]:
    add("rollup", f, read(f"{V}/{f}"))
bundle = json.loads(read(f"{V}/rollup-south.bundle.good.json"))
add("rollup", "rollup-south.payload.json", base64.b64decode(bundle["document"]["payload"]))

# guidance: payloads and signed envelopes.
add("guidance", "national.payload.json", compact(guidance))
add("guidance", "regional-inherited.payload.json", compact(regional))
add("guidance", "regional.json", compact(sign(
    "application/vnd.shopfloor.guidance.v1+json", regional, "south")))

# log: proof vectors, a receipt and a checkpoint.
for f in ["log-inclusion.good.json", "log-consistency.good.json", "log-consistency-from-empty.good.json",
          "log-inclusion-out-of-range.bad.json"]:
    add("log", f, read(f"{V}/log/{f}"))
add("log", "receipt.payload.json", compact(receipt))
add("log", "checkpoint.payload.json", compact(receipt["checkpoint"]))

# csv_import: the fixtures, trimmed to a header and a few rows.
def head(path, rows):
    lines = read(path).split(b"\n")
    return b"\n".join(lines[: rows + 1]) + b"\n"

for f, rows in [("node/tests/fixtures/national_current.csv", 3),
                ("node/tests/fixtures/national_legacy.csv", 2),
                ("node/tests/fixtures/generic.csv", 2),
                ("node/tests/fixtures/bad_two_rows.csv", 2),
                ("/work/shared/fixtures/maine-dsa-fake-list-20231030.csv", 3)]:
    if os.path.exists(f):
        add("csv_import", os.path.basename(f), head(f, rows))

# node_forms: first byte = index into ROUTES in fuzz_targets/node_forms.rs, then the body or query.
forms = [
    (0, "lang=es&next=%2Fmembers"),
    (1, "first_name=Ana&last_name=Ruiz&email=ana%40example.org&phone=919-555-0100"
        "&preferred_language=es&employer=Acme&site=Durham&city=Durham&sector=62&job_title=Nurse"),
    (2, "union_role=member&union_code=&reset_union=0&readiness=2&languages=en%2C+es"
        "&preferred_language=es"),
    (3, "workplace_id=1&job_title=Nurse&since=2024-01-15&primary=1"),
    (4, "code=one-on-ones&on=2026-10-01"),
    (5, "languages=es&availability=weekends&active=1&skill=phonebanking&skill=training"),
    (6, "pod_id=1&lead=1"),
    (7, "employer=Acme+Hospital&site=Main&city=Durham&county_fips=37063&state=NC&sector=62"
        "&naics_code=622110&representation=none&workforce_size=1%2C200&committee_size=5"
        "&supporters=40&notes=night+shift"),
    (9, "stage=2&note=committee+formed"),
    (10, "name=Teachers&sector=61"),
    (11, "code=power-mapping&title_en=Power+mapping&title_es=Mapeo+de+poder&source=national"),
    (12, "mentor_id=1&mentee_id=3&on=2026-10-01"),
    (13, "on=2026-11-01"),
    (14, "title=Contract+fight&kind=contract&status=planning&approval=draft&public=1&priority=1"
         "&labor_component=1"),
    (16, "name=Cards+signed&target=30&actual=12"),
    (17, "workplace_id=1"),
    (18, "workplace_id=1&count=3&sector=62&on=2026-10-15"),
    (19, "labor_committee=1&clc_delegate=0&bylaws=1"),
    (20, "q=ana&sector=62&stage=1&union=member&lang=es&status=active&page=2"),
    (22, "q=acme&sector=62&stage=2&page=1"),
    (25, "page=1&actor=admin"),
    (26, "period=2026-10"),
]
for i, body in forms:
    add("node_forms", f"route-{i:02}.txt", bytes([i]) + body.encode())

# hub_forms.
add("hub_forms", "login.txt", "name=admin&password=secret&csrf=abc123&next=%2Fui")
add("hub_forms", "lang.txt", "lang=es&csrf=abc123&next=%2Fui%2Fchildren")
add("hub_forms", "revoke.txt", "csrf=abc123&reason=key+lost")

for target, files in corpus.items():
    d = os.path.join(OUT, target)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for name, data in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print(f"{target}: {len(files)} files, {sum(len(v) for v in files.values())} bytes")
