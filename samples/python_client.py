#!/usr/bin/env python3
"""Example Archivist client in Python, using the code the Thrift compiler generates from
thrift/archivist.thrift and the python3-thrift runtime (Debian package python3-thrift).

Generate the bindings (the CMake build does this into <build>/thrift/gen-py):
    thrift --gen py -out gen-py thrift/archivist.thrift

Search:
    samples/python_client.py --gen-py build/thrift/gen-py --port 9440 --query "warfarin"
With a token (or $ARCHIVIST_TOKEN) over TLS, trusting the server's certificate:
    samples/python_client.py --gen-py build/thrift/gen-py --tls-ca server.crt --query "warfarin"
Ingest a file, then search:
    samples/python_client.py --gen-py build/thrift/gen-py --ingest summary.pdf --query "warfarin"

Prints one line per hit: rank, doc_id, page, chunk_id, score and title, tab-separated
(or one JSON object per line with --json). Exit codes: 0 ok, 1 usage, 2 the server refused the
request (ArchivistError; its code name is printed), 3 transport failure.
"""

import argparse
import json
import os
import sys


def _import_bindings(gen_py):
    """Puts the generated package on the path and imports it."""
    if gen_py:
        sys.path.insert(0, os.path.abspath(gen_py))
    from archivist import ArchivistService, ttypes  # noqa: E402  (generated code)
    return ArchivistService, ttypes


def main(argv=None):
    parser = argparse.ArgumentParser(description="Query an Archivist server over Thrift.")
    parser.add_argument("--host", default="127.0.0.1", help="server host (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=9440, help="server port (default 9440)")
    parser.add_argument("--query", help="search query")
    parser.add_argument("-k", type=int, default=10, help="number of hits (default 10)")
    parser.add_argument("--mode", choices=["lexical", "dense", "hybrid"], default="hybrid")
    parser.add_argument("--collection", default="", help="only this collection")
    parser.add_argument("--ingest", metavar="FILE", help="ingest this file before searching")
    parser.add_argument("--token", default=os.environ.get("ARCHIVIST_TOKEN", ""),
                        help="auth token, when the server requires one (default: $ARCHIVIST_TOKEN)")
    parser.add_argument("--tls-ca", default="",
                        help="PEM certificate (or CA) to trust: connect with TLS")
    parser.add_argument("--gen-py", default=os.environ.get("ARCHIVIST_GEN_PY", ""),
                        help="directory holding the generated 'archivist' package "
                             "(default: $ARCHIVIST_GEN_PY, else the Python path)")
    parser.add_argument("--json", action="store_true", help="one JSON object per hit")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per call")
    args = parser.parse_args(argv)
    if not args.query and not args.ingest:
        parser.error("nothing to do: give --query and/or --ingest")

    ArchivistService, ttypes = _import_bindings(args.gen_py)
    from thrift.Thrift import TException
    from thrift.protocol import TBinaryProtocol
    from thrift.transport import TSocket, TTransport

    if args.tls_ca:
        from thrift.transport import TSSLSocket
        # The certificate must chain to --tls-ca and name the host dialled.
        socket = TSSLSocket.TSSLSocket(args.host, args.port, ca_certs=args.tls_ca)
    else:
        socket = TSocket.TSocket(args.host, args.port)
    socket.setTimeout(int(args.timeout * 1000))
    transport = TTransport.TFramedTransport(socket)
    client = ArchivistService.Client(TBinaryProtocol.TBinaryProtocol(transport))
    token = args.token or None
    try:
        transport.open()
        if args.ingest:
            with open(args.ingest, "rb") as f:
                content = f.read()
            reply = client.ingest(ttypes.IngestRequest(
                auth_token=token, content=content, file_name=os.path.basename(args.ingest),
                collection=args.collection or None))
            outcome = ttypes.IngestOutcome._VALUES_TO_NAMES.get(reply.outcome, str(reply.outcome))
            print("ingested\t%s\t%s\tpages=%d\tchunks=%d" %
                  (reply.doc_id, outcome, reply.pages, reply.chunks), file=sys.stderr)
        if args.query:
            mode = getattr(ttypes.SearchMode, args.mode.upper())
            reply = client.search(ttypes.SearchRequest(
                auth_token=token, query=args.query, k=args.k, mode=mode,
                collection=args.collection or None))
            for rank, hit in enumerate(reply.hits, start=1):
                if args.json:
                    print(json.dumps({
                        "rank": rank, "doc_id": hit.doc_id, "page": hit.page,
                        "chunk_id": hit.chunk_id, "score": hit.score, "title": hit.title,
                        "snippet": hit.snippet, "source_path": hit.source_path,
                        "lexical_rank": hit.lexical_rank, "dense_rank": hit.dense_rank,
                    }))
                else:
                    print("%d\t%s\t%d\t%d\t%.6f\t%s" %
                          (rank, hit.doc_id, hit.page, hit.chunk_id, hit.score, hit.title))
    except ttypes.ArchivistError as e:
        name = ttypes.ErrorCode._VALUES_TO_NAMES.get(e.code, str(e.code))
        print("archivist error %s: %s" % (name, e.message), file=sys.stderr)
        return 2
    except (TTransport.TTransportException, TException, OSError) as e:
        print("transport error talking to %s:%d: %s" % (args.host, args.port, e), file=sys.stderr)
        return 3
    finally:
        transport.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
