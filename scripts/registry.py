"""A small schema registry for the tests: the REST subset of Confluent's
Schema Registry API that producers and clients use, in memory.

    python3 scripts/registry.py --port 8081 [--user NAME:PASSWORD] [--cert PEM --key PEM]

Routes: POST /subjects/S/versions (register), POST /subjects/S (look up),
GET /subjects, GET /subjects/S/versions, GET /subjects/S/versions/V|latest,
GET /schemas/ids/N, DELETE /subjects/S, GET|PUT /config, GET|PUT
/config/S. Error bodies are Confluent's: {"error_code": 40401, "message":
...}. Compatibility BACKWARD (the default) refuses, with 409, a new version
of an Avro record that retypes a field or adds one without a default; NONE
accepts anything. Protobuf and JSON Schema versions are compared as text.
With --user, every request needs that HTTP basic auth (401 otherwise); with
--cert and --key, it serves https with that certificate.
"""

import argparse
import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CONTENT = "application/vnd.schemaregistry.v1+json"
LEVELS = {"NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE",
          "FULL", "FULL_TRANSITIVE"}


class Store:
    def __init__(self):
        self.lock = threading.Lock()
        self.schemas = []          # id - 1 -> (type, text, canonical)
        self.subjects = {}         # subject -> [id, ...] (version - 1)
        self.config = {"": "BACKWARD"}


def canonical(kind, text):
    if kind == "AVRO":
        return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))
    return text.strip()


def avro_fields(text):
    s = json.loads(text)
    if isinstance(s, dict) and s.get("type") == "record":
        return {f["name"]: f for f in s.get("fields", [])}
    return None


def incompatible(kind, old, new):
    """Why `new` cannot read data written with `old` (BACKWARD), or None."""
    if kind != "AVRO":
        return None if canonical(kind, old) == canonical(kind, new) else "the schema changed"
    before, after = avro_fields(old), avro_fields(new)
    if before is None or after is None:
        return None if canonical(kind, old) == canonical(kind, new) else "the type changed"
    for name, f in after.items():
        if name in before:
            if json.dumps(before[name]["type"], sort_keys=True) != json.dumps(f["type"], sort_keys=True):
                return f"field '{name}' changed its type"
        elif "default" not in f:
            return f"field '{name}' was added without a default"
    return None


STORE = Store()
USER = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", CONTENT)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, code, message):
        self.reply(status, {"error_code": code, "message": message})

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        return json.loads(raw or b"{}")

    def authorized(self):
        if USER is None:
            return True
        want = "Basic " + base64.b64encode(USER.encode()).decode()
        if self.headers.get("Authorization") == want:
            return True
        self.error(401, 401, "Unauthorized")
        return False

    def parts(self):
        path = self.path.split("?", 1)[0]
        return [p for p in path.split("/") if p]

    def do_GET(self):
        if not self.authorized():
            return
        p = self.parts()
        with STORE.lock:
            if p == ["subjects"]:
                return self.reply(200, sorted(STORE.subjects))
            if len(p) == 3 and p[:2] == ["schemas", "ids"]:
                i = int(p[2]) if p[2].isdigit() else 0
                if not 1 <= i <= len(STORE.schemas):
                    return self.error(404, 40403, "Schema not found")
                kind, text, _ = STORE.schemas[i - 1]
                body = {"schema": text}
                if kind != "AVRO":
                    body["schemaType"] = kind
                return self.reply(200, body)
            if len(p) >= 3 and p[0] == "subjects" and p[2] == "versions":
                ids = STORE.subjects.get(p[1])
                if ids is None:
                    return self.error(404, 40401, f"Subject '{p[1]}' not found.")
                if len(p) == 3:
                    return self.reply(200, list(range(1, len(ids) + 1)))
                v = len(ids) if p[3] == "latest" else (int(p[3]) if p[3].isdigit() else 0)
                if not 1 <= v <= len(ids):
                    return self.error(404, 40402, "Version not found.")
                return self.reply(200, self.version(p[1], v))
            if p and p[0] == "config":
                level = STORE.config.get(p[1] if len(p) > 1 else "")
                if level is None:
                    return self.error(404, 40408, f"Subject '{p[1]}' does not have subject-level compatibility configured")
                return self.reply(200, {"compatibilityLevel": level})
        self.error(404, 404, "HTTP 404 Not Found")

    def version(self, subject, v):
        i = STORE.subjects[subject][v - 1]
        kind, text, _ = STORE.schemas[i - 1]
        body = {"subject": subject, "version": v, "id": i, "schema": text}
        if kind != "AVRO":
            body["schemaType"] = kind
        return body

    def do_POST(self):
        if not self.authorized():
            return
        p = self.parts()
        try:
            req = self.body()
            kind = req.get("schemaType", "AVRO")
            text = req["schema"]
            key = canonical(kind, text)
        except (ValueError, KeyError, TypeError) as e:
            return self.error(422, 42201, f"Invalid schema: {e}")
        with STORE.lock:
            if len(p) == 2 and p[0] == "subjects":
                ids = STORE.subjects.get(p[1])
                if ids is None:
                    return self.error(404, 40401, f"Subject '{p[1]}' not found.")
                for v, i in enumerate(ids, 1):
                    if STORE.schemas[i - 1][2] == key:
                        return self.reply(200, self.version(p[1], v))
                return self.error(404, 40403, "Schema not found")
            if len(p) == 3 and p[0] == "subjects" and p[2] == "versions":
                subject = p[1]
                ids = STORE.subjects.setdefault(subject, [])
                for i in ids:
                    if STORE.schemas[i - 1][2] == key:
                        return self.reply(200, {"id": i})
                level = STORE.config.get(subject, STORE.config[""])
                if ids and level != "NONE":
                    old_kind, old, _ = STORE.schemas[ids[-1] - 1]
                    why = "the schema type changed" if old_kind != kind else incompatible(kind, old, text)
                    if why:
                        return self.error(
                            409, 409,
                            f"Schema being registered is incompatible with an earlier schema for subject \"{subject}\": {why}")
                for i, (k, _, c) in enumerate(STORE.schemas, 1):
                    if k == kind and c == key:
                        break
                else:
                    STORE.schemas.append((kind, text, key))
                    i = len(STORE.schemas)
                ids.append(i)
                return self.reply(200, {"id": i})
        self.error(404, 404, "HTTP 404 Not Found")

    def do_PUT(self):
        if not self.authorized():
            return
        p = self.parts()
        if not p or p[0] != "config":
            return self.error(404, 404, "HTTP 404 Not Found")
        level = self.body().get("compatibility", "")
        if level not in LEVELS:
            return self.error(422, 42203, "Invalid compatibility level")
        with STORE.lock:
            STORE.config[p[1] if len(p) > 1 else ""] = level
        self.reply(200, {"compatibility": level})

    def do_DELETE(self):
        if not self.authorized():
            return
        p = self.parts()
        with STORE.lock:
            if len(p) == 2 and p[0] == "subjects" and p[1] in STORE.subjects:
                ids = STORE.subjects.pop(p[1])
                return self.reply(200, list(range(1, len(ids) + 1)))
        self.error(404, 40401, "Subject not found.")


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client that hangs up or refuses the certificate: one line.
        import sys
        print(f"registry.py: {client_address}: {sys.exc_info()[1]}", file=sys.stderr)


def main():
    global USER
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8081)
    ap.add_argument("--user")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    args = ap.parse_args()
    USER = args.user
    server = Server(("127.0.0.1", args.port), Handler)
    if args.cert:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
