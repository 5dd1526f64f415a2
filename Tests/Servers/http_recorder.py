#!/usr/bin/env python3
"""An HTTP endpoint on 127.0.0.1 for the notification tests.

Records every request (method, path with query, headers, body) as one JSON
line in LOG before answering, then answers with the next status of PLAN
(a comma-separated list; the last one repeats). A status of 'hang' never
answers. 'STATUS+retry=N' adds a Retry-After header. Writes its port to
PORT_FILE once it listens: the tests' readiness handshake.
"""
import argparse
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--port-file", required=True)
parser.add_argument("--log", required=True)
parser.add_argument("--plan", default="200")
args = parser.parse_args()

plan = args.plan.split(",")
lock = threading.Lock()
served = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_any(self):
        global served
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with lock:
            step = plan[min(served, len(plan) - 1)]
            served += 1
            with open(args.log, "a", encoding="utf-8") as log:
                log.write(json.dumps({
                    "method": self.command,
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body.decode("utf-8", "replace"),
                }) + "\n")
        if step == "hang":
            # Never answers; the connection stays open until the client gives up.
            while True:
                time.sleep(3600)
        status, _, retry = step.partition("+retry=")
        answer = b"ok" if status.startswith("2") else b"not now"
        self.send_response(int(status))
        if retry:
            self.send_header("Retry-After", retry)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_POST = handle_any
    do_GET = handle_any
    do_HEAD = handle_any

    def log_message(self, *arguments):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
temporary = args.port_file + ".tmp"
with open(temporary, "w") as file:
    file.write(str(server.server_address[1]))
os.rename(temporary, args.port_file)
server.serve_forever()
