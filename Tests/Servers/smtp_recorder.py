#!/usr/bin/env python3
"""An SMTP server on 127.0.0.1 (aiosmtpd) for the email notification tests.

Writes each message it accepts to DIRECTORY/<n>.eml (envelope recipients in
an X-Envelope-To header first), and its port to PORT_FILE once it listens.
"""
import argparse
import asyncio
import os

from aiosmtpd.smtp import SMTP

parser = argparse.ArgumentParser()
parser.add_argument("--port-file", required=True)
parser.add_argument("--directory", required=True)
args = parser.parse_args()


class Recorder:
    count = 0

    async def handle_DATA(self, server, session, envelope):
        Recorder.count += 1
        path = os.path.join(args.directory, f"{Recorder.count}.eml")
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        with open(path + ".tmp", "wb") as file:
            file.write(("X-Envelope-To: " + ", ".join(envelope.rcpt_tos) + "\r\n").encode())
            file.write(content)
        os.rename(path + ".tmp", path)
        return "250 OK"


async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(Recorder(), enable_SMTPUTF8=True), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    with open(args.port_file + ".tmp", "w") as file:
        file.write(str(port))
    os.rename(args.port_file + ".tmp", args.port_file)
    await server.serve_forever()


asyncio.run(main())
