"""moto's server (the local AWS emulator) with DynamoDB's per-item atomicity.

moto serves requests on many threads and applies a DynamoDB UpdateItem or
TransactWriteItems as a read-modify-write without a lock, so two concurrent `ADD counter
:one` on one item can lose an increment. DynamoDB never does (every write to an item is
atomic, and transactions are isolated), and the ingest worker's exactly-once counting
relies on that. This wrapper runs moto's own app, serialising DynamoDB calls only (they are
quick; SQS long polls and everything else stay concurrent).

usage: python moto_server.py -H HOST -p PORT   (scripts/lib/moto.sh starts it)
"""

import argparse
import os
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))

    app = DomainDispatcherApplication(create_backend_app)
    dynamodb = threading.Lock()

    def serialised(environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            with dynamodb:
                # Consume the whole response inside the lock.
                return list(app(environ, start_response))
        return app(environ, start_response)

    run_simple(args.host, args.port, serialised, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
